"""A subscription's payment plan: its instalments over the season add up to the cent, are
recorded as due in the ledger, and are made once."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import translation

from baskets.models import SubscriptionState
from deliveries.models import Closure
from marketplace.payments.errors import PaymentRefused
from marketplace.payments.models import (
    ContractPaymentTerms,
    EntryKind,
    Instalment,
    LedgerEntry,
    PaymentMethod,
    PaymentPlan,
    SubscriptionPayment,
)
from marketplace.payments.services import schedule_subscription_payments, split_amount
from tests.payments.world import (
    NOW,
    SEASON_TUESDAYS,
    TODAY,
    point_on_tuesdays,
    subscription_to,
    ten_tuesdays,
)

pytestmark = [pytest.mark.django_db, pytest.mark.now(NOW)]

DEC_1 = dt.date(2026, 12, 1)


@pytest.fixture
def point(db):
    return point_on_tuesdays()


@pytest.mark.parametrize(
    ("total", "parts", "amounts"),
    [
        ("100.00", 3, ["33.34", "33.33", "33.33"]),
        ("100.00", 1, ["100.00"]),
        ("0.10", 3, ["0.04", "0.03", "0.03"]),
        ("683.76", 10, ["68.43"] + ["68.37"] * 9),
        ("156.00", 13, ["12.00"] * 13),
        ("999.99", 7, ["142.89"] + ["142.85"] * 6),
    ],
)
def test_an_amount_is_split_to_the_cent_with_the_remainder_first(total, parts, amounts):
    split = split_amount(Decimal(total), parts)

    assert split == [Decimal(amount) for amount in amounts]
    assert sum(split) == Decimal(total)


def instalments_of(payment):
    return list(payment.instalments.order_by("number").values_list("due_on", "amount"))


def test_the_whole_season_is_one_instalment_due_at_the_first_delivery(point):
    subscription = subscription_to(point, price="12.00")

    payment = schedule_subscription_payments(
        subscription, PaymentPlan.WHOLE_SEASON, PaymentMethod.CHEQUE, today=TODAY
    )

    assert payment.total == Decimal("12.00") * SEASON_TUESDAYS
    assert instalments_of(payment) == [(DEC_1, Decimal("156.00"))]


def test_three_monthly_instalments_of_an_awkward_total_add_up_to_the_cent(point):
    subscription = ten_tuesdays(point, price="10.00")

    payment = schedule_subscription_payments(
        subscription, PaymentPlan.THREE_MONTHLY, PaymentMethod.CHEQUE, today=TODAY
    )

    assert payment.total == Decimal("100.00")
    assert instalments_of(payment) == [
        (DEC_1, Decimal("33.34")),
        (dt.date(2027, 1, 1), Decimal("33.33")),
        (dt.date(2027, 2, 1), Decimal("33.33")),
    ]


def test_ten_monthly_instalments_over_a_long_season_add_up_to_the_cent(point):
    # 44 Tuesdays from 1 December 2026 to 28 September 2027, two baskets at 7.77.
    subscription = subscription_to(point, price="7.77", quantity=2, ends_on=dt.date(2027, 9, 28))

    payment = schedule_subscription_payments(
        subscription, PaymentPlan.TEN_MONTHLY, PaymentMethod.TRANSFER, today=TODAY
    )

    amounts = [amount for _due_on, amount in instalments_of(payment)]
    assert payment.total == Decimal("15.54") * 44 == Decimal("683.76")
    assert amounts == [Decimal("68.43")] + [Decimal("68.37")] * 9
    assert sum(amounts) == payment.total
    assert [due_on for due_on, _amount in instalments_of(payment)][-1] == dt.date(2027, 9, 1)


def test_paying_per_delivery_is_one_instalment_per_delivery_on_its_date(point):
    Closure.objects.create(
        pickup_point=point, start_date=dt.date(2026, 12, 21), end_date=dt.date(2027, 1, 3)
    )
    subscription = subscription_to(point, price="12.50", quantity=3)

    payment = schedule_subscription_payments(
        subscription, PaymentPlan.PER_DELIVERY, PaymentMethod.CASH, today=TODAY
    )

    rows = instalments_of(payment)
    assert len(rows) == SEASON_TUESDAYS - 2
    assert {amount for _due_on, amount in rows} == {Decimal("37.50")}
    assert rows[0][0] == DEC_1 and dt.date(2026, 12, 22) not in [due for due, _a in rows]
    assert sum(amount for _due, amount in rows) == payment.total == Decimal("412.50")


@pytest.mark.parametrize("plan", [PaymentPlan.WHOLE_SEASON, PaymentPlan.THREE_MONTHLY])
def test_each_instalment_is_due_in_the_ledger_and_they_add_up_to_the_total(point, plan):
    subscription = subscription_to(point, price="11.11")

    payment = schedule_subscription_payments(subscription, plan, PaymentMethod.CHEQUE, today=TODAY)

    entries = LedgerEntry.objects.filter(subscription=subscription)
    assert {entry.kind for entry in entries} == {EntryKind.DUE}
    assert sorted(entry.instalment_id for entry in entries) == sorted(
        payment.instalments.values_list("pk", flat=True)
    )
    assert sum(entry.amount for entry in entries) == payment.total == Decimal("144.43")
    assert {entry.producer_id for entry in entries} == {subscription.contract.plan.producer_id}
    assert {entry.member_id for entry in entries} == {subscription.member_id}


def test_scheduling_twice_changes_nothing(point):
    subscription = subscription_to(point)
    first = schedule_subscription_payments(
        subscription, PaymentPlan.THREE_MONTHLY, PaymentMethod.CHEQUE, today=TODAY
    )
    before = list(Instalment.objects.values_list("pk", "due_on", "amount", "state"))
    entries = list(LedgerEntry.objects.values_list("pk", "amount"))

    again = schedule_subscription_payments(
        subscription, PaymentPlan.THREE_MONTHLY, PaymentMethod.CHEQUE, today=TODAY
    )

    assert again.pk == first.pk
    assert SubscriptionPayment.objects.count() == 1
    assert list(Instalment.objects.values_list("pk", "due_on", "amount", "state")) == before
    assert list(LedgerEntry.objects.values_list("pk", "amount")) == entries


def test_the_method_may_change_but_not_the_plan(point):
    subscription = subscription_to(point)
    schedule_subscription_payments(
        subscription, PaymentPlan.THREE_MONTHLY, PaymentMethod.CHEQUE, today=TODAY
    )

    payment = schedule_subscription_payments(
        subscription, PaymentPlan.THREE_MONTHLY, PaymentMethod.TRANSFER, today=TODAY
    )
    assert payment.method == PaymentMethod.TRANSFER and payment.instalments.count() == 3

    with translation.override("en"), pytest.raises(PaymentRefused, match="cannot change"):
        schedule_subscription_payments(
            subscription, PaymentPlan.PER_DELIVERY, PaymentMethod.TRANSFER, today=TODAY
        )
    assert Instalment.objects.count() == 3


def test_a_plan_the_season_is_too_short_for_is_refused(point):
    subscription = subscription_to(point)  # 1 December to 23 February

    with translation.override("en"), pytest.raises(PaymentRefused, match="too short"):
        schedule_subscription_payments(
            subscription, PaymentPlan.TEN_MONTHLY, PaymentMethod.CHEQUE, today=TODAY
        )
    assert not SubscriptionPayment.objects.exists() and not LedgerEntry.objects.exists()


def test_only_the_plans_and_methods_of_the_contract_are_taken(point):
    subscription = subscription_to(point)
    ContractPaymentTerms.objects.create(
        contract=subscription.contract,
        plans=[PaymentPlan.WHOLE_SEASON],
        methods=[PaymentMethod.CHEQUE],
    )

    with translation.override("en"):
        with pytest.raises(PaymentRefused, match="does not offer this payment plan"):
            schedule_subscription_payments(
                subscription, PaymentPlan.PER_DELIVERY, PaymentMethod.CHEQUE, today=TODAY
            )
        with pytest.raises(PaymentRefused, match="does not accept this payment method"):
            schedule_subscription_payments(
                subscription, PaymentPlan.WHOLE_SEASON, PaymentMethod.CASH, today=TODAY
            )
    assert not SubscriptionPayment.objects.exists()


def test_card_and_debit_are_refused_without_stripe_keys(point, settings):
    settings.STRIPE_SECRET_KEY = ""
    subscription = subscription_to(point)
    ContractPaymentTerms.objects.create(
        contract=subscription.contract, methods=[PaymentMethod.CARD, PaymentMethod.CHEQUE]
    )

    with translation.override("en"), pytest.raises(PaymentRefused, match="not available"):
        schedule_subscription_payments(
            subscription, PaymentPlan.WHOLE_SEASON, PaymentMethod.CARD, today=TODAY
        )


def test_a_member_on_the_waiting_list_has_no_plan_yet(point):
    subscription = subscription_to(point)
    subscription.state = SubscriptionState.WAITING
    subscription.save(update_fields=["state"])

    with translation.override("en"), pytest.raises(PaymentRefused, match="has its place"):
        schedule_subscription_payments(
            subscription, PaymentPlan.WHOLE_SEASON, PaymentMethod.CHEQUE, today=TODAY
        )


def test_a_member_joining_mid_season_pays_for_the_deliveries_left(point, clock):
    subscription = subscription_to(point, price="10.00")
    subscription.first_delivery_on = dt.date(2027, 1, 5)
    subscription.save(update_fields=["first_delivery_on"])

    payment = schedule_subscription_payments(
        subscription, PaymentPlan.WHOLE_SEASON, PaymentMethod.CASH, today=TODAY
    )

    # 5 January to 23 February: 8 Tuesdays.
    assert payment.total == Decimal("80.00")
    assert instalments_of(payment) == [(dt.date(2027, 1, 5), Decimal("80.00"))]
