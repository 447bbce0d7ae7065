"""The à la carte journey in a real browser, every page checked with axe-core.

A producer adds a product from their space (hidden at first), sets its stock and publishes it; a
visitor on a phone finds it in the catalogue and on the farm's page, signs in, orders it and sees
the thank-you page; stock goes down and the producer sees the order line.

Selectors use element ids and URL names where text is translated, and match both the English
source strings and their French translations elsewhere (the UI is French first; Oscar's own
strings are already translated, ours not yet).
"""

import re
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from oscar.core.loading import get_model
from playwright.sync_api import expect

from marketplace.shop_setup import ensure_shop_basics
from tests.browser.conftest import (
    assert_fits_width,
    assert_no_page_errors,
    check_accessibility,
    either,
    is_phone,
)
from tests.browser.page_weight import assert_page_weight
from tests.browser.site_menu import header_link
from tests.factories import DistributionDayFactory, category, product_for

Order = get_model("order", "Order")
Product = get_model("catalogue", "Product")

pytestmark = pytest.mark.browser

PASSWORD = "secret-pass-123"  # tests.factories.UserFactory
TITLE = "Courge butternut"
PRICE = "3.40"
FIRST_STOCK = 10
STOCK = 12
QUANTITY = 2


def url_is(path: str) -> re.Pattern:
    """The page's URL is exactly this path (a query string allowed)."""
    return re.compile(rf"^https?://[^/]+{re.escape(path)}(\?.*)?$")


def visit(page, *, phone: bool = False) -> None:
    """Checks made on every page the journey visits (a phone's page fits 320 px)."""
    check_accessibility(page)
    if phone or is_phone(page):
        assert_fits_width(page)
    assert_page_weight(page)  # estimated as production would send it: see page_weight.py


def sign_in(page, email: str, *, phone: bool = False) -> None:
    page.goto(reverse("customer:login"))
    visit(page, phone=phone)
    page.locator("#id_login-username").fill(email)
    page.locator("#id_login-password").fill(PASSWORD)
    page.locator("button[name=login_submit]").click()
    expect(page.locator("#id_login-password")).to_have_count(0)
    expect(page.locator("header form[action$='/logout/']")).to_have_count(1)
    visit(page, phone=phone)


def product_row(page, title: str):
    return page.get_by_role("row").filter(has=page.get_by_role("link", name=title, exact=True))


