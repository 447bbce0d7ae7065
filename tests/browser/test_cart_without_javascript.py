"""The cart in a real browser, with JavaScript off and on: two farms' eggs are told apart by the
farm's name, and "Remove" takes away the line it is next to, and only it."""

import pytest
from django.urls import reverse
from oscar.core.loading import get_model
from playwright.sync_api import expect

from marketplace.shop_setup import ensure_shop_basics
from tests.browser.conftest import (
    PHONE,
    TIMEOUT_MS,
    assert_fits_width,
    assert_no_page_errors,
    check_accessibility,
    either,
)
from tests.browser.test_catalogue_journey import PASSWORD, sign_in
from tests.factories import DistributionDayFactory, ProducerFactory, product_for

Line = get_model("basket", "Line")

pytestmark = pytest.mark.browser


@pytest.fixture
def phone_without_javascript(chromium, live_server):
    context = chromium.new_context(
        base_url=live_server.url,
        locale="fr-FR",
        timezone_id="Europe/Paris",
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
        java_script_enabled=False,
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.page_errors = []
    yield page
    context.close()


@pytest.mark.parametrize("javascript", [False, True], ids=["without-js", "with-js"])
def test_removing_one_of_two_farms_eggs_from_the_cart(
    transactional_db, live_server, new_page, phone_without_javascript, producer, member, javascript
):
    ensure_shop_basics()
    DistributionDayFactory(pickup_point__name="Halle de Bruz")
    producer.name = "Ferme du Bocage"
    producer.save()
    ours = product_for(producer, title="Œufs")
    theirs = product_for(
        ProducerFactory(partner__name="Ferme du Bois", name="Ferme du Bois"), title="Œufs"
    )
    page = new_page(phone=True) if javascript else phone_without_javascript
    if javascript:
        sign_in(page, member.email, phone=True)
    else:  # axe-core needs JavaScript: the checks of every visit are for the other run
        page.goto(reverse("customer:login"))
        page.locator("#id_login-username").fill(member.email)
        page.locator("#id_login-password").fill(PASSWORD)
        page.locator("button[name=login_submit]").click()
    for product in (ours, theirs):
        page.goto(product.get_absolute_url())
        page.locator("main").get_by_role(
            "button", name=either("Add to cart", "Ajouter au panier")
        ).click()

    page.goto(reverse("basket:summary"))
    lines = page.locator(".basket-items")
    expect(lines).to_have_count(2)
    expect(lines.filter(has_text="Ferme du Bocage")).to_contain_text("Œufs")
    expect(lines.filter(has_text="Ferme du Bois")).to_contain_text("Œufs")
    assert_fits_width(page)
    if javascript:
        check_accessibility(page)

    lines.filter(has_text="Ferme du Bois").get_by_role(
        "button", name=either("Remove", "Supprimer")
    ).click()

    expect(page.locator(".basket-items")).to_have_count(1)
    expect(page.locator(".basket-items")).to_contain_text("Ferme du Bocage")
    assert list(Line.objects.values_list("product", flat=True)) == [ours.pk]
    assert_no_page_errors(page)
