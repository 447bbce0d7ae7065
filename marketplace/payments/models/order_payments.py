"""An à la carte order paid by card: one payment per producer of the order, each authorised on
the member's card before the order is placed and captured once it is. A row is written and
committed before Stripe is called, with a deterministic idempotency key, so that a request sent
twice authorises, captures or refunds once."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from marketplace.payments.models.fields import optional_link


class OrderPaymentState(models.TextChoices):
    AUTHORISING = "authorising", _("sent to the bank, outcome not known yet")
    REQUIRES_ACTION = "requires_action", _("waiting for the member's authentication")
    AUTHORISED = "authorised", _("authorised, to be taken when the order is placed")
    CAPTURED = "captured", _("paid")
    CANCELLED = "cancelled", _("cancelled, nothing taken")
    FAILED = "failed", _("refused")


# Authorisations still holding money on the member's card.
HELD_STATES = (
    OrderPaymentState.AUTHORISING,
    OrderPaymentState.REQUIRES_ACTION,
    OrderPaymentState.AUTHORISED,
)


class OrderPayment(models.Model):
    """One producer's part of an order, paid by card. ``order_number`` comes before the order
    (Oscar numbers a basket before placing it); ``order`` is linked once it is placed.
    ``attempt`` is the SetupIntent that saved the card for this try: another card is another
    attempt, with its own keys."""

    order_number = models.CharField(_("order number"), max_length=128, db_index=True)
    order = optional_link("order.Order", "card_payments", _("order"))
    attempt = models.CharField(_("attempt"), max_length=255)
    member = optional_link(
        settings.AUTH_USER_MODEL, "order_payments", _("member"), on_delete=models.SET_NULL
    )
    producer = models.ForeignKey(
        "producers.Producer",
        on_delete=models.PROTECT,
        related_name="order_payments",
        verbose_name=_("producer"),
    )
    producer_account = models.CharField(_("connected account"), max_length=255)
    amount = models.DecimalField(_("amount"), max_digits=10, decimal_places=2)
    customer_id = models.CharField(_("Stripe customer"), max_length=255)
    payment_method_id = models.CharField(_("Stripe payment method"), max_length=255)
    idempotency_key = models.CharField(_("idempotency key"), max_length=255, unique=True)
    payment_intent_id = models.CharField(_("Stripe payment"), max_length=255, blank=True)
    state = models.CharField(
        _("state"),
        max_length=16,
        choices=OrderPaymentState.choices,
        default=OrderPaymentState.AUTHORISING,
    )
    failure_code = models.CharField(_("failure code"), max_length=80, blank=True)
    failure_message = models.CharField(_("what the member reads"), max_length=300, blank=True)
    # Refunds: ``refunding_to`` (the total refunded once the refund under way is done) is
    # committed before Stripe is asked, and names the refund's idempotency key.
    refunded = models.DecimalField(
        _("refunded"), max_digits=10, decimal_places=2, default=Decimal("0.00")
    )
    refunding_to = models.DecimalField(
        _("refund under way, up to"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    created_at = models.DateTimeField(_("created at"))
    captured_at = models.DateTimeField(_("paid at"), null=True, blank=True)

    class Meta:
        ordering = ["order_number", "producer"]
        verbose_name = _("order payment by card")
        verbose_name_plural = _("order payments by card")
        constraints = [
            models.UniqueConstraint(
                fields=["attempt", "producer"], name="one_card_payment_per_attempt_and_producer"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="order_payment_amount_positive"),
            models.CheckConstraint(
                condition=Q(refunded__gte=0) & Q(refunded__lte=models.F("amount")),
                name="order_payment_refund_within_amount",
            ),
        ]
        indexes = [
            models.Index(fields=["state", "created_at"], name="order_payment_state_created"),
            models.Index(fields=["payment_intent_id"], name="order_payment_intent"),
        ]

    def __str__(self):
        return self.idempotency_key

    @staticmethod
    def key_for(order_number: str, attempt: str, producer_id: int) -> str:
        return f"order-{order_number}-{attempt}-producer-{producer_id}"

    def refund_key(self, refunded_to: Decimal) -> str:
        return f"order-payment-{self.pk}-refunded-to-{int(refunded_to * 100)}"

    @property
    def is_held(self) -> bool:
        return self.state in HELD_STATES
