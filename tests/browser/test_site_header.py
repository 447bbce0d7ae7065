"""The site header on a phone and a desktop, with and without JavaScript, and the focus ring on
every kind of control."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from marketplace.shop_setup import ensure_shop_basics
from tests.browser.conftest import PHONE, TIMEOUT_MS, assert_no_page_errors, either
from tests.browser.test_catalogue_journey import sign_in, visit
from tests.factories import product_for

pytestmark = pytest.mark.browser

FOLDED_HEADER_MAX_PX = 80  # the brand, the cart and the menu button on one line (was 255)
MENU = "Menu"  # the same word in both languages
PRODUCERS = either("Producers", "Producteurs")


def header_height(page) -> float:
    return page.locator("header").bounding_box()["height"]


def test_header_folds_into_a_menu_on_a_phone(live_server, new_page, member):
    page = new_page(phone=True)
    sign_in(page, member.email, phone=True)
    page.goto(reverse("catalogue:index"))
    header = page.locator("header")
    menu_button = header.get_by_role("button", name=MENU)

    assert header_height(page) <= FOLDED_HEADER_MAX_PX
    expect(menu_button).to_have_attribute("aria-expanded", "false")
    expect(menu_button).to_have_attribute("aria-controls", "site-menu")
    expect(header.get_by_role("link", name=PRODUCERS)).to_be_hidden()
    expect(header.locator("a.basket-link")).to_be_visible()  # the cart stays at hand
    visit(page, phone=True)

    menu_button.click()
    expect(menu_button).to_have_attribute("aria-expanded", "true")
    expect(header.get_by_role("link", name=PRODUCERS)).to_be_visible()
    expect(header.get_by_role("searchbox")).to_be_visible()
    expect(header.get_by_role("button", name=either("Sign out", "Se déconnecter"))).to_be_visible()
    visit(page, phone=True)

    page.keyboard.press("Escape")
    expect(menu_button).to_have_attribute("aria-expanded", "false")
    expect(menu_button).to_be_focused()
    expect(header.get_by_role("link", name=PRODUCERS)).to_be_hidden()

    menu_button.click()
    header.get_by_role("link", name=PRODUCERS).click()
    expect(page).to_have_url(re.compile(re.escape(reverse("producers:directory")) + "$"))
    assert header_height(page) <= FOLDED_HEADER_MAX_PX  # folded again on the next page
    assert_no_page_errors(page)


def test_header_is_open_on_a_desktop(live_server, new_page, member):
    page = new_page()
    sign_in(page, member.email)
    page.goto(reverse("catalogue:index"))
    header = page.locator("header")

    expect(header.get_by_role("button", name=MENU)).to_be_hidden()
    expect(header.get_by_role("link", name=PRODUCERS)).to_be_visible()
    expect(header.get_by_role("searchbox")).to_be_visible()
    # Brand, navigation and search on three lines.
    assert 100 <= header_height(page) <= 200
    visit(page)
    assert_no_page_errors(page)


def test_phone_menu_opens_without_javascript(live_server, chromium):
    context = chromium.new_context(
        base_url=live_server.url,
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
        locale="fr-FR",
        java_script_enabled=False,
    )
    context.set_default_timeout(TIMEOUT_MS)
    try:
        page = context.new_page()
        page.goto(reverse("catalogue:index"))
        header = page.locator("header")
        toggle = header.get_by_role("checkbox", name=MENU)
        assert header_height(page) <= FOLDED_HEADER_MAX_PX
        expect(header.get_by_role("link", name=PRODUCERS)).to_be_hidden()

        header.locator("label", has_text=MENU).click()  # a tap on the visible "Menu"
        expect(toggle).to_be_checked()
        expect(header.get_by_role("link", name=PRODUCERS)).to_be_visible()

        # From the keyboard: the (visually hidden) checkbox takes the focus and shows it.
        header.locator("a.basket-link").focus()
        page.keyboard.press("Tab")
        expect(toggle).to_be_focused()
        page.keyboard.press("Space")
        expect(toggle).not_to_be_checked()
        expect(header.get_by_role("link", name=PRODUCERS)).to_be_hidden()
        label_outline = header.locator("label.site-menu-button").evaluate(
            "el => getComputedStyle(el).outlineStyle"
        )
        assert label_outline == "solid"
    finally:
        context.close()


# The ring's colour against what surrounds it: the nearest background behind the element.
FOCUS_JS = """(el) => {
    const style = getComputedStyle(el);
    let parent = el.parentElement, background = "rgb(255, 255, 255)";
    while (parent) {
        const colour = getComputedStyle(parent).backgroundColor;
        if (colour !== "transparent" && !colour.endsWith(", 0)")) { background = colour; break; }
        parent = parent.parentElement;
    }
    return {
        visible: el.matches(":focus-visible"),
        style: style.outlineStyle,
        width: parseFloat(style.outlineWidth),
        colour: style.outlineColor,
        background,
    };
}"""


def luminance(rgb: str) -> float:
    channels = [int(part) / 255 for part in re.findall(r"\d+", rgb)[:3]]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(first: str, second: str) -> float:
    lighter, darker = sorted((luminance(first), luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
def test_focus_is_a_clear_ring_on_links_buttons_and_fields(live_server, new_page, phone):
    page = new_page(phone=phone)
    page.goto(reverse("catalogue:index"))
    page.keyboard.press("Tab")  # the keyboard is in use: focus rings show
    header = page.locator("header")
    controls = {
        "link": header.locator("a.brand"),
        "button": header.locator(".site-menu-button")
        if phone
        else header.get_by_role("button", name=either("Search", "Rechercher")),
        "field": page.locator("#sort_by"),
        "button in the page": page.locator("main button[type=submit]").first,
        "link in the page": page.locator("main a[href]").first,
    }
    for what, control in controls.items():
        control.focus()
        ring = control.evaluate(FOCUS_JS)
        assert ring["visible"], f"{what}: no :focus-visible"
        assert ring["style"] == "solid" and ring["width"] >= 2, f"{what}: faint focus {ring}"
        # WCAG 1.4.11: the indicator stands out 3:1 from what is around it.
        assert contrast(ring["colour"], ring["background"]) >= 3, f"{what}: {ring}"


def test_our_pages_load_no_jquery_and_oscars_cart_does(live_server, new_page, producer):
    ensure_shop_basics()
    product_for(producer, title="Courge butternut")
    page = new_page(phone=True)
    scripts = []
    page.on("request", lambda request: scripts.append(request.url))

    page.goto(reverse("catalogue:index"))
    page.get_by_role("button", name=either("Add to cart", "Ajouter au panier")).click()
    messages = page.locator("#messages .alert")
    expect(messages.first).to_be_visible()
    assert not [url for url in scripts if "jquery" in url or "/oscar/js/" in url], scripts
    # Messages close without Bootstrap's script.
    count = messages.count()
    close = either("Close this message", "Fermer ce message")
    messages.first.get_by_role("button", name=close).click()
    expect(messages).to_have_count(count - 1)

    page.goto(reverse("basket:summary"))  # Oscar's cart scripts its formset
    assert [url for url in scripts if "jquery" in url]
    assert page.evaluate("typeof oscar") == "object"
    assert_no_page_errors(page)
