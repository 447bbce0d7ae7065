"""The fund's part of each basket delivered, settled once.

A member on the reduced or the supporter tier pays their own price (their schedule was made at
it: ``member_prices``); the producer is owed the reference price for every basket they bring.
Each night, for every basket brought to a distribution that has begun (not cancelled) at a
fund's pickup points, the difference is written twice, once each:

- in the payments ledger, kind "solidarity" (the producer's statement counts it as received
  from the fund, or as a supporter's part passed on to it), dated when the distribution began;
- in the fund's ledger, a reduction (the fund paid it) or a contribution (a supporter gave it),
  linked to the delivery and to its twin entry, so that the two ledgers reconcile to the cent.

The fund's part of a delivery is its reference price less what the member's schedule charges
per delivery (its total over its deliveries). Fixed contracts only: in a variable contract a
member pays what they chose. Subscriptions priced by a contribution round are the round's
business, not the fund's. A basket skipped, not brought, or whose holder has not chosen how
to pay yet waits: it is settled the night after its schedule exists.

À la carte, the same for the lines a member bought at their tier's price on the fund's staples
(``SolidarityLine``), once the order's distribution has begun (not cancelled): one reduction
(or a supporter's contribution) per order and producer, for their lines still standing.

Idempotent: a delivery or an order settled is never settled again (a unique entry per delivery
and kind, per order and producer), and each fund's settlement runs in one transaction holding
the fund's row.
"""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from baskets.models import BROUGHT_STATUSES, BasketDelivery, ContractKind
from deliveries.network.models import DayState
from marketplace.payments.models import EntryKind, LedgerEntry, PaymentMethod
from marketplace.solidarity.models import Fund, FundEntry, FundEntryKind, SolidarityLine

SETTLED_KINDS = (FundEntryKind.REDUCTION, FundEntryKind.CONTRIBUTION)
CANCELLED = "cancelled"  # an order's or an order line's status
CENT = Decimal("0.01")


def settle_fund_deliveries(*, now: datetime | None = None) -> int:
    """Settle every fund's deliveries not settled yet; returns how many were settled."""
    now = now or timezone.now()
    return sum(
        settle_fund(fund_id, now=now) for fund_id in Fund.objects.values_list("pk", flat=True)
    )


def to_settle(fund: Fund, now: datetime):
    """The fund's deliveries brought by ``now`` whose member's price differs from the reference
    price and that are not settled yet, with the fields the settlement writes."""
    return (
        BasketDelivery.objects.filter(
            distribution_day__pickup_point__solidarity_fund_point__fund=fund,
            distribution_day__starts_at__lte=now,
            status__in=BROUGHT_STATUSES,
            subscription__contract__kind=ContractKind.FIXED,
            subscription__payment__isnull=False,
            subscription__pledged_price__isnull=True,
        )
        .exclude(distribution_day__state=DayState.CANCELLED)
        .exclude(
            pk__in=FundEntry.objects.filter(delivery__isnull=False, kind__in=SETTLED_KINDS).values(
                "delivery_id"
            )
        )
        .annotate(reference_total=F("price") * F("subscription__payment__deliveries"))
        .exclude(subscription__payment__total=F("reference_total"))
        .values_list(
            "pk",
            "price",
            "subscription_id",
            "subscription__member_id",
            "subscription__contract__plan__producer_id",
            "subscription__payment__total",
            "subscription__payment__deliveries",
            "distribution_day__date",
            "distribution_day__starts_at",
        )
        .order_by("distribution_day__starts_at", "pk")
    )


@dataclass(frozen=True)
class FundPart:
    """The fund's part of a basket delivered, or of an order's lines of one producer: above
    zero, what the fund pays the producer; below, a supporter's part passed on to the fund."""

    amount: Decimal
    producer_id: int
    member_id: int | None
    on: date  # the distribution's date
    began: datetime  # when the distribution began: the payments ledger's entry is dated then
    subscription_id: int | None = None
    delivery_id: int | None = None
    order_id: int | None = None


@transaction.atomic
def settle_fund(fund_id: int, *, now: datetime | None = None) -> int:
    now = now or timezone.now()
    fund = Fund.objects.select_for_update().get(pk=fund_id)
    parts = [
        FundPart(
            price - (total / deliveries).quantize(CENT),
            producer,
            member,
            day,
            began,
            subscription_id=subscription,
            delivery_id=pk,
        )
        for pk, price, subscription, member, producer, total, deliveries, day, began in to_settle(
            fund, now
        )
    ]
    parts += [
        FundPart(amount, producer, member, day, began, order_id=order)
        for (order, producer), (member, day, began, amount) in sorted(
            orders_to_settle(fund, now).items()
        )
    ]
    return _write(fund, [part for part in parts if part.amount], now)


def _write(fund: Fund, parts: list[FundPart], now: datetime) -> int:
    """Each part twice: in the payments ledger, and in the fund's, linked to its twin."""
    if not parts:
        return 0
    entries = [
        LedgerEntry(
            created_at=part.began,
            kind=EntryKind.SOLIDARITY,
            method=PaymentMethod.SOLIDARITY,
            amount=part.amount,
            producer_id=part.producer_id,
            subscription_id=part.subscription_id,
            order_id=part.order_id,
        )
        for part in parts
    ]
    if connection.features.can_return_rows_from_bulk_insert:
        LedgerEntry.objects.bulk_create(entries)  # each gets the id its twin links to
    else:
        for entry in entries:
            entry.save()
    FundEntry.objects.bulk_create(
        FundEntry(
            fund=fund,
            kind=FundEntryKind.REDUCTION if part.amount > 0 else FundEntryKind.CONTRIBUTION,
            amount=-part.amount,
            on=part.on,
            created_at=now,
            subscription_id=part.subscription_id,
            delivery_id=part.delivery_id,
            order_id=part.order_id,
            member_id=part.member_id,
            producer_id=part.producer_id,
            ledger_entry=entry,
        )
        for part, entry in zip(parts, entries, strict=True)
    )
    return len(parts)


def orders_to_settle(fund: Fund, now: datetime) -> dict[tuple[int, int], list]:
    """The fund's order lines at a tier's price still standing whose distribution has begun by
    ``now``, not settled yet: per (order, producer), the order's member, the distribution's
    start and the fund's part (below zero: a supporter's)."""
    settled = FundEntry.objects.filter(
        fund=fund, kind__in=SETTLED_KINDS, delivery__isnull=True, order__isnull=False
    ).values_list("order_id", "producer_id")
    done = set(settled)
    day = "line__order__pickup__distribution_day__"
    rows = (
        SolidarityLine.objects.filter(fund=fund, **{f"{day}starts_at__lte": now})
        .exclude(line__status=CANCELLED)
        .exclude(line__order__status=CANCELLED)
        .exclude(**{f"{day}state": DayState.CANCELLED})
        .values_list(
            "line__order_id",
            "line__partner__producer__id",
            "line__order__user_id",
            f"{day}date",
            f"{day}starts_at",
            "reference_unit_price",
            "member_unit_price",
            "line__quantity",
        )
    )
    found: dict[tuple[int, int], list] = {}
    for order, producer, member, day_of, began, reference, paid, quantity in rows:
        if (order, producer) in done:
            continue
        group = found.setdefault((order, producer), [member, day_of, began, Decimal("0.00")])
        group[3] += (reference - paid) * quantity
    return found
