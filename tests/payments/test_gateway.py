"""The Stripe gateway against localstripe, with the official client: what it asks of Stripe, what
the site gets back, and what the member reads when the bank says no."""

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.utils import timezone

from marketplace.payments import gateway
from marketplace.payments.stripe_errors import DECLINED, FAILED, MEMBER_MESSAGES
from tests.payments.localstripe import sign_payload

FARM = "acct_1FermeDesPresVerts"
ORDER_KEY = "order:100042:producer:7"


def authorise(localstripe, amount="23.40", *, key=ORDER_KEY, card="4242424242424242", **options):
    customer = gateway.create_customer(
        email="membre@example.org", name="Camille Membre", idempotency_key=f"member:{key}"
    )
    return gateway.create_payment(
        amount=Decimal(amount),
        producer_account=FARM,
        idempotency_key=key,
        customer_id=customer,
        payment_method_id=localstripe.card(card),
        capture_later=True,
        **options,
    )


def saved_method(localstripe, method_type="card", *, payment_method_id=None):
    """A member's card or IBAN saved for later charges, as sign-up does it."""
    customer = gateway.create_customer(email="membre@example.org", idempotency_key="member:12")
    setup = gateway.create_setup_intent(
        customer_id=customer,
        method_type=method_type,
        producer_account=FARM,
        idempotency_key="subscription:5:method:1",
    )
    mandate = gateway.MandateAcceptance("192.0.2.10", "Firefox", timezone.now())
    setup = gateway.confirm_setup_intent(
        setup.id,
        payment_method_id=payment_method_id
        or (localstripe.iban() if method_type == "sepa_debit" else localstripe.card()),
        mandate=mandate if method_type == "sepa_debit" else None,
    )
    return customer, setup


def test_card_payment_is_authorised_then_captured(localstripe):
    payment = authorise(localstripe, "23.40")

    assert payment.is_authorised
    assert payment.amount == Decimal("23.40")
    assert payment.charge_id

    captured = gateway.capture_payment(payment.id)

    assert captured.is_paid
    assert gateway.retrieve_payment(payment.id).is_paid


def test_payment_is_a_destination_charge_on_behalf_of_the_producer(localstripe):
    authorise(localstripe, "23.40")

    (sent,) = localstripe.sent("POST", "/v1/payment_intents")
    assert sent.params["amount"] == "2340"
    assert sent.params["currency"] == "eur"
    assert sent.params["on_behalf_of"] == FARM
    assert sent.params["transfer_data[destination]"] == FARM
    assert sent.params["capture_method"] == "manual"
    assert sent.params["confirm"] == "true"
    assert sent.idempotency_key == ORDER_KEY
    assert sent.stripe_account == "", "a destination charge is made on the platform"
    assert "application_fee_amount" not in sent.params, "no platform fee by default"


def test_platform_fee_is_sent_when_set(localstripe, settings):
    settings.PLATFORM_FEE_PERCENT = Decimal("2.5")

    authorise(localstripe, "23.40")

    (sent,) = localstripe.sent("POST", "/v1/payment_intents")
    assert sent.params["application_fee_amount"] == "59"  # 58.5 cents, half up


def test_same_idempotency_key_returns_the_same_payment(localstripe):
    first = authorise(localstripe, "12.00")
    again = gateway.create_payment(
        amount=Decimal("12.00"),
        producer_account=FARM,
        idempotency_key=ORDER_KEY,
        customer_id=first.customer_id,
        payment_method_id=first.payment_method_id,
        capture_later=True,
    )

    assert again.id == first.id
    assert [request.replayed for request in localstripe.sent("POST", "/v1/payment_intents")] == [
        False,
        True,
    ]
    assert len(localstripe.client.v1.payment_intents.list().data) == 1


