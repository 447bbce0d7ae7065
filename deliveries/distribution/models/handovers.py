"""What is handed over on a distribution day: each basket or order on the pickup list, ticked
collected by a volunteer, and the fate of what nobody collected."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from deliveries.network.models.days import DistributionDay


class LeftoverFate(models.TextChoices):
    KEPT = "kept", _("kept for the member")
    GIVEN = "given", _("given to a named person")
    FOOD_AID = "food_aid", _("given to the food-aid partner")


class Handover(models.Model):
    """One line of a day's pickup list: a subscription basket or an à la carte order."""

    distribution_day = models.ForeignKey(
        DistributionDay, on_delete=models.CASCADE, related_name="handovers"
    )
    basket_delivery = models.OneToOneField(
        "baskets.BasketDelivery",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="handover",
    )
    pickup_order = models.OneToOneField(
        "deliveries.PickupOrder",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="handover",
    )
    collected_at = models.DateTimeField(_("collected at"), null=True, blank=True)
    collected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ticked by"),
    )
    # The phone's time of the last tick applied: a tick replayed late never undoes a newer one.
    changed_at = models.DateTimeField(null=True, blank=True)
    fate = models.CharField(
        _("if not collected"), max_length=10, choices=LeftoverFate.choices, blank=True
    )
    fate_recipient = models.CharField(_("given to"), max_length=120, blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("handover")
        verbose_name_plural = _("handovers")
        constraints = [
            models.CheckConstraint(
                condition=(Q(basket_delivery__isnull=False) & Q(pickup_order__isnull=True))
                | (Q(basket_delivery__isnull=True) & Q(pickup_order__isnull=False)),
                name="handover_is_a_basket_or_an_order",
            ),
        ]

    def __str__(self):
        return f"{self.distribution_day}: {self.basket_delivery or self.pickup_order}"

    @property
    def is_collected(self) -> bool:
        return self.collected_at is not None


class HandoverTick(models.Model):
    """Each tick or untick a volunteer made, under the phone's own id for it: a tick sent twice
    (a retry, a replay after going offline) is recorded once."""

    operation = models.UUIDField(unique=True)
    handover = models.ForeignKey(Handover, on_delete=models.CASCADE, related_name="ticks")
    collected = models.BooleanField()
    ticked_at = models.DateTimeField(_("ticked at (phone)"))
    received_at = models.DateTimeField(auto_now_add=True)
    volunteer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["ticked_at", "pk"]
        verbose_name = _("tick")
        verbose_name_plural = _("ticks")

    def __str__(self):
        ticked_at = timezone.localtime(self.ticked_at)
        return f"{self.handover}: {'✓' if self.collected else '✗'} {ticked_at:%H:%M:%S}"
