"""Celery entry points of payments."""

from datetime import date

from celery import shared_task
from django.utils import timezone

from marketplace.core.beat import BeatTask
from marketplace.core.tasks import queue


@shared_task(acks_late=True)
def build_statement_pdf(producer_id: int, month: str, language: str) -> bool:
    """Build the PDF of a producer's statement for a month (``YYYY-MM-DD``, its first day),
    unless it is built already for the same figures. Returns whether it was built."""
    from marketplace.payments.services.statements import build_statement_pdf as build

    return build(producer_id, date.fromisoformat(month), language=language)


@shared_task(base=BeatTask, acks_late=True)
def adjust_dues() -> int:
    """Each subscription's dues brought in line with its deliveries (beat, each night after the
    calendar): a day cancelled or a commitment ended takes its share off, and what members
    paid online beyond their dues goes back to their card or account. Idempotent."""
    from marketplace.payments.services.adjustments import adjust_all_dues
    from marketplace.payments.services.online_refunds import refund_all_online_overpayments

    adjusted = adjust_all_dues().adjusted
    refund_all_online_overpayments()
    return adjusted


@shared_task(acks_late=True)
def adjust_subscriptions_dues(subscription_ids: list[int]) -> int:
    """Some subscriptions' dues brought in line with their deliveries (a producer could not
    bring their baskets one day). Idempotent. Returns how many changed."""
    from marketplace.payments.services.adjustments import adjust_dues_of_subscriptions

    return adjust_dues_of_subscriptions(subscription_ids).adjusted


@shared_task(acks_late=True)
def refund_online_payments(subscription_id: int) -> int:
    """What a subscription's member paid by card or SEPA debit beyond their dues, refunded
    through Stripe, once (services/online_refunds.py). Returns the refunds made."""
    from marketplace.payments.services.online_refunds import refund_online_payments as refund

    return refund(subscription_id).refunded


@shared_task(base=BeatTask, acks_late=True)
def resume_pending_refunds() -> int:
    """Beat, hourly: refunds left pending by a stopped run or an outage are sent again with
    their idempotency key while Stripe keeps it. Returns the refunds made."""
    from marketplace.payments.services.online_refunds import resume_pending_refunds as resume

    return resume().refunded


@shared_task(base=BeatTask, acks_late=True)
def charge_due_instalments() -> int:
    """Beat, each morning: the instalments due by today on plans paid by card or SEPA debit,
    charged off-session in chunks shared by the workers (services/charges.py). Nothing without
    Stripe keys. Returns the chunks queued."""
    from marketplace.payments.services.charges import due_chunks

    today = timezone.localdate()
    chunks = due_chunks(today)
    for chunk in chunks:
        queue("marketplace.payments.tasks.charge_instalments", chunk, today.isoformat())
    return len(chunks)


@shared_task(acks_late=True)
def charge_instalments(instalment_ids: list[int], today: str) -> int:
    """Charge these instalments, those still to charge once locked. Returns how many were
    paid."""
    from marketplace.payments.services.charges import charge_instalments as charge

    return charge(instalment_ids, today=date.fromisoformat(today)).charged


@shared_task(base=BeatTask, acks_late=True)
def resume_pending_charges() -> int:
    """Beat, hourly: charges left pending by a stopped run or an outage are sent again with
    their idempotency key while Stripe keeps it. Returns how many were paid."""
    from marketplace.payments.services.charges import resume_pending_charges as resume

    return resume().charged


@shared_task(acks_late=True)
def notify_charge(charge_id: int, state: str) -> int:
    """Email the member that a charge failed or waits for them, once. Returns emails sent."""
    from marketplace.payments.services.notifications import notify_charge as notify

    return notify(charge_id, state)


@shared_task(acks_late=True)
def settle_order_refunds(order_id: int) -> str:
    """An order (or a line of it) cancelled: what its card payments took beyond what it still
    owes goes back to the card. Idempotent. Returns the amount refunded."""
    from marketplace.payments.services.order_payments import settle_order_refunds as settle

    return str(settle(order_id).refunded)


@shared_task(base=BeatTask, acks_late=True)
def resume_order_payments() -> int:
    """Beat, hourly: order payments not taken or refunded because Stripe was out of reach are
    done, and card authorisations of orders never placed are let go."""
    from marketplace.payments.services.order_payments import resume_order_payments as resume

    return resume()
