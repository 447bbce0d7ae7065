"""The pickup list of a distribution day, measured in this process through Django's test client
(no HTTP): the page a volunteer opens on their phone with 400 households at one pickup point and
with 40 at another (the same SQL queries for both), the state phones poll, and the printed
sign-off sheet. Each household holds one subscription basket; some also collect an à la carte
order, some baskets are given to a named person, a third are already ticked collected.

``python -m bench.pickup_list`` runs only this part on the bench database that ``make bench``
left (brought up to the current migrations), and writes no results.
"""

import datetime as dt
import importlib.util
import random
import statistics
import time
from decimal import Decimal

SIZES = (400, 40)  # households at each of two pickup points
ORDERS_SHARE = 0.15  # households also collecting an order: 60 of 400, 6 of 40
TRANSFERS_EVERY = 40  # one basket in 40 given to a named person
COLLECTED_EVERY = 3  # one handover in 3 already ticked collected
LINES_PER_ORDER = 3
REQUESTS, WARMUP = 200, 20
PDF_RUNS = 3
TARGET_MS = 50
FIRST_NAMES = [
    "Léa",
    "Chloé",
    "Manon",
    "Camille",
    "Inès",
    "Jade",
    "Louise",
    "Zoé",
    "Emma",
    "Alice",
    "Hugo",
    "Lucas",
    "Louis",
    "Gabriel",
    "Arthur",
    "Jules",
    "Adam",
    "Raphaël",
    "Paul",
    "Noé",
]
LAST_NAMES = [
    "Martin",
    "Bernard",
    "Dubois",
    "Thomas",
    "Robert",
    "Richard",
    "Petit",
    "Durand",
    "Leroy",
    "Moreau",
    "Simon",
    "Laurent",
    "Lefèvre",
    "Michel",
    "Garcia",
    "David",
    "Bertrand",
    "Roux",
    "Vincent",
    "Fournier",
    "Morel",
    "Girard",
    "André",
    "Guérin",
]
COMPOSITION = (
    ("Carottes", "1.5", "kg"),
    ("Poireaux", "1", "kg"),
    ("Pommes de terre", "2", "kg"),
    ("Salade", "1", "pièce"),
    ("Persil", "1", "botte"),
)


