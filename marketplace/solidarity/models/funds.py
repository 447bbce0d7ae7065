"""A solidarity fund (caisse de solidarité): the pickup points that draw on it, and the settings
its rate reviews keep to.

Rates are percentages (Decimal, two places, 0 to 100): a reduced-tier member pays the reference
price less the fund's rate in force (``rate``). The review moves ``rate`` within
[``rate_min``, ``rate_max``], at most ``rate_step`` per period, so that the fund's projected
balance stays at or above ``reserve``; when even ``rate_min`` would not hold, the fund closes to
new reduced-tier requests (``open_to_requests``), which wait.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

HUNDRED = Decimal("100")
ZERO = Decimal("0")


def percent_field(verbose_name, **kwargs):
    return models.DecimalField(
        verbose_name,
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(ZERO), MaxValueValidator(HUNDRED)],
        **kwargs,
    )


def fund_settings_errors(
    *, rate_min: Decimal, rate_max: Decimal, rate_step: Decimal, rate: Decimal, reserve: Decimal
) -> dict[str, str]:
    """What is wrong with a fund's settings, per field (empty when nothing is): used by the
    admin's form and the services alike, so that both say the same."""
    errors = {}
    for field, value in (("rate_min", rate_min), ("rate_max", rate_max), ("rate", rate)):
        if not ZERO <= value <= HUNDRED:
            errors[field] = _("A rate is a percentage between 0 and 100.")
    if "rate_min" not in errors and "rate_max" not in errors and rate_min > rate_max:
        errors["rate_max"] = _("The highest rate must not be below the lowest rate.")
    if not ZERO < rate_step <= HUNDRED:
        errors["rate_step"] = _("The step must be above 0 and at most 100 percent.")
    if not errors and not rate_min <= rate <= rate_max:
        errors["rate"] = _("The rate in force must lie between the lowest and the highest rate.")
    if reserve < 0:
        errors["reserve"] = _("The reserve cannot be below zero.")
    return errors


class Fund(models.Model):
    """A fund several pickup points may share (a network of AMAPs); each point draws on one."""

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=140, unique=True)
    pickup_points = models.ManyToManyField(
        "deliveries.PickupPoint",
        through="FundPoint",
        blank=True,
        related_name="solidarity_funds",
        verbose_name=_("pickup points"),
    )
    rate_min = percent_field(_("lowest reduced rate (%)"), default=Decimal("10.00"))
    rate_max = percent_field(_("highest reduced rate (%)"), default=Decimal("50.00"))
    rate_step = percent_field(_("largest change per review (points of %)"), default=Decimal("5.00"))
    rate = percent_field(_("reduced rate in force (%)"), default=Decimal("10.00"))
    reserve = models.DecimalField(
        _("reserve kept (€)"),
        max_digits=10,
        decimal_places=2,
        default=Decimal("0.00"),
        validators=[MinValueValidator(ZERO)],
    )
    review_days = models.PositiveSmallIntegerField(
        _("days between reviews"),
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(366)],
    )
    notice_days = models.PositiveSmallIntegerField(
        _("days of notice before a new rate applies"),
        default=7,
        validators=[MaxValueValidator(366)],
    )
    trusts_declarations = models.BooleanField(
        _("a member's declaration is enough"),
        default=False,
        help_text=_("Reduced-tier requests are approved at once, without a coordinator."),
    )
    open_to_requests = models.BooleanField(
        _("open to new reduced-tier requests"),
        default=True,
        help_text=_("Closed by the review when even the lowest rate would break the reserve."),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name = _("solidarity fund")
        verbose_name_plural = _("solidarity funds")
        constraints = [
            models.CheckConstraint(
                condition=Q(rate_min__gte=0, rate_max__lte=100, rate_min__lte=F("rate_max")),
                name="solidarity_fund_bounds_in_order",
            ),
            models.CheckConstraint(
                condition=Q(rate_step__gt=0, rate_step__lte=100),
                name="solidarity_fund_step_positive",
            ),
            models.CheckConstraint(
                condition=Q(rate__gte=F("rate_min"), rate__lte=F("rate_max")),
                name="solidarity_fund_rate_within_bounds",
            ),
            models.CheckConstraint(
                condition=Q(reserve__gte=0), name="solidarity_fund_reserve_not_negative"
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        values = (self.rate_min, self.rate_max, self.rate_step, self.rate, self.reserve)
        if any(value is None for value in values):
            return  # the fields' own errors say what is missing
        errors = fund_settings_errors(
            rate_min=self.rate_min,
            rate_max=self.rate_max,
            rate_step=self.rate_step,
            rate=self.rate,
            reserve=self.reserve,
        )
        if errors:
            raise ValidationError(errors)


class FundPoint(models.Model):
    """A pickup point drawing on a fund: at most one fund per point."""

    fund = models.ForeignKey(
        Fund, on_delete=models.CASCADE, related_name="points", verbose_name=_("fund")
    )
    pickup_point = models.OneToOneField(
        "deliveries.PickupPoint",
        on_delete=models.CASCADE,
        related_name="solidarity_fund_point",
        verbose_name=_("pickup point"),
    )
    attached_at = models.DateTimeField(_("drawing on the fund since"), default=timezone.now)

    class Meta:
        ordering = ["fund", "pickup_point"]
        verbose_name = _("pickup point of a fund")
        verbose_name_plural = _("pickup points of a fund")

    def __str__(self):
        return f"{self.pickup_point} → {self.fund}"
