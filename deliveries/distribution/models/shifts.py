"""Volunteer shifts (permanences): members who run a distribution day."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from deliveries.network.models.days import DistributionDay


class VolunteerShift(models.Model):
    distribution_day = models.ForeignKey(
        DistributionDay,
        on_delete=models.CASCADE,
        related_name="shifts",
        verbose_name=_("distribution day"),
    )
    volunteer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="volunteer_shifts",
        verbose_name=_("volunteer"),
    )
    created_at = models.DateTimeField(_("signed up at"), auto_now_add=True)
    # A sign-up waiting for a coordinator (points that ask it) has none: it grants nothing yet.
    approved_at = models.DateTimeField(
        _("approved at"), null=True, blank=True, default=timezone.now
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
    )
    reminded_at = models.DateTimeField(_("reminder sent at"), null=True, blank=True)
    # The day was cancelled and the volunteer told they need not come: the row stays so that
    # their history shows the shift and its cancelled day.
    released_at = models.DateTimeField(
        _("released (distribution cancelled)"), null=True, blank=True
    )

    class Meta:
        ordering = ["distribution_day__starts_at", "created_at"]
        verbose_name = _("volunteer shift")
        verbose_name_plural = _("volunteer shifts")
        constraints = [
            models.UniqueConstraint(
                fields=["distribution_day", "volunteer"], name="one_shift_per_volunteer_and_day"
            )
        ]

    def __str__(self):
        return f"{self.volunteer} – {self.distribution_day}"

    @property
    def is_approved(self) -> bool:
        return self.approved_at is not None