def ensure_households(offset: int, count: int) -> list:
    """`count` members with distinct names (idempotent, written in bulk)."""
    from django.contrib.auth import get_user_model

    user_model = get_user_model()
    numbers = range(offset, offset + count)
    user_model.objects.bulk_create(
        [
            user_model(
                username=f"bench-pickup-{n}",
                email=f"retrait{n}@bench.example",
                first_name=FIRST_NAMES[n % len(FIRST_NAMES)],
                last_name=LAST_NAMES[n // len(FIRST_NAMES) % len(LAST_NAMES)],
            )
            for n in numbers
        ],
        ignore_conflicts=True,
    )
    users = user_model.objects.filter(username__in=[f"bench-pickup-{n}" for n in numbers])
    return sorted(users, key=lambda user: int(user.username.rsplit("-", 1)[1]))


def ensure_plan():
    """The vegetable plan and its season's contract, one for both points."""
    from django.utils import timezone

    from baskets.models import BasketPlan, Contract
    from producers.models import Producer

    producer = Producer.objects.order_by("pk").first()
    if producer is None:
        raise SystemExit("bench: no producer in the bench database (run `make bench` once)")
    plan, _ = BasketPlan.objects.get_or_create(
        producer=producer,
        name="Panier bench retrait",
        defaults={"reference_price": Decimal("12.00"), "size": "4 à 5 kg"},
    )
    today = timezone.localdate()
    contract, _ = Contract.objects.get_or_create(
        plan=plan,
        name="Bench retrait",
        defaults={
            "starts_on": today - dt.timedelta(weeks=4),
            "ends_on": today + dt.timedelta(weeks=48),
            "signup_opens_on": today - dt.timedelta(weeks=8),
            "signup_closes_on": today + dt.timedelta(weeks=48),
        },
    )
    return contract


def ensure_orders(day, households: list, wanted: int) -> None:
    """`wanted` à la carte orders to collect on the day, of the first households."""
    from django.utils import timezone
    from oscar.core.loading import get_model

    from deliveries.network.models import PickupOrder

    Order = get_model("order", "Order")
    Line = get_model("order", "Line")
    from bench.packing import order_lines

    StockRecord = get_model("partner", "StockRecord")
    if PickupOrder.objects.filter(distribution_day=day).count() >= wanted:
        return
    prefix = f"R{day.pk}-"
    Order.objects.filter(number__startswith=prefix).delete()
    records = list(StockRecord.objects.select_related("product", "partner").order_by("pk")[:300])
    rng = random.Random(day.pk)
    Order.objects.bulk_create(
        [
            Order(
                number=f"{prefix}{index:04d}",
                user=household,
                currency="EUR",
                total_incl_tax=Decimal("9.00"),
                total_excl_tax=Decimal("8.53"),
                status="pending",
                date_placed=timezone.now(),
            )
            for index, household in enumerate(households[:wanted])
        ]
    )
    orders = list(Order.objects.filter(number__startswith=prefix).order_by("number"))
    Line.objects.bulk_create(order_lines(orders, records, rng, LINES_PER_ORDER))
    PickupOrder.objects.bulk_create(
        [PickupOrder(order=order, distribution_day=day) for order in orders]
    )


def ensure_day(contract, households: list, index: int):
    """A pickup point where every household collects one basket on its day, with the day's
    volunteer (idempotent: the point's day is reused from one run to the next). Returns
    (day, volunteer)."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from baskets.models import (
        BasketDelivery,
        BasketTransfer,
        CompositionLine,
        ContractPickupPoint,
        DeliveryComposition,
        DeliveryStatus,
        Subscription,
        TransferKind,
    )
    from deliveries.distribution.models import Handover, VolunteerShift
    from deliveries.distribution.selectors.pickup_list import prepare_handovers
    from deliveries.network.models import Collective, DistributionDay, PickupPoint

    size = len(households)
    collective, _ = Collective.objects.get_or_create(
        slug="bench-pickup", defaults={"name": "Bench pickup list"}
    )
    point, _ = PickupPoint.objects.get_or_create(
        slug=f"bench-pickup-{index}",
        defaults={
            "collective": collective,
            "name": f"Bench retrait {size} foyers",
            "address": "1 place de la Mairie",
            "postcode": "35000",
            "town": "Rennes",
            "capacity": 1000,
            "food_aid_partner": "Restos du cœur",
        },
    )
    day = DistributionDay.objects.filter(pickup_point=point).order_by("-date").first()
    if day is None:
        starts = timezone.now().replace(microsecond=0) + dt.timedelta(days=1)
        day = DistributionDay.objects.create(
            pickup_point=point,
            date=timezone.localdate(starts),
            starts_at=starts,
            ends_at=starts + dt.timedelta(hours=2),
            cutoff_at=starts - dt.timedelta(hours=48),
        )
    volunteer, _ = get_user_model().objects.get_or_create(
        username=f"bench-pickup-volunteer-{index}",
        defaults={"email": f"benevole{index}@bench.example", "first_name": "Bénévole"},
    )
    VolunteerShift.objects.get_or_create(distribution_day=day, volunteer=volunteer)
    ContractPickupPoint.objects.get_or_create(
        contract=contract, pickup_point=point, defaults={"capacity": 1000}
    )
    subscribed = set(
        Subscription.objects.filter(contract=contract).values_list("member_id", flat=True)
    )
    Subscription.objects.bulk_create(
        [
            Subscription(
                contract=contract, pickup_point=point, member=member, agreed_at=timezone.now()
            )
            for member in households
            if member.pk not in subscribed
        ]
    )
    subscriptions = list(
        Subscription.objects.filter(contract=contract, pickup_point=point).order_by("pk")
    )
    transferred = subscriptions[TRANSFERS_EVERY // 2 :: TRANSFERS_EVERY]
    given = {sub.pk for sub in transferred}
    BasketDelivery.objects.bulk_create(
        [
            BasketDelivery(
                subscription=sub,
                distribution_day=day,
                quantity=1,
                price=Decimal("12.00"),
                status=DeliveryStatus.TRANSFERRED if sub.pk in given else DeliveryStatus.TO_COLLECT,
            )
            for sub in subscriptions
        ],
        ignore_conflicts=True,
    )
    BasketTransfer.objects.bulk_create(
        [
            BasketTransfer(
                subscription=sub,
                distribution_day=day,
                kind=TransferKind.NAMED,
                recipient_name=f"Voisine {number}",
            )
            for number, sub in enumerate(transferred)
        ],
        ignore_conflicts=True,
    )
    composition, _ = DeliveryComposition.objects.get_or_create(plan=contract.plan, date=day.date)
    if not composition.lines.exists():
        CompositionLine.objects.bulk_create(
            [
                CompositionLine(composition=composition, name=name, quantity=Decimal(q), unit=u)
                for name, q, u in COMPOSITION
            ]
        )
    ensure_orders(day, households, round(size * ORDERS_SHARE))
    prepare_handovers(day)
    handovers = Handover.objects.filter(distribution_day=day).order_by("pk")
    Handover.objects.filter(
        pk__in=list(handovers.values_list("pk", flat=True))[::COLLECTED_EVERY], collected_at=None
    ).update(collected_at=day.starts_at, collected_by=volunteer, changed_at=day.starts_at)
    return day, volunteer


def ensure_days() -> dict[int, tuple]:
    """{households: (day, volunteer)} for each size (idempotent, written in bulk: this is data
    for the measure, not the measure)."""
    contract = ensure_plan()
    days, offset = {}, 0
    for index, size in enumerate(SIZES):
        days[size] = ensure_day(contract, ensure_households(offset, size), index)
        offset += size
    return days


def timed_gets(client, path: str) -> list[float]:
    """Milliseconds of REQUESTS GETs, after WARMUP unmeasured ones; every one must be a 200."""
    timings = []
    for number in range(WARMUP + REQUESTS):
        started = time.perf_counter()
        response = client.get(path)
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            raise SystemExit(f"bench: GET {path} answered {response.status_code}")
        if number >= WARMUP:
            timings.append(elapsed)
    return timings


def p99(timings: list[float]) -> float:
    ordered = sorted(timings)
    return ordered[max(0, int(len(ordered) * 0.99) - 1)]


def count_queries(client, path: str) -> list[str]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        client.get(path)
    return [query["sql"] for query in captured.captured_queries]


def signed_in(volunteer):
    from django.test import Client

    # The bench's ALLOWED_HOSTS is 127.0.0.1 only (see bench.data.bench_env).
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(volunteer)
    return client


def measure(days: dict[int, tuple]) -> dict:
    """Latencies and queries of the page for each size, of the state for the biggest, and the
    seconds of the sign-off sheet's PDF (when deliveries.distribution.sign_off_sheet exists)."""
    from django.urls import reverse

    from deliveries.distribution.selectors.pickup_list import pickup_list

    figures: dict = {}
    for size, (day, volunteer) in days.items():
        client = signed_in(volunteer)
        path = reverse("deliveries:pickup-list", kwargs={"pk": day.pk})
        timings = timed_gets(client, path)
        sheet = pickup_list(day)
        figures[size] = {
            "p50_ms": statistics.median(timings),
            "p99_ms": p99(timings),
            "sql": count_queries(client, path),
        }
        print(
            f"  {size} households ({len(sheet.households)} on the list, {len(sheet.lines)} "
            f"lines, {sheet.collected} collected): median {figures[size]['p50_ms']:.1f} ms, "
            f"p99 {figures[size]['p99_ms']:.1f} ms, {len(figures[size]['sql'])} queries",
            flush=True,
        )
    day, volunteer = days[max(days)]
    client = signed_in(volunteer)
    path = reverse("deliveries:pickup-list-state", kwargs={"pk": day.pk})
    timings = timed_gets(client, path)
    figures["state"] = {
        "p50_ms": statistics.median(timings),
        "p99_ms": p99(timings),
        "sql": count_queries(client, path),
    }
    print(
        f"  state of {max(days)} households: median {figures['state']['p50_ms']:.1f} ms, "
        f"{len(figures['state']['sql'])} queries",
        flush=True,
    )
    if importlib.util.find_spec("deliveries.distribution.sign_off_sheet") is not None:
        from deliveries.distribution.sign_off_sheet import sign_off_sheet_pdf

        runs = []
        for _ in range(PDF_RUNS):
            started = time.perf_counter()
            pdf = sign_off_sheet_pdf(day)
            runs.append(time.perf_counter() - started)
        figures["pdf"] = {"seconds": statistics.median(runs), "bytes": len(pdf)}
        print(
            f"  sign-off sheet of {max(days)} households: {figures['pdf']['seconds']:.2f} s, "
            f"{len(pdf) // 1024} KiB",
            flush=True,
        )
    return figures


def records(figures: dict) -> list[dict]:
    big = max(SIZES)
    rows = []
    for size in SIZES:
        extra = {"households": size, "orders": round(size * ORDERS_SHARE)}
        rows += [
            {**row, **extra}
            for row in (
                {
                    "name": f"pickup_list_{size}.p50_ms",
                    "value": round(figures[size]["p50_ms"], 1),
                    "unit": "ms",
                },
                {
                    "name": f"pickup_list_{size}.p99_ms",
                    "value": round(figures[size]["p99_ms"], 1),
                    "unit": "ms",
                },
                {
                    "name": f"pickup_list_{size}.queries",
                    "value": len(figures[size]["sql"]),
                    "unit": "queries",
                },
            )
        ]
    state = figures["state"]
    others = [
        {"name": "pickup_list_state.p50_ms", "value": round(state["p50_ms"], 1), "unit": "ms"},
        {"name": "pickup_list_state.p99_ms", "value": round(state["p99_ms"], 1), "unit": "ms"},
        {"name": "pickup_list_state.queries", "value": len(state["sql"]), "unit": "queries"},
    ]
    if "pdf" in figures:
        others.append(
            {
                "name": "sign_off_sheet_pdf.seconds",
                "value": round(figures["pdf"]["seconds"], 2),
                "unit": "s",
            }
        )
    extra = {"households": big, "orders": round(big * ORDERS_SHARE)}
    return rows + [{**row, **extra} for row in others]


def run() -> list[dict]:
    print(
        f"- pickup list: {' and '.join(map(str, SIZES))} households at two points, "
        f"{WARMUP} + {REQUESTS} GETs of each page",
        flush=True,
    )
    return records(measure(ensure_days()))


def print_rows(rows: list[dict]) -> None:
    values = {row["name"]: row["value"] for row in rows}
    big, small = max(SIZES), min(SIZES)
    print(f"\npickup list (one day, {big} households at one point, {small} at another)")
    for row in rows:
        flags = []
        page = row["name"] in (f"pickup_list_{big}.p50_ms", f"pickup_list_{small}.p50_ms")
        if page and row["value"] > TARGET_MS:
            flags.append(f"> {TARGET_MS} ms")
        if row["name"] == f"pickup_list_{big}.queries" and row["value"] != values.get(
            f"pickup_list_{small}.queries"
        ):
            flags.append("queries grow with households")
        note = f"  <- {', '.join(flags)}" if flags else ""
        print(f"{row['name']:<34}{row['value']:>10} {row['unit']}{note}")


def main() -> None:
    """Only this part, on the bench database as ``make bench`` left it (migrated to the current
    models first); no results written. BENCH_SQL=1 prints the page's queries."""
    import os

    from bench import data, pages

    db = data.choose_database(os.environ)
    env = data.bench_env(db)
    print(f"Bench on {db.label} (pickup list only)", flush=True)
    data.manage(env, "migrate", "--noinput", "--verbosity", "0")
    pages.setup_django(env)
    print(
        f"- pickup list: {' and '.join(map(str, SIZES))} households at two points, "
        f"{WARMUP} + {REQUESTS} GETs of each page",
        flush=True,
    )
    figures = measure(ensure_days())
    if os.environ.get("BENCH_SQL") == "1":
        for size in SIZES:
            print(f"\nqueries of the page, {size} households:")
            for statement in figures[size]["sql"]:
                print(f"    {statement[:300]}")
    print_rows([{**row, "database": db.engine} for row in records(figures)])


if __name__ == "__main__":
    main()
