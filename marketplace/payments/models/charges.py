"""Charges made off-session on a member's saved card or SEPA mandate: who pays (their Stripe
customer), who is paid (the producer's connected account), and one row per attempt, written
before Stripe is called so that a run retried never pays twice."""

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from marketplace.payments.models.schedules import Instalment
from marketplace.payments.models.terms import PaymentMethod


class StripeCustomer(models.Model):
    """A member's customer on Stripe: their saved cards and mandates hang on it. One per member,
    made once (services.saved_methods.customer_of)."""

    member = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="stripe_customer",
        verbose_name=_("member"),
    )
    customer_id = models.CharField(_("Stripe customer"), max_length=255, unique=True)
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("Stripe customer")
        verbose_name_plural = _("Stripe customers")

    def __str__(self):
        return self.customer_id


class ProducerAccount(models.Model):
    """A producer's connected Stripe account: every card payment and debit for them is made on
    their behalf and lands there. Opened by the producer from their space, then filled in on
    Stripe's onboarding (services.producer_accounts), or entered in the admin."""

    producer = models.OneToOneField(
        "producers.Producer",
        on_delete=models.CASCADE,
        related_name="stripe_account",
        verbose_name=_("producer"),
    )
    account_id = models.CharField(
        _("connected account"),
        max_length=255,
        unique=True,
        validators=[RegexValidator(r"^acct_\w+$", _("A Stripe account id starts with acct_."))],
        help_text=_("The producer's Stripe account id, such as acct_1Abc…"),
    )
    # Whether Stripe lets the account take payments: an account opened from the producer's space
    # is not until its onboarding is done (the account page asks Stripe, services.
    # producer_accounts.note_account_state); one entered in the admin is taken as ready.
    ready = models.BooleanField(
        _("takes payments"),
        default=True,
        help_text=_("Whether Stripe lets this account take card payments and debits."),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["producer"]
        verbose_name = _("producer's Stripe account")
        verbose_name_plural = _("producers' Stripe accounts")

    def __str__(self):
        return f"{self.producer} ({self.account_id})"


class ChargeState(models.TextChoices):
    PENDING = "pending", _("sent to the bank, outcome not known yet")
    SUCCEEDED = "succeeded", _("paid")
    PROCESSING = "processing", _("debit under way")
    FAILED = "failed", _("failed")
    REQUIRES_ACTION = "requires_action", _("waiting for the member's authentication")


# A charge whose outcome may still change (a webhook, the member authenticating).
OPEN_CHARGE_STATES = (ChargeState.PENDING, ChargeState.PROCESSING, ChargeState.REQUIRES_ACTION)


class Charge(models.Model):
    """One attempt at charging an instalment off-session. Written (pending) and committed
    before Stripe is called, with a deterministic idempotency key: a run that stopped before
    recording the outcome sends the same request again, and Stripe answers with the same
    payment. What was sent is kept, so that the same request can be sent again."""

    instalment = models.ForeignKey(
        Instalment, on_delete=models.PROTECT, related_name="charges", verbose_name=_("instalment")
    )
    attempt = models.PositiveSmallIntegerField(_("attempt"))
    amount = models.DecimalField(_("amount"), max_digits=10, decimal_places=2)
    method_type = models.CharField(
        _("method"),
        max_length=16,
        choices=[(m.value, m.label) for m in (PaymentMethod.CARD, PaymentMethod.SEPA_DEBIT)],
    )
    idempotency_key = models.CharField(_("idempotency key"), max_length=80, unique=True)
    customer_id = models.CharField(_("Stripe customer"), max_length=255)
    payment_method_id = models.CharField(_("Stripe payment method"), max_length=255)
    producer_account = models.CharField(_("connected account"), max_length=255)
    state = models.CharField(
        _("state"), max_length=16, choices=ChargeState.choices, default=ChargeState.PENDING
    )
    payment_intent_id = models.CharField(_("Stripe payment"), max_length=255, blank=True)
    failure_code = models.CharField(_("failure code"), max_length=80, blank=True)
    failure_message = models.CharField(_("what the member reads"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"))
    finished_at = models.DateTimeField(_("outcome known at"), null=True, blank=True)

    class Meta:
        ordering = ["instalment", "attempt"]
        verbose_name = _("charge")
        verbose_name_plural = _("charges")
        constraints = [
            models.UniqueConstraint(
                fields=["instalment", "attempt"], name="one_charge_per_instalment_and_attempt"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="charge_amount_positive"),
            models.CheckConstraint(condition=Q(attempt__gte=1), name="charge_attempt_positive"),
        ]
        indexes = [
            models.Index(fields=["payment_intent_id"], name="charge_payment_intent"),
            models.Index(fields=["state", "created_at"], name="charge_state_created_at"),
        ]

    def __str__(self):
        return self.idempotency_key

    @staticmethod
    def key_for(instalment_id: int, attempt: int) -> str:
        return f"instalment-{instalment_id}-attempt-{attempt}"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_CHARGE_STATES
