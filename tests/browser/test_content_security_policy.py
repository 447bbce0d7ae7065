"""The main pages under production's Content-Security-Policy and Permissions-Policy: no inline
script or style is refused, and every script still works (the phone menu, the finder's map and
its tiles, Oscar's cart and checkout, the pickup list's ticks)."""

import re

import pytest
from django.conf import settings
from django.test import Client
from django.test.testcases import _StaticFilesHandler
from django.urls import reverse
from playwright.sync_api import expect

from marketplace.shop_setup import ensure_shop_basics
from tests.browser.conftest import PHONE, TIMEOUT_MS
from tests.browser.production import live_server, production_settings
from tests.deliveries.distribution_day import day_under_way
from tests.factories import DistributionDayFactory, ProducerFactory, UserFactory, product_for

pytestmark = pytest.mark.browser

# A tile server elsewhere than the site, as in production; the browser's requests to it are
# answered by the test (nothing leaves the machine), after the policy has let them through.
TILE_HOST = "https://tiles.example.test"
TILE_URL = TILE_HOST + "/{z}/{x}/{y}.png"
# A 1×1 PNG.
TILE_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4"
    "890000000d49444154789c6360f8cfc0f01f0005000201e5273ca30000000049454e44ae426082"
)

# Every refusal of the policy, as the page hears of it (an init script is not subject to it).
LISTEN = """
window.__refused = [];
document.addEventListener("securitypolicyviolation", (event) => {
    window.__refused.push(`${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}:${event.lineNumber}`);
});
"""


@pytest.fixture(scope="module")
def production_policy():
    """Production's policy, middleware and all, with its map tiles on another host."""
    names = ["CONTENT_SECURITY_POLICY", "PERMISSIONS_POLICY", "MIDDLEWARE"]
    return production_settings(names, MAP_TILE_URL=TILE_URL)


@pytest.fixture
def server(production_policy, settings, transactional_db):
    """A server with production's headers (its own thread: the shared live server's middleware
    is built once); yields its URL."""
    settings.CONTENT_SECURITY_POLICY = production_policy["CONTENT_SECURITY_POLICY"]
    settings.PERMISSIONS_POLICY = production_policy["PERMISSIONS_POLICY"]
    settings.MIDDLEWARE = production_policy["MIDDLEWARE"]
    settings.MAP_TILE_URL = TILE_URL
    settings.MAP_TILE_ATTRIBUTION = "© Tuiles de test"
    # Static files from the apps' folders, as the other browser tests' live server serves them.
    with live_server(static_handler=_StaticFilesHandler) as url:
        yield url


@pytest.fixture
def phone(chromium, server):
    """``phone(user)``: a phone (signed in as ``user`` if given) that records what the policy
    refuses, the page's JavaScript errors and the tiles it fetched."""
    contexts = []

    def open_phone(user=None):
        context = chromium.new_context(
            base_url=server, viewport=PHONE, is_mobile=True, has_touch=True, locale="fr-FR"
        )
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        context.add_init_script(LISTEN)
        if user is not None:
            client = Client()
            client.force_login(user)
            cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
            context.add_cookies(
                [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": server}]
            )
        page = context.new_page()
        page.problems = []
        page.tiles = []
        page.on("pageerror", lambda error: page.problems.append(f"{page.url}: {error}"))
        page.on(
            "console",
            lambda message: (
                page.problems.append(f"{page.url}: {message.text}")
                if "Content Security Policy" in message.text or message.type == "error"
                else None
            ),
        )

        def tile(route):
            page.tiles.append(route.request.url)
            route.fulfill(status=200, content_type="image/png", body=TILE_PNG)

        page.route(f"{TILE_HOST}/**", tile)
        return page

    yield open_phone
    for context in contexts:
        context.close()


def assert_nothing_refused(page) -> None:
    refused = page.evaluate("window.__refused")
    assert refused == [], f"{page.url}: the policy refused {refused}"
    assert page.problems == [], "\n".join(page.problems)


def test_the_site_sends_its_policies(server):
    client = Client()
    response = client.get(reverse("catalogue:index"))

    header = response["Content-Security-Policy"]
    # django-csp writes the directives in no fixed order: read them as a mapping.
    policy = dict(directive.strip().split(" ", 1) for directive in header.split(";"))
    assert policy["script-src"] == "'self'" and "unsafe-inline" not in header
    assert policy["img-src"] == f"'self' data: {TILE_HOST}"
    assert "camera=()" in response["Permissions-Policy"]
    assert "microphone=()" in response["Permissions-Policy"]
    assert "payment=()" in response["Permissions-Policy"]
    assert "geolocation=(self)" in response["Permissions-Policy"]


def test_a_member_shops_and_checks_out_with_nothing_refused(phone):
    ensure_shop_basics()
    DistributionDayFactory(pickup_point__name="Halle de Bruz")
    member = UserFactory(email="awa@example.org")
    product = product_for(ProducerFactory(), title="Poireaux")
    page = phone(member)

    page.goto(reverse("catalogue:index"))
    menu = page.locator("header .site-menu-button")
    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "true")
    assert_nothing_refused(page)

    page.goto(reverse("deliveries:finder") + "?lat=48.11&lon=-1.68")
    expect(page.locator("#finder-map .leaflet-marker-icon")).to_have_count(1)
    expect(page.locator("#finder-map .leaflet-tile-loaded").first).to_be_attached()
    assert page.tiles, "no map tile was asked for"
    assert_nothing_refused(page)

    page.goto(product.get_absolute_url())
    page.locator("#id_quantity").fill("2")
    page.locator("main").get_by_role("button", name=re.compile("Ajouter au panier")).click()
    expect(page.locator("header a.basket-link")).to_contain_text("2")
    assert_nothing_refused(page)

    page.goto(reverse("basket:summary"))
    # Oscar's cart script started, from a file now.
    assert page.evaluate("window.oscar && oscar.basket.url") == reverse("basket:summary")
    assert_nothing_refused(page)

    page.goto(reverse("checkout:shipping-method"))
    page.get_by_label(re.compile("Halle de Bruz")).check()
    page.get_by_role("button", name="Continuer").click()
    expect(page).to_have_url(re.compile(re.escape(reverse("checkout:preview"))))
    assert_nothing_refused(page)
    page.get_by_role("button", name="Passer commande").click()
    expect(page).to_have_url(re.compile(re.escape(reverse("checkout:thank-you"))))
    page.evaluate("window.print = () => { window.__printed = true; }")
    page.locator("[data-print-page]").click()
    assert page.evaluate("window.__printed") is True
    assert_nothing_refused(page)

    page.goto(reverse("deliveries:upcoming-orders"))
    expect(page.locator("main")).to_contain_text("Poireaux")
    assert_nothing_refused(page)


def test_my_baskets_and_the_pickup_list_work_with_nothing_refused(phone, clock):
    ensure_shop_basics()
    day = day_under_way(clock, ProducerFactory(), [("Zoé", "Bouvier")])
    holder = day.subscriptions[0].member

    member_page = phone(holder)
    member_page.goto(reverse("baskets:mine"))
    expect(member_page.locator("main")).to_be_visible()
    assert_nothing_refused(member_page)

    volunteer_page = phone(day.volunteer)
    volunteer_page.goto(day.pickup_list_url)
    line = (
        volunteer_page.locator(".household")
        .filter(has=volunteer_page.get_by_role("heading", name="Zoé Bouvier"))
        .locator(".handover")
    )
    line.get_by_role("button").click()
    expect(line).to_have_class(re.compile("is-collected"))
    assert_nothing_refused(volunteer_page)
