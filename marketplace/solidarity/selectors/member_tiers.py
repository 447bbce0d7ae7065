"""A member's own tiers, as their solidarity pricing page shows them: each live subscription at a
pickup point drawing on a fund, with its tier, the fund's rate in force, the price per basket at
each tier, the request waiting for an answer and the last refusal; and their tier à la carte.

For the member themself only: nobody else but the fund's coordinators and staff sees a tier
(``access.may_see_tier_of``)."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from baskets.models import ContractKind, Subscription, SubscriptionState
from deliveries.network.models import PickupPoint
from marketplace.solidarity.models import (
    OPEN_REQUEST_STATES,
    Fund,
    FundPoint,
    MemberTier,
    RateReview,
    RequestState,
    Tier,
    TierRequest,
)
from marketplace.solidarity.pricing import member_price, price_for
from marketplace.solidarity.selectors.reviews import announced_review, rate_in_force
from marketplace.solidarity.selectors.tiers import STANDARD, TierTerms, tier_of_subscription

ENDED_STATES = (SubscriptionState.ENDED, SubscriptionState.CANCELLED)
ANSWERED_STATES = (RequestState.APPROVED, RequestState.REFUSED)


@dataclass(frozen=True)
class FundRate:
    """The fund's reduced rate in force today, and the next one if a review announced it."""

    rate: Decimal
    announced: RateReview | None


@dataclass
class Requests:
    """A subscription's (or à la carte's) requests: the one waiting for an answer, and the last
    answer when it was a refusal."""

    waiting: TierRequest | None = None
    refused: TierRequest | None = None


@dataclass
class SubscriptionTier:
    subscription: Subscription
    fund: Fund
    terms: TierTerms
    rate: FundRate
    requests: Requests

    @property
    def key(self) -> str:
        return str(self.subscription.pk)

    @property
    def reference(self) -> Decimal:
        return self.subscription.contract.plan.reference_price

    @property
    def is_variable(self) -> bool:
        return self.subscription.contract.kind == ContractKind.VARIABLE

    @property
    def price(self) -> Decimal:
        """What the member pays per basket at their tier."""
        return price_for(self.reference, self.terms, self.rate.rate)

    @property
    def reduced_price(self) -> Decimal:
        return member_price(self.reference, Tier.REDUCED, self.rate.rate)

    @property
    def fund_pays(self) -> Decimal:
        """What the fund adds per basket at the reduced tier, so the producer gets the reference."""
        return self.reference - self.reduced_price


@dataclass
class ALaCarteTier:
    fund: Fund
    terms: TierTerms
    rate: FundRate
    requests: Requests
    points: list[PickupPoint] = field(default_factory=list)

    key = "a-la-carte"


@dataclass
class MemberTiers:
    subscriptions: list[SubscriptionTier]
    a_la_carte: ALaCarteTier | None
    # Live subscriptions at points drawing on no fund: the reference price for everyone there.
    without_fund: list[Subscription]


def _fund_point(subscription: Subscription) -> FundPoint | None:
    try:
        return subscription.pickup_point.solidarity_fund_point
    except FundPoint.DoesNotExist:
        return None


def _requests_by_subscription(member) -> dict[int | None, Requests]:
    found: dict[int | None, Requests] = {}
    for request in TierRequest.objects.filter(member=member).order_by("created_at", "pk"):
        requests = found.setdefault(request.subscription_id, Requests())
        if request.state in OPEN_REQUEST_STATES:
            requests.waiting = request
        elif request.state in ANSWERED_STATES:
            requests.refused = request if request.state == RequestState.REFUSED else None
    return found


def member_tiers(member, today: date) -> MemberTiers:
    """Everything the member's tier page shows. Four queries, and two or three per fund."""
    subscriptions = list(
        Subscription.objects.filter(member=member)
        .exclude(state__in=ENDED_STATES)
        .select_related(
            "contract__plan__producer",
            "pickup_point__solidarity_fund_point__fund",
            "solidarity_tier",
        )
        .order_by("created_at", "pk")
    )
    requests = _requests_by_subscription(member)
    rates: dict[int, FundRate] = {}

    def rate_of(fund: Fund) -> FundRate:
        if fund.pk not in rates:
            rates[fund.pk] = FundRate(rate_in_force(fund, today), announced_review(fund, today))
        return rates[fund.pk]

    rows, without_fund, points = [], [], {}
    for subscription in subscriptions:
        fund_point = _fund_point(subscription)
        if fund_point is None:
            without_fund.append(subscription)
            continue
        points.setdefault(subscription.pickup_point.pk, subscription.pickup_point)
        rows.append(
            SubscriptionTier(
                subscription=subscription,
                fund=fund_point.fund,
                terms=tier_of_subscription(subscription),
                rate=rate_of(fund_point.fund),
                requests=requests.get(subscription.pk, Requests()),
            )
        )
    return MemberTiers(
        subscriptions=rows,
        a_la_carte=_a_la_carte(member, rows, list(points.values()), requests, rate_of),
        without_fund=without_fund,
    )


def _a_la_carte(member, rows, points, requests, rate_of) -> ALaCarteTier | None:
    """The member's tier à la carte: the fund of their tier, else of their waiting request,
    else of the first point where they hold a subscription; none without any of these."""
    choice = MemberTier.objects.select_related("fund").filter(member=member).first()
    mine = requests.get(None, Requests())
    if choice is not None:
        fund = choice.fund
    elif mine.waiting is not None:
        fund = next((row.fund for row in rows if row.fund.pk == mine.waiting.fund_id), None)
        fund = fund or Fund.objects.get(pk=mine.waiting.fund_id)
    elif rows:
        fund = rows[0].fund
    else:
        return None
    terms = STANDARD
    if choice is not None:
        terms = TierTerms(choice.tier, choice.supporter_percent, choice.supporter_amount)
    return ALaCarteTier(fund=fund, terms=terms, rate=rate_of(fund), requests=mine, points=points)
