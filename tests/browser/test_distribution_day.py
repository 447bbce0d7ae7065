"""Distribution day in a real browser, on two phones: two volunteers tick baskets on the same
pickup list, one goes offline, ticks, comes back; both phones agree and the server recorded
each collection once; then the day is closed with its leftovers given a fate."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from deliveries.models import DayState, Handover, HandoverTick
from marketplace.shop_setup import ensure_shop_basics
from tests.baskets.test_contract_pdf import pdf_text
from tests.browser.conftest import assert_no_page_errors, either
from tests.browser.test_catalogue_journey import sign_in, visit
from tests.deliveries.distribution_day import BENOIT, CLAIRE, day_under_way

pytestmark = pytest.mark.browser

HOUSEHOLDS = [("Zoé", "Bouvier"), ("Léa", "Guérin"), ("Hugo", "Le Bihan"), ("Inès", "Morvan")]


def line_of(page, name):
    return (
        page.locator(".household")
        .filter(has=page.get_by_role("heading", name=name))
        .locator(".handover")
    )


def test_two_volunteers_tick_one_offline_and_the_day_is_closed(
    transactional_db, live_server, new_page, producer, clock
):
    ensure_shop_basics()
    under_way = day_under_way(
        clock,
        producer,
        HOUSEHOLDS,
        volunteers=[BENOIT, CLAIRE],
        food_aid_partner="Restos du Cœur",
    )
    day, url = under_way.day, under_way.pickup_list_url

    phones = []
    for volunteer in under_way.volunteers:
        phone = new_page(phone=True)
        sign_in(phone, volunteer.email, phone=True)
        phone.goto(url)
        expect(phone.locator(".household")).to_have_count(len(HOUSEHOLDS))
        visit(phone, phone=True)
        phones.append(phone)
    benoit, claire = phones

    # Benoît hands Zoé her basket: Claire's phone shows it within seconds.
    line_of(benoit, "Zoé Bouvier").get_by_role("button").click()
    expect(line_of(benoit, "Zoé Bouvier")).to_have_class(re.compile("is-collected"))
    expect(line_of(claire, "Zoé Bouvier")).to_have_class(re.compile("is-collected"))
    expect(claire.locator(".js-collected")).to_have_text("1")

    # Claire's phone loses the connection; she finds Léa with the search box and ticks her.
    claire.context.set_offline(True)
    claire.get_by_label(either("Find a household", "Trouver un foyer")).fill("léa")
    expect(claire.locator(".household:visible")).to_have_count(1)
    line_of(claire, "Léa Guérin").get_by_role("button").click()
    expect(line_of(claire, "Léa Guérin")).to_have_class(re.compile("is-collected"))
    expect(claire.locator(".pickup-sync")).to_contain_text("1")
    # Her tick waits on the phone; a reload keeps it.
    assert not Handover.objects.get(
        basket_delivery__subscription__member__first_name="Léa"
    ).is_collected

    # Back online: the tick is sent once and Benoît's phone agrees.
    claire.context.set_offline(False)
    expect(line_of(benoit, "Léa Guérin")).to_have_class(re.compile("is-collected"), timeout=15_000)
    expect(benoit.locator(".js-collected")).to_have_text("2")
    expect(claire.locator(".pickup-sync")).to_have_text(
        either("All ticks are sent.", "Toutes les coches sont envoyées.")
    )
    assert HandoverTick.objects.count() == 2
    assert Handover.objects.filter(distribution_day=day, collected_at__isnull=False).count() == 2

    claire.get_by_label(either("Find a household", "Trouver un foyer")).fill("")
    expect(claire.locator(".household:visible")).to_have_count(len(HOUSEHOLDS))

    # Benoît undoes Zoé by mistake and ticks her again: still one collection, by him.
    line_of(benoit, "Zoé Bouvier").get_by_role("button").click()
    expect(line_of(benoit, "Zoé Bouvier")).not_to_have_class(re.compile("is-collected"))
    expect(line_of(claire, "Zoé Bouvier")).not_to_have_class(
        re.compile("is-collected"), timeout=15_000
    )
    # A second later on both clocks (both are stopped): the new tick is the newer one, even
    # if a busy server were to receive the two in the other order.
    clock.now += dt.timedelta(seconds=1)
    benoit.context.clock.set_fixed_time(timezone.now())
    line_of(benoit, "Zoé Bouvier").get_by_role("button").click()
    expect(line_of(claire, "Zoé Bouvier")).to_have_class(re.compile("is-collected"), timeout=15_000)
    assert_no_page_errors(benoit)

    # The printed sheet lists every household.
    sheet = benoit.request.get(
        reverse("deliveries:sign-off-sheet", kwargs={"pk": day.pk, "format": "pdf"})
    )
    assert sheet.status == 200 and sheet.headers["content-type"] == "application/pdf"
    text = pdf_text(sheet.body())
    assert all(f"{first} {last}" in text for first, last in HOUSEHOLDS)

    # End of the day: Hugo's basket goes to the food-aid partner, Inès's is kept for her.
    benoit.get_by_role(
        "link", name=either("Close the distribution", "Clôturer la distribution")
    ).click()
    visit(benoit, phone=True)
    hugo = benoit.locator("fieldset").filter(has_text="Hugo Le Bihan")
    hugo.get_by_label(re.compile("Restos du Cœur")).check()
    benoit.get_by_role(
        "button", name=either("Close the distribution", "Clôturer la distribution")
    ).click()
    # It asks first, saying what becomes of each line; nothing is closed yet.
    expect(benoit.locator("h1")).to_contain_text(
        either("Close the distribution?", "Clôturer la distribution ?")
    )
    expect(benoit.locator("main li").filter(has_text="Hugo Le Bihan")).to_contain_text(
        "Restos du Cœur"
    )
    visit(benoit, phone=True)
    day.refresh_from_db()
    assert day.closed_at is None
    benoit.get_by_role(
        "button", name=either("Close the distribution", "Clôturer la distribution")
    ).click()
    expect(benoit.locator(".alert-success")).to_be_visible()
    day.refresh_from_db()
    assert day.state == DayState.DONE
    fates = dict(
        Handover.objects.filter(collected_at__isnull=True).values_list(
            "basket_delivery__subscription__member__first_name", "fate"
        )
    )
    assert fates == {"Hugo": "food_aid", "Inès": "kept"}
    assert_no_page_errors(benoit)
