"""Reads of solidarity: funds and their figures, tiers and requests, who may see what."""

from marketplace.solidarity.selectors.access import (
    coordinates_fund,
    coordinates_point,
    may_see_tier_of,
)
from marketplace.solidarity.selectors.funds import (
    KindTotal,
    entries_by_kind,
    fund_balance,
    fund_of_point,
)
from marketplace.solidarity.selectors.reviews import (
    announced_review,
    rate_in_force,
    review_period,
)
from marketplace.solidarity.selectors.tiers import (
    STANDARD,
    TierTerms,
    open_request,
    pending_requests_for,
    tier_of_member,
    tier_of_subscription,
    tiers_of_subscriptions,
)

__all__ = [
    "STANDARD",
    "KindTotal",
    "TierTerms",
    "announced_review",
    "coordinates_fund",
    "coordinates_point",
    "entries_by_kind",
    "fund_balance",
    "fund_of_point",
    "may_see_tier_of",
    "open_request",
    "pending_requests_for",
    "rate_in_force",
    "review_period",
    "tier_of_member",
    "tier_of_subscription",
    "tiers_of_subscriptions",
]
