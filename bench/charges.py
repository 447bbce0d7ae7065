"""The nightly charging run at scale, in this process against localstripe (started here, behind
the tests' recording proxy): 10,000 instalments due today, each of its own member's saved card,
charged off-session for one producer's connected account. It reports the time, the charges
per second, the SQL queries per instalment (the same for each, so bounded), and that a second
run charges nothing.

localstripe keeps every object in memory and slows down as it fills: every ``BATCH`` charges it
is emptied, and that batch's members get their customer and card made again (untimed; only
the charging is timed). The Stripe calls are real HTTP round trips on loopback, so the figure
is mostly the client's and localstripe's cost, a floor for what Stripe itself takes.

``python -m bench.charges`` runs only this part on the bench database (migrated first), and
writes no results; ``BENCH_CHARGES=500`` for a quick run (default 10,000).
"""

import datetime as dt
import os
import time
from decimal import Decimal
from pathlib import Path

COUNT = 10_000
BATCH = int(os.environ.get("BENCH_CHARGES_BATCH", "50"))
AMOUNT = Decimal("12.00")
MARK = "bench-charges"


def charge_count() -> int:
    return int(os.environ.get("BENCH_CHARGES", COUNT))


def ensure_instalments(count: int) -> list[int]:
    """``count`` members each with a subscription paid by card, its instalment due today and
    not charged (made once in bulk, then put back as due on the next runs: this is data for
    the measure, not the measure). Returns the instalments' ids."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from baskets.models import BasketPlan, Contract, ContractPickupPoint, Subscription
    from deliveries.network.models import Collective, PickupPoint
    from marketplace.payments.models import (
        Charge,
        ContractPaymentTerms,
        Instalment,
        LedgerEntry,
        ProducerAccount,
        StripeCustomer,
        SubscriptionPayment,
    )

    today, now = timezone.localdate(), timezone.now()
    producer = _producer()
    ProducerAccount.objects.get_or_create(
        producer=producer, defaults={"account_id": "acct_benchfarm"}
    )
    collective, _ = Collective.objects.get_or_create(slug=MARK, defaults={"name": "Bench charges"})
    point, _ = PickupPoint.objects.get_or_create(
        slug=MARK,
        defaults={
            "collective": collective,
            "name": "Bench charges",
            "postcode": "35000",
            "town": "Rennes",
        },
    )
    plan, _ = BasketPlan.objects.get_or_create(
        producer=producer, name="Panier du banc", defaults={"reference_price": AMOUNT}
    )
    contract, created = Contract.objects.get_or_create(
        plan=plan,
        name=MARK,
        defaults={
            "starts_on": today,
            "ends_on": today + dt.timedelta(weeks=26),
            "signup_opens_on": today,
            "signup_closes_on": today + dt.timedelta(weeks=26),
        },
    )
    if created:
        ContractPickupPoint.objects.create(
            contract=contract, pickup_point=point, capacity=COUNT * 2
        )
        ContractPaymentTerms.objects.create(contract=contract, methods=["card", "cheque"])
    have = Subscription.objects.filter(contract=contract).count()
    if have < count:
        users = get_user_model()
        users.objects.bulk_create(
            [
                users(username=f"{MARK}-{n}", email=f"payeur{n}@bench.example")
                for n in range(have, count)
            ],
            ignore_conflicts=True,
            batch_size=2000,
        )
        members = list(users.objects.filter(username__startswith=f"{MARK}-").order_by("pk"))[
            have:count
        ]
        subscriptions = Subscription.objects.bulk_create(
            [
                Subscription(contract=contract, pickup_point=point, member=m, agreed_at=now)
                for m in members
            ],
            batch_size=2000,
        )
        subscriptions = list(Subscription.objects.filter(contract=contract).order_by("pk"))[
            have:count
        ]
        SubscriptionPayment.objects.bulk_create(
            [
                SubscriptionPayment(
                    subscription=s,
                    plan="season",
                    method="card",
                    total=AMOUNT,
                    created_at=now,
                    saved_method_id=f"pm_bench{s.pk}",
                    saved_method_type="card",
                    saved_method_last4="4242",
                )
                for s in subscriptions
            ],
            batch_size=2000,
        )
        payments = SubscriptionPayment.objects.filter(subscription__in=subscriptions)
        Instalment.objects.bulk_create(
            [Instalment(payment=p, number=1, due_on=today, amount=AMOUNT) for p in payments],
            batch_size=2000,
        )
        StripeCustomer.objects.bulk_create(
            [
                StripeCustomer(member=m, customer_id=f"cus_bench{m.pk}", created_at=now)
                for m in members
            ],
            ignore_conflicts=True,
            batch_size=2000,
        )
    instalments = Instalment.objects.filter(payment__subscription__contract=contract)
    ids = list(instalments.order_by("pk").values_list("pk", flat=True)[:count])
    # Put back as due today, as if never charged (the ledger is written once: the bench's
    # own "paid" entries go by raw delete).
    paid = LedgerEntry.objects.filter(instalment_id__in=ids)
    paid._raw_delete(paid.db)
    Charge.objects.filter(instalment_id__in=ids).delete()
    Instalment.objects.filter(pk__in=ids).update(
        state="due", paid_amount=0, paid_at=None, attempts=0, next_attempt_on=None, due_on=today
    )
    return ids


def _producer():
    from oscar.core.loading import get_model

    from producers.models import Producer

    producer = Producer.objects.filter(slug=MARK).first()
    if producer is None:
        partner = get_model("partner", "Partner").objects.create(name="Ferme du banc", code=MARK)
        producer = Producer.objects.create(
            partner=partner, name="Ferme du banc", slug=MARK, postcode="35000", town="Rennes"
        )
    return producer


def save_cards(server, instalment_ids: list[int]) -> None:
    """The batch's members get a customer and a saved card on the (emptied) localstripe, as
    sign-up makes them; untimed."""
    from marketplace.payments.models import Instalment, StripeCustomer, SubscriptionPayment

    client = server.client
    rows = list(
        Instalment.objects.filter(pk__in=instalment_ids).values_list(
            "payment_id", "payment__subscription__member_id"
        )
    )
    customer_of, methods = {}, []
    for payment_id, member_id in rows:
        customer = client.v1.customers.create({"email": f"payeur{member_id}@bench.example"})
        method = client.v1.payment_methods.create(
            {
                "type": "card",
                "card": {
                    "number": "4242424242424242",
                    "exp_month": 12,
                    "exp_year": 2034,
                    "cvc": "123",
                },
            }
        )
        client.v1.payment_methods.attach(method.id, {"customer": customer.id})
        customer_of[member_id] = customer.id
        methods.append(SubscriptionPayment(pk=payment_id, saved_method_id=method.id))
    customers = list(StripeCustomer.objects.filter(member_id__in=customer_of))
    for row in customers:
        row.customer_id = customer_of[row.member_id]
    StripeCustomer.objects.bulk_update(customers, ["customer_id"])
    SubscriptionPayment.objects.bulk_update(methods, ["saved_method_id"])


class QueryCounter:
    """Counts the SQL statements run while it is installed, without those that open and close
    transactions (``connection.execute_wrapper``: Django's query log keeps only the last 9,000,
    fewer than a run of 10,000 instalments makes)."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        if not sql.lstrip().upper().startswith(("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE")):
            self.count += 1
        return execute(sql, params, many, context)


