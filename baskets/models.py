"""AMAP basket subscriptions: a producer's basket plans, the seasons (contracts) that bind a
plan to pickup points, and members' subscriptions to them.

A subscription basket is not Oscar's cart: nothing here touches ``basket.Basket``.
"""

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class PlanFrequency(models.TextChoices):
    EVERY_DAY = "every", _("every distribution day")
    EVERY_OTHER_DAY = "every_other", _("every other distribution day")


class BasketPlan(models.Model):
    """A share type a producer offers: small vegetable basket, egg share, bread share..."""

    producer = models.ForeignKey(
        "producers.Producer",
        on_delete=models.PROTECT,
        related_name="basket_plans",
        verbose_name=_("producer"),
    )
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    size = models.CharField(_("size"), max_length=80, blank=True, help_text=_("e.g. 4 to 5 kg"))
    reference_price = models.DecimalField(
        _("price per delivery"),
        max_digits=8,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
        help_text=_("What the producer receives for one basket."),
    )
    frequency = models.CharField(
        _("frequency"),
        max_length=12,
        choices=PlanFrequency.choices,
        default=PlanFrequency.EVERY_DAY,
    )
    products = models.ManyToManyField(
        "catalogue.Product",
        blank=True,
        related_name="basket_plans",
        verbose_name=_("products a member may choose (variable contracts)"),
    )
    is_active = models.BooleanField(_("offered"), default=True)

    class Meta:
        ordering = ["producer", "name"]
        verbose_name = _("basket plan")
        verbose_name_plural = _("basket plans")
        constraints = [
            models.CheckConstraint(
                condition=Q(reference_price__gt=0), name="basket_plan_price_positive"
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.producer})"


class ContractKind(models.TextChoices):
    FIXED = "fixed", _("fixed: the same basket each time")
    VARIABLE = "variable", _("variable: the member chooses quantities for each delivery")


class Contract(models.Model):
    """A season of a plan at one or more pickup points: what members sign up for."""

    plan = models.ForeignKey(
        BasketPlan, on_delete=models.PROTECT, related_name="contracts", verbose_name=_("plan")
    )
    name = models.CharField(_("season"), max_length=120)
    starts_on = models.DateField(_("first delivery on or after"))
    ends_on = models.DateField(_("last delivery on or before"))
    signup_opens_on = models.DateField(_("sign-up opens"))
    signup_closes_on = models.DateField(_("sign-up closes"))
    kind = models.CharField(
        _("kind"), max_length=10, choices=ContractKind.choices, default=ContractKind.FIXED
    )
    minimum_per_delivery = models.DecimalField(
        _("minimum per delivery (variable contracts)"),
        max_digits=8,
        decimal_places=2,
        default=Decimal("0.00"),
        validators=[MinValueValidator(0)],
    )
    absence_allowance = models.PositiveSmallIntegerField(
        _("deliveries a member may skip"), default=4, validators=[MaxValueValidator(52)]
    )
    absence_deadline_hours = models.PositiveIntegerField(
        _("skip until (hours before the distribution)"),
        default=48,
        validators=[MaxValueValidator(24 * 14)],
    )
    pickup_points = models.ManyToManyField(
        "deliveries.PickupPoint",
        through="ContractPickupPoint",
        related_name="contracts",
        verbose_name=_("pickup points"),
    )
    coordinators = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="coordinated_contracts",
        verbose_name=_("coordinators (référents)"),
    )

    class Meta:
        ordering = ["-starts_on", "name"]
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="contract_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(signup_closes_on__gte=F("signup_opens_on")),
                name="contract_signup_closes_after_opening",
            ),
        ]

    def __str__(self):
        return f"{self.plan.name} – {self.name}"


class ContractPickupPoint(models.Model):
    """A contract at one pickup point, with how many baskets it can take there: a place is a
    basket (a share), so a household taking 3 baskets uses 3 places.

    Its row is the lock taken when members sign up, so that two members never both get the
    last place.
    """

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="places")
    pickup_point = models.ForeignKey(
        "deliveries.PickupPoint", on_delete=models.PROTECT, related_name="contract_places"
    )
    capacity = models.PositiveIntegerField(
        _("baskets"),
        default=30,
        validators=[MinValueValidator(1)],
        help_text=_("Baskets per distribution: a household taking 3 baskets uses 3."),
    )

    class Meta:
        verbose_name = _("pickup point of a contract")
        verbose_name_plural = _("pickup points of a contract")
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "pickup_point"], name="one_place_per_contract_and_point"
            ),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="contract_capacity_positive"),
        ]

    def __str__(self):
        return f"{self.contract} @ {self.pickup_point}"


class SubscriptionState(models.TextChoices):
    WAITING = "waiting", _("on the waiting list")
    ACTIVE = "active", _("active")
    PAUSED = "paused", _("paused")
    ENDED = "ended", _("ended")
    CANCELLED = "cancelled", _("cancelled")


HOLDING_STATES = (SubscriptionState.ACTIVE, SubscriptionState.PAUSED)


