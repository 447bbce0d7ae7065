"""Coordinators record cheques, cash, transfers and local currency; the treasurer hands cheques
and cash over to the producers."""

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from marketplace.payments.errors import PaymentRefused
from marketplace.payments.models import (
    ContractPaymentTerms,
    EntryKind,
    InstalmentState,
    LedgerEntry,
    LocalCurrency,
    ManualPayment,
    PaymentMethod,
    PaymentPlan,
)
from marketplace.payments.selectors import (
    cheques_by_producer_and_month,
    held_payments_by_producer_and_month,
    subscription_account,
)
from marketplace.payments.services import (
    PaymentDetails,
    hand_over,
    record_manual_payment,
    schedule_subscription_payments,
)
from tests.factories import CollectiveFactory, UserFactory
from tests.payments.world import NOW, TODAY, point_on_tuesdays, subscription_to, ten_tuesdays

pytestmark = [pytest.mark.django_db, pytest.mark.now(NOW)]


@pytest.fixture
def point(db):
    return point_on_tuesdays()


@pytest.fixture
def coordinator(db):
    return UserFactory(first_name="Claire", last_name="Référente")


@pytest.fixture
def treasurer(db):
    return UserFactory(first_name="Tom", last_name="Trésorier", is_staff=True)


def scheduled(point, plan=PaymentPlan.THREE_MONTHLY, **kwargs):
    subscription = ten_tuesdays(point, price="10.00", **kwargs)  # 100.00 in all
    schedule_subscription_payments(subscription, plan, PaymentMethod.CHEQUE, today=TODAY)
    return subscription


def instalment_states(subscription):
    return list(
        subscription.payment.instalments.order_by("number").values_list(
            "amount", "paid_amount", "state"
        )
    )


def test_a_cheque_pays_its_instalment_and_is_handed_over_to_the_producer(
    point, coordinator, treasurer, clock
):
    subscription = scheduled(point)
    first = subscription.payment.instalments.get(number=1)

    cheque = record_manual_payment(
        PaymentDetails(
            method=PaymentMethod.CHEQUE,
            amount="33.34",
            cheque_number="0001234",
            bank="Crédit Coopératif",
            cash_on=dt.date(2026, 12, 5),
        ),
        instalment=first,
        recorded_by=coordinator,
    )

    assert instalment_states(subscription) == [
        (Decimal("33.34"), Decimal("33.34"), InstalmentState.PAID),
        (Decimal("33.33"), Decimal("0.00"), InstalmentState.DUE),
        (Decimal("33.33"), Decimal("0.00"), InstalmentState.DUE),
    ]
    paid = LedgerEntry.objects.get(kind=EntryKind.PAID)
    assert (paid.amount, paid.method, paid.instalment_id, paid.manual_payment_id) == (
        Decimal("-33.34"),
        PaymentMethod.CHEQUE,
        first.pk,
        cheque.pk,
    )
    assert paid.reference == "0001234 Crédit Coopératif" and paid.recorded_by == coordinator
    assert subscription_account(subscription).outstanding == Decimal("66.66")
    [held] = cheques_by_producer_and_month()
    assert (held.producer, held.month, held.payments, held.total) == (
        subscription.contract.plan.producer,
        dt.date(2026, 12, 1),
        [cheque],
        Decimal("33.34"),
    )

    clock.now = NOW + dt.timedelta(days=10)
    handed = hand_over([cheque.pk], by=treasurer)

    cheque.refresh_from_db()
    assert handed == [cheque]
    assert cheque.handed_over_at == clock.now and cheque.handed_over_by == treasurer
    handover = LedgerEntry.objects.get(kind=EntryKind.HANDED_OVER)
    assert (handover.amount, handover.manual_payment, handover.producer_id) == (
        Decimal("33.34"),
        cheque,
        subscription.contract.plan.producer_id,
    )
    assert handover.member == subscription.member
    # Handing over moves money between hands: the member owes what they owed.
    assert subscription_account(subscription).outstanding == Decimal("66.66")
    assert cheques_by_producer_and_month() == []
    assert [group.payments for group in cheques_by_producer_and_month(handed_over=True)] == [
        [cheque]
    ]

    assert hand_over([cheque.pk], by=treasurer) == []  # a second click
    assert LedgerEntry.objects.filter(kind=EntryKind.HANDED_OVER).count() == 1


