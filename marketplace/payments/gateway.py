"""Stripe, and the only module that talks to it: the rest of the site deals in euros (Decimal),
our own small records and our own exceptions, never in Stripe's objects or cents.

Every payment is a destination charge made on the platform for one producer, ``on_behalf_of``
their connected account and transferred to it at the charge (README, "Online payment"): the
producer is the merchant of record and the money lands on their account, never in a platform pot.
Whatever creates something on Stripe carries the caller's deterministic idempotency key, so that a
task run twice, or a request retried, never pays twice.
"""

import datetime as dt
import logging
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import Any, Literal

import stripe
from django.conf import settings

from marketplace.payments.stripe_connect import (
    ConnectedAccount,
    account_params,
    connected_account,
    onboarding_link_params,
)
from marketplace.payments.stripe_errors import (
    FAILED,
    MEMBER_MESSAGES,
    UNAVAILABLE,
    AuthenticationRequired,
    GatewayError,
    GatewayUnavailable,
    InvalidWebhook,
    PaymentDeclined,
    member_message,
)
from marketplace.payments.stripe_records import (
    MandateAcceptance,
    Payment,
    Refund,
    SavedMethod,
    Setup,
    WebhookEvent,
)

# The site imports all it needs of payments through this module, the exceptions included.
__all__ = [
    "AuthenticationRequired",
    "ConnectedAccount",
    "GatewayError",
    "GatewayUnavailable",
    "InvalidWebhook",
    "MandateAcceptance",
    "Payment",
    "PaymentDeclined",
    "Refund",
    "SavedMethod",
    "Setup",
    "WebhookEvent",
    "cancel_payment",
    "capture_payment",
    "confirm_setup_intent",
    "construct_event",
    "create_connected_account",
    "create_customer",
    "create_onboarding_link",
    "create_payment",
    "create_setup_intent",
    "from_cents",
    "member_message",
    "platform_fee",
    "refund_payment",
    "retrieve_connected_account",
    "retrieve_payment",
    "retrieve_payment_method",
    "retrieve_setup_intent",
    "stripe_enabled",
    "to_cents",
]

logger = logging.getLogger(__name__)

CURRENCY = "eur"
CENT = Decimal("0.01")
MethodType = Literal["card", "sepa_debit"]


def stripe_enabled() -> bool:
    """Card and SEPA debit are offered only with both keys set (not on the embedded default)."""
    return bool(settings.STRIPE_SECRET_KEY and settings.STRIPE_PUBLISHABLE_KEY)


def to_cents(amount: Decimal) -> int:
    """Euros to Stripe's integer cents; an amount with a fraction of a cent is a bug upstream."""
    cents = Decimal(amount) * 100
    if cents != cents.to_integral_value():
        raise ValueError(f"{amount} € is not a whole number of cents.")
    return int(cents)


def from_cents(cents: int) -> Decimal:
    return (Decimal(cents) / 100).quantize(CENT)


def platform_fee(amount: Decimal) -> Decimal:
    """``PLATFORM_FEE_PERCENT`` of a payment, to the nearest cent (half up)."""
    return (Decimal(amount) * settings.PLATFORM_FEE_PERCENT / 100).quantize(CENT, ROUND_HALF_UP)


def create_customer(
    *, email: str, name: str = "", idempotency_key: str, metadata: dict[str, str] | None = None
) -> str:
    """A Stripe customer for a member (their saved cards and mandates hang on it); its id."""
    params = {"email": email, "metadata": metadata or {}}
    if name:
        params["name"] = name
    customer = _call("customers", "create", params, idempotency_key=idempotency_key)
    return customer["id"]


def create_connected_account(
    *, email: str, idempotency_key: str, metadata: dict[str, str] | None = None
) -> str:
    """A connected account for a producer (Express, France, cards, SEPA debits and transfers
    asked for: ``stripe_connect``); its id. The producer fills it in on Stripe's onboarding."""
    params = account_params(email=email, metadata=metadata)
    return _call("accounts", "create", params, idempotency_key=idempotency_key)["id"]


def create_onboarding_link(account_id: str, *, refresh_url: str, return_url: str) -> str:
    """The address of Stripe's onboarding for the account, valid a few minutes and once: Stripe
    sends the producer back to ``return_url``, or to ``refresh_url`` for a link expired."""
    params = onboarding_link_params(account_id, refresh_url=refresh_url, return_url=return_url)
    return _call("account_links", "create", params)["url"]


def retrieve_connected_account(account_id: str) -> ConnectedAccount:
    return connected_account(_call("accounts", "retrieve", None, account_id))


def create_setup_intent(
    *,
    customer_id: str,
    method_type: MethodType = "card",
    producer_account: str = "",
    usage: Literal["off_session", "on_session"] = "off_session",
    idempotency_key: str,
    metadata: dict[str, str] | None = None,
) -> Setup:
    """Saving a card or an IBAN for charges made later without the member (instalments): the
    browser confirms it with ``client_secret`` (Stripe.js), or we do with
    :func:`confirm_setup_intent`. A SEPA mandate names its creditor: for a contract's debits,
    pass the producer's account (``on_behalf_of``, as their payments will carry). A card typed
    in to pay an order at once is saved ``on_session``: it is not charged without the member."""
    params = {
        "customer": customer_id,
        "payment_method_types": [method_type],
        "usage": usage,
        "metadata": metadata or {},
    }
    if producer_account:
        params["on_behalf_of"] = producer_account
    return _setup(_call("setup_intents", "create", params, idempotency_key=idempotency_key))


