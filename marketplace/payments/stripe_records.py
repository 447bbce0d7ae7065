"""What the gateway hands the site about Stripe's objects: plain records in euros, never Stripe's
own objects or cents."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from marketplace.payments.stripe_errors import member_message


@dataclass(frozen=True)
class Payment:
    """A PaymentIntent, as the site needs it."""

    id: str
    status: str
    amount: Decimal
    client_secret: str
    customer_id: str
    payment_method_id: str
    charge_id: str
    failure_code: str = ""

    @property
    def is_authorised(self) -> bool:
        return self.status == "requires_capture"

    @property
    def is_paid(self) -> bool:
        return self.status == "succeeded"

    @property
    def is_processing(self) -> bool:
        """A SEPA debit under way: its outcome comes days later, by webhook."""
        return self.status == "processing"

    @property
    def needs_authentication(self) -> bool:
        return self.status == "requires_action"

    @property
    def failure_message(self) -> str:
        return member_message(self.failure_code) if self.failure_code else ""


@dataclass(frozen=True)
class Setup:
    """A SetupIntent: a card or an IBAN saved for off-session charges."""

    id: str
    status: str
    client_secret: str
    customer_id: str
    payment_method_id: str
    method_type: str

    @property
    def is_done(self) -> bool:
        return self.status == "succeeded"


@dataclass(frozen=True)
class SavedMethod:
    id: str
    type: str
    last4: str
    brand: str = ""


@dataclass(frozen=True)
class Refund:
    id: str
    status: str
    amount: Decimal
    payment_intent_id: str


@dataclass(frozen=True)
class MandateAcceptance:
    """The member accepted the SEPA mandate text on our page: when, from where, with what."""

    ip_address: str
    user_agent: str
    accepted_at: dt.datetime


@dataclass(frozen=True)
class WebhookEvent:
    id: str
    type: str
    created: dt.datetime
    object: dict[str, Any]
    account: str = ""
