"""An à la carte order paid by card at checkout: one payment per producer of the order, on the
card the member typed in (saved on their Stripe customer by a SetupIntent, ``on_session``).

1. ``authorise_order``: before the order exists, each producer's part is authorised
   (``capture_method=manual``) under a key made of the order number, the attempt and the
   producer, each row committed before Stripe is called. A part refused lets go of the others:
   no order, nothing taken, stock and the day's quotas untouched (they are taken only when the
   order is placed). A part the bank wants confirmed waits for the browser (Stripe.js).
2. ``secured_payments``: as the order is placed, every part of the attempt must be authorised,
   for the amounts of the basket as it is now; otherwise all are let go.
3. ``capture_order``: the order placed and committed, each part is taken and written "paid" in
   the ledger. Stripe out of reach: the hourly ``resume_order_payments`` takes it later.
4. ``settle_order_refunds``: what was paid beyond what the order still owes a producer (an order
   cancelled before the cut-off or by a day's cancellation, a line cancelled) goes back to the
   card, once, whatever runs it again.
"""

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from oscar.core.loading import get_model

from marketplace.payments import gateway
from marketplace.payments.errors import PaymentRefused
from marketplace.payments.models import (
    HELD_STATES,
    EntryKind,
    LedgerEntry,
    OrderPayment,
    OrderPaymentState,
    PaymentMethod,
    ProducerAccount,
    StripeCustomer,
)
from marketplace.payments.services.orders import CANCELLED, still_due
from marketplace.payments.services.saved_methods import customer_of
from marketplace.payments.services.settlement import paid_entry

Order = get_model("order", "Order")
Source = get_model("payment", "Source")
logger = logging.getLogger(__name__)

ZERO = Decimal("0.00")
# An authorisation whose order was never placed (the member went away) is let go after this.
ABANDONED_AFTER = timedelta(hours=1)
# A row sent to Stripe this recently may be in a request's hands right now.
IN_FLIGHT = timedelta(minutes=10)


@dataclass(frozen=True)
class Authorisation:
    """What the browser needs: the payments its bank wants confirmed (Stripe.js)."""

    to_confirm: list[str]


def producer_shares(basket) -> dict[int, Decimal]:
    """producer id -> what the basket's lines of theirs come to, discounts taken off. A line of a
    partner who is not one of our producers has nobody to pay by card: ``PaymentRefused``."""
    shares: dict[int, Decimal] = {}
    for line in basket.all_lines():
        producer = getattr(line.stockrecord.partner, "producer", None) if line.stockrecord else None
        if producer is None:
            raise PaymentRefused(_("This order cannot be paid by card: pay at pickup."))
        shares[producer.pk] = (
            shares.get(producer.pk, ZERO) + line.line_price_incl_tax_incl_discounts
        )
    return shares


def producer_accounts(producer_ids) -> dict[int, str]:
    """producer id -> their connected account, for those whose account takes payments."""
    return dict(
        ProducerAccount.objects.filter(producer_id__in=producer_ids, ready=True).values_list(
            "producer_id", "account_id"
        )
    )


def card_payable(basket) -> bool:
    """Card is offered when Stripe is set up and every producer of the basket takes it."""
    if not gateway.stripe_enabled() or basket.is_empty:
        return False
    try:
        shares = producer_shares(basket)
    except PaymentRefused:
        return False
    return len(producer_accounts(shares)) == len(shares)


def start_order_card(member, *, now: datetime | None = None) -> gateway.Setup:
    """A SetupIntent for the card the member types in to pay an order; the browser confirms it
    (Stripe.js, with 3-D Secure when the bank asks)."""
    now = now or timezone.now()
    return gateway.create_setup_intent(
        customer_id=customer_of(member, now=now),
        method_type=PaymentMethod.CARD,
        usage="on_session",
        # Each card typed in is an attempt of its own (a SetupIntent too many harms nobody).
        idempotency_key=f"member-{member.pk}-order-card-{uuid.uuid4().hex}",
        metadata={"member": str(member.pk)},
    )