def confirm_setup_intent(
    setup_intent_id: str,
    *,
    payment_method_id: str,
    mandate: MandateAcceptance | None = None,
    idempotency_key: str | None = None,
) -> Setup:
    """Confirms a SetupIntent with a payment method; a SEPA debit needs the ``mandate`` the
    member accepted on our page (Stripe.js sends its own when the browser confirms)."""
    params: dict[str, Any] = {"payment_method": payment_method_id}
    if mandate is not None:
        params["mandate_data"] = {
            "customer_acceptance": {
                "type": "online",
                "accepted_at": int(mandate.accepted_at.timestamp()),
                "online": {"ip_address": mandate.ip_address, "user_agent": mandate.user_agent},
            }
        }
    return _setup(
        _call("setup_intents", "confirm", params, setup_intent_id, idempotency_key=idempotency_key)
    )


def retrieve_setup_intent(setup_intent_id: str) -> Setup:
    return _setup(_call("setup_intents", "retrieve", None, setup_intent_id))


def retrieve_payment_method(payment_method_id: str) -> SavedMethod:
    method = _call("payment_methods", "retrieve", None, payment_method_id)
    details = method.get(method["type"]) or {}
    return SavedMethod(
        id=method["id"],
        type=method["type"],
        last4=details.get("last4") or "",
        brand=details.get("brand") or "",
    )


def create_payment(
    *,
    amount: Decimal,
    producer_account: str,
    idempotency_key: str,
    customer_id: str = "",
    payment_method_id: str = "",
    method_type: MethodType = "card",
    capture_later: bool = False,
    off_session: bool = False,
    description: str = "",
    metadata: dict[str, str] | None = None,
) -> Payment:
    """A payment of ``amount`` euros to one producer's connected account.

    With ``payment_method_id`` it is confirmed at once; without, the browser confirms it with
    ``client_secret``. ``capture_later`` only authorises (an order: every producer's payment is
    authorised, then all are captured, or all cancelled). ``off_session`` charges a saved method
    without the member (instalments): if their bank wants them to authenticate,
    :class:`AuthenticationRequired` carries the payment to send them to.
    """
    if amount <= 0:
        raise ValueError(f"A payment of {amount} € cannot be made.")
    if off_session and not (customer_id and payment_method_id):
        raise ValueError("An off-session charge needs a customer and their saved method.")
    params: dict[str, Any] = {
        "amount": to_cents(amount),
        "currency": CURRENCY,
        "payment_method_types": [method_type],
        "capture_method": "manual" if capture_later else "automatic",
        "on_behalf_of": producer_account,
        "transfer_data": {"destination": producer_account},
        "metadata": metadata or {},
    }
    fee = platform_fee(amount)
    if fee > 0:
        params["application_fee_amount"] = to_cents(fee)
    if description:
        params["description"] = description
    if customer_id:
        params["customer"] = customer_id
    if payment_method_id:
        params["payment_method"] = payment_method_id
        params["confirm"] = True
    if off_session:
        params["off_session"] = True
    payment = _payment(_call("payment_intents", "create", params, idempotency_key=idempotency_key))
    if off_session and payment.needs_authentication:
        # Stripe answers an off-session charge that needs the member with an error (handled in
        # _call); a payment left waiting for authentication comes to the same.
        raise AuthenticationRequired(
            str(MEMBER_MESSAGES["authentication_required"]),
            code="authentication_required",
            payment_intent_id=payment.id,
        )
    return payment


def capture_payment(
    payment_intent_id: str, *, amount: Decimal | None = None, idempotency_key: str | None = None
) -> Payment:
    """Takes an authorised payment: all of it, or ``amount`` (the rest goes back to the card)."""
    params = {} if amount is None else {"amount_to_capture": to_cents(amount)}
    return _payment(
        _call(
            "payment_intents", "capture", params, payment_intent_id, idempotency_key=idempotency_key
        )
    )


def cancel_payment(
    payment_intent_id: str,
    *,
    reason: Literal["abandoned", "requested_by_customer", "duplicate"] = "abandoned",
    idempotency_key: str | None = None,
) -> Payment:
    """Lets go of a payment not captured yet: the card's authorisation is released."""
    return _payment(
        _call(
            "payment_intents",
            "cancel",
            {"cancellation_reason": reason},
            payment_intent_id,
            idempotency_key=idempotency_key,
        )
    )


