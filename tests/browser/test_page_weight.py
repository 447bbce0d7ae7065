"""Page weight as a phone on a slow line feels it, served the way production serves it.

The static files are collected by ``manage.py collectstatic`` under the production settings (hashed
names, gzip copies) into a temporary folder, and a server runs with production's middleware
(WhiteNoise, GZipMiddleware) and static-file storage: no Django static handler in front, unlike
the live server of the other browser tests. Chromium's own network log counts the bytes.

Budgets (issue 12): the catalogue and the pickup list transfer under 150 KiB on a first visit and
under 20 KiB on the next one.
"""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from marketplace.shop_setup import ensure_shop_basics
from tests.browser.conftest import PHONE
from tests.browser.page_weight import (
    FIRST_VISIT_BUDGET,
    KIB,
    SECOND_VISIT_BUDGET,
    NetworkLog,
    describe_requests,
    total_bytes,
)
from tests.browser.production import live_server, production_settings
from tests.deliveries.distribution_day import day_under_way
from tests.factories import UserFactory, product_for

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def production_static(tmp_path_factory):
    """The production settings' static handling, with the files collected."""
    names = ["STATIC_ROOT", "STORAGES", "MIDDLEWARE", "WHITENOISE_USE_FINDERS"]
    var_dir = tmp_path_factory.mktemp("production")
    return production_settings(names, collect_static=True, VAR_DIR=str(var_dir))


@pytest.fixture
def production_server(production_static, settings, transactional_db):
    """A server with production's static handling, on its own thread; yields its URL."""
    settings.DEBUG = False
    settings.STATIC_ROOT = production_static["STATIC_ROOT"]
    settings.STORAGES = production_static["STORAGES"]
    settings.MIDDLEWARE = production_static["MIDDLEWARE"]
    settings.WHITENOISE_USE_FINDERS = production_static["WHITENOISE_USE_FINDERS"]
    settings.WHITENOISE_AUTOREFRESH = False
    # No static handler in front of the site: WhiteNoise answers /static/ as in production.
    with live_server(static_handler=lambda handler: handler) as url:
        yield url


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
