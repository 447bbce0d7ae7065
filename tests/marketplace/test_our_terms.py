"""Our words win over Oscar's: its US-English catalogue (which Django loads for "en") renames
"Basket(s)" to "Cart(s)", the shopping cart's word, so AMAP baskets need msgids of their own."""

import datetime as dt
import gettext
import html
import re
from pathlib import Path

import oscar
import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

from baskets.contract_pdf import contract_summary_pdf
from baskets.services import generate_basket_deliveries, subscribe
from deliveries.network.services import materialise_distribution_days
from tests.baskets.test_contract_pdf import pdf_text
from tests.factories import (
    BasketPlanFactory,
    PickupPointFactory,
    ScheduleFactory,
    UserFactory,
    contract_at,
)

pytestmark = pytest.mark.django_db

OSCAR_EN_US = Path(oscar.__file__).parent / "locale" / "en_US" / "LC_MESSAGES" / "django.mo"
# Oscar's own cart pages, where its words ("cart", "coupon") are the right ones.
CART_TEMPLATES = Path(settings.BASE_DIR) / "templates" / "oscar" / "basket"
APPS = ("marketplace", "producers", "baskets", "deliveries")
TEMPLATE_MSGID = re.compile(r"""\{%\s*trans(?:late)?\s+(["'])(.+?)\1([^%]*)%\}""")
PYTHON_MSGID = re.compile(r"""\b(?:_|gettext|gettext_lazy)\(\s*(["'])(.+?)\1\s*\)""")


def oscar_renamed_msgids() -> set[str]:
    with OSCAR_EN_US.open("rb") as mo:
        catalog = gettext.GNUTranslations(mo)._catalog
    return {msgid for msgid, text in catalog.items() if isinstance(msgid, str) and text != msgid}


def test_no_msgid_of_ours_is_one_oscars_english_renames():
    renamed = oscar_renamed_msgids()
    assert "Baskets" in renamed  # what this test guards against
    clashes = []
    for path in (Path(settings.BASE_DIR) / "templates").rglob("*"):
        if path.suffix not in {".html", ".txt"} or CART_TEMPLATES in path.parents:
            continue
        for match in TEMPLATE_MSGID.finditer(path.read_text()):
            if "context" not in match.group(3) and match.group(2) in renamed:
                clashes.append((path.name, match.group(2)))
    for app in APPS:
        for path in (Path(settings.BASE_DIR) / app).rglob("*.py"):
            if "migrations" not in path.parts:
                clashes += [
                    (path.name, match.group(2))
                    for match in PYTHON_MSGID.finditer(path.read_text())
                    if match.group(2) in renamed
                ]
    assert clashes == []


@pytest.fixture
def subscription(producer):
    today = timezone.localdate()
    point = PickupPointFactory(name="Ferme du Chêne")
    ScheduleFactory(
        pickup_point=point,
        weekday=(today + dt.timedelta(days=3)).weekday(),
        valid_from=today - dt.timedelta(7),
    )
    materialise_distribution_days()
    plan = BasketPlanFactory(producer=producer, name="Grand panier")
    contract = contract_at(point, plan=plan, starts_on=today)
    subscription = subscribe(UserFactory(), contract, point, agreed=True)
    generate_basket_deliveries([point.pk], today, today + dt.timedelta(weeks=3))
    return subscription


def test_producer_baskets_page_in_english_says_baskets_never_cart(
    client, producer_user, subscription
):
    client.force_login(producer_user)

    response = client.get(reverse("producer_space:baskets"), HTTP_ACCEPT_LANGUAGE="en")

    page = html.unescape(response.content.decode())
    assert re.search(r"<title>\s*Baskets\b", page)  # page title
    assert re.search(r'aria-current="page">Baskets</a>', page)  # the producer's menu
    assert '<th scope="col">Baskets</th>' in page  # table column
    assert 'data-label="Baskets"' in page  # the column's label on a phone
    # Only the site header may say "Cart": its link is to the shopping cart.
    title = re.search(r"<title>(.*?)</title>", page, re.S).group(1)
    main = page[page.index("<main") : page.index("</main>")]
    assert "Cart" not in title and "Cart" not in main


def test_producer_baskets_page_in_french_says_paniers(client, producer_user, subscription):
    client.force_login(producer_user)

    page = client.get(reverse("producer_space:baskets"), HTTP_ACCEPT_LANGUAGE="fr")

    assert re.search(r"<title>\s*(Paniers|Baskets)\b", page.content.decode())


def test_contract_pdf_in_english_has_a_basket_row_and_no_cart(subscription):
    with translation.override("en"):
        text = pdf_text(contract_summary_pdf(subscription))

    assert "Basket " in text and "Grand panier" in text
    assert "Cart" not in text


def test_contract_pdf_in_french_has_a_panier_row(subscription):
    with translation.override("fr"):
        text = pdf_text(contract_summary_pdf(subscription))

    assert re.search(r"\b(Panier|Basket) ", text)
    assert "Cart" not in text
