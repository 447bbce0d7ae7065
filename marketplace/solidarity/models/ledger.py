"""A fund's ledger: every amount in or out, written once (a mistake is corrected by a new
entry), like the payments ledger.

Sign convention: an entry's amount is what it changes in the fund's balance.

- ``contribution``: positive, what a supporter-tier member paid above the reference price;
- ``donation`` and ``grant``: positive, recorded by a coordinator (a gift, a subsidy);
- ``reduction``: negative, what the fund paid a producer so that a reduced-tier member pays
  less than the reference price (the same amount is a "paid" entry, method "solidarity", in
  the payments ledger);
- ``correction``: either sign, never zero.

A fund's balance at a date is the sum of its entries dated (``on``) up to that date.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from marketplace.payments.errors import LedgerIsWrittenOnce
from marketplace.payments.models.fields import optional_link
from marketplace.solidarity.models.funds import Fund


class FundEntryKind(models.TextChoices):
    CONTRIBUTION = "contribution", _("supporter contribution")
    DONATION = "donation", _("donation")
    GRANT = "grant", _("grant")
    REDUCTION = "reduction", _("reduction paid out")
    CORRECTION = "correction", _("correction")


# What coordinators record by hand; contributions and reductions follow what members pay.
RECORDED_KINDS = (FundEntryKind.DONATION, FundEntryKind.GRANT, FundEntryKind.CORRECTION)
INCOME_KINDS = (FundEntryKind.CONTRIBUTION, FundEntryKind.DONATION, FundEntryKind.GRANT)


class FundEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise LedgerIsWrittenOnce("Fund entries are never changed: write a correction.")

    def delete(self):
        raise LedgerIsWrittenOnce("Fund entries are never deleted: write a correction.")


class FundEntry(models.Model):
    fund = models.ForeignKey(
        Fund, on_delete=models.PROTECT, related_name="entries", verbose_name=_("fund")
    )
    kind = models.CharField(_("kind"), max_length=12, choices=FundEntryKind.choices)
    amount = models.DecimalField(_("amount"), max_digits=10, decimal_places=2)
    on = models.DateField(_("date"), db_index=True)
    created_at = models.DateTimeField(_("written at"))
    subscription = optional_link("baskets.Subscription", "solidarity_entries", _("subscription"))
    order = optional_link("order.Order", "solidarity_entries", _("order"))
    # The basket delivered whose reduction or contribution this is (services.settlement):
    # one of each per delivery, whatever the nightly settlement is run.
    delivery = optional_link("baskets.BasketDelivery", "solidarity_entries", _("basket delivered"))
    # Its twin in the payments ledger (kind "solidarity"): the two ledgers reconcile to the cent.
    ledger_entry = models.OneToOneField(
        "payments.LedgerEntry",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="fund_entry",
        verbose_name=_("payments ledger entry"),
    )
    # An account closed keeps its row, emptied (marketplace.member_data); should the row ever
    # go, the entry stays, anonymous.
    member = optional_link(
        settings.AUTH_USER_MODEL, "solidarity_entries", _("member"), on_delete=models.SET_NULL
    )
    producer = optional_link("producers.Producer", "solidarity_entries", _("producer"))
    reference = models.CharField(_("reference"), max_length=80, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_by = optional_link(
        settings.AUTH_USER_MODEL, "+", _("recorded by"), on_delete=models.SET_NULL
    )

    objects = FundEntryQuerySet.as_manager()

    class Meta:
        ordering = ["on", "created_at", "pk"]
        verbose_name = _("fund entry")
        verbose_name_plural = _("fund entries")
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind__in=["contribution", "donation", "grant"]) & Q(amount__gt=0))
                | (Q(kind="reduction") & Q(amount__lt=0))
                | (Q(kind="correction") & ~Q(amount=0)),
                name="solidarity_entry_sign_follows_kind",
            ),
            models.UniqueConstraint(
                fields=["order", "producer"],
                condition=Q(
                    kind__in=["contribution", "reduction"],
                    delivery__isnull=True,
                    order__isnull=False,
                ),
                name="one_solidarity_entry_per_order_and_producer",
            ),
            models.UniqueConstraint(
                fields=["delivery", "kind"],
                condition=Q(kind__in=["contribution", "reduction"]),
                name="one_solidarity_entry_per_delivery_and_kind",
            ),
        ]
        indexes = [models.Index(fields=["fund", "on"], name="solidarity_entry_fund_on")]

    def __str__(self):
        return f"{self.on:%Y-%m-%d} {self.get_kind_display()} {self.amount} €"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise LedgerIsWrittenOnce("Fund entries are never changed: write a correction.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise LedgerIsWrittenOnce("Fund entries are never deleted: write a correction.")
