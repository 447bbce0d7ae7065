"""What a fund is committed to over a period, as its rate review reads it: the reference prices
of the reduced-tier baskets it will pay part of, and what supporters give above the reference
price on theirs. À la carte is left out: nothing is committed there before members order.

A basket counts once per subscription and distribution day at the fund's pickup points, from
its ``BasketDelivery`` (its price is the reference price of all its baskets, what the producer
is paid) when the beat has made it, otherwise from its contract's calendar there (the days the
subscription holds, priced as ``payments.selectors.schedules.price_per_delivery`` prices them).
A basket skipped still counts (its season pays for it); one the producer could not bring, or
on a cancelled day, does not.

The queries do not grow with the number of subscriptions, contracts or pickup points.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from baskets.models import (
    HOLDING_STATES,
    BasketDelivery,
    BasketsNotBrought,
    ContractKind,
    DeliveryStatus,
    PlanFrequency,
    Subscription,
)
from baskets.services.choices import choice_total, choices_for, unit_prices
from deliveries.network.models import DayState, DistributionDay, PickupPoint
from deliveries.network.services import closures_by_point, plan_days
from marketplace.solidarity.models import FundPoint, Tier
from marketplace.solidarity.pricing import member_price

ZERO = Decimal("0.00")
TIERS = (Tier.REDUCED, Tier.SUPPORTER)
TIER_FIELDS = ("tier", "supporter_percent", "supporter_amount")


@dataclass(frozen=True)
class PeriodCommitments:
    reduced: Decimal = ZERO  # reference prices of the reduced-tier deliveries
    contributions: Decimal = ZERO  # what supporters give above the reference price
    reduced_deliveries: int = 0
    supporter_deliveries: int = 0
    planned: int = 0  # of these deliveries, those read from the calendars (not made yet)

    def as_json(self) -> dict:
        return {
            "reduced_deliveries": self.reduced_deliveries,
            "supporter_deliveries": self.supporter_deliveries,
            "deliveries_from_calendars": self.planned,
        }


class _Tally:
    def __init__(self):
        self.reduced, self.contributions = ZERO, ZERO
        self.counts = {Tier.REDUCED: 0, Tier.SUPPORTER: 0}
        self.planned = 0

    def add(self, price, quantity, tier, percent, amount, *, planned=False) -> None:
        self.counts[tier] += 1
        self.planned += planned
        if tier == Tier.REDUCED:
            self.reduced += price
        elif percent is not None:
            self.contributions += (
                member_price(price, Tier.SUPPORTER, ZERO, supporter_percent=percent) - price
            )
        else:
            self.contributions += amount * quantity

    def result(self) -> PeriodCommitments:
        return PeriodCommitments(
            self.reduced,
            self.contributions,
            self.counts[Tier.REDUCED],
            self.counts[Tier.SUPPORTER],
            self.planned,
        )


def period_commitments(fund, start: date, end: date) -> PeriodCommitments:
    """The fund's commitments for the days from ``start`` to ``end`` (excluded)."""
    point_ids = list(
        FundPoint.objects.filter(fund=fund).order_by().values_list("pickup_point_id", flat=True)
    )
    tally = _Tally()
    if point_ids:
        made = _count_made(tally, point_ids, start, end)
        _count_planned(tally, point_ids, start, end, made)
    return tally.result()


def _count_made(tally: _Tally, point_ids, start: date, end: date) -> set[tuple[int, date]]:
    """Count the deliveries already made; return every (subscription, date) made, counted or
    not. One query."""
    tier = "subscription__solidarity_tier__"
    rows = BasketDelivery.objects.filter(
        distribution_day__pickup_point_id__in=point_ids,
        distribution_day__date__gte=start,
        distribution_day__date__lt=end,
        **{f"{tier}tier__in": TIERS},
    ).values_list(
        "subscription_id",
        "distribution_day__date",
        "distribution_day__state",
        "status",
        "price",
        "quantity",
        *(tier + name for name in TIER_FIELDS),
    )
    made = set()
    for subscription_id, day, state, status, price, quantity, *terms in rows:
        made.add((subscription_id, day))
        if status != DeliveryStatus.NOT_BROUGHT and state != DayState.CANCELLED:
            tally.add(price, quantity, *terms)
    return made


