"""A producer reads December's statement on a phone, from their space's menu, and prepares its
PDF; the page fits 320 px and axe finds nothing serious on it (``visit``)."""

import datetime as dt

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from baskets.services import generate_basket_deliveries
from marketplace.payments.models import PaymentMethod, PaymentPlan, StatementFile
from marketplace.payments.services import (
    PaymentDetails,
    record_manual_payment,
    schedule_subscription_payments,
)
from tests.browser.conftest import assert_no_page_errors, either
from tests.browser.test_catalogue_journey import sign_in, visit
from tests.clock import PARIS
from tests.factories import ProducerFactory, UserFactory
from tests.payments.world import NOW, TODAY, point_on_tuesdays, subscription_to

pytestmark = [pytest.mark.browser, pytest.mark.now(NOW)]


@pytest.fixture
def december(transactional_db, clock):
    """A household's basket at 12.50 each Tuesday of December, paid by cheque on the 2nd."""
    producer = ProducerFactory(name="La Ferme des Prés Verts", users=[UserFactory()])
    subscription = subscription_to(point_on_tuesdays(), price="12.50", plan__producer=producer)
    generate_basket_deliveries(
        [subscription.pickup_point_id], dt.date(2026, 12, 1), dt.date(2026, 12, 31)
    )
    schedule_subscription_payments(
        subscription, PaymentPlan.WHOLE_SEASON, PaymentMethod.CHEQUE, today=TODAY, now=NOW
    )
    record_manual_payment(
        PaymentDetails(method=PaymentMethod.CHEQUE, amount="50.00", cheque_number="0004521"),
        recorded_by=UserFactory(is_staff=True),
        subscription=subscription,
        now=dt.datetime(2026, 12, 2, 18, 30, tzinfo=PARIS),
    )
    clock.now = dt.datetime(2027, 1, 20, 10, tzinfo=PARIS)
    return producer


def test_a_producer_reads_decembers_statement_on_a_phone_and_prepares_its_pdf(new_page, december):
    page = new_page(phone=True)
    sign_in(page, december.partner.users.get().email, phone=True)
    page.goto(reverse("producer_space:products"))
    page.get_by_role("link", name=either("Statements", "Relevés")).click()
    visit(page, phone=True)
    page.get_by_role("link", name=either("December 2026", "décembre 2026")).click()
    visit(page, phone=True)
    main = page.locator("main")
    expect(main).to_contain_text("62,50")  # 5 Tuesdays at 12,50
    expect(main).to_contain_text("50,00")
    expect(main).to_contain_text("12,50")  # the difference

    page.get_by_role("button", name=either("Prepare the PDF", "Préparer le PDF")).click()
    visit(page, phone=True)
    expect(
        page.get_by_role("link", name=either("Download PDF", "Télécharger le PDF"))
    ).to_be_visible()
    assert StatementFile.objects.get(producer=december).built_at is not None
    assert_no_page_errors(page)
