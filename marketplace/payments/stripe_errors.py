"""What goes wrong with a payment, as the site tells it: the gateway's exceptions, and the words
a member reads for Stripe's error and decline codes."""

from django.utils.translation import gettext_lazy as _

# What a member reads when Stripe or their bank refuses, by Stripe's error code or decline code.
# Lost and stolen cards read as a plain decline, as Stripe advises.
DECLINED = _("Your bank declined this card. Try another card, or choose another way to pay.")
MEMBER_MESSAGES = {
    "card_declined": DECLINED,
    "insufficient_funds": _(
        "Your bank refused this payment for insufficient funds. Try another card, or choose "
        "another way to pay."
    ),
    "expired_card": _("This card has expired. Try another card."),
    "incorrect_cvc": _("The card's security code is incorrect."),
    "invalid_cvc": _("The card's security code is incorrect."),
    "incorrect_number": _("The card number is incorrect."),
    "invalid_number": _("The card number is incorrect."),
    "invalid_expiry_month": _("The card's expiry date is incorrect."),
    "invalid_expiry_year": _("The card's expiry date is incorrect."),
    "processing_error": _("Your bank could not process the payment. Try again in a few minutes."),
    "authentication_required": _("Your bank asks you to confirm this payment."),
    "payment_intent_authentication_failure": _(
        "Your bank could not confirm this payment. Try again, or use another card."
    ),
    "setup_intent_authentication_failure": _(
        "Your bank could not confirm this card. Try again, or use another card."
    ),
    "debit_not_authorized": _("Your bank refused this direct debit."),
    "account_closed": _("The bank account of this direct debit is closed."),
    "no_account": _("The bank account of this direct debit does not exist."),
    "invalid_account_number": _("The IBAN of this direct debit is incorrect."),
}
UNAVAILABLE = _(
    "Online payment is not available right now. Try again in a few minutes, or choose another "
    "way to pay."
)
FAILED = _("The payment could not be made. Try again, or choose another way to pay.")


class GatewayError(Exception):
    """Stripe refused or could not do what was asked. ``message`` can be shown to the member;
    ``code`` is Stripe's (or ours), for the logs and for deciding what to do next."""

    retryable = False

    def __init__(self, message: str, *, code: str = "", payment_intent_id: str = ""):
        super().__init__(message)
        self.message = message
        self.code = code
        self.payment_intent_id = payment_intent_id


class PaymentDeclined(GatewayError):
    """The bank refused the card or the debit: another method is needed."""


class AuthenticationRequired(GatewayError):
    """The bank wants the member to confirm the payment (3-D Secure): send them to it. For an
    off-session charge, ``payment_intent_id`` is the payment they must complete."""


class GatewayUnavailable(GatewayError):
    """Stripe could not be reached or answered with an error of its own: try again later, under
    the same idempotency key."""

    retryable = True


class InvalidWebhook(Exception):
    """A webhook whose signature does not verify (or that is not an event): answer 400."""


def member_message(code: str, decline_code: str = "") -> str:
    """What a member reads for Stripe's error ``code`` (and the bank's ``decline_code``)."""
    message = MEMBER_MESSAGES.get(decline_code) or MEMBER_MESSAGES.get(code)
    if message is None:
        message = DECLINED if code or decline_code else FAILED
    return str(message)
