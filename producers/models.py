from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from deliveries.network.models import Located


class Label(models.Model):
    """A quality label a farm holds: organic AB, Nature & Progrès, Demeter..."""

    name = models.CharField(_("name"), max_length=80, unique=True)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("label")
        verbose_name_plural = _("labels")

    def __str__(self):
        return self.name


class Producer(Located):
    """A farm selling through the marketplace; its users are the Oscar partner's users."""

    partner = models.OneToOneField(
        "partner.Partner",
        on_delete=models.PROTECT,
        related_name="producer",
        verbose_name=_("Oscar partner"),
    )
    name = models.CharField(_("farm name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=140, unique=True)
    story = models.TextField(_("story"), blank=True)
    labels = models.ManyToManyField(
        Label, blank=True, related_name="producers", verbose_name=_("quality labels")
    )
    categories = models.ManyToManyField(
        "catalogue.Category",
        blank=True,
        related_name="producers",
        verbose_name=_("production types"),
    )
    photo = models.ImageField(_("photo"), upload_to="producers/", blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    website = models.URLField(_("website"), blank=True)
    is_active = models.BooleanField(_("shown in the directory"), default=True)
    date_created = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta(Located.Meta):
        ordering = ["name"]
        verbose_name = _("producer")
        verbose_name_plural = _("producers")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("producers:detail", kwargs={"slug": self.slug})


class Unit(models.TextChoices):
    KG = "kg", _("kg")
    PIECE = "piece", _("piece")
    BUNCH = "bunch", _("bunch")
    LITRE = "litre", _("litre")
    DOZEN = "dozen", _("dozen")


class VatRate(models.TextChoices):
    """French VAT rates; food is 5.5%."""

    REDUCED_FOOD = "5.50", _("5.5% (food)")
    SUPER_REDUCED = "2.10", _("2.1%")
    INTERMEDIATE = "10.00", _("10% (prepared food, some drinks)")
    STANDARD = "20.00", _("20% (alcohol, non-food)")


class ProductSheet(models.Model):
    """What a producer says about one of their products beyond Oscar's own fields."""

    product = models.OneToOneField(
        "catalogue.Product",
        on_delete=models.CASCADE,
        related_name="sheet",
        verbose_name=_("product"),
    )
    producer = models.ForeignKey(
        Producer, on_delete=models.CASCADE, related_name="sheets", verbose_name=_("producer")
    )
    unit = models.CharField(_("sold by"), max_length=10, choices=Unit.choices, default=Unit.KG)
    vat_rate = models.DecimalField(
        _("VAT rate (%)"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("5.50"),
        validators=[MinValueValidator(0), MaxValueValidator(20)],
    )

    class Meta:
        verbose_name = _("product sheet")
        verbose_name_plural = _("product sheets")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(vat_rate__gte=0) & models.Q(vat_rate__lte=20),
                name="product_sheet_vat_rate_in_range",
            ),
        ]

    def __str__(self):
        return f"{self.product} ({self.producer})"


class LineStatus(models.TextChoices):
    """Statuses of an order line (Oscar's OSCAR_LINE_STATUS_PIPELINE holds the moves)."""

    PENDING = "pending", _("to prepare")
    PREPARED = "prepared", _("prepared")
    CANCELLED = "cancelled", _("cancelled")


class DayQuota(models.Model):
    """How much of a product its producer brings to one distribution day, on top of the
    general stock: orders for that day stop at the quota."""

    product = models.ForeignKey(
        "catalogue.Product",
        on_delete=models.CASCADE,
        related_name="day_quotas",
        verbose_name=_("product"),
    )
    distribution_day = models.ForeignKey(
        "deliveries.DistributionDay",
        on_delete=models.CASCADE,
        related_name="quotas",
        verbose_name=_("distribution day"),
    )
    quantity = models.PositiveIntegerField(_("quantity brought"))

    class Meta:
        verbose_name = _("quota for a distribution day")
        verbose_name_plural = _("quotas for distribution days")
        constraints = [
            models.UniqueConstraint(
                fields=["distribution_day", "product"], name="one_quota_per_product_and_day"
            ),
        ]

    def __str__(self):
        return f"{self.product} – {self.distribution_day}: {self.quantity}"


class PackingList(models.Model):
    """What a producer brings to one distribution day, built when its orders close.

    The lines are read from the day's orders (they cannot change after the cut-off); this row
    says the list exists and when it was emailed, so that building it twice sends nothing more.
    """

    producer = models.ForeignKey(
        Producer, on_delete=models.CASCADE, related_name="packing_lists", verbose_name=_("producer")
    )
    distribution_day = models.ForeignKey(
        "deliveries.DistributionDay",
        on_delete=models.CASCADE,
        related_name="packing_lists",
        verbose_name=_("distribution day"),
    )
    built_at = models.DateTimeField(_("built at"), auto_now_add=True)
    emailed_at = models.DateTimeField(_("emailed at"), null=True, blank=True)

    class Meta:
        ordering = ["distribution_day__starts_at", "distribution_day__pickup_point__name"]
        verbose_name = _("packing list")
        verbose_name_plural = _("packing lists")
        constraints = [
            models.UniqueConstraint(
                fields=["producer", "distribution_day"], name="one_packing_list_per_producer_day"
            ),
        ]

    def __str__(self):
        return f"{self.producer} – {self.distribution_day}"