class Sharing(models.TextChoices):
    ALONE = "alone", _("not shared")
    ALTERNATE = "alternate", _("in turns, one delivery each")
    SPLIT = "split", _("split each basket")


class Subscription(models.Model):
    """A member's commitment to a contract at a pickup point."""

    contract = models.ForeignKey(
        Contract, on_delete=models.PROTECT, related_name="subscriptions", verbose_name=_("contract")
    )
    pickup_point = models.ForeignKey(
        "deliveries.PickupPoint",
        on_delete=models.PROTECT,
        related_name="subscriptions",
        verbose_name=_("pickup point"),
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="subscriptions",
        verbose_name=_("member"),
    )
    co_holder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="shared_subscriptions",
        verbose_name=_("co-holder"),
    )
    sharing = models.CharField(
        _("sharing"), max_length=10, choices=Sharing.choices, default=Sharing.ALONE
    )
    quantity = models.PositiveSmallIntegerField(
        _("baskets per delivery"), default=1, validators=[MinValueValidator(1)]
    )
    state = models.CharField(
        _("state"),
        max_length=10,
        choices=SubscriptionState.choices,
        default=SubscriptionState.ACTIVE,
    )
    agreed_at = models.DateTimeField(_("terms agreed at"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    offer_expires_at = models.DateTimeField(
        _("place offered until"), null=True, blank=True, help_text=_("waiting list")
    )
    # A change never reaches a day whose baskets the producer has already prepared (its change
    # deadline has passed): a holder's baskets start, and stop, at the next open day.
    first_delivery_on = models.DateField(
        _("first delivery on or after"),
        null=True,
        blank=True,
        help_text=_("Set when the place is taken: the first day still open for changes."),
    )
    last_delivery_on = models.DateField(
        _("last delivery on or before"),
        null=True,
        blank=True,
        help_text=_("Set when the commitment ends: the last day already prepared."),
    )
    end_notified_at = models.DateTimeField(_("told of its end at"), null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "member"],
                condition=~Q(state__in=["cancelled", "ended"]),
                name="one_live_subscription_per_member_and_contract",
            ),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="subscription_quantity"),
        ]
        indexes = [
            models.Index(
                fields=["contract", "pickup_point", "state"], name="subscription_place_state"
            )
        ]

    def __str__(self):
        return f"{self.member} – {self.contract}"

    def delivers_on(self, day: date) -> bool:
        """Whether a delivery date of its contract falls within the days this subscription
        holds (from when its place was taken to when it ended)."""
        if self.first_delivery_on is not None and day < self.first_delivery_on:
            return False
        return self.last_delivery_on is None or day <= self.last_delivery_on


class AbsenceKind(models.TextChoices):
    SKIP = "skip", _("skipped delivery")
    PAUSE = "pause", _("pause")


class Absence(models.Model):
    """Dates a member does not collect: one skipped delivery (first day = last day) or a pause."""

    subscription = models.ForeignKey(
        Subscription, on_delete=models.CASCADE, related_name="absences"
    )
    kind = models.CharField(
        _("kind"), max_length=5, choices=AbsenceKind.choices, default=AbsenceKind.SKIP
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["starts_on"]
        verbose_name = _("absence")
        verbose_name_plural = _("absences")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="absence_ends_after_start"
            ),
        ]

    def __str__(self):
        return f"{self.subscription}: {self.starts_on} – {self.ends_on}"


class DeliveryStatus(models.TextChoices):
    TO_COLLECT = "to_collect", _("to collect")
    SKIPPED = "skipped", _("skipped")
    TRANSFERRED = "transferred", _("transferred")


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


class DeliveryComposition(models.Model):
    """What is in a plan's basket on one date, announced by the producer beforehand."""

    plan = models.ForeignKey(
        BasketPlan, on_delete=models.CASCADE, related_name="compositions", verbose_name=_("plan")
    )
    date = models.DateField(_("delivery date"))
    note = models.CharField(_("note for members"), max_length=300, blank=True)
    announced_at = models.DateTimeField(_("announced at"), auto_now=True)

    class Meta:
        ordering = ["date", "plan"]
        verbose_name = _("basket composition")
        verbose_name_plural = _("basket compositions")
        constraints = [
            models.UniqueConstraint(fields=["plan", "date"], name="one_composition_per_plan_date")
        ]

    def __str__(self):
        return f"{self.plan.name} – {self.date}"


class CompositionLine(models.Model):
    composition = models.ForeignKey(
        DeliveryComposition, on_delete=models.CASCADE, related_name="lines"
    )
    name = models.CharField(_("product"), max_length=120)
    quantity = models.DecimalField(
        _("quantity"), max_digits=7, decimal_places=2, validators=[MinValueValidator(0)]
    )
    unit = models.CharField(
        _("unit"), max_length=20, blank=True, help_text=_("kg, bunch, piece...")
    )

    class Meta:
        ordering = ["pk"]
        verbose_name = _("composition line")
        verbose_name_plural = _("composition lines")
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gt=0), name="composition_line_quantity_positive"
            )
        ]

    def __str__(self):
        return f"{self.name} {self.quantity.normalize():f} {self.unit}".strip()


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
