"""Solidarity pricing from end to end, on phones: a member asks for the reduced tier with a few
words, the coordinator approves it on the fund's page, the member's season is scheduled at the
reduced price, the producer's statement shows the full price (the fund's part received), and
the fund's public page counts the baskets made affordable. Each page fits 320 px and axe finds
nothing serious on it (``visit``)."""

import datetime as dt

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from baskets.services import generate_basket_deliveries
from marketplace.payments.models import PaymentMethod
from marketplace.payments.services import PaymentDetails, record_manual_payment
from marketplace.solidarity import tasks
from marketplace.solidarity.services import create_fund
from tests.browser.conftest import assert_no_page_errors, either
from tests.browser.test_catalogue_journey import sign_in, visit
from tests.clock import PARIS
from tests.factories import ProducerFactory, UserFactory
from tests.payments.world import NOW, point_on_tuesdays, subscription_to
from tests.solidarity.world import SETTINGS

pytestmark = [pytest.mark.browser, pytest.mark.now(NOW)]


@pytest.fixture
def season(transactional_db):
    """A point distributing on Tuesdays that draws on a fund at 30 %, a household's place there
    at 12.00 a basket, the coordinator of both."""
    point = point_on_tuesdays(name="AMAP du Thabor")
    coordinator = UserFactory(first_name="Rose", last_name="Référente")
    point.coordinators.add(coordinator)
    fund = create_fund(coordinator, SETTINGS, [point], starting_rate="30", now=NOW)
    producer = ProducerFactory(name="La Ferme des Prés Verts", users=[UserFactory()])
    member = UserFactory(first_name="Nadia", last_name="Benali")
    subscription = subscription_to(point, member=member, plan__producer=producer)
    return fund, subscription, coordinator, producer


def test_a_household_on_the_reduced_tier_and_a_farmer_paid_in_full(new_page, season, clock):
    fund, subscription, coordinator, producer = season
    member = subscription.member

    page = new_page(phone=True)
    sign_in(page, member.email, phone=True)
    page.goto(reverse("solidarity:my-tier"))
    visit(page, phone=True)
    page.locator("summary").first.click()
    page.get_by_label(either("reduced", "réduit"), exact=False).first.check()
    page.get_by_label(
        either("Why I ask for the reduced tier", "Pourquoi je demande le tarif réduit")
    ).first.fill("Je suis au RSA depuis septembre.")
    page.get_by_role("button", name=either("Save my choice", "Enregistrer mon choix")).click()
    visit(page, phone=True)
    expect(page.locator("main")).to_contain_text(either("waiting for a coordinator", "attente"))

    helper = new_page(phone=True)
    sign_in(helper, coordinator.email, phone=True)
    helper.goto(reverse("solidarity:fund", kwargs={"pk": fund.pk}))
    visit(helper, phone=True)
    expect(helper.locator("main")).to_contain_text("Je suis au RSA depuis septembre.")
    helper.get_by_role("button", name=either("Approve", "Valider")).first.click()
    visit(helper, phone=True)

    page.goto(reverse("payments:mine"))
    visit(page, phone=True)
    expect(page.locator("main")).to_contain_text("8,40")  # 12,00 less 30 %
    page.get_by_label(either("the whole season at once", "toute la saison")).check()
    page.get_by_label(either("cheque", "chèque"), exact=True).check()
    page.get_by_role("button", name=either("Choose this way of paying", "Choisir")).click()
    visit(page, phone=True)
    expect(page.locator("main")).to_contain_text("109,20")  # 13 Tuesdays at 8,40

    # The coordinator records the cheque; December's five Tuesdays are delivered and settled.
    generate_basket_deliveries(
        [subscription.pickup_point_id], dt.date(2026, 12, 1), dt.date(2026, 12, 31)
    )
    record_manual_payment(
        PaymentDetails(method=PaymentMethod.CHEQUE, amount="109.20", cheque_number="0004521"),
        recorded_by=coordinator,
        subscription=subscription,
        now=dt.datetime(2026, 12, 1, 18, 30, tzinfo=PARIS),
    )
    clock.now = dt.datetime(2027, 1, 20, 10, tzinfo=PARIS)
    assert tasks.settle_fund_deliveries() == 5

    farmer = new_page(phone=True)
    sign_in(farmer, producer.partner.users.get().email, phone=True)
    farmer.goto(
        reverse("payments:statement", kwargs={"producer_id": producer.pk, "month": "2026-12"})
    )
    visit(farmer, phone=True)
    summary = farmer.locator("main .statement-summary").first
    expect(summary).to_contain_text("60,00")  # 5 baskets at the full 12,00
    expect(summary).to_contain_text(either("solidarity fund", "caisse de solidarité"))
    expect(summary).to_contain_text("18,00")  # the fund's part: 5 × 3,60

    visitor = new_page(phone=True)
    visitor.goto(reverse("solidarity:transparency", kwargs={"slug": fund.slug}))
    visit(visitor, phone=True)
    affordable = visitor.locator("dt", has_text=either("Baskets made affordable", "Paniers"))
    expect(affordable.locator("xpath=following-sibling::dd[1]")).to_have_text("5")
    expect(visitor.locator("main")).not_to_contain_text("Benali")
    for tab in (page, helper, farmer, visitor):
        assert_no_page_errors(tab)
