"""The outbox: tasks queued by a service are rows written in the service's own transaction, so
they commit with its work or not at all; after the commit the row is handed to Celery at once
(the relay), and when the broker is down it stays, the request still succeeds, and the sweep
(beat, every minute) hands it over once the broker is back, oldest first.

A row is published under its row lock and marked sent in the same transaction, and the sweep
skips rows another relay holds: two relays never publish the same row twice (a crash between
the publish and the commit can still publish it again: tasks are idempotent)."""

import logging
from importlib import import_module

from celery import Task, current_app
from django.db import DatabaseError, transaction
from django.utils import timezone

from marketplace.core.models import OutboxTask

logger = logging.getLogger(__name__)

SWEEP_BATCH = 100


def record(task_name: str, args: list, kwargs: dict) -> OutboxTask:
    """Write the task in the caller's transaction."""
    return OutboxTask.objects.create(task_name=task_name, args=list(args), kwargs=kwargs)


def relay(outbox_id: int) -> bool:
    """Hand one row to Celery now. Never raises: a broker or database failure leaves the row
    for the sweep. Returns whether it went (or had gone already)."""
    try:
        with transaction.atomic():
            row = (
                OutboxTask.objects.select_for_update(skip_locked=True)
                .filter(pk=outbox_id, sent_at=None)
                .first()
            )
            return True if row is None else _publish(row)
    except Exception:  # the commit is done: nothing may reach the caller
        logger.exception("Queued task %s left for the sweep.", outbox_id)
        return False


def relay_pending() -> int:
    """Hand every row still waiting to Celery, oldest first, until the broker fails. Rows a
    concurrent relay holds are skipped, not waited for. Returns how many went."""
    relayed = 0
    while True:
        with transaction.atomic():
            rows = list(
                OutboxTask.objects.select_for_update(skip_locked=True)
                .filter(sent_at=None)
                .order_by("created_at", "pk")[:SWEEP_BATCH]
            )
            for row in rows:
                if not _publish(row):
                    return relayed  # the broker is down: the next sweep tries again
                relayed += 1
        if len(rows) < SWEEP_BATCH:
            return relayed


def _publish(row: OutboxTask) -> bool:
    """Send the row's task to the broker and record the outcome on the row (locked by the
    caller). Returns whether it went."""
    row.attempts += 1
    try:
        task_named(row.task_name).apply_async(args=row.args, kwargs=row.kwargs)
    except Exception as error:  # kombu OperationalError, redis errors, OSError, timeouts…
        row.last_error = f"{type(error).__name__}: {error}"[:2000]
        logger.warning(
            "Could not queue %s (outbox row %s, attempt %s): %s",
            row.task_name,
            row.pk,
            row.attempts,
            row.last_error,
        )
        try:
            with transaction.atomic():
                row.save(update_fields=["attempts", "last_error"])
        except DatabaseError:
            logger.exception("Could not record the failure of outbox row %s.", row.pk)
        return False
    row.sent_at = timezone.now()
    row.save(update_fields=["attempts", "last_error", "sent_at"])
    return True


def task_named(name: str) -> Task:
    """The task named ``name``, its module imported if this process has not yet (a web
    process imports only what its pages use)."""
    if name not in current_app.tasks:
        import_module(name.rpartition(".")[0])
    return current_app.tasks[name]
