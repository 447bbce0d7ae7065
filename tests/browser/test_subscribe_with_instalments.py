"""A member with a place in a season, on their phone, chooses to pay it in 3 monthly instalments
by card: "Mes paiements" sends them to the page that saves the card, where they type it into
(localstripe's) Stripe.js card field; a declined card is said in the page, the test card is
saved and their schedule shows it. The nightly charge run then pays the first instalment.
Each page fits 320 px and axe finds nothing serious on it."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from marketplace.payments.models import ContractPaymentTerms, InstalmentState, ProducerAccount
from marketplace.payments.services.charges import charge_due_instalments
from tests.browser.conftest import (
    assert_fits_width,
    assert_no_page_errors,
    check_accessibility,
    either,
)
from tests.browser.test_catalogue_journey import sign_in, visit
from tests.factories import UserFactory
from tests.payments.conftest import localstripe, localstripe_server  # noqa: F401 (fixtures)
from tests.payments.online import DEC_1, morning_of
from tests.payments.world import NOW, point_on_tuesdays, ten_tuesdays

pytestmark = [pytest.mark.browser, pytest.mark.now(NOW)]


def type_card(page, number: str, field: str = "#method-element") -> None:
    """localstripe's fake card field: plain inputs named by their placeholders (the real one is
    Stripe's frame)."""
    field = page.locator(field)
    for name, value in (
        ("number", number),
        ("exp_month", "12"),
        ("exp_year", "34"),
        ("cvc", "123"),
        ("postal_code", "35000"),
    ):
        input_ = field.locator(f"input[placeholder={name}]")
        input_.fill("")
        input_.fill(value)


def check_save_page(page) -> None:
    # The fake card field's inputs have no labels (Stripe's real frame labels its own): left out.
    check_accessibility(page, exclude=["#method-element"])
    assert_fits_width(page)


def test_a_member_subscribes_with_instalments_by_card(
    new_page,
    transactional_db,
    localstripe,  # noqa: F811 (the fixture imported above)
    clock,
):
    member = UserFactory(first_name="Maëlle", last_name="Le Goff-Kervarec")
    subscription = ten_tuesdays(point_on_tuesdays(), price="10.00", member=member)
    ContractPaymentTerms.objects.create(
        contract=subscription.contract, methods=["card", "sepa_debit", "cheque"]
    )
    producer = subscription.contract.plan.producer
    ProducerAccount.objects.create(producer=producer, account_id=f"acct_farm{producer.pk}")

    page = new_page(phone=True)
    sign_in(page, member.email, phone=True)
    page.goto(reverse("payments:mine"))
    visit(page, phone=True)
    page.get_by_label(either("3 monthly instalments", "3 mensualités")).check()
    page.get_by_label(either("card", "carte"), exact=True).check()
    page.get_by_role("button", name=either("Choose this way of paying", "Choisir")).click()

    expect(page).to_have_url(reverse("payments:save-method", args=[subscription.pk]))
    expect(page.locator("#save-method")).to_be_visible()
    expect(page.locator("#save-method-needs-js")).to_be_hidden()
    check_save_page(page)
    save = page.get_by_role("button", name=either("Save my card", "Enregistrer ma carte"))

    type_card(page, "4000000000000002")  # declined when saved
    save.click()
    expect(page.get_by_role("alert").filter(has_text="declined")).to_be_visible()
    assert not type(subscription.payment).objects.get(pk=subscription.payment.pk).saved_method_id

    type_card(page, "4242424242424242")
    save.click()

    expect(page).to_have_url(f"{reverse('payments:mine')}#subscription-{subscription.pk}")
    expect(page.locator("main")).to_contain_text("Visa •••• 4242")
    expect(page.locator("main")).to_contain_text("33,34")
    visit(page, phone=True)
    payment = type(subscription.payment).objects.get(pk=subscription.payment.pk)
    assert (payment.saved_method_brand, payment.saved_method_last4) == ("visa", "4242")

    clock.now = morning_of(DEC_1)
    charge_due_instalments()

    assert payment.instalments.get(number=1).state == InstalmentState.PAID
    assert payment.instalments.get(number=2).state == InstalmentState.DUE
    assert_no_page_errors(page)
