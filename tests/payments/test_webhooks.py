"""Stripe's webhooks against localstripe, signed as Stripe signs them: a request not signed with
our secret changes nothing; each event is stored once and applied once, whatever the order
and however often it arrives; the charges of SEPA debits follow them."""

import dataclasses
import datetime as dt
import json
import random

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from marketplace.payments import gateway
from marketplace.payments.models import (
    Charge,
    ChargeState,
    EntryKind,
    InstalmentState,
    LedgerEntry,
    StripeCustomer,
    StripeEvent,
)
from tests.payments.localstripe import WEBHOOK_SECRET, sign_payload
from tests.payments.online import (
    DEC_1,
    FIRST,
    GOOD_IBAN,
    REFUSED_IBAN,
    first_instalment,
    morning_of,
    online_subscription,
    run_task,
)
from tests.payments.world import NOW

pytestmark = [pytest.mark.django_db, pytest.mark.now(NOW)]

URL = "/paiements/stripe/webhook/"


@pytest.fixture
def stripe_client():
    """Stripe is no browser: no session, no CSRF token (which the client checks here)."""
    return Client(enforce_csrf_checks=True)


@pytest.fixture
def debits_take_days(monkeypatch):
    """Stripe keeps a SEPA debit "processing" for days, until its webhook; localstripe settles
    an accepted one at once: the nightly run is shown the payment as Stripe would show it."""
    create = gateway.create_payment

    def processing(**kwargs):
        payment = create(**kwargs)
        return dataclasses.replace(payment, status="processing") if payment.is_paid else payment

    monkeypatch.setattr(gateway, "create_payment", processing)


def post(client, body: bytes, signature: str | None = None):
    headers = {} if signature is None else {"HTTP_STRIPE_SIGNATURE": signature}
    return client.post(URL, data=body, content_type="application/json", **headers)


def post_signed_now(client, body: bytes):
    """As Stripe sends an event again later: the same body, signed at that moment (our clock)."""
    return post(client, body, sign_payload(body, WEBHOOK_SECRET))


def at_signature_time(clock, delivery) -> None:
    """localstripe signs at its own (real) clock; ours is pinned: meet it there."""
    signed_at = int(delivery.signature.split(",")[0].removeprefix("t="))
    clock.now = dt.datetime.fromtimestamp(signed_at, tz=dt.UTC)


def debit_under_way(localstripe, point, clock, capture, *, iban=GOOD_IBAN) -> Charge:
    """An instalment debited by the nightly run, its outcome not known yet."""
    online_subscription(localstripe, point, iban=iban)
    clock.now = morning_of(DEC_1)
    run_task(capture)
    charge = Charge.objects.get()
    assert charge.state == ChargeState.PROCESSING and charge.payment_intent_id
    return charge


def test_the_endpoint_is_the_one_the_readme_gives_stripe():
    assert reverse("payments:stripe-webhook") == URL


@pytest.mark.usefixtures("debits_take_days")
def test_a_debit_is_paid_when_its_webhook_says_so(
    localstripe,
    webhook_inbox,
    point,
    clock,
    stripe_client,
    django_capture_on_commit_callbacks,
    django_assert_max_num_queries,
):
    charge = debit_under_way(localstripe, point, clock, django_capture_on_commit_callbacks)
    assert first_instalment(charge.instalment.payment.subscription).state == InstalmentState.DUE
    delivery = webhook_inbox.wait_for("payment_intent.succeeded", charge.payment_intent_id)
    at_signature_time(clock, delivery)

    with django_assert_max_num_queries(17):
        response = post(stripe_client, delivery.body, delivery.signature)

    assert response.status_code == 200
    charge.refresh_from_db()
    assert charge.state == ChargeState.SUCCEEDED and charge.finished_at == clock.now
    assert charge.instalment.state == InstalmentState.PAID
    (paid,) = LedgerEntry.objects.filter(kind=EntryKind.PAID)
    assert (paid.amount, paid.method, paid.reference) == (
        -FIRST,
        "sepa_debit",
        charge.payment_intent_id,
    )
    event = StripeEvent.objects.get()
    assert (event.event_id, event.type, event.object_id) == (
        delivery.event["id"],
        "payment_intent.succeeded",
        charge.payment_intent_id,
    )
    assert event.created == dt.datetime.fromtimestamp(delivery.event["created"], tz=dt.UTC)
    assert event.received_at == event.applied_at == clock.now
    assert event.payload["status"] == "succeeded"
    assert mail.outbox == []


# Seeded shuffles: the older event arrives after the outcome (2), or first (15).
@pytest.mark.parametrize("seed", [2, 15])
@pytest.mark.usefixtures("debits_take_days")
def test_the_same_event_three_times_and_an_older_one_shuffled_are_applied_once(
    seed,
    localstripe,
    webhook_inbox,
    point,
    clock,
    stripe_client,
    django_capture_on_commit_callbacks,
):
    charge = debit_under_way(localstripe, point, clock, django_capture_on_commit_callbacks)
    succeeded = webhook_inbox.wait_for("payment_intent.succeeded", charge.payment_intent_id)
    event = succeeded.event
    # Stripe's "processing" of the same debit, sent before the outcome, arriving after it.
    older = {
        **event,
        "id": f"{event['id']}_processing",
        "type": "payment_intent.processing",
        "created": event["created"] - 60,
        "data": {"object": {**event["data"]["object"], "status": "processing"}},
    }
    bodies = [succeeded.body] * 3 + [json.dumps(older).encode()]
    random.Random(seed).shuffle(bodies)
    localstripe.proxy.reset()

    with django_capture_on_commit_callbacks(execute=True):
        answers = [post_signed_now(stripe_client, body).status_code for body in bodies]

    assert answers == [200] * 4
    events = StripeEvent.objects.order_by("created")
    assert [(e.type, e.applied_at) for e in events] == [
        ("payment_intent.processing", clock.now),
        ("payment_intent.succeeded", clock.now),
    ]
    # Stripe asked once per event; the same event again is answered at once.
    asked = localstripe.sent("GET", f"/v1/payment_intents/{charge.payment_intent_id}")
    assert len(asked) == 2
    charge.refresh_from_db()
    assert charge.state == ChargeState.SUCCEEDED
    assert charge.instalment.state == InstalmentState.PAID
    assert charge.instalment.paid_amount == FIRST
    assert LedgerEntry.objects.filter(kind=EntryKind.PAID).count() == 1
    assert mail.outbox == []


