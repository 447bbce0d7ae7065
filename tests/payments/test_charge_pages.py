"""What members and coordinators see of the nightly charges: the email and the page where a
member confirms a charge their bank asks about (3-D Secure), and failed charges in the
overdue list."""

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from marketplace.payments import gateway
from marketplace.payments.models import Charge, ChargeState, EntryKind, InstalmentState, LedgerEntry
from marketplace.payments.services.charges import charge_due_instalments
from tests.factories import UserFactory
from tests.payments.online import (
    DEC_1,
    DECLINED_WHEN_CHARGED,
    FIRST,
    NEEDS_3DS,
    first_instalment,
    morning_of,
    online_subscription,
    payment_intents_sent,
    run_task,
)
from tests.payments.world import NOW

pytestmark = [pytest.mark.django_db, pytest.mark.now(NOW)]


def test_a_card_needing_3d_secure_waits_for_the_member_who_confirms_it(
    localstripe, point, clock, client, django_capture_on_commit_callbacks
):
    subscription = online_subscription(localstripe, point, card=NEEDS_3DS)
    clock.now = morning_of(DEC_1)

    run_task(django_capture_on_commit_callbacks)
    run_task(django_capture_on_commit_callbacks)

    instalment = first_instalment(subscription)
    assert instalment.state == InstalmentState.REQUIRES_ACTION
    charge = Charge.objects.get()
    assert charge.state == ChargeState.REQUIRES_ACTION
    assert charge.payment_intent_id.startswith("pi_")
    assert len(payment_intents_sent(localstripe)) == 1
    (email,) = mail.outbox
    link = reverse("payments:confirm-charge", args=[charge.pk])
    assert link in email.body
    assert link in email.alternatives[0][0]

    client.force_login(subscription.member)
    with translation.override("fr"):
        page = client.get(link).content.decode()
    assert "33,34" in page
    assert 'id="confirm-charge"' in page
    assert localstripe.js_url in page
    client_secret = gateway.retrieve_payment(charge.payment_intent_id).client_secret
    assert client_secret in page

    localstripe.authenticate(client_secret)  # the member answers their bank in Stripe.js
    client.post(link)

    instalment.refresh_from_db()
    assert instalment.state == InstalmentState.PAID
    assert Charge.objects.get().state == ChargeState.SUCCEEDED
    assert LedgerEntry.objects.get(kind=EntryKind.PAID).amount == -FIRST
    assert "confirm-charge" not in client.get(link).content.decode()


def test_nobody_sees_the_confirmation_page_of_someone_elses_charge(
    localstripe, point, clock, client
):
    online_subscription(localstripe, point, card=NEEDS_3DS)
    clock.now = morning_of(DEC_1)
    charge_due_instalments()
    client.force_login(UserFactory())

    assert (
        client.get(reverse("payments:confirm-charge", args=[Charge.objects.get().pk])).status_code
        == 404
    )


def test_the_overdue_list_shows_a_failed_charge_to_the_coordinator(
    localstripe, point, clock, client
):
    subscription = online_subscription(localstripe, point, card=DECLINED_WHEN_CHARGED)
    coordinator = UserFactory()
    subscription.contract.coordinators.add(coordinator)
    clock.now = morning_of(DEC_1)
    charge_due_instalments()
    client.force_login(coordinator)

    with translation.override("fr"):
        page = client.get(reverse("payments:overdue")).content.decode()

    assert subscription.member.email in page
    assert "1 décembre 2026" in page
    assert "échoué" in page or "failed" in page
    assert str(gateway.member_message("card_declined")).replace("'", "&#x27;") in page
    assert "2 décembre" in page
