"""A member's solidarity pricing page: their tier on each subscription at a pickup point drawing
on a fund (and à la carte), what they pay per basket at each tier, their request waiting for an
answer, and where to ask for another tier. Nobody but the member sees this page's figures."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import View
from oscar.templatetags.currency_filters import currency

from marketplace.solidarity.errors import SolidarityRefused
from marketplace.solidarity.models import RequestState, Tier, TierRequest
from marketplace.solidarity.selectors.member_tiers import (
    ALaCarteTier,
    MemberTiers,
    SubscriptionTier,
    member_tiers,
)
from marketplace.solidarity.selectors.staples import staples_of
from marketplace.solidarity.services.tiers import ask_for_tier, request_outcome, withdraw_request
from marketplace.solidarity.tier_forms import TierChoiceForm


def _percent(value) -> str:
    return floatformat(value, -2)  # 30, 12,50: as the page's template writes it


def _tier_labels(row: SubscriptionTier | ALaCarteTier) -> dict[str, str]:
    rate = {"rate": _percent(row.rate.rate)}
    if isinstance(row, ALaCarteTier) or row.is_variable:
        return {
            Tier.REDUCED: _("Reduced: %(rate)s %% less than the reference prices") % rate,
            Tier.STANDARD: _("Standard: the reference prices"),
            Tier.SUPPORTER: _("Supporter: a percentage above the reference prices"),
        }
    return {
        Tier.REDUCED: _("Reduced: %(price)s per basket (%(rate)s %% less)")
        % {"price": currency(row.reduced_price), **rate},
        Tier.STANDARD: _("Standard: %(price)s per basket, the reference price")
        % {"price": currency(row.reference)},
        Tier.SUPPORTER: _("Supporter: more than %(price)s per basket, as you choose")
        % {"price": currency(row.reference)},
    }


def _form(row, data=None) -> TierChoiceForm:
    by_amount = isinstance(row, SubscriptionTier) and not row.is_variable
    points = row.points if isinstance(row, ALaCarteTier) else ()
    return TierChoiceForm(
        data,
        prefix=f"tier-{row.key}",
        initial={"tier": row.terms.tier},
        tier_labels=_tier_labels(row),
        by_amount=by_amount,
        points=points,
    )


def _anchor(row) -> str:
    return f"{reverse('solidarity:my-tier')}#tier-{row.key}"


def _ask(member, row, data) -> TierRequest | None:
    terms = {
        "declaration": data.get("declaration", ""),
        "supporter_percent": data.get("supporter_percent"),
    }
    if isinstance(row, SubscriptionTier):
        amount = data.get("supporter_amount")
        if amount is not None:
            terms["supporter_price"] = row.reference + amount
        return ask_for_tier(member, data["tier"], subscription=row.subscription, **terms)
    points = {point.pk: point for point in row.points}
    point = points.get(data.get("pickup_point")) or (row.points[0] if row.points else None)
    return ask_for_tier(member, data["tier"], pickup_point=point, **terms)


def _outcome(request: TierRequest | None) -> str:
    if (
        request is not None
        and request.tier == Tier.REDUCED
        and request.state == RequestState.APPROVED
        and request.fund.trusts_declarations
    ):
        return _(
            "Your fund trusts its members' declarations: your request is approved at once, and "
            "you are on the reduced tier from now on."
        )
    return request_outcome(request)


class MyTierView(LoginRequiredMixin, View):
    template_name = "solidarity/my_tier.html"

    def render_page(self, request, tiers: MemberTiers, bound=None, status=200):
        bound = bound or {}
        rows = [*tiers.subscriptions, *([tiers.a_la_carte] if tiers.a_la_carte else [])]
        for row in rows:
            row.form = bound.get(row.key) or _form(row)
        if tiers.a_la_carte is not None:
            tiers.a_la_carte.staples = staples_of(tiers.a_la_carte.fund)
        context = {"tiers": tiers, "tier_names": dict(Tier.choices)}
        return render(request, self.template_name, context, status=status)

    def get(self, request):
        return self.render_page(request, member_tiers(request.user, timezone.localdate()))

    def post(self, request):
        tiers = member_tiers(request.user, timezone.localdate())
        target = request.POST.get("for", "")
        rows = {row.key: row for row in tiers.subscriptions}
        if tiers.a_la_carte is not None:
            rows[tiers.a_la_carte.key] = tiers.a_la_carte
        row = rows.get(target)
        if row is None:
            raise Http404
        form = _form(row, request.POST)
        if form.is_valid():
            try:
                asked = _ask(request.user, row, form.cleaned_data)
            except SolidarityRefused as refused:
                form.add_error(None, str(refused))
            else:
                messages.success(request, _outcome(asked))
                return redirect(_anchor(row))
        return self.render_page(request, tiers, bound={row.key: form}, status=400)


class WithdrawRequestView(LoginRequiredMixin, View):
    """The member takes back their request not answered yet (POST only)."""

    http_method_names = ["post"]

    def post(self, request, pk):
        asked = get_object_or_404(TierRequest, pk=pk, member=request.user)
        try:
            withdraw_request(request.user, asked)
        except SolidarityRefused as refused:
            messages.error(request, str(refused))
        else:
            messages.success(request, _("Your request is withdrawn."))
        key = asked.subscription_id or ALaCarteTier.key
        return redirect(f"{reverse('solidarity:my-tier')}#tier-{key}")
