"""The nightly run charging instalments off-session, against localstripe: each charged once
however often the run goes or stops, declines retried after 1, 3 and 7 days and the member
told, a bank asking for 3-D Secure sending the member to confirm, SEPA debits, and nothing at
all without Stripe keys. (What members and coordinators see of it: test_charge_pages.py.)"""

import datetime as dt
import time

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from marketplace.celery import app as celery_app
from marketplace.payments import gateway
from marketplace.payments.errors import PaymentRefused
from marketplace.payments.models import (
    Charge,
    ChargeState,
    EntryKind,
    InstalmentState,
    LedgerEntry,
    PaymentMethod,
    PaymentPlan,
)
from marketplace.payments.services import charges, schedule_subscription_payments
from marketplace.payments.services.charges import (
    charge_due_instalments,
    charge_instalment,
    resume_pending_charges,
)
from marketplace.payments.services.saved_methods import (
    save_subscription_method,
    start_saving_method,
)
from marketplace.payments.tasks import charge_due_instalments as charge_task
from marketplace.payments.tasks import resume_pending_charges as resume_task
from tests.factories import UserFactory
from tests.payments.online import (
    DEC_1,
    DECLINED_WHEN_CHARGED,
    FIRST,
    GOOD_IBAN,
    MANDATE,
    PAYING,
    REFUSED_IBAN,
    first_instalment,
    morning_of,
    online_subscription,
    payment_intents_sent,
    run_task,
)
from tests.payments.world import NOW, TODAY, point_on_tuesdays, ten_tuesdays

pytestmark = [pytest.mark.django_db, pytest.mark.now(NOW)]


def test_beat_charges_each_morning_and_resumes_pending_charges_hourly():
    schedule = {
        entry["task"]: entry["schedule"] for entry in celery_app.conf.beat_schedule.values()
    }

    morning = schedule["marketplace.payments.tasks.charge_due_instalments"]
    assert (morning.hour, morning.minute) == ({6}, {0})
    assert schedule["marketplace.payments.tasks.resume_pending_charges"].hour == set(range(24))


def test_an_instalment_plan_is_charged_by_the_task_once_however_often_it_runs(
    localstripe, point, clock, django_capture_on_commit_callbacks
):
    subscription = online_subscription(localstripe, point)
    clock.now = morning_of(DEC_1)

    run_task(django_capture_on_commit_callbacks)
    run_task(django_capture_on_commit_callbacks)

    (sent,) = payment_intents_sent(localstripe)
    instalment = first_instalment(subscription)
    assert sent.idempotency_key == f"instalment-{instalment.pk}-attempt-1"
    assert len(localstripe.client.v1.payment_intents.list().data) == 1
    assert instalment.state == InstalmentState.PAID
    assert instalment.paid_amount == FIRST
    (paid,) = LedgerEntry.objects.filter(kind=EntryKind.PAID)
    charge = Charge.objects.get()
    assert (paid.amount, paid.method, paid.instalment) == (-FIRST, "card", instalment)
    assert paid.reference == charge.payment_intent_id != ""
    assert charge.state == ChargeState.SUCCEEDED and charge.finished_at == clock.now
    assert subscription.payment.instalments.filter(state=InstalmentState.DUE).count() == 2
    assert mail.outbox == []


def test_the_charge_goes_to_the_producers_account_off_session(localstripe, point, clock):
    subscription = online_subscription(localstripe, point)
    clock.now = morning_of(DEC_1)

    charge_due_instalments()

    (sent,) = payment_intents_sent(localstripe)
    account = f"acct_farm{subscription.contract.plan.producer.pk}"
    assert sent.params["on_behalf_of"] == account
    assert sent.params["transfer_data[destination]"] == account
    assert sent.stripe_account == "", "a destination charge, made on the platform"
    assert sent.params["amount"] == "3334"
    assert sent.params["off_session"] == "true"
    assert sent.params["confirm"] == "true"
    assert sent.params["customer"] == subscription.member.stripe_customer.customer_id
    assert sent.params["payment_method"] == subscription.payment.saved_method_id
    assert sent.params["metadata[charge]"] == sent.idempotency_key


