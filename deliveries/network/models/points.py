"""Where members collect: AMAPs and collectives, their pickup points, the schedules and
closures those points keep."""

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


class VolunteerSignUp(models.TextChoices):
    MEMBERS = "members", _("members of the point sign up freely")
    APPROVAL = "approval", _("a coordinator approves each volunteer")


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
    volunteers_needed = models.PositiveSmallIntegerField(
        _("volunteers needed per distribution"), default=2, validators=[MaxValueValidator(20)]
    )
    shift_changes_close_hours = models.PositiveSmallIntegerField(
        _("volunteers sign up or withdraw until (hours before)"),
        default=24,
        validators=[MaxValueValidator(24 * 7)],
    )
    # Volunteers read the day's list of households: who may become one is the point's choice.
    volunteer_sign_up = models.CharField(
        _("volunteers"),
        max_length=10,
        choices=VolunteerSignUp.choices,
        default=VolunteerSignUp.MEMBERS,
        help_text=_(
            "Members hold a basket subscription at the point. With approval, anyone who asks "
            "waits for a coordinator's yes before seeing the pickup list."
        ),
    )
    volunteer_instructions = models.TextField(
        _("instructions for volunteers"),
        blank=True,
        help_text=_("Keys, opening the hall, where the crates go: sent with the reminder."),
    )
    abbreviate_names = models.BooleanField(
        _("abbreviate members' names on the pickup list"),
        default=False,
        help_text=_("Léa G. instead of Léa Guérin."),
    )
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