def test_cheques_are_listed_per_producer_and_month_to_cash(point, coordinator):
    march = scheduled(point)
    other = scheduled(point_on_tuesdays())
    for subscription, number, cash_on in [
        (march, "1", dt.date(2027, 1, 10)),
        (march, "2", dt.date(2026, 12, 10)),
        (other, "3", dt.date(2026, 12, 31)),
    ]:
        record_manual_payment(
            PaymentDetails(
                method=PaymentMethod.CHEQUE, amount="10.00", cheque_number=number, cash_on=cash_on
            ),
            subscription=subscription,
            recorded_by=coordinator,
        )

    groups = cheques_by_producer_and_month()

    assert [
        (group.month, group.producer, [p.cheque_number for p in group.payments]) for group in groups
    ] == sorted(
        [
            (dt.date(2026, 12, 1), march.contract.plan.producer, ["2"]),
            (dt.date(2026, 12, 1), other.contract.plan.producer, ["3"]),
            (dt.date(2027, 1, 1), march.contract.plan.producer, ["1"]),
        ],
        key=lambda row: (row[0], row[1].name),
    )


def test_a_payment_against_the_subscription_settles_instalments_in_order(point, coordinator):
    subscription = scheduled(point)

    record_manual_payment(
        PaymentDetails(method=PaymentMethod.TRANSFER, amount="50.00"),
        subscription=subscription,
        recorded_by=coordinator,
    )

    assert instalment_states(subscription) == [
        (Decimal("33.34"), Decimal("33.34"), InstalmentState.PAID),
        (Decimal("33.33"), Decimal("16.66"), InstalmentState.DUE),
        (Decimal("33.33"), Decimal("0.00"), InstalmentState.DUE),
    ]
    assert sorted(
        LedgerEntry.objects.filter(kind=EntryKind.PAID).values_list("amount", flat=True)
    ) == [Decimal("-33.34"), Decimal("-16.66")]


def test_an_instalment_paid_partly_in_cash_then_in_full(point, coordinator):
    subscription = scheduled(point, plan=PaymentPlan.WHOLE_SEASON)
    season = subscription.payment.instalments.get()

    record_manual_payment(
        PaymentDetails(method=PaymentMethod.CASH, amount="40"),
        instalment=season,
        recorded_by=coordinator,
    )
    season.refresh_from_db()
    assert (season.paid_amount, season.state, season.outstanding) == (
        Decimal("40.00"),
        InstalmentState.DUE,
        Decimal("60.00"),
    )
    assert subscription_account(subscription).outstanding == Decimal("60.00")

    record_manual_payment(
        PaymentDetails(method=PaymentMethod.CASH, amount="60,00"),
        instalment=season,
        recorded_by=coordinator,
    )
    season.refresh_from_db()
    assert (season.paid_amount, season.state, season.paid_at) == (
        Decimal("100.00"),
        InstalmentState.PAID,
        NOW,
    )
    account = subscription_account(subscription)
    assert (account.due, account.paid, account.outstanding) == (
        Decimal("100.00"),
        Decimal("100.00"),
        Decimal("0.00"),
    )
    cash = held_payments_by_producer_and_month(methods=(PaymentMethod.CASH,))
    assert [group.total for group in cash] == [Decimal("100.00")]


def test_a_local_currency_payment_names_the_amaps_currency(point, coordinator):
    subscription = scheduled(point, plan=PaymentPlan.WHOLE_SEASON)
    galleco = LocalCurrency.objects.create(collective=point.collective, name="Galléco")
    eusko = LocalCurrency.objects.create(collective=CollectiveFactory(), name="Eusko")

    with translation.override("en"), pytest.raises(PaymentRefused, match="local currency"):
        record_manual_payment(
            PaymentDetails(method=PaymentMethod.LOCAL_CURRENCY, amount="20", local_currency=eusko),
            subscription=subscription,
            recorded_by=coordinator,
        )
    payment = record_manual_payment(
        PaymentDetails(method=PaymentMethod.LOCAL_CURRENCY, amount="20", local_currency=galleco),
        subscription=subscription,
        recorded_by=coordinator,
    )

    assert payment.local_currency == galleco
    entry = LedgerEntry.objects.get(kind=EntryKind.PAID)
    assert (entry.method, entry.reference, entry.amount) == (
        PaymentMethod.LOCAL_CURRENCY,
        "Galléco",
        Decimal("-20.00"),
    )
    assert subscription_account(subscription).outstanding == Decimal("80.00")


