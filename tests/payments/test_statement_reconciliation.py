"""A producer's statement reconciles to the cent on a busy month: hundreds of basket deliveries,
orders, payments of every method, handovers, refunds and corrections, made at random (seeded)
around it; every total is the sum of its lines and the sum of the raw rows, counted here
without the statement's code."""

import csv
import datetime as dt
import io
import random
from decimal import Decimal

import pytest
from django.utils import timezone, translation
from oscar.core.loading import get_model

from baskets.models import BasketDelivery, DeliveryStatus
from baskets.services import generate_basket_deliveries, subscribe
from deliveries.models import DayState, DistributionDay, Handover
from marketplace.checkout.services import place_order_for_day
from marketplace.payments.errors import PaymentRefused
from marketplace.payments.models import (
    EntryKind,
    LedgerEntry,
    LocalCurrency,
    ManualPayment,
    PaymentMethod,
    PaymentPlan,
)
from marketplace.payments.selectors import producer_statement
from marketplace.payments.services import (
    PaymentDetails,
    hand_over,
    record_manual_payment,
    schedule_subscription_payments,
)
from marketplace.payments.statement_files import as_csv
from marketplace.shop_setup import ensure_shop_basics
from tests.baskets.calendar import season
from tests.clock import PARIS
from tests.factories import UserFactory, product_for
from tests.payments.world import NOW, TODAY, point_on_tuesdays

# The world is made as of Monday 23 November 2026 (tests/payments/world.py), the statements read
# on 20 January 2027, December over.
pytestmark = [pytest.mark.django_db, pytest.mark.now(NOW)]
AFTER = dt.datetime(2027, 1, 20, 10, tzinfo=PARIS)

Line = get_model("order", "Line")
DECEMBER = dt.date(2026, 12, 1)
MANUAL = ["cheque", "cash", "transfer", "local_currency"]
# Moments from 25 November to 15 January, the edges of December in Paris among them.
EDGES = [
    dt.datetime(2026, 11, 30, 23, 59, 59, tzinfo=PARIS),
    dt.datetime(2026, 12, 1, 0, 0, tzinfo=PARIS),
    dt.datetime(2026, 12, 31, 23, 59, 59, tzinfo=PARIS),
    dt.datetime(2027, 1, 1, 0, 0, tzinfo=PARIS),
]


def moment(rng: random.Random) -> dt.datetime:
    if rng.random() < 0.15:
        return rng.choice(EDGES)
    start = dt.datetime(2026, 11, 25, 8, tzinfo=PARIS)
    return start + dt.timedelta(minutes=rng.randrange(51 * 24 * 60))


def in_december(instant: dt.datetime) -> bool:
    local = timezone.localtime(instant, PARIS)
    return (local.year, local.month) == (2026, 12)


def cents(text: str) -> Decimal:
    return Decimal(text).quantize(Decimal("0.01"))


