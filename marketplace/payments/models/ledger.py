"""The ledger: every amount due, paid, refunded or handed over, written once.

Sign convention: an entry's amount is what it changes in what the member owes.

- ``due``: positive (an instalment of a season, a producer's part of an order);
- ``paid``: negative (money the member gave, by any method);
- ``refunded``: positive (money given back to the member: they have paid that much less);
- ``correction``: either sign, on what is due (an order line cancelled: negative);
- ``handed_over``: positive, the amount of cheques, cash or local currency the coordinators
  handed to the producer. It moves money between hands, not what the member owes: it stays out
  of the member's balance (``MEMBER_BALANCE_KINDS``).
- ``solidarity``: the solidarity fund's part of a basket (marketplace.solidarity), method
  "solidarity", on the subscription but out of the member's balance too: positive, what the
  fund paid the producer so that a reduced-tier member pays less than the reference price;
  negative, what a supporter-tier member paid the producer above it, which goes to the fund.
  Either way the producer receives the reference price, and the member's account shows what
  they owe and paid themselves.

So a member's outstanding amount is the sum of their entries of the balance kinds, and what
the coordinators still hold for a producer is minus their manual ``paid`` entries, less the
``handed_over`` ones.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from marketplace.payments.errors import LedgerIsWrittenOnce
from marketplace.payments.models.fields import optional_link
from marketplace.payments.models.manual import ManualPayment
from marketplace.payments.models.schedules import Instalment
from marketplace.payments.models.terms import PaymentMethod


class EntryKind(models.TextChoices):
    DUE = "due", _("due")
    PAID = "paid", _("paid")
    REFUNDED = "refunded", _("refunded")
    HANDED_OVER = "handed_over", _("handed over to the producer")
    CORRECTION = "correction", _("correction")
    SOLIDARITY = "solidarity", _("solidarity fund's part")


MEMBER_BALANCE_KINDS = (EntryKind.DUE, EntryKind.PAID, EntryKind.REFUNDED, EntryKind.CORRECTION)


class LedgerQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise LedgerIsWrittenOnce("Ledger entries are never changed: write a correction.")

    def delete(self):
        raise LedgerIsWrittenOnce("Ledger entries are never deleted: write a correction.")

    def balance_kinds(self):
        return self.filter(kind__in=MEMBER_BALANCE_KINDS)


class LedgerEntry(models.Model):
    created_at = models.DateTimeField(_("written at"), db_index=True)
    kind = models.CharField(_("kind"), max_length=12, choices=EntryKind.choices)
    amount = models.DecimalField(_("amount"), max_digits=10, decimal_places=2)
    method = models.CharField(_("method"), max_length=16, choices=PaymentMethod.choices, blank=True)
    # An account closed keeps its row, emptied (marketplace.member_data): the entries stay with
    # the "former member"; should the row ever go, the entries stay, anonymous.
    member = optional_link(
        settings.AUTH_USER_MODEL, "ledger_entries", _("member"), on_delete=models.SET_NULL
    )
    producer = models.ForeignKey(
        "producers.Producer",
        on_delete=models.PROTECT,
        related_name="ledger_entries",
        verbose_name=_("producer"),
    )
    subscription = optional_link("baskets.Subscription", "ledger_entries", _("subscription"))
    order = optional_link("order.Order", "ledger_entries", _("order"))
    instalment = optional_link(Instalment, "ledger_entries", _("instalment"))
    manual_payment = optional_link(ManualPayment, "ledger_entries", _("manual payment"))
    reference = models.CharField(_("reference"), max_length=80, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_by = optional_link(
        settings.AUTH_USER_MODEL, "+", _("recorded by"), on_delete=models.SET_NULL
    )

    objects = LedgerQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        constraints = [
            models.CheckConstraint(
                condition=Q(subscription__isnull=True, order__isnull=False)
                | Q(subscription__isnull=False, order__isnull=True),
                name="ledger_entry_for_a_subscription_or_an_order",
            ),
            models.CheckConstraint(
                condition=(Q(kind__in=["due", "refunded", "handed_over"]) & Q(amount__gt=0))
                | (Q(kind="paid") & Q(amount__lt=0))
                | Q(kind="correction")
                | (Q(kind="solidarity") & ~Q(amount=0) & Q(method="solidarity")),
                name="ledger_entry_sign_follows_kind",
            ),
            # What makes scheduling and order placement idempotent: one "due" each.
            models.UniqueConstraint(
                fields=["instalment"],
                condition=Q(kind="due"),
                name="one_due_entry_per_instalment",
            ),
            models.UniqueConstraint(
                fields=["order", "producer"],
                condition=Q(kind="due"),
                name="one_due_entry_per_order_and_producer",
            ),
            models.UniqueConstraint(
                fields=["manual_payment"],
                condition=Q(kind="handed_over"),
                name="one_handover_entry_per_manual_payment",
            ),
        ]
        indexes = [
            models.Index(fields=["member", "kind"], name="ledger_entry_member_kind"),
            models.Index(fields=["producer", "created_at"], name="ledger_entry_producer_at"),
        ]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d} {self.get_kind_display()} {self.amount} €"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise LedgerIsWrittenOnce("Ledger entries are never changed: write a correction.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise LedgerIsWrittenOnce("Ledger entries are never deleted: write a correction.")
