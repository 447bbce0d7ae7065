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
    calendar): a day cancelled or a commitment ended takes its share off. Idempotent."""
    from marketplace.payments.services.adjustments import adjust_all_dues

    return adjust_all_dues().adjusted


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
