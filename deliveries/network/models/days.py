"""The distribution days the schedules make, and the orders collected on them."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from deliveries.network.models.points import PickupPoint


class DayState(models.TextChoices):
    OPEN = "open", _("open for orders")
    CLOSED = "closed", _("orders closed")
    DONE = "done", _("done")
    CANCELLED = "cancelled", _("cancelled")


class DistributionDayQuerySet(models.QuerySet):
    def open_for_orders(self, now=None):
        """Days members can still order for: open, before their cut-off, at an active point."""
        from django.utils import timezone

        return self.filter(
            state=DayState.OPEN,
            cutoff_at__gt=now or timezone.now(),
            pickup_point__is_active=True,
        )


class DistributionDay(models.Model):
    """One distribution at one pickup point: materialised from the schedules by Celery beat."""

    pickup_point = models.ForeignKey(
        PickupPoint, on_delete=models.CASCADE, related_name="distribution_days"
    )
    date = models.DateField(_("date"))
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    cutoff_at = models.DateTimeField(_("orders close at"))
    state = models.CharField(
        _("state"), max_length=10, choices=DayState.choices, default=DayState.OPEN
    )
    cancellation_reason = models.CharField(_("why it is cancelled"), max_length=200, blank=True)
    # Things done once for the day, so that the beat tasks doing them are idempotent.
    staffing_alert_sent_at = models.DateTimeField(
        _("coordinators told of missing volunteers"), null=True, blank=True
    )
    sign_off_sheet_sent_at = models.DateTimeField(_("sign-off sheet sent"), null=True, blank=True)
    # Set once everyone the cancelled day concerned was told; cleared when the day comes back.
    cancellation_notified_at = models.DateTimeField(
        _("everyone told of the cancellation"), null=True, blank=True
    )
    closed_at = models.DateTimeField(_("distribution closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("closed by"),
    )

    objects = DistributionDayQuerySet.as_manager()

    class Meta:
        ordering = ["date", "starts_at"]
        verbose_name = _("distribution day")
        verbose_name_plural = _("distribution days")
        constraints = [
            models.UniqueConstraint(
                fields=["pickup_point", "date"], name="one_distribution_per_point_and_date"
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="distribution_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(cutoff_at__lte=F("starts_at")), name="cutoff_before_distribution"
            ),
        ]
        indexes = [models.Index(fields=["state", "date"], name="distribution_day_state_date")]

    def __str__(self):
        return f"{self.pickup_point} – {self.date:%d/%m/%Y}"


class PickupOrder(models.Model):
    """Where and when an à la carte order is collected: its distribution day."""

    order = models.OneToOneField(
        "order.Order", on_delete=models.CASCADE, related_name="pickup", verbose_name=_("order")
    )
    distribution_day = models.ForeignKey(
        DistributionDay,
        on_delete=models.PROTECT,
        related_name="pickup_orders",
        verbose_name=_("distribution day"),
    )

    class Meta:
        verbose_name = _("order to collect")
        verbose_name_plural = _("orders to collect")

    def __str__(self):
        return f"{self.order} → {self.distribution_day}"
