"""Reads about pickup points and their calendar."""

import bisect
import math
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import NamedTuple

from django.db import connection
from django.db.models import Prefetch
from django.utils import timezone
from geopy.distance import geodesic

from deliveries.network.models import DayState, DistributionDay, PickupPoint, Schedule

# On a sphere of the Earth's mean radius; the box and the flat distance share it, so that a
# point less than r flat km away is inside the box of radius r.
KM_PER_DEGREE = 111.195
# The first box holds some twenty points where the network is dense (10,000 points across
# mainland France); a sparse network pays one or two more queries, on boxes that hold few rows.
SEARCH_RADII_KM = (25, 75, 300)
CANDIDATES_PER_RESULT = 3
# In a box of up to 300 km (latitudes under 60°), the geodesic distance is at least 97% of the
# flat one below.
FLAT_TO_GEODESIC_AT_LEAST = 0.97


@dataclass
class NearbyPoint:
    point: PickupPoint
    distance_km: Decimal
    next_day: DistributionDay | None


class _Candidate(NamedTuple):
    flat_km: float
    pk: int
    position: tuple[float, float]


def _bounding_box(latitude: float, longitude: float, radius_km: float):
    dlat = radius_km / KM_PER_DEGREE
    dlon = radius_km / (KM_PER_DEGREE * max(math.cos(math.radians(latitude)), 0.01))
    return latitude - dlat, latitude + dlat, longitude - dlon, longitude + dlon