def authorise_order(
    member, basket, order_number: str, setup_intent_id: str, *, now: datetime | None = None
) -> Authorisation:
    """Authorises each producer's part of the basket on the card the SetupIntent saved. Raises
    ``PaymentRefused`` (with the member's words) after letting go of every part when one is
    refused. Sent twice, it authorises once."""
    now = now or timezone.now()
    setup = gateway.retrieve_setup_intent(setup_intent_id)
    customer = StripeCustomer.objects.filter(member=member).first()
    if customer is None or setup.customer_id != customer.customer_id:
        raise PaymentRefused(_("This card was saved for someone else."))
    if not setup.is_done:
        raise PaymentRefused(_("Your card is not confirmed yet: confirm it first."))
    shares = producer_shares(basket)
    accounts = producer_accounts(shares)
    if len(accounts) != len(shares):
        raise PaymentRefused(_("A producer of this order does not take cards: pay at pickup."))
    rows = [
        _row(member, order_number, setup, producer_id, amount, accounts[producer_id], now)
        for producer_id, amount in sorted(shares.items())
    ]
    if any(row.amount != shares[row.producer_id] for row in rows):
        release_attempt(order_number, setup.id)
        raise PaymentRefused(_("Your basket changed while you paid: please pay again."))
    refused = None
    for row in rows:
        if refused is not None and row.state == OrderPaymentState.AUTHORISING:
            # The card is refused: the other producers' parts are not asked for.
            _record(row, OrderPaymentState.CANCELLED)
            continue
        if row.state == OrderPaymentState.AUTHORISING:
            _authorise(row, order_number)
        if row.state == OrderPaymentState.FAILED:
            refused = row
    if refused is not None:
        release_attempt(order_number, setup.id)
        raise PaymentRefused(refused.failure_message or str(gateway.member_message("")))
    return Authorisation(
        to_confirm=[
            row.payment_intent_id for row in rows if row.state == OrderPaymentState.REQUIRES_ACTION
        ]
    )


def client_secrets(member, payment_intent_ids: list[str]) -> list[str]:
    """The client secrets of the member's own payments, for Stripe.js to confirm them."""
    own = set(
        OrderPayment.objects.filter(
            member=member, payment_intent_id__in=payment_intent_ids
        ).values_list("payment_intent_id", flat=True)
    )
    return [gateway.retrieve_payment(pk).client_secret for pk in payment_intent_ids if pk in own]


def _row(member, order_number, setup, producer_id, amount, account, now) -> OrderPayment:
    key = OrderPayment.key_for(order_number, setup.id, producer_id)
    try:
        with transaction.atomic():
            return OrderPayment.objects.get_or_create(
                idempotency_key=key,
                defaults={
                    "order_number": order_number,
                    "attempt": setup.id,
                    "member": member,
                    "producer_id": producer_id,
                    "producer_account": account,
                    "amount": amount,
                    "customer_id": setup.customer_id,
                    "payment_method_id": setup.payment_method_id,
                    "created_at": now,
                },
            )[0]
    except IntegrityError:  # the same request, twice at once: the row the other one wrote
        return OrderPayment.objects.get(idempotency_key=key)


def _authorise(row: OrderPayment, order_number: str) -> None:
    """Asks Stripe (outside any transaction) with the row's key, records the answer."""
    try:
        payment = gateway.create_payment(
            amount=row.amount,
            producer_account=row.producer_account,
            idempotency_key=row.idempotency_key,
            customer_id=row.customer_id,
            payment_method_id=row.payment_method_id,
            capture_later=True,
            description=_("Order %(number)s") % {"number": order_number},
            metadata={"order": order_number, "producer": str(row.producer_id)},
        )
    except gateway.PaymentDeclined as error:
        _record(row, OrderPaymentState.FAILED, error.payment_intent_id, error.code, error.message)
        return
    except gateway.GatewayError as error:
        # Out of reach, or refused for a reason of ours: the member tries again or pays at
        # pickup; a payment Stripe may have made under the key is let go by the hourly run.
        if error.retryable:
            raise PaymentRefused(error.message) from error
        _record(row, OrderPaymentState.FAILED, error.payment_intent_id, error.code, error.message)
        return
    _record_payment(row, payment)


def _record_payment(row: OrderPayment, payment: gateway.Payment) -> None:
    if payment.is_authorised:
        _record(row, OrderPaymentState.AUTHORISED, payment.id)
    elif payment.needs_authentication:
        _record(row, OrderPaymentState.REQUIRES_ACTION, payment.id)
    elif payment.status == "canceled":
        _record(row, OrderPaymentState.CANCELLED, payment.id)
    else:
        _record(
            row,
            OrderPaymentState.FAILED,
            payment.id,
            payment.failure_code or payment.status,
            payment.failure_message or str(gateway.member_message(payment.failure_code)),
        )


