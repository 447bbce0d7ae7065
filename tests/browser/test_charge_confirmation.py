"""An instalment charged in the night that the member's bank wants them to confirm: from the
link of their email, on their phone, they confirm it in (localstripe's) Stripe.js, and the page
says it is paid. The page fits 320 px and axe finds nothing serious on it."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from marketplace.payments.models import Charge, InstalmentState
from marketplace.payments.services.charges import charge_due_instalments
from tests.browser.conftest import assert_no_page_errors, either
from tests.browser.test_catalogue_journey import sign_in, visit
from tests.factories import UserFactory
from tests.payments.conftest import localstripe, localstripe_server  # noqa: F401 (fixtures)
from tests.payments.online import DEC_1, NEEDS_3DS, morning_of, online_subscription
from tests.payments.world import NOW, point_on_tuesdays

pytestmark = [pytest.mark.browser, pytest.mark.now(NOW)]


def test_a_member_confirms_a_charge_their_bank_asked_about(
    new_page,
    transactional_db,
    localstripe,  # noqa: F811 (the fixture imported above)
    clock,
):
    member = UserFactory(first_name="Maëlle", last_name="Le Goff-Kervarec")
    subscription = online_subscription(
        localstripe, point_on_tuesdays(), card=NEEDS_3DS, member=member
    )
    clock.now = morning_of(DEC_1)
    charge_due_instalments()
    charge = Charge.objects.get()

    page = new_page(phone=True)
    sign_in(page, member.email, phone=True)
    page.goto(reverse("payments:confirm-charge", args=[charge.pk]))
    visit(page, phone=True)
    expect(page.locator("main")).to_contain_text("33,34")
    page.get_by_role(
        "button", name=either("Confirm the payment with my bank", "Confirmer le paiement")
    ).click()
    page.get_by_role("button", name="Complete authentication").click()  # the bank's 3-D Secure

    expect(page.locator("main")).to_contain_text(
        either("This instalment is paid", "Cette échéance est payée")
    )
    visit(page, phone=True)
    assert subscription.payment.instalments.get(number=1).state == InstalmentState.PAID
    assert_no_page_errors(page)
