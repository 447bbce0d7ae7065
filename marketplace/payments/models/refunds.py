"""Money given back to a member's card or bank account through Stripe, from an instalment's
charge: when a subscription's dues went below what was paid (a day cancelled, baskets not
brought, a commitment ended early). One row per refund, written and committed before Stripe is
called, with a deterministic idempotency key, so that a run retried refunds once."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from marketplace.payments.models.charges import Charge


class ChargeRefundState(models.TextChoices):
    PENDING = "pending", _("sent to Stripe, answer not known yet")
    REFUNDED = "refunded", _("refunded")
    FAILED = "failed", _("refused by Stripe")


class ChargeRefund(models.Model):
    """The ``number``-th refund of a charge (a subscription's dues can go down more than once),
    of ``amount``: never more, with the charge's other refunds, than the charge took."""

    charge = models.ForeignKey(
        Charge, on_delete=models.PROTECT, related_name="refunds", verbose_name=_("charge")
    )
    number = models.PositiveSmallIntegerField(_("number"))
    amount = models.DecimalField(_("amount"), max_digits=10, decimal_places=2)
    idempotency_key = models.CharField(_("idempotency key"), max_length=80, unique=True)
    state = models.CharField(
        _("state"),
        max_length=10,
        choices=ChargeRefundState.choices,
        default=ChargeRefundState.PENDING,
    )
    refund_id = models.CharField(_("Stripe refund"), max_length=255, blank=True)
    failure_code = models.CharField(_("failure code"), max_length=80, blank=True)
    created_at = models.DateTimeField(_("created at"))
    finished_at = models.DateTimeField(_("answer known at"), null=True, blank=True)

    class Meta:
        ordering = ["charge", "number"]
        verbose_name = _("refund by card or debit")
        verbose_name_plural = _("refunds by card or debit")
        constraints = [
            models.UniqueConstraint(
                fields=["charge", "number"], name="one_refund_per_charge_and_number"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="charge_refund_amount_positive"),
            models.CheckConstraint(
                condition=Q(number__gte=1), name="charge_refund_number_positive"
            ),
        ]
        indexes = [models.Index(fields=["state", "created_at"], name="charge_refund_state_at")]

    def __str__(self):
        return self.idempotency_key

    @staticmethod
    def key_for(charge_id: int, number: int) -> str:
        return f"refund-charge-{charge_id}-{number}"