def _record(row, state, payment_intent_id="", code="", message="") -> None:
    row.state = state
    row.payment_intent_id = payment_intent_id or row.payment_intent_id
    row.failure_code, row.failure_message = code[:80], str(message)[:300]
    row.save(update_fields=["state", "payment_intent_id", "failure_code", "failure_message"])


def secured_payments(member, basket, order_number: str, attempt: str) -> list[OrderPayment]:
    """As the order is placed: the attempt's parts, every one authorised for what the basket
    now comes to; otherwise all are let go and ``PaymentRefused`` says why."""
    rows = list(
        OrderPayment.objects.filter(order_number=order_number, attempt=attempt, member=member)
    )
    if not rows:
        raise PaymentRefused(_("Your card was not checked: please pay again."))
    for row in rows:
        if row.state == OrderPaymentState.REQUIRES_ACTION:
            try:
                _record_payment(row, gateway.retrieve_payment(row.payment_intent_id))
            except gateway.GatewayError as error:
                raise PaymentRefused(error.message) from error
            if row.state == OrderPaymentState.REQUIRES_ACTION:
                row.failure_message = gateway.member_message(
                    "payment_intent_authentication_failure"
                )
                row.state = OrderPaymentState.FAILED
                row.save(update_fields=["state", "failure_message"])
    refused = next((row for row in rows if row.state != OrderPaymentState.AUTHORISED), None)
    if refused is not None:
        release_attempt(order_number, attempt)
        raise PaymentRefused(
            refused.failure_message or _("Your card was not checked: please pay again.")
        )
    if producer_shares(basket) != {row.producer_id: row.amount for row in rows}:
        release_attempt(order_number, attempt)
        raise PaymentRefused(_("Your basket changed while you paid: please pay again."))
    return rows


def release_attempt(order_number: str, attempt: str | None = None, *, keep: str = "") -> int:
    """Lets go of the held parts of an order number's attempts (one, or all but ``keep``): the
    card's authorisations are cancelled, nothing is taken. Returns how many were let go."""
    rows = OrderPayment.objects.filter(
        order_number=order_number, order__isnull=True, state__in=HELD_STATES
    )
    if attempt is not None:
        rows = rows.filter(attempt=attempt)
    if keep:
        rows = rows.exclude(attempt=keep)
    return sum(_cancel(row) for row in rows)


def _cancel(row: OrderPayment) -> bool:
    try:
        if not row.payment_intent_id:
            # Sent to Stripe with no answer kept: the same request under the same key tells
            # which payment it made, if any, before it is cancelled.
            _authorise(row, row.order_number)
            if row.state not in HELD_STATES:
                return True
        payment = gateway.cancel_payment(
            row.payment_intent_id, idempotency_key=f"{row.idempotency_key}-cancel"
        )
    except PaymentRefused:
        return False
    except gateway.GatewayError as error:
        if error.retryable:
            return False
        # Already cancelled or failed on Stripe's side: nothing is held.
        payment = None
    _record(row, OrderPaymentState.CANCELLED, payment.id if payment else "")
    return True


def capture_order(order, attempt: str, *, now: datetime | None = None) -> list[OrderPayment]:
    """The order is placed: its attempt's parts are linked to it and taken, each with a "paid"
    ledger entry; other attempts of the same number are let go. Stripe out of reach: the
    parts stay authorised for ``resume_order_payments``."""
    now = now or timezone.now()
    OrderPayment.objects.filter(
        order_number=order.number, attempt=attempt, order__isnull=True
    ).update(order=order)
    release_attempt(order.number, keep=attempt)
    rows = OrderPayment.objects.filter(order=order, state=OrderPaymentState.AUTHORISED)
    return [row for row in rows if _capture(row, now)]


def _capture(row: OrderPayment, now: datetime) -> bool:
    try:
        payment = gateway.capture_payment(
            row.payment_intent_id, idempotency_key=f"{row.idempotency_key}-capture"
        )
    except gateway.GatewayError as error:
        if error.retryable:
            return False
        logger.error("Order %s: the card payment %s could not be taken.", row.order_number, row)
        # The authorisation is gone (expired, cancelled): the order is paid at pickup instead.
        _record(row, OrderPaymentState.FAILED, row.payment_intent_id, error.code, error.message)
        return False
    if not payment.is_paid:
        return False
    with transaction.atomic():
        row = OrderPayment.objects.select_for_update().get(pk=row.pk)
        if row.state == OrderPaymentState.CAPTURED:
            return False
        row.state, row.captured_at = OrderPaymentState.CAPTURED, now
        row.save(update_fields=["state", "captured_at"])
        paid_entry(
            now=now,
            amount=row.amount,
            method=PaymentMethod.CARD,
            member_id=row.member_id,
            producer_id=row.producer_id,
            order_id=row.order_id,
            reference=payment.id,
        ).save()
        _debit_source(row.order_id, row.amount)
    return True


