"""A visitor sees the nearest pickup points on a map beside the list, which works without it."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser.conftest import (
    TIMEOUT_MS,
    assert_fits_width,
    assert_no_page_errors,
    check_accessibility,
)
from tests.factories import BRUZ, VITRE, PickupPointFactory, ScheduleFactory

pytestmark = pytest.mark.browser

# Nothing listens on the discard port: tiles that never come, without leaving the machine.
UNREACHABLE_TILES = "http://127.0.0.1:9/{z}/{x}/{y}.png"


@pytest.fixture
def three_points(transactional_db):
    from deliveries.network.services import materialise_distribution_days

    bruz = PickupPointFactory(name="Halle de Bruz", **BRUZ)
    PickupPointFactory(name="Maison de quartier de Rennes")
    PickupPointFactory(name="Centre social de Vitré", **VITRE)
    ScheduleFactory(pickup_point=bruz, weekday=4, valid_from=dt.date(2020, 1, 3))
    materialise_distribution_days()
    return ["Halle de Bruz", "Maison de quartier de Rennes", "Centre social de Vitré"]


def requests_leaving_the_site(page, site_url: str) -> list[str]:
    """Every request the page makes elsewhere than our own server, as it happens."""
    elsewhere = []
    page.on(
        "request",
        lambda request: (
            elsewhere.append(request.url)
            if not request.url.startswith((site_url, "data:", "blob:"))
            else None
        ),
    )
    return elsewhere


def search(page, postcode: str) -> None:
    page.goto(reverse("deliveries:finder"))
    page.get_by_label("Code postal, ville ou adresse").fill(postcode)
    page.locator("#finder-form").get_by_role("button", name="Rechercher", exact=True).click()


def test_visitor_sees_one_numbered_marker_per_listed_point_on_a_phone(
    new_page, live_server, settings, three_points
):
    settings.MAP_TILE_URL = ""
    page = new_page(phone=True)
    elsewhere = requests_leaving_the_site(page, live_server.url)

    search(page, "35170")

    cards = page.locator("article.pickup-point")
    expect(cards).to_have_count(3)
    map_region = page.locator("#finder-map")
    expect(map_region).to_be_visible()
    expect(map_region).to_have_attribute("role", "region")
    markers = map_region.locator(".leaflet-marker-icon")
    expect(markers).to_have_count(3)
    expect(markers).to_have_text(["1", "2", "3"])
    for number, name in enumerate(three_points, start=1):
        expect(cards.nth(number - 1)).to_contain_text(name)
        expect(markers.nth(number - 1)).to_have_attribute("aria-label", f"{number}. {name}")
    expect(map_region.locator(".finder-place")).to_have_count(1)
    expect(map_region.locator(".leaflet-tile")).to_have_count(0)
    height = map_region.bounding_box()["height"]
    assert 280 <= height <= 320, f"the map is {height}px high on a phone"
    check_accessibility(page)
    assert_fits_width(page)

    markers.nth(1).click()
    popup = map_region.locator(".leaflet-popup")
    expect(popup).to_contain_text("Maison de quartier de Rennes")
    expect(popup).to_contain_text("km")
    expect(popup).to_have_css("opacity", "1")  # faded in: axe reads the colours as seen
    check_accessibility(page)
    assert_fits_width(page)
    popup.get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"#pickup-point-\d+$"))
    target = page.locator("li.pickup-point-entry:target")
    expect(target).to_contain_text("Maison de quartier de Rennes")
    assert_fits_width(page)

    assert elsewhere == [], f"requests left the site: {elsewhere}"
    assert_no_page_errors(page)


def test_on_a_wide_screen_the_map_sits_beside_the_list_even_when_tiles_never_come(
    new_page, settings, three_points
):
    settings.MAP_TILE_URL = UNREACHABLE_TILES
    settings.MAP_TILE_ATTRIBUTION = "© Tuiles de test"
    page = new_page()

    search(page, "35170")

    map_region = page.locator("#finder-map")
    expect(map_region.locator(".leaflet-marker-icon")).to_have_count(3)
    expect(map_region.locator(".leaflet-control-attribution")).to_contain_text("Tuiles de test")
    expect(map_region.locator(".leaflet-tile").first).to_be_attached()
    listing = page.locator("#pickup-point-list").bounding_box()
    drawn = map_region.bounding_box()
    assert drawn["x"] >= listing["x"] + listing["width"], "the map is not beside the list"
    expect(page.locator("article.pickup-point")).to_have_count(3)
    check_accessibility(page)
    assert_no_page_errors(page)


def test_without_javascript_the_list_is_complete_and_no_map_is_shown(
    chromium, live_server, three_points
):
    context = chromium.new_context(
        base_url=live_server.url, locale="fr-FR", java_script_enabled=False
    )
    context.set_default_timeout(TIMEOUT_MS)
    try:
        page = context.new_page()
        search(page, "35170")

        cards = page.locator("article.pickup-point")
        expect(cards).to_have_count(3)
        for number, name in enumerate(three_points):
            expect(cards.nth(number)).to_contain_text(name)
        expect(cards.first).to_contain_text("Prochaine distribution")
        expect(page.locator("#finder-map")).to_be_hidden()
        expect(page.locator(".leaflet-marker-icon")).to_have_count(0)
    finally:
        context.close()
