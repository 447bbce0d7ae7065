"""Payments a coordinator records by hand: cheques, cash, bank transfers, local currency."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from marketplace.payments.models.fields import optional_link
from marketplace.payments.models.terms import LocalCurrency, PaymentMethod


class ManualMethod(models.TextChoices):
    CHEQUE = PaymentMethod.CHEQUE.value, PaymentMethod.CHEQUE.label
    CASH = PaymentMethod.CASH.value, PaymentMethod.CASH.label
    TRANSFER = PaymentMethod.TRANSFER.value, PaymentMethod.TRANSFER.label
    LOCAL_CURRENCY = PaymentMethod.LOCAL_CURRENCY.value, PaymentMethod.LOCAL_CURRENCY.label


class ManualPayment(models.Model):
    """Money a member gave for a subscription or an order, recorded by a coordinator; cheques,
    cash and local currency stay with the coordinators until handed over to the producer."""

    method = models.CharField(_("method"), max_length=16, choices=ManualMethod.choices)
    amount = models.DecimalField(_("amount"), max_digits=10, decimal_places=2)
    payer = optional_link(
        settings.AUTH_USER_MODEL, "manual_payments", _("paid by"), on_delete=models.SET_NULL
    )
    producer = models.ForeignKey(
        "producers.Producer",
        on_delete=models.PROTECT,
        related_name="manual_payments",
        verbose_name=_("producer"),
    )
    subscription = optional_link("baskets.Subscription", "manual_payments", _("subscription"))
    order = optional_link("order.Order", "manual_payments", _("order"))
    cheque_number = models.CharField(_("cheque number"), max_length=40, blank=True)
    bank = models.CharField(_("bank"), max_length=80, blank=True)
    cash_on = models.DateField(
        _("to cash on"), null=True, blank=True, help_text=_("Cheques: the month it may be cashed.")
    )
    local_currency = optional_link(LocalCurrency, "payments", _("local currency"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"))
    handed_over_at = models.DateTimeField(
        _("handed over to the producer at"), null=True, blank=True
    )
    handed_over_by = optional_link(
        settings.AUTH_USER_MODEL, "+", _("handed over by"), on_delete=models.SET_NULL
    )

    class Meta:
        ordering = ["-recorded_at", "-pk"]
        verbose_name = _("manual payment")
        verbose_name_plural = _("manual payments")
        permissions = [
            ("hand_over_payments", _("Can hand cheques and cash over to producers")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0), name="manual_payment_amount_positive"
            ),
            models.CheckConstraint(
                condition=Q(subscription__isnull=True, order__isnull=False)
                | Q(subscription__isnull=False, order__isnull=True),
                name="manual_payment_for_a_subscription_or_an_order",
            ),
            models.CheckConstraint(
                condition=~Q(method="cheque") | ~Q(cheque_number=""),
                name="manual_payment_cheque_has_a_number",
            ),
            models.CheckConstraint(
                condition=Q(method="local_currency", local_currency__isnull=False)
                | (~Q(method="local_currency") & Q(local_currency__isnull=True)),
                name="manual_payment_local_currency_named",
            ),
            models.CheckConstraint(
                condition=~Q(method="transfer") | Q(handed_over_at__isnull=True),
                name="manual_payment_transfer_not_handed_over",
            ),
        ]
        indexes = [
            models.Index(fields=["producer", "method", "cash_on"], name="manual_payment_producer"),
        ]

    def __str__(self):
        return f"{self.get_method_display()} {self.amount} € → {self.producer}"

    @property
    def is_handed_over(self) -> bool:
        return self.handed_over_at is not None
