"""A fund's staples: its coordinators tick the products open to the reduced tier à la carte
(bread, vegetables, eggs...); a filtered page saves only the products it shows. Only the fund's
coordinators and staff see the page or change the list."""

import html
import re
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext, ngettext
from oscar.templatetags.currency_filters import currency

from marketplace.core.catalogue_cache import current_version
from marketplace.solidarity.errors import SolidarityRefused
from marketplace.solidarity.models import EligibleProduct
from marketplace.solidarity.selectors.staples import eligible_product_ids, products_to_choose
from marketplace.solidarity.services.staples import set_eligible_products
from tests.factories import PickupPointFactory, ProducerFactory, UserFactory, product_for
from tests.payments.world import NOW
from tests.solidarity.world import said

pytestmark = [pytest.mark.django_db, pytest.mark.now(NOW)]


@pytest.fixture(autouse=True)
def french():
    with translation.override("fr"):
        yield


@pytest.fixture
def bakery(db):
    return ProducerFactory(partner__name="Fournil de la Vilaine")


@pytest.fixture
def farm(db):
    return ProducerFactory(partner__name="Ferme des Landes")


@pytest.fixture
def bread(bakery):
    return product_for(bakery, title="Pain de campagne", price="4.20", category_name="Pain")


@pytest.fixture
def brioche(bakery):
    return product_for(bakery, title="Brioche", price="6.50", category_name="Pain")


@pytest.fixture
def eggs(farm):
    return product_for(farm, title="Œufs (6)", price="2.10", category_name="Œufs")


@pytest.fixture
def carrots(farm):
    return product_for(farm, title="Carottes", price="2.40")


@pytest.fixture
def other_coordinator(db):
    user = UserFactory(email="autre-referent@example.org")
    PickupPointFactory().coordinators.add(user)
    return user


def staples_url(fund, **query) -> str:
    url = reverse("solidarity:staples", kwargs={"pk": fund.pk})
    return url + ("?" + "&".join(f"{key}={value}" for key, value in query.items()) if query else "")


def page_text(response) -> str:
    return html.unescape(response.content.decode())


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def shown_ids(response) -> str:
    return re.search(r'name="shown" value="([^"]*)"', response.content.decode()).group(1)


def saved(added: int, removed: int) -> str:
    return gettext("%(added)s, %(removed)s.") % {
        "added": ngettext("%(n)s product added", "%(n)s products added", added) % {"n": added},
        "removed": ngettext("%(n)s product removed", "%(n)s products removed", removed)
        % {"n": removed},
    }


# The page


def test_a_coordinator_sees_the_products_by_producer_with_their_price(
    client, coordinator, fund, bread, eggs
):
    client.force_login(coordinator)

    text = page_text(client.get(staples_url(fund)))

    assert text.index("Ferme des Landes") < text.index("Œufs (6)")
    assert text.index("Fournil de la Vilaine") < text.index("Pain de campagne")
    assert f"Pain de campagne — {currency(Decimal('4.20'))}" in text
    assert re.search(r"<legend[^>]*>Fournil de la Vilaine</legend>", text)
    assert f'<label class="form-check-label" for="product-{bread.pk}">' in text


def test_a_coordinator_marks_two_products(client, coordinator, fund, bread, eggs, carrots):
    client.force_login(coordinator)
    shown = shown_ids(client.get(staples_url(fund)))

    response = client.post(staples_url(fund), {"shown": shown, "product": [bread.pk, eggs.pk]})

    assert response.status_code == 302 and response.url == staples_url(fund)
    assert eligible_product_ids(fund) == {bread.pk, eggs.pk}
    assert EligibleProduct.objects.get(fund=fund, product=bread).marked_by == coordinator
    assert messages_of(response) == [saved(2, 0)]
    page = client.get(staples_url(fund)).content.decode()
    assert f'value="{bread.pk}" id="product-{bread.pk}" checked' in page
    assert f'value="{carrots.pk}" id="product-{carrots.pk}">' in page


