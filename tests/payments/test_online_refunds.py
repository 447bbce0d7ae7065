"""Money paid by card or SEPA debit beyond a subscription's dues goes back through Stripe, against
localstripe: after a closure, an early end or baskets not brought, once however often the runs
go, from the newest charges first; what was paid by hand stays to give back by hand."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from baskets.models import ContractPickupPoint
from baskets.services import end_commitment, generate_basket_deliveries
from deliveries.network.models import Closure
from deliveries.network.services import materialise_distribution_days
from marketplace.celery import app as celery_app
from marketplace.payments import gateway
from marketplace.payments.models import (
    Charge,
    ChargeRefund,
    ChargeRefundState,
    EntryKind,
    InstalmentState,
    LedgerEntry,
    PaymentMethod,
    PaymentPlan,
)
from marketplace.payments.selectors import subscription_account
from marketplace.payments.selectors.refunds import refund_split
from marketplace.payments.services import (
    PaymentDetails,
    record_manual_payment,
    schedule_subscription_payments,
)
from marketplace.payments.services.adjustments import adjust_subscription_dues
from marketplace.payments.services.charges import charge_due_instalments
from marketplace.payments.services.online_refunds import (
    refund_online_payments,
    split_over_charges,
)
from marketplace.payments.tasks import adjust_dues, resume_pending_refunds
from tests.factories import UserFactory
from tests.payments.online import DEC_1, morning_of, online_subscription
from tests.payments.world import NOW, TODAY, ten_tuesdays

pytestmark = [pytest.mark.django_db, pytest.mark.now(NOW)]

JAN_1 = dt.date(2027, 1, 1)


@pytest.fixture
def staff(db):
    return UserFactory(is_staff=True)


def refunds_sent(localstripe):
    return localstripe.sent("POST", "/v1/refunds")


def refunded_entries(subscription):
    return list(LedgerEntry.objects.filter(subscription=subscription, kind=EntryKind.REFUNDED))


def nightly_run(django_capture_on_commit_callbacks):
    """The nightly adjustment, as the worker runs it (tasks queued after its commits too)."""
    with django_capture_on_commit_callbacks(execute=True):
        adjust_dues.delay()


def paid_whole_season_by_card(localstripe, point, clock):
    """100.00 taken from the member's card on 1 December."""
    subscription = online_subscription(localstripe, point, plan=PaymentPlan.WHOLE_SEASON)
    clock.now = morning_of(DEC_1)
    assert charge_due_instalments().charged == 1
    return subscription


def test_a_closure_after_two_instalments_paid_by_card_refunds_the_card_once(
    localstripe, point, clock, django_capture_on_commit_callbacks
):
    subscription = online_subscription(localstripe, point)  # 33.34, 33.33, 33.33
    clock.now = morning_of(DEC_1)
    charge_due_instalments()
    clock.now = morning_of(JAN_1)
    charge_due_instalments()
    january_charge = Charge.objects.get(instalment__number=2)
    # The point closes for January's four Tuesdays: 6 deliveries of 10, 60.00 due, 66.67 paid.
    clock.now = dt.datetime(2027, 1, 2, 10, 0, tzinfo=NOW.tzinfo)
    Closure.objects.create(
        pickup_point=point,
        start_date=dt.date(2027, 1, 5),
        end_date=dt.date(2027, 1, 26),
        reason="Congés",
    )
    materialise_distribution_days(pickup_point_ids=[point.pk])

    nightly_run(django_capture_on_commit_callbacks)
    nightly_run(django_capture_on_commit_callbacks)

    (sent,) = refunds_sent(localstripe)
    assert sent.params["payment_intent"] == january_charge.payment_intent_id
    assert sent.params["amount"] == "667"
    assert sent.params["reverse_transfer"] == "true"
    assert sent.params["refund_application_fee"] == "true"
    assert sent.idempotency_key == f"refund-charge-{january_charge.pk}-1"
    stripe_charge = gateway.retrieve_payment(january_charge.payment_intent_id).charge_id
    assert localstripe.client.v1.charges.retrieve(stripe_charge).amount_refunded == 667
    (entry,) = refunded_entries(subscription)
    refund = ChargeRefund.objects.get()
    assert (entry.amount, entry.method) == (Decimal("6.67"), PaymentMethod.CARD)
    assert entry.reference == refund.refund_id != ""
    assert refund.state == ChargeRefundState.REFUNDED
    assert subscription.payment.instalments.get(number=3).state == InstalmentState.CANCELLED
    assert subscription_account(subscription).outstanding == 0


