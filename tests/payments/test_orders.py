"""An à la carte order owes each of its producers their part, from the moment it is placed;
a line or an order cancelled is no longer due."""

from decimal import Decimal

import pytest
from django.utils import translation
from oscar.core.loading import get_model

from deliveries.network.services import cancel_order_before_cutoff
from marketplace.checkout.services import place_order_for_day
from marketplace.payments.errors import PaymentRefused
from marketplace.payments.models import EntryKind, LedgerEntry, PaymentMethod
from marketplace.payments.selectors import order_account
from marketplace.payments.services import (
    PaymentDetails,
    record_manual_payment,
    record_order_due,
    take_back_cancelled_line,
)
from marketplace.shop_setup import ensure_shop_basics
from tests.factories import UserFactory, product_for

pytestmark = pytest.mark.django_db

Line = get_model("order", "Line")


@pytest.fixture(autouse=True)
def shop(db):
    ensure_shop_basics()


@pytest.fixture
def two_producer_order(open_day, producer, other_producer, member):
    carrots = product_for(producer, title="Carottes", price="2.40", stock=20)
    eggs = product_for(other_producer, title="Œufs", price="3.10", stock=20)
    squash = product_for(producer, title="Courge", price="1.95", stock=20)
    return place_order_for_day(member, [(carrots, 3), (eggs, 2), (squash, 1)], open_day.pk)


def due_by_producer(order):
    return dict(
        LedgerEntry.objects.filter(order=order, kind=EntryKind.DUE).values_list(
            "producer__name", "amount"
        )
    )


def line_total(order, producer):
    return sum(line.line_price_incl_tax for line in order.lines.filter(partner=producer.partner))


def test_an_order_placed_is_due_to_each_of_its_producers(
    two_producer_order, producer, other_producer, member
):
    order = two_producer_order

    assert due_by_producer(order) == {
        producer.name: line_total(order, producer),
        other_producer.name: line_total(order, other_producer),
    }
    assert line_total(order, producer) == Decimal("3") * Decimal("2.40") + Decimal("1.95")
    assert sum(due_by_producer(order).values()) == order.total_incl_tax
    assert {entry.member for entry in LedgerEntry.objects.filter(order=order)} == {member}
    assert order_account(order).outstanding == order.total_incl_tax


def test_recording_an_orders_due_again_changes_nothing(two_producer_order):
    before = list(LedgerEntry.objects.values_list("pk", "amount"))

    record_order_due(two_producer_order)

    assert list(LedgerEntry.objects.values_list("pk", "amount")) == before


def test_a_cancelled_line_is_no_longer_due_to_its_producer(
    two_producer_order, producer, other_producer
):
    order = two_producer_order
    squash = order.lines.get(title="Courge")

    squash.set_status("cancelled")
    take_back_cancelled_line(squash)  # told twice: taken back once

    assert order_account(order, producer).outstanding == Decimal("7.20")
    assert order_account(order, other_producer).outstanding == Decimal("6.20")
    assert (
        LedgerEntry.objects.filter(kind=EntryKind.CORRECTION).values_list("amount", flat=True)
    ).get() == Decimal("-1.95")


def test_an_order_cancelled_before_its_cut_off_owes_nothing(two_producer_order, member):
    order = two_producer_order

    cancel_order_before_cutoff(member, order.number)

    assert order_account(order).outstanding == Decimal("0.00")
    assert order_account(order).due == Decimal("0.00")


def test_a_payment_at_pickup_is_recorded_for_one_producer_of_the_order(
    two_producer_order, producer, other_producer
):
    order = two_producer_order
    coordinator = UserFactory()

    with translation.override("en"), pytest.raises(PaymentRefused, match="which producer"):
        record_manual_payment(
            PaymentDetails(method=PaymentMethod.CASH, amount="5"),
            order=order,
            recorded_by=coordinator,
        )
    with translation.override("en"), pytest.raises(PaymentRefused, match="more than"):
        record_manual_payment(
            PaymentDetails(method=PaymentMethod.CASH, amount="6.21"),
            order=order,
            producer=other_producer,
            recorded_by=coordinator,
        )
    payment = record_manual_payment(
        PaymentDetails(method=PaymentMethod.CASH, amount="6.20"),
        order=order,
        producer=other_producer,
        recorded_by=coordinator,
    )

    assert (payment.order, payment.producer, payment.payer) == (order, other_producer, order.user)
    assert order_account(order, other_producer).outstanding == Decimal("0.00")
    assert order_account(order, producer).outstanding == Decimal("9.15")
