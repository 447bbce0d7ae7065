"""Finding a pickup point from a postcode, a town or the browser's position."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from deliveries.network.selectors import nearest_pickup_points
from deliveries.network.services import materialise_distribution_days
from tests.factories import BRUZ, VITRE, PickupPointFactory, ScheduleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def points():
    bruz = PickupPointFactory(
        name="Halle de Bruz",
        **BRUZ,
    )
    vitre = PickupPointFactory(
        name="Centre social de Vitré",
        **VITRE,
    )
    PickupPointFactory(
        name="Fermé", is_active=False, latitude=Decimal("48.0250"), longitude=Decimal("-1.7450")
    )
    ScheduleFactory(pickup_point=bruz, weekday=4, valid_from=dt.date(2020, 1, 3))
    materialise_distribution_days()
    return bruz, vitre


def names(response):
    return [entry.point.name for entry in response.context["results"]]


def test_postcode_gives_the_nearest_active_points_with_distance_and_next_day(client, points):
    response = client.get(reverse("deliveries:finder"), {"q": "35170"})

    assert names(response) == ["Halle de Bruz", "Centre social de Vitré"]
    first = response.context["results"][0]
    assert first.distance_km < 3
    assert first.next_day is not None and first.next_day.date.weekday() == 4
    page = response.content.decode()
    assert "km" in page and "Halle de Bruz" in page


def test_browser_position_works_like_a_postcode(client, points):
    response = client.get(reverse("deliveries:finder"), {"lat": "48.12", "lon": "-1.21"})

    assert names(response)[0] == "Centre social de Vitré"


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"q": "99999"}, "q"),
        ({"q": "Atlantide"}, "q"),
        ({"q": "   "}, "q"),
        ({"lat": "123", "lon": "2"}, "__all__"),
        ({"lat": "48", "lon": "abc"}, "__all__"),
    ],
)
def test_bad_input_says_what_is_wrong_and_lists_nothing(client, points, params, field):
    response = client.get(reverse("deliveries:finder"), params)

    assert field in response.context["form"].errors
    assert "results" not in response.context


def test_far_away_points_are_found_by_widening_the_search(db):
    PickupPointFactory(name="Marseille", latitude=Decimal("43.2965"), longitude=Decimal("5.3698"))

    assert nearest_pickup_points(48.11, -1.68) == []
    assert [e.point.name for e in nearest_pickup_points(43.5, 5.4)] == ["Marseille"]


@pytest.mark.parametrize("count", [5, 50])
def test_queries_do_not_grow_with_the_points_found(django_assert_max_num_queries, count):
    for index in range(count):
        ScheduleFactory(
            pickup_point=PickupPointFactory(
                latitude=Decimal("48.1") + Decimal(index) / 1000, longitude=Decimal("-1.68")
            )
        )
    materialise_distribution_days()

    # At most one bounding-box query per search radius, then the points, schedules and days.
    with django_assert_max_num_queries(7):
        found = nearest_pickup_points(48.1, -1.68, limit=10)

    assert len(found) == min(count, 10)