def producer_adds_a_hidden_product(page, producer) -> None:
    sign_in(page, producer.partner.users.get().email)

    page.locator("header").get_by_role("link", name=either("My farm", "Mon exploitation")).click()
    expect(page).to_have_url(url_is(reverse("producer_space:products")))
    visit(page)

    page.get_by_role("link", name=either("Add a product", "Ajouter un produit")).click()
    expect(page).to_have_url(url_is(reverse("producer_space:product-create")))
    visit(page)

    page.locator("#id_title").fill(TITLE)
    page.locator("#id_description").fill("Courges de plein champ, récoltées à maturité.")
    page.locator("#id_category").select_option(label="Légumes")
    page.locator("#id_unit").select_option("kg")
    page.locator("#id_stock").fill(str(FIRST_STOCK))
    page.locator("#id_is_public").uncheck()  # hidden first: publishing is its own step
    save = page.get_by_role("button", name=either("Save", "Enregistrer"))

    # Forgotten price: the form comes back with the error tied to the field.
    save.click()
    expect(page.get_by_role("alert")).to_be_visible()
    expect(page.locator("#id_price")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_price_error")).to_be_visible()
    expect(page.locator("#id_title")).to_have_value(TITLE)
    visit(page)

    page.locator("#id_price").fill(PRICE)
    save.click()
    expect(page).to_have_url(url_is(reverse("producer_space:products")))
    expect(page.locator("#messages")).to_contain_text(TITLE)
    row = product_row(page, TITLE)
    expect(row).to_have_count(1)
    expect(row.locator("input[name=stock]")).to_have_value(str(FIRST_STOCK))
    expect(row.get_by_role("button", name=re.compile(r"^(Publish|Publier)\b"))).to_be_visible()
    visit(page)


def producer_sets_stock_and_publishes(page) -> None:
    row = product_row(page, TITLE)
    row.get_by_label(re.compile(TITLE)).fill(str(STOCK))
    row.get_by_role("button", name=re.compile(rf"^(Update|Mettre à jour)\b.*{TITLE}")).click()
    expect(page).to_have_url(url_is(reverse("producer_space:products")))
    expect(product_row(page, TITLE).locator("input[name=stock]")).to_have_value(str(STOCK))
    visit(page)

    product_row(page, TITLE).get_by_role("button", name=re.compile(r"^(Publish|Publier)\b")).click()
    expect(page).to_have_url(url_is(reverse("producer_space:products")))
    expect(
        product_row(page, TITLE).get_by_role(
            "button", name=re.compile(r"^(Unpublish|Dépublier|Retirer)")
        )
    ).to_be_visible()
    visit(page)
    assert_no_page_errors(page)


def card(page, title: str):
    return page.locator("article.product-card").filter(
        has=page.get_by_role("heading", name=title, exact=True)
    )


def visitor_does_not_see_it_yet(page) -> None:
    page.goto(reverse("catalogue:index"))
    visit(page, phone=True)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(card(page, TITLE)).to_have_count(0)


def visitor_finds_it(page, producer) -> None:
    page.reload()  # the catalogue grid is cached: publishing must show through
    visit(page, phone=True)
    found = card(page, TITLE)
    expect(found).to_have_count(1)
    expect(found).to_contain_text(producer.name)
    expect(found.locator(".price")).to_contain_text(re.compile(r"3[,.]40"))

    header_link(page, either("Producers", "Producteurs")).click()
    expect(page).to_have_url(url_is(reverse("producers:directory")))
    visit(page, phone=True)

    page.get_by_role("link", name=producer.name, exact=True).click()
    expect(page).to_have_url(url_is(reverse("producers:detail", kwargs={"slug": producer.slug})))
    visit(page, phone=True)
    expect(card(page, TITLE)).to_have_count(1)
    assert_no_page_errors(page)


def member_orders_it(page, member, producer) -> str:
    sign_in(page, member.email, phone=True)

    page.goto(reverse("producers:detail", kwargs={"slug": producer.slug}))
    card(page, TITLE).get_by_role("heading").get_by_role("link").click()
    expect(page).to_have_url(url_is(Product.objects.get(title=TITLE).get_absolute_url()))
    visit(page, phone=True)

    page.locator("#id_quantity").fill(str(QUANTITY))
    page.locator("main").get_by_role(
        "button", name=either("Add to cart", "Ajouter au panier")
    ).click()
    expect(page.locator("header a.basket-link")).to_contain_text(str(QUANTITY))
    visit(page, phone=True)

    page.locator("header a.basket-link").click()
    expect(page).to_have_url(url_is(reverse("basket:summary")))
    visit(page, phone=True)
    expect(page.locator("main")).to_contain_text(TITLE)
    expect(page.locator("input[name$='-quantity']:not([type=hidden])")).to_have_value(str(QUANTITY))

    page.get_by_role(
        "link",
        name=either("Proceed to checkout", "Procéder au paiement", "Passer commande", "Commander"),
    ).click()
    # No address, pay at pickup: only the distribution day to choose, then the preview.
    expect(page).to_have_url(url_is(reverse("checkout:shipping-method")))
    visit(page, phone=True)
    page.get_by_label(re.compile("Halle de Bruz")).check()
    page.get_by_role("button", name=either("Continue", "Continuer")).click()
    expect(page).to_have_url(url_is(reverse("checkout:preview")))
    visit(page, phone=True)
    expect(page.locator("main")).to_contain_text("Halle de Bruz")
    # Oscar's checkout layout has no <main> landmark: look in the whole page.
    expect(page.locator("body")).to_contain_text(TITLE)

    page.get_by_role("button", name=either("Place order", "Passer commande")).click()
    expect(page).to_have_url(url_is(reverse("checkout:thank-you")))
    visit(page, phone=True)
    number = Order.objects.get().number
    expect(page.locator("body")).to_contain_text(number)
    assert_no_page_errors(page)
    return number


def test_producer_publishes_and_member_orders_collected_at_pickup(
    transactional_db, live_server, new_page, producer, member
):
    ensure_shop_basics()
    for name in ("Légumes", "Fruits", "Œufs"):
        category(name)
    DistributionDayFactory(pickup_point__name="Maison de quartier Thabor")
    bruz = DistributionDayFactory(pickup_point__name="Halle de Bruz")
    producer.name, producer.slug = "Ferme du Bocage", "ferme-du-bocage"
    producer.save()
    # Two browser contexts, so two people with their own cookies.
    producer_page = new_page()  # the producer at their desk
    visitor_page = new_page(phone=True)  # a visitor, then member, on a phone

    producer_adds_a_hidden_product(producer_page, producer)
    product = Product.objects.get(title=TITLE)
    assert not product.is_public
    visitor_does_not_see_it_yet(visitor_page)

    producer_sets_stock_and_publishes(producer_page)
    product.refresh_from_db()
    record = product.stockrecords.get()
    assert product.is_public
    assert product.categories.get().name == "Légumes"
    assert (record.partner, record.price, record.net_stock_level) == (
        producer.partner,
        Decimal(PRICE),
        STOCK,
    )

    visitor_finds_it(visitor_page, producer)
    number = member_orders_it(visitor_page, member, producer)

    record.refresh_from_db()
    assert record.net_stock_level == STOCK - QUANTITY
    order = Order.objects.get(number=number)
    assert order.user == member
    assert order.pickup.distribution_day == bruz
    line = order.lines.get()
    assert (line.product, line.partner, line.stockrecord, line.quantity) == (
        product,
        producer.partner,
        record,
        QUANTITY,
    )
    assert order.total_incl_tax == Decimal(PRICE) * QUANTITY
    assert order.sources.get().source_type.code == "pay-at-pickup"
    assert [message.to for message in mail.outbox] == [[member.email]]

    # The producer sees what to bring, and the stock left.
    producer_page.goto(reverse("producer_space:order-lines"))
    visit(producer_page)
    expect(producer_page.get_by_role("row").filter(has_text=number)).to_contain_text(TITLE)
    producer_page.goto(reverse("producer_space:products"))
    expect(product_row(producer_page, TITLE).locator("input[name=stock]")).to_have_value(
        str(STOCK - QUANTITY)
    )


def test_producer_space_works_on_a_phone(transactional_db, live_server, new_page, producer):
    """Farmers update stock from the field: the space must fit and stay accessible at 360 px."""
    ensure_shop_basics()
    product_for(producer, title="Œufs plein air", price="3.90", stock=30, category_name="Œufs")
    page = new_page(phone=True)
    sign_in(page, producer.partner.users.get().email, phone=True)

    page.goto(reverse("producer_space:products"))
    visit(page, phone=True)
    row = product_row(page, "Œufs plein air")
    row.get_by_label(re.compile("Œufs plein air")).fill("100001")
    row.get_by_role("button", name=re.compile(r"^(Update|Mettre à jour)\b")).click()
    expect(page.locator("#messages .alert-danger")).to_be_visible()
    visit(page, phone=True)

    row.get_by_role("link", name="Œufs plein air", exact=True).click()
    expect(page.locator("#id_title")).to_have_value("Œufs plein air")
    visit(page, phone=True)

    page.goto(reverse("producer_space:profile"))
    visit(page, phone=True)
    page.goto(reverse("producer_space:order-lines"))
    visit(page, phone=True)
    assert_no_page_errors(page)