def measure(server, ids: list[int]) -> dict:
    from django.conf import settings
    from django.db import connection
    from django.utils import timezone

    from marketplace.payments.selectors.charges import due_instalment_ids
    from marketplace.payments.services.charges import (
        ChargeRun,
        charge_due_instalments,
        charge_instalments,
    )
    from tests.payments import localstripe as fake

    settings.STRIPE_SECRET_KEY, settings.STRIPE_PUBLISHABLE_KEY = (
        fake.SECRET_KEY,
        fake.PUBLISHABLE_KEY,
    )
    settings.STRIPE_API_BASE = server.api_base
    today = timezone.localdate()
    run, seconds, queries = ChargeRun(), 0.0, 0
    started = time.perf_counter()
    due = due_instalment_ids(today)
    seconds += time.perf_counter() - started
    if sorted(due) != sorted(ids):
        raise SystemExit(f"bench: {len(due)} instalments due, {len(ids)} expected")
    for start in range(0, len(due), BATCH):
        batch = due[start : start + BATCH]
        server.reset()
        save_cards(server, batch)
        counter = QueryCounter()
        with connection.execute_wrapper(counter):
            started = time.perf_counter()
            run += charge_instalments(batch, today=today)
            seconds += time.perf_counter() - started
        queries += counter.count
        print(f"  {start + len(batch)} charged, {seconds:.1f} s", flush=True)
    posts_before = len(server.sent("POST", "/v1/payment_intents"))
    rerun_counter = QueryCounter()
    with connection.execute_wrapper(rerun_counter):
        started = time.perf_counter()
        rerun = charge_due_instalments(today)
        rerun_seconds = time.perf_counter() - started
    return {
        "run": run,
        "seconds": seconds,
        "queries": queries,
        "rerun": rerun,
        "rerun_seconds": rerun_seconds,
        "rerun_queries": rerun_counter.count,
        "rerun_posts": len(server.sent("POST", "/v1/payment_intents")) - posts_before,
    }


