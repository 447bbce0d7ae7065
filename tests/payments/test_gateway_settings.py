"""The gateway's arithmetic and settings, without Stripe: euros and cents, the platform fee, what
happens without keys, and what the Content-Security-Policy lets Stripe.js do."""

from decimal import Decimal

import pytest
from csp.constants import SELF
from django.http import HttpResponse

from marketplace.core.security_headers import ContentSecurityPolicyMiddleware, stripe_sources
from marketplace.payments import gateway
from tests.payments.localstripe import free_port


@pytest.mark.parametrize(
    ("euros", "cents"), [("23.40", 2340), ("0.01", 1), ("1000", 100000), ("12.5", 1250)]
)
def test_euros_become_cents_and_back(euros, cents):
    assert gateway.to_cents(Decimal(euros)) == cents
    assert gateway.from_cents(cents) == Decimal(euros)


def test_a_fraction_of_a_cent_is_refused():
    with pytest.raises(ValueError):
        gateway.to_cents(Decimal("10.005"))


@pytest.mark.parametrize(
    ("percent", "amount", "fee"),
    [("0", "23.40", "0.00"), ("2.5", "23.40", "0.59"), ("1", "0.50", "0.01"), ("3", "10", "0.30")],
)
def test_platform_fee_is_rounded_to_the_cent(settings, percent, amount, fee):
    settings.PLATFORM_FEE_PERCENT = Decimal(percent)

    assert gateway.platform_fee(Decimal(amount)) == Decimal(fee)


def test_card_payment_is_off_without_both_keys(settings):
    settings.STRIPE_SECRET_KEY = "sk_test_x"
    settings.STRIPE_PUBLISHABLE_KEY = ""

    assert not gateway.stripe_enabled()
    settings.STRIPE_PUBLISHABLE_KEY = "pk_test_x"
    assert gateway.stripe_enabled()


def test_nothing_is_sent_to_stripe_without_keys(settings):
    settings.STRIPE_SECRET_KEY = ""

    with pytest.raises(gateway.GatewayError) as refused:
        gateway.retrieve_payment("pi_1")

    assert refused.value.code == "not_configured"


def test_stripe_out_of_reach_is_worth_another_try(settings):
    settings.STRIPE_SECRET_KEY = "sk_test_x"
    settings.STRIPE_PUBLISHABLE_KEY = "pk_test_x"
    settings.STRIPE_API_BASE = f"http://127.0.0.1:{free_port()}"  # nothing listens there

    with pytest.raises(gateway.GatewayUnavailable) as unavailable:
        gateway.create_customer(email="membre@example.org", idempotency_key="member:1")

    assert unavailable.value.retryable


def test_stripe_js_is_allowed_only_while_the_keys_are_set(settings):
    settings.STRIPE_SECRET_KEY = ""
    settings.STRIPE_PUBLISHABLE_KEY = ""

    assert stripe_sources() == {}


def test_stripe_js_and_its_api_are_allowed_with_the_keys(settings):
    settings.STRIPE_SECRET_KEY = "sk_live_x"
    settings.STRIPE_PUBLISHABLE_KEY = "pk_live_x"
    settings.STRIPE_API_BASE = ""
    settings.STRIPE_JS_URL = "https://js.stripe.com/v3/"

    assert stripe_sources() == {
        "script-src": ["https://js.stripe.com"],
        "connect-src": ["https://api.stripe.com", "https://js.stripe.com"],
        "frame-src": [SELF, "https://js.stripe.com", "https://hooks.stripe.com"],
    }


def test_localstripe_fake_stripe_js_is_allowed_from_its_own_address(settings):
    settings.STRIPE_SECRET_KEY = "sk_test_x"
    settings.STRIPE_PUBLISHABLE_KEY = "pk_test_x"
    settings.STRIPE_API_BASE = "http://127.0.0.1:8420"
    settings.STRIPE_JS_URL = "http://127.0.0.1:8420/js.stripe.com/v3/"

    assert stripe_sources() == {
        "script-src": ["http://127.0.0.1:8420"],
        "connect-src": ["http://127.0.0.1:8420"],
        "frame-src": [SELF, "http://127.0.0.1:8420"],
    }


def test_pages_policy_lets_stripe_js_in_with_the_keys(settings, rf):
    settings.CONTENT_SECURITY_POLICY = {
        "DIRECTIVES": {"default-src": [SELF], "script-src": [SELF], "connect-src": [SELF]}
    }
    settings.STRIPE_SECRET_KEY = "sk_live_x"
    settings.STRIPE_PUBLISHABLE_KEY = "pk_live_x"
    settings.STRIPE_JS_URL = "https://js.stripe.com/v3/"
    middleware = ContentSecurityPolicyMiddleware(lambda request: HttpResponse("Commander"))

    policy = middleware(rf.get("/commande/paiement/")).headers["Content-Security-Policy"]

    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["script-src"] == "'self' https://js.stripe.com"
    assert directives["connect-src"] == "'self' https://api.stripe.com https://js.stripe.com"
    assert directives["frame-src"] == "'self' https://js.stripe.com https://hooks.stripe.com"


def test_staff_pages_keep_their_relaxations_beside_stripe_js(settings, rf):
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"script-src": [SELF]}}
    settings.STRIPE_SECRET_KEY = "sk_live_x"
    settings.STRIPE_PUBLISHABLE_KEY = "pk_live_x"
    middleware = ContentSecurityPolicyMiddleware(lambda request: HttpResponse("Tableau de bord"))

    policy = middleware(rf.get("/dashboard/")).headers["Content-Security-Policy"]

    assert "script-src 'self' 'unsafe-inline' https://js.stripe.com" in policy
