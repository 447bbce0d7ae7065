"""What an à la carte order owes each of its producers, in the ledger."""

from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from oscar.core.loading import get_model

from marketplace.payments.models import EntryKind, LedgerEntry

Line = get_model("order", "Line")
CANCELLED = "cancelled"


def _producers_of(lines) -> dict[int, Decimal]:
    """producer id -> what its lines come to (Oscar's line price, discounts taken off)."""
    amounts: dict[int, Decimal] = {}
    for line in lines:
        producer = getattr(line.partner, "producer", None) if line.partner_id else None
        if producer is None:  # a partner that is not one of our producers: nobody to pay
            continue
        amounts[producer.pk] = amounts.get(producer.pk, Decimal("0.00")) + line.line_price_incl_tax
    return amounts


@transaction.atomic
def record_order_due(order, *, now: datetime | None = None) -> list[LedgerEntry]:
    """When an order is placed: what it owes each of its producers, one "due" entry each (the
    lines still standing; collection at a pickup point costs nothing). Idempotent: a producer
    already recorded is not recorded again."""
    now = now or timezone.now()
    if order.status == CANCELLED:
        return []
    lines = order.lines.exclude(status=CANCELLED).select_related("partner__producer")
    recorded = set(
        LedgerEntry.objects.filter(order=order, kind=EntryKind.DUE).values_list(
            "producer_id", flat=True
        )
    )
    entries = [
        LedgerEntry(
            created_at=now,
            kind=EntryKind.DUE,
            amount=amount,
            member_id=order.user_id,
            producer_id=producer_id,
            order=order,
            reference=order.number,
        )
        for producer_id, amount in sorted(_producers_of(lines).items())
        if producer_id not in recorded and amount > 0
    ]
    return LedgerEntry.objects.bulk_create(entries)


def still_due(order, producer_id: int | None = None) -> dict[int, Decimal]:
    """producer id -> what the order still owes them once corrections are counted (not
    payments: a cancellation takes back what was due, a refund gives back what was paid)."""
    entries = LedgerEntry.objects.filter(
        order=order, kind__in=(EntryKind.DUE, EntryKind.CORRECTION)
    )
    if producer_id is not None:
        entries = entries.filter(producer_id=producer_id)
    due: dict[int, Decimal] = {}
    for producer, amount in entries.values_list("producer_id", "amount"):
        due[producer] = due.get(producer, Decimal("0.00")) + amount
    return due


def _correction(order, producer_id: int, amount: Decimal, reference: str, now) -> LedgerEntry:
    return LedgerEntry.objects.create(
        created_at=now,
        kind=EntryKind.CORRECTION,
        amount=-amount,
        member_id=order.user_id,
        producer_id=producer_id,
        order=order,
        reference=reference,
    )


@transaction.atomic
def take_back_cancelled_line(line, *, now: datetime | None = None) -> LedgerEntry | None:
    """An order line cancelled: what it owed its producer is no longer due (a correction), never
    more than the order still owes them. Once per line."""
    now = now or timezone.now()
    producer = getattr(line.partner, "producer", None) if line.partner_id else None
    reference = f"line:{line.pk}"
    if (
        producer is None
        or LedgerEntry.objects.filter(
            order_id=line.order_id, kind=EntryKind.CORRECTION, reference=reference
        ).exists()
    ):
        return None
    owed = still_due(line.order, producer.pk).get(producer.pk, Decimal("0.00"))
    amount = min(line.line_price_incl_tax, owed)
    if amount <= 0:
        return None
    return _correction(line.order, producer.pk, amount, reference, now)


@transaction.atomic
def take_back_cancelled_order(order, *, now: datetime | None = None) -> list[LedgerEntry]:
    """An order cancelled: nothing of it is due any more (what was paid is for a refund)."""
    now = now or timezone.now()
    return [
        _correction(order, producer_id, amount, f"order-cancelled:{order.number}", now)
        for producer_id, amount in sorted(still_due(order).items())
        if amount > 0
    ]