def test_the_refund_follows_the_adjustments_commit(
    localstripe, point, clock, django_capture_on_commit_callbacks
):
    subscription = paid_whole_season_by_card(localstripe, point, clock)
    clock.now = dt.datetime(2027, 1, 30, 10, 0, tzinfo=NOW.tzinfo)
    Closure.objects.create(
        pickup_point=point, start_date=dt.date(2027, 2, 2), end_date=dt.date(2027, 2, 2)
    )

    with django_capture_on_commit_callbacks(execute=True):
        adjust_subscription_dues(subscription.payment.pk)
    assert refund_online_payments(subscription.pk).refunded == 0

    (sent,) = refunds_sent(localstripe)
    assert sent.params["amount"] == "1000"
    assert [entry.amount for entry in refunded_entries(subscription)] == [Decimal("10.00")]


def test_a_commitment_ended_early_refunds_the_deliveries_not_made(
    localstripe, point, clock, staff, django_capture_on_commit_callbacks
):
    subscription = paid_whole_season_by_card(localstripe, point, clock)
    # Four Tuesdays delivered (1–22 December), then the household moves away.
    clock.now = dt.datetime(2026, 12, 23, 10, 0, tzinfo=NOW.tzinfo)
    end_commitment(staff, subscription.pk)

    with django_capture_on_commit_callbacks(execute=True):
        adjust_subscription_dues(subscription.payment.pk)

    (sent,) = refunds_sent(localstripe)
    assert sent.params["amount"] == "6000"
    account = subscription_account(subscription)
    assert (account.due, account.paid, account.refunded) == (
        Decimal("40.00"),
        Decimal("100.00"),
        Decimal("60.00"),
    )


def test_baskets_not_brought_lower_the_dues_and_refund_the_card(
    localstripe, point, clock, client, mailoutbox, django_capture_on_commit_callbacks
):
    subscription = paid_whole_season_by_card(localstripe, point, clock)
    generate_basket_deliveries([point.pk], dt.date(2026, 12, 8), dt.date(2026, 12, 8))
    producer_user = UserFactory()
    subscription.contract.plan.producer.partner.users.add(producer_user)
    place = ContractPickupPoint.objects.get(contract=subscription.contract, pickup_point=point)
    day = point.distribution_days.get(date=dt.date(2026, 12, 8))
    clock.now = dt.datetime(2026, 12, 8, 19, 0, tzinfo=NOW.tzinfo)
    client.force_login(producer_user)
    url = reverse("baskets:not-brought", kwargs={"pk": place.pk})
    sent = {"day": day.pk, "reason": "Le camion est tombé en panne.", "confirm": "1"}

    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, sent)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, sent)

    corrections = LedgerEntry.objects.filter(subscription=subscription, kind=EntryKind.CORRECTION)
    assert [entry.amount for entry in corrections] == [Decimal("-10.00")]
    (refund,) = refunds_sent(localstripe)
    assert refund.params["amount"] == "1000"
    assert [entry.amount for entry in refunded_entries(subscription)] == [Decimal("10.00")]
    (email,) = mailoutbox
    assert email.to == [subscription.member.email]
    assert "Le camion est tombé en panne." in email.body


def test_stripe_unreachable_leaves_the_refund_pending_for_the_hourly_run(
    localstripe, point, clock, staff, settings, django_capture_on_commit_callbacks
):
    subscription = paid_whole_season_by_card(localstripe, point, clock)
    clock.now = dt.datetime(2026, 12, 23, 10, 0, tzinfo=NOW.tzinfo)
    end_commitment(staff, subscription.pk)
    api_base = settings.STRIPE_API_BASE
    settings.STRIPE_API_BASE, settings.STRIPE_TIMEOUT = "http://127.0.0.1:9", 0.5

    with django_capture_on_commit_callbacks(execute=True):
        adjust_subscription_dues(subscription.payment.pk)

    refund = ChargeRefund.objects.get()
    assert refund.state == ChargeRefundState.PENDING and refund.amount == Decimal("60.00")
    assert refunded_entries(subscription) == []
    assert refund_split(subscription).by_hand == 0, "not to be given back by hand meanwhile"
    settings.STRIPE_API_BASE = api_base
    assert resume_pending_refunds.delay().get() == 0, "a refund just sent may be in flight"
    clock.now += dt.timedelta(minutes=15)

    assert resume_pending_refunds.delay().get() == 1
    assert refund_online_payments(subscription.pk).refunded == 0

    (sent,) = refunds_sent(localstripe)
    assert sent.idempotency_key == refund.idempotency_key
    assert [entry.amount for entry in refunded_entries(subscription)] == [Decimal("60.00")]