@pytest.mark.parametrize(
    ("details", "message"),
    [
        (PaymentDetails(method=PaymentMethod.CASH, amount="100.01"), "more than what is still due"),
        (PaymentDetails(method=PaymentMethod.CASH, amount="0"), "above zero"),
        (PaymentDetails(method=PaymentMethod.CASH, amount="-5"), "above zero"),
        (PaymentDetails(method=PaymentMethod.CASH, amount="12.345"), "to the cent"),
        (PaymentDetails(method=PaymentMethod.CASH, amount="douze"), "amount in euros"),
        (PaymentDetails(method=PaymentMethod.CHEQUE, amount="10"), "cheque's number"),
        (PaymentDetails(method=PaymentMethod.CARD, amount="10"), "Choose cheque, cash"),
        (PaymentDetails(method=PaymentMethod.LOCAL_CURRENCY, amount="10"), "local currency"),
    ],
)
def test_bad_payments_are_refused_and_nothing_is_written(point, coordinator, details, message):
    subscription = scheduled(point, plan=PaymentPlan.WHOLE_SEASON)
    entries = LedgerEntry.objects.count()

    with translation.override("en"), pytest.raises(PaymentRefused, match=message):
        record_manual_payment(details, subscription=subscription, recorded_by=coordinator)

    assert not ManualPayment.objects.exists()
    assert LedgerEntry.objects.count() == entries


def test_the_amount_in_a_refusal_is_written_the_french_way(point, coordinator):
    subscription = scheduled(point, plan=PaymentPlan.WHOLE_SEASON)

    with translation.override("fr"), pytest.raises(PaymentRefused) as refused:
        record_manual_payment(
            PaymentDetails(method=PaymentMethod.CASH, amount="150"),
            subscription=subscription,
            recorded_by=coordinator,
        )

    assert "100,00" in str(refused.value)


def test_a_paid_instalment_takes_no_more_money(point, coordinator):
    subscription = scheduled(point)
    first = subscription.payment.instalments.get(number=1)
    details = PaymentDetails(method=PaymentMethod.CASH, amount="33.34")
    record_manual_payment(details, instalment=first, recorded_by=coordinator)

    with translation.override("en"), pytest.raises(PaymentRefused, match="Nothing is left"):
        record_manual_payment(details, instalment=first, recorded_by=coordinator)


def test_a_method_the_contract_does_not_accept_is_refused(point, coordinator):
    subscription = scheduled(point)
    ContractPaymentTerms.objects.create(
        contract=subscription.contract, methods=[PaymentMethod.CHEQUE]
    )

    with translation.override("en"), pytest.raises(PaymentRefused, match="does not accept"):
        record_manual_payment(
            PaymentDetails(method=PaymentMethod.CASH, amount="10"),
            subscription=subscription,
            recorded_by=coordinator,
        )


def test_a_subscription_without_a_plan_is_paid_once_its_plan_is_chosen(point, coordinator):
    subscription = subscription_to(point)

    with translation.override("en"), pytest.raises(PaymentRefused, match="payment plan"):
        record_manual_payment(
            PaymentDetails(method=PaymentMethod.CASH, amount="10"),
            subscription=subscription,
            recorded_by=coordinator,
        )


def test_bank_transfers_are_not_handed_over(point, coordinator, treasurer):
    subscription = scheduled(point)
    transfer = record_manual_payment(
        PaymentDetails(method=PaymentMethod.TRANSFER, amount="10"),
        subscription=subscription,
        recorded_by=coordinator,
    )

    with translation.override("en"), pytest.raises(PaymentRefused, match="directly"):
        hand_over([transfer.pk], by=treasurer)
    transfer.refresh_from_db()
    assert transfer.handed_over_at is None


def test_cheques_are_handed_over_in_bulk(point, coordinator, treasurer):
    subscription = scheduled(point, plan=PaymentPlan.PER_DELIVERY)
    cheques = [
        record_manual_payment(
            PaymentDetails(method=PaymentMethod.CHEQUE, amount="10.00", cheque_number=str(n)),
            subscription=subscription,
            recorded_by=coordinator,
        )
        for n in range(1, 6)
    ]

    handed = hand_over([cheque.pk for cheque in cheques], by=treasurer)

    assert len(handed) == 5
    assert not ManualPayment.objects.filter(handed_over_at__isnull=True).exists()
    assert sum(
        LedgerEntry.objects.filter(kind=EntryKind.HANDED_OVER).values_list("amount", flat=True)
    ) == Decimal("50.00")


def test_the_members_download_lists_what_they_owed_and_paid(point, coordinator, client):
    subscription = scheduled(point)
    record_manual_payment(
        PaymentDetails(method=PaymentMethod.CASH, amount="20.00"),
        recorded_by=coordinator,
        subscription=subscription,
    )
    client.force_login(subscription.member)

    data = json.loads(
        client.get(reverse("member_data:download", kwargs={"format": "json"})).content
    )

    owed = [entry for entry in data["payments"] if entry["kind"] == "due"]
    paid = [entry for entry in data["payments"] if entry["kind"] == "paid"]
    assert [entry["amount"] for entry in owed] == ["33.34", "33.33", "33.33"]
    assert [(entry["amount"], entry["method"]) for entry in paid] == [("-20.00", "cash")]
    assert {entry["producer"] for entry in data["payments"]} == {
        subscription.contract.plan.producer.name
    }
