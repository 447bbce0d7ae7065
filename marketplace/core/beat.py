"""A second beat is harmless: each tick of a beat-scheduled task runs once.

Celery beat marks what it sends (the ``celery_beat_task`` header). A task with ``base=BeatTask``
records when a beat tick last started it, under a row lock; a tick that finds the task started
less than ``TICK_GUARD`` ago is a second beat's copy of the same tick and does nothing. Every
schedule is a minute or more apart, and the tasks are idempotent anyway: the guard saves the
doubled work and its doubled queries, not correctness. Runs not sent by beat (a service queueing
the task, a test, a shell) always run."""

import logging
from datetime import UTC, datetime, timedelta

from celery import Task
from django.db import transaction
from django.utils import timezone

from marketplace.core.models import BeatRun

logger = logging.getLogger(__name__)

TICK_GUARD = timedelta(seconds=30)
NEVER = datetime(2000, 1, 1, tzinfo=UTC)


class BeatTask(Task):
    def __call__(self, *args, **kwargs):
        if _sent_by_beat(self.request) and not start_tick(self.name):
            logger.warning("%s: this beat tick already ran (a second beat?); skipped.", self.name)
            return None
        return super().__call__(*args, **kwargs)


def start_tick(task_name: str) -> bool:
    """Record that a beat tick starts ``task_name`` now; False if one did within the guard."""
    with transaction.atomic():
        BeatRun.objects.bulk_create(
            [BeatRun(task_name=task_name, started_at=NEVER)], ignore_conflicts=True
        )
        run = BeatRun.objects.select_for_update().get(task_name=task_name)
        now = timezone.now()
        if run.started_at > now - TICK_GUARD:
            return False
        run.started_at = now
        run.save(update_fields=["started_at"])
        return True


def _sent_by_beat(request) -> bool:
    headers = getattr(request, "headers", None) or {}
    return bool(getattr(request, "celery_beat_task", False) or headers.get("celery_beat_task"))
