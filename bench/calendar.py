"""Pickup points and the calendar at scale, measured in this process (no HTTP): the nearest
points among 10,000, and 8 weeks of distribution days for 1,000 pickup points."""

import datetime as dt
import random
import statistics
import time

POINTS = 10_000
SCHEDULED = 1_000
SEARCHES = 400


def ensure_pickup_points() -> list[int]:
    """10,000 pickup points across mainland France (idempotent), 1,000 with a schedule."""
    from deliveries.network.models import Collective, PickupPoint, Schedule

    collective, _ = Collective.objects.get_or_create(slug="bench", defaults={"name": "Bench"})
    existing = PickupPoint.objects.filter(collective=collective).count()
    if existing < POINTS:
        rng = random.Random(7)
        PickupPoint.objects.bulk_create(
            [
                PickupPoint(
                    collective=collective,
                    name=f"Point {index}",
                    slug=f"bench-point-{index}",
                    address="1 place de la Mairie",
                    postcode="00000",
                    town="Bench",
                    latitude=round(rng.uniform(42.5, 50.9), 6),
                    longitude=round(rng.uniform(-4.5, 7.5), 6),
                    geocoding_status="ok",
                )
                for index in range(existing, POINTS)
            ],
            batch_size=2000,
        )
    scheduled = list(
        PickupPoint.objects.filter(collective=collective)
        .order_by("pk")[:SCHEDULED]
        .values_list("pk", flat=True)
    )
    if not Schedule.objects.filter(pickup_point_id__in=scheduled).exists():
        Schedule.objects.bulk_create(
            [
                Schedule(
                    pickup_point_id=pk,
                    weekday=pk % 7,
                    start_time=dt.time(18, 0),
                    end_time=dt.time(19, 30),
                    valid_from=dt.date(2026, 1, 1),
                )
                for pk in scheduled
            ],
            batch_size=2000,
        )
    return scheduled


def measure_nearest() -> list[float]:
    from deliveries.network.selectors import nearest_pickup_points

    rng = random.Random(11)
    timings = []
    for _ in range(SEARCHES):
        latitude, longitude = rng.uniform(43.0, 50.5), rng.uniform(-4.0, 7.0)
        started = time.perf_counter()
        nearest_pickup_points(latitude, longitude, limit=10)
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def measure_calendar(point_ids: list[int]) -> tuple[float, int, int, float]:
    """(seconds, queries, days made) for a first run, and the seconds of a second run."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from deliveries.network.models import DistributionDay
    from deliveries.network.services import materialise_distribution_days

    DistributionDay.objects.filter(pickup_point_id__in=point_ids).delete()
    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        changes = materialise_distribution_days(pickup_point_ids=point_ids)
        seconds = time.perf_counter() - started
    started = time.perf_counter()
    materialise_distribution_days(pickup_point_ids=point_ids)
    return seconds, len(captured), changes.created, time.perf_counter() - started


def run() -> list[dict]:
    print(f"- pickup points: {POINTS} across France, {SCHEDULED} with a schedule", flush=True)
    scheduled = ensure_pickup_points()
    timings = measure_nearest()
    ordered = sorted(timings)
    p99 = ordered[max(0, int(len(ordered) * 0.99) - 1)]
    seconds, queries, days, rerun = measure_calendar(scheduled)
    size = {"pickup_points": POINTS, "scheduled_points": SCHEDULED}
    return [
        {
            "name": "nearest_points.p50_ms",
            "value": round(statistics.median(timings), 2),
            "unit": "ms",
            **size,
        },
        {"name": "nearest_points.p99_ms", "value": round(p99, 2), "unit": "ms", **size},
        {"name": "calendar_8_weeks.seconds", "value": round(seconds, 2), "unit": "s", **size},
        {"name": "calendar_8_weeks.queries", "value": queries, "unit": "queries", **size},
        {"name": "calendar_8_weeks.days", "value": days, "unit": "days", **size},
        {"name": "calendar_8_weeks.rerun_seconds", "value": round(rerun, 2), "unit": "s", **size},
    ]


def print_rows(rows: list[dict]) -> None:
    print(f"\npickup points ({POINTS}) and calendar ({SCHEDULED} points, 8 weeks)")
    for row in rows:
        print(f"{row['name']:<34}{row['value']:>10} {row['unit']}")
