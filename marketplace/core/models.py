"""The kernel's tables: work to hand to Celery once a transaction has committed (the outbox),
messages sent at most once, and the last start of each beat task."""

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OutboxTask(models.Model):
    """A Celery task queued by a service: written in the service's transaction, handed to the
    broker after the commit (or by the sweep when the broker was down then)."""

    task_name = models.CharField(_("task"), max_length=200)
    args = models.JSONField(_("arguments"), default=list, encoder=DjangoJSONEncoder)
    kwargs = models.JSONField(_("keyword arguments"), default=dict, encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("queued task")
        verbose_name_plural = _("queued tasks")
        indexes = [
            models.Index(
                fields=["created_at", "id"],
                condition=Q(sent_at__isnull=True),
                name="core_outbox_pending",
            )
        ]

    def __str__(self):
        return f"{self.task_name} #{self.pk}"


class SentMessage(models.Model):
    """One message (or one batch sent as a whole) under a key such as
    ``order-confirmation:42``: "sending" recorded and committed before it leaves, "sent"
    after. Sending without sent is a run that stopped mid-way."""

    key = models.CharField(_("key"), max_length=255, unique=True)
    sending_at = models.DateTimeField(_("sending since"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("sent message")
        verbose_name_plural = _("sent messages")

    def __str__(self):
        return self.key


class BeatRun(models.Model):
    """When a beat-scheduled task last started from beat: a second beat's tick finds it."""

    task_name = models.CharField(_("task"), max_length=200, unique=True)
    started_at = models.DateTimeField(_("started at"))

    class Meta:
        verbose_name = _("beat run")
        verbose_name_plural = _("beat runs")

    def __str__(self):
        return self.task_name
