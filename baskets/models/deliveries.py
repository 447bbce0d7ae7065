"""Each subscription's basket on each distribution day, baskets handed to someone else, and the
products chosen for a basket."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from baskets.models.subscriptions import Subscription


class DeliveryStatus(models.TextChoices):
    TO_COLLECT = "to_collect", _("to collect")
    SKIPPED = "skipped", _("skipped")
    TRANSFERRED = "transferred", _("transferred")
    # The producer could not bring it (models/not_brought.py): not paid for.
    NOT_BROUGHT = "not_brought", _("not brought by the producer")


# What the producer brings: baskets their holder collects, and baskets given to someone else.
BROUGHT_STATUSES = (DeliveryStatus.TO_COLLECT, DeliveryStatus.TRANSFERRED)


class BasketDelivery(models.Model):
    """One subscription's baskets on one distribution day, made by the beat task."""

    subscription = models.ForeignKey(
        Subscription, on_delete=models.CASCADE, related_name="deliveries"
    )
    distribution_day = models.ForeignKey(
        "deliveries.DistributionDay", on_delete=models.CASCADE, related_name="basket_deliveries"
    )
    quantity = models.PositiveSmallIntegerField(_("baskets"))
    price = models.DecimalField(_("price"), max_digits=8, decimal_places=2)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=DeliveryStatus.choices,
        default=DeliveryStatus.TO_COLLECT,
    )

    class Meta:
        verbose_name = _("basket delivery")
        verbose_name_plural = _("basket deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "distribution_day"],
                name="one_basket_delivery_per_subscription_and_day",
            ),
        ]
        indexes = [
            models.Index(fields=["distribution_day", "status"], name="basket_delivery_day_status")
        ]

    def __str__(self):
        return f"{self.subscription} – {self.distribution_day}"


class TransferKind(models.TextChoices):
    NAMED = "named", _("to a person I name")
    OFFERED = "offered", _("offered to other members")
    FOOD_AID = "food_aid", _("given to the food-aid partner")


class BasketTransfer(models.Model):
    """A skipped basket given to someone else (panier cédé): the producer still brings it and
    the pickup list says who collects it."""

    subscription = models.ForeignKey(
        Subscription, on_delete=models.CASCADE, related_name="transfers"
    )
    distribution_day = models.ForeignKey(
        "deliveries.DistributionDay", on_delete=models.CASCADE, related_name="basket_transfers"
    )
    kind = models.CharField(_("given"), max_length=10, choices=TransferKind.choices)
    recipient_name = models.CharField(_("collected by"), max_length=120, blank=True)
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="claimed_baskets",
        verbose_name=_("claimed by"),
    )
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("transferred basket")
        verbose_name_plural = _("transferred baskets")
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "distribution_day"],
                name="one_transfer_per_subscription_and_day",
            ),
            models.CheckConstraint(
                condition=~Q(kind="named") | ~Q(recipient_name=""),
                name="named_transfer_has_a_recipient",
            ),
        ]

    def __str__(self):
        return f"{self.subscription} – {self.distribution_day}: {self.get_kind_display()}"

    @property
    def is_waiting_for_a_taker(self) -> bool:
        return self.kind == TransferKind.OFFERED and self.claimed_by_id is None


class DeliveryChoice(models.Model):
    """What a member of a variable contract takes of the plan's products: their usual choice
    (no day), or the choice for one delivery, which replaces it that day."""

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="choices")
    distribution_day = models.ForeignKey(
        "deliveries.DistributionDay",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="basket_choices",
    )
    product = models.ForeignKey(
        "catalogue.Product", on_delete=models.PROTECT, related_name="basket_choices"
    )
    quantity = models.PositiveSmallIntegerField(_("quantity"))

    class Meta:
        ordering = ["pk"]
        verbose_name = _("basket choice")
        verbose_name_plural = _("basket choices")
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "product"],
                condition=Q(distribution_day__isnull=True),
                name="one_usual_choice_per_product",
            ),
            models.UniqueConstraint(
                fields=["subscription", "distribution_day", "product"],
                condition=Q(distribution_day__isnull=False),
                name="one_day_choice_per_product",
            ),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="basket_choice_quantity"),
        ]

    def __str__(self):
        return f"{self.subscription}: {self.quantity} × {self.product}"
