"""A subscription's payment: the plan and method its member chose, and its instalments."""

from decimal import Decimal

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from marketplace.payments.models.terms import MEMBER_METHODS, PaymentPlan


class SubscriptionPayment(models.Model):
    """How one subscription is paid: made once by ``schedule_subscription_payments``."""

    subscription = models.OneToOneField(
        "baskets.Subscription",
        on_delete=models.PROTECT,
        related_name="payment",
        verbose_name=_("subscription"),
    )
    plan = models.CharField(_("payment plan"), max_length=12, choices=PaymentPlan.choices)
    method = models.CharField(
        _("payment method"),
        max_length=16,
        choices=[(method.value, method.label) for method in MEMBER_METHODS],
    )
    total = models.DecimalField(_("season total"), max_digits=10, decimal_places=2)
    # The season's deliveries the total pays for, when the plan was chosen: a day cancelled
    # later takes its share off (services/adjustments.py).
    deliveries = models.PositiveSmallIntegerField(_("deliveries paid for"), default=0)
    created_at = models.DateTimeField(_("chosen at"))
    # Card or SEPA debit: the method saved on Stripe with a SetupIntent, charged off-session
    # when an instalment falls due (services/saved_methods.py, services/charges.py).
    saved_method_id = models.CharField(_("saved Stripe payment method"), max_length=255, blank=True)
    saved_method_type = models.CharField(_("saved method's kind"), max_length=16, blank=True)
    saved_method_last4 = models.CharField(_("last 4 digits"), max_length=4, blank=True)
    saved_method_brand = models.CharField(_("card brand"), max_length=30, blank=True)
    setup_intent_id = models.CharField(_("Stripe setup"), max_length=255, blank=True)
    saved_method_at = models.DateTimeField(_("method saved at"), null=True, blank=True)
    # SEPA debit: the mandate as the member read and accepted it.
    mandate_text = models.TextField(_("mandate text accepted"), blank=True)
    mandate_accepted_at = models.DateTimeField(_("mandate accepted at"), null=True, blank=True)
    mandate_ip_address = models.GenericIPAddressField(
        _("mandate accepted from"), null=True, blank=True
    )
    mandate_user_agent = models.CharField(_("mandate accepted with"), max_length=400, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("subscription payment")
        verbose_name_plural = _("subscription payments")
        constraints = [
            models.CheckConstraint(
                condition=Q(total__gte=0), name="subscription_payment_total_not_negative"
            )
        ]

    def __str__(self):
        return f"{self.subscription} ({self.get_plan_display()})"


class InstalmentState(models.TextChoices):
    DUE = "due", _("due")
    PAID = "paid", _("paid")
    FAILED = "failed", _("failed")
    REQUIRES_ACTION = "requires_action", _("waiting for the member's authentication")
    CANCELLED = "cancelled", _("cancelled")


# Not paid yet, still expected: what the overdue list and manual payments look at.
UNPAID_STATES = (InstalmentState.DUE, InstalmentState.FAILED, InstalmentState.REQUIRES_ACTION)


class Instalment(models.Model):
    """One amount of a subscription's schedule, due on a date. A manual payment may pay part of
    it (``paid_amount``); it is ``paid`` once paid in full. ``attempts`` and
    ``next_attempt_on`` are for the charges of online methods."""

    payment = models.ForeignKey(
        SubscriptionPayment,
        on_delete=models.CASCADE,
        related_name="instalments",
        verbose_name=_("subscription payment"),
    )
    number = models.PositiveSmallIntegerField(_("number"))
    due_on = models.DateField(_("due on"))
    amount = models.DecimalField(_("amount"), max_digits=10, decimal_places=2)
    paid_amount = models.DecimalField(
        _("paid so far"), max_digits=10, decimal_places=2, default=Decimal("0.00")
    )
    state = models.CharField(
        _("state"), max_length=16, choices=InstalmentState.choices, default=InstalmentState.DUE
    )
    attempts = models.PositiveSmallIntegerField(_("charge attempts"), default=0)
    next_attempt_on = models.DateField(_("next attempt on"), null=True, blank=True)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)

    class Meta:
        ordering = ["payment", "number"]
        verbose_name = _("instalment")
        verbose_name_plural = _("instalments")
        constraints = [
            models.UniqueConstraint(
                fields=["payment", "number"], name="one_instalment_per_plan_and_number"
            ),
            models.CheckConstraint(condition=Q(number__gte=1), name="instalment_number_positive"),
            models.CheckConstraint(
                condition=Q(amount__gte=0), name="instalment_amount_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(paid_amount__gte=0) & Q(paid_amount__lte=F("amount")),
                name="instalment_paid_within_amount",
            ),
        ]
        indexes = [models.Index(fields=["state", "due_on"], name="instalment_state_due_on")]

    def __str__(self):
        return f"{self.payment.subscription} #{self.number}: {self.amount} € ({self.due_on})"

    @property
    def outstanding(self) -> Decimal:
        if self.state == InstalmentState.CANCELLED:
            return Decimal("0.00")
        return self.amount - self.paid_amount
