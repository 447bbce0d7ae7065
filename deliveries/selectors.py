"""Reads about pickup points and their calendar."""

import math
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.db.models import Prefetch
from django.utils import timezone
from geopy.distance import geodesic, great_circle

from deliveries.models import DayState, DistributionDay, PickupPoint

KM_PER_DEGREE_LATITUDE = 111.32
SEARCH_RADII_KM = (10, 30, 100, 300)


@dataclass
class NearbyPoint:
    point: PickupPoint
    distance_km: Decimal
    next_day: DistributionDay | None


def _bounding_box(latitude: float, longitude: float, radius_km: float):
    dlat = radius_km / KM_PER_DEGREE_LATITUDE
    dlon = radius_km / (KM_PER_DEGREE_LATITUDE * max(math.cos(math.radians(latitude)), 0.01))
    return latitude - dlat, latitude + dlat, longitude - dlon, longitude + dlon


def nearest_pickup_points(latitude: float, longitude: float, limit: int = 10) -> list[NearbyPoint]:
    """The nearest active pickup points, with their next open distribution day.

    A bounding box in SQL (on the location index) keeps the candidates few; the distance shown
    is geodesic. The box grows until it holds `limit` points or reaches 300 km.
    """
    candidates: list[tuple[int, float, float]] = []
    for radius in SEARCH_RADII_KM:
        south, north, west, east = _bounding_box(latitude, longitude, radius)
        candidates = list(
            PickupPoint.objects.filter(
                is_active=True,
                latitude__range=(south, north),
                longitude__range=(west, east),
            ).values_list("pk", "latitude", "longitude")
        )
        if len(candidates) >= limit:
            break
    here = (latitude, longitude)
    # Rank on the sphere (fast), then measure the nearest exactly on the ellipsoid (the two
    # differ by under 0.5%: only near-ties could swap places).
    closest = sorted(
        (great_circle(here, (float(lat), float(lon))).km, pk, lat, lon)
        for pk, lat, lon in candidates
    )[:limit]
    distances = sorted(
        (geodesic(here, (float(lat), float(lon))).km, pk) for _, pk, lat, lon in closest
    )[:limit]
    upcoming = DistributionDay.objects.filter(
        state=DayState.OPEN, cutoff_at__gt=timezone.now()
    ).order_by("starts_at")
    points = (
        PickupPoint.objects.select_related("collective")
        .prefetch_related(
            "schedules",
            Prefetch("distribution_days", queryset=upcoming, to_attr="upcoming_days"),
        )
        .in_bulk([pk for _, pk in distances])
    )
    return [
        NearbyPoint(
            point=points[pk],
            distance_km=Decimal(str(round(km, 1))),
            next_day=points[pk].upcoming_days[0] if points[pk].upcoming_days else None,
        )
        for km, pk in distances
    ]


SLOT_WEEKS = 3


def usual_pickup_point_id(user) -> int | None:
    """The pickup point of the member's latest order, if any."""
    if user is None or not user.is_authenticated:
        return None
    from deliveries.models import PickupOrder

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
        DistributionDay.objects.filter(
            state=DayState.OPEN,
            cutoff_at__gt=now,
            starts_at__lte=now + timedelta(weeks=weeks),
            pickup_point__is_active=True,
        )
        .select_related("pickup_point")
        .order_by("starts_at", "pickup_point__name")
    )
    usual = usual_pickup_point_id(user)
    return sorted(days, key=lambda day: day.pickup_point_id != usual)


def upcoming_orders(user) -> list:
    """The member's orders still to collect, by distribution day."""
    from deliveries.models import PickupOrder

    return list(
        PickupOrder.objects.filter(
            order__user=user,
            distribution_day__starts_at__gte=timezone.now() - timedelta(hours=12),
        )
        .exclude(order__status="cancelled")
        .select_related("order", "distribution_day__pickup_point")
        .prefetch_related("order__lines")
        .order_by("distribution_day__starts_at")
    )
