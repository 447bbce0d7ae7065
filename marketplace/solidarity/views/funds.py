"""The coordinators' pages of their solidarity funds: the funds they coordinate, and each fund's
page (its figures, its balance over the year, its reviews, the requests to decide, its latest
entries), with the forms that record an entry and decide a request.

Only a fund's coordinators and staff see a fund's page and act on it: anyone else gets a 404,
as if the fund were not there (its members' names and tiers are on it)."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import TemplateView, View

from marketplace.solidarity.errors import SolidarityRefused
from marketplace.solidarity.fund_forms import DecisionForm, FundEntryForm
from marketplace.solidarity.models import Fund, TierRequest
from marketplace.solidarity.selectors.access import coordinates_fund
from marketplace.solidarity.selectors.history import coordinated_funds
from marketplace.solidarity.services.entries import record_fund_entry
from marketplace.solidarity.services.tiers import approve_request, refuse_request
from marketplace.solidarity.views.fund_page import render_fund_page


def transparency_url(fund: Fund) -> str:
    """The fund's public page."""
    return reverse("solidarity:transparency", kwargs={"slug": fund.slug})


def coordinated_fund(user, pk: int) -> Fund:
    """The fund, for its coordinators and staff; a 404 for anyone else."""
    fund = get_object_or_404(Fund, pk=pk)
    if not coordinates_fund(user, fund):
        raise Http404
    return fund


def fund_page_url(fund_id: int, anchor: str = "") -> str:
    url = reverse("solidarity:fund", kwargs={"pk": fund_id})
    return f"{url}#{anchor}" if anchor else url


def _member_name(user) -> str:
    return user.get_full_name() or user.email


class FundsView(LoginRequiredMixin, TemplateView):
    """The funds the person coordinates, each with its balance and rate of the day."""

    template_name = "solidarity/funds.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        funds = coordinated_funds(self.request.user, timezone.localdate())
        for fund in funds:
            fund.is_below_reserve = fund.balance < fund.reserve
            fund.transparency_url = transparency_url(fund)
        ctx["funds"] = funds
        return ctx


class FundView(LoginRequiredMixin, View):
    def get(self, request, pk):
        fund = coordinated_fund(request.user, pk)
        form = FundEntryForm(today=timezone.localdate())
        return render_fund_page(request, fund, form, transparency_url(fund))


class RecordEntryView(LoginRequiredMixin, View):
    """A donation, a grant or a correction recorded in the fund's ledger."""

    def post(self, request, pk):
        fund = coordinated_fund(request.user, pk)
        form = FundEntryForm(request.POST, today=timezone.localdate())
        if form.is_valid():
            data = form.cleaned_data
            try:
                record_fund_entry(
                    request.user,
                    fund,
                    data["kind"],
                    data["amount"],
                    on=data["on"],
                    reference=data["reference"],
                    note=data["note"],
                )
            except SolidarityRefused as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("The entry is recorded in the fund's ledger."))
                return redirect(fund_page_url(fund.pk, "entries"))
        return render_fund_page(request, fund, form, transparency_url(fund), status=400)


class DecideRequestView(LoginRequiredMixin, View):
    """A coordinator approves or refuses a tier request of their fund."""

    def post(self, request, pk):
        tier_request = get_object_or_404(
            TierRequest.objects.select_related("fund", "member"), pk=pk
        )
        if not coordinates_fund(request.user, tier_request.fund):
            raise Http404
        form = DecisionForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Choose to approve or to refuse the request."))
            return redirect(fund_page_url(tier_request.fund_id, "requests"))
        name = _member_name(tier_request.member)
        try:
            if form.cleaned_data["decision"] == DecisionForm.APPROVE:
                approve_request(request.user, tier_request)
                said = _("The request of %(member)s is approved.")
            else:
                refuse_request(request.user, tier_request, answer=form.cleaned_data["answer"])
                said = _("The request of %(member)s is refused.")
        except SolidarityRefused as error:
            messages.error(request, str(error))
        else:
            messages.success(request, said % {"member": name})
        return redirect(fund_page_url(tier_request.fund_id, "requests"))