def test_the_next_instalment_is_charged_when_it_falls_due(localstripe, point, clock):
    subscription = online_subscription(localstripe, point)
    clock.now = morning_of(DEC_1)
    charge_due_instalments()
    clock.now = morning_of(dt.date(2026, 12, 31))
    assert charge_due_instalments().charged == 0

    clock.now = morning_of(dt.date(2027, 1, 1))
    run = charge_due_instalments()

    assert run.charged == 1
    assert list(subscription.payment.instalments.values_list("state", flat=True)) == [
        "paid",
        "paid",
        "due",
    ]


def test_a_run_stopped_before_its_outcome_is_resumed_with_the_same_key(
    localstripe, point, clock, monkeypatch
):
    subscription = online_subscription(localstripe, point)
    clock.now = morning_of(DEC_1)
    record = charges.record_charge_outcome

    def worker_killed(*args, **kwargs):
        raise SystemExit("worker killed between Stripe's answer and the outcome")

    monkeypatch.setattr(charges, "record_charge_outcome", worker_killed)
    with pytest.raises(SystemExit):
        charge_due_instalments()
    monkeypatch.setattr(charges, "record_charge_outcome", record)
    assert Charge.objects.get().state == ChargeState.PENDING
    assert charge_due_instalments().skipped == 1, "a charge just sent may still be in flight"

    clock.now += dt.timedelta(minutes=15)
    run = resume_pending_charges()

    assert run.charged == 1
    first, again = payment_intents_sent(localstripe)
    assert first.idempotency_key == again.idempotency_key
    assert again.replayed, "Stripe answers the same key with the same payment"
    assert len(localstripe.client.v1.payment_intents.list().data) == 1
    assert LedgerEntry.objects.filter(kind=EntryKind.PAID).count() == 1
    assert first_instalment(subscription).state == InstalmentState.PAID
    assert charge_due_instalments().charged == 0


def test_stripe_unreachable_leaves_the_charge_pending_for_the_next_run(
    localstripe, point, clock, settings
):
    subscription = online_subscription(localstripe, point)
    clock.now = morning_of(DEC_1)
    api_base = settings.STRIPE_API_BASE
    settings.STRIPE_API_BASE, settings.STRIPE_TIMEOUT = "http://127.0.0.1:9", 0.5

    run = charge_due_instalments()

    assert run.unavailable == 1
    charge = Charge.objects.get()
    assert charge.state == ChargeState.PENDING
    assert first_instalment(subscription).state == InstalmentState.DUE
    settings.STRIPE_API_BASE = api_base
    clock.now += dt.timedelta(hours=1)
    assert charge_due_instalments().charged == 1
    assert Charge.objects.get().idempotency_key == charge.idempotency_key