def _candidates(
    latitude: float, longitude: float, radius_km: float, count: int
) -> list[_Candidate]:
    """At most `count` active points in the box around the place (on the location index),
    nearest first on the flat (equirectangular) approximation: few rows travel, however many
    the box holds."""
    south, north, west, east = (
        Decimal(str(bound)) for bound in _bounding_box(latitude, longitude, radius_km)
    )
    squeeze = math.cos(math.radians(latitude)) ** 2
    # Plain SQL: built with the ORM, this query would cost more to compile than to run.
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT id, latitude, longitude
            FROM {connection.ops.quote_name(PickupPoint._meta.db_table)}
            WHERE is_active = %s
                AND latitude BETWEEN %s AND %s AND longitude BETWEEN %s AND %s
            ORDER BY (latitude - %s) * (latitude - %s)
                + (longitude - %s) * (longitude - %s) * %s
            LIMIT %s
            """,
            [True, south, north, west, east]
            + [latitude, latitude, longitude, longitude, squeeze, count],
        )
        rows = cursor.fetchall()
    candidates = []
    for pk, point_latitude, point_longitude in rows:
        position = (float(point_latitude), float(point_longitude))
        dlat, dlon = position[0] - latitude, position[1] - longitude
        flat_km = KM_PER_DEGREE * math.sqrt(dlat * dlat + dlon * dlon * squeeze)
        candidates.append(_Candidate(flat_km, pk, position))
    return sorted(candidates)


def _nearest_on_the_ellipsoid(
    here: tuple[float, float], candidates: list[_Candidate], limit: int, beyond_km: float
) -> tuple[list[tuple[float, int]], bool]:
    """The `limit` nearest candidates by geodesic distance, measuring only those that may be
    among them; and whether they are surely the nearest of all points, given that every point
    left out of the candidates is at least `beyond_km` away on the flat approximation."""
    ellipsoid = geodesic()  # set up once for all the measures: a third of their cost
    nearest: list[tuple[float, int]] = []
    for candidate in candidates:
        if (
            len(nearest) == limit
            and candidate.flat_km * FLAT_TO_GEODESIC_AT_LEAST >= nearest[-1][0]
        ):
            return nearest, True
        bisect.insort(nearest, (ellipsoid.measure(here, candidate.position), candidate.pk))
        del nearest[limit:]
    is_sure = len(nearest) == limit and beyond_km * FLAT_TO_GEODESIC_AT_LEAST >= nearest[-1][0]
    return nearest, is_sure


def _next_open_days(pickup_point_ids: list[int]) -> dict[int, DistributionDay]:
    """Each point's next distribution day open for orders, in one query.

    A window in plain SQL: the ORM's (a sliced Prefetch) costs more to compile than the rest
    of the search. The open days come first rather than alone: a filter on the state would
    lead SQLite, without statistics, through the (state, date) index to every open day of
    every point.
    """
    cutoff_at = DistributionDay._meta.get_field("cutoff_at")
    marks = ", ".join(["%s"] * len(pickup_point_ids))
    days = DistributionDay.objects.raw(
        f"""
        SELECT * FROM (
            SELECT *, ROW_NUMBER() OVER (
                PARTITION BY pickup_point_id
                ORDER BY CASE WHEN state = %s THEN 0 ELSE 1 END, starts_at
            ) AS day_order
            FROM {connection.ops.quote_name(DistributionDay._meta.db_table)}
            WHERE pickup_point_id IN ({marks}) AND cutoff_at > %s
        ) AS first_days
        WHERE day_order = 1
        """,
        [
            DayState.OPEN,
            *pickup_point_ids,
            cutoff_at.get_db_prep_value(timezone.now(), connection),
        ],
    )
    return {day.pickup_point_id: day for day in days if day.state == DayState.OPEN}


def nearest_pickup_points(latitude: float, longitude: float, limit: int = 10) -> list[NearbyPoint]:
    """The nearest active pickup points, with their next open distribution day.

    A bounding box in SQL (on the location index) keeps the candidates few; the distance shown
    is geodesic. The box grows until the nearest `limit` are surely inside it, or to 300 km.
    """
    if limit < 1:
        return []
    here = (latitude, longitude)
    count = limit * CANDIDATES_PER_RESULT
    nearest: list[tuple[float, int]] = []
    for radius in SEARCH_RADII_KM:
        candidates = _candidates(latitude, longitude, radius, count)
        # The points left out: outside the box, or after the last row when the rows ran out.
        beyond_km = min(radius, candidates[-1].flat_km) if len(candidates) == count else radius
        nearest, is_sure = _nearest_on_the_ellipsoid(here, candidates, limit, beyond_km)
        if is_sure:
            break
    if not nearest:
        return []
    ids = [pk for _, pk in nearest]
    # The model's order within a point, without its join to order the points by name.
    schedules = Schedule.objects.order_by("weekday", "start_time")
    points = {
        point.pk: point
        for point in PickupPoint.objects.filter(pk__in=ids)
        .select_related("collective")
        .prefetch_related(Prefetch("schedules", queryset=schedules))
        .order_by()
    }
    next_days = _next_open_days(ids)
    return [
        NearbyPoint(
            point=points[pk],
            distance_km=Decimal(str(round(km, 1))),
            next_day=next_days.get(pk),
        )
        for km, pk in nearest
    ]


SLOT_WEEKS = 3


def usual_pickup_point_id(user) -> int | None:
    """The pickup point of the member's latest order, if any."""
    if user is None or not user.is_authenticated:
        return None
    from deliveries.network.models import PickupOrder

    return (
        PickupOrder.objects.filter(order__user=user)
        .order_by("-order__date_placed")
        .values_list("distribution_day__pickup_point_id", flat=True)
        .first()
    )


def open_pickup_slots(user=None, weeks: int = SLOT_WEEKS) -> list[DistributionDay]:
    """Distribution days still open for orders in the coming weeks, the member's usual pickup
    point first, then by date."""
    now = timezone.now()
    days = list(
        DistributionDay.objects.open_for_orders(now)
        .filter(starts_at__lte=now + timedelta(weeks=weeks))
        .select_related("pickup_point")
        .order_by("starts_at", "pickup_point__name")
    )
    usual = usual_pickup_point_id(user)
    return sorted(days, key=lambda day: day.pickup_point_id != usual)
