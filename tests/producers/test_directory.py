"""The producers directory: filters, and nearest first from a town or postcode."""

import pytest
from django.urls import reverse

from tests.factories import BRUZ, VITRE, LabelFactory, ProducerFactory, category

pytestmark = pytest.mark.django_db


@pytest.fixture
def farms():
    vitre = ProducerFactory(
        name="Ferme de Vitré",
        **VITRE,
    )
    bruz = ProducerFactory(
        name="Ferme de Bruz",
        **BRUZ,
    )
    bruz.labels.add(LabelFactory())
    bruz.categories.add(category("Œufs"))
    return vitre, bruz


def names_in_order(response):
    return [entry.producer.name for entry in response.context["entries"]]


def test_nearest_first_with_the_distance_shown(client, farms):
    response = client.get(reverse("producers:directory"), {"near": "35170"})

    assert names_in_order(response) == ["Ferme de Bruz", "Ferme de Vitré"]
    distances = [entry.distance_km for entry in response.context["entries"]]
    assert distances[0] < 3 and 35 < distances[1] < 45
    assert "km" in response.content.decode()


def test_town_name_works_like_a_postcode(client, farms):
    response = client.get(reverse("producers:directory"), {"near": "Vitré"})

    assert names_in_order(response)[0] == "Ferme de Vitré"


def test_unknown_town_says_so_and_still_lists_producers(client, farms):
    response = client.get(reverse("producers:directory"), {"near": "Atlantide"})

    assert "near" in response.context["form"].errors
    assert len(names_in_order(response)) == 2


def test_filter_by_label_and_category(client, farms):
    by_label = client.get(reverse("producers:directory"), {"label": "ab"})
    by_category = client.get(reverse("producers:directory"), {"category": category("Œufs").pk})

    assert names_in_order(by_label) == ["Ferme de Bruz"]
    assert names_in_order(by_category) == ["Ferme de Bruz"]


def test_text_search(client, farms):
    response = client.get(reverse("producers:directory"), {"q": "vitré"})

    assert names_in_order(response) == ["Ferme de Vitré"]


def test_producer_page_shows_story_and_products(client, farms):
    from tests.factories import product_for

    vitre, _ = farms
    product_for(vitre, title="Pommes Reinette", category_name="Fruits")

    page = client.get(vitre.get_absolute_url()).content.decode()

    assert "Une ferme familiale." in page
    assert "Pommes Reinette" in page


def test_inactive_producer_page_is_not_found(client, farms):
    vitre, _ = farms
    vitre.is_active = False
    vitre.save()

    assert client.get(vitre.get_absolute_url()).status_code == 404
