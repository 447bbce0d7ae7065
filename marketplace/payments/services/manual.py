"""Payments coordinators record by hand, and the treasurer handing them to the producers."""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from oscar.core.loading import get_model

from baskets.models import Subscription
from marketplace.payments.errors import PaymentRefused
from marketplace.payments.models import (
    HANDED_OVER_METHODS,
    MEMBER_BALANCE_KINDS,
    UNPAID_STATES,
    EntryKind,
    Instalment,
    LedgerEntry,
    LocalCurrency,
    ManualMethod,
    ManualPayment,
    PaymentMethod,
)
from marketplace.payments.selectors.terms import terms_of
from marketplace.payments.services.orders import record_order_due
from marketplace.payments.services.settlement import paid_entry, settle_instalments
from producers.models import Producer

Order = get_model("order", "Order")
CENT = Decimal("0.01")


@dataclass(frozen=True)
class PaymentDetails:
    """What a coordinator writes down about a payment, whatever it pays."""

    method: str
    amount: Decimal | str
    cheque_number: str = ""
    bank: str = ""
    cash_on: date | None = None
    local_currency: LocalCurrency | None = None
    note: str = ""


def checked_amount(amount) -> Decimal:
    try:
        value = Decimal(str(amount).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        raise PaymentRefused(_("Enter an amount in euros, such as 12.50.")) from None
    if not value.is_finite() or value <= 0:
        raise PaymentRefused(_("The amount must be above zero."))
    if value != value.quantize(CENT):
        raise PaymentRefused(_("Enter the amount to the cent, such as 12.50."))
    return value.quantize(CENT)


def _check_details(details: PaymentDetails, collective_id: int, today: date) -> dict:
    """The fields of the payment, once checked; raises ``PaymentRefused``."""
    if details.method not in ManualMethod.values:
        raise PaymentRefused(_("Choose cheque, cash, bank transfer or local currency."))
    fields = {
        "method": details.method,
        "amount": checked_amount(details.amount),
        "note": (details.note or "").strip(),
        "bank": "",
        "cheque_number": "",
        "cash_on": None,
        "local_currency": None,
    }
    if details.method == PaymentMethod.CHEQUE:
        fields["cheque_number"] = (details.cheque_number or "").strip()
        if not fields["cheque_number"]:
            raise PaymentRefused(_("Enter the cheque's number."))
        fields["bank"] = (details.bank or "").strip()
        fields["cash_on"] = details.cash_on or today
    elif details.method == PaymentMethod.LOCAL_CURRENCY:
        currency = details.local_currency
        if currency is None or currency.collective_id != collective_id or not currency.is_active:
            raise PaymentRefused(_("Choose a local currency this AMAP accepts."))
        fields["local_currency"] = currency
    return fields


def _reference(payment: ManualPayment) -> str:
    """What identifies the money in the ledger: a cheque's number, the local currency's name."""
    if payment.method == PaymentMethod.CHEQUE:
        return f"{payment.cheque_number} {payment.bank}".strip()
    if payment.method == PaymentMethod.LOCAL_CURRENCY:
        return payment.local_currency.name
    return ""


def _too_much(outstanding: Decimal) -> PaymentRefused:
    if outstanding <= 0:
        return PaymentRefused(_("Nothing is left to pay here."))
    return PaymentRefused(
        _("This is more than what is still due (%(amount)s €).")
        % {"amount": number_format(outstanding, 2)}
    )


def record_manual_payment(
    details: PaymentDetails,
    *,
    recorded_by,
    subscription: Subscription | None = None,
    instalment: Instalment | None = None,
    order=None,
    producer: Producer | None = None,
    payer=None,
    now: datetime | None = None,
) -> ManualPayment:
    """A coordinator records a cheque, cash, a bank transfer or local currency a member paid:
    against a subscription (or one of its instalments), or against an order (to one of its
    producers). A ``ManualPayment`` and its "paid" ledger entries, in one transaction; refused
    with ``PaymentRefused`` (nothing written) when something does not add up."""
    if instalment is not None:
        subscription = instalment.payment.subscription
    if (subscription is None) == (order is None):
        raise PaymentRefused(_("A payment is for a subscription or for an order."))
    if subscription is not None:
        return _record_subscription_payment(
            subscription,
            details,
            recorded_by=recorded_by,
            instalment=instalment,
            payer=payer,
            now=now,
        )
    return _record_order_payment(
        order, details, recorded_by=recorded_by, producer=producer, payer=payer, now=now
    )


@transaction.atomic
def _record_subscription_payment(
    subscription: Subscription,
    details: PaymentDetails,
    *,
    recorded_by,
    instalment: Instalment | None = None,
    payer=None,
    now: datetime | None = None,
) -> ManualPayment:
    """A coordinator records what a member paid for their subscription: it settles the given
    instalment, or else the instalments still unpaid in their order (the first due first; the
    last one touched may stay partly paid). Never more than is still due."""
    now = now or timezone.now()
    subscription = (
        Subscription.objects.select_for_update(of=("self",))
        .select_related("contract__plan__producer", "pickup_point", "member")
        .get(pk=subscription.pk)
    )
    fields = _check_details(
        details, subscription.pickup_point.collective_id, timezone.localdate(now)
    )
    if not terms_of(subscription.contract).accepts(fields["method"]):
        raise PaymentRefused(_("This contract does not accept this payment method."))
    instalments = Instalment.objects.select_for_update().filter(payment__subscription=subscription)
    if instalment is not None:
        instalments = instalments.filter(pk=instalment.pk)
    instalments = list(instalments.order_by("number"))
    if not instalments:
        raise PaymentRefused(_("Choose how this subscription is paid first (its payment plan)."))
    unpaid = [row for row in instalments if row.state in UNPAID_STATES and row.outstanding > 0]
    outstanding = sum((row.outstanding for row in unpaid), Decimal("0.00"))
    if fields["amount"] > outstanding:
        raise _too_much(outstanding)

    payment = ManualPayment.objects.create(
        **fields,
        payer=payer or subscription.member,
        producer=subscription.contract.plan.producer,
        subscription=subscription,
        recorded_by=recorded_by,
        recorded_at=now,
    )
    LedgerEntry.objects.bulk_create(
        _paid_entry(payment, now, subscription.member, instalment=row, amount=part)
        for row, part in settle_instalments(unpaid, fields["amount"], now=now)
    )
    return payment


@transaction.atomic
def _record_order_payment(
    order,
    details: PaymentDetails,
    *,
    recorded_by,
    producer: Producer | None = None,
    payer=None,
    now: datetime | None = None,
) -> ManualPayment:
    """A coordinator records what a member paid for an order, to one of its producers (which
    one may be left out when the order has only one). Never more than is still due to them."""
    now = now or timezone.now()
    order = (
        Order.objects.select_for_update(of=("self",))
        .select_related("user", "pickup__distribution_day__pickup_point")
        .get(pk=order.pk)
    )
    record_order_due(order, now=now)
    owed = _order_balance_by_producer(order)
    if producer is None:
        if len(owed) != 1:
            raise PaymentRefused(_("Choose which producer of this order is paid."))
        producer_id = next(iter(owed))
    elif producer.pk not in owed:
        raise PaymentRefused(_("This producer has nothing in this order."))
    else:
        producer_id = producer.pk
    pickup = getattr(order, "pickup", None)
    if pickup is None:
        raise PaymentRefused(_("This order is not collected at a pickup point."))
    fields = _check_details(
        details, pickup.distribution_day.pickup_point.collective_id, timezone.localdate(now)
    )
    if fields["amount"] > owed[producer_id]:
        raise _too_much(owed[producer_id])
    payment = ManualPayment.objects.create(
        **fields,
        payer=payer or order.user,
        producer_id=producer_id,
        order=order,
        recorded_by=recorded_by,
        recorded_at=now,
    )
    _paid_entry(payment, now, order.user, amount=payment.amount).save()
    return payment


def _order_balance_by_producer(order) -> dict[int, Decimal]:
    owed: dict[int, Decimal] = {}
    for producer_id, amount in LedgerEntry.objects.filter(
        order=order, kind__in=MEMBER_BALANCE_KINDS
    ).values_list("producer_id", "amount"):
        owed[producer_id] = owed.get(producer_id, Decimal("0.00")) + amount
    return owed


def _paid_entry(payment, now, member, *, amount, instalment=None) -> LedgerEntry:
    return paid_entry(
        now=now,
        amount=amount,
        method=payment.method,
        member_id=member.pk if member is not None else None,
        producer_id=payment.producer_id,
        subscription_id=payment.subscription_id,
        order_id=payment.order_id,
        instalment=instalment,
        manual_payment=payment,
        reference=_reference(payment),
        recorded_by=payment.recorded_by,
    )


@transaction.atomic
def hand_over(payment_ids, *, by, now: datetime | None = None) -> list[ManualPayment]:
    """The treasurer hands cheques, cash and local currency over to their producers: each is
    marked, and recorded in the ledger. Those already handed over are left as they are (a
    second click changes nothing); returns those handed over now."""
    now = now or timezone.now()
    ids = {int(pk) for pk in payment_ids}
    if not ids:
        raise PaymentRefused(_("Choose the payments handed over."))
    payments = list(
        ManualPayment.objects.select_for_update(of=("self",))
        .filter(pk__in=ids)
        .select_related("local_currency")
        .order_by("pk")
    )
    if len(payments) != len(ids):
        raise PaymentRefused(_("Some of these payments no longer exist; reload the page."))
    if any(payment.method not in HANDED_OVER_METHODS for payment in payments):
        raise PaymentRefused(
            _("Bank transfers reach the producer directly: there is nothing to hand over.")
        )
    handed = [payment for payment in payments if payment.handed_over_at is None]
    members = dict(
        LedgerEntry.objects.filter(manual_payment__in=handed, kind=EntryKind.PAID)
        .values_list("manual_payment_id", "member_id")
        .distinct()
    )
    ManualPayment.objects.filter(pk__in=[payment.pk for payment in handed]).update(
        handed_over_at=now, handed_over_by=by
    )
    LedgerEntry.objects.bulk_create(
        LedgerEntry(
            created_at=now,
            kind=EntryKind.HANDED_OVER,
            amount=payment.amount,
            method=payment.method,
            member_id=members.get(payment.pk),
            producer_id=payment.producer_id,
            subscription_id=payment.subscription_id,
            order_id=payment.order_id,
            manual_payment=payment,
            reference=_reference(payment),
            recorded_by=by,
        )
        for payment in handed
    )
    for payment in handed:
        payment.handed_over_at, payment.handed_over_by = now, by
    return handed
