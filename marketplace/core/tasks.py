"""Queueing a Celery task from a service without importing the task's module, through the
outbox (marketplace/core/outbox.py): the task is a row of the caller's transaction, handed to
the broker after the commit; a broker that is down delays it, never fails the caller.

Tasks call services; a service that needs work done after its transaction names the task
instead of importing it, so no module imports the other both ways, and a lower floor may queue a
task of a higher one (the network telling the distribution floor that days moved).
"""

from celery import shared_task
from django.db import transaction

from marketplace.core import outbox


def queue_on_commit(task_name: str, *args, **kwargs) -> None:
    """Queue the task once the current transaction commits (at once outside a transaction);
    nothing if it rolls back. Never raises for the broker: the outbox keeps the task until it
    can be handed over. Arguments must be JSON (ids, lists, strings, booleans)."""
    row = outbox.record(task_name, args, kwargs)
    transaction.on_commit(lambda: outbox.relay(row.pk))


def queue(task_name: str, *args, **kwargs) -> None:
    """Queue the task now, for callers outside a transaction (a task handing on work); the
    outbox keeps it if the broker is down."""
    outbox.relay(outbox.record(task_name, args, kwargs).pk)


@shared_task(acks_late=True)
def relay_outbox() -> int:
    """Beat, every minute: hand to Celery the queued tasks the broker could not take when
    their transaction committed. Returns how many went."""
    return outbox.relay_pending()
