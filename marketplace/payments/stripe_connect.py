"""Stripe Connect's shapes: what a producer's connected account is asked to be, and what the site
reads of it. Nothing here talks to Stripe (``gateway`` does, with these).

Producers get Express accounts: Stripe hosts their onboarding (identity, IBAN) and a light
dashboard, the platform makes the payments on their behalf (destination charges, README "Online
payment"), which Stripe advises against with Standard accounts."""

from dataclasses import dataclass, field
from typing import Any

ACCOUNT_TYPE = "express"
COUNTRY = "FR"
# What a producer's account must be able to do: take cards, take SEPA debits, receive transfers.
CAPABILITIES = ("card_payments", "sepa_debit_payments", "transfers")


@dataclass(frozen=True)
class ConnectedAccount:
    """A producer's account as Stripe sees it."""

    id: str
    charges_enabled: bool
    payouts_enabled: bool
    details_submitted: bool
    # What Stripe still wants from the producer (``requirements.currently_due``).
    currently_due: tuple[str, ...] = field(default=())

    @property
    def is_ready(self) -> bool:
        """Onboarding done and payments open: members may pay this producer online."""
        return self.details_submitted and self.charges_enabled

    @property
    def is_under_review(self) -> bool:
        """The producer gave their details; Stripe checks them before opening payments."""
        return self.details_submitted and not self.charges_enabled and not self.currently_due


def account_params(*, email: str, metadata: dict[str, str] | None) -> dict[str, Any]:
    params: dict[str, Any] = {
        "type": ACCOUNT_TYPE,
        "country": COUNTRY,
        "capabilities": {name: {"requested": True} for name in CAPABILITIES},
        "metadata": metadata or {},
    }
    if email:
        params["email"] = email
    return params


def onboarding_link_params(account_id: str, *, refresh_url: str, return_url: str) -> dict:
    return {
        "account": account_id,
        "type": "account_onboarding",
        "refresh_url": refresh_url,
        "return_url": return_url,
    }


def connected_account(account: dict[str, Any]) -> ConnectedAccount:
    requirements = account.get("requirements") or {}
    return ConnectedAccount(
        id=account["id"],
        charges_enabled=bool(account.get("charges_enabled")),
        payouts_enabled=bool(account.get("payouts_enabled")),
        details_submitted=bool(account.get("details_submitted")),
        currently_due=tuple(requirements.get("currently_due") or ()),
    )
