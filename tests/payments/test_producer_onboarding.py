"""A producer opening their Stripe account from their space to receive card and SEPA debit
payments, against localstripe (whose proxy stands in for Connect: tests/payments/
localstripe_connect.py): the account opened and kept, Stripe's onboarding and where it stands
on the way back; nobody else's; nothing breaks without the keys."""

import html
import http.client
from urllib.parse import urlencode, urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from marketplace.payments import gateway
from marketplace.payments.models import ProducerAccount
from marketplace.payments.services.webhooks import receive_event
from tests.factories import ProducerFactory, UserFactory

pytestmark = pytest.mark.django_db

NOT_SET_UP = (
    "Card payment and SEPA direct debit are not set up on this site. Members pay you by cheque, "
    "cash, bank transfer or local currency, and their coordinators record it."
)
NOT_COMPLETE = (
    "Your account is not complete yet: Stripe still needs some details before members can pay "
    "you online."
)
UNDER_REVIEW = (
    "You have sent your details and Stripe is checking them. Card and debit payments open as soon "
    "as it is done."
)
READY = "Your account is ready: members can pay you by card and SEPA direct debit."
UNREACHABLE = "Stripe cannot be reached right now. Try again in a few minutes."


@pytest.fixture
def farmer():
    return UserFactory(email="paysan@example.org")


@pytest.fixture
def producer(farmer):
    return ProducerFactory(users=[farmer], contact_email="ferme@example.org")


def page_url(producer) -> str:
    return reverse("payments:stripe-account", kwargs={"producer_id": producer.pk})


def start_url(producer) -> str:
    return reverse("payments:stripe-onboarding", kwargs={"producer_id": producer.pk})


def return_url(producer) -> str:
    return reverse("payments:stripe-onboarding-return", kwargs={"producer_id": producer.pk})


def text_of(response) -> str:
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def on_stripe(link: str, outcome: str | None) -> tuple[int, str]:
    """The producer on the (stand-in) onboarding page: the details submitted with ``outcome``
    (``ready``, ``review``), or the page only; the status and where the browser is sent."""
    target = urlsplit(link)
    connection = http.client.HTTPConnection(target.hostname, target.port, timeout=10)
    try:
        if outcome is None:
            connection.request("GET", target.path)
        else:
            body = urlencode({"outcome": outcome})
            connection.request(
                "POST",
                target.path,
                body=body,
                headers={"Content-Type": "application/x-www-form-urlencoded"},
            )
        response = connection.getresponse()
        response.read()
        return response.status, response.getheader("Location") or ""
    finally:
        connection.close()


def test_the_producer_opens_an_account_and_is_sent_to_stripe(localstripe, client, producer):
    client.force_login(producer.partner.users.get())
    assert gettext("Open my Stripe account") in text_of(client.get(page_url(producer)))

    response = client.post(start_url(producer))

    account = ProducerAccount.objects.get(producer=producer)
    assert account.account_id.startswith("acct_")
    assert response.status_code == 302
    assert response["Location"] == (
        f"{localstripe.api_base}/connect/onboarding/{account.account_id}"
    )
    (opened,) = localstripe.sent("POST", "/v1/accounts")
    assert opened.params["type"] == "express"
    assert opened.params["country"] == "FR"
    assert opened.params["email"] == "ferme@example.org"
    for capability in ("card_payments", "transfers", "sepa_debit_payments"):
        assert opened.params[f"capabilities[{capability}][requested]"] == "true"
    assert opened.params["metadata[producer]"] == str(producer.pk)
    assert opened.idempotency_key == f"producer-{producer.pk}-connected-account"
    (link,) = localstripe.sent("POST", "/v1/account_links")
    assert link.params["account"] == account.account_id
    assert link.params["type"] == "account_onboarding"
    assert link.params["return_url"] == f"http://testserver{return_url(producer)}"
    assert link.params["refresh_url"].endswith(
        reverse("payments:stripe-onboarding-refresh", kwargs={"producer_id": producer.pk})
    )


def test_the_return_page_says_where_the_account_stands(localstripe, client, producer):
    client.force_login(producer.partner.users.get())
    link = client.post(start_url(producer))["Location"]
    account_id = ProducerAccount.objects.get().account_id

    # Back from Stripe without finishing: a button to go on; members cannot pay by card yet.
    assert on_stripe(link, None)[0] == 200
    page = text_of(client.get(return_url(producer)))
    assert gettext(NOT_COMPLETE) in page
    assert not ProducerAccount.objects.get().ready
    assert gettext("Continue my Stripe onboarding") in page
    assert account_id in page
    assert localstripe.sent("GET", f"/v1/accounts/{account_id}")

    # Details sent, Stripe checking them.
    assert on_stripe(link, "review") == (303, f"http://testserver{return_url(producer)}")
    page = text_of(client.get(return_url(producer)))
    assert gettext(UNDER_REVIEW) in page
    assert gettext("Continue my Stripe onboarding") not in page

    # Onboarding done: card and debit open.
    client.post(start_url(producer))
    assert on_stripe(link, "ready")[0] == 303
    page = text_of(client.get(return_url(producer)))
    assert gettext(READY) in page
    assert gettext("Open my Stripe account") not in page
    assert ProducerAccount.objects.get().ready


