"""Every email the project writes has one layout (templates/emails/base.txt and base.html): the
shop's name, its address, why the person receives it and how to change where it goes."""

from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

TEMPLATES = Path(settings.BASE_DIR) / "templates"
BODIES = sorted(
    [path.relative_to(TEMPLATES).as_posix() for path in TEMPLATES.glob("*/email/*_body.txt")]
    + ["oscar/communication/emails/commtype_order_placed_body.txt"]
)
# Written to an address someone typed, which may have no account: no details to change.
TO_SOMEONE_WITHOUT_AN_ACCOUNT = {"baskets/email/co_holder_invited_body.txt"}
# Just what the templates' blocktrans and count tags need to render; the rest may be missing.
CONTEXT = {
    "order": SimpleNamespace(number="100001", total_incl_tax=Decimal("7.20"), currency="EUR"),
    "lines": [],
    "missing": 1,
    "days": 3,
}


def test_every_email_body_is_found():
    assert len(BODIES) >= 14
    assert "producers/email/packing_list_body.txt" in BODIES


@pytest.mark.parametrize("template", BODIES)
def test_each_email_ends_with_the_shops_footer(template):
    with translation.override("en"):
        text = render_to_string(template, CONTEXT)

    footer = text.rsplit("— ", 1)[-1]
    assert footer.startswith(settings.OSCAR_SHOP_NAME)
    assert f"{settings.SITE_URL}/" in footer
    assert "You receive this email" in footer
    how_to_change = footer.split("You receive this email", 1)[1]
    if template in TO_SOMEONE_WITHOUT_AN_ACCOUNT:
        assert settings.SITE_URL not in how_to_change
    else:
        assert settings.SITE_URL in how_to_change


def test_producers_are_told_where_to_change_the_farms_email():
    with translation.override("en"):
        text = render_to_string("producers/email/packing_list_body.txt", {})

    assert settings.SITE_URL + reverse("producer_space:profile") in text


def test_the_html_layout_carries_the_same_footer():
    with translation.override("en"):
        html = render_to_string(
            "oscar/communication/emails/commtype_order_placed_body.html", CONTEXT
        )

    assert html.startswith("<!DOCTYPE html>")
    assert '<html lang="en">' in html
    assert f'href="{settings.SITE_URL}/"' in html
    assert settings.SITE_URL + reverse("customer:profile-update") in html
    assert "You receive this email" in html


@pytest.mark.parametrize("code", ["password_reset", "password_changed", "email_changed"])
def test_oscars_account_emails_have_the_same_layout(code):
    with translation.override("en"):
        text = render_to_string(f"oscar/communication/emails/commtype_{code}_body.txt", {})
        html = render_to_string(f"oscar/communication/emails/commtype_{code}_body.html", {})

    assert "Thanks for using our site!" not in text + html
    assert text.rsplit("— ", 1)[-1].startswith(settings.OSCAR_SHOP_NAME)
    assert settings.SITE_URL + reverse("customer:profile-update") in text
    assert html.startswith("<!DOCTYPE html>") and f'href="{settings.SITE_URL}/"' in html
    assert settings.SITE_URL + reverse("customer:profile-update") in html


def test_text_emails_are_not_html_escaped():
    point = {"name": "Cour & jardin", "address": "<rue>", "postcode": "35000", "town": "Rennes"}
    with translation.override("en"):
        text = render_to_string("deliveries/email/day_moved_body.txt", {"point": point})

    assert "Cour & jardin" in text and "<rue>" in text
