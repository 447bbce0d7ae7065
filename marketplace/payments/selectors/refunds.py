"""What a subscription has to give back, and how: the part its member paid by card or SEPA
debit goes back through Stripe (services/online_refunds.py), the rest by hand
(services/refunds.py); and the refunds members and coordinators see."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import Count, F, Q, Sum

from marketplace.payments.gateway import stripe_enabled
from marketplace.payments.models import (
    ONLINE_METHODS,
    Charge,
    ChargeRefund,
    ChargeRefundState,
    ChargeState,
    EntryKind,
    LedgerEntry,
    PaymentMethod,
)
from marketplace.payments.selectors.accounts import Account, subscription_account

ZERO = Decimal("0.00")
TAKEN_BACK_STATES = (ChargeRefundState.PENDING, ChargeRefundState.REFUNDED)


@dataclass(frozen=True)
class RefundableCharge:
    charge: Charge
    left: Decimal  # what can still be refunded from it


def refundable_charges(subscription_id: int) -> list[RefundableCharge]:
    """The subscription's charges that paid, newest first, each with what it can still give
    back: its amount less its refunds under way or done. A charge Stripe refused a refund of is
    left out: a person looks at it, and its money is given back by hand. One query."""
    charges = (
        Charge.objects.filter(
            instalment__payment__subscription_id=subscription_id, state=ChargeState.SUCCEEDED
        )
        .exclude(payment_intent_id="")
        .annotate(
            taken_back=Sum("refunds__amount", filter=Q(refunds__state__in=TAKEN_BACK_STATES)),
            refused=Count("refunds", filter=Q(refunds__state=ChargeRefundState.FAILED)),
        )
        .order_by(F("finished_at").desc(nulls_last=True), "-pk")
    )
    return [
        RefundableCharge(charge, charge.amount - (charge.taken_back or ZERO))
        for charge in charges
        if not charge.refused and charge.amount > (charge.taken_back or ZERO)
    ]


def pending_refunds(subscription_id: int) -> list[ChargeRefund]:
    """The subscription's refunds sent to Stripe whose answer is not known yet. One query."""
    return list(
        ChargeRefund.objects.filter(
            charge__instalment__payment__subscription_id=subscription_id,
            state=ChargeRefundState.PENDING,
        )
        .select_related("charge")
        .order_by("created_at", "pk")
    )


@dataclass(frozen=True)
class RefundSplit:
    """What is to give back to a member: ``online`` through Stripe (under way, or to be made by
    the next run), ``by_hand`` by the coordinators."""

    online: Decimal = ZERO
    by_hand: Decimal = ZERO


def refund_split(subscription, account: Account | None = None) -> RefundSplit:
    """Splits what the subscription's account has to give back (refunds under way are not in
    the ledger yet: they are part of it). Up to three queries."""
    account = account or subscription_account(subscription)
    to_give_back = account.to_give_back
    if to_give_back <= 0:
        return RefundSplit()
    under_way = sum((refund.amount for refund in pending_refunds(subscription.pk)), ZERO)
    if stripe_enabled():
        under_way += sum((row.left for row in refundable_charges(subscription.pk)), ZERO)
    online = min(to_give_back, under_way)
    return RefundSplit(online=online, by_hand=to_give_back - online)


@dataclass(frozen=True)
class RefundLine:
    """A refund as the member's and the coordinators' pages list it."""

    at: datetime
    amount: Decimal
    method: str
    is_pending: bool = False

    @property
    def is_online(self) -> bool:
        return self.method in ONLINE_METHODS

    @property
    def method_label(self) -> str:
        return PaymentMethod(self.method).label if self.method in PaymentMethod.values else ""


def refunds_by_subscription(subscription_ids) -> dict[int, list[RefundLine]]:
    """Each subscription's refunds, latest first: those written in the ledger (by Stripe or by
    hand), and those under way on Stripe. Two queries."""
    refunds: dict[int, list[RefundLine]] = defaultdict(list)
    subscription_ids = list(subscription_ids)
    for subscription_id, at, amount, method in LedgerEntry.objects.filter(
        subscription_id__in=subscription_ids, kind=EntryKind.REFUNDED
    ).values_list("subscription_id", "created_at", "amount", "method"):
        refunds[subscription_id].append(RefundLine(at, amount, method))
    for subscription_id, at, amount, method in ChargeRefund.objects.filter(
        charge__instalment__payment__subscription_id__in=subscription_ids,
        state=ChargeRefundState.PENDING,
    ).values_list(
        "charge__instalment__payment__subscription_id",
        "created_at",
        "amount",
        "charge__method_type",
    ):
        refunds[subscription_id].append(RefundLine(at, amount, method, is_pending=True))
    for lines in refunds.values():
        lines.sort(key=lambda line: line.at, reverse=True)
    return dict(refunds)
