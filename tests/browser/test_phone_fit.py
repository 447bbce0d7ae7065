"""Every page of ours on the narrowest phones (320 CSS px), as each role sees it with the demo's
data (long names, e-mail addresses, many products and deliveries): nothing scrolls sideways,
and axe finds nothing serious (``visit``).

One test per role, so a failure names who could not read which page.
"""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone
from oscar.core.loading import get_model
from playwright.sync_api import expect

from baskets.models import Contract, DeliveryComposition
from deliveries.models import DistributionDay
from marketplace.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, DemoSize, load_demo
from marketplace.solidarity.services.rounds import RoundTerms, open_round
from producers.models import PackingList
from producers.selectors import producer_of
from tests.browser.conftest import NARROWEST_PHONE_WIDTH, PHONE, assert_fits_width
from tests.browser.test_catalogue_journey import visit

Order = get_model("order", "Order")
User = get_user_model()

MEMBER, PRODUCER, VOLUNTEER, COORDINATOR, _STAFF = (account[0] for account in DEMO_ACCOUNTS)

pytestmark = [pytest.mark.browser, pytest.mark.now("2026-11-24 10:00")]  # a Tuesday morning


@pytest.fixture
def demo(transactional_db):
    load_demo(DemoSize(producers=4))


@pytest.fixture
def phone(new_page, live_server):
    """A phone 320 px wide, signed in as the given demo account."""

    def signed_in(email: str):
        page = new_page(phone=True)
        page.set_viewport_size({"width": NARROWEST_PHONE_WIDTH, "height": PHONE["height"]})
        page.goto(reverse("customer:login"))
        page.locator("#id_login-username").fill(email)
        page.locator("#id_login-password").fill(DEMO_PASSWORD)
        page.locator("button[name=login_submit]").click()
        expect(page.locator("header form[action$='/logout/']")).to_have_count(1)
        return page

    return signed_in


def open_demo_round():
    """A contribution round on a contract with the same basket each time that the demo member
    holds, opened by the coordinator of their pickup point."""
    contract = Contract.objects.filter(
        kind="fixed",
        subscriptions__member__email=MEMBER,
        subscriptions__state="active",
        coordinators__email=COORDINATOR,
    ).first()
    terms = RoundTerms(
        budget="4250.00",
        min_pledge="9.50",
        max_pledge="24.00",
        deadline=timezone.now() + dt.timedelta(days=7),
    )
    return open_round(User.objects.get(email=COORDINATOR), contract, terms)


def visit_each(page, urls: list[str]) -> None:
    for url in urls:
        response = page.goto(url)
        assert response.ok, f"{url}: HTTP {response.status}"
        assert page.viewport_size["width"] == NARROWEST_PHONE_WIDTH
        visit(page, phone=True)


def test_a_member_reads_every_page_on_a_320_px_phone(demo, phone):
    member = User.objects.get(email=MEMBER)
    order = Order.objects.filter(user=member).order_by("-date_placed").first()
    contract = Contract.objects.order_by("pk").first()
    producer = producer_of(User.objects.get(email=PRODUCER))
    contribution_round = open_demo_round()

    visit_each(
        phone(MEMBER),
        [
            reverse("home-page"),
            reverse("catalogue:index"),
            reverse("producers:directory"),
            reverse("producers:detail", kwargs={"slug": producer.slug}),
            reverse("deliveries:finder") + "?q=35000",
            reverse("baskets:contracts"),
            reverse("baskets:contract", kwargs={"pk": contract.pk}),
            reverse("baskets:mine"),
            reverse("deliveries:upcoming-orders"),
            reverse("deliveries:shifts"),
            reverse("customer:order-list"),
            reverse("customer:order", kwargs={"order_number": order.number}),
            reverse("customer:profile-view"),
            reverse("solidarity:pledge", kwargs={"pk": contribution_round.pk}),
        ],
    )


def test_a_producer_reads_every_page_of_their_space_on_a_320_px_phone(demo, phone):
    producer = producer_of(User.objects.get(email=PRODUCER))
    product = producer.partner.stockrecords.order_by("pk").first().product
    packing = PackingList.objects.filter(producer=producer).order_by("pk").first()
    composition = (
        DeliveryComposition.objects.filter(plan__producer=producer).order_by("date").first()
    )

    visit_each(
        phone(PRODUCER),
        [
            reverse("producer_space:products"),
            reverse("producer_space:product-create"),
            reverse("producer_space:product-edit", kwargs={"pk": product.pk}),
            reverse("producer_space:product-quotas", kwargs={"pk": product.pk}),
            reverse("producer_space:order-lines"),
            reverse("producer_space:packing-lists"),
            reverse("producer_space:packing-list", kwargs={"pk": packing.pk}),
            reverse("producer_space:baskets"),
            reverse(
                "producer_space:composition",
                kwargs={"plan_id": composition.plan_id, "day": f"{composition.date:%Y-%m-%d}"},
            ),
            reverse("producer_space:profile"),
            reverse("payments:stripe-account", kwargs={"producer_id": producer.pk}),
            reverse("baskets:coordination"),
        ],
    )


def test_a_coordinator_reads_their_pages_on_a_320_px_phone(demo, phone):
    contribution_round = open_demo_round()

    visit_each(
        phone(COORDINATOR),
        [
            reverse("baskets:coordination"),
            reverse("deliveries:unstaffed-days"),
            reverse("solidarity:rounds"),
            reverse(
                "solidarity:open-round", kwargs={"contract_id": contribution_round.contract_id}
            ),
            reverse("solidarity:round", kwargs={"pk": contribution_round.pk}),
        ],
    )


def test_a_volunteer_runs_the_distribution_on_a_320_px_phone(demo, phone):
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    day = DistributionDay.objects.get(date=yesterday, shifts__volunteer__email=VOLUNTEER)

    visit_each(
        phone(VOLUNTEER),
        [
            reverse("deliveries:shifts"),
            reverse("deliveries:pickup-list", kwargs={"pk": day.pk}),
            reverse("deliveries:close-day", kwargs={"pk": day.pk}),
        ],
    )


def test_the_fit_check_measures_at_320_px_and_puts_the_phone_back(new_page):
    page = new_page(phone=True)
    page.set_content(
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<div style="width: 340px">Fits 360 px, not 320 px.</div>'
    )

    with pytest.raises(AssertionError, match="scrolls horizontally at 320px"):
        assert_fits_width(page)
    assert page.viewport_size == PHONE
