"""Packing lists at scale, measured in this process: one distribution day with 2,000 orders of
three lines each, spread over the bench catalogue's producers."""

import random
import time
from decimal import Decimal

ORDERS = 2_000
LINES_PER_ORDER = 3


def ensure_busy_day() -> int:
    """A distribution day with ORDERS orders (idempotent); its id. Orders are written in bulk:
    this is data for the measure, not the measure."""
    from datetime import timedelta

    from django.contrib.auth import get_user_model
    from django.utils import timezone
    from oscar.core.loading import get_model

    from deliveries.network.models import (
        Collective,
        DayState,
        DistributionDay,
        PickupOrder,
        PickupPoint,
    )

    Order = get_model("order", "Order")
    Line = get_model("order", "Line")
    StockRecord = get_model("partner", "StockRecord")
    collective, _ = Collective.objects.get_or_create(slug="bench", defaults={"name": "Bench"})
    point, _ = PickupPoint.objects.get_or_create(
        slug="bench-packing",
        defaults={
            "collective": collective,
            "name": "Bench packing",
            "address": "1 place de la Mairie",
            "postcode": "35000",
            "town": "Rennes",
        },
    )
    starts = timezone.now().replace(microsecond=0) + timedelta(days=1)
    day, _ = DistributionDay.objects.get_or_create(
        pickup_point=point,
        date=timezone.localdate(starts),
        defaults={
            "starts_at": starts,
            "ends_at": starts + timedelta(hours=2),
            "cutoff_at": starts - timedelta(hours=2),
            "state": DayState.CLOSED,
        },
    )
    if PickupOrder.objects.filter(distribution_day=day).count() >= ORDERS:
        return day.pk
    PickupOrder.objects.filter(distribution_day=day).delete()
    records = list(StockRecord.objects.select_related("product", "partner").order_by("pk"))
    users = list(get_user_model().objects.order_by("pk")[:200])
    rng = random.Random(5)
    prefix = f"B{day.pk}-"
    orders = Order.objects.bulk_create(
        [
            Order(
                number=f"{prefix}{index:05d}",
                user=rng.choice(users) if users else None,
                guest_email=f"membre{index}@bench.example",
                currency="EUR",
                total_incl_tax=Decimal("10.00"),
                total_excl_tax=Decimal("9.48"),
                status="pending",
                date_placed=timezone.now(),
            )
            for index in range(ORDERS)
        ],
        batch_size=1000,
    )
    orders = list(Order.objects.filter(number__startswith=prefix).order_by("number"))
    lines = order_lines(orders, records, rng, LINES_PER_ORDER)
    Line.objects.bulk_create(lines, batch_size=2000)
    PickupOrder.objects.bulk_create(
        [PickupOrder(order=order, distribution_day=day) for order in orders], batch_size=2000
    )
    return day.pk


def measure(day_id: int) -> dict:
    """Reading every producer's list of the day, then building the files and emails of all."""
    from django.conf import settings
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from producers.models import PackingList
    from producers.packing import build_packing_lists, packing_lists_for_day

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with CaptureQueriesContext(connection) as read_queries:
        started = time.perf_counter()
        lists = packing_lists_for_day(day_id)
        read_seconds = time.perf_counter() - started
    PackingList.objects.filter(distribution_day_id=day_id).delete()
    with CaptureQueriesContext(connection) as build_queries:
        started = time.perf_counter()
        sent = build_packing_lists(day_id)
        build_seconds = time.perf_counter() - started
    return {
        "producers": len(lists),
        "read_seconds": read_seconds,
        "read_queries": len(read_queries),
        "build_seconds": build_seconds,
        "build_queries": len(build_queries),
        "emailed": len(sent),
    }


def run() -> list[dict]:
    print(f"- packing lists: one day with {ORDERS} orders of {LINES_PER_ORDER} lines", flush=True)
    figures = measure(ensure_busy_day())
    size = {"orders": ORDERS, "lines": ORDERS * LINES_PER_ORDER, "producers": figures["producers"]}
    return [
        {
            "name": "packing_lists.read_seconds",
            "value": round(figures["read_seconds"], 3),
            "unit": "s",
            **size,
        },
        {
            "name": "packing_lists.read_queries",
            "value": figures["read_queries"],
            "unit": "queries",
            **size,
        },
        {
            "name": "packing_lists.build_and_email_seconds",
            "value": round(figures["build_seconds"], 2),
            "unit": "s",
            **size,
        },
        {
            "name": "packing_lists.build_and_email_queries",
            "value": figures["build_queries"],
            "unit": "queries",
            **size,
        },
        {"name": "packing_lists.emailed", "value": figures["emailed"], "unit": "lists", **size},
    ]


def print_rows(rows: list[dict]) -> None:
    print(f"\npacking lists (one day, {ORDERS} orders)")
    for row in rows:
        print(f"{row['name']:<40}{row['value']:>10} {row['unit']}")


def order_lines(orders, records, rng, per_order: int) -> list:
    """Unsaved lines of 3.00 € (incl. VAT) for each order, from random stock records."""
    from oscar.core.loading import get_model

    Line = get_model("order", "Line")
    return [
        Line(
            order=order,
            partner=record.partner,
            partner_name=record.partner.name,
            partner_sku=record.partner_sku,
            stockrecord=record,
            product=record.product,
            title=record.product.title,
            quantity=rng.randint(1, 3),
            line_price_incl_tax=Decimal("3.00"),
            line_price_excl_tax=Decimal("2.84"),
            line_price_before_discounts_incl_tax=Decimal("3.00"),
            line_price_before_discounts_excl_tax=Decimal("2.84"),
            num_allocated=0,
            status="pending",
        )
        for order in orders
        for record in rng.sample(records, per_order)
    ]