def test_a_debit_the_bank_refuses_fails_the_instalment_and_tells_the_member_once(
    localstripe, webhook_inbox, point, clock, stripe_client, django_capture_on_commit_callbacks
):
    charge = debit_under_way(
        localstripe, point, clock, django_capture_on_commit_callbacks, iban=REFUSED_IBAN
    )
    failed = webhook_inbox.wait_for("payment_intent.payment_failed", charge.payment_intent_id)

    with django_capture_on_commit_callbacks(execute=True):
        answers = [post_signed_now(stripe_client, failed.body).status_code for _ in range(2)]

    assert answers == [200, 200]
    charge.refresh_from_db()
    assert charge.state == ChargeState.FAILED and charge.failure_message
    instalment = charge.instalment
    # Retried a day later, as a declined card is.
    assert (instalment.state, instalment.next_attempt_on) == ("failed", dt.date(2026, 12, 2))
    assert len(mail.outbox) == 1
    assert not LedgerEntry.objects.filter(kind=EntryKind.PAID).exists()
    assert StripeEvent.objects.get().applied_at == clock.now


@pytest.mark.usefixtures("debits_take_days")
def test_a_webhook_with_a_bad_signature_changes_nothing(
    localstripe, webhook_inbox, point, clock, stripe_client, django_capture_on_commit_callbacks
):
    charge = debit_under_way(localstripe, point, clock, django_capture_on_commit_callbacks)
    delivery = webhook_inbox.wait_for("payment_intent.succeeded", charge.payment_intent_id)
    at_signature_time(clock, delivery)
    tampered = delivery.body.replace(b'"id": "evt_', b'"id": "evt_x')
    assert tampered != delivery.body

    answers = [
        post(stripe_client, tampered, delivery.signature).status_code,
        post(stripe_client, delivery.body, sign_payload(delivery.body, "whsec_theirs")).status_code,
        post(stripe_client, delivery.body).status_code,
        post(stripe_client, delivery.body, "").status_code,
    ]

    assert answers == [400] * 4
    assert not StripeEvent.objects.exists()
    charge.refresh_from_db()
    assert charge.state == ChargeState.PROCESSING
    assert charge.instalment.state == InstalmentState.DUE
    assert not LedgerEntry.objects.filter(kind=EntryKind.PAID).exists()


def test_without_a_webhook_secret_every_webhook_is_refused(settings, stripe_client):
    settings.STRIPE_WEBHOOK_SECRET = ""
    body = json.dumps({"id": "evt_1", "type": "customer.created", "created": 1}).encode()

    assert post(stripe_client, body, sign_payload(body, "")).status_code == 400
    assert not StripeEvent.objects.exists()


def test_only_post_is_answered(stripe_client):
    assert stripe_client.get(URL).status_code == 405


def test_an_event_we_do_not_handle_is_stored_and_answered_200(
    localstripe, webhook_inbox, point, clock, stripe_client
):
    online_subscription(localstripe, point)
    customer_id = StripeCustomer.objects.get().customer_id
    delivery = webhook_inbox.wait_for("customer.created", customer_id)
    at_signature_time(clock, delivery)

    response = post(stripe_client, delivery.body, delivery.signature)

    assert response.status_code == 200
    event = StripeEvent.objects.get()
    assert (event.type, event.object_id, event.applied_at) == (
        "customer.created",
        customer_id,
        clock.now,
    )


@pytest.mark.usefixtures("debits_take_days")
def test_stripe_unreachable_keeps_the_event_for_stripe_to_send_again(
    localstripe,
    webhook_inbox,
    point,
    clock,
    settings,
    stripe_client,
    django_capture_on_commit_callbacks,
):
    charge = debit_under_way(localstripe, point, clock, django_capture_on_commit_callbacks)
    delivery = webhook_inbox.wait_for("payment_intent.succeeded", charge.payment_intent_id)
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"

    assert post_signed_now(stripe_client, delivery.body).status_code == 503
    assert StripeEvent.objects.get().applied_at is None
    settings.STRIPE_API_BASE = localstripe.api_base
    assert post_signed_now(stripe_client, delivery.body).status_code == 200

    assert StripeEvent.objects.get().applied_at == clock.now
    charge.refresh_from_db()
    assert charge.state == ChargeState.SUCCEEDED
    assert LedgerEntry.objects.filter(kind=EntryKind.PAID).count() == 1


def test_staff_see_the_events_in_the_admin_read_only(admin_client):
    StripeEvent.objects.create(
        event_id="evt_1",
        type="customer.created",
        object_id="cus_1",
        created=NOW,
        received_at=NOW,
    )

    page = admin_client.get(reverse("admin:payments_stripeevent_changelist"))

    assert page.status_code == 200 and b"evt_1" in page.content
    assert admin_client.get(reverse("admin:payments_stripeevent_add")).status_code == 403
