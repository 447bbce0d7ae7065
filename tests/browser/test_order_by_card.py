"""A member pays an order of two producers by card on their phone: on the preview they choose
"now, by card", type a card into (localstripe's) Stripe.js field; a card the bank declines is
said in the page and nothing is ordered; the test card pays, the thank-you page says the order
is paid by card, and each producer's part was taken on their own account. The preview fits
360 px and axe finds nothing serious on it."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from oscar.core.loading import get_model
from playwright.sync_api import expect

from marketplace.payments.models import OrderPayment, ProducerAccount
from marketplace.shop_setup import ensure_shop_basics
from tests.browser.conftest import (
    assert_fits_width,
    assert_no_page_errors,
    check_accessibility,
    either,
)
from tests.browser.test_catalogue_journey import card, sign_in, url_is, visit
from tests.browser.test_subscribe_with_instalments import type_card
from tests.factories import (
    DistributionDayFactory,
    PickupPointFactory,
    ProducerFactory,
    UserFactory,
    product_for,
)
from tests.payments.conftest import localstripe, localstripe_server  # noqa: F401 (fixtures)

Order = get_model("order", "Order")
PARIS = ZoneInfo("Europe/Paris")

pytestmark = [pytest.mark.browser, pytest.mark.now("2026-10-20 10:00")]


def test_a_member_pays_an_order_of_two_producers_by_card(
    transactional_db,
    live_server,
    new_page,
    producer,
    member,
    localstripe,  # noqa: F811 (the fixture imported above)
):
    ensure_shop_basics()
    point = PickupPointFactory(name="Jardin du Thabor")
    DistributionDayFactory(
        pickup_point=point,
        date=dt.date(2026, 10, 27),
        starts_at=dt.datetime(2026, 10, 27, 18, 0, tzinfo=PARIS),
        ends_at=dt.datetime(2026, 10, 27, 19, 30, tzinfo=PARIS),
        cutoff_at=dt.datetime(2026, 10, 24, 18, 0, tzinfo=PARIS),
    )
    dairy = ProducerFactory(users=[UserFactory(email="laiterie@example.org")])
    for farm in (producer, dairy):
        ProducerAccount.objects.create(producer=farm, account_id=f"acct_farm{farm.pk}")
    product_for(producer, title="Courge butternut", price="3.40", stock=20)
    product_for(dairy, title="Yaourts fermiers", price="4.10", stock=20)
    page = new_page(phone=True)

    sign_in(page, member.email, phone=True)
    page.goto(reverse("catalogue:index"))
    for title in ("Courge butternut", "Yaourts fermiers"):
        card(page, title).get_by_role(
            "button", name=either("Add to cart", "Ajouter au panier")
        ).click()
    expect(page.locator("header a.basket-link")).to_contain_text("2")
    page.goto(reverse("checkout:shipping-method"))
    page.get_by_role("button", name=either("Continue", "Continuer")).click()
    expect(page).to_have_url(url_is(reverse("checkout:preview")))

    page.get_by_label(either("Now, by card", "Maintenant, par carte")).check()
    expect(page.locator("#card-fields")).to_be_visible()
    check_accessibility(page, exclude=["#card-element"])
    assert_fits_width(page)
    pay = page.get_by_role(
        "button", name=either("Pay by card and place order", "Payer par carte et commander")
    )
    type_card(page, "4000000000000341", field="#card-element")  # declined when charged
    pay.click()
    expect(page.locator("#card-error")).to_contain_text(
        either("declined", "refusé"), ignore_case=True
    )
    assert not Order.objects.exists()

    type_card(page, "4242424242424242", field="#card-element")
    pay.click()

    expect(page).to_have_url(url_is(reverse("checkout:thank-you")))
    visit(page, phone=True)
    main = page.locator("main")
    expect(main).to_contain_text(either("Paid by card", "Payée par carte"))
    expect(main).to_contain_text("7,50")
    order = Order.objects.get()
    parts = OrderPayment.objects.filter(order=order)
    assert sorted((p.producer_account, str(p.amount), p.state) for p in parts) == sorted(
        [
            (f"acct_farm{producer.pk}", "3.40", "captured"),
            (f"acct_farm{dairy.pk}", "4.10", "captured"),
        ]
    )
    assert_no_page_errors(page)
