"""Contribution rounds' pages: the coordinator opens a round on a contract, follows it and
closes it early once covered; a household pledges per basket and sees how much of the budget
the pledges cover (figures only: nobody's name nor pledge)."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.generic import TemplateView, View

from baskets.models import Contract
from marketplace.solidarity.errors import SolidarityRefused
from marketplace.solidarity.forms import PledgeForm, RoundForm
from marketplace.solidarity.models import ContributionRound, Pledge, RoundState
from marketplace.solidarity.selectors.access import coordinates_contract
from marketplace.solidarity.selectors.rounds import (
    contracts_with_rounds,
    holding_subscription,
    round_figures,
)
from marketplace.solidarity.services.rounds import (
    RoundTerms,
    close_covered_round,
    open_round,
    pledge,
)


def _round(pk: int) -> ContributionRound:
    return get_object_or_404(
        ContributionRound.objects.select_related("contract__plan__producer"), pk=pk
    )


def gauge_text(figures) -> str:
    """The gauge in words, for everyone (and what a screen reader reads)."""
    return ngettext(
        "%(pledged)s € pledged of a budget of %(budget)s €: %(percent)s %% covered, "
        "by %(pledges)s household.",
        "%(pledged)s € pledged of a budget of %(budget)s €: %(percent)s %% covered, "
        "by %(pledges)s households.",
        figures.pledges,
    ) % {
        "pledged": number_format(figures.pledged, decimal_pos=2, force_grouping=True),
        "budget": number_format(figures.budget, decimal_pos=2, force_grouping=True),
        "percent": figures.percent,
        "pledges": figures.pledges,
    }


class RoundsView(LoginRequiredMixin, TemplateView):
    """The contracts the coordinator runs, with their rounds and where to open one."""

    template_name = "solidarity/rounds.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        contracts = contracts_with_rounds(self.request.user, timezone.localdate())
        for contract in contracts:
            last = contract.rounds[-1] if contract.rounds else None
            contract.may_open_round = last is None or last.state == RoundState.SHORT
        ctx["contracts"] = contracts
        return ctx


class OpenRoundView(LoginRequiredMixin, View):
    template_name = "solidarity/open_round.html"

    def contract(self, request, contract_id) -> Contract:
        contract = get_object_or_404(
            Contract.objects.select_related("plan__producer"), pk=contract_id
        )
        if not coordinates_contract(request.user, contract):
            raise Http404
        return contract

    def render_page(self, request, contract, form, status=200):
        last = contract.contribution_rounds.order_by("-number").first()
        context = {"contract": contract, "form": form, "last": last}
        return render(request, self.template_name, context, status=status)

    def get(self, request, contract_id):
        contract = self.contract(request, contract_id)
        last = contract.contribution_rounds.order_by("-number").first()
        initial = {}
        if last is not None:  # a next round starts from the last one's terms
            initial = {
                "budget": last.budget,
                "min_pledge": last.min_pledge,
                "max_pledge": last.max_pledge,
            }
        return self.render_page(request, contract, RoundForm(initial=initial))

    def post(self, request, contract_id):
        contract = self.contract(request, contract_id)
        form = RoundForm(request.POST)
        if not form.is_valid():
            return self.render_page(request, contract, form, status=400)
        data = form.cleaned_data
        terms = RoundTerms(
            budget=data["budget"],
            min_pledge=data["min_pledge"],
            max_pledge=data["max_pledge"],
            deadline=data["deadline"],
        )
        try:
            opened = open_round(request.user, contract, terms)
        except SolidarityRefused as error:
            form.add_error(None, str(error))
            return self.render_page(request, contract, form, status=400)
        messages.success(request, _("The contribution round is open."))
        return redirect("solidarity:round", pk=opened.pk)


class RoundView(LoginRequiredMixin, TemplateView):
    """The coordinator's view of a round: how far the pledges go, how many households pledged."""

    template_name = "solidarity/round.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        contribution_round = _round(self.kwargs["pk"])
        contract = contribution_round.contract
        if not coordinates_contract(self.request.user, contract):
            raise Http404
        figures = round_figures(contribution_round)
        last = contract.contribution_rounds.order_by("-number").first()
        ctx.update(
            {
                "round": contribution_round,
                "contract": contract,
                "figures": figures,
                "gauge_text": gauge_text(figures),
                "may_open_next": contribution_round.state == RoundState.SHORT
                and last.pk == contribution_round.pk
                and contract.ends_on >= timezone.localdate(),
            }
        )
        return ctx


class CloseRoundView(LoginRequiredMixin, View):
    def post(self, request, pk):
        contribution_round = _round(pk)
        if not coordinates_contract(request.user, contribution_round.contract):
            raise Http404
        try:
            close_covered_round(request.user, contribution_round.pk)
        except SolidarityRefused as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("The round is closed: the pledges are the new prices."))
        return redirect("solidarity:round", pk=contribution_round.pk)


class PledgeView(LoginRequiredMixin, View):
    """A household's pledge: the bounds, the reference price, their pledge, the gauge."""

    template_name = "solidarity/pledge.html"

    def page(self, request, pk):
        contribution_round = _round(pk)
        subscription = holding_subscription(request.user, contribution_round.contract)
        if subscription is None:
            raise Http404
        return contribution_round, subscription

    def render_page(self, request, contribution_round, subscription, form=None, status=200):
        current = Pledge.objects.filter(round=contribution_round, subscription=subscription).first()
        if form is None:
            form = PledgeForm(
                initial={"amount": current.amount if current else None},
                low=contribution_round.min_pledge,
                high=contribution_round.max_pledge,
            )
        figures = round_figures(contribution_round)
        context = {
            "round": contribution_round,
            "contract": contribution_round.contract,
            "subscription": subscription,
            "current": current,
            "form": form,
            "figures": figures,
            "gauge_text": gauge_text(figures),
            "is_taking_pledges": contribution_round.is_open
            and contribution_round.deadline > timezone.now(),
        }
        return render(request, self.template_name, context, status=status)

    def get(self, request, pk):
        return self.render_page(request, *self.page(request, pk))

    def post(self, request, pk):
        contribution_round, subscription = self.page(request, pk)
        form = PledgeForm(
            request.POST, low=contribution_round.min_pledge, high=contribution_round.max_pledge
        )
        if not form.is_valid():
            return self.render_page(request, contribution_round, subscription, form, status=400)
        try:
            pledge(request.user, contribution_round.pk, form.cleaned_data["amount"])
        except SolidarityRefused as error:
            form.add_error("amount", str(error))
            return self.render_page(request, contribution_round, subscription, form, status=400)
        messages.success(request, _("Your pledge is recorded. Thank you!"))
        return redirect("solidarity:pledge", pk=contribution_round.pk)


class GaugeView(LoginRequiredMixin, View):
    """The gauge's figure, for the pages' refresh every 30 seconds (JSON)."""

    def get(self, request, pk):
        contribution_round = _round(pk)
        contract = contribution_round.contract
        if holding_subscription(request.user, contract) is None and not coordinates_contract(
            request.user, contract
        ):
            raise Http404
        figures = round_figures(contribution_round)
        return JsonResponse(
            {
                "pledged": str(figures.pledged),
                "budget": str(figures.budget),
                "value": str(figures.gauge_value),
                "percent": figures.percent,
                "pledges": figures.pledges,
                "text": gauge_text(figures),
                "is_open": contribution_round.is_open,
            }
        )