def test_saving_a_filtered_page_keeps_the_products_not_shown(
    client, coordinator, fund, bakery, bread, brioche, eggs
):
    set_eligible_products(coordinator, fund, [bread.pk, eggs.pk])
    client.force_login(coordinator)
    filtered = staples_url(fund, producer=bakery.pk)
    page = client.get(filtered)
    assert "Œufs (6)" not in page_text(page)

    response = client.post(filtered, {"shown": shown_ids(page), "product": [brioche.pk]})

    assert response.url == filtered  # back to the same filter
    assert eligible_product_ids(fund) == {brioche.pk, eggs.pk}
    assert messages_of(response) == [saved(1, 1)]


def test_a_search_shows_the_products_whose_title_or_producer_holds_the_words(
    client, coordinator, fund, bread, brioche, eggs
):
    client.force_login(coordinator)

    by_title = page_text(client.get(staples_url(fund, q="brio")))
    by_producer = page_text(client.get(staples_url(fund, q="landes")))

    assert "Brioche" in by_title and "Pain de campagne" not in by_title
    assert "Œufs (6)" in by_producer and "Brioche" not in by_producer


def test_unticking_removes_a_product(client, coordinator, fund, bread, eggs):
    set_eligible_products(coordinator, fund, [bread.pk, eggs.pk])
    client.force_login(coordinator)
    shown = shown_ids(client.get(staples_url(fund)))

    response = client.post(staples_url(fund), {"shown": shown, "product": [eggs.pk]})

    assert eligible_product_ids(fund) == {eggs.pk}
    assert messages_of(response) == [saved(0, 1)]


def test_products_not_published_are_neither_listed_nor_accepted(
    client, coordinator, fund, bakery, bread
):
    hidden = product_for(bakery, title="Pain d'épices en test", is_public=False)
    client.force_login(coordinator)

    text = page_text(client.get(staples_url(fund)))
    response = client.post(staples_url(fund), {"shown": f"{hidden.pk}", "product": [hidden.pk]})

    assert "Pain d'épices en test" not in text
    assert not EligibleProduct.objects.exists()
    assert messages_of(response) == [
        gettext(
            "A product chosen is not in the catalogue (any more): reload the page and choose again."
        )
    ]


def test_a_long_catalogue_shows_the_first_products_and_says_so(
    client, coordinator, fund, bread, brioche, eggs, monkeypatch
):
    monkeypatch.setattr("marketplace.solidarity.views.staples.SHOWN_AT_MOST", 2)
    client.force_login(coordinator)

    response = client.get(staples_url(fund))

    assert shown_ids(response) == f"{eggs.pk},{brioche.pk}"
    assert "Pain de campagne" not in page_text(response)
    assert gettext(
        "Only the first %(count)s products are shown: choose a producer or search to see the "
        "others."
    ) % {"count": 2} in page_text(response)


def test_the_fund_page_links_to_the_staples_with_their_count(
    client, coordinator, fund, bread, eggs
):
    set_eligible_products(coordinator, fund, [bread.pk, eggs.pk])
    client.force_login(coordinator)

    text = page_text(client.get(reverse("solidarity:fund", kwargs={"pk": fund.pk})))

    link = ngettext(
        "%(counter)s product open to the reduced tier",
        "%(counter)s products open to the reduced tier",
        2,
    ) % {"counter": 2}
    assert f'<a href="{staples_url(fund)}">{link}</a>' in text


# Who may


@pytest.mark.parametrize("who", ["other_coordinator", "member"])
def test_nobody_else_sees_the_page_nor_changes_the_list(client, request, who, fund, bread, eggs):
    set_eligible_products(UserFactory(is_staff=True), fund, [bread.pk])
    client.force_login(request.getfixturevalue(who))

    page = client.get(staples_url(fund))
    posted = client.post(staples_url(fund), {"shown": f"{bread.pk},{eggs.pk}", "product": []})

    assert (page.status_code, posted.status_code) == (404, 404)
    assert eligible_product_ids(fund) == {bread.pk}
    with pytest.raises(SolidarityRefused):
        set_eligible_products(request.getfixturevalue(who), fund, [eggs.pk])
    assert eligible_product_ids(fund) == {bread.pk}


def test_staff_see_the_page(client, staff, fund, bread):
    client.force_login(staff)

    assert "Pain de campagne" in page_text(client.get(staples_url(fund)))


