"""A producer's statement as a PDF: asked for on its page, built in the background, built again
only when its figures change."""

import hashlib
from datetime import date, datetime

from django.db import transaction
from django.utils import timezone, translation

from marketplace.core.tasks import queue_on_commit
from marketplace.payments.models import StatementFile
from marketplace.payments.selectors.statements import (
    Statement,
    producer_statement,
    statement_file,
)
from marketplace.payments.statement_files import as_pdf
from producers.models import Producer

BUILD_TASK = "marketplace.payments.tasks.build_statement_pdf"
# Raise it when the PDF's layout changes: every PDF is then built again on demand.
LAYOUT = "1"


def pdf_fingerprint(statement: Statement, language: str) -> str:
    """What a statement's PDF is built from: its figures, its language, the layout."""
    return hashlib.sha256(f"{statement.fingerprint}:{language}:{LAYOUT}".encode()).hexdigest()


@transaction.atomic
def request_statement_pdf(
    statement: Statement, *, language: str, now: datetime | None = None
) -> bool:
    """The producer (or the treasurer) asks for the statement's PDF: it is built in the
    background, unless it is built already for these figures. Returns whether a build was
    queued."""
    now = now or timezone.now()
    fingerprint = pdf_fingerprint(statement, language)
    record, _created = StatementFile.objects.select_for_update().get_or_create(
        producer=statement.producer, month=statement.month
    )
    if record.is_ready_for(fingerprint):
        return False
    record.requested_fingerprint, record.requested_at = fingerprint, now
    record.save(update_fields=["requested_fingerprint", "requested_at"])
    queue_on_commit(BUILD_TASK, statement.producer.pk, statement.month.isoformat(), language)
    return True


def build_statement_pdf(producer_id: int, month: date, *, language: str) -> bool:
    """Build and keep the PDF of the producer's statement for the month as it stands, unless
    the one kept is of the same figures. Idempotent: a second run, or two workers at once,
    build it once. Returns whether this run stored a PDF."""
    producer = Producer.objects.get(pk=producer_id)
    statement = producer_statement(producer, month)
    fingerprint = pdf_fingerprint(statement, language)
    record = statement_file(producer, statement.month)
    if record is not None and record.is_ready_for(fingerprint):
        return False
    with translation.override(language):
        pdf = as_pdf(statement)  # outside the transaction: no lock held while laying it out
    return _keep(producer, statement.month, fingerprint, pdf)


@transaction.atomic
def _keep(producer: Producer, month: date, fingerprint: str, pdf: bytes) -> bool:
    record, _created = StatementFile.objects.select_for_update().get_or_create(
        producer=producer, month=month
    )
    if record.is_ready_for(fingerprint):  # another worker was quicker
        return False
    record.fingerprint, record.pdf, record.built_at = fingerprint, pdf, timezone.now()
    record.save(update_fields=["fingerprint", "pdf", "built_at"])
    return True
