"""Members choosing a tier, and coordinators deciding reduced-tier requests.

The reduced tier is asked with a short declaration; a coordinator of the fund's pickup points
approves it, or the fund trusts declarations and it is approved at once; a fund closed to new
requests puts it on its waiting list. The supporter tier is the member's own choice: approved
at once. The standard tier needs no request: choosing it takes any other tier away.
"""

from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from baskets.models import ContractKind, Subscription, SubscriptionState
from deliveries.network.models import PickupPoint
from marketplace.payments.services.adjustments import reprice_season
from marketplace.solidarity.a_la_carte import forget_member_prices
from marketplace.solidarity.errors import SolidarityRefused
from marketplace.solidarity.models import (
    OPEN_REQUEST_STATES,
    Fund,
    FundEntry,
    MemberTier,
    RequestState,
    SolidarityTier,
    Tier,
    TierRequest,
)
from marketplace.solidarity.selectors.access import coordinates_fund
from marketplace.solidarity.selectors.funds import fund_of_point
from marketplace.solidarity.services.amounts import checked_euros, checked_percent

HUNDRED = Decimal("100")
ENDED_STATES = (SubscriptionState.ENDED, SubscriptionState.CANCELLED)


def _place(member, subscription: Subscription | None, pickup_point: PickupPoint | None):
    """The pickup point whose fund pays for the tier: the subscription's, or the one named for
    à la carte."""
    if subscription is not None:
        if subscription.member_id != member.pk:
            raise SolidarityRefused(_("Only the subscription's holder may choose its tier."))
        if subscription.state in ENDED_STATES:
            raise SolidarityRefused(_("This subscription has ended."))
        return subscription.pickup_point
    if pickup_point is None:
        raise SolidarityRefused(_("Choose the pickup point where you collect your orders."))
    return pickup_point


def _fund_of(point: PickupPoint) -> Fund:
    fund = fund_of_point(point)
    if fund is None:
        raise SolidarityRefused(
            _("%(point)s has no solidarity fund: everyone pays the reference price there.")
            % {"point": point.name}
        )
    return fund


def _supporter_terms(subscription, percent, price) -> dict:
    if (percent is None) == (price is None):
        raise SolidarityRefused(
            _("As a supporter, give either a percentage above the price or the price you pay.")
        )
    if percent is not None:
        value = checked_percent(percent)
        if not 0 < value <= HUNDRED:
            raise SolidarityRefused(_("Give a percentage above 0 and at most 100."))
        return {"supporter_percent": value, "supporter_amount": None}
    if subscription is None or subscription.contract.kind == ContractKind.VARIABLE:
        raise SolidarityRefused(
            _("Your prices vary with what you choose: give a percentage above them.")
        )
    reference = subscription.contract.plan.reference_price
    value = checked_euros(price)
    if value <= reference:
        raise SolidarityRefused(
            _("As a supporter you pay more than the reference price (%(price)s €).")
            % {"price": number_format(reference, 2)}
        )
    return {"supporter_percent": None, "supporter_amount": value - reference}


def _set_tier(request: TierRequest, now) -> None:
    """The approved request becomes the tier of its subscription, or the member's."""
    terms = {
        "tier": request.tier,
        "supporter_percent": request.supporter_percent,
        "supporter_amount": request.supporter_amount,
        "since": now,
    }
    if request.subscription_id is not None:
        SolidarityTier.objects.update_or_create(subscription=request.subscription, defaults=terms)
        # A season already planned is repriced at the new tier, unless the fund has settled
        # some of its baskets already (at the former price): then the tier waits for the
        # next season's plan.
        settled = FundEntry.objects.filter(
            subscription_id=request.subscription_id, delivery__isnull=False
        )
        if not settled.exists():
            reprice_season(request.subscription, now=now)
    else:
        MemberTier.objects.update_or_create(
            member=request.member, defaults={**terms, "fund": request.fund}
        )
        forget_member_prices()


def _withdraw_open(member, subscription, now) -> None:
    for request in TierRequest.objects.select_for_update().filter(
        member=member, subscription=subscription, state__in=OPEN_REQUEST_STATES
    ):
        request.state = RequestState.WITHDRAWN
        request.decided_at = now
        request.save(update_fields=["state", "decided_at"])


def _current_tier(member, subscription) -> str | None:
    if subscription is not None:
        rows = SolidarityTier.objects.filter(subscription=subscription)
    else:
        rows = MemberTier.objects.filter(member=member)
    return rows.values_list("tier", flat=True).first()


def _take_tier_away(member, subscription) -> None:
    if subscription is not None:
        SolidarityTier.objects.filter(subscription=subscription).delete()
    else:
        MemberTier.objects.filter(member=member).delete()
        forget_member_prices()


