"""The reduced tier à la carte: a member on it sees and pays the fund's reduced rate on the
staples its coordinators opened to it, nowhere else; the producer is owed and paid their own
price (the fund settles the difference once the distribution has begun), and never sees what
the member paid."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from deliveries.models import DistributionDay
from marketplace.checkout.services import place_order_for_day
from marketplace.partner.strategy import Selector
from marketplace.payments.models import EntryKind, LedgerEntry
from marketplace.payments.selectors import producer_statement
from marketplace.shop_setup import ensure_shop_basics
from marketplace.solidarity.models import (
    EligibleProduct,
    FundEntry,
    FundEntryKind,
    SolidarityLine,
    Tier,
)
from marketplace.solidarity.services import approve_request, ask_for_tier
from marketplace.solidarity.services.settlement import settle_fund_deliveries
from tests.clock import PARIS
from tests.factories import UserFactory, product_for
from tests.payments.world import NOW

pytestmark = [pytest.mark.django_db, pytest.mark.now(NOW)]

TUESDAY = dt.date(2026, 12, 8)
AFTER = dt.datetime(2026, 12, 9, 4, 25, tzinfo=PARIS)


@pytest.fixture(autouse=True)
def shop(db):
    ensure_shop_basics()


@pytest.fixture
def staples(fund, producer):
    """Bread opened to the reduced tier at 4.00; jam, at 6.00, not."""
    bread = product_for(producer, title="Pain complet", price="4.00", stock=50)
    jam = product_for(producer, title="Confiture", price="6.00", stock=50)
    EligibleProduct.objects.create(fund=fund, product=bread)
    return bread, jam


@pytest.fixture
def reduced_member(fund, point, coordinator):
    member = UserFactory(first_name="Nadia", last_name="Benali")
    request = ask_for_tier(member, Tier.REDUCED, pickup_point=point, declaration="RSA")
    approve_request(coordinator, request)
    return member


def price_seen(user, product) -> Decimal:
    return Selector().strategy(user=user).fetch_for_product(product).price.incl_tax


def test_a_reduced_tier_member_sees_the_reduced_price_on_staples_only(
    staples, reduced_member, member
):
    bread, jam = staples
    assert price_seen(reduced_member, bread) == Decimal("2.80")  # 4.00 less 30 %
    assert price_seen(reduced_member, jam) == Decimal("6.00")
    assert price_seen(member, bread) == Decimal("4.00")
    assert price_seen(None, bread) == Decimal("4.00")


def test_the_catalogue_shows_each_member_their_prices_whatever_is_cached(
    client, staples, reduced_member, member
):
    bread, _jam = staples
    url = reverse("catalogue:detail", kwargs={"product_slug": bread.slug, "pk": bread.pk})
    client.force_login(member)
    assert "4,00" in client.get(url).content.decode()
    client.force_login(reduced_member)
    page = client.get(url).content.decode()
    assert "2,80" in page and "4,00" not in page
    client.force_login(member)
    assert "2,80" not in client.get(url).content.decode()


def test_the_order_is_at_the_reduced_price_and_the_producer_is_owed_their_own(
    client, point, fund, staples, reduced_member, producer
):
    bread, jam = staples
    day = DistributionDay.objects.get(pickup_point=point, date=TUESDAY)
    order = place_order_for_day(reduced_member, [(bread, 2), (jam, 1)], day.pk)

    assert order.total_incl_tax == Decimal("11.60")  # 2 × 2.80 + 6.00
    reduced = SolidarityLine.objects.get()
    assert (reduced.reference_unit_price, reduced.member_unit_price) == (
        Decimal("4.00"),
        Decimal("2.80"),
    )

    assert settle_fund_deliveries(now=NOW) == 0  # the distribution has not begun
    assert settle_fund_deliveries(now=AFTER) == 1
    assert settle_fund_deliveries(now=AFTER) == 0
    entry = FundEntry.objects.get(kind=FundEntryKind.REDUCTION, order=order)
    assert entry.amount == Decimal("-2.40")
    assert entry.ledger_entry.kind == EntryKind.SOLIDARITY

    statement = producer_statement(producer, dt.date(2026, 12, 1), now=AFTER)
    assert statement.owed_for_orders == Decimal("14.00")  # 2 × 4.00 + 6.00
    assert statement.from_solidarity_fund == Decimal("2.40")

    client.force_login(producer.partner.users.get())
    page = client.get(reverse("producer_space:order-lines")).content.decode()
    assert "8,00" in page and "5,60" not in page  # the bread line at the producer's price


def test_a_cancelled_line_is_not_settled(point, fund, staples, reduced_member):
    bread, jam = staples
    day = DistributionDay.objects.get(pickup_point=point, date=TUESDAY)
    order = place_order_for_day(reduced_member, [(bread, 1), (jam, 1)], day.pk)
    order.lines.get(product=bread).set_status("cancelled")

    assert settle_fund_deliveries(now=AFTER) == 0
    assert not LedgerEntry.objects.filter(kind=EntryKind.SOLIDARITY).exists()


def test_the_tier_page_lists_the_staples_open_to_the_reduced_tier(client, staples, reduced_member):
    client.force_login(reduced_member)

    page = client.get(reverse("solidarity:my-tier"), HTTP_ACCEPT_LANGUAGE="en")

    text = " ".join(page.content.decode().split())
    assert "Pain complet" in text
    assert "Confiture" not in text


def test_a_supporter_pays_their_percentage_above_on_staples_and_it_goes_to_the_fund(
    point, fund, staples, producer, coordinator
):
    bread, jam = staples
    supporter = UserFactory()
    ask_for_tier(supporter, Tier.SUPPORTER, pickup_point=point, supporter_percent="10")
    assert price_seen(supporter, bread) == Decimal("4.40")
    assert price_seen(supporter, jam) == Decimal("6.00")
    day = DistributionDay.objects.get(pickup_point=point, date=TUESDAY)
    order = place_order_for_day(supporter, [(bread, 3), (jam, 1)], day.pk)

    assert settle_fund_deliveries(now=AFTER) == 1
    entry = FundEntry.objects.get(order=order)
    assert (entry.kind, entry.amount) == (FundEntryKind.CONTRIBUTION, Decimal("1.20"))
    statement = producer_statement(producer, dt.date(2026, 12, 1), now=AFTER)
    assert statement.owed_for_orders == Decimal("18.00")  # 3 × 4.00 + 6.00
    assert statement.refunds == Decimal("1.20")  # passed on to the fund
