"""Stripe Connect's accounts and onboarding links, which localstripe lacks, answered by the recording
proxy itself (tests/payments/localstripe.py) with Stripe-shaped JSON:

- ``POST /v1/accounts`` opens an account (``acct_`` and 16 characters) that has submitted nothing
  yet: charges and payouts disabled, ``requirements.currently_due`` not empty;
- ``GET /v1/accounts/<id>`` answers it as it stands. An ``acct_`` id the proxy did not open (one
  entered in the admin, the demo's ``acct_demo_<slug>``) is answered as an account whose
  onboarding is done: the proxy cannot know better, and card payment works for it;
- ``POST /v1/account_links`` answers a link on the proxy's own host,
  ``<proxy>/connect/onboarding/<acct>``, where a page stands in for Stripe's onboarding: its
  buttons submit the details (the account ready, or left for Stripe to check) and send the
  browser to the link's ``return_url``; "Leave for now" goes there with nothing submitted.

What a test opened is forgotten with the rest at ``reset()``.
"""

import html
import json
import re
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

# status, headers, body: what the proxy sends back.
Reply = tuple[int, list[tuple[str, str]], bytes]

CURRENTLY_DUE = [
    "business_profile.mcc",
    "business_type",
    "external_account",
    "tos_acceptance.date",
    "tos_acceptance.ip",
]
ACCOUNT_PATH = re.compile(r"^/v1/accounts/(?P<id>[^/]+)$")
ONBOARDING_PATH = re.compile(r"^/connect/onboarding/(?P<id>acct_\w+)$")


@dataclass
class FakeConnect:
    """The accounts and links the proxy opened; ``base_url`` is the proxy's address."""

    base_url: Callable[[], str]
    accounts: dict[str, dict] = field(default_factory=dict)
    links: dict[str, dict] = field(default_factory=dict)

    def __post_init__(self):
        self._lock = threading.Lock()

    def reset(self) -> None:
        with self._lock:
            self.accounts.clear()
            self.links.clear()

    def answer(self, method: str, path: str, params: dict, headers: dict) -> Reply | None:
        """The proxy's own answer to a Connect request; None for what goes on to localstripe."""
        onboarding = ONBOARDING_PATH.match(path)
        if onboarding:
            return self._onboarding(method, onboarding["id"], params)
        if not (path == "/v1/account_links" or path.startswith("/v1/accounts")):
            return None
        if not headers.get("authorization", "").startswith("Bearer sk_"):
            return _error(401, "invalid_request_error", "Invalid API Key provided.")
        account = ACCOUNT_PATH.match(path)
        if method == "POST" and path == "/v1/accounts":
            return self._open(params)
        if method == "GET" and account:
            return self._retrieve(account["id"])
        if method == "POST" and path == "/v1/account_links":
            return self._link(params)
        return _error(404, "invalid_request_error", f"Unrecognized request URL ({method}: {path}).")

    def _open(self, params: dict) -> Reply:
        if params.get("type") not in {"express", "standard", "custom"}:
            return _error(400, "invalid_request_error", "Missing required param: type.", "type")
        account_id = f"acct_{secrets.token_hex(8)}"
        capabilities = sorted(
            {name.split("[")[1].rstrip("]") for name in params if name.startswith("capabilities[")}
        )
        account = {
            "id": account_id,
            "object": "account",
            "type": params["type"],
            "country": params.get("country", "FR"),
            "email": params.get("email") or None,
            "default_currency": "eur",
            "business_type": None,
            "charges_enabled": False,
            "payouts_enabled": False,
            "details_submitted": False,
            "capabilities": {name: "inactive" for name in capabilities},
            "requirements": {
                "currently_due": list(CURRENTLY_DUE),
                "eventually_due": list(CURRENTLY_DUE),
                "past_due": list(CURRENTLY_DUE),
                "pending_verification": [],
                "disabled_reason": "requirements.past_due",
            },
            "metadata": _nested(params, "metadata"),
            "created": int(time.time()),
        }
        with self._lock:
            self.accounts[account_id] = account
        return _json(200, account)

    def _retrieve(self, account_id: str) -> Reply:
        if not account_id.startswith("acct_"):
            return _error(
                404, "invalid_request_error", f"No such account: '{account_id}'", "account"
            )
        with self._lock:
            account = self.accounts.get(account_id) or _onboarded(account_id)
        return _json(200, account)

    def _link(self, params: dict) -> Reply:
        account_id = params.get("account", "")
        missing = [name for name in ("account", "type", "return_url") if not params.get(name)]
        if missing:
            return _error(
                400, "invalid_request_error", f"Missing required param: {missing[0]}.", missing[0]
            )
        if not account_id.startswith("acct_"):
            return _error(400, "invalid_request_error", f"No such account: '{account_id}'")
        now = int(time.time())
        with self._lock:
            self.links[account_id] = {
                "return_url": params["return_url"],
                "refresh_url": params.get("refresh_url", ""),
            }
        return _json(
            200,
            {
                "object": "account_link",
                "created": now,
                "expires_at": now + 300,
                "url": f"{self.base_url()}/connect/onboarding/{account_id}",
            },
        )

    def _onboarding(self, method: str, account_id: str, params: dict) -> Reply:
        with self._lock:
            link = self.links.get(account_id)
        if link is None:
            return (404, [("Content-Type", "text/plain")], b"No onboarding link for this account.")
        if method == "POST":
            ready = params.get("outcome") != "review"
            with self._lock:
                account = self.accounts.setdefault(account_id, _onboarded(account_id))
                account.update(details_submitted=True, charges_enabled=ready, payouts_enabled=ready)
                account["requirements"] = {**_onboarded(account_id)["requirements"]}
                if not ready:
                    account["requirements"]["pending_verification"] = ["individual.id_number"]
                account["capabilities"] = {
                    name: "active" if ready else "pending" for name in account["capabilities"]
                }
            return (303, [("Location", link["return_url"])], b"")
        page = ONBOARDING_PAGE.format(
            account=html.escape(account_id), back=html.escape(link["return_url"], quote=True)
        )
        return (200, [("Content-Type", "text/html; charset=utf-8")], page.encode())


