"""One solidarity fund's rate review at scale, in this process: a fund shared by 20 pickup points
with 5,000 subscriptions over 5 contracts (two in five on the reduced tier, one in five
supporters, the rest standard). The beat has made the coming period's baskets at half the
points; at the other half the review reads the contracts' calendars (both ways are timed).

It reports the seconds and SQL queries of one review (the same queries whatever the number of
subscriptions; its announcement queued in the outbox, not handed to a broker: no worker runs
here), then of a second run for the same period, which must change nothing, and the
time to render and send the announcement of the new rate (one email per member concerned,
in chunks of members as the announcement's tasks send them, here one after the other in this
process, to Django's in-memory mail backend).

``python -m bench.solidarity_review`` runs only this part on the bench database (migrated
first) and writes no results; ``BENCH_SOLIDARITY_SUBSCRIPTIONS=200`` for a quick run (default
5,000). Each size has its own fund and households, made once.
"""

import datetime as dt
import os
import time
from decimal import Decimal
from unittest import mock

SUBSCRIPTIONS = 5_000
POINTS = 20
CONTRACTS = ("Légumes", "Œufs", "Pain", "Fruits", "Fromages")
PRICE = Decimal("12.00")
TASKS = "marketplace.solidarity.tasks."


def subscription_count() -> int:
    return int(os.environ.get("BENCH_SOLIDARITY_SUBSCRIPTIONS", SUBSCRIPTIONS))


def mark(count: int) -> str:
    return f"bench-solidarity-{count}"


