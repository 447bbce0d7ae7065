"""A producer's basket plans, the seasons (contracts) that bind a plan to pickup points, and
what each week's basket holds."""

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
