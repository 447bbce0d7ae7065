"""Each producer's statement per month: what they are owed for the baskets and orders they
brought, what they received by card, debit and by hand, the difference; to the cent, on a
small month written out by hand."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from baskets.models import BasketDelivery, DeliveryStatus
from baskets.services import generate_basket_deliveries, subscribe
from deliveries.models import DayState, DistributionDay, Handover
from marketplace.checkout.services import place_order_for_day
from marketplace.payments.models import (
    EntryKind,
    LedgerEntry,
    LocalCurrency,
    PaymentMethod,
    PaymentPlan,
    StatementFile,
)
from marketplace.payments.selectors import producer_statement, statement_months
from marketplace.payments.services import (
    PaymentDetails,
    hand_over,
    record_manual_payment,
    schedule_subscription_payments,
)
from marketplace.payments.tasks import build_statement_pdf
from marketplace.shop_setup import ensure_shop_basics
from tests.clock import PARIS
from tests.factories import UserFactory, product_for
from tests.payments.world import NOW, TODAY, point_on_tuesdays, subscription_to

# The world is made as of Monday 23 November 2026 (tests/payments/world.py), the statements read
# on 20 January 2027, December over.
pytestmark = [pytest.mark.django_db, pytest.mark.now(NOW)]
AFTER = dt.datetime(2027, 1, 20, 10, tzinfo=PARIS)

DECEMBER = dt.date(2026, 12, 1)


def paris(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=PARIS)


def day_of(point, date) -> DistributionDay:
    return DistributionDay.objects.get(pickup_point=point, date=date)


def euros(text) -> Decimal:
    return Decimal(text)


@pytest.fixture(autouse=True)
def shop(db):
    ensure_shop_basics()


@pytest.fixture
def treasurer(db):
    from django.contrib.auth.models import Permission

    user = UserFactory(first_name="Tom", last_name="Trésorier")
    user.user_permissions.add(Permission.objects.get(codename="hand_over_payments"))
    return user


@pytest.fixture
def december(producer, other_producer, treasurer, clock):
    """December 2026 at a point distributing on Tuesdays (1, 8, 15, 22, 29), written out."""
    point = point_on_tuesdays()
    galleco = LocalCurrency.objects.create(collective=point.collective, name="Galléco")
    two = subscription_to(point, price="12.50", quantity=2, plan__producer=producer)
    one = subscribe(UserFactory(), two.contract, point, quantity=1, agreed=True, today=TODAY)
    theirs = subscription_to(point, price="30.00", plan__producer=other_producer)
    generate_basket_deliveries([point.pk], dt.date(2026, 11, 24), dt.date(2027, 1, 12))
    BasketDelivery.objects.filter(
        subscription=one, distribution_day__date=dt.date(2026, 12, 8)
    ).update(status=DeliveryStatus.SKIPPED)
    BasketDelivery.objects.filter(
        subscription=one, distribution_day__date=dt.date(2026, 12, 15)
    ).update(status=DeliveryStatus.TRANSFERRED)
    DistributionDay.objects.filter(pickup_point=point, date=dt.date(2026, 12, 29)).update(
        state=DayState.CANCELLED
    )

    carrots = product_for(producer, title="Carottes", price="2.40", stock=50)
    squash = product_for(producer, title="Courge", price="1.95", stock=50)
    eggs = product_for(other_producer, title="Œufs", price="3.10", stock=50)
    member = one.member
    collected = place_order_for_day(
        member,
        [(carrots, 3), (squash, 1), (eggs, 2)],
        day_of(point, dt.date(2026, 12, 8)).pk,
    )
    left = place_order_for_day(
        member, [(carrots, 2), (squash, 1)], day_of(point, dt.date(2026, 12, 15)).pk
    )
    left.lines.get(product=squash).set_status("cancelled")
    cancelled = place_order_for_day(member, [(carrots, 5)], day_of(point, dt.date(2026, 12, 22)).pk)
    cancelled.set_status("cancelled")
    place_order_for_day(member, [(carrots, 4)], day_of(point, dt.date(2027, 1, 5)).pk)
    Handover.objects.create(
        distribution_day=collected.pickup.distribution_day,
        pickup_order=collected.pickup,
        collected_at=paris(2026, 12, 8, 18, 20),
    )
    Handover.objects.create(distribution_day=left.pickup.distribution_day, pickup_order=left.pickup)

    for subscription in (two, theirs):
        schedule_subscription_payments(
            subscription, PaymentPlan.WHOLE_SEASON, PaymentMethod.CHEQUE, today=TODAY, now=NOW
        )

    def pay(method, amount, at, **kwargs):
        details = PaymentDetails(
            method=method,
            amount=amount,
            cheque_number="0001234" if method == PaymentMethod.CHEQUE else "",
            local_currency=galleco if method == PaymentMethod.LOCAL_CURRENCY else None,
        )
        target = kwargs or {"subscription": two}
        return record_manual_payment(details, recorded_by=treasurer, now=at, **target)

    pay(PaymentMethod.CHEQUE, "40.00", paris(2026, 11, 30, 23, 59))  # November
    cheque = pay(PaymentMethod.CHEQUE, "100.00", paris(2026, 12, 2, 10))
    pay(PaymentMethod.CASH, "20.00", paris(2026, 12, 10, 18))
    order_cash = pay(
        PaymentMethod.CASH, "9.15", paris(2026, 12, 8, 18, 30), order=collected, producer=producer
    )
    pay(PaymentMethod.TRANSFER, "30.00", paris(2026, 12, 31, 23, 30))  # still December in Paris
    pay(PaymentMethod.LOCAL_CURRENCY, "15.00", paris(2027, 1, 1, 0, 30))  # January in Paris
    pay(PaymentMethod.CHEQUE, "50.00", paris(2026, 12, 3), subscription=theirs)  # not theirs
    hand_over([cheque.pk], by=treasurer, now=paris(2026, 12, 20, 9))
    hand_over([order_cash.pk], by=treasurer, now=paris(2027, 1, 3, 9))

    for kind, method, amount, at in [
        (EntryKind.PAID, PaymentMethod.CARD, "-12.50", paris(2026, 12, 1, 19)),
        (EntryKind.PAID, PaymentMethod.SEPA_DEBIT, "-12.50", paris(2026, 12, 16, 4)),
        (EntryKind.REFUNDED, PaymentMethod.CARD, "12.50", paris(2026, 12, 20, 11)),
        (EntryKind.CORRECTION, "", "-5.00", paris(2026, 12, 21, 11)),
    ]:
        LedgerEntry.objects.create(
            created_at=at,
            kind=kind,
            method=method,
            amount=Decimal(amount),
            member=one.member,
            producer=producer,
            subscription=one,
        )
    clock.now = AFTER
    return point


def test_a_months_statement_counts_what_was_brought_and_what_was_received(
    december, producer, django_assert_max_num_queries
):
    with django_assert_max_num_queries(4):
        statement = producer_statement(producer, DECEMBER)

    point = december.name
    plan = "Petit panier de légumes"
    # Two households, 2 baskets at 25.00 and 1 at 12.50; the 8th skipped by the second, the
    # 15th given away (brought all the same), the 29th cancelled.
    assert [
        (line.day.day, line.pickup_point, line.plan, line.deliveries, line.baskets, line.amount)
        for line in statement.baskets
    ] == [
        (1, point, plan, 2, 3, euros("37.50")),
        (8, point, plan, 1, 2, euros("25.00")),
        (15, point, plan, 2, 3, euros("37.50")),
        (22, point, plan, 2, 3, euros("37.50")),
    ]
    assert statement.owed_for_baskets == euros("137.50")
    # The producer's lines of the orders to collect in December: the cancelled line, the
    # cancelled order, the other farm's eggs and January's order left out.
    assert [
        (line.day.day, line.items, line.collected, line.amount) for line in statement.orders
    ] == [
        (8, 4, True, euros("9.15")),
        (15, 2, False, euros("4.80")),
    ]
    assert statement.owed == euros("151.45")

    assert {line.method: line.amount for line in statement.received} == {
        PaymentMethod.CARD: euros("12.50"),
        PaymentMethod.SEPA_DEBIT: euros("12.50"),
        PaymentMethod.CHEQUE: euros("100.00"),
        PaymentMethod.CASH: euros("29.15"),
        PaymentMethod.TRANSFER: euros("30.00"),
        PaymentMethod.LOCAL_CURRENCY: euros("0.00"),
    }
    assert [line.method for line in statement.received] == [
        "card",
        "sepa_debit",
        "cheque",
        "cash",
        "transfer",
        "local_currency",
    ]
    assert (statement.by_card, statement.by_debit, statement.by_hand) == (
        euros("12.50"),
        euros("12.50"),
        euros("159.15"),
    )
    assert statement.refunds == euros("12.50")
    assert statement.received_net == euros("171.65")
    assert statement.difference == euros("-20.20")
    # November's cheque, the cash of the 10th and the order's were still with the coordinators
    # on 31 December (the order's went over on 3 January); December's cheque went on the 20th.
    assert {line.method: line.amount for line in statement.held} == {
        PaymentMethod.CHEQUE: euros("40.00"),
        PaymentMethod.CASH: euros("29.15"),
        PaymentMethod.LOCAL_CURRENCY: euros("0.00"),
    }
    assert [(line.method, line.count, line.amount) for line in statement.handed_over] == [
        (PaymentMethod.CHEQUE, 1, euros("100.00"))
    ]
    assert statement.as_of is None


def test_a_month_under_way_counts_the_distributions_begun(december, producer, clock):
    clock.now = paris(2026, 12, 15, 12)  # before the 15th's distribution at 18:00

    statement = producer_statement(producer, DECEMBER)

    assert [line.day.day for line in statement.baskets] == [1, 8]
    assert [line.day.day for line in statement.orders] == [8]
    assert statement.as_of is not None


def test_the_months_with_activity_are_listed_latest_first(december, producer):
    assert statement_months(producer, today=dt.date(2027, 1, 20)) == [
        dt.date(2027, 1, 1),
        dt.date(2026, 12, 1),
        dt.date(2026, 11, 1),
    ]


def test_the_csv_has_a_row_per_line_and_per_total(december, producer):
    from marketplace.payments.statement_files import as_csv

    with translation.override("en"):
        text = as_csv(producer_statement(producer, DECEMBER))

    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert rows[0] == ["Section", "Date", "Pickup point", "Details", "Quantity", "Amount"]
    assert rows[1] == [
        "Owed: baskets",
        "2026-12-01",
        december.name,
        "Petit panier de légumes",
        "3",
        "37.50",
    ]
    by_section = {row[0]: row[-1] for row in rows}
    assert by_section["Total owed"] == "151.45"
    assert by_section["Total received, refunds taken off"] == "171.65"
    assert by_section["Difference (owed less received)"] == "-20.20"
    owed_rows = [row for row in rows if row[0] in ("Owed: baskets", "Owed: orders")]
    assert sum(Decimal(row[-1]) for row in owed_rows) == Decimal(by_section["Total owed"])
    assert rows[5][:2] == ["Owed: orders", "2026-12-08"]
    assert "(collected)" in rows[5][3]


def test_the_pdf_is_built_once_for_the_same_figures(december, producer):
    month = DECEMBER.isoformat()

    assert build_statement_pdf(producer.pk, month, "fr") is True
    record = StatementFile.objects.get(producer=producer, month=DECEMBER)
    built_at = record.built_at
    assert bytes(record.pdf).startswith(b"%PDF")

    assert build_statement_pdf(producer.pk, month, "fr") is False
    assert StatementFile.objects.get(pk=record.pk).built_at == built_at

    LedgerEntry.objects.create(
        created_at=paris(2026, 12, 28, 12),
        kind=EntryKind.PAID,
        method=PaymentMethod.CARD,
        amount=Decimal("-1.00"),
        producer=producer,
        subscription=BasketDelivery.objects.filter(subscription__contract__plan__producer=producer)
        .first()
        .subscription,
    )
    assert build_statement_pdf(producer.pk, month, "fr") is True  # the figures changed
    assert build_statement_pdf(producer.pk, month, "en") is True  # another language


def statement_url(producer, month="2026-12", suffix="/"):
    name = {"/": "statement", ".csv": "statement-csv", ".pdf": "statement-pdf"}[suffix]
    return reverse(f"payments:{name}", kwargs={"producer_id": producer.pk, "month": month})


def test_a_producer_reads_their_statement_in_french_and_prepares_its_pdf(
    client, december, producer, producer_user, django_capture_on_commit_callbacks
):
    client.force_login(producer_user)

    with translation.override("fr"):
        page = client.get(statement_url(producer), HTTP_ACCEPT_LANGUAGE="fr")
    assert page.status_code == 200
    html = page.content.decode()
    assert "décembre 2026" in html
    assert "novembre 2026" in html and "janvier 2027" in html  # the months around it
    assert "151,45" in html and "171,65" in html and "-20,20" in html
    assert 'lang="fr"' in html
    assert reverse("payments:statements") in html  # the producer space's menu

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(statement_url(producer))
    assert response.status_code == 302
    assert StatementFile.objects.get(producer=producer).built_at is not None

    page = client.get(statement_url(producer))
    pdf_url = statement_url(producer, suffix=".pdf")
    assert pdf_url in page.content.decode()
    download = client.get(pdf_url)
    assert download["Content-Type"] == "application/pdf"
    assert download.content.startswith(b"%PDF")

    csv_file = client.get(statement_url(producer, suffix=".csv"))
    assert csv_file["Content-Type"].startswith("text/csv")
    assert "151.45" in csv_file.content.decode()


def test_a_producer_cannot_see_another_producers_statement(
    client, december, producer, other_producer
):
    other = other_producer.partner.users.get()
    client.force_login(other)

    for suffix in ("/", ".csv", ".pdf"):
        assert client.get(statement_url(producer, suffix=suffix)).status_code == 404
    assert client.post(statement_url(producer)).status_code == 404
    assert client.get(statement_url(other_producer)).status_code == 200


def test_the_treasurer_sees_every_producers_statement_and_members_none(
    client, december, producer, other_producer, treasurer, member
):
    client.force_login(treasurer)
    assert client.get(statement_url(producer)).status_code == 200
    assert client.get(statement_url(other_producer)).status_code == 200
    listing = client.get(reverse("payments:statements"))
    assert producer.name in listing.content.decode()

    client.force_login(member)
    assert client.get(statement_url(producer)).status_code == 404
    assert client.get(reverse("payments:statements")).status_code == 403

    client.logout()
    assert client.get(statement_url(producer)).status_code == 302  # to sign in


def test_a_month_to_come_or_a_month_that_is_not_one_has_no_statement(
    client, producer, producer_user
):
    client.force_login(producer_user)  # on 23 November 2026

    assert client.get(statement_url(producer, month="2026-12")).status_code == 404
    assert client.get(statement_url(producer, month="2026-13")).status_code == 404
    assert client.get(statement_url(producer, month="janvier")).status_code == 404
    page = client.get(statement_url(producer, month="2026-11"))
    assert page.status_code == 200
    assert "Aucun panier apporté ce mois-ci." in page.content.decode()
