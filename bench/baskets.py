"""Basket deliveries at scale: one distribution day at 500 pickup points with 50,000 active
subscriptions (5 contracts × 10,000 households), generated in this process, then by real Celery
workers (1 process, then 2) on the bench's broker (Redis with REDIS_URL, else the embedded
filesystem broker)."""

import datetime as dt
import os
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

POINTS = 500
HOUSEHOLDS = 10_000
CONTRACTS = ("Légumes", "Œufs", "Pain", "Fruits", "Fromages")
SUBSCRIPTIONS = HOUSEHOLDS * len(CONTRACTS)


def bench_day() -> dt.date:
    from django.utils import timezone

    return timezone.localdate() + dt.timedelta(days=3)


def ensure_subscriptions() -> list[int]:
    """The points, their day, the contracts and subscriptions (idempotent, written in bulk:
    this is data for the measure, not the measure). Returns the distribution days' ids."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from baskets.models import BasketPlan, Contract, ContractPickupPoint, Subscription
    from deliveries.network.models import Collective, DistributionDay, PickupPoint
    from producers.models import Producer

    collective, _ = Collective.objects.get_or_create(
        slug="bench-baskets", defaults={"name": "Bench baskets"}
    )
    if PickupPoint.objects.filter(collective=collective).count() < POINTS:
        PickupPoint.objects.bulk_create(
            [
                PickupPoint(
                    collective=collective,
                    name=f"Basket point {index}",
                    slug=f"bench-basket-point-{index}",
                    address="1 place de la Mairie",
                    postcode="35000",
                    town="Rennes",
                )
                for index in range(POINTS)
            ],
            ignore_conflicts=True,
        )
    points = list(PickupPoint.objects.filter(collective=collective).order_by("pk")[:POINTS])
    day = bench_day()
    starts = timezone.make_aware(dt.datetime.combine(day, dt.time(18, 0)))
    DistributionDay.objects.bulk_create(
        [
            DistributionDay(
                pickup_point=point,
                date=day,
                starts_at=starts,
                ends_at=starts + dt.timedelta(hours=2),
                cutoff_at=starts - dt.timedelta(hours=48),
            )
            for point in points
        ],
        ignore_conflicts=True,
    )
    day_ids = list(
        DistributionDay.objects.filter(pickup_point__in=points, date=day).values_list(
            "pk", flat=True
        )
    )
    if Subscription.objects.filter(contract__name="Bench").count() >= SUBSCRIPTIONS:
        return day_ids
    producer = Producer.objects.order_by("pk").first()
    user_model = get_user_model()
    user_model.objects.bulk_create(
        [
            user_model(username=f"bench-household-{n}", email=f"foyer{n}@bench.example")
            for n in range(HOUSEHOLDS)
        ],
        ignore_conflicts=True,
        batch_size=2000,
    )
    households = list(
        user_model.objects.filter(username__startswith="bench-household-").order_by("pk")
    )
    today = timezone.localdate()
    for name in CONTRACTS:
        plan = BasketPlan.objects.create(
            producer=producer, name=f"Panier {name}", reference_price=Decimal("12.00")
        )
        contract = Contract.objects.create(
            plan=plan,
            name="Bench",
            starts_on=today,
            ends_on=today + dt.timedelta(weeks=26),
            signup_opens_on=today,
            signup_closes_on=today + dt.timedelta(weeks=26),
        )
        ContractPickupPoint.objects.bulk_create(
            [ContractPickupPoint(contract=contract, pickup_point=p, capacity=100) for p in points]
        )
        Subscription.objects.bulk_create(
            [
                Subscription(
                    contract=contract,
                    pickup_point=points[index % POINTS],
                    member=household,
                    agreed_at=timezone.now(),
                )
                for index, household in enumerate(households)
            ],
            batch_size=5000,
        )
    return day_ids


def measure_in_process(day_ids: list[int]) -> tuple[float, int, int]:
    """(seconds, queries, deliveries) for generating every chunk in this process."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from baskets.models import BasketDelivery
    from baskets.services import generate_basket_deliveries, generation_chunks

    BasketDelivery.objects.filter(distribution_day_id__in=day_ids).delete()
    day = bench_day()
    chunks = generation_chunks()
    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        for chunk in chunks:
            generate_basket_deliveries(chunk, day, day)
        seconds = time.perf_counter() - started
    created = BasketDelivery.objects.filter(distribution_day_id__in=day_ids).count()
    return seconds, len(captured), created


def measure_with_workers(day_ids: list[int], processes: int) -> float | None:
    """Seconds from sending the chunks to the last delivery written, with a real Celery worker
    of `processes` processes; None if the worker did not come up."""
    from baskets.models import BasketDelivery
    from baskets.tasks import generate_basket_deliveries

    BasketDelivery.objects.filter(distribution_day_id__in=day_ids).delete()
    log_path = Path(tempfile.mkdtemp()) / "worker.log"
    with open(log_path, "w") as log:
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "marketplace", "worker", "--concurrency"]
            + [str(processes), "--loglevel", "INFO", "--without-gossip", "--without-mingle"]
            + ["-n", f"bench{processes}@%h"],
            env=dict(os.environ),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while " ready." not in log_path.read_text():
            if time.monotonic() > deadline or worker.poll() is not None:
                print(log_path.read_text()[-2000:], flush=True)
                return None
            time.sleep(0.1)
        expected = SUBSCRIPTIONS
        started = time.perf_counter()
        generate_basket_deliveries.delay()
        while time.perf_counter() - started < 300:
            if BasketDelivery.objects.filter(distribution_day_id__in=day_ids).count() >= expected:
                return time.perf_counter() - started
            time.sleep(0.05)
        return None
    finally:
        worker.terminate()
        worker.wait(timeout=30)


def run() -> list[dict]:
    print(
        f"- basket deliveries: {SUBSCRIPTIONS} subscriptions at {POINTS} pickup points",
        flush=True,
    )
    day_ids = ensure_subscriptions()
    seconds, queries, created = measure_in_process(day_ids)
    size = {"subscriptions": SUBSCRIPTIONS, "pickup_points": POINTS, "created": created}
    rows = [
        {"name": "basket_deliveries.in_process_seconds", "value": round(seconds, 2), "unit": "s"},
        {"name": "basket_deliveries.queries", "value": queries, "unit": "queries"},
        {
            "name": "basket_deliveries.in_process_per_second",
            "value": round(created / seconds),
            "unit": "subscriptions/s",
        },
    ]
    for processes in (1, 2):
        print(f"  Celery worker, {processes} process(es)", flush=True)
        elapsed = measure_with_workers(day_ids, processes)
        if elapsed is None:
            print("  the worker did not finish in time", flush=True)
            continue
        rows += [
            {
                "name": f"basket_deliveries.workers_{processes}_seconds",
                "value": round(elapsed, 2),
                "unit": "s",
            },
            {
                "name": f"basket_deliveries.workers_{processes}_per_second",
                "value": round(SUBSCRIPTIONS / elapsed),
                "unit": "subscriptions/s",
            },
        ]
    return [{**row, **size} for row in rows]


def print_rows(rows: list[dict]) -> None:
    print(f"\nbasket deliveries (one day, {SUBSCRIPTIONS} subscriptions, {POINTS} points)")
    for row in rows:
        print(f"{row['name']:<44}{row['value']:>10} {row['unit']}")
