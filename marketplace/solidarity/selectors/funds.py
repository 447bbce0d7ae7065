"""A fund's place and figures: which fund a pickup point draws on, its balance at a date, and
its entries by kind over a period."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, Sum

from deliveries.network.models import PickupPoint
from marketplace.solidarity.models import Fund, FundEntry, FundEntryKind
from marketplace.solidarity.pricing import to_cent

ZERO = Decimal("0.00")


def fund_of_point(pickup_point: PickupPoint | int) -> Fund | None:
    """The fund the pickup point draws on, if any. One query."""
    point_id = getattr(pickup_point, "pk", pickup_point)
    return Fund.objects.filter(points__pickup_point_id=point_id).first()


def fund_balance(fund: Fund, on: date) -> Decimal:
    """The sum of the fund's entries dated up to ``on``, included. One query."""
    total = FundEntry.objects.filter(fund=fund, on__lte=on).aggregate(total=Sum("amount"))
    # Summed by SQLite in floating point: back to the cent.
    return to_cent(total["total"]) if total["total"] is not None else ZERO


@dataclass(frozen=True)
class KindTotal:
    kind: str
    count: int
    amount: Decimal

    @property
    def label(self):
        return FundEntryKind(self.kind).label


def entries_by_kind(fund: Fund, start: date, end: date) -> dict[str, KindTotal]:
    """Each kind's entries dated from ``start`` (included) to ``end`` (excluded): how many and
    their sum (signed, as in the ledger); every kind is there, even at zero. One query."""
    rows = (
        FundEntry.objects.filter(fund=fund, on__gte=start, on__lt=end)
        .values_list("kind")
        .annotate(count=Count("pk"), amount=Sum("amount"))
        .order_by()
    )
    found = {kind: (count, to_cent(amount)) for kind, count, amount in rows}
    return {
        kind.value: KindTotal(kind.value, *found.get(kind.value, (0, ZERO)))
        for kind in FundEntryKind
    }
