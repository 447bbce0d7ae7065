"""A fund as its coordinators' pages read it: the funds a person coordinates with their figures
of the day, the balance day by day over a stretch of time, the latest entries and the rate
reviews. Every read here takes a fixed number of queries, however long the ledger."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import DecimalField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from marketplace.solidarity.models import Fund, FundEntry, RateReview
from marketplace.solidarity.pricing import to_cent
from marketplace.solidarity.selectors.reviews import within_bounds

ZERO = Decimal("0.00")
MONEY = DecimalField(max_digits=12, decimal_places=2)


def _is_active(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def coordinated_funds(user, today: date) -> list[Fund]:
    """The funds whose pickup points ``user`` coordinates (every fund for staff), each with
    ``balance`` (its entries dated up to ``today``) and ``rate_today`` (the reduced rate in
    force on ``today``, as ``reviews.rate_in_force`` reads it). One query."""
    if not _is_active(user):
        return []
    funds = Fund.objects.all()
    if not user.is_staff:
        funds = funds.filter(points__pickup_point__coordinators=user).distinct()
    reviews = RateReview.objects.filter(fund=OuterRef("pk"))
    balance = (
        FundEntry.objects.filter(fund=OuterRef("pk"), on__lte=today)
        .order_by()
        .values("fund")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    funds = funds.annotate(
        balance=Coalesce(Subquery(balance, output_field=MONEY), Value(ZERO), output_field=MONEY),
        rate_applied=Subquery(
            reviews.filter(applies_from__lte=today)
            .order_by("-applies_from", "-period_start")
            .values("rate_after")[:1]
        ),
        rate_before_reviews=Subquery(
            reviews.order_by("applies_from", "period_start").values("rate_before")[:1]
        ),
    ).order_by("name", "pk")
    found = list(funds)
    for fund in found:
        rate = fund.rate_applied if fund.rate_applied is not None else fund.rate_before_reviews
        fund.balance = to_cent(fund.balance)
        fund.rate_today = within_bounds(fund, fund.rate if rate is None else rate)
    return found


@dataclass(frozen=True)
class BalancePoint:
    on: date
    balance: Decimal
    moved: Decimal  # what the day's entries changed (0 for the first and the last point)


def balance_history(fund: Fund, start: date, end: date) -> list[BalancePoint]:
    """The fund's balance at ``start`` (entries dated before it), then after each day with
    entries from ``start`` to ``end`` included, then at ``end``: a step line's corners. Two
    queries: the opening sum, and the days' sums in date order added up here."""
    opening = FundEntry.objects.filter(fund=fund, on__lt=start).aggregate(total=Sum("amount"))
    balance = to_cent(opening["total"]) if opening["total"] is not None else ZERO
    days = (
        FundEntry.objects.filter(fund=fund, on__gte=start, on__lte=end)
        .order_by("on")
        .values_list("on")
        .annotate(moved=Sum("amount"))
    )
    points = [BalancePoint(start, balance, ZERO)]
    for on, moved in days:
        moved = to_cent(moved)  # summed by SQLite in floating point
        balance += moved
        if on == start:
            points[0] = BalancePoint(on, balance, moved)
        else:
            points.append(BalancePoint(on, balance, moved))
    if points[-1].on != end:
        points.append(BalancePoint(end, balance, ZERO))
    return points


def recent_entries(fund: Fund, limit: int = 30) -> list[FundEntry]:
    """The fund's latest entries, newest first, with the member and producer they name."""
    return list(
        FundEntry.objects.filter(fund=fund)
        .select_related("member", "producer")
        .order_by("-on", "-created_at", "-pk")[:limit]
    )


def latest_reviews(fund: Fund, limit: int = 20) -> tuple[list[RateReview], int]:
    """The fund's latest rate reviews, newest period first, and how many there are in all. Two
    queries."""
    reviews = RateReview.objects.filter(fund=fund).order_by("-period_start", "-pk")
    return list(reviews[:limit]), reviews.count()


def pickup_point_names(fund: Fund) -> list[str]:
    """The names of the pickup points drawing on the fund. One query."""
    return list(
        fund.points.order_by("pickup_point__name").values_list("pickup_point__name", flat=True)
    )
