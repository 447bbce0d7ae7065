"""A visitor on a phone finds farms near a postcode, and reads the site in English."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser.conftest import assert_fits_width, assert_no_page_errors, check_accessibility
from tests.browser.site_menu import header_link, open_site_menu
from tests.factories import BRUZ, VITRE, ProducerFactory

pytestmark = pytest.mark.browser


def test_visitor_finds_the_nearest_farms_from_a_postcode_on_a_phone(new_page):
    ProducerFactory(
        name="Ferme de Vitré",
        **VITRE,
    )
    ProducerFactory(
        name="Ferme de Bruz",
        **BRUZ,
    )
    page = new_page(phone=True)

    page.goto(reverse("home-page"))
    check_accessibility(page)
    assert_fits_width(page)
    page.get_by_role("link", name=re.compile("producteurs près de chez vous", re.I)).click()

    page.get_by_label("Ville ou code postal").fill("Atlantide")
    page.get_by_role("button", name="Afficher les producteurs").click()
    expect(page.locator("#id_near_error")).to_contain_text("Atlantide")
    expect(page.get_by_label("Ville ou code postal")).to_have_attribute("aria-invalid", "true")
    check_accessibility(page)
    assert_fits_width(page)

    page.get_by_label("Ville ou code postal").fill("35170")
    page.get_by_role("button", name="Afficher les producteurs").click()
    cards = page.locator("article.producer-card")
    expect(cards.first).to_contain_text("Ferme de Bruz")
    expect(cards.nth(1)).to_contain_text("Ferme de Vitré")
    expect(cards.nth(1).locator(".distance")).to_contain_text("km")
    check_accessibility(page)
    assert_fits_width(page)

    open_site_menu(page)
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Producers near you")
    expect(cards.first).to_contain_text("Ferme de Bruz")
    check_accessibility(page)
    assert_fits_width(page)
    assert_no_page_errors(page)


def test_visitor_finds_the_nearest_pickup_point_from_a_postcode_on_a_phone(new_page):
    import datetime as dt

    from deliveries.network.services import materialise_distribution_days
    from tests.factories import PickupPointFactory, ScheduleFactory

    point = PickupPointFactory(
        name="Halle de Bruz",
        **BRUZ,
    )
    ScheduleFactory(pickup_point=point, weekday=4, valid_from=dt.date(2020, 1, 3))
    materialise_distribution_days()
    page = new_page(phone=True)

    page.goto(reverse("home-page"))
    header_link(page, "Lieux de distribution").click()
    page.get_by_label("Code postal, ville ou adresse").fill("35170")
    page.get_by_role("button", name="Rechercher", exact=True).last.click()

    found = page.locator("article.pickup-point").first
    expect(found).to_contain_text("Halle de Bruz")
    expect(found).to_contain_text("km")
    expect(found).to_contain_text("Prochaine distribution")
    check_accessibility(page)
    assert_fits_width(page)
    assert_no_page_errors(page)