def ensure_fund(count: int):
    """The fund, its points (each distributing weekly on the day after the period under review
    starts), the contracts, households and tiers, its balance (idempotent, written in bulk:
    this is data for the measure, not the measure). Returns the fund."""
    from django.utils import timezone

    from baskets.services import generate_basket_deliveries
    from deliveries.network.models import Schedule
    from deliveries.network.services import materialise_distribution_days
    from marketplace.solidarity.models import Fund, FundEntry, FundPoint
    from marketplace.solidarity.selectors import review_period

    now, today = timezone.now(), timezone.localdate()
    fund = Fund.objects.filter(slug=mark(count)).first()
    if fund is None:
        fund = Fund.objects.create(
            name=f"Caisse du banc ({count})",
            slug=mark(count),
            rate=Decimal("30"),
            reserve=Decimal("500.00"),
            created_at=now,
        )
    points = _points(count)
    FundPoint.objects.bulk_create(
        [FundPoint(fund=fund, pickup_point=point) for point in points], ignore_conflicts=True
    )
    start, end = review_period(fund, today)
    weekday = (start + dt.timedelta(days=1)).weekday()
    if not Schedule.objects.filter(pickup_point__in=points).exists():
        Schedule.objects.bulk_create(
            [
                Schedule(
                    pickup_point=point,
                    weekday=weekday,
                    start_time=dt.time(18, 0),
                    end_time=dt.time(20, 0),
                    valid_from=today - dt.timedelta(days=7),
                )
                for point in points
            ]
        )
    materialise_distribution_days(now=now, pickup_point_ids=[point.pk for point in points])
    _subscriptions(count, points, now)
    # The beat has made the coming period's baskets at half the points.
    generate_basket_deliveries([point.pk for point in points[: POINTS // 2]], start, end)
    if not FundEntry.objects.filter(fund=fund).exists():
        FundEntry.objects.create(
            fund=fund, kind="grant", amount=Decimal(count) * 10, on=today, created_at=now
        )
    return fund


def _points(count: int) -> list:
    from deliveries.network.models import Collective, PickupPoint

    collective, _ = Collective.objects.get_or_create(
        slug=mark(count), defaults={"name": f"Bench solidarity {count}"}
    )
    PickupPoint.objects.bulk_create(
        [
            PickupPoint(
                collective=collective,
                name=f"Point solidaire {index}",
                slug=f"{mark(count)}-point-{index}",
                address="1 place de la Mairie",
                postcode="35000",
                town="Rennes",
            )
            for index in range(POINTS)
        ],
        ignore_conflicts=True,
    )
    return list(PickupPoint.objects.filter(collective=collective).order_by("pk")[:POINTS])


def _subscriptions(count: int, points: list, now) -> None:
    from django.contrib.auth import get_user_model

    from baskets.models import BasketPlan, Contract, ContractPickupPoint, Subscription
    from marketplace.solidarity.models import SolidarityTier, Tier

    contracts = list(Contract.objects.filter(name=mark(count)).order_by("pk"))
    if Subscription.objects.filter(contract__in=contracts).count() >= count:
        return
    today = now.date()
    producer = _producer()
    users = get_user_model()
    users.objects.bulk_create(
        [
            users(username=f"{mark(count)}-{n}", email=f"solidaire{n}@bench.example")
            for n in range(count)
        ],
        ignore_conflicts=True,
        batch_size=2000,
    )
    households = list(users.objects.filter(username__startswith=f"{mark(count)}-").order_by("pk"))
    if not contracts:
        for name in CONTRACTS:
            plan = BasketPlan.objects.create(
                producer=producer, name=f"Panier {name}", reference_price=PRICE
            )
            contract = Contract.objects.create(
                plan=plan,
                name=mark(count),
                starts_on=today,
                ends_on=today + dt.timedelta(weeks=26),
                signup_opens_on=today,
                signup_closes_on=today + dt.timedelta(weeks=26),
            )
            ContractPickupPoint.objects.bulk_create(
                [
                    ContractPickupPoint(contract=contract, pickup_point=p, capacity=count)
                    for p in points
                ]
            )
            contracts.append(contract)
    subscriptions = Subscription.objects.bulk_create(
        [
            Subscription(
                contract=contracts[n % len(contracts)],
                pickup_point=points[n % POINTS],
                member=household,
                agreed_at=now,
                first_delivery_on=today,
            )
            for n, household in enumerate(households)
        ],
        batch_size=2000,
    )
    tiers = []
    for n, subscription in enumerate(subscriptions):
        if n % 5 in (0, 1):
            tiers.append(SolidarityTier(subscription=subscription, tier=Tier.REDUCED))
        elif n % 10 == 2:
            tiers.append(
                SolidarityTier(
                    subscription=subscription, tier=Tier.SUPPORTER, supporter_percent=Decimal("10")
                )
            )
        elif n % 10 == 7:
            tiers.append(
                SolidarityTier(
                    subscription=subscription, tier=Tier.SUPPORTER, supporter_amount=Decimal("2.50")
                )
            )
    SolidarityTier.objects.bulk_create(tiers, batch_size=2000)


def _producer():
    from oscar.core.loading import get_model

    from producers.models import Producer

    slug = "bench-solidarity"
    producer = Producer.objects.filter(slug=slug).first()
    if producer is None:
        partner = get_model("partner", "Partner").objects.create(name="Ferme solidaire", code=slug)
        producer = Producer.objects.create(
            partner=partner, name="Ferme solidaire", slug=slug, postcode="35000", town="Rennes"
        )
    return producer


def _timed(call):
    from django.db import connection

    from bench.charges import QueryCounter

    counter = QueryCounter()
    with connection.execute_wrapper(counter):
        started = time.perf_counter()
        result = call()
        seconds = time.perf_counter() - started
    return result, seconds, counter.count


def measure(fund) -> dict:
    from django.core import mail
    from django.test import override_settings

    from marketplace.core import outbox
    from marketplace.core.models import OutboxTask
    from marketplace.solidarity.models import Fund, RateReview
    from marketplace.solidarity.services.announcements import (
        announce_rate_to_members,
        member_chunks,
    )
    from marketplace.solidarity.services.reviews import review_fund

    # A run before this one reviewed the period already: start again from the same fund.
    RateReview.objects.filter(fund=fund).delete()
    Fund.objects.filter(pk=fund.pk).update(rate=Decimal("30"), open_to_requests=True)
    # No worker runs here: the announcement the review queues stays in the outbox (its row is
    # written, and timed) instead of reaching the broker, then goes; it is timed below.
    with mock.patch.object(outbox, "relay", return_value=False):
        made, seconds, queries = _timed(lambda: review_fund(fund.pk))
        before = Fund.objects.values_list("rate", "open_to_requests").get(pk=fund.pk)
        again, rerun_seconds, rerun_queries = _timed(lambda: review_fund(fund.pk))
        after = Fund.objects.values_list("rate", "open_to_requests").get(pk=fund.pk)
    OutboxTask.objects.filter(task_name__startswith=TASKS, sent_at=None).delete()
    changed = (
        again.pk != made.pk or before != after or RateReview.objects.filter(fund=fund).count() != 1
    )
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        mail.outbox = []
        # what the review's announcement queues, its chunks of members, run here one by one
        sent, announce_seconds, announce_queries = _timed(
            lambda: sum(announce_rate_to_members(made.pk, ids) for ids in member_chunks(made))
        )
    return {
        "review": made,
        "seconds": seconds,
        "queries": queries,
        "rerun_seconds": rerun_seconds,
        "rerun_queries": rerun_queries,
        "rerun_changed": int(changed),
        "announced": sent,
        "announce_seconds": announce_seconds,
        "announce_queries": announce_queries,
    }


def ensure_payments(fund) -> None:
    """Each reduced-tier or supporter subscription's season scheduled at its member's price
    (written in bulk: data for the measure), so that the settlement has the fund's part of each
    basket to write."""
    from marketplace.payments.models import PaymentMethod, PaymentPlan, SubscriptionPayment
    from marketplace.solidarity.member_prices import tier_price
    from marketplace.solidarity.models import SolidarityTier

    tiers = SolidarityTier.objects.filter(
        subscription__pickup_point__solidarity_fund_point__fund=fund,
        subscription__payment__isnull=True,
    ).select_related("subscription")
    SubscriptionPayment.objects.bulk_create(
        [
            SubscriptionPayment(
                subscription=tier.subscription,
                plan=PaymentPlan.WHOLE_SEASON,
                method=PaymentMethod.CHEQUE,
                total=tier_price(PRICE, tier, 1, fund.rate) * 26,
                deliveries=26,
                created_at=tier.since,
            )
            for tier in tiers
        ],
        batch_size=2000,
    )


def measure_settlement(fund) -> dict:
    """The nightly settlement of the period's baskets made (half the points), timed, then run
    again (which must write nothing)."""
    from django.db import DEFAULT_DB_ALIAS

    from marketplace.payments.models import EntryKind, LedgerEntry
    from marketplace.solidarity.models import FundEntry
    from marketplace.solidarity.selectors import review_period
    from marketplace.solidarity.services.settlement import settle_fund

    ensure_payments(fund)
    # A run before this one settled them already: the ledgers are written once, so the bench
    # takes its own rows out below the models' guard.
    settled = FundEntry.objects.filter(fund=fund, delivery__isnull=False)
    twins = list(settled.values_list("ledger_entry_id", flat=True))
    settled._raw_delete(DEFAULT_DB_ALIAS)
    LedgerEntry.objects.filter(pk__in=twins, kind=EntryKind.SOLIDARITY)._raw_delete(
        DEFAULT_DB_ALIAS
    )
    _start, end = review_period(fund, timezone_today())
    night = dt.datetime.combine(end, dt.time(4, 25), tzinfo=dt.UTC)
    written, seconds, queries = _timed(lambda: settle_fund(fund.pk, now=night))
    again, rerun_seconds, rerun_queries = _timed(lambda: settle_fund(fund.pk, now=night))
    return {
        "settled": written,
        "settle_seconds": seconds,
        "settle_queries": queries,
        "settle_rerun_written": again,
        "settle_rerun_queries": rerun_queries,
    }


def timezone_today() -> dt.date:
    from django.utils import timezone

    return timezone.localdate()


def run() -> list[dict]:
    count = subscription_count()
    print(
        f"- solidarity review: one fund, {count} subscriptions at {POINTS} pickup points",
        flush=True,
    )
    started = time.perf_counter()
    fund = ensure_fund(count)
    print(f"  data ready in {time.perf_counter() - started:.1f} s", flush=True)
    figures = measure(fund)
    made = figures["review"]
    print(
        f"  {made.rate_before} % -> {made.rate_after} % ({made.inputs['reason']}); "
        f"{made.inputs['reduced_deliveries']} reduced and {made.inputs['supporter_deliveries']} "
        f"supporter deliveries, {made.inputs['deliveries_from_calendars']} from the calendars",
        flush=True,
    )
    settlement = measure_settlement(fund)
    print(
        f"  settlement: {settlement['settled']} baskets' fund parts written in both ledgers",
        flush=True,
    )
    rows = [
        {"name": "solidarity_review.seconds", "value": round(figures["seconds"], 3), "unit": "s"},
        {"name": "solidarity_review.queries", "value": figures["queries"], "unit": "queries"},
        {
            "name": "solidarity_review.rerun_seconds",
            "value": round(figures["rerun_seconds"], 3),
            "unit": "s",
        },
        {
            "name": "solidarity_review.rerun_queries",
            "value": figures["rerun_queries"],
            "unit": "queries",
        },
        {"name": "solidarity_review.rerun_changed", "value": figures["rerun_changed"], "unit": ""},
        {"name": "solidarity_review.announced", "value": figures["announced"], "unit": "emails"},
        {
            "name": "solidarity_review.announce_seconds",
            "value": round(figures["announce_seconds"], 2),
            "unit": "s",
        },
        {
            "name": "solidarity_review.announce_queries",
            "value": figures["announce_queries"],
            "unit": "queries",
        },
        {"name": "solidarity_settlement.baskets", "value": settlement["settled"], "unit": ""},
        {
            "name": "solidarity_settlement.seconds",
            "value": round(settlement["settle_seconds"], 3),
            "unit": "s",
        },
        {
            "name": "solidarity_settlement.queries",
            "value": settlement["settle_queries"],
            "unit": "queries",
        },
        {
            "name": "solidarity_settlement.rerun_written",
            "value": settlement["settle_rerun_written"],
            "unit": "",
        },
        {
            "name": "solidarity_settlement.rerun_queries",
            "value": settlement["settle_rerun_queries"],
            "unit": "queries",
        },
    ]
    return [{**row, "subscriptions": count, "pickup_points": POINTS} for row in rows]


def print_rows(rows: list[dict]) -> None:
    count = rows[0]["subscriptions"] if rows else 0
    print(f"\nsolidarity review (one fund, {count} subscriptions, {POINTS} pickup points)")
    for row in rows:
        note = ""
        if row["name"] == "solidarity_review.rerun_changed" and row["value"]:
            note = "  <- a second run changed something"
        if row["name"] == "solidarity_settlement.rerun_written" and row["value"]:
            note = "  <- a second run wrote something"
        print(f"{row['name']:<40}{row['value']:>10} {row['unit']}{note}")


def main() -> None:
    """Only this part, on the bench database (migrated to the current models first); no
    results written."""
    from bench import data, pages

    db = data.choose_database(os.environ)
    env = data.bench_env(db)
    print(f"Bench on {db.label} (solidarity review only)", flush=True)
    db.var_dir.mkdir(parents=True, exist_ok=True)
    data.manage(env, "migrate", "--noinput", "--verbosity", "0")
    pages.setup_django(env)
    print_rows([{**row, "database": db.engine} for row in run()])


if __name__ == "__main__":
    main()
