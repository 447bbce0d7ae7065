"""Money to give back, refunded through Stripe to the card or bank account it came from.

When a subscription's dues go below what its member paid (a day cancelled, baskets not brought,
a commitment ended early: services/adjustments.py), the part paid by card or SEPA debit goes
back automatically, from the newest charges first, never more from a charge than it took less
what was refunded from it already; the rest stays to give back by hand (services/refunds.py).

As for charges (services/charges.py), each refund goes through three steps, so that whatever
stops a run, nobody is refunded twice:

1. one transaction locks the subscription, writes a pending ``ChargeRefund`` per charge to
   refund from, with a deterministic idempotency key (``refund-charge-<id>-<n>``), and commits;
   while a refund is pending, no new one is written for the subscription;
2. Stripe is called outside any transaction, with that key: sent again, it gets the same refund;
3. one transaction records Stripe's answer: a "refunded" ledger entry (card or sepa_debit),
   once; a refusal leaves the money to give back by hand. Stripe unreachable: the refund stays
   pending and the next run (after the adjustment's commit, hourly, nightly) sends it again.

Without Stripe keys there is nothing online to refund: nothing happens.
"""

import logging
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from baskets.models import Subscription
from marketplace.core.tasks import queue_on_commit
from marketplace.payments import gateway
from marketplace.payments.models import (
    MEMBER_BALANCE_KINDS,
    ChargeRefund,
    ChargeRefundState,
    ChargeState,
    EntryKind,
    LedgerEntry,
    SubscriptionPayment,
)
from marketplace.payments.selectors.accounts import subscription_account
from marketplace.payments.selectors.refunds import pending_refunds, refundable_charges

logger = logging.getLogger(__name__)

REFUND_TASK = "marketplace.payments.tasks.refund_online_payments"
# A pending refund younger than this may be in a worker's hands right now: left alone.
IN_FLIGHT = timedelta(minutes=10)
# Stripe keeps an idempotency key at least 24 hours: a refund pending for longer is not sent
# again blindly (Stripe may have forgotten the key and made the refund): a person checks.
KEY_KEPT = timedelta(hours=23)
# Seasons over for longer are settled (as for the dues: services/adjustments.py).
SETTLED_AFTER = timedelta(days=31)
# Stripe's answers that mean the refund is made (a card refund may take days to land).
MADE = ("succeeded", "pending", "requires_action")


@dataclass
class RefundRun:
    refunded: int = 0
    amount: Decimal = Decimal("0.00")
    refused: int = 0
    unavailable: int = 0

    def __iadd__(self, other: "RefundRun") -> "RefundRun":
        for field in fields(self):
            setattr(self, field.name, getattr(self, field.name) + getattr(other, field.name))
        return self


def split_over_charges(
    amount: Decimal, lefts: list[tuple[int, Decimal]]
) -> list[tuple[int, Decimal]]:
    """``amount`` taken from ``(charge id, what it can still give back)``, in that order: each
    charge gives what it can until the amount is reached."""
    parts = []
    for charge_id, left in lefts:
        if amount <= 0:
            break
        part = min(amount, left)
        if part > 0:
            parts.append((charge_id, part))
            amount -= part
    return parts


def queue_online_refund(payment: SubscriptionPayment) -> None:
    """After the caller's commit, refund what the subscription paid online beyond its dues (when
    it paid anything online at all)."""
    if (
        gateway.stripe_enabled()
        and payment.instalments.filter(charges__state=ChargeState.SUCCEEDED).exists()
    ):
        queue_on_commit(REFUND_TASK, payment.subscription_id)


def refund_online_payments(subscription_id: int, *, now: datetime | None = None) -> RefundRun:
    """One subscription, in the three steps of the module. Run again, it refunds nothing more."""
    if not gateway.stripe_enabled():
        return RefundRun()
    now = now or timezone.now()
    run = RefundRun()
    for refund in _write_refunds(subscription_id, now):
        run += _send(refund, now)
    return run


@transaction.atomic
def _write_refunds(subscription_id: int, now: datetime) -> list[ChargeRefund]:
    """Step 1: the refunds to send now, written and committed before Stripe is called: those a
    stopped run left pending, or else new ones for what is to give back online."""
    # The subscription's lock is the one manual refunds take, and its payment's the one the
    # dues' adjustment takes: what is to give back cannot change while it is split.
    subscription = (
        Subscription.objects.select_for_update(of=("self",)).filter(pk=subscription_id).first()
    )
    payment = (
        SubscriptionPayment.objects.select_for_update(of=("self",))
        .filter(subscription_id=subscription_id)
        .first()
    )
    if subscription is None or payment is None:
        return []
    pending = pending_refunds(subscription_id)
    if pending:
        to_send = []
        for refund in pending:
            if refund.created_at < now - KEY_KEPT:
                logger.error(
                    "Refund %s pending since %s: check on Stripe whether it was made.",
                    refund.idempotency_key,
                    refund.created_at.isoformat(),
                )
            elif refund.created_at <= now - IN_FLIGHT:
                to_send.append(refund)
        return to_send
    to_give_back = subscription_account(subscription).to_give_back
    if to_give_back <= 0:
        return []
    refundable = refundable_charges(subscription_id)
    charges = {row.charge.pk: row.charge for row in refundable}
    refunds = []
    lefts = [(row.charge.pk, row.left) for row in refundable]
    for charge_id, amount in split_over_charges(to_give_back, lefts):
        number = ChargeRefund.objects.filter(charge_id=charge_id).count() + 1
        refunds.append(
            ChargeRefund.objects.create(
                charge=charges[charge_id],
                number=number,
                amount=amount,
                idempotency_key=ChargeRefund.key_for(charge_id, number),
                created_at=now,
            )
        )
    return refunds