@pytest.fixture
def busy_month(producer, other_producer, clock):
    """Two points on Tuesdays, four seasons of the producer and one of another farm, households,
    orders, payments, handovers, refunds and corrections all over late November to January."""
    rng = random.Random(15)
    ensure_shop_basics()
    treasurer = UserFactory(is_staff=True)
    points = [point_on_tuesdays(), point_on_tuesdays()]
    currencies = {
        point.pk: LocalCurrency.objects.create(collective=point.collective, name="Galléco")
        for point in points
    }
    contracts = [
        season(point, plan__producer=producer, plan__name=name, plan__reference_price=cents(price))
        for point in points
        for name, price in (("Petit panier", "11.35"), ("Grand panier", "19.99"))
    ] + [season(points[0], plan__producer=other_producer, plan__reference_price=cents("7.00"))]
    members = [UserFactory() for _ in range(30)]
    subscriptions = []
    for member in members:
        for contract in rng.sample(contracts, 2):
            point = contract.pickup_points.first()
            subscriptions.append(
                subscribe(
                    member, contract, point, quantity=rng.randint(1, 3), agreed=True, today=TODAY
                )
            )
    generate_basket_deliveries(
        [point.pk for point in points], dt.date(2026, 11, 24), dt.date(2027, 1, 12)
    )
    deliveries = list(BasketDelivery.objects.all())
    for delivery in deliveries:
        draw = rng.random()
        if draw < 0.15:
            delivery.status = DeliveryStatus.SKIPPED
        elif draw < 0.25:
            delivery.status = DeliveryStatus.TRANSFERRED
        if rng.random() < 0.2:  # a variable share: priced as the member chose
            delivery.price = cents(str(rng.uniform(5, 40)))
    BasketDelivery.objects.bulk_update(deliveries, ["status", "price"])

    products = [
        product_for(
            producer, title=f"Produit {n}", price=str(cents(str(rng.uniform(1, 9)))), stock=9999
        )
        for n in range(4)
    ] + [product_for(other_producer, title="Œufs", price="3.10", stock=9999)]
    days = list(
        DistributionDay.objects.filter(
            pickup_point__in=points, cutoff_at__gt=timezone.now()
        ).order_by("date", "pk")
    )
    orders = []
    for _ in range(40):
        day = rng.choice(days)
        items = [(product, rng.randint(1, 4)) for product in rng.sample(products, 3)]
        orders.append(place_order_for_day(rng.choice(members), items, day.pk))
    for order in orders:
        draw = rng.random()
        if draw < 0.1:
            order.set_status("cancelled")
        elif draw < 0.35:
            rng.choice(list(order.lines.all())).set_status("cancelled")
        if rng.random() < 0.6:
            pickup = order.pickup
            Handover.objects.create(
                distribution_day_id=pickup.distribution_day_id,
                pickup_order=pickup,
                collected_at=pickup.distribution_day.starts_at if rng.random() < 0.8 else None,
            )
    december_days = [day for day in days if day.date.month == 12 and day.pickup_point == points[1]]
    DistributionDay.objects.filter(pk=rng.choice(december_days).pk).update(state=DayState.CANCELLED)

    for subscription in subscriptions:
        schedule_subscription_payments(
            subscription,
            rng.choice([PaymentPlan.WHOLE_SEASON, PaymentPlan.THREE_MONTHLY]),
            PaymentMethod.CHEQUE,
            today=TODAY,
            now=NOW,
        )
    payments = []
    for _ in range(140):
        method = rng.choice(MANUAL)
        target = (
            {"subscription": rng.choice(subscriptions)}
            if rng.random() < 0.75
            else {"order": rng.choice(orders), "producer": rng.choice([producer, other_producer])}
        )
        point_id = (
            target["subscription"].pickup_point_id
            if "subscription" in target
            else target["order"].pickup.distribution_day.pickup_point_id
        )
        details = PaymentDetails(
            method=method,
            amount=cents(str(rng.uniform(1, 60))),
            cheque_number=str(rng.randrange(10**6)) if method == "cheque" else "",
            local_currency=currencies[point_id] if method == "local_currency" else None,
        )
        try:
            payments.append(
                record_manual_payment(details, recorded_by=treasurer, now=moment(rng), **target)
            )
        except PaymentRefused:  # more than is still due, or nothing of this producer's
            continue
    by_hand = [payment for payment in payments if payment.method != "transfer"]
    for _ in range(6):
        when = moment(rng)
        ready = [p.pk for p in by_hand if p.recorded_at <= when and p.handed_over_at is None]
        for payment in hand_over(rng.sample(ready, len(ready) // 2), by=treasurer, now=when):
            next(p for p in by_hand if p.pk == payment.pk).handed_over_at = when

    entries = []
    for _ in range(120):
        subscription = rng.choice(subscriptions)
        kind, method, sign = rng.choice(
            [
                (EntryKind.PAID, "card", -1),
                (EntryKind.PAID, "sepa_debit", -1),
                (EntryKind.REFUNDED, "card", 1),
                (EntryKind.REFUNDED, "", 1),
                (EntryKind.CORRECTION, "", rng.choice([-1, 1])),
                (EntryKind.DUE, "", 1),
            ]
        )
        entries.append(
            LedgerEntry(
                created_at=moment(rng),
                kind=kind,
                method=method,
                amount=sign * cents(str(rng.uniform(0.01, 80))),
                member=subscription.member,
                producer=subscription.contract.plan.producer,
                subscription=subscription,
            )
        )
    LedgerEntry.objects.bulk_create(entries)
    clock.now = AFTER


def raw_sums(producer, now) -> dict:
    """What the statement should say, summed over every row of the tables, filtered here."""
    end = dt.datetime(2027, 1, 1, tzinfo=PARIS)
    owed_baskets = sum(
        (
            delivery.price
            for delivery in BasketDelivery.objects.select_related(
                "distribution_day", "subscription__contract__plan"
            )
            if delivery.subscription.contract.plan.producer_id == producer.pk
            and (delivery.distribution_day.date.year, delivery.distribution_day.date.month)
            == (2026, 12)
            and delivery.distribution_day.state != "cancelled"
            and delivery.distribution_day.starts_at <= now
            and delivery.status in ("to_collect", "transferred")
        ),
        Decimal("0"),
    )
    owed_orders = sum(
        (
            line.line_price_incl_tax
            for line in Line.objects.select_related("order__pickup__distribution_day")
            if line.partner_id == producer.partner_id
            and line.status != "cancelled"
            and line.order.status != "cancelled"
            and (
                line.order.pickup.distribution_day.date.year,
                line.order.pickup.distribution_day.date.month,
            )
            == (2026, 12)
            and line.order.pickup.distribution_day.state != "cancelled"
        ),
        Decimal("0"),
    )
    entries = [
        entry
        for entry in LedgerEntry.objects.all()
        if entry.producer_id == producer.pk and in_december(entry.created_at)
    ]
    received = {
        method: -sum(
            (e.amount for e in entries if e.kind == "paid" and e.method == method), Decimal("0")
        )
        for method in ["card", "sepa_debit", *MANUAL]
    }
    refunds = sum((e.amount for e in entries if e.kind == "refunded"), Decimal("0"))
    handed = sum((e.amount for e in entries if e.kind == "handed_over"), Decimal("0"))
    held = sum(
        (
            payment.amount
            for payment in ManualPayment.objects.all()
            if payment.producer_id == producer.pk
            and payment.method in ("cheque", "cash", "local_currency")
            and payment.recorded_at < end
            and (payment.handed_over_at is None or payment.handed_over_at >= end)
        ),
        Decimal("0"),
    )
    return {
        "owed_baskets": owed_baskets,
        "owed_orders": owed_orders,
        "received": received,
        "refunds": refunds,
        "handed": handed,
        "held": held,
        "entries": len(entries),
    }


def to_the_cent(amount: Decimal) -> bool:
    return isinstance(amount, Decimal) and amount.as_tuple().exponent == -2


def test_each_producers_statement_of_a_busy_month_reconciles_to_the_cent(
    busy_month, producer, other_producer, django_assert_max_num_queries
):
    for farm in (producer, other_producer):
        with django_assert_max_num_queries(4):
            statement = producer_statement(farm, DECEMBER)
        raw = raw_sums(farm, timezone.now())

        assert statement.owed_for_baskets == sum(line.amount for line in statement.baskets)
        assert statement.owed_for_baskets == raw["owed_baskets"]
        assert statement.owed_for_orders == sum(line.amount for line in statement.orders)
        assert statement.owed_for_orders == raw["owed_orders"]
        assert statement.owed == raw["owed_baskets"] + raw["owed_orders"]

        assert {line.method: line.amount for line in statement.received} == raw["received"]
        assert statement.paid == sum(raw["received"].values())
        assert statement.by_card == raw["received"]["card"]
        assert statement.by_debit == raw["received"]["sepa_debit"]
        assert statement.by_hand == sum(raw["received"][method] for method in MANUAL)
        assert statement.refunds == sum(line.amount for line in statement.refunded)
        assert statement.refunds == raw["refunds"]
        assert statement.received_net == statement.paid - statement.refunds
        assert statement.difference == statement.owed - statement.received_net
        assert statement.held_total == sum(line.amount for line in statement.held) == raw["held"]
        assert statement.handed_over_total == raw["handed"]

        amounts = [
            line.amount
            for line in (
                *statement.baskets,
                *statement.orders,
                *statement.received,
                *statement.refunded,
                *statement.held,
                *statement.handed_over,
            )
        ]
        totals = [statement.owed, statement.received_net, statement.difference]
        assert all(to_the_cent(amount) for amount in amounts + totals)

        # The CSV's total is the sum of its rows, as a spreadsheet would add them.
        with translation.override("en"):
            rows = list(csv.reader(io.StringIO(as_csv(statement).lstrip("\ufeff")), delimiter=";"))
        owed_rows = [row for row in rows if row[0] in ("Owed: baskets", "Owed: orders")]
        total_owed = next(row[-1] for row in rows if row[0] == "Total owed")
        assert sum(Decimal(row[-1]) for row in owed_rows) == Decimal(total_owed) == statement.owed

    # Hundreds of rows behind the producer's month, not a handful.
    statement = producer_statement(producer, DECEMBER)
    assert sum(line.deliveries for line in statement.baskets) >= 150
    assert len(statement.orders) >= 10
    assert raw_sums(producer, timezone.now())["entries"] >= 100
    assert all(line.count for line in statement.received)
    assert statement.refunded and statement.handed_over
