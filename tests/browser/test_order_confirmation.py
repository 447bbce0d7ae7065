"""After placing an order on a 360 px phone, the thank-you page tells the member what they
ordered, where and when to collect it (Paris time), until when they can cancel and that they pay
at pickup; and leads to "Mes retraits"."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from oscar.core.loading import get_model
from playwright.sync_api import expect

from marketplace.shop_setup import ensure_shop_basics
from tests.browser.conftest import assert_no_page_errors, either
from tests.browser.test_catalogue_journey import card, sign_in, url_is, visit
from tests.factories import DistributionDayFactory, PickupPointFactory, product_for

Order = get_model("order", "Order")
PARIS = ZoneInfo("Europe/Paris")

# A Tuesday before the winter-time change: the distribution is on the other side of it.
pytestmark = [pytest.mark.browser, pytest.mark.now("2026-10-20 10:00")]


def test_member_reads_where_when_and_how_to_pay_on_the_thank_you_page(
    transactional_db, live_server, new_page, producer, member
):
    ensure_shop_basics()
    point = PickupPointFactory(
        name="Jardin du Thabor",
        address="Place Saint-Mélaine",
        access_notes="Entrée par la grille nord.",
    )
    DistributionDayFactory(
        pickup_point=point,
        date=dt.date(2026, 10, 27),
        starts_at=dt.datetime(2026, 10, 27, 18, 0, tzinfo=PARIS),
        ends_at=dt.datetime(2026, 10, 27, 19, 30, tzinfo=PARIS),
        cutoff_at=dt.datetime(2026, 10, 24, 18, 0, tzinfo=PARIS),
    )
    product_for(producer, title="Courge butternut", price="3.40", stock=20)
    page = new_page(phone=True)

    sign_in(page, member.email, phone=True)
    page.goto(reverse("catalogue:index"))
    card(page, "Courge butternut").get_by_role(
        "button", name=either("Add to cart", "Ajouter au panier")
    ).click()
    expect(page.locator("header a.basket-link")).to_contain_text("1")
    page.goto(reverse("checkout:shipping-method"))
    page.get_by_role("button", name=either("Continue", "Continuer")).click()
    expect(page).to_have_url(url_is(reverse("checkout:preview")))
    preview = page.locator("main")
    expect(preview).to_contain_text("mardi 27 octobre 2026")
    expect(preview).to_contain_text("18:00")
    visit(page, phone=True)
    page.get_by_role("button", name=either("Place order", "Passer commande")).click()

    expect(page).to_have_url(url_is(reverse("checkout:thank-you")))
    visit(page, phone=True)
    main = page.locator("main")
    order = Order.objects.get()
    expect(main.get_by_role("heading", level=1)).to_contain_text(order.number)
    pickup = main.locator("section").filter(has=page.locator("#pickup-title"))
    expect(pickup).to_contain_text("Jardin du Thabor")
    expect(pickup).to_contain_text("Place Saint-Mélaine")
    expect(pickup).to_contain_text("Entrée par la grille nord.")
    expect(pickup).to_contain_text(re.compile(r"mardi 27 octobre 2026\D+18:00\D+19:30"))
    expect(pickup).to_contain_text("samedi 24 octobre, 18:00")
    expect(main).to_contain_text(re.compile(r"3,40\s€"))
    expect(main).to_contain_text(either("by cheque or in cash", "par chèque ou en espèces"))
    expect(main).to_contain_text(either("Confirmed, to collect", "Confirmée, à retirer"))
    for oscar_words in ("Allocation", "pending", "Adresse de livraison", "17:00", "16:00"):
        expect(main).not_to_contain_text(oscar_words)

    main.get_by_role("link", name=either("My pickups", "Mes retraits")).first.click()
    expect(page).to_have_url(url_is(reverse("deliveries:upcoming-orders")))
    expect(page.locator("main")).to_contain_text(order.number)
    assert_no_page_errors(page)
