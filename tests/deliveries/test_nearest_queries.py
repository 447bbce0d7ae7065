"""The nearest pickup points: exact order and distances, their next open day, and a bounded
number of queries."""

import datetime as dt
import math
from decimal import Decimal

import pytest
from django.utils import timezone
from geopy.distance import geodesic

from deliveries.network.selectors import nearest_pickup_points
from deliveries.network.services import materialise_distribution_days
from tests.factories import (
    BRUZ,
    VITRE,
    DistributionDayFactory,
    PickupPointFactory,
    ScheduleFactory,
)

pytestmark = pytest.mark.django_db


def km_shown(place, point) -> Decimal:
    return Decimal(str(round(geodesic(place, (point.latitude, point.longitude)).km, 1)))


def test_points_come_nearest_first_with_their_geodesic_distance():
    vitre = PickupPointFactory(name="Vitré", **VITRE)
    rennes = PickupPointFactory(name="Rennes")  # where the factory puts points
    bruz = PickupPointFactory(name="Bruz", **BRUZ)
    PickupPointFactory(name="Fermé", is_active=False, **VITRE)
    place = (48.1230, -1.2100)  # in Vitré

    found = nearest_pickup_points(*place)

    assert [entry.point.name for entry in found] == ["Vitré", "Rennes", "Bruz"]
    assert [entry.distance_km for entry in found] == [
        km_shown(place, vitre),
        km_shown(place, rennes),
        km_shown(place, bruz),
    ]
    assert 30 < found[1].distance_km < found[2].distance_km < 45


def at(north_km: float, east_km: float) -> dict:
    """A position so many km north and east of 48° N, 1° W."""
    return {
        "latitude": Decimal(str(round(48 + north_km / 111.2, 6))),
        "longitude": Decimal(str(round(-1 + east_km / (111.32 * math.cos(math.radians(48))), 6))),
    }


@pytest.mark.parametrize("box_km", [10, 25])
def test_a_nearer_point_just_outside_a_search_box_beats_one_in_its_corner(box_km):
    PickupPointFactory(name="North", **at(0.96 * box_km, 0))
    PickupPointFactory(name="East", **at(0, 1.04 * box_km))  # just outside the box
    PickupPointFactory(name="North-east", **at(0.8 * box_km, 0.8 * box_km))  # in its corner

    found = nearest_pickup_points(48.0, -1.0, limit=2)

    assert [entry.point.name for entry in found] == ["North", "East"]


def test_the_next_day_is_the_first_still_open_for_orders():
    point = PickupPointFactory()  # in Rennes
    now = timezone.now().replace(microsecond=0)

    def day(days_ahead: int, cutoff_days_ahead: float, state: str = "open"):
        starts_at = now + dt.timedelta(days=days_ahead)
        return DistributionDayFactory(
            pickup_point=point,
            starts_at=starts_at,
            cutoff_at=now + dt.timedelta(days=cutoff_days_ahead),
            state=state,
        )

    day(1, -0.1)  # orders closed already
    day(2, 1, state="cancelled")
    expected = day(9, 7)
    day(16, 14)
    only_cancelled = PickupPointFactory(**BRUZ)
    DistributionDayFactory(pickup_point=only_cancelled, state="cancelled")

    found = {entry.point: entry.next_day for entry in nearest_pickup_points(48.11, -1.68)}

    assert found == {point: expected, only_cancelled: None}


@pytest.mark.parametrize("limit", [3, 10])
def test_queries_are_bounded_whatever_the_number_of_points_found(
    django_assert_max_num_queries, limit
):
    for index in range(12):
        point = PickupPointFactory(
            latitude=Decimal("48.1") + Decimal(index) / 1000, longitude=Decimal("-1.68")
        )
        ScheduleFactory(pickup_point=point, weekday=index % 7)
    materialise_distribution_days()

    # One bounding box, then the points with their collective, their schedules, their next days;
    # what the finder page shows needs nothing more.
    with django_assert_max_num_queries(4):
        found = nearest_pickup_points(48.1, -1.68, limit=limit)
        for entry in found:
            assert entry.point.collective.name
            assert len(entry.point.schedules.all()) == 1
            assert entry.next_day.cutoff_at > timezone.now()

    assert len(found) == limit


def test_a_lone_point_far_away_is_found_in_six_queries_at_most(
    django_assert_max_num_queries,
):
    ScheduleFactory(
        pickup_point=PickupPointFactory(
            name="Marseille", latitude=Decimal("43.2965"), longitude=Decimal("5.3698")
        )
    )
    materialise_distribution_days()

    with django_assert_max_num_queries(6):
        found = nearest_pickup_points(44.5, 4.8)

    assert [entry.point.name for entry in found] == ["Marseille"]
    assert found[0].next_day is not None
