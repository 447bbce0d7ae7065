"""Reads of contribution rounds: the baskets each holder takes over the season, how much of a
round's budget the pledges cover (the gauge: figures only, never names), the rounds a member
may pledge in, the contracts a coordinator runs rounds for, and the prices covered rounds set."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from django.db.models import Prefetch, Q

from baskets.models import HOLDING_STATES, Contract, Subscription
from baskets.services.seasons import contract_delivery_dates
from deliveries.network.models import DayState, DistributionDay, PickupPoint
from marketplace.solidarity.models import ContributionRound, Pledge, PledgedPrice, RoundState

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def holding_subscriptions(contract: Contract, *, with_people: bool = False) -> list[Subscription]:
    """The contract's subscriptions whose households hold their place (active or paused)."""
    held = Subscription.objects.filter(contract=contract, state__in=HOLDING_STATES)
    if with_people:
        held = held.select_related("member", "co_holder")
    return list(held.order_by("pk"))


def holding_subscription(user, contract: Contract) -> Subscription | None:
    """The subscription to ``contract`` that ``user`` holds, alone or shared, if any."""
    if not (user.is_authenticated and user.is_active):
        return None
    held = Subscription.objects.filter(contract=contract, state__in=HOLDING_STATES).select_related(
        "contract__plan__producer", "pickup_point"
    )
    # Their own place before one shared with them.
    return held.filter(member=user).first() or held.filter(co_holder=user).first()


def season_baskets(contract: Contract, subscriptions) -> dict[int, int]:
    """The baskets each subscription takes over the contract's whole season, counted as
    payments counts the deliveries a subscription pays for
    (``payments.selectors.schedules.season_deliveries``) times its baskets per delivery; the
    dates worked out once per pickup point, not once per subscription."""
    by_point: dict[int, list[Subscription]] = defaultdict(list)
    for subscription in subscriptions:
        by_point[subscription.pickup_point_id].append(subscription)
    if not by_point:
        return {}
    points = PickupPoint.objects.in_bulk(list(by_point))
    missing: dict[int, set[date]] = defaultdict(set)
    for point_id, day in (
        DistributionDay.objects.filter(
            pickup_point_id__in=list(by_point),
            date__range=(contract.starts_on, contract.ends_on),
        )
        .filter(Q(state=DayState.CANCELLED) | Q(baskets_not_brought__contract=contract))
        .values_list("pickup_point_id", "date")
    ):
        missing[point_id].add(day)
    counts = {}
    for point_id, held in by_point.items():
        dates = [
            day
            for day in contract_delivery_dates(contract, points[point_id])
            if day not in missing[point_id]
        ]
        for subscription in held:
            days = sum(1 for day in dates if subscription.delivers_on(day))
            counts[subscription.pk] = days * subscription.quantity
    return counts


@dataclass(frozen=True)
class RoundFigures:
    """How far a round's pledges go: live while it is open, as its close counted them after."""

    budget: Decimal
    pledged: Decimal
    pledges: int
    season_baskets: int

    @property
    def shortfall(self) -> Decimal:
        return max(self.budget - self.pledged, ZERO)

    @property
    def is_covered(self) -> bool:
        return self.pledged >= self.budget

    @property
    def percent(self) -> int:
        """Whole percent of the budget covered, rounded down: 100 only once it is covered."""
        return int((self.pledged * 100 / self.budget).to_integral_value(rounding=ROUND_FLOOR))

    @property
    def gauge_value(self) -> Decimal:
        """What a gauge from 0 to the budget shows (it stops at the budget)."""
        return min(self.pledged, self.budget)

    @property
    def extra_per_basket(self) -> Decimal | None:
        """What each holder would add per basket, on average, for the pledges to cover the
        shortfall: rounded up to the cent, so that it is enough; None without baskets."""
        if not self.season_baskets:
            return None
        return (self.shortfall / self.season_baskets).quantize(CENT, rounding=ROUND_CEILING)


def pledges_of(contribution_round: ContributionRound) -> dict[int, Decimal]:
    """The round's pledges per subscription, those of households still holding their place."""
    return dict(
        Pledge.objects.filter(
            round=contribution_round, subscription__state__in=HOLDING_STATES
        ).values_list("subscription_id", "amount")
    )


def count_round(contribution_round: ContributionRound) -> RoundFigures:
    """The round's figures as they stand now: each pledge times its subscription's baskets of
    the season. A fixed number of queries per pickup point of the contract."""
    contract = contribution_round.contract
    holders = holding_subscriptions(contract)
    baskets = season_baskets(contract, holders)
    pledges = pledges_of(contribution_round)
    pledged = sum(
        (amount * baskets.get(pk, 0) for pk, amount in pledges.items()), start=ZERO
    ).quantize(CENT)
    return RoundFigures(
        budget=contribution_round.budget,
        pledged=pledged,
        pledges=len(pledges),
        season_baskets=sum(baskets.values()),
    )


def round_figures(contribution_round: ContributionRound) -> RoundFigures:
    """The gauge: live while the round is open, as its close counted them once it is closed."""
    if contribution_round.is_open:
        return count_round(contribution_round)
    return RoundFigures(
        budget=contribution_round.budget,
        pledged=contribution_round.pledged_total or ZERO,
        pledges=len(pledges_of(contribution_round)),
        season_baskets=contribution_round.season_baskets or 0,
    )


def rounds_to_pledge_in(user, now: datetime) -> list[tuple[ContributionRound, Decimal | None]]:
    """The rounds open for pledges on contracts ``user`` holds a place in, each with their
    current pledge (None before they pledge): for the member's basket page."""
    if not (user.is_authenticated and user.is_active):
        return []
    held = Subscription.objects.filter(state__in=HOLDING_STATES).filter(
        Q(member=user) | Q(co_holder=user)
    )
    rounds = list(
        ContributionRound.objects.filter(
            state=RoundState.OPEN,
            deadline__gt=now,
            contract__subscriptions__in=held,
        )
        .distinct()
        .select_related("contract__plan__producer")
        .order_by("deadline", "pk")
    )
    mine = dict(
        Pledge.objects.filter(round__in=rounds, subscription__in=held).values_list(
            "round_id", "amount"
        )
    )
    return [(contribution_round, mine.get(contribution_round.pk)) for contribution_round in rounds]


def contracts_with_rounds(user, today: date) -> list[Contract]:
    """The contracts whose rounds ``user`` may run (see ``access.coordinates_contract``), the
    seasons not over yet, each with its rounds (``contract.rounds``) in order."""
    if not (user.is_authenticated and user.is_active):
        return []
    contracts = Contract.objects.filter(ends_on__gte=today)
    if not user.is_staff:
        contracts = contracts.filter(
            Q(coordinators=user) | Q(pickup_points__coordinators=user)
        ).distinct()
    return list(
        contracts.select_related("plan__producer")
        .prefetch_related(
            Prefetch(
                "contribution_rounds",
                queryset=ContributionRound.objects.order_by("number"),
                to_attr="rounds",
            )
        )
        .order_by("starts_on", "name", "pk")
    )


def pledged_prices(subscription_ids) -> dict[int, Decimal]:
    """The price per basket covered rounds set for these subscriptions (those without one pay
    their plan's reference price): what payments' schedules are given to charge."""
    return dict(
        PledgedPrice.objects.filter(subscription_id__in=list(subscription_ids)).values_list(
            "subscription_id", "price"
        )
    )