def _count_planned(tally: _Tally, point_ids, start: date, end: date, made) -> None:
    """Count the deliveries of the period not made yet, from the contracts' calendars: holding
    subscriptions on a tier, their days without a delivery made. At most eight queries."""
    subscriptions = list(
        Subscription.objects.filter(
            pickup_point_id__in=point_ids,
            state__in=HOLDING_STATES,
            contract__starts_on__lt=end,
            contract__ends_on__gte=start,
            solidarity_tier__tier__in=TIERS,
        ).values_list(
            "pk",
            "contract_id",
            "pickup_point_id",
            "quantity",
            "first_delivery_on",
            "last_delivery_on",
            "contract__starts_on",
            "contract__ends_on",
            "contract__kind",
            "contract__plan__frequency",
            "contract__plan__reference_price",
            *("solidarity_tier__" + name for name in TIER_FIELDS),
        )
    )
    if not subscriptions:
        return
    calendar = _Calendar({row[2] for row in subscriptions}, start, end, subscriptions)
    variable = [row[0] for row in subscriptions if row[8] == ContractKind.VARIABLE]
    usual = choices_for(variable, []) if variable else {}
    prices = unit_prices({p for chosen in usual.values() for p in chosen}) if usual else {}
    for row in subscriptions:
        pk, contract_id, point_id, quantity, first, last = row[:6]
        starts_on, ends_on, kind, frequency, reference = row[6:11]
        for day in calendar.dates(contract_id, point_id, starts_on, ends_on, frequency):
            if (pk, day) in made or calendar.is_missing(point_id, day, contract_id):
                continue
            if (first and day < first) or (last and day > last):
                continue
            unit = reference
            if kind == ContractKind.VARIABLE:
                unit = choice_total(usual[pk, None], prices) if (pk, None) in usual else reference
            tally.add(unit * quantity, quantity, *row[11:], planned=True)


class _Calendar:
    """The fund's points' distribution dates over the period, as the contracts' seasons have
    them (``baskets.services.seasons.contract_delivery_dates``), read in four queries for every
    point and contract at once."""

    def __init__(self, point_ids, start: date, end: date, subscriptions):
        self.start, self.last = start, end - timedelta(days=1)
        self.points = {
            point.pk: point
            for point in PickupPoint.objects.filter(pk__in=point_ids).prefetch_related("schedules")
        }
        # Every other day is counted from the season's start: read the closures from there.
        first = min([start, *(row[6] for row in subscriptions)])
        self.closures = closures_by_point(list(self.points.values()), first, self.last)
        self.cancelled = set(
            DistributionDay.objects.filter(
                pickup_point_id__in=point_ids,
                date__range=(start, self.last),
                state=DayState.CANCELLED,
            ).values_list("pickup_point_id", "date")
        )
        self.not_brought = set(
            BasketsNotBrought.objects.filter(
                distribution_day__pickup_point_id__in=point_ids,
                distribution_day__date__range=(start, self.last),
            ).values_list(
                "distribution_day__pickup_point_id", "distribution_day__date", "contract_id"
            )
        )
        self._dates: dict[tuple[int, int], list[date]] = {}

    def dates(self, contract_id, point_id, starts_on, ends_on, frequency) -> list[date]:
        key = (contract_id, point_id)
        if key not in self._dates:
            self._dates[key] = self._season_dates(point_id, starts_on, ends_on, frequency)
        return self._dates[key]

    def is_missing(self, point_id, day: date, contract_id) -> bool:
        return (point_id, day) in self.cancelled or (point_id, day, contract_id) in self.not_brought

    def _season_dates(self, point_id, starts_on, ends_on, frequency) -> list[date]:
        every_other = frequency == PlanFrequency.EVERY_OTHER_DAY
        first = starts_on if every_other else max(self.start, starts_on)
        last = min(self.last, ends_on)
        if first > last:
            return []
        point = self.points[point_id]
        planned = plan_days(point, self.closures[point_id], first, last)
        dates = sorted(day for day, plan in planned.items() if not plan.closure_reason)
        if every_other:
            dates = dates[::2]
        return [day for day in dates if day >= self.start]
