import os
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from tests.payments import localstripe as fake
from tests.payments.world import point_on_tuesdays


@pytest.fixture(scope="session")
def localstripe_server():
    """One localstripe for the test session, on a free loopback port behind the recording proxy
    (tests/payments/localstripe.py); its log under VAR_DIR."""
    log = Path(os.environ.get("LOCALSTRIPE_LOG") or django_settings.VAR_DIR / "localstripe.log")
    with fake.running(log) as server:
        yield server


@pytest.fixture
def localstripe(localstripe_server, settings):
    """The site's Stripe settings pointed at localstripe (through the proxy), its objects, the
    requests recorded and the webhook endpoint forgotten: ``localstripe.sent("POST", path)``
    tells what the official client sent."""
    localstripe_server.reset()
    settings.STRIPE_SECRET_KEY = fake.SECRET_KEY
    settings.STRIPE_PUBLISHABLE_KEY = fake.PUBLISHABLE_KEY
    settings.STRIPE_WEBHOOK_SECRET = fake.WEBHOOK_SECRET
    settings.STRIPE_API_BASE = localstripe_server.api_base
    settings.STRIPE_JS_URL = localstripe_server.js_url
    return localstripe_server


@pytest.fixture
def webhook_inbox(localstripe):
    """localstripe's webhooks, signed with STRIPE_WEBHOOK_SECRET, delivered to an endpoint of
    the test."""
    inbox = fake.WebhookInbox()
    localstripe.register_webhook(inbox.url)
    yield inbox
    inbox.close()


@pytest.fixture
def point(db):
    """A pickup point distributing on Tuesdays (tests/payments/world.py); modules may have
    their own."""
    return point_on_tuesdays()
