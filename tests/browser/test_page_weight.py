"""Page weight as a phone on a slow line feels it, served the way production serves it.

The static files are collected by ``manage.py collectstatic`` under the production settings (hashed
names, gzip copies) into a temporary folder, and a server runs with production's middleware
(WhiteNoise, GZipMiddleware) and static-file storage: no Django static handler in front, unlike
the live server of the other browser tests. Chromium's own network log counts the bytes.

Budgets (issue 12): the catalogue and the pickup list transfer under 150 KiB on a first visit and
under 20 KiB on the next one.
"""

import json
import os
import secrets
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import connections
from django.test import Client
from django.test.testcases import LiveServerThread
from django.urls import reverse

from marketplace.shop_setup import ensure_shop_basics
from tests.browser.conftest import CHROMIUM, PHONE
from tests.browser.page_weight import (
    FIRST_VISIT_BUDGET,
    KIB,
    SECOND_VISIT_BUDGET,
    NetworkLog,
    describe_requests,
    total_bytes,
)
from tests.deliveries.distribution_day import day_under_way
from tests.factories import UserFactory, product_for

pytestmark = pytest.mark.browser

# Run under the production settings: collect the static files, then say how they are served.
COLLECT = """
import json
import django
from django.conf import settings
from django.core.management import call_command

django.setup()
call_command("collectstatic", interactive=False, verbosity=0)
print(json.dumps({
    "STATIC_ROOT": str(settings.STATIC_ROOT),
    "STORAGES": settings.STORAGES,
    "MIDDLEWARE": settings.MIDDLEWARE,
    "WHITENOISE_USE_FINDERS": settings.WHITENOISE_USE_FINDERS,
}))
"""


@pytest.fixture(scope="module")
def production_static(tmp_path_factory):
    """The production settings' static handling, with the files collected (about 20 s)."""
    if not CHROMIUM.exists():
        pytest.skip("Chromium not installed: apt-get install chromium")
    var_dir = tmp_path_factory.mktemp("production")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "marketplace.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "VAR_DIR": str(var_dir),
    }
    done = subprocess.run(
        [sys.executable, "-c", COLLECT],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture
def production_server(production_static, settings, transactional_db):
    """A server with production's static handling, on its own thread; yields its URL."""
    settings.DEBUG = False
    settings.STATIC_ROOT = production_static["STATIC_ROOT"]
    settings.STORAGES = production_static["STORAGES"]
    settings.MIDDLEWARE = production_static["MIDDLEWARE"]
    settings.WHITENOISE_USE_FINDERS = production_static["WHITENOISE_USE_FINDERS"]
    settings.WHITENOISE_AUTOREFRESH = False
    shared = {
        connection.alias: connection
        for connection in connections.all()
        if connection.vendor == "sqlite" and connection.is_in_memory_db()
    }
    # No static handler in front of the site: WhiteNoise answers /static/ as in production.
    thread = LiveServerThread(
        "127.0.0.1", static_handler=lambda handler: handler, connections_override=shared
    )
    thread.daemon = True
    for connection in shared.values():
        connection.inc_thread_sharing()
    thread.start()
    thread.is_ready.wait()
    try:
        if thread.error:
            raise thread.error
        yield f"http://{thread.host}:{thread.port}"
    finally:
        thread.terminate()
        for connection in shared.values():
            connection.dec_thread_sharing()


@pytest.fixture
def phone(chromium, production_server):
    """A phone with an empty cache; ``phone(user)`` is signed in as that user."""
    contexts = []

    def open_phone(user=None):
        context = chromium.new_context(
            base_url=production_server,
            viewport=PHONE,
            is_mobile=True,
            has_touch=True,
            locale="fr-FR",
            # A service worker fetches on its own, out of the page's network log: without it
            # every byte of a visit is counted.
            service_workers="block",
        )
        contexts.append(context)
        if user is not None:
            client = Client()
            client.force_login(user)
            cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
            context.add_cookies(
                [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": production_server}]
            )
        return context.new_page()

    yield open_phone
    for context in contexts:
        context.close()


def assert_light(page, url: str) -> None:
    """First visit under 150 KiB, compressed and cacheable; the next one under 20 KiB."""
    network = NetworkLog(page)
    first = network.visit(url)
    page_response = next(r for r in first if r.get("type") == "Document")
    assert page_response["status"] == 200, describe_requests(first)
    assert page_response["headers"].get("content-encoding") == "gzip", "the page is compressed"
    for request in first:
        if "/static/" in request.get("url", ""):
            headers = request.get("headers", {})
            assert "immutable" in headers.get("cache-control", ""), (
                f"{request['url']} is not cached for good: {headers.get('cache-control')}"
            )
            if request["url"].endswith((".css", ".js", ".svg")):
                assert headers.get("content-encoding") == "gzip", f"{request['url']} uncompressed"
    assert total_bytes(first) <= FIRST_VISIT_BUDGET, (
        f"first visit to {url}: {total_bytes(first) / KIB:.0f} KiB "
        f"(budget {FIRST_VISIT_BUDGET / KIB:.0f}):\n{describe_requests(first)}"
    )

    second = network.visit(url)
    print(
        f"\n{url}: first visit {total_bytes(first) / KIB:.1f} KiB in {len(first)} requests, "
        f"next {total_bytes(second) / KIB:.1f} KiB\n{describe_requests(first)}"
    )
    assert total_bytes(second) <= SECOND_VISIT_BUDGET, (
        f"second visit to {url}: {total_bytes(second) / KIB:.0f} KiB "
        f"(budget {SECOND_VISIT_BUDGET / KIB:.0f}):\n{describe_requests(second)}"
    )


def test_catalogue_is_light_on_a_first_visit_and_lighter_on_the_next(
    production_server, phone, producer
):
    ensure_shop_basics()
    for number in range(30):  # more than a page of cards
        product_for(producer, title=f"Légume de saison n°{number}", stock=12)

    assert_light(phone(), reverse("catalogue:index"))
    assert_light(phone(UserFactory()), reverse("catalogue:index"))


def test_pickup_list_is_light_on_a_first_visit_and_lighter_on_the_next(
    production_server, phone, producer, clock
):
    ensure_shop_basics()
    under_way = day_under_way(clock, producer, households=20)

    page = phone(under_way.volunteer)
    assert_light(page, under_way.pickup_list_url)
    assert page.locator(".household").count() == 20
