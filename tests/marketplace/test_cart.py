"""The cart: two farms' products of the same name are told apart by the farm's name, and a line
is removed (or saved for later) by a plain form post, as a browser without JavaScript sends it."""

import html
import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from oscar.core.loading import get_model

from marketplace.shop_setup import ensure_shop_basics
from tests.factories import ProducerFactory, product_for

Line = get_model("basket", "Line")

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def shop(db, open_day):
    ensure_shop_basics()


@pytest.fixture
def two_eggs(producer):
    """Two farms both selling "Œufs", in the cart."""
    other = ProducerFactory(partner__name="Ferme du Bois", name="Ferme du Bois")
    return product_for(producer, title="Œufs"), product_for(other, title="Œufs")


def fill(client, *products):
    for product in products:
        client.post(reverse("basket:add", kwargs={"pk": product.pk}), {"quantity": 2})


class Forms(HTMLParser):
    """Each form's fields as a browser would post them, and the submit buttons tied to it."""

    def __init__(self, page: str):
        super().__init__()
        self.forms: dict[str, dict[str, str]] = {}
        self.buttons: list[dict[str, str]] = []
        self._form = None
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._form = attrs.get("id", "")
            self.forms[self._form] = {}
        elif tag == "input" and self._form is not None and attrs.get("type") == "hidden":
            self.forms[self._form][attrs["name"]] = attrs.get("value", "")
        elif tag == "button" and attrs.get("type") == "submit":
            self.buttons.append({**attrs, "owner": attrs.get("form", self._form)})

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None

    def post_data(self, button: dict) -> dict:
        return {**self.forms[button["owner"]], button["name"]: button["value"]}


def cart_text(response) -> str:
    page = re.sub(r"<[^>]+>", " ", response.content.decode())
    return re.sub(r"\s+", " ", html.unescape(page))


def test_two_farms_products_of_the_same_name_show_each_farms_name(
    client, member, producer, two_eggs
):
    client.force_login(member)
    fill(client, *two_eggs)

    page = client.get(reverse("basket:summary")).content.decode()

    lines = re.findall(
        r'<h3><a href="[^"]+">Œufs</a></h3>\s*<p class="producer mb-1">([^<]+)</p>', page
    )
    assert sorted(html.unescape(farm) for farm in lines) == sorted([producer.name, "Ferme du Bois"])
    # Whoever cannot see the layout hears which eggs each quantity and button is about.
    assert f"(Œufs, {producer.name})" in html.unescape(page)
    assert "(Œufs, Ferme du Bois)" in html.unescape(page)


def test_removing_a_line_is_a_plain_form_post(client, member, producer, two_eggs):
    mine, theirs = two_eggs
    client.force_login(member)
    fill(client, mine, theirs)
    forms = Forms(client.get(reverse("basket:summary")).content.decode())
    line = Line.objects.get(product=theirs)
    remove = next(
        button
        for button in forms.buttons
        if button.get("name", "").endswith("-DELETE")
        and button["owner"] == f"basket-line-{line.pk}"
    )

    response = client.post(reverse("basket:summary"), forms.post_data(remove), follow=True)

    assert response.status_code == 200
    assert list(Line.objects.values_list("product", flat=True)) == [mine.pk]
    assert Line.objects.get(product=mine).quantity == 2
    assert "Ferme du Bois" not in cart_text(response)


def test_saving_a_line_for_later_is_a_plain_form_post_and_so_is_moving_it_back(
    client, member, producer, two_eggs
):
    mine, theirs = two_eggs
    client.force_login(member)
    fill(client, mine, theirs)
    line = Line.objects.get(product=theirs)
    forms = Forms(client.get(reverse("basket:summary")).content.decode())
    save = next(
        button
        for button in forms.buttons
        if button.get("name", "").endswith("-save_for_later")
        and button["owner"] == f"basket-line-{line.pk}"
    )

    client.post(reverse("basket:summary"), forms.post_data(save))

    assert Line.objects.get(product=theirs).basket.status == "Saved"
    page = client.get(reverse("basket:summary")).content.decode()
    assert "Ferme du Bois" in page
    forms = Forms(page)
    move = next(b for b in forms.buttons if b.get("name", "").endswith("-move_to_basket"))
    assert move["owner"] == "saved_basket_formset"

    client.post(reverse("basket:saved"), forms.post_data(move))

    assert Line.objects.get(product=theirs).basket.status == "Open"


def test_the_order_preview_names_each_farm_too(client, member, producer, two_eggs, open_day):
    client.force_login(member)
    fill(client, *two_eggs)
    client.get(reverse("checkout:index"), follow=True)
    client.post(reverse("checkout:shipping-method"), {"method_code": f"pickup-{open_day.pk}"})

    preview = html.unescape(client.get(reverse("checkout:preview")).content.decode())

    farms = re.findall(r'>Œufs</a></h3>\s*<p class="producer mb-1">([^<]+)</p>', preview)
    assert sorted(farms) == sorted([producer.name, "Ferme du Bois"])
