"""The page where a member saves the card or the IBAN their instalments are charged on, against
localstripe: the SetupIntent it starts, what the site keeps once Stripe.js confirmed it (done
here server-side, as Stripe.js would), what it refuses, and "Mes paiements" showing it."""

import pytest
from django.urls import reverse
from django.utils import translation

from marketplace.payments import gateway
from marketplace.payments.models import (
    Charge,
    ContractPaymentTerms,
    PaymentMethod,
    PaymentPlan,
    ProducerAccount,
    SubscriptionPayment,
)
from marketplace.payments.services import schedule_subscription_payments
from marketplace.payments.services.charges import charge_due_instalments
from marketplace.payments.views.saved_method import mandate_texts
from tests.factories import UserFactory
from tests.payments.online import DEC_1, GOOD_IBAN, NEEDS_3DS, morning_of, online_subscription
from tests.payments.world import NOW, TODAY, ten_tuesdays

pytestmark = [pytest.mark.django_db, pytest.mark.now(NOW)]

DECLINED_WHEN_SAVED = "4000000000000002"


def season_paid_online(point, method=PaymentMethod.CARD, *, member=None):
    """A member's season of 100.00 € in 3 monthly instalments, by card or debit still to save,
    for a producer with a connected account."""
    subscription = ten_tuesdays(point, price="10.00", member=member)
    ContractPaymentTerms.objects.create(
        contract=subscription.contract, methods=["card", "sepa_debit", "cheque"]
    )
    producer = subscription.contract.plan.producer
    ProducerAccount.objects.create(producer=producer, account_id=f"acct_farm{producer.pk}")
    schedule_subscription_payments(subscription, PaymentPlan.THREE_MONTHLY, method, today=TODAY)
    return subscription


def page_of(subscription) -> str:
    return reverse("payments:save-method", args=[subscription.pk])


def client_secret_in(page: str) -> str:
    return page.split('data-client-secret="', 1)[1].split('"', 1)[0]


def setup_id_of(client_secret: str) -> str:
    return client_secret.split("_secret_")[0]


def open_page(client, subscription, query="") -> tuple[str, str]:
    """The page as the member's browser gets it, and the SetupIntent it started."""
    client.force_login(subscription.member)
    response = client.get(page_of(subscription) + query)
    assert response.status_code == 200
    page = response.content.decode()
    return page, setup_id_of(client_secret_in(page))


def test_the_member_saves_a_card_and_sees_it_in_my_payments(localstripe, point, client):
    subscription = season_paid_online(point)
    page, setup_id = open_page(client, subscription)

    assert setup_id.startswith("seti_")
    assert localstripe.js_url in page
    assert "js/save_method.js" in page
    assert 'data-method="card"' in page
    assert "<script>" not in page.replace(" ", "")  # no inline script (the CSP forbids them)
    # Reloaded, the page shows the same SetupIntent: one per attempt, not one per visit.
    assert setup_id_of(client_secret_in(client.get(page_of(subscription)).content.decode())) == (
        setup_id
    )
    assert len(localstripe.sent("POST", "/v1/setup_intents")) == 1
    # What Stripe.js does in the browser: the card typed in, the SetupIntent confirmed.
    gateway.confirm_setup_intent(setup_id, payment_method_id=localstripe.card())

    response = client.post(page_of(subscription), {"setup_intent": setup_id})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("payments:mine"))
    payment = SubscriptionPayment.objects.get()
    assert payment.method == PaymentMethod.CARD
    assert payment.setup_intent_id == setup_id
    assert payment.saved_method_id.startswith("pm_")
    assert (payment.saved_method_brand, payment.saved_method_last4) == ("visa", "4242")
    assert payment.mandate_text == "" and payment.mandate_accepted_at is None
    with translation.override("en"):
        mine = client.get(reverse("payments:mine")).content.decode()
    assert "Visa •••• 4242" in mine
    assert page_of(subscription) in mine  # to change it


def test_a_sepa_debit_keeps_the_mandate_the_member_accepted(localstripe, point, client, clock):
    subscription = season_paid_online(point, PaymentMethod.SEPA_DEBIT)
    producer = subscription.contract.plan.producer
    page, setup_id = open_page(client, subscription)
    french, english = mandate_texts(producer.name)

    assert 'data-method="sepa_debit"' in page
    assert f'data-billing-email="{subscription.member.email}"' in page
    assert producer.name in french and producer.name in english
    for text in (french, english):
        assert text.replace("'", "&#x27;") in page
    mandate = gateway.MandateAcceptance("192.0.2.10", "Firefox", clock.now)
    gateway.confirm_setup_intent(
        setup_id, payment_method_id=localstripe.iban(GOOD_IBAN), mandate=mandate
    )

    client.post(
        page_of(subscription),
        {"setup_intent": setup_id},
        REMOTE_ADDR="198.51.100.7",
        HTTP_USER_AGENT="Mozilla/5.0 (Android) Firefox/140",
    )

    payment = SubscriptionPayment.objects.get()
    assert payment.method == PaymentMethod.SEPA_DEBIT
    assert payment.saved_method_last4 == "3000"
    assert payment.mandate_text == f"{french}\n\n{english}"
    assert payment.mandate_accepted_at == clock.now
    assert payment.mandate_ip_address == "198.51.100.7"
    assert payment.mandate_user_agent == "Mozilla/5.0 (Android) Firefox/140"
    with translation.override("en"):
        assert "IBAN •••• 3000" in client.get(reverse("payments:mine")).content.decode()


