"""What a contract allows: its payment plans and the methods it accepts; the local currencies
of each AMAP."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class PaymentPlan(models.TextChoices):
    WHOLE_SEASON = "season", _("the whole season at once")
    THREE_MONTHLY = "monthly_3", _("3 monthly instalments")
    TEN_MONTHLY = "monthly_10", _("10 monthly instalments")
    PER_DELIVERY = "delivery", _("at each delivery")


# How many monthly instalments a plan splits the season into (the others: see the scheduler).
MONTHLY_INSTALMENTS = {PaymentPlan.THREE_MONTHLY: 3, PaymentPlan.TEN_MONTHLY: 10}


class PaymentMethod(models.TextChoices):
    CARD = "card", _("card")
    SEPA_DEBIT = "sepa_debit", _("SEPA direct debit")
    CHEQUE = "cheque", _("cheque")
    CASH = "cash", _("cash")
    TRANSFER = "transfer", _("bank transfer")
    LOCAL_CURRENCY = "local_currency", _("local currency")
    # The solidarity fund paying the producer the part of the reference price a reduced-tier
    # member does not pay (marketplace.solidarity): never a way for a member to pay.
    SOLIDARITY = "solidarity", _("solidarity fund")


# Recorded by a coordinator or the treasurer; the others go through Stripe.
MANUAL_METHODS = (
    PaymentMethod.CHEQUE,
    PaymentMethod.CASH,
    PaymentMethod.TRANSFER,
    PaymentMethod.LOCAL_CURRENCY,
)
ONLINE_METHODS = (PaymentMethod.CARD, PaymentMethod.SEPA_DEBIT)
# What a contract may accept and a member may choose: every method but the solidarity fund.
MEMBER_METHODS = (*ONLINE_METHODS, *MANUAL_METHODS)
# Paper and notes a coordinator holds until they hand them to the producer; a transfer reaches
# the producer's account directly.
HANDED_OVER_METHODS = (PaymentMethod.CHEQUE, PaymentMethod.CASH, PaymentMethod.LOCAL_CURRENCY)


def all_plans() -> list[str]:
    return [plan.value for plan in PaymentPlan]


def manual_methods() -> list[str]:
    return [method.value for method in MANUAL_METHODS]


class ContractPaymentTerms(models.Model):
    """How members may pay a contract. A contract without terms takes the defaults: every plan,
    the manual methods (``terms_of``)."""

    contract = models.OneToOneField(
        "baskets.Contract",
        on_delete=models.CASCADE,
        related_name="payment_terms",
        verbose_name=_("contract"),
    )
    plans = models.JSONField(_("payment plans allowed"), default=all_plans)
    methods = models.JSONField(_("payment methods accepted"), default=manual_methods)

    class Meta:
        verbose_name = _("payment terms of a contract")
        verbose_name_plural = _("payment terms of contracts")

    def __str__(self):
        return str(self.contract)

    def clean(self):
        errors = {}
        if not self.plans or set(self.plans) - set(PaymentPlan.values):
            errors["plans"] = _("Choose at least one payment plan among those offered.")
        if not self.methods or set(self.methods) - {method.value for method in MEMBER_METHODS}:
            errors["methods"] = _("Choose at least one payment method among those offered.")
        if errors:
            raise ValidationError(errors)

    def allows(self, plan: str) -> bool:
        return plan in self.plans

    def accepts(self, method: str) -> bool:
        """Never the solidarity fund, whatever was stored: it is not a member's way to pay."""
        return method in self.methods and method in MEMBER_METHODS


class LocalCurrency(models.Model):
    """A local complementary currency an AMAP accepts (monnaie locale: Galléco, Eusko...)."""

    collective = models.ForeignKey(
        "deliveries.Collective",
        on_delete=models.CASCADE,
        related_name="local_currencies",
        verbose_name=_("AMAP or collective"),
    )
    name = models.CharField(_("name"), max_length=60)
    is_active = models.BooleanField(_("accepted"), default=True)

    class Meta:
        ordering = ["collective", "name"]
        verbose_name = _("local currency")
        verbose_name_plural = _("local currencies")
        constraints = [
            models.UniqueConstraint(
                fields=["collective", "name"], name="one_local_currency_name_per_collective"
            )
        ]

    def __str__(self):
        return self.name
