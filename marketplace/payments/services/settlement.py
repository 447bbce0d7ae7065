"""Money received against a subscription's instalments, whatever brought it (a cheque, cash, a
card charge, a debit): the instalments it settles, in order, and its "paid" ledger entry. The
callers hold the instalments' row locks, in their own transaction."""

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal

from marketplace.payments.models import (
    UNPAID_STATES,
    EntryKind,
    Instalment,
    InstalmentState,
    LedgerEntry,
)


def settle_instalments(
    instalments: Iterable[Instalment], amount: Decimal, *, now: datetime
) -> list[tuple[Instalment, Decimal]]:
    """Spreads ``amount`` over the instalments still unpaid, in the order given: each takes what
    it still needs, and is ``paid`` once paid in full (the last one touched may stay partly
    paid). Saves them; returns each instalment touched with the part it took."""
    left = amount
    parts = []
    for row in instalments:
        if left <= 0:
            break
        if row.state not in UNPAID_STATES or row.outstanding <= 0:
            continue
        part = min(left, row.outstanding)
        left -= part
        row.paid_amount += part
        if row.paid_amount == row.amount:
            row.state, row.paid_at, row.next_attempt_on = InstalmentState.PAID, now, None
        row.save(update_fields=["paid_amount", "state", "paid_at", "next_attempt_on"])
        parts.append((row, part))
    return parts


def paid_entry(
    *,
    now: datetime,
    amount: Decimal,
    method: str,
    member_id: int | None,
    producer_id: int,
    subscription_id: int | None = None,
    order_id: int | None = None,
    instalment: Instalment | None = None,
    manual_payment=None,
    reference: str = "",
    recorded_by=None,
) -> LedgerEntry:
    """The ledger entry of ``amount`` paid by a member (written negative: they owe that much
    less), not saved yet."""
    return LedgerEntry(
        created_at=now,
        kind=EntryKind.PAID,
        amount=-amount,
        method=method,
        member_id=member_id,
        producer_id=producer_id,
        subscription_id=subscription_id,
        order_id=order_id,
        instalment=instalment,
        manual_payment=manual_payment,
        reference=reference,
        recorded_by=recorded_by,
    )