def _debit_source(order_id: int, amount: Decimal) -> None:
    source = Source.objects.select_for_update().filter(order_id=order_id).first()
    if source is not None:
        source.debit(amount, reference=source.reference)


@dataclass
class RefundRun:
    refunded: Decimal = ZERO
    released: int = 0


def settle_order_refunds(order_id: int, *, now: datetime | None = None) -> RefundRun:
    """What the order's card payments took beyond what it still owes each producer goes back
    to the card; parts still only authorised on a cancelled order are let go. Idempotent."""
    now = now or timezone.now()
    run = RefundRun()
    order = Order.objects.filter(pk=order_id).first()
    if order is None:
        return run
    for row in OrderPayment.objects.filter(order=order, state__in=HELD_STATES):
        if order.status == CANCELLED:
            run.released += _cancel(row)
    due = still_due(order)
    for row in OrderPayment.objects.filter(order=order, state=OrderPaymentState.CAPTURED):
        target = max(ZERO, row.amount - max(due.get(row.producer_id, ZERO), ZERO))
        due[row.producer_id] = max(ZERO, due.get(row.producer_id, ZERO) - row.amount)
        run.refunded += _refund_up_to(row, target, now)
    return run


def _refund_up_to(row: OrderPayment, target: Decimal, now: datetime) -> Decimal:
    """Brings the row's refunded amount up to ``target``: the refund under way is committed
    before Stripe is asked, under a key naming it, so a run stopped half-way sends the same."""
    with transaction.atomic():
        row = OrderPayment.objects.select_for_update().get(pk=row.pk)
        if row.refunding_to is None:
            if target <= row.refunded:
                return ZERO
            row.refunding_to = target
            row.save(update_fields=["refunding_to"])
    amount = row.refunding_to - row.refunded
    try:
        refund = gateway.refund_payment(
            row.payment_intent_id,
            amount=amount,
            idempotency_key=row.refund_key(row.refunding_to),
            metadata={"order": row.order_number, "producer": str(row.producer_id)},
        )
    except gateway.GatewayError as error:
        logger.warning(
            "Order %s: refund of %s € left for later (%s).", row.order_number, amount, error.code
        )
        return ZERO
    with transaction.atomic():
        row = OrderPayment.objects.select_for_update().get(pk=row.pk)
        if row.refunding_to is None:  # recorded by another run meanwhile
            return ZERO
        row.refunded, row.refunding_to = row.refunding_to, None
        row.save(update_fields=["refunded", "refunding_to"])
        LedgerEntry.objects.create(
            created_at=now,
            kind=EntryKind.REFUNDED,
            amount=amount,
            method=PaymentMethod.CARD,
            member_id=row.member_id,
            producer_id=row.producer_id,
            order_id=row.order_id,
            reference=refund.id,
        )
        source = Source.objects.select_for_update().filter(order_id=row.order_id).first()
        if source is not None:
            source.refund(amount, reference=refund.id)
    return amount


def resume_order_payments(*, now: datetime | None = None) -> int:
    """Hourly: parts of placed orders not taken yet are taken, refunds left half-way are done,
    and authorisations whose order was never placed are let go. Returns the rows acted on."""
    now = now or timezone.now()
    acted = 0
    stale = OrderPayment.objects.filter(state__in=HELD_STATES, created_at__lt=now - IN_FLIGHT)
    for row in stale.filter(order__isnull=True):
        placed = Order.objects.filter(number=row.order_number).first()
        if placed is not None and placed.user_id == row.member_id:
            acted += len(capture_order(placed, row.attempt, now=now))
        elif row.created_at < now - ABANDONED_AFTER:
            acted += _cancel(row)
    for row in stale.filter(order__isnull=False, state=OrderPaymentState.AUTHORISED):
        acted += _capture(row, now)
    order_ids = set(
        OrderPayment.objects.filter(
            state=OrderPaymentState.CAPTURED, refunding_to__isnull=False
        ).values_list("order_id", flat=True)
    )
    for order_id in sorted(order_ids):
        acted += settle_order_refunds(order_id, now=now).refunded > 0
    return acted
