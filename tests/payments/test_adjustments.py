"""A subscription pays for the deliveries its season actually has: a day cancelled or a
commitment ended early takes its share off what is due, once, however often the nightly run
goes; what was paid beyond shows as money to give back."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from baskets.services import end_commitment
from deliveries.models import DistributionDay
from deliveries.network.models import Closure, DayState
from deliveries.network.services import cancel_distribution_day, materialise_distribution_days
from marketplace.payments.errors import PaymentRefused
from marketplace.payments.models import (
    Charge,
    EntryKind,
    InstalmentState,
    LedgerEntry,
    PaymentMethod,
    PaymentPlan,
)
from marketplace.payments.selectors import subscription_account
from marketplace.payments.services import (
    PaymentDetails,
    record_manual_payment,
    schedule_subscription_payments,
)
from marketplace.payments.services.adjustments import adjust_all_dues, adjust_subscription_dues
from marketplace.payments.services.refunds import record_manual_refund
from marketplace.payments.tasks import adjust_dues
from tests.factories import UserFactory
from tests.payments.world import NOW, TODAY, point_on_tuesdays, ten_tuesdays

pytestmark = [pytest.mark.django_db, pytest.mark.now(NOW)]


@pytest.fixture
def staff(db):
    return UserFactory(is_staff=True)


def scheduled(plan, method=PaymentMethod.CHEQUE):
    subscription = ten_tuesdays(point_on_tuesdays(), price="10.00")  # 100.00 in all
    schedule_subscription_payments(subscription, plan, method, today=TODAY)
    return subscription


def day_on(subscription, date: dt.date) -> DistributionDay:
    return DistributionDay.objects.get(pickup_point=subscription.pickup_point, date=date)


def cancel(subscription, date: dt.date, staff) -> None:
    cancel_distribution_day(staff, day_on(subscription, date).pk, "Grève des transports")


def schedule_of(subscription):
    return list(subscription.payment.instalments.order_by("number").values_list("amount", "state"))


def dues(subscription) -> Decimal:
    return sum(
        LedgerEntry.objects.filter(
            subscription=subscription, kind__in=[EntryKind.DUE, EntryKind.CORRECTION]
        ).values_list("amount", flat=True)
    )


def test_a_cancelled_day_takes_its_share_off_the_last_instalment_once(staff):
    subscription = scheduled(PaymentPlan.THREE_MONTHLY)
    cancel(subscription, dt.date(2026, 12, 15), staff)

    with translation.override("fr"):
        correction = adjust_subscription_dues(subscription.payment.pk)
    again = adjust_subscription_dues(subscription.payment.pk)

    assert correction.kind == EntryKind.CORRECTION and correction.amount == Decimal("-10.00")
    assert correction.reference == "9 livraisons sur 10"
    assert again is None
    assert dues(subscription) == Decimal("90.00")
    assert schedule_of(subscription) == [
        (Decimal("33.34"), InstalmentState.DUE),
        (Decimal("33.33"), InstalmentState.DUE),
        (Decimal("23.33"), InstalmentState.DUE),
    ]


def test_an_instalment_whose_charge_is_with_the_bank_keeps_its_amount(staff):
    subscription = scheduled(PaymentPlan.THREE_MONTHLY)
    last = subscription.payment.instalments.get(number=3)
    Charge.objects.create(
        instalment=last,
        attempt=1,
        amount=last.amount,
        method_type=PaymentMethod.CARD,
        idempotency_key=Charge.key_for(last.pk, 1),
        customer_id="cus_1",
        payment_method_id="pm_1",
        producer_account="acct_1",
        created_at=NOW,
    )
    cancel(subscription, dt.date(2026, 12, 15), staff)

    adjust_subscription_dues(subscription.payment.pk)

    assert schedule_of(subscription) == [
        (Decimal("33.34"), InstalmentState.DUE),
        (Decimal("23.33"), InstalmentState.DUE),
        (Decimal("33.33"), InstalmentState.DUE),
    ]


def test_per_delivery_the_cancelled_days_own_instalment_is_cancelled(staff):
    subscription = scheduled(PaymentPlan.PER_DELIVERY, PaymentMethod.CASH)
    cancel(subscription, dt.date(2026, 12, 15), staff)

    adjust_subscription_dues(subscription.payment.pk)

    cancelled = subscription.payment.instalments.get(state=InstalmentState.CANCELLED)
    assert cancelled.due_on == dt.date(2026, 12, 15) and cancelled.amount == 0
    assert subscription.payment.instalments.filter(state=InstalmentState.DUE).count() == 9


def test_a_season_paid_whole_then_ended_early_shows_what_to_give_back(staff, clock):
    # Four Tuesdays delivered (1–22 December), then the household moves away.
    subscription = ended_early_after_paying_all(staff, clock)

    account = subscription_account(subscription)
    assert LedgerEntry.objects.get(kind=EntryKind.CORRECTION).amount == Decimal("-60.00")
    assert (account.due, account.paid, account.outstanding) == (
        Decimal("40.00"),
        Decimal("100.00"),
        Decimal("-60.00"),
    )
    assert schedule_of(subscription) == [(Decimal("100.00"), InstalmentState.PAID)]


def test_a_day_brought_back_is_due_again(staff):
    subscription = scheduled(PaymentPlan.THREE_MONTHLY)
    cancel(subscription, dt.date(2026, 12, 15), staff)
    adjust_subscription_dues(subscription.payment.pk)
    # The closure the cancellation made is lifted: the calendar brings the day back.
    Closure.objects.filter(pickup_point=subscription.pickup_point).delete()
    materialise_distribution_days(pickup_point_ids=[subscription.pickup_point_id])
    assert day_on(subscription, dt.date(2026, 12, 15)).state == DayState.OPEN

    correction = adjust_subscription_dues(subscription.payment.pk)

    assert correction.amount == Decimal("10.00")
    assert dues(subscription) == Decimal("100.00")
    assert schedule_of(subscription)[-1] == (Decimal("33.33"), InstalmentState.DUE)


def test_the_nightly_run_adjusts_each_subscription_once(staff):
    first = scheduled(PaymentPlan.THREE_MONTHLY)
    second = scheduled(PaymentPlan.WHOLE_SEASON)
    cancel(first, dt.date(2026, 12, 15), staff)

    assert adjust_dues.apply().get() == 1
    run = adjust_all_dues()

    assert (run.looked_at, run.adjusted) == (2, 0)
    assert dues(first) == Decimal("90.00") and dues(second) == Decimal("100.00")


def ended_early_after_paying_all(staff, clock):
    """Paid 100.00 for the season by cheque, then ended after four deliveries: 60.00 back."""
    subscription = scheduled(PaymentPlan.WHOLE_SEASON)
    record_manual_payment(
        PaymentDetails(method=PaymentMethod.CHEQUE, amount="100.00", cheque_number="77"),
        recorded_by=staff,
        subscription=subscription,
    )
    clock.now = dt.datetime(2026, 12, 23, 10, 0, tzinfo=NOW.tzinfo)
    end_commitment(staff, subscription.pk)
    adjust_subscription_dues(subscription.payment.pk)
    return subscription


def test_the_coordinator_records_the_money_given_back(staff, clock):
    subscription = ended_early_after_paying_all(staff, clock)

    with pytest.raises(PaymentRefused):
        record_manual_refund(subscription, method="cash", amount="60.01", recorded_by=staff)
    record_manual_refund(subscription, method="cash", amount="60.00", recorded_by=staff)
    with pytest.raises(PaymentRefused):
        record_manual_refund(subscription, method="cash", amount="0.01", recorded_by=staff)

    account = subscription_account(subscription)
    assert (account.refunded, account.outstanding) == (Decimal("60.00"), Decimal("0.00"))


def test_the_coordinators_page_offers_to_record_it(client, staff, clock):
    subscription = ended_early_after_paying_all(staff, clock)
    client.force_login(staff)
    page_url = reverse("payments:record-subscription", kwargs={"pk": subscription.pk})
    refund_url = reverse("payments:record-refund", kwargs={"pk": subscription.pk})

    with translation.override("fr"):
        page = client.get(page_url).content.decode()
        too_much = client.post(refund_url, {"refund_method": "cash", "refund_amount": "70,00"})
        done = client.post(
            refund_url, {"refund_method": "transfer", "refund_amount": "60,00"}, follow=True
        )

    assert "À rendre à l’adhérent·e : 60,00" in page and 'value="60,00"' in page
    assert "-60,00" not in page and "−60,00" not in page
    assert too_much.status_code == 400
    assert "plus que ce qu’il y a à rendre (60,00 €)" in too_much.content.decode()
    assert 'value="70,00"' in too_much.content.decode()  # what was typed is kept
    assert "60,00 € rendus (virement)" in done.content.decode()
    assert subscription_account(subscription).outstanding == 0


def test_nobody_else_records_a_refund(client, staff, clock):
    subscription = ended_early_after_paying_all(staff, clock)
    client.force_login(subscription.member)

    response = client.post(
        reverse("payments:record-refund", kwargs={"pk": subscription.pk}),
        {"refund_method": "cash", "refund_amount": "60,00"},
    )

    assert response.status_code == 404
    assert not LedgerEntry.objects.filter(kind=EntryKind.REFUNDED).exists()