def test_money_paid_by_cheque_stays_to_give_back_by_hand(
    localstripe, point, clock, staff, client, django_capture_on_commit_callbacks
):
    subscription = ten_tuesdays(point, price="10.00")
    schedule_subscription_payments(
        subscription, PaymentPlan.WHOLE_SEASON, PaymentMethod.CHEQUE, today=TODAY
    )
    record_manual_payment(
        PaymentDetails(method=PaymentMethod.CHEQUE, amount="100.00", cheque_number="77"),
        recorded_by=staff,
        subscription=subscription,
    )
    clock.now = dt.datetime(2026, 12, 23, 10, 0, tzinfo=NOW.tzinfo)
    end_commitment(staff, subscription.pk)

    nightly_run(django_capture_on_commit_callbacks)

    assert refunds_sent(localstripe) == []
    assert refund_split(subscription).by_hand == Decimal("60.00")
    client.force_login(staff)
    with translation.override("fr"):
        page = client.get(
            reverse("payments:record-subscription", kwargs={"pk": subscription.pk})
        ).content.decode()
    assert reverse("payments:record-refund", kwargs={"pk": subscription.pk}) in page
    assert 'value="60,00"' in page


def test_without_stripe_keys_nothing_is_refunded_online_and_nothing_fails(
    localstripe, point, clock, staff, settings, django_capture_on_commit_callbacks
):
    subscription = paid_whole_season_by_card(localstripe, point, clock)
    clock.now = dt.datetime(2026, 12, 23, 10, 0, tzinfo=NOW.tzinfo)
    end_commitment(staff, subscription.pk)
    settings.STRIPE_SECRET_KEY = settings.STRIPE_PUBLISHABLE_KEY = ""

    nightly_run(django_capture_on_commit_callbacks)

    assert refunds_sent(localstripe) == []
    assert not ChargeRefund.objects.exists()
    assert refund_split(subscription).by_hand == Decimal("60.00")


def test_the_member_and_the_coordinator_see_the_refund(
    localstripe, point, clock, staff, client, django_capture_on_commit_callbacks
):
    subscription = paid_whole_season_by_card(localstripe, point, clock)
    clock.now = dt.datetime(2026, 12, 23, 10, 0, tzinfo=NOW.tzinfo)
    end_commitment(staff, subscription.pk)
    with django_capture_on_commit_callbacks(execute=True):
        adjust_subscription_dues(subscription.payment.pk)

    with translation.override("fr"):
        client.force_login(subscription.member)
        mine = client.get(reverse("payments:mine")).content.decode()
        client.force_login(staff)
        account = client.get(
            reverse("payments:record-subscription", kwargs={"pk": subscription.pk})
        ).content.decode()
        refunded = translation.gettext("%(when)s: %(amount)s refunded to the card") % {
            "when": "23 décembre 2026",
            "amount": "60,00\xa0€",
        }

    for page in (mine, account):
        assert refunded in page
    assert reverse("payments:record-refund", kwargs={"pk": subscription.pk}) not in account


def test_an_amount_is_taken_from_the_newest_charges_first_within_what_each_has_left():
    lefts = [(3, Decimal("10.00")), (2, Decimal("33.33")), (1, Decimal("33.34"))]

    assert split_over_charges(Decimal("50.00"), lefts) == [
        (3, Decimal("10.00")),
        (2, Decimal("33.33")),
        (1, Decimal("6.67")),
    ]
    assert split_over_charges(Decimal("5.00"), lefts) == [(3, Decimal("5.00"))]
    assert split_over_charges(Decimal("0.00"), lefts) == []


def test_beat_resumes_pending_refunds_hourly():
    schedule = {
        entry["task"]: entry["schedule"] for entry in celery_app.conf.beat_schedule.values()
    }

    assert schedule["marketplace.payments.tasks.resume_pending_refunds"].hour == set(range(24))
