"""The payment pages on a phone: a member chooses how to pay and sees their schedule, a
coordinator records a cheque, the treasurer hands it over and reads the overdue list; each page
fits 320 px and axe finds nothing serious on it (``visit``)."""

import datetime as dt

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from playwright.sync_api import expect

from marketplace.payments.models import InstalmentState, ManualPayment
from tests.browser.conftest import assert_no_page_errors, either
from tests.browser.test_catalogue_journey import sign_in, visit
from tests.factories import UserFactory
from tests.payments.world import NOW, point_on_tuesdays, ten_tuesdays

pytestmark = [pytest.mark.browser, pytest.mark.now(NOW)]


@pytest.fixture
def season(transactional_db):
    member = UserFactory(first_name="Maëlle", last_name="Le Goff-Kervarec")
    subscription = ten_tuesdays(point_on_tuesdays(), price="10.00", member=member)
    coordinator = UserFactory(first_name="Claire", last_name="Référente")
    subscription.contract.coordinators.add(coordinator)
    # Not staff (staff sign in to the dashboard): the treasurer's permission.
    treasurer = UserFactory(first_name="Tom", last_name="Trésorier")
    treasurer.user_permissions.add(Permission.objects.get(codename="hand_over_payments"))
    return subscription, member, coordinator, treasurer


def test_a_season_paid_by_cheque_from_the_members_phone_to_the_treasurer(new_page, season, clock):
    subscription, member, coordinator, treasurer = season

    page = new_page(phone=True)
    sign_in(page, member.email, phone=True)
    page.goto(reverse("payments:mine"))
    visit(page, phone=True)
    page.get_by_label(either("3 monthly instalments", "3 mensualités")).check()
    page.get_by_label(either("cheque", "chèque"), exact=True).check()
    page.get_by_role("button", name=either("Choose this way of paying", "Choisir")).click()
    visit(page, phone=True)
    expect(page.locator("main")).to_contain_text("33,34")
    expect(page.locator("main")).to_contain_text("100,00")

    page = new_page(phone=True)
    sign_in(page, coordinator.email, phone=True)
    page.goto(reverse("payments:coordination"))
    visit(page, phone=True)
    page.get_by_role("link", name=either("Record a payment", "Enregistrer un paiement")).click()
    visit(page, phone=True)
    page.locator("#id_method").select_option("cheque")
    page.locator("#id_amount").fill("33,34")
    page.locator("#id_cheque_number").fill("0004521")
    page.locator("#id_bank").fill("Crédit Mutuel de Bretagne")
    page.get_by_role("button", name=either("Record the payment", "Enregistrer le paiement")).click()
    visit(page, phone=True)
    expect(page.locator("main")).to_contain_text("66,66")
    assert subscription.payment.instalments.get(number=1).state == InstalmentState.PAID

    clock.now = NOW + dt.timedelta(days=45)  # the January instalment is late
    page = new_page(phone=True)
    sign_in(page, treasurer.email, phone=True)
    page.goto(reverse("payments:hand-over"))
    visit(page, phone=True)
    page.locator("input[name=payments]").check()
    page.get_by_role("button", name=either("Mark the ticked", "Marquer remis")).click()
    visit(page, phone=True)
    assert ManualPayment.objects.get().handed_over_by == treasurer
    page.goto(reverse("payments:overdue"))
    visit(page, phone=True)
    expect(page.locator("main")).to_contain_text(member.email)
    assert_no_page_errors(page)