def refund_payment(
    payment_intent_id: str,
    *,
    amount: Decimal | None = None,
    idempotency_key: str,
    metadata: dict[str, str] | None = None,
) -> Refund:
    """Gives back a captured payment, whole or ``amount`` of it. The transfer to the producer is
    reversed in proportion and the platform's fee given back, so that nobody keeps money for
    what was not delivered."""
    params: dict[str, Any] = {
        "payment_intent": payment_intent_id,
        "reverse_transfer": True,
        "refund_application_fee": True,
        "metadata": metadata or {},
    }
    if amount is not None:
        params["amount"] = to_cents(amount)
    refund = _call("refunds", "create", params, idempotency_key=idempotency_key)
    return Refund(
        id=refund["id"],
        status=refund["status"],
        amount=from_cents(refund["amount"]),
        payment_intent_id=_id(refund.get("payment_intent")) or payment_intent_id,
    )


def retrieve_payment(payment_intent_id: str) -> Payment:
    return _payment(_call("payment_intents", "retrieve", None, payment_intent_id))


def construct_event(payload: bytes | str, signature_header: str | None) -> WebhookEvent:
    """The event of a webhook whose ``Stripe-Signature`` verifies with ``STRIPE_WEBHOOK_SECRET``
    (signed less than five minutes ago); :class:`InvalidWebhook` otherwise."""
    secret = settings.STRIPE_WEBHOOK_SECRET
    if not secret:
        raise InvalidWebhook("STRIPE_WEBHOOK_SECRET is not set.")
    try:
        data = stripe.Webhook.construct_event(payload, signature_header, secret).to_dict()
        return WebhookEvent(
            id=data["id"],
            type=data["type"],
            created=dt.datetime.fromtimestamp(data["created"], tz=dt.UTC),
            object=data["data"]["object"],
            account=data.get("account") or "",
        )
    except stripe.SignatureVerificationError as error:
        raise InvalidWebhook(str(error)) from error
    except (ValueError, KeyError, TypeError) as error:
        raise InvalidWebhook(f"Not a Stripe event: {error!r}") from error


@lru_cache(maxsize=4)
def _client(secret_key: str, api_base: str, timeout: float) -> stripe.StripeClient:
    return stripe.StripeClient(
        secret_key,
        base_addresses={"api": api_base} if api_base else None,
        http_client=stripe.RequestsClient(timeout=timeout),
        max_network_retries=2,
    )


def _call(
    service: str,
    method: str,
    params: dict[str, Any] | None,
    *ids: str,
    idempotency_key: str | None = None,
) -> dict[str, Any]:
    """One call to Stripe's API (``client.v1.<service>.<method>``), its errors turned into ours;
    the answer as a plain dict."""
    if not stripe_enabled():
        raise GatewayError(str(UNAVAILABLE), code="not_configured")
    client = _client(settings.STRIPE_SECRET_KEY, settings.STRIPE_API_BASE, settings.STRIPE_TIMEOUT)
    options = {"idempotency_key": idempotency_key} if idempotency_key else None
    try:
        answer = getattr(getattr(client.v1, service), method)(*ids, params=params, options=options)
    except stripe.CardError as error:
        raise _declined(error) from error
    except (stripe.APIConnectionError, stripe.RateLimitError, stripe.APIError) as error:
        logger.warning("Stripe unavailable (%s.%s): %s", service, method, error)
        raise GatewayUnavailable(str(UNAVAILABLE), code=error.code or "unavailable") from error
    except stripe.StripeError as error:
        # Our request, our keys or the payment's state: nothing the member can mend.
        logger.error("Stripe refused %s.%s: %r", service, method, error)
        raise GatewayError(
            str(FAILED),
            code=error.code or type(error).__name__,
            payment_intent_id=ids[0] if ids else "",
        ) from error
    return answer.to_dict()


def _declined(error: "stripe.CardError") -> GatewayError:
    details = (error.json_body or {}).get("error") or {}
    code = details.get("code") or ""
    decline_code = details.get("decline_code") or ""
    payment_intent_id = _id(details.get("payment_intent"))
    message = member_message(code, decline_code)
    if code == "authentication_required" or decline_code == "authentication_required":
        return AuthenticationRequired(
            message, code="authentication_required", payment_intent_id=payment_intent_id
        )
    return PaymentDeclined(message, code=decline_code or code, payment_intent_id=payment_intent_id)


def _id(value: Any) -> str:
    """An id, whether Stripe sent it as is or expanded into its object."""
    if isinstance(value, dict):
        return value.get("id") or ""
    return value or ""


def _payment(intent: dict[str, Any]) -> Payment:
    error = intent.get("last_payment_error") or {}
    return Payment(
        id=intent["id"],
        status=intent["status"],
        amount=from_cents(intent["amount"]),
        client_secret=intent.get("client_secret") or "",
        customer_id=_id(intent.get("customer")),
        payment_method_id=_id(intent.get("payment_method")),
        charge_id=_id(intent.get("latest_charge")),
        failure_code=error.get("decline_code") or error.get("code") or "",
    )


def _setup(intent: dict[str, Any]) -> Setup:
    return Setup(
        id=intent["id"],
        status=intent["status"],
        client_secret=intent.get("client_secret") or "",
        customer_id=_id(intent.get("customer")),
        payment_method_id=_id(intent.get("payment_method")),
        method_type=(intent.get("payment_method_types") or [""])[0],
    )
