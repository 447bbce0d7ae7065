"""À la carte: the products a fund's coordinators open to its tiers (staples), and each order
line a member bought at their tier's price.

``EligibleProduct``: the shop's pricing strategy gives the fund's reduced-tier members the
reduced price on it, and its supporters their price above. ``SolidarityLine``: written when the
order is placed, with both unit prices, so that the fund's part is known whatever the
product's price becomes; the nightly settlement writes it once the distribution has begun
(``services.settlement``): a reduction the fund pays the producer, or a supporter's
contribution the producer passes on to the fund.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from marketplace.solidarity.models.funds import Fund


class EligibleProduct(models.Model):
    fund = models.ForeignKey(
        Fund, on_delete=models.CASCADE, related_name="eligible_products", verbose_name=_("fund")
    )
    product = models.ForeignKey(
        "catalogue.Product",
        on_delete=models.CASCADE,
        related_name="solidarity_funds",
        verbose_name=_("product"),
    )
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("marked by"),
    )
    marked_at = models.DateTimeField(_("marked at"), default=timezone.now)

    class Meta:
        verbose_name = _("product open to the reduced tier")
        verbose_name_plural = _("products open to the reduced tier")
        constraints = [
            models.UniqueConstraint(fields=["fund", "product"], name="one_eligibility_per_fund")
        ]

    def __str__(self):
        return f"{self.product} ({self.fund})"


class SolidarityLine(models.Model):
    line = models.OneToOneField(
        "order.Line",
        on_delete=models.CASCADE,
        related_name="solidarity_price",
        verbose_name=_("order line"),
    )
    fund = models.ForeignKey(
        Fund, on_delete=models.PROTECT, related_name="reduced_lines", verbose_name=_("fund")
    )
    reference_unit_price = models.DecimalField(
        _("reference unit price"), max_digits=10, decimal_places=2
    )
    member_unit_price = models.DecimalField(
        _("member's unit price"), max_digits=10, decimal_places=2
    )

    class Meta:
        verbose_name = _("order line at a solidarity price")
        verbose_name_plural = _("order lines at a solidarity price")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(member_unit_price=models.F("reference_unit_price"))
                & models.Q(member_unit_price__gte=0),
                name="solidarity_line_not_at_reference",
            )
        ]

    def __str__(self):
        return f"{self.line} ({self.member_unit_price}, not {self.reference_unit_price})"