def test_the_page_asks_to_sign_in(client, fund):
    response = client.get(staples_url(fund))

    assert response.status_code == 302 and "login" in response.url


def test_a_form_not_sent_from_the_page_is_refused(client, coordinator, fund, bread):
    client.force_login(coordinator)

    response = client.post(staples_url(fund), {"shown": "1,deux", "product": [bread.pk]})

    assert response.status_code == 400
    assert not EligibleProduct.objects.exists()


# The service


def test_an_unknown_product_is_refused_and_nothing_saved(coordinator, fund, bread):
    with pytest.raises(SolidarityRefused) as refused:
        set_eligible_products(coordinator, fund, [bread.pk, 999_999])

    assert said(
        refused,
        "A product chosen is not in the catalogue (any more): reload the page and choose again.",
    )
    assert not EligibleProduct.objects.exists()


def test_choosing_the_same_products_twice_changes_nothing(coordinator, fund, bread, eggs):
    assert set_eligible_products(coordinator, fund, [bread.pk, eggs.pk]) == (2, 0)
    assert set_eligible_products(coordinator, fund, {eggs.pk, bread.pk}) == (0, 0)
    assert set_eligible_products(coordinator, fund, [eggs.pk]) == (0, 1)


def test_a_product_unpublished_since_may_stay_open(coordinator, fund, bakery, bread, eggs):
    set_eligible_products(coordinator, fund, [bread.pk])
    bread.is_public = False
    bread.save()

    assert set_eligible_products(coordinator, fund, [bread.pk, eggs.pk]) == (1, 0)
    assert eligible_product_ids(fund) == {bread.pk, eggs.pk}


def test_a_change_renders_the_catalogue_afresh_and_a_no_op_does_not(
    coordinator, fund, bread, django_capture_on_commit_callbacks
):
    before = current_version()
    with django_capture_on_commit_callbacks(execute=True) as changed:
        set_eligible_products(coordinator, fund, [bread.pk])
    after_change = current_version()
    with django_capture_on_commit_callbacks(execute=True) as unchanged:
        set_eligible_products(coordinator, fund, [bread.pk])

    assert len(changed) == 1 and after_change > before
    assert unchanged == [] and current_version() == after_change


def test_a_refusal_leaves_the_catalogue_version_alone(
    other_coordinator, fund, bread, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(SolidarityRefused),
    ):
        set_eligible_products(other_coordinator, fund, [bread.pk])

    assert callbacks == []


# Queries and languages


def test_the_page_takes_a_bounded_number_of_queries(
    client, coordinator, fund, django_assert_max_num_queries
):
    producers = [ProducerFactory() for _ in range(3)]
    products = [
        product_for(producer, title=f"Produit {n:02}", price=f"{n}.50")
        for producer in producers
        for n in range(10)
    ]
    set_eligible_products(coordinator, fund, [product.pk for product in products[::3]])
    client.force_login(coordinator)

    with django_assert_max_num_queries(10):
        response = client.get(staples_url(fund))

    assert len(shown_ids(response).split(",")) == 30
    groups = products_to_choose(fund)
    assert [len(group.products) for group in groups] == [10, 10, 10]
    assert sum(product.is_eligible for group in groups for product in group.products) == 10


@pytest.mark.parametrize(
    ("language", "heading"),
    [("en", "Tick the products open to the reduced tier"), ("fr", None)],
)
def test_the_page_in_french_and_in_english(client, coordinator, fund, bread, language, heading):
    client.force_login(coordinator)

    text = page_text(client.get(staples_url(fund), HTTP_ACCEPT_LANGUAGE=language))

    with translation.override(language):
        expected = heading or gettext("Tick the products open to the reduced tier")
    assert f'<html lang="{language}"' in text
    assert re.search(rf"<h2[^>]*>{re.escape(expected)}</h2>", text)


def test_staff_see_the_staples_in_the_admin(admin_client, coordinator, fund, bread):
    set_eligible_products(coordinator, fund, [bread.pk])

    response = admin_client.get(reverse("admin:solidarity_eligibleproduct_changelist"))

    assert response.status_code == 200
    assert "Pain de campagne" in page_text(response)