def test_a_declined_card_saves_nothing(localstripe, point, client):
    subscription = season_paid_online(point)
    _, setup_id = open_page(client, subscription)
    with pytest.raises(gateway.GatewayError):  # Stripe.js shows the refusal in the page
        gateway.confirm_setup_intent(
            setup_id, payment_method_id=localstripe.card(DECLINED_WHEN_SAVED)
        )

    response = client.post(page_of(subscription), {"setup_intent": setup_id}, follow=True)

    assert response.redirect_chain[-1][0] == page_of(subscription)
    payment = SubscriptionPayment.objects.get()
    assert payment.saved_method_id == "" and payment.setup_intent_id == ""
    assert [str(m) for m in response.context["messages"]]  # said in the page


def test_someone_elses_setup_intent_is_refused(localstripe, point, client):
    other = season_paid_online(point)
    _, others_setup = open_page(client, other)
    gateway.confirm_setup_intent(others_setup, payment_method_id=localstripe.card())
    subscription = season_paid_online(point)
    open_page(client, subscription)  # the member has a Stripe customer of their own

    client.post(page_of(subscription), {"setup_intent": others_setup})
    client.post(page_of(subscription), {"setup_intent": "not-a-setup-intent"})

    assert not SubscriptionPayment.objects.exclude(setup_intent_id="").exists()


def test_only_the_member_may_use_the_page(localstripe, point, client):
    subscription = season_paid_online(point)
    coordinator = UserFactory()
    subscription.contract.coordinators.add(coordinator)

    for someone in (UserFactory(), coordinator):
        client.force_login(someone)
        assert client.get(page_of(subscription)).status_code == 404
        assert client.post(page_of(subscription), {"setup_intent": "seti_x"}).status_code == 404
    assert not localstripe.sent("POST", "/v1/setup_intents")
    client.logout()
    assert client.get(page_of(subscription)).status_code == 302  # to sign in


def test_choosing_a_card_leads_to_the_page_and_a_debit_can_be_chosen_there(
    localstripe, point, client
):
    subscription = ten_tuesdays(point, price="10.00")
    ContractPaymentTerms.objects.create(
        contract=subscription.contract, methods=["card", "sepa_debit", "cheque"]
    )
    producer = subscription.contract.plan.producer
    ProducerAccount.objects.create(producer=producer, account_id=f"acct_farm{producer.pk}")
    client.force_login(subscription.member)

    response = client.post(
        reverse("payments:choose-plan", args=[subscription.pk]),
        {"plan": PaymentPlan.THREE_MONTHLY, "method": PaymentMethod.CARD, "next": "/paiements/"},
    )

    assert response["Location"] == page_of(subscription)
    page = client.get(page_of(subscription) + "?method=sepa_debit").content.decode()
    assert 'data-method="sepa_debit"' in page
    assert "?method=card" in page
    assert 'value="cheque"' in page  # paying the coordinator instead, without JavaScript

    client.post(
        reverse("payments:choose-plan", args=[subscription.pk]),
        {"plan": PaymentPlan.THREE_MONTHLY, "method": PaymentMethod.CHEQUE, "next": "/paiements/"},
    )
    assert SubscriptionPayment.objects.get().method == PaymentMethod.CHEQUE


def test_a_charge_waiting_for_the_member_links_to_its_confirmation(
    localstripe, point, client, clock
):
    subscription = online_subscription(localstripe, point, card=NEEDS_3DS)
    clock.now = morning_of(DEC_1)
    charge_due_instalments()
    charge = Charge.objects.get()

    client.force_login(subscription.member)
    mine = client.get(reverse("payments:mine")).content.decode()

    assert reverse("payments:confirm-charge", args=[charge.pk]) in mine


def test_without_stripe_keys_card_and_debit_are_hidden_and_the_page_is_not_found(
    settings, point, client
):
    settings.STRIPE_SECRET_KEY = settings.STRIPE_PUBLISHABLE_KEY = ""
    subscription = ten_tuesdays(point, price="10.00")
    ContractPaymentTerms.objects.create(
        contract=subscription.contract, methods=["card", "sepa_debit", "cheque"]
    )
    client.force_login(subscription.member)

    mine = client.get(reverse("payments:mine")).content.decode()

    assert 'value="cheque"' in mine
    assert 'value="card"' not in mine and 'value="sepa_debit"' not in mine
    schedule_subscription_payments(
        subscription, PaymentPlan.THREE_MONTHLY, PaymentMethod.CHEQUE, today=TODAY
    )
    assert client.get(page_of(subscription)).status_code == 404
    assert client.post(page_of(subscription), {"setup_intent": "seti_x"}).status_code == 404
