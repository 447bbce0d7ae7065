"""The weekly cycle in a real browser: a visitor finds the nearest pickup point from a postcode,
sees it on the map, orders for its next distribution day; at the cut-off the producer finds the
line in their packing list."""

import datetime as dt
import re
from pathlib import Path

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from oscar.core.loading import get_model
from playwright.sync_api import expect

from deliveries.distribution.tasks import close_distribution_days
from deliveries.models import DayState, DistributionDay
from deliveries.network.services import materialise_distribution_days
from marketplace.shop_setup import ensure_shop_basics
from producers.models import DayQuota
from tests.browser.conftest import assert_no_page_errors, either
from tests.browser.test_catalogue_journey import card, sign_in, url_is, visit
from tests.factories import BRUZ, VITRE, PickupPointFactory, ScheduleFactory, product_for

Order = get_model("order", "Order")

pytestmark = pytest.mark.browser


def test_visitor_orders_for_the_next_day_of_the_nearest_point_and_producer_packs_it(
    transactional_db, live_server, new_page, producer, member
):
    ensure_shop_basics()
    bruz = PickupPointFactory(name="Halle de Bruz", **BRUZ)
    vitre = PickupPointFactory(name="Centre social de Vitré", **VITRE)
    weekday = (timezone.localdate() + dt.timedelta(days=4)).weekday()
    for point in (bruz, vitre):
        ScheduleFactory(pickup_point=point, weekday=weekday, valid_from=timezone.localdate())
    materialise_distribution_days()
    next_day = (
        DistributionDay.objects.filter(pickup_point=bruz, state=DayState.OPEN)
        .order_by("starts_at")
        .first()
    )
    squash = product_for(producer, title="Courge butternut", price="3.40", stock=50)
    DayQuota.objects.create(product=squash, distribution_day=next_day, quantity=8)
    page = new_page(phone=True)

    # A visitor looks for a pickup point near Bruz: list and map, nearest first.
    page.goto(reverse("deliveries:finder"))
    visit(page, phone=True)
    page.get_by_label(either("Postcode, town or address", "Code postal, ville ou adresse")).fill(
        "35170"
    )
    page.get_by_role("button", name=either("Search", "Rechercher"), exact=True).last.click()
    points = page.locator("article.pickup-point")
    expect(points.first).to_contain_text("Halle de Bruz")
    expect(points.nth(1)).to_contain_text("Centre social de Vitré")
    expect(page.locator(".leaflet-marker-icon")).to_have_count(2)
    visit(page, phone=True)

    # They order for its next distribution day: the catalogue says what is left for that day.
    points.first.get_by_role(
        "button", name=either("Order for this day", "Commander pour ce jour")
    ).click()
    expect(page).to_have_url(url_is(reverse("catalogue:index")))
    expect(page.locator(".chosen-day")).to_contain_text("Halle de Bruz")
    expect(card(page, "Courge butternut").locator(".day-left")).to_contain_text("8")
    visit(page, phone=True)

    sign_in(page, member.email, phone=True)
    page.goto(reverse("catalogue:index"))
    card(page, "Courge butternut").get_by_role(
        "button", name=either("Add to cart", "Ajouter au panier")
    ).click()
    expect(page.locator("header a.basket-link")).to_contain_text("1")
    page.goto(reverse("checkout:shipping-method"))
    # The day chosen in the finder comes first, ticked.
    expect(page.locator("input[name=method_code]").first).to_have_value(f"pickup-{next_day.pk}")
    expect(page.locator("input[name=method_code]").first).to_be_checked()
    visit(page, phone=True)
    page.get_by_role("button", name=either("Continue", "Continuer")).click()
    page.get_by_role("button", name=either("Place order", "Passer commande")).click()
    expect(page).to_have_url(url_is(reverse("checkout:thank-you")))
    order = Order.objects.get()
    assert order.pickup.distribution_day == next_day

    page.goto(reverse("catalogue:index"))
    expect(card(page, "Courge butternut").locator(".day-left")).to_contain_text("7")
    assert_no_page_errors(page)

    # The cut-off passes; the beat task closes the day and builds the packing lists.
    DistributionDay.objects.filter(pk=next_day.pk).update(cutoff_at=timezone.now())
    mail.outbox.clear()
    close_distribution_days()
    assert [m.to for m in mail.outbox] == [[producer.partner.users.get().email]]

    farm = new_page()
    sign_in(farm, producer.partner.users.get().email)
    farm.goto(reverse("producer_space:packing-lists"))
    visit(farm)
    farm.get_by_role("link", name=re.compile("Halle de Bruz")).click()
    visit(farm)
    main = farm.locator("main")
    expect(main.locator(".packing-totals")).to_contain_text("Courge butternut")
    expect(main.locator(".packing-members")).to_contain_text(member.get_full_name() or member.email)
    expect(main.locator(".packing-members")).to_contain_text(order.number)
    with farm.expect_download() as download:
        farm.get_by_role("link", name=either("Download CSV", "Télécharger le CSV")).click()
    assert "Courge butternut" in Path(download.value.path()).read_text(encoding="utf-8")
    assert_no_page_errors(farm)