@transaction.atomic
def ask_for_tier(
    member,
    tier: str,
    *,
    subscription: Subscription | None = None,
    pickup_point: PickupPoint | None = None,
    declaration: str = "",
    supporter_percent=None,
    supporter_price=None,
    now=None,
) -> TierRequest | None:
    """The member's choice of tier on ``subscription`` (or, without one, for à la carte at
    ``pickup_point``). Returns the request (see ``request_outcome`` for what to tell the
    member), or None for the standard tier, which is set at once."""
    now = now or timezone.now()
    if not (member.is_authenticated and member.is_active):
        raise SolidarityRefused(_("Sign in to choose your solidarity tier."))
    if tier not in Tier.values:
        raise SolidarityRefused(_("Choose the reduced, standard or supporter tier."))
    if subscription is not None:
        subscription = (
            Subscription.objects.select_for_update(of=("self",))
            .select_related("contract__plan", "pickup_point")
            .get(pk=subscription.pk)
        )
    point = _place(member, subscription, pickup_point)
    if tier == Tier.STANDARD:
        _withdraw_open(member, subscription, now)
        _take_tier_away(member, subscription)
        return None
    fund = _fund_of(point)
    if TierRequest.objects.filter(
        member=member, subscription=subscription, state__in=OPEN_REQUEST_STATES
    ).exists():
        raise SolidarityRefused(_("You have already asked: your request is waiting for an answer."))
    request = TierRequest(
        member=member, subscription=subscription, fund=fund, tier=tier, created_at=now
    )
    if tier == Tier.REDUCED:
        if _current_tier(member, subscription) == Tier.REDUCED:
            raise SolidarityRefused(_("You are already on the reduced tier."))
        request.declaration = (declaration or "").strip()
        if not request.declaration:
            raise SolidarityRefused(_("Say in a few words why you ask for the reduced tier."))
        if len(request.declaration) > TierRequest._meta.get_field("declaration").max_length:
            raise SolidarityRefused(_("Your declaration is too long: a few words are enough."))
        if not fund.open_to_requests:
            request.state = RequestState.WAITING
        elif fund.trusts_declarations:
            request.state = RequestState.APPROVED
    else:
        for field, value in _supporter_terms(
            subscription, supporter_percent, supporter_price
        ).items():
            setattr(request, field, value)
        request.state = RequestState.APPROVED
    if request.state == RequestState.APPROVED:
        request.decided_at = now
    try:
        with transaction.atomic():
            request.save()
    except IntegrityError:
        raise SolidarityRefused(
            _("You have already asked: your request is waiting for an answer.")
        ) from None
    if request.state == RequestState.APPROVED:
        _set_tier(request, now)
    return request


def request_outcome(request: TierRequest | None) -> str:
    """What to tell the member who just chose a tier."""
    if request is None:
        return _("You pay the reference price.")
    if request.state == RequestState.APPROVED and request.tier == Tier.REDUCED:
        return _("You are on the reduced tier from now on.")
    if request.state == RequestState.APPROVED:
        return _("Thank you: you are on the supporter tier from now on.")
    if request.state == RequestState.WAITING:
        return _(
            "The solidarity fund is not taking new reduced-tier requests for now: yours is on "
            "its waiting list, and you will be told when it can be approved."
        )
    return _("Your request has been sent to the coordinators: you will be told their answer.")


def _decidable(user, request_id: int, now) -> TierRequest:
    request = (
        TierRequest.objects.select_for_update(of=("self",))
        .select_related("fund", "subscription", "member")
        .get(pk=request_id)
    )
    if not coordinates_fund(user, request.fund):
        raise SolidarityRefused(
            _("Only the coordinators of the fund's pickup points may decide its requests.")
        )
    if not request.is_open:
        raise SolidarityRefused(_("This request has already been answered."))
    return request


@transaction.atomic
def approve_request(user, request: TierRequest, *, now=None) -> TierRequest:
    """A coordinator approves a request: the member is on the tier from now on. A request on
    the waiting list waits while the fund is closed to new requests."""
    now = now or timezone.now()
    request = _decidable(user, request.pk, now)
    if request.state == RequestState.WAITING and not request.fund.open_to_requests:
        raise SolidarityRefused(
            _(
                "The fund is closed to new reduced-tier requests: this one stays on the waiting "
                "list until a review reopens it."
            )
        )
    request.state = RequestState.APPROVED
    request.decided_by = user
    request.decided_at = now
    request.save(update_fields=["state", "decided_by", "decided_at"])
    _set_tier(request, now)
    return request


@transaction.atomic
def refuse_request(user, request: TierRequest, *, answer: str = "", now=None) -> TierRequest:
    """A coordinator refuses a request, with a word for the member if they wish."""
    now = now or timezone.now()
    request = _decidable(user, request.pk, now)
    answer = (answer or "").strip()
    if len(answer) > TierRequest._meta.get_field("answer").max_length:
        raise SolidarityRefused(_("Your answer is too long."))
    request.state = RequestState.REFUSED
    request.decided_by = user
    request.decided_at = now
    request.answer = answer
    request.save(update_fields=["state", "decided_by", "decided_at", "answer"])
    return request


@transaction.atomic
def withdraw_request(member, request: TierRequest, *, now=None) -> TierRequest:
    """The member takes back a request not answered yet."""
    now = now or timezone.now()
    request = TierRequest.objects.select_for_update().get(pk=request.pk)
    if request.member_id != member.pk:
        raise SolidarityRefused(_("This request is not yours."))
    if not request.is_open:
        raise SolidarityRefused(_("This request has already been answered."))
    request.state = RequestState.WITHDRAWN
    request.decided_at = now
    request.save(update_fields=["state", "decided_at"])
    return request


def release_waiting_requests(fund: Fund, *, now) -> list[int]:
    """The fund takes requests again: its waiting list moves on, approved at once when the fund
    trusts declarations, otherwise to its coordinators. Runs in the caller's transaction (the
    review that reopened the fund). Returns the requests moved, oldest first."""
    waiting = list(
        TierRequest.objects.select_for_update(of=("self",))
        .filter(fund=fund, state=RequestState.WAITING)
        .select_related("member", "subscription", "fund")
        .order_by("created_at", "pk")
    )
    for request in waiting:
        if fund.trusts_declarations:
            request.state, request.decided_at = RequestState.APPROVED, now
            _set_tier(request, now)
        else:
            request.state = RequestState.PENDING
    TierRequest.objects.bulk_update(waiting, ["state", "decided_at"])
    return [request.pk for request in waiting]
