"""An à la carte order paid by card at checkout, against localstripe: each producer paid on their
own account, the order placed only when every part is secured, nothing taken and no stock moved
when the card is refused, refunds when the order (or a line) is cancelled."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from oscar.core.loading import get_model

from deliveries.network.services import cancel_distribution_day, cancel_order_before_cutoff
from marketplace.payments import gateway
from marketplace.payments.models import (
    EntryKind,
    LedgerEntry,
    OrderPayment,
    OrderPaymentState,
    ProducerAccount,
)
from marketplace.payments.services.order_payments import (
    resume_order_payments,
    settle_order_refunds,
)
from marketplace.shop_setup import ensure_shop_basics
from tests.factories import ProducerFactory, UserFactory, product_for
from tests.payments.online import DECLINED_WHEN_CHARGED, NEEDS_3DS, PAYING

Order = get_model("order", "Order")
StockRecord = get_model("partner", "StockRecord")
DistributionDay = get_model("deliveries", "DistributionDay")

pytestmark = pytest.mark.django_db


@pytest.fixture
def farms(db, open_day, producer):
    """Two producers taking cards, a product each: carrots at 2.40 (3 in stock), eggs at 5.00."""
    ensure_shop_basics()
    dairy = ProducerFactory(users=[UserFactory(email="laiterie@example.org")])
    for farm in (producer, dairy):
        ProducerAccount.objects.create(producer=farm, account_id=f"acct_farm{farm.pk}")
    carrots = product_for(producer, title="Carottes", price="2.40", stock=3)
    eggs = product_for(dairy, title="Œufs", price="5.00", stock=10)
    return producer, dairy, carrots, eggs


def fill_basket(client, *lines):
    for product, quantity in lines:
        client.post(reverse("basket:add", kwargs={"pk": product.pk}), {"quantity": quantity})
    day = DistributionDay.objects.filter(state="open").first()
    client.post(reverse("checkout:shipping-method"), {"method_code": f"pickup-{day.pk}"})


def card_saved(client, localstripe, number=PAYING) -> str:
    """What Stripe.js does on the preview: the SetupIntent the site makes, confirmed with the
    card typed in. Returns its id."""
    answer = client.post(reverse("payments:order-card-start")).json()
    setup_id = answer["client_secret"].split("_secret_")[0]
    confirmed = gateway.confirm_setup_intent(setup_id, payment_method_id=localstripe.card(number))
    if confirmed.status == "requires_action":  # the bank's 3-D Secure, answered
        localstripe.client.v1.setup_intents.confirm(setup_id)
    return setup_id


def authorise(client, setup_id):
    return client.post(reverse("payments:order-card-authorise"), {"setup_intent": setup_id})


def place(client, setup_id):
    return client.post(
        reverse("checkout:preview"),
        {"action": "place_order", "payment_method": "card", "setup_intent": setup_id},
        follow=True,
    )


def pay_by_card(client, localstripe, number=PAYING):
    setup_id = card_saved(client, localstripe, number)
    assert authorise(client, setup_id).json() == {"to_confirm": []}
    return place(client, setup_id)


def sent_payments(localstripe):
    return localstripe.sent("POST", "/v1/payment_intents")


def test_two_producer_order_pays_each_producer_on_their_own_account(
    client, member, farms, localstripe, django_capture_on_commit_callbacks
):
    producer, dairy, carrots, eggs = farms
    client.force_login(member)
    fill_basket(client, (carrots, 2), (eggs, 1))
    assert "card" in client.get(reverse("checkout:preview")).context["payment_methods"]

    with django_capture_on_commit_callbacks(execute=True):
        response = pay_by_card(client, localstripe)

    assert response.request["PATH_INFO"] == reverse("checkout:thank-you")
    order = Order.objects.get()
    assert order.sources.get().source_type.code == "card"
    assert order.sources.get().amount_debited == Decimal("9.80")
    sent = {r.params["transfer_data[destination]"]: r.params for r in sent_payments(localstripe)}
    assert sent[f"acct_farm{producer.pk}"]["amount"] == "480"
    assert sent[f"acct_farm{dairy.pk}"]["amount"] == "500"
    for params in sent.values():
        assert params["on_behalf_of"] == params["transfer_data[destination]"]
        assert params["capture_method"] == "manual"
    assert {row.state for row in OrderPayment.objects.filter(order=order)} == {"captured"}
    paid = LedgerEntry.objects.filter(order=order, kind=EntryKind.PAID, method="card")
    assert sorted(entry.amount for entry in paid) == [Decimal("-5.00"), Decimal("-4.80")]
    assert sum(entry.amount for entry in LedgerEntry.objects.balance_kinds()) == 0
    assert StockRecord.objects.get(product=carrots).net_stock_level == 1


def test_declined_card_places_no_order_and_keeps_the_stock(client, member, farms, localstripe):
    _, _, carrots, eggs = farms
    client.force_login(member)
    fill_basket(client, (carrots, 3), (eggs, 1))
    setup_id = card_saved(client, localstripe, DECLINED_WHEN_CHARGED)

    response = authorise(client, setup_id)

    assert response.json()["error"] == str(gateway.member_message("card_declined"))
    # The order form is then not sent by the page; sent anyway, it places nothing.
    response = place(client, setup_id)
    assert response.request["PATH_INFO"] == reverse("checkout:preview")
    assert not Order.objects.exists()
    assert StockRecord.objects.get(product=carrots).net_stock_level == 3
    assert client.get(reverse("basket:summary")).context["basket"].num_items == 4
    # The card was refused at the first producer: the second was never asked.
    assert len(sent_payments(localstripe)) == 1
    assert not LedgerEntry.objects.exists()


def test_a_part_the_member_could_not_confirm_lets_go_of_the_others(
    client, member, farms, localstripe
):
    _, _, carrots, eggs = farms
    client.force_login(member)
    fill_basket(client, (carrots, 1), (eggs, 1))
    setup_id = card_saved(client, localstripe, NEEDS_3DS)

    first, second = authorise(client, setup_id).json()["to_confirm"]
    localstripe.authenticate(first)
    localstripe.authenticate(second, success=False)
    response = place(client, setup_id)

    assert response.request["PATH_INFO"] == reverse("checkout:preview")
    assert not Order.objects.exists()
    states = sorted(OrderPayment.objects.values_list("state", flat=True))
    assert states == [OrderPaymentState.CANCELLED, OrderPaymentState.FAILED]
    assert localstripe.sent("POST", f"/v1/payment_intents/{first.split('_secret_')[0]}/cancel")
    assert StockRecord.objects.get(product=carrots).net_stock_level == 3


def test_parts_confirmed_with_the_bank_place_the_order(client, member, farms, localstripe):
    _, _, carrots, eggs = farms
    client.force_login(member)
    fill_basket(client, (carrots, 1), (eggs, 1))
    setup_id = card_saved(client, localstripe, NEEDS_3DS)
    for secret in authorise(client, setup_id).json()["to_confirm"]:
        localstripe.authenticate(secret)

    response = place(client, setup_id)

    assert response.request["PATH_INFO"] == reverse("checkout:thank-you")
    assert set(OrderPayment.objects.values_list("state", flat=True)) == {"captured"}


def test_stock_gone_while_paying_lets_go_of_the_card(client, member, farms, localstripe):
    _, _, carrots, eggs = farms
    client.force_login(member)
    fill_basket(client, (carrots, 3), (eggs, 1))
    setup_id = card_saved(client, localstripe)
    authorise(client, setup_id)
    StockRecord.objects.filter(product=carrots).update(num_in_stock=1)  # sold meanwhile

    response = place(client, setup_id)

    assert response.request["PATH_INFO"] == reverse("basket:summary")
    assert not Order.objects.exists()
    assert set(OrderPayment.objects.values_list("state", flat=True)) == {"cancelled"}
    assert not [r for r in localstripe.requests if r.path.endswith("/capture")]


def test_the_same_authorisation_sent_twice_authorises_once(client, member, farms, localstripe):
    _, _, carrots, _ = farms
    client.force_login(member)
    fill_basket(client, (carrots, 1))
    setup_id = card_saved(client, localstripe)
    authorise(client, setup_id)
    authorise(client, setup_id)

    assert OrderPayment.objects.count() == 1
    keys = {r.idempotency_key for r in sent_payments(localstripe)}
    assert len(keys) == 1
    assert len(localstripe.client.v1.payment_intents.list().data) == 1


def test_order_cancelled_before_the_cutoff_is_refunded_once(
    client, member, farms, localstripe, django_capture_on_commit_callbacks
):
    _, _, carrots, eggs = farms
    client.force_login(member)
    fill_basket(client, (carrots, 2), (eggs, 1))
    with django_capture_on_commit_callbacks(execute=True):
        pay_by_card(client, localstripe)
    order = Order.objects.get()

    with django_capture_on_commit_callbacks(execute=True):
        cancel_order_before_cutoff(member, order.number)
    settle_order_refunds(order.pk)

    refunds = localstripe.sent("POST", "/v1/refunds")
    assert sorted(r.params["amount"] for r in refunds) == ["480", "500"]
    refunded = LedgerEntry.objects.filter(order=order, kind=EntryKind.REFUNDED, method="card")
    assert sum(entry.amount for entry in refunded) == Decimal("9.80")
    assert sum(entry.amount for entry in LedgerEntry.objects.balance_kinds()) == 0
    assert order.sources.get().amount_refunded == Decimal("9.80")
    assert StockRecord.objects.get(product=carrots).net_stock_level == 3


def test_a_cancelled_line_is_refunded_for_its_part(
    client, member, farms, localstripe, django_capture_on_commit_callbacks
):
    _, _, carrots, eggs = farms
    client.force_login(member)
    fill_basket(client, (carrots, 2), (eggs, 1))
    with django_capture_on_commit_callbacks(execute=True):
        pay_by_card(client, localstripe)
    order = Order.objects.get()

    with django_capture_on_commit_callbacks(execute=True):
        order.lines.get(title="Œufs").set_status("cancelled")

    (refund,) = localstripe.sent("POST", "/v1/refunds")
    assert refund.params["amount"] == "500"
    assert refund.params["reverse_transfer"] == "true"


def test_a_cancelled_distribution_day_refunds_its_orders(
    client, member, farms, localstripe, django_capture_on_commit_callbacks, settings
):
    _, _, carrots, _ = farms
    client.force_login(member)
    fill_basket(client, (carrots, 2))
    with django_capture_on_commit_callbacks(execute=True):
        pay_by_card(client, localstripe)
    order = Order.objects.get()
    day = DistributionDay.objects.get()
    staff = UserFactory(is_staff=True)

    with django_capture_on_commit_callbacks(execute=True):
        cancel_distribution_day(staff, day.pk, reason="Tempête annoncée")

    order.refresh_from_db()
    assert order.status == "cancelled"
    (refund,) = localstripe.sent("POST", "/v1/refunds")
    assert refund.params["amount"] == "480"


def test_stripe_out_of_reach_at_capture_takes_it_in_the_hourly_run(
    client, member, farms, localstripe, settings, clock, monkeypatch
):
    _, _, carrots, _ = farms
    client.force_login(member)
    fill_basket(client, (carrots, 1))
    setup_id = card_saved(client, localstripe)
    authorise(client, setup_id)
    real_capture = gateway.capture_payment

    def out_of_reach(*args, **kwargs):
        raise gateway.GatewayUnavailable("down", code="unavailable")

    monkeypatch.setattr(gateway, "capture_payment", out_of_reach)
    response = place(client, setup_id)
    assert response.request["PATH_INFO"] == reverse("checkout:thank-you")
    assert OrderPayment.objects.get().state == OrderPaymentState.AUTHORISED

    monkeypatch.setattr(gateway, "capture_payment", real_capture)
    clock.now += dt.timedelta(minutes=30)
    assert resume_order_payments() == 1
    assert resume_order_payments() == 0
    assert OrderPayment.objects.get().state == OrderPaymentState.CAPTURED
    assert LedgerEntry.objects.filter(kind=EntryKind.PAID).count() == 1


def test_an_authorisation_never_placed_is_let_go_after_an_hour(
    client, member, farms, localstripe, clock
):
    _, _, carrots, _ = farms
    client.force_login(member)
    fill_basket(client, (carrots, 1))
    authorise(client, card_saved(client, localstripe))

    clock.now += dt.timedelta(minutes=30)
    assert resume_order_payments() == 0
    clock.now += dt.timedelta(hours=1)
    assert resume_order_payments() == 1
    assert OrderPayment.objects.get().state == OrderPaymentState.CANCELLED


def test_without_stripe_keys_card_is_not_offered(client, member, farms, settings):
    _, _, carrots, _ = farms
    settings.STRIPE_SECRET_KEY = settings.STRIPE_PUBLISHABLE_KEY = ""
    client.force_login(member)
    fill_basket(client, (carrots, 1))

    preview = client.get(reverse("checkout:preview"))
    assert preview.context["payment_methods"] == {}
    assert b"pay-by-card" not in preview.content
    response = client.post(
        reverse("checkout:preview"),
        {"action": "place_order", "payment_method": "card", "setup_intent": "seti_x"},
        follow=True,
    )
    assert response.request["PATH_INFO"] == reverse("checkout:preview")
    assert not Order.objects.exists()
    assert "error" in client.post(reverse("payments:order-card-start")).json()


@pytest.mark.parametrize("account", ["none", "onboarding not done"])
def test_a_producer_not_taking_cards_means_pay_at_pickup(
    client, member, farms, localstripe, account
):
    producer, _, carrots, _ = farms
    accounts = ProducerAccount.objects.filter(producer=producer)
    accounts.delete() if account == "none" else accounts.update(ready=False)
    client.force_login(member)
    fill_basket(client, (carrots, 1))

    assert client.get(reverse("checkout:preview")).context["payment_methods"] == {}


def test_someone_elses_card_cannot_pay(client, member, farms, localstripe):
    _, _, carrots, _ = farms
    client.force_login(UserFactory())
    fill_basket(client, (carrots, 1))
    setup_id = card_saved(client, localstripe)
    client.force_login(member)
    fill_basket(client, (carrots, 1))

    response = authorise(client, setup_id)

    assert response.json()["error"]
    assert not OrderPayment.objects.exists()


def test_another_card_after_a_decline_pays(client, member, farms, localstripe):
    _, _, carrots, eggs = farms
    client.force_login(member)
    fill_basket(client, (carrots, 1), (eggs, 1))
    declined = card_saved(client, localstripe, DECLINED_WHEN_CHARGED)
    assert "error" in authorise(client, declined).json()

    response = pay_by_card(client, localstripe)

    assert response.request["PATH_INFO"] == reverse("checkout:thank-you")
    paid = OrderPayment.objects.filter(order=Order.objects.get())
    assert sorted(str(row.amount) for row in paid) == ["2.40", "5.00"]
    assert {row.attempt for row in paid} != {declined}