def _send(refund: ChargeRefund, now: datetime) -> RefundRun:
    """Step 2, then step 3."""
    charge = refund.charge
    try:
        answer = gateway.refund_payment(
            charge.payment_intent_id,
            amount=refund.amount,
            idempotency_key=refund.idempotency_key,
            metadata={"charge": charge.idempotency_key, "refund": refund.idempotency_key},
        )
    except gateway.GatewayUnavailable:
        return RefundRun(unavailable=1)  # pending: the next run sends the same request
    except gateway.GatewayError as error:
        if error.code == "idempotency_key_in_use":  # the same request, in flight elsewhere
            return RefundRun(unavailable=1)
        logger.error("Refund %s refused by Stripe: %s", refund.idempotency_key, error.code)
        record_refund_outcome(refund.pk, refused=error.code or "refused", now=now)
        return RefundRun(refused=1)
    if answer.status not in MADE:
        logger.error("Refund %s: Stripe says %s", refund.idempotency_key, answer.status)
        record_refund_outcome(refund.pk, stripe_id=answer.id, refused=answer.status, now=now)
        return RefundRun(refused=1)
    if not record_refund_outcome(refund.pk, stripe_id=answer.id, now=now):
        return RefundRun()
    return RefundRun(refunded=1, amount=refund.amount)


@transaction.atomic
def record_refund_outcome(
    refund_pk: int, *, stripe_id: str = "", refused: str = "", now: datetime | None = None
) -> bool:
    """Step 3: Stripe's answer, recorded once: the refund made (and a "refunded" ledger entry
    for the member), or refused (its money stays to give back by hand). Returns whether this
    recorded anything (not when another run did already)."""
    now = now or timezone.now()
    refund = (
        ChargeRefund.objects.select_for_update(of=("self",))
        .select_related("charge__instalment__payment__subscription__contract__plan")
        .get(pk=refund_pk)
    )
    if refund.state != ChargeRefundState.PENDING:
        return False
    refund.state = ChargeRefundState.FAILED if refused else ChargeRefundState.REFUNDED
    refund.refund_id = stripe_id
    refund.failure_code = refused[:80]
    refund.finished_at = now
    refund.save(update_fields=["state", "refund_id", "failure_code", "finished_at"])
    if refused:
        return True
    charge = refund.charge
    subscription = charge.instalment.payment.subscription
    LedgerEntry.objects.create(
        created_at=now,
        kind=EntryKind.REFUNDED,
        amount=refund.amount,
        method=charge.method_type,
        member_id=subscription.member_id,
        producer_id=subscription.contract.plan.producer_id,
        subscription=subscription,
        instalment=charge.instalment,
        reference=stripe_id[:80],
    )
    return True


def resume_pending_refunds(now: datetime | None = None) -> RefundRun:
    """Refunds a stopped run or an outage left pending, sent again with their key while Stripe
    still knows it (hourly)."""
    if not gateway.stripe_enabled():
        return RefundRun()
    now = now or timezone.now()
    ids = (
        ChargeRefund.objects.filter(
            state=ChargeRefundState.PENDING,
            created_at__gte=now - KEY_KEPT,
            created_at__lte=now - IN_FLIGHT,
        )
        .values_list("charge__instalment__payment__subscription_id", flat=True)
        .distinct()
    )
    run = RefundRun()
    for subscription_id in sorted(set(ids)):
        run += refund_online_payments(subscription_id, now=now)
    return run


def refund_all_online_overpayments(now: datetime | None = None) -> RefundRun:
    """Nightly, after the dues are adjusted: every subscription paid online whose member paid
    more than is due, or with a refund pending."""
    if not gateway.stripe_enabled():
        return RefundRun()
    now = now or timezone.now()
    since = timezone.localdate(now) - SETTLED_AFTER
    paid_online = SubscriptionPayment.objects.filter(
        subscription__contract__ends_on__gte=since,
        instalments__charges__state=ChargeState.SUCCEEDED,
    ).values("subscription_id")
    overpaid = set(
        LedgerEntry.objects.filter(subscription_id__in=paid_online, kind__in=MEMBER_BALANCE_KINDS)
        .values("subscription_id")
        .annotate(balance=Sum("amount"))
        .filter(balance__lt=0)
        .values_list("subscription_id", flat=True)
    )
    run = RefundRun()
    for subscription_id in sorted(overpaid):
        run += refund_online_payments(subscription_id, now=now)
    run += resume_pending_refunds(now)
    return run