def test_a_pending_charge_stripe_may_have_forgotten_is_left_to_a_person(
    localstripe, point, clock, monkeypatch
):
    online_subscription(localstripe, point)
    clock.now = morning_of(DEC_1)
    monkeypatch.setattr(charges, "record_charge_outcome", lambda *a, **k: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        charge_due_instalments()
    monkeypatch.undo()

    clock.now += dt.timedelta(days=1)
    run = charge_due_instalments()

    assert run.skipped == 1
    assert len(payment_intents_sent(localstripe)) == 1


def declined_attempts(localstripe):
    return [request.idempotency_key for request in payment_intents_sent(localstripe)]


def test_a_declined_card_is_retried_after_1_3_and_7_days_then_left(
    localstripe, point, clock, django_capture_on_commit_callbacks
):
    subscription = online_subscription(localstripe, point, card=DECLINED_WHEN_CHARGED)
    instalment = first_instalment(subscription)

    clock.now = morning_of(DEC_1)
    run_task(django_capture_on_commit_callbacks)
    run_task(django_capture_on_commit_callbacks)

    instalment.refresh_from_db()
    assert (instalment.state, instalment.attempts) == (InstalmentState.FAILED, 1)
    assert instalment.next_attempt_on == dt.date(2026, 12, 2)
    assert len(payment_intents_sent(localstripe)) == 1
    (email,) = mail.outbox
    assert email.to == [subscription.member.email]
    body = email.body
    assert "33,34" in body
    assert str(gateway.member_message("card_declined")) in body
    assert reverse("payments:mine") in body
    assert "2 décembre" in body
    charge = Charge.objects.get()
    assert (charge.state, charge.failure_code) == (ChargeState.FAILED, "card_declined")

    for day, next_day in [(2, dt.date(2026, 12, 5)), (5, dt.date(2026, 12, 12)), (12, None)]:
        clock.now = morning_of(dt.date(2026, 12, day - 1))
        run_task(django_capture_on_commit_callbacks)  # not yet
        clock.now = morning_of(dt.date(2026, 12, day))
        run_task(django_capture_on_commit_callbacks)
        instalment.refresh_from_db()
        assert instalment.next_attempt_on == next_day
    clock.now = morning_of(dt.date(2026, 12, 30))
    run_task(django_capture_on_commit_callbacks)

    assert declined_attempts(localstripe) == [
        f"instalment-{instalment.pk}-attempt-{n}" for n in (1, 2, 3, 4)
    ]
    assert (instalment.state, instalment.attempts) == (InstalmentState.FAILED, 4)
    assert len(mail.outbox) == 4
    assert "will not try again automatically" in mail.outbox[-1].body or (
        "plus automatiquement" in mail.outbox[-1].body
    )
    assert not LedgerEntry.objects.filter(kind=EntryKind.PAID).exists()


def test_a_charge_stripe_refuses_fails_without_blaming_the_member(
    localstripe, point, clock, monkeypatch, django_capture_on_commit_callbacks
):
    """Stripe refusing our request (a producer's account closed, say) is not the member's
    doing: the instalment fails and is retried on the schedule, the member gets no email."""
    subscription = online_subscription(localstripe, point)
    clock.now = morning_of(DEC_1)

    def refused(**kwargs):
        raise gateway.GatewayError("refused", code="account_invalid")

    monkeypatch.setattr(charges.gateway, "create_payment", refused)
    with django_capture_on_commit_callbacks(execute=True):
        run = charge_due_instalments()

    assert run.declined == 1
    instalment = first_instalment(subscription)
    assert (instalment.state, instalment.next_attempt_on) == ("failed", dt.date(2026, 12, 2))
    assert Charge.objects.get().failure_code == "account_invalid"
    assert mail.outbox == []


def test_a_new_card_after_a_decline_is_charged_at_the_next_run(localstripe, point, clock):
    subscription = online_subscription(localstripe, point, card=DECLINED_WHEN_CHARGED)
    clock.now = morning_of(DEC_1)
    charge_due_instalments()
    clock.now = morning_of(dt.date(2026, 12, 1), hour=20)

    setup = start_saving_method(subscription, PaymentMethod.CARD)
    gateway.confirm_setup_intent(setup.id, payment_method_id=localstripe.card(PAYING))
    save_subscription_method(subscription, setup.id)
    run = charge_due_instalments()

    assert run.charged == 1
    assert first_instalment(subscription).state == InstalmentState.PAID
    assert Charge.objects.filter(state=ChargeState.SUCCEEDED).get().attempt == 2


def test_a_method_saved_for_someone_else_is_refused(localstripe, point):
    subscription = online_subscription(localstripe, point)
    other = online_subscription(localstripe, point_on_tuesdays(), member=UserFactory())

    with pytest.raises(PaymentRefused):
        save_subscription_method(subscription, other.payment.setup_intent_id)


def test_a_sepa_debit_with_its_mandate_is_charged(localstripe, point, clock):
    subscription = online_subscription(localstripe, point, iban=GOOD_IBAN)
    payment = subscription.payment
    payment.refresh_from_db()
    assert (payment.method, payment.saved_method_type, payment.saved_method_last4) == (
        "sepa_debit",
        "sepa_debit",
        "3000",
    )
    assert payment.mandate_text == MANDATE
    assert payment.mandate_accepted_at == timezone.now()
    assert (payment.mandate_ip_address, payment.mandate_user_agent) == ("192.0.2.10", "Firefox")
    clock.now = morning_of(DEC_1)

    run = charge_due_instalments()

    (sent,) = payment_intents_sent(localstripe)
    assert sent.params["payment_method_types[0]"] == "sepa_debit"
    charge = Charge.objects.get()
    instalment = first_instalment(subscription)
    # Stripe keeps a debit "processing" for days (a webhook settles it); localstripe settles
    # an accepted one at once.
    if charge.state == ChargeState.PROCESSING:
        assert run.processing == 1
        assert instalment.state == InstalmentState.DUE
        assert charge_due_instalments().skipped + charge_due_instalments().charged == 0
    else:
        assert run.charged == 1 and charge.state == ChargeState.SUCCEEDED
        assert instalment.state == InstalmentState.PAID
        assert LedgerEntry.objects.get(kind=EntryKind.PAID).method == "sepa_debit"
    assert len(payment_intents_sent(localstripe)) == 1


def test_a_debit_refused_later_fails_the_instalment_and_tells_the_member(
    localstripe, point, clock, django_capture_on_commit_callbacks
):
    """A debit under way stays expected; when the bank refuses it days later, the outcome
    (what the webhook will record) fails the instalment, retried as a declined card is."""
    subscription = online_subscription(localstripe, point, iban=REFUSED_IBAN)
    clock.now = morning_of(DEC_1)

    run = charge_due_instalments()

    charge = Charge.objects.get()
    assert run.processing == 1 and charge.state == ChargeState.PROCESSING
    assert first_instalment(subscription).state == InstalmentState.DUE
    assert charge_due_instalments() == charges.ChargeRun(), "nothing sent while it is under way"
    payment = gateway.retrieve_payment(charge.payment_intent_id)
    for _ in range(100):  # localstripe refuses it about a second later
        if not payment.is_processing:
            break
        time.sleep(0.1)
        payment = gateway.retrieve_payment(charge.payment_intent_id)

    outcome = charges.Outcome.of_payment(payment)
    with django_capture_on_commit_callbacks(execute=True):
        assert charges.record_charge_outcome(charge.pk, outcome) == ChargeState.FAILED
        assert charges.record_charge_outcome(charge.pk, outcome) is None

    instalment = first_instalment(subscription)
    assert (instalment.state, instalment.next_attempt_on) == ("failed", dt.date(2026, 12, 2))
    assert len(mail.outbox) == 1
    assert not LedgerEntry.objects.filter(kind=EntryKind.PAID).exists()


def test_without_stripe_keys_the_run_does_nothing(
    localstripe, point, clock, settings, django_capture_on_commit_callbacks
):
    subscription = online_subscription(localstripe, point)
    settings.STRIPE_SECRET_KEY = settings.STRIPE_PUBLISHABLE_KEY = ""
    clock.now = morning_of(DEC_1)
    sent_before = len(localstripe.requests)

    run_task(django_capture_on_commit_callbacks)
    assert charge_due_instalments() == charges.ChargeRun()
    assert resume_pending_charges() == charges.ChargeRun()

    assert len(localstripe.requests) == sent_before
    assert not Charge.objects.exists()
    assert first_instalment(subscription).state == InstalmentState.DUE


def test_on_the_embedded_default_the_tasks_do_nothing(settings, django_assert_num_queries):
    settings.STRIPE_SECRET_KEY = settings.STRIPE_PUBLISHABLE_KEY = ""

    with django_assert_num_queries(0):
        assert charge_task.delay().get() == 0
        assert resume_task.delay().get() == 0


def test_a_cheque_plan_is_never_charged(localstripe, point, clock):
    subscription = ten_tuesdays(point, price="10.00")
    schedule_subscription_payments(
        subscription, PaymentPlan.THREE_MONTHLY, PaymentMethod.CHEQUE, today=TODAY
    )
    clock.now = morning_of(DEC_1)

    assert charge_due_instalments() == charges.ChargeRun()
    assert payment_intents_sent(localstripe) == []


def test_each_instalment_costs_the_same_few_queries(localstripe, point, clock):
    subscriptions = [online_subscription(localstripe, point)] + [
        online_subscription(localstripe, point_on_tuesdays()) for _ in range(2)
    ]
    clock.now = morning_of(DEC_1)
    counts = []
    for subscription in subscriptions:
        instalment_id = first_instalment(subscription).pk
        with CaptureQueriesContext(connection) as queries:
            charge_instalment(instalment_id, today=DEC_1)
        counts.append(sum(1 for query in queries if "SAVEPOINT" not in query["sql"]))

    # Lock the instalment, its last charge, the new charge; then lock them again, the charge's
    # outcome, the instalment settled, the ledger entry.
    assert counts[0] == counts[1] == counts[2] <= 7
    assert LedgerEntry.objects.filter(kind=EntryKind.PAID).count() == 3