def test_stripe_saying_the_account_is_ready_opens_card_payment(localstripe, client, producer):
    client.force_login(producer.partner.users.get())
    link = client.post(start_url(producer))["Location"]
    on_stripe(link, "ready")
    account_id = ProducerAccount.objects.get().account_id
    event = gateway.WebhookEvent(
        id="evt_account_ready",
        type="account.updated",
        created=timezone.now(),
        object={"id": account_id, "object": "account"},
    )

    receive_event(event)
    receive_event(event)

    assert ProducerAccount.objects.get().ready


def test_going_on_keeps_the_same_account(localstripe, client, producer):
    client.force_login(producer.partner.users.get())
    first = client.post(start_url(producer))["Location"]
    refreshed = client.get(
        reverse("payments:stripe-onboarding-refresh", kwargs={"producer_id": producer.pk})
    )
    again = client.post(start_url(producer))["Location"]

    assert first == refreshed["Location"] == again
    assert ProducerAccount.objects.count() == 1
    assert len(localstripe.sent("POST", "/v1/accounts")) == 1
    assert len(localstripe.sent("POST", "/v1/account_links")) == 3


def test_staff_may_open_it_for_a_producer(localstripe, client, producer):
    client.force_login(UserFactory(is_staff=True))

    assert client.post(start_url(producer)).status_code == 302

    assert ProducerAccount.objects.filter(producer=producer).exists()
    # The producer's address, not the staff member's.
    assert localstripe.sent("POST", "/v1/accounts")[0].params["email"] == "ferme@example.org"


@pytest.mark.parametrize("who", ["another producer", "a member"])
def test_nobody_else_sees_or_opens_a_producers_account(localstripe, client, producer, who):
    other = UserFactory()
    if who == "another producer":
        ProducerFactory(users=[other])
    client.force_login(other)

    assert client.get(page_url(producer)).status_code == 404
    assert client.post(start_url(producer)).status_code == 404
    assert client.get(return_url(producer)).status_code == 404

    assert not ProducerAccount.objects.exists()
    assert not localstripe.sent("POST", "/v1/accounts")


def test_the_menu_entry_leads_a_producer_to_their_own_page_and_nobody_else(client, producer):
    client.force_login(producer.partner.users.get())
    response = client.get(reverse("payments:own-stripe-account"))
    assert response.status_code == 302 and response["Location"] == page_url(producer)

    client.force_login(UserFactory())
    assert client.get(reverse("payments:own-stripe-account")).status_code == 403
    client.logout()
    assert client.get(page_url(producer)).status_code == 302  # to sign in


def test_the_start_is_a_post(localstripe, client, producer):
    client.force_login(producer.partner.users.get())

    assert client.get(start_url(producer)).status_code == 405
    assert not ProducerAccount.objects.exists()


def test_an_account_entered_in_the_admin_is_shown_ready(localstripe, client, producer):
    ProducerAccount.objects.create(producer=producer, account_id="acct_1FermeDesPresVerts")
    client.force_login(producer.partner.users.get())

    page = text_of(client.get(page_url(producer)))

    assert gettext(READY) in page and "acct_1FermeDesPresVerts" in page
    assert not localstripe.sent("POST", "/v1/accounts")


def test_without_stripe_keys_the_page_says_so_and_nothing_is_opened(client, producer, settings):
    settings.STRIPE_SECRET_KEY = settings.STRIPE_PUBLISHABLE_KEY = ""
    client.force_login(producer.partner.users.get())

    page = text_of(client.get(page_url(producer)))
    response = client.post(start_url(producer))

    assert gettext(NOT_SET_UP) in page
    assert gettext("Open my Stripe account") not in page
    assert response.status_code == 302 and response["Location"] == page_url(producer)
    assert not ProducerAccount.objects.exists()


def test_stripe_out_of_reach_is_said_not_raised(localstripe, client, producer, settings):
    ProducerAccount.objects.create(producer=producer, account_id="acct_1FermeDesPresVerts")
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"  # nothing listens there
    settings.STRIPE_TIMEOUT = 1
    client.force_login(producer.partner.users.get())

    assert gettext(UNREACHABLE) in text_of(client.get(page_url(producer)))
    response = client.post(start_url(producer), follow=True)
    assert gettext(UNREACHABLE) in text_of(response)


def test_opening_an_account_twice_with_one_key_makes_one(localstripe):
    opened = [
        gateway.create_connected_account(email="ferme@example.org", idempotency_key="producer-7")
        for _ in range(2)
    ]

    assert opened[0] == opened[1]
    assert gateway.retrieve_connected_account(opened[0]).is_ready is False