def run() -> list[dict]:
    from django.conf import settings

    from tests.payments import localstripe as fake

    count = charge_count()
    print(f"- nightly charges: {count} instalments due, against localstripe", flush=True)
    ids = ensure_instalments(count)
    log = Path(settings.VAR_DIR) / "localstripe-bench.log"
    with fake.running(log) as server:
        figures = measure(server, ids)
    run_, seconds = figures["run"], figures["seconds"]
    if run_.charged != count:
        print(f"  warning: {run_.charged} charged of {count}: {run_}", flush=True)
    size = {"instalments": count}
    rows = [
        {"name": "nightly_charges.seconds", "value": round(seconds, 2), "unit": "s"},
        {
            "name": "nightly_charges.per_second",
            "value": round(run_.charged / seconds, 1),
            "unit": "charges/s",
        },
        {"name": "nightly_charges.charged", "value": run_.charged, "unit": "instalments"},
        {
            "name": "nightly_charges.queries_per_instalment",
            "value": round(figures["queries"] / count, 2),
            "unit": "queries",
        },
        {
            "name": "nightly_charges.rerun_charged",
            "value": figures["rerun"].charged,
            "unit": "instalments",
        },
        {
            "name": "nightly_charges.rerun_payments_sent",
            "value": figures["rerun_posts"],
            "unit": "requests",
        },
        {
            "name": "nightly_charges.rerun_seconds",
            "value": round(figures["rerun_seconds"], 3),
            "unit": "s",
        },
        {
            "name": "nightly_charges.rerun_queries",
            "value": figures["rerun_queries"],
            "unit": "queries",
        },
    ]
    return [{**row, **size} for row in rows]


def print_rows(rows: list[dict]) -> None:
    count = rows[0]["instalments"] if rows else 0
    print(f"\nnightly charges ({count} instalments due, localstripe)")
    for row in rows:
        flags = []
        if (
            row["name"] in ("nightly_charges.rerun_charged", "nightly_charges.rerun_payments_sent")
            and row["value"]
        ):
            flags.append("a second run charged")
        note = f"  <- {', '.join(flags)}" if flags else ""
        print(f"{row['name']:<40}{row['value']:>10} {row['unit']}{note}")


def _exists(db) -> bool:
    """Whether the bench database is there (SQLite makes its file when migrated)."""
    if db.url is None:
        return True
    from urllib.parse import urlsplit, urlunsplit

    import psycopg

    parts = urlsplit(db.url)
    maintenance = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as conn:
        name = parts.path.lstrip("/")
        return (
            conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            is not None
        )


def main() -> None:
    """Only this part, on the bench database (migrated to the current models first); no
    results written."""
    from bench import data, pages

    db = data.choose_database(os.environ)
    env = data.bench_env(db)
    print(f"Bench on {db.label} (nightly charges only)", flush=True)
    if not _exists(db):
        data.recreate(db)
    data.manage(env, "migrate", "--noinput", "--verbosity", "0")
    pages.setup_django(env)
    print_rows([{**row, "database": db.engine} for row in run()])


if __name__ == "__main__":
    main()
