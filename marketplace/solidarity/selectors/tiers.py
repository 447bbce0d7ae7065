"""Members' tiers and the requests coordinators have to decide. Show these only to whoever
``access.may_see_tier_of`` allows: never on pickup lists, sign-off sheets or to producers."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, QuerySet

from baskets.models import Subscription
from marketplace.solidarity.models import (
    OPEN_REQUEST_STATES,
    MemberTier,
    SolidarityTier,
    Tier,
    TierRequest,
)


@dataclass(frozen=True)
class TierTerms:
    """A tier as a price needs it (``pricing.price_for``); the standard tier when nothing was
    chosen."""

    tier: str = Tier.STANDARD
    supporter_percent: Decimal | None = None
    supporter_amount: Decimal | None = None

    @property
    def label(self):
        return Tier(self.tier).label


STANDARD = TierTerms()


def _terms(choice) -> TierTerms:
    if choice is None:
        return STANDARD
    return TierTerms(choice.tier, choice.supporter_percent, choice.supporter_amount)


def tier_of_subscription(subscription: Subscription) -> TierTerms:
    """One query, none when ``solidarity_tier`` was selected with the subscription."""
    try:
        return _terms(subscription.solidarity_tier)
    except SolidarityTier.DoesNotExist:
        return STANDARD


def tiers_of_subscriptions(subscription_ids) -> dict[int, TierTerms]:
    """The tiers of many subscriptions, those on the standard tier left out. One query."""
    return {
        row.subscription_id: _terms(row)
        for row in SolidarityTier.objects.filter(subscription_id__in=list(subscription_ids))
    }


def tier_of_member(member) -> TierTerms:
    """The member's tier for à la carte. One query."""
    return _terms(MemberTier.objects.filter(member=member).first())


def pending_requests_for(user) -> QuerySet[TierRequest]:
    """The requests waiting for a decision (pending, or on a waiting list) in the funds whose
    pickup points ``user`` coordinates; every fund's for staff. Oldest first, with what a list
    shows."""
    requests = TierRequest.objects.filter(state__in=OPEN_REQUEST_STATES).select_related(
        "member", "fund", "subscription__contract__plan", "subscription__pickup_point"
    )
    if not (user.is_authenticated and user.is_active):
        return requests.none()
    if not user.is_staff:
        requests = requests.filter(Q(fund__points__pickup_point__coordinators=user)).distinct()
    return requests.order_by("created_at", "pk")


def open_request(member, subscription: Subscription | None) -> TierRequest | None:
    """The member's request still waiting for a decision, on ``subscription`` (or à la carte)."""
    return TierRequest.objects.filter(
        member=member, subscription=subscription, state__in=OPEN_REQUEST_STATES
    ).first()