def test_same_idempotency_key_with_another_amount_is_refused(localstripe):
    first = authorise(localstripe, "12.00")

    with pytest.raises(gateway.GatewayError) as refused:
        gateway.create_payment(
            amount=Decimal("13.00"),
            producer_account=FARM,
            idempotency_key=ORDER_KEY,
            customer_id=first.customer_id,
            payment_method_id=first.payment_method_id,
        )

    assert not isinstance(refused.value, gateway.PaymentDeclined)
    assert len(localstripe.client.v1.payment_intents.list().data) == 1


def test_card_declined_when_saved_reads_as_a_decline(localstripe):
    """localstripe declines 4000000000000002 when it is saved (SetupIntent, attach)."""
    with pytest.raises(gateway.PaymentDeclined) as declined:
        saved_method(localstripe, payment_method_id=localstripe.card("4000000000000002"))

    assert declined.value.code == "card_declined"
    assert declined.value.message == str(DECLINED)
    assert str(declined.value) == declined.value.message


def test_card_declined_when_charged_reads_as_a_decline(localstripe):
    """localstripe declines 4000000000000341 when it is charged (it lets 0002 pay)."""
    with pytest.raises(gateway.PaymentDeclined) as declined:
        authorise(localstripe, "8.00", card="4000000000000341")

    assert declined.value.code == "card_declined"
    assert declined.value.message == str(DECLINED)


def test_bank_reasons_read_as_plain_words():
    assert gateway.member_message("card_declined", "insufficient_funds") == str(
        MEMBER_MESSAGES["insufficient_funds"]
    )
    assert gateway.member_message("card_declined", "stolen_card") == str(DECLINED)
    assert gateway.member_message("expired_card") == str(MEMBER_MESSAGES["expired_card"])
    assert gateway.member_message("") == str(FAILED)


def test_less_than_authorised_is_captured_when_less_was_delivered(localstripe):
    payment = authorise(localstripe, "23.40")

    captured = gateway.capture_payment(payment.id, amount=Decimal("20.10"))

    assert captured.is_paid
    (sent,) = localstripe.sent("POST", f"/v1/payment_intents/{payment.id}/capture")
    assert sent.params == {"amount_to_capture": "2010"}
    assert localstripe.client.v1.charges.retrieve(payment.charge_id).amount_refunded == 330


def test_authorised_payment_is_cancelled(localstripe):
    payment = authorise(localstripe, "15.00")

    cancelled = gateway.cancel_payment(payment.id)

    assert cancelled.status == "canceled"
    (sent,) = localstripe.sent("POST", f"/v1/payment_intents/{payment.id}/cancel")
    assert sent.params == {"cancellation_reason": "abandoned"}


def test_captured_payment_cannot_be_cancelled(localstripe):
    payment = authorise(localstripe, "15.00")
    gateway.capture_payment(payment.id)

    with pytest.raises(gateway.GatewayError):
        gateway.cancel_payment(payment.id)


def test_payment_is_refunded_in_part_then_whole(localstripe):
    payment = authorise(localstripe, "30.00")
    gateway.capture_payment(payment.id)

    part = gateway.refund_payment(
        payment.id, amount=Decimal("10.50"), idempotency_key="refund:order:100042:line:3"
    )
    rest = gateway.refund_payment(
        payment.id, amount=Decimal("19.50"), idempotency_key="refund:order:100042:rest"
    )

    assert (part.amount, rest.amount) == (Decimal("10.50"), Decimal("19.50"))
    assert part.status == rest.status == "succeeded"
    charge = localstripe.client.v1.charges.retrieve(payment.charge_id)
    assert charge.amount_refunded == 3000
    sent = localstripe.sent("POST", "/v1/refunds")[0]
    assert sent.params["payment_intent"] == payment.id
    assert sent.params["amount"] == "1050"
    assert sent.params["reverse_transfer"] == "true", "the producer gives back what they got"
    assert sent.params["refund_application_fee"] == "true"
    assert sent.idempotency_key == "refund:order:100042:line:3"


