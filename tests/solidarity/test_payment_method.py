"""The solidarity fund pays producers the part of the reference price a reduced-tier member does
not pay: a payment method of the ledger, never one offered to members or coordinators; the
producer's statement shows it as received from the fund."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from marketplace.payments.models import (
    MANUAL_METHODS,
    ONLINE_METHODS,
    ContractPaymentTerms,
    EntryKind,
    LedgerEntry,
    PaymentMethod,
)
from marketplace.payments.selectors import offered_methods, producer_statement
from tests.payments.world import NOW, point_on_tuesdays, subscription_to

pytestmark = [pytest.mark.django_db, pytest.mark.now(NOW)]

DECEMBER = dt.date(2026, 12, 1)


@pytest.fixture
def subscription(db):
    return subscription_to(point_on_tuesdays())


def test_the_fund_is_never_a_way_for_a_member_to_pay(subscription):
    terms = ContractPaymentTerms(
        contract=subscription.contract, methods=["cheque", PaymentMethod.SOLIDARITY.value]
    )

    assert PaymentMethod.SOLIDARITY not in (*MANUAL_METHODS, *ONLINE_METHODS)
    assert not terms.accepts(PaymentMethod.SOLIDARITY)
    assert offered_methods(terms, online=True) == [PaymentMethod.CHEQUE]
    with pytest.raises(ValidationError) as caught:
        terms.clean()
    assert "methods" in caught.value.message_dict


def test_the_producers_statement_shows_what_the_fund_paid(subscription):
    producer = subscription.contract.plan.producer
    paid_on = dt.datetime(2026, 12, 1, 19, tzinfo=NOW.tzinfo)
    for method, amount in ((PaymentMethod.CASH, "-8.40"), (PaymentMethod.SOLIDARITY, "-3.60")):
        LedgerEntry.objects.create(
            created_at=paid_on,
            kind=EntryKind.PAID,
            amount=Decimal(amount),
            method=method,
            member=subscription.member,
            producer=producer,
            subscription=subscription,
        )

    statement = producer_statement(
        producer, DECEMBER, now=dt.datetime(2027, 1, 5, tzinfo=NOW.tzinfo)
    )

    line = statement.received[-1]
    assert (line.method, line.count, line.amount) == ("solidarity", 1, Decimal("3.60"))
    assert line.label == PaymentMethod.SOLIDARITY.label
    assert statement.from_solidarity_fund == Decimal("3.60")
    assert statement.by_hand == Decimal("8.40")
    assert statement.paid == Decimal("12.00")


def test_a_statement_without_the_fund_has_no_line_for_it(subscription):
    producer = subscription.contract.plan.producer

    statement = producer_statement(
        producer, DECEMBER, now=dt.datetime(2027, 1, 5, tzinfo=NOW.tzinfo)
    )

    assert PaymentMethod.SOLIDARITY not in [line.method for line in statement.received]
