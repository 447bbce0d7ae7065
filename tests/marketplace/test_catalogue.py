"""Catalogue, category, search and product pages as a visitor sees them."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from marketplace.partner.strategy import split_vat
from tests.factories import ProducerFactory, category, product_for

pytestmark = pytest.mark.django_db


def make_products(count: int, producers: int = 5):
    farms = [ProducerFactory() for _ in range(producers)]
    for index in range(count):
        product_for(
            farms[index % producers],
            title=f"Produit {index:03d}",
            category_name=["Légumes", "Fruits", "Œufs"][index % 3],
        )


def test_published_products_are_listed_with_producer_price_and_unit(client, producer):
    product_for(producer, title="Carottes nouvelles", price="2.40", unit="bunch")
    product_for(producer, title="Navets cachés", is_public=False)

    page = client.get(reverse("catalogue:index")).content.decode()

    assert "Carottes nouvelles" in page
    assert producer.name in page
    assert "2,40" in page
    assert "Navets cachés" not in page


def test_category_page_lists_only_that_category(client, producer):
    product_for(producer, title="Pommes Reinette", category_name="Fruits")
    product_for(producer, title="Poireaux", category_name="Légumes")
    fruits = category("Fruits")

    page = client.get(fruits.get_absolute_url()).content.decode()

    assert "Pommes Reinette" in page
    assert "Poireaux" not in page


def test_search_finds_products_by_name_and_by_farm(client, producer):
    product_for(producer, title="Fromage de chèvre")
    product_for(ProducerFactory(name="Miellerie des Landes"), title="Miel de fleurs")

    by_name = client.get(reverse("search:search"), {"q": "chèvre"}).content.decode()
    by_farm = client.get(reverse("search:search"), {"q": "miellerie"}).content.decode()

    assert "Fromage de chèvre" in by_name and "Miel de fleurs" not in by_name
    assert "Miel de fleurs" in by_farm


def test_sold_out_product_shows_unavailable_and_no_add_button(client, producer):
    product_for(producer, title="Fraises", stock=0)

    page = client.get(reverse("catalogue:index")).content.decode()

    assert "Fraises" in page
    assert reverse("basket:add", kwargs={"pk": 1}) not in page or "outofstock" in page


def test_stock_change_shows_at_once_despite_the_cached_grid(
    client, producer, django_capture_on_commit_callbacks
):
    from producers.services import set_stock

    product = product_for(producer, title="Œufs plein air", stock=5)
    assert "instock" in client.get(reverse("catalogue:index")).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        set_stock(producer, product, 0)

    assert "outofstock" in client.get(reverse("catalogue:index")).content.decode()


def test_product_page_shows_producer_farm_and_vat(client, producer):
    product = product_for(producer, title="Cidre brut", price="4.60", vat_rate="20.00")

    page = client.get(product.get_absolute_url()).content.decode()

    assert producer.name in page
    assert producer.get_absolute_url() in page
    assert "4,60" in page
    assert "20" in page


def test_prices_include_vat_split_to_the_cent():
    assert split_vat(Decimal("2.40"), Decimal("5.5")) == (Decimal("2.27"), Decimal("0.13"))
    assert split_vat(Decimal("4.60"), Decimal("20")) == (Decimal("3.83"), Decimal("0.77"))


def test_each_card_form_carries_the_visitors_own_csrf_token(client, producer):
    product_for(producer)
    client.get(reverse("catalogue:index"))

    page = client.get(reverse("catalogue:index")).content.decode()

    assert "__csrf_token_placeholder__" not in page
    assert 'name="csrfmiddlewaretoken" value="' in page


def test_bad_page_number_redirects_with_a_message(client, producer):
    product_for(producer)

    response = client.get(reverse("catalogue:index"), {"page": "99"}, follow=True)

    assert response.status_code == 200


@pytest.mark.parametrize("count", [10, 100])
def test_catalogue_queries_do_not_grow_with_products(
    client, django_assert_max_num_queries, settings, count
):
    settings.OSCAR_PRODUCTS_PER_PAGE = 100
    make_products(count)
    client.get(reverse("catalogue:index"))  # the session and basket exist from now on

    with django_assert_max_num_queries(8):
        response = client.get(reverse("catalogue:index"), {"sort_by": "price-asc"})

    assert response.content.decode().count('class="product-card"') == count


@pytest.mark.parametrize("count", [10, 100])
def test_category_page_queries_do_not_grow(client, django_assert_max_num_queries, settings, count):
    settings.OSCAR_PRODUCTS_PER_PAGE = 100
    make_products(count)
    url = category("Fruits").get_absolute_url()

    with django_assert_max_num_queries(8):
        client.get(url)


@pytest.mark.parametrize("count", [10, 100])
def test_producer_page_queries_do_not_grow(
    client, django_assert_max_num_queries, settings, producer, count
):
    settings.OSCAR_PRODUCTS_PER_PAGE = 100
    for index in range(count):
        product_for(producer, title=f"Légume {index:03d}")

    with django_assert_max_num_queries(10):
        response = client.get(producer.get_absolute_url())

    assert response.content.decode().count('class="product-card"') == count


def test_first_time_visitors_share_a_cached_page_but_a_member_sees_their_own(
    client, member, producer
):
    from django.test import Client

    product = product_for(producer, title="Kiwis", category_name="Fruits")
    Client().get(reverse("catalogue:index"))  # fills the shared page

    visitor_page = Client().get(reverse("catalogue:index")).content.decode()
    client.force_login(member)
    client.post(reverse("basket:add", kwargs={"pk": product.pk}), {"quantity": 2})
    member_page = client.get(reverse("catalogue:index")).content.decode()

    assert "Kiwis" in visitor_page and "Kiwis" in member_page
    assert "__csrf_token_placeholder__" not in visitor_page + member_page
    assert reverse("customer:login") in visitor_page
    assert reverse("customer:summary") in member_page
    assert '<span class="badge badge-light">2' in member_page


def test_a_visitor_with_a_cart_sees_its_count_and_not_the_shared_page(client, producer):
    product = product_for(producer, title="Radis roses")
    client.get(reverse("catalogue:index"))

    client.post(reverse("basket:add", kwargs={"pk": product.pk}), {"quantity": 3})
    page = client.get(reverse("catalogue:index")).content.decode()

    assert '<span class="badge badge-light">3' in page


def test_pagination_links_keep_the_search_and_sort_but_nothing_else(client, producer, settings):
    settings.OSCAR_PRODUCTS_PER_PAGE = 2
    for index in range(3):
        product_for(producer, title=f"Carottes {index}")

    page = client.get(
        reverse("search:search"), {"q": "carottes", "sort_by": "newest", "utm_source": "x"}
    ).content.decode()

    next_link = re.search(r'<a class="page-link" href="([^"]*)" rel="next"', page).group(1)
    assert next_link == "?q=carottes&amp;sort_by=newest&amp;page=2"


def test_the_site_speaks_english_when_asked(client, producer):
    product_for(producer, title="Carottes")

    client.post(reverse("set_language"), {"language": "en", "next": "/catalogue/"})
    page = client.get(reverse("catalogue:index")).content.decode()

    assert '<html lang="en"' in page
    assert "All products" in page and "Add to cart" in page