def test_whole_refund(localstripe):
    payment = authorise(localstripe, "30.00")
    gateway.capture_payment(payment.id)

    refund = gateway.refund_payment(payment.id, idempotency_key="refund:order:100042")

    assert refund.amount == Decimal("30.00")
    assert "amount" not in localstripe.sent("POST", "/v1/refunds")[0].params


def test_card_asking_for_authentication_waits_for_the_member(localstripe):
    payment = authorise(localstripe, "20.00", card="4000002500003155")

    assert payment.needs_authentication
    localstripe.authenticate(payment.client_secret)  # the member answers their bank in Stripe.js

    assert gateway.retrieve_payment(payment.id).is_authorised


def test_sepa_debit_is_saved_with_the_mandate_the_member_accepted(localstripe, clock):
    customer, setup = saved_method(localstripe, "sepa_debit")

    assert setup.is_done
    assert setup.method_type == "sepa_debit"
    assert gateway.retrieve_payment_method(setup.payment_method_id).last4 == "2606"
    (created,) = localstripe.sent("POST", "/v1/setup_intents")
    assert created.params["payment_method_types[0]"] == "sepa_debit"
    assert created.params["usage"] == "off_session"
    assert created.params["on_behalf_of"] == FARM, "the mandate's creditor is the producer"
    (confirmed,) = localstripe.sent("POST", f"/v1/setup_intents/{setup.id}/confirm")
    assert confirmed.params["mandate_data[customer_acceptance][type]"] == "online"
    assert confirmed.params["mandate_data[customer_acceptance][online][ip_address]"] == (
        "192.0.2.10"
    )
    assert confirmed.params["mandate_data[customer_acceptance][online][user_agent]"] == "Firefox"
    assert confirmed.params["mandate_data[customer_acceptance][accepted_at]"] == str(
        int(clock.now.timestamp())
    )


def test_sepa_debit_is_charged_off_session(localstripe):
    customer, setup = saved_method(localstripe, "sepa_debit")

    payment = gateway.create_payment(
        amount=Decimal("45.00"),
        producer_account=FARM,
        idempotency_key="instalment:31:attempt:1",
        customer_id=customer,
        payment_method_id=setup.payment_method_id,
        method_type="sepa_debit",
        off_session=True,
    )

    # Stripe keeps a debit "processing" for days; localstripe settles an accepted one at once.
    assert payment.is_processing or payment.is_paid
    (sent,) = localstripe.sent("POST", "/v1/payment_intents")
    assert sent.params["off_session"] == "true"
    assert sent.params["payment_method_types[0]"] == "sepa_debit"
    assert sent.params["capture_method"] == "automatic"


def test_sepa_debit_refused_by_the_bank_fails_later(localstripe, webhook_inbox):
    customer, setup = saved_method(
        localstripe, "sepa_debit", payment_method_id=localstripe.iban("DE62370400440532013001")
    )

    payment = gateway.create_payment(
        amount=Decimal("45.00"),
        producer_account=FARM,
        idempotency_key="instalment:31:attempt:1",
        customer_id=customer,
        payment_method_id=setup.payment_method_id,
        method_type="sepa_debit",
        off_session=True,
    )

    assert payment.is_processing
    webhook_inbox.wait_for("payment_intent.payment_failed", payment.id)
    failed = gateway.retrieve_payment(payment.id)
    assert failed.status == "requires_payment_method"
    assert failed.failure_message == str(DECLINED)


def test_saved_card_is_charged_off_session(localstripe):
    customer, setup = saved_method(localstripe)

    payment = gateway.create_payment(
        amount=Decimal("45.00"),
        producer_account=FARM,
        idempotency_key="instalment:31:attempt:1",
        customer_id=customer,
        payment_method_id=setup.payment_method_id,
        off_session=True,
    )

    assert payment.is_paid
    assert localstripe.sent("POST", "/v1/payment_intents")[0].params["off_session"] == "true"