def _onboarded(account_id: str) -> dict:
    return {
        "id": account_id,
        "object": "account",
        "type": "express",
        "country": "FR",
        "email": None,
        "default_currency": "eur",
        "charges_enabled": True,
        "payouts_enabled": True,
        "details_submitted": True,
        "capabilities": {
            "card_payments": "active",
            "sepa_debit_payments": "active",
            "transfers": "active",
        },
        "requirements": {
            "currently_due": [],
            "eventually_due": [],
            "past_due": [],
            "pending_verification": [],
            "disabled_reason": None,
        },
        "metadata": {},
        "created": int(time.time()),
    }


def _nested(params: dict, name: str) -> dict[str, str]:
    """``metadata[producer]=7`` → ``{"producer": "7"}``."""
    prefix = f"{name}["
    return {
        key[len(prefix) : -1]: value
        for key, value in params.items()
        if key.startswith(prefix) and key.endswith("]") and "][" not in key
    }


def _json(status: int, payload: dict) -> Reply:
    return (status, [("Content-Type", "application/json")], json.dumps(payload).encode())


def _error(status: int, kind: str, message: str, param: str = "") -> Reply:
    error = {"type": kind, "message": message}
    if param:
        error["param"] = param
    return _json(status, {"error": error})


ONBOARDING_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Stripe onboarding (localstripe)</title></head>
<body><main>
<h1>Stripe onboarding (localstripe)</h1>
<p>This page stands in for Stripe's onboarding of the connected account <code>{account}</code>:
no identity, IBAN or terms are asked here.</p>
<form method="post">
<button type="submit" name="outcome" value="ready">Submit the details: account ready</button>
<button type="submit" name="outcome" value="review">Submit the details: Stripe checks them</button>
</form>
<p><a href="{back}">Leave for now</a></p>
</main></body></html>
"""
