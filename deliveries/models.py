"""Pickup points, their schedules and closures, and the distribution days they make."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class Located(models.Model):
    """An address in France and its position, for distances and maps (farms, pickup points)."""

    address = models.CharField(_("address"), max_length=200, blank=True)
    postcode = models.CharField(_("postcode"), max_length=10)
    town = models.CharField(_("town"), max_length=100)
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | Q(latitude__range=(-90, 90)),
                name="%(app_label)s_%(class)s_latitude_in_range",
            ),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True) | Q(longitude__range=(-180, 180)),
                name="%(app_label)s_%(class)s_longitude_in_range",
            ),
        ]

    @property
    def has_location(self) -> bool:
        return self.latitude is not None and self.longitude is not None


class Collective(models.Model):
    """The AMAP or collective that runs one or more pickup points."""

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=140, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("AMAP or collective")
        verbose_name_plural = _("AMAPs and collectives")

    def __str__(self):
        return self.name


class GeocodingStatus(models.TextChoices):
    PENDING = "pending", _("being located")
    OK = "ok", _("located")
    TO_CHECK = "to_check", _("address to check")


class PickupPoint(Located):
    """A distribution point (lieu de distribution) where members collect what they ordered."""

    collective = models.ForeignKey(
        Collective,
        on_delete=models.PROTECT,
        related_name="pickup_points",
        verbose_name=_("AMAP or collective"),
    )
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=140, unique=True)
    address = models.CharField(_("address"), max_length=200)
    geocoding_status = models.CharField(
        _("location"),
        max_length=10,
        choices=GeocodingStatus.choices,
        default=GeocodingStatus.PENDING,
    )
    access_notes = models.TextField(_("access (accessibility, parking)"), blank=True)
    capacity = models.PositiveIntegerField(
        _("households per distribution"), default=60, validators=[MinValueValidator(1)]
    )
    coordinators = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="coordinated_pickup_points",
        verbose_name=_("coordinators"),
    )
    volunteers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="volunteer_pickup_points",
        verbose_name=_("volunteers"),
    )
    contact_email = models.EmailField(_("contact email"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    food_aid_partner = models.CharField(
        _("food-aid partner"),
        max_length=160,
        blank=True,
        help_text=_("The association that receives baskets members give away (food bank...)."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta(Located.Meta):
        ordering = ["name"]
        verbose_name = _("pickup point")
        verbose_name_plural = _("pickup points")
        indexes = [models.Index(fields=["latitude", "longitude"], name="pickup_point_location")]

    def __str__(self):
        return self.name


class Frequency(models.TextChoices):
    WEEKLY = "weekly", _("every week")
    FORTNIGHTLY = "fortnightly", _("every other week")


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class Schedule(models.Model):
    """When a pickup point distributes: a weekday and a time window, weekly or fortnightly.

    Fortnightly schedules distribute on ``valid_from``'s week and every other week after it.
    The order cut-off is a number of hours before the start, counted on the wall clock of
    Europe/Paris (48 hours before Monday 18:00 is Saturday 18:00, even across a DST change).
    """

    pickup_point = models.ForeignKey(
        PickupPoint, on_delete=models.CASCADE, related_name="schedules"
    )
    frequency = models.CharField(
        _("frequency"), max_length=12, choices=Frequency.choices, default=Frequency.WEEKLY
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    start_time = models.TimeField(_("starts at"))
    end_time = models.TimeField(_("ends at"))
    cutoff_hours = models.PositiveIntegerField(
        _("orders close (hours before)"), default=48, validators=[MaxValueValidator(24 * 14)]
    )
    valid_from = models.DateField(_("from"))
    valid_until = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        ordering = ["pickup_point", "weekday", "start_time"]
        verbose_name = _("distribution schedule")
        verbose_name_plural = _("distribution schedules")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_time__gt=F("start_time")), name="schedule_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=F("valid_from")),
                name="schedule_valid_until_after_from",
            ),
            models.CheckConstraint(condition=Q(weekday__lte=6), name="schedule_weekday_in_week"),
        ]

    def __str__(self):
        return f"{self.pickup_point} – {self.get_weekday_display()} {self.start_time:%H:%M}"


class Closure(models.Model):
    """Days without distribution (holidays, a cancelled day): one pickup point, or every
    pickup point of a collective."""

    pickup_point = models.ForeignKey(
        PickupPoint, on_delete=models.CASCADE, null=True, blank=True, related_name="closures"
    )
    collective = models.ForeignKey(
        Collective, on_delete=models.CASCADE, null=True, blank=True, related_name="closures"
    )
    start_date = models.DateField(_("first day"))
    end_date = models.DateField(_("last day"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        ordering = ["start_date"]
        verbose_name = _("closure")
        verbose_name_plural = _("closures")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")), name="closure_ends_after_start"
            ),
            models.CheckConstraint(
                condition=(Q(pickup_point__isnull=True) & Q(collective__isnull=False))
                | (Q(pickup_point__isnull=False) & Q(collective__isnull=True)),
                name="closure_for_a_point_or_a_collective",
            ),
        ]

    def __str__(self):
        where = self.pickup_point or self.collective
        return f"{where}: {self.start_date} – {self.end_date}"

    def covers(self, day) -> bool:
        return self.start_date <= day <= self.end_date


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