def test_off_session_charge_needing_the_member_says_which_payment(localstripe):
    customer, setup = saved_method(
        localstripe, payment_method_id=localstripe.card("4000002760003184")
    )

    with pytest.raises(gateway.AuthenticationRequired) as needed:
        gateway.create_payment(
            amount=Decimal("45.00"),
            producer_account=FARM,
            idempotency_key="instalment:31:attempt:1",
            customer_id=customer,
            payment_method_id=setup.payment_method_id,
            off_session=True,
        )

    assert needed.value.payment_intent_id.startswith("pi_")
    assert needed.value.message == str(MEMBER_MESSAGES["authentication_required"])


def test_webhook_signed_by_localstripe_verifies(localstripe, webhook_inbox, clock):
    payment = authorise(localstripe, "23.40")
    gateway.capture_payment(payment.id)

    delivery = webhook_inbox.wait_for("payment_intent.succeeded", payment.id)
    # localstripe signs at its own (real) clock; ours is pinned: meet it there.
    signed_at = int(delivery.signature.split(",")[0].removeprefix("t="))
    clock.now = dt.datetime.fromtimestamp(signed_at, tz=dt.UTC)
    event = gateway.construct_event(delivery.body, delivery.signature)

    assert event.type == "payment_intent.succeeded"
    assert event.object["id"] == payment.id
    assert event.created == clock.now


def test_webhook_with_a_bad_signature_is_refused(localstripe, webhook_inbox, clock):
    payment = authorise(localstripe, "23.40")
    gateway.capture_payment(payment.id)
    delivery = webhook_inbox.wait_for("payment_intent.succeeded", payment.id)
    signed_at = int(delivery.signature.split(",")[0].removeprefix("t="))
    clock.now = dt.datetime.fromtimestamp(signed_at, tz=dt.UTC)
    tampered = delivery.body.replace(b'"amount": 2340', b'"amount": 1')
    assert tampered != delivery.body

    with pytest.raises(gateway.InvalidWebhook):
        gateway.construct_event(tampered, delivery.signature)


def event_payload(**fields):
    return json.dumps(
        {
            "id": "evt_1",
            "object": "event",
            "type": "payment_intent.succeeded",
            "created": 1795000000,
            "data": {"object": {"id": "pi_1", "object": "payment_intent"}},
            **fields,
        }
    ).encode()


def test_webhook_signed_now_with_our_secret_verifies(settings):
    settings.STRIPE_WEBHOOK_SECRET = "whsec_ours"
    payload = event_payload()

    event = gateway.construct_event(payload, sign_payload(payload, "whsec_ours"))

    assert (event.id, event.type, event.object["id"]) == (
        "evt_1",
        "payment_intent.succeeded",
        "pi_1",
    )


@pytest.mark.parametrize(
    "header",
    [
        pytest.param(lambda payload: sign_payload(payload, "whsec_theirs"), id="another secret"),
        pytest.param(
            lambda payload: sign_payload(payload, "whsec_ours", timestamp=1), id="replayed later"
        ),
        pytest.param(lambda payload: "t=1,v1=00", id="garbage"),
        pytest.param(lambda payload: "", id="none"),
    ],
)
def test_webhook_not_signed_by_stripe_now_is_refused(settings, header):
    settings.STRIPE_WEBHOOK_SECRET = "whsec_ours"
    payload = event_payload()

    with pytest.raises(gateway.InvalidWebhook):
        gateway.construct_event(payload, header(payload))


def test_webhook_without_a_secret_set_is_refused(settings):
    settings.STRIPE_WEBHOOK_SECRET = ""
    payload = event_payload()

    with pytest.raises(gateway.InvalidWebhook):
        gateway.construct_event(payload, sign_payload(payload, ""))


def test_signed_payload_that_is_not_an_event_is_refused(settings):
    settings.STRIPE_WEBHOOK_SECRET = "whsec_ours"
    payload = b'{"hello": "world"}'

    with pytest.raises(gateway.InvalidWebhook):
        gateway.construct_event(payload, sign_payload(payload, "whsec_ours"))
