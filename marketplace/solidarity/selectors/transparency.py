"""A fund's public figures (its transparency page): what came in, what went out, how many
baskets it made affordable and for how many households, over the last 12 months.

The last 12 months are the 12 calendar months ending with today's, from the first of the
month eleven months back to today included: the page's monthly table and its totals cover the
same days. Only aggregates leave this module: no member, no amount per person, no subscription.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Case, Count, DecimalField, Q, Sum, Value, When
from django.db.models.functions import Coalesce, TruncMonth

from marketplace.solidarity.models import INCOME_KINDS, Fund, FundEntry, FundEntryKind
from marketplace.solidarity.pricing import to_cent
from marketplace.solidarity.selectors.funds import ZERO, entries_by_kind, fund_balance
from marketplace.solidarity.selectors.reviews import rate_in_force

MONTHS = 12


@dataclass(frozen=True)
class MonthFigures:
    month: date  # its first day
    money_in: Decimal  # contributions, donations and grants
    money_out: Decimal  # reductions paid out, as a positive amount
    net: Decimal  # everything, corrections included: how much the balance moved


@dataclass(frozen=True)
class FundTransparency:
    fund: Fund
    start: date
    today: date
    baskets_made_affordable: int
    households_helped: int
    contributions: Decimal
    donations: Decimal
    grants: Decimal
    reductions: Decimal  # paid out, as a positive amount
    corrections: Decimal  # signed
    balance: Decimal
    rate: Decimal
    reserve: Decimal
    pickup_points: tuple[str, ...]
    months: tuple[MonthFigures, ...]

    @property
    def donations_and_grants(self) -> Decimal:
        return self.donations + self.grants

    @property
    def pickup_point_count(self) -> int:
        return len(self.pickup_points)


def first_of_month(day: date, months_back: int = 0) -> date:
    index = day.year * 12 + day.month - 1 - months_back
    return date(index // 12, index % 12 + 1, 1)


def window_start(today: date) -> date:
    """The first day of the last 12 months (see the module's docstring)."""
    return first_of_month(today, MONTHS - 1)


def _money(expression) -> Coalesce:
    return Coalesce(Sum(expression), Value(ZERO), output_field=DecimalField())


def _reductions_of_baskets(fund: Fund, start: date, end: date) -> tuple[int, int]:
    """Baskets made affordable (each reduced delivery's quantity) and the households helped
    (distinct subscriptions): one query."""
    totals = FundEntry.objects.filter(
        fund=fund,
        kind=FundEntryKind.REDUCTION,
        delivery__isnull=False,
        on__gte=start,
        on__lt=end,
    ).aggregate(
        baskets=Coalesce(Sum("delivery__quantity"), 0),
        households=Count("subscription", distinct=True),
    )
    return totals["baskets"], totals["households"]


def _months(fund: Fund, start: date, end: date, today: date) -> tuple[MonthFigures, ...]:
    """Each of the last 12 months' money in, out and net, every month there, even at zero:
    one query."""
    rows = (
        FundEntry.objects.filter(fund=fund, on__gte=start, on__lt=end)
        .annotate(month=TruncMonth("on"))
        .values("month")
        .annotate(
            money_in=_money(Case(When(kind__in=INCOME_KINDS, then="amount"))),
            money_out=_money(Case(When(Q(kind=FundEntryKind.REDUCTION), then="amount"))),
            net=_money("amount"),
        )
        .order_by()
    )
    found = {
        (row["month"].year, row["month"].month): (
            to_cent(row["money_in"]),  # summed by SQLite in floating point
            ZERO - to_cent(row["money_out"]),
            to_cent(row["net"]),
        )
        for row in rows
    }
    months = (first_of_month(today, back) for back in range(MONTHS - 1, -1, -1))
    return tuple(
        MonthFigures(month, *found.get((month.year, month.month), (ZERO, ZERO, ZERO)))
        for month in months
    )


def fund_transparency(fund: Fund, today: date) -> FundTransparency:
    """The fund's public figures over the last 12 months up to ``today``, with its balance,
    rate in force and reserve today. Seven queries at most, whatever the number of entries."""
    start, end = window_start(today), today + timedelta(days=1)
    kinds = entries_by_kind(fund, start, end)
    baskets, households = _reductions_of_baskets(fund, start, end)
    points = tuple(
        fund.points.filter(pickup_point__is_active=True)
        .order_by("pickup_point__name")
        .values_list("pickup_point__name", flat=True)
    )
    return FundTransparency(
        fund=fund,
        start=start,
        today=today,
        baskets_made_affordable=baskets,
        households_helped=households,
        contributions=kinds[FundEntryKind.CONTRIBUTION].amount,
        donations=kinds[FundEntryKind.DONATION].amount,
        grants=kinds[FundEntryKind.GRANT].amount,
        reductions=ZERO - kinds[FundEntryKind.REDUCTION].amount,
        corrections=kinds[FundEntryKind.CORRECTION].amount,
        balance=fund_balance(fund, today),
        rate=rate_in_force(fund, today),
        reserve=fund.reserve,
        pickup_points=points,
        months=_months(fund, start, end, today),
    )
