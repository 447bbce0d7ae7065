"""A contract's baskets its producer could not bring to a pickup point on one distribution day
(a hailstorm, a van broken down): recorded once, with the reason members read. The day's
baskets of the contract there are then ``not_brought``, and the day leaves what the
subscriptions pay for (marketplace.payments.selectors.schedules.season_deliveries)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from baskets.models.plans import Contract


class BasketsNotBrought(models.Model):
    distribution_day = models.ForeignKey(
        "deliveries.DistributionDay",
        on_delete=models.CASCADE,
        related_name="baskets_not_brought",
        verbose_name=_("distribution"),
    )
    contract = models.ForeignKey(
        Contract,
        on_delete=models.CASCADE,
        related_name="baskets_not_brought",
        verbose_name=_("contract"),
    )
    reason = models.CharField(_("why"), max_length=300)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"))

    class Meta:
        ordering = ["distribution_day__date", "pk"]
        verbose_name = _("baskets not brought")
        verbose_name_plural = _("baskets not brought")
        constraints = [
            models.UniqueConstraint(
                fields=["distribution_day", "contract"],
                name="baskets_not_brought_once_per_day_and_contract",
            ),
        ]

    def __str__(self):
        return f"{self.contract} – {self.distribution_day}"
