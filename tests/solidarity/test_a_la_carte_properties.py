"""À la carte over random orders (hypothesis): whatever the rate, the staples, the members'
tiers (standard, reduced, supporter by a percentage), what they order and the lines
cancelled, each producer is owed and paid their own price for every line still standing: the
members' part at their price, the fund's part (or a supporter's, passed on) settled once.

Each run draws a fund's rate, one to four products (a price each, opened to the reduced tier
or not), one to four members (reduced tier à la carte or not) each ordering some of them for
the Tuesday 8 December 2026 distribution, and lines cancelled; the settlement runs twice after
the distribution began. Everything is rolled back after each run, the cache emptied before.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.core.cache import cache

pytest.importorskip("hypothesis")

from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from deliveries.models import DistributionDay  # noqa: E402
from marketplace.checkout.services import place_order_for_day  # noqa: E402
from marketplace.payments.selectors import producer_statement  # noqa: E402
from marketplace.shop_setup import ensure_shop_basics  # noqa: E402
from marketplace.solidarity.models import EligibleProduct, FundEntry, Tier  # noqa: E402
from marketplace.solidarity.services import (  # noqa: E402
    FundSettings,
    approve_request,
    ask_for_tier,
    create_fund,
)
from marketplace.solidarity.services.settlement import settle_fund_deliveries  # noqa: E402
from tests.clock import PARIS  # noqa: E402
from tests.factories import ProducerFactory, UserFactory, product_for  # noqa: E402
from tests.payments.world import NOW  # noqa: E402
from tests.solidarity.test_settlement_properties import rolled_back, runs  # noqa: E402

pytestmark = pytest.mark.now(NOW)

TUESDAY = dt.date(2026, 12, 8)
AFTER = dt.datetime(2026, 12, 9, 4, 25, tzinfo=PARIS)
CENT = Decimal("0.01")
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Buyer:
    tier: str  # "standard", "reduced", or a supporter's percentage ("5" to "50")
    quantities: tuple[int, ...]  # per product, 0: not ordered
    cancelled: tuple[bool, ...]  # per product, the line cancelled before the day


@st.composite
def worlds(draw):
    rate = draw(st.integers(0, 90))
    products = draw(
        st.lists(st.tuples(st.integers(50, 2_000), st.booleans()), min_size=1, max_size=4)
    )
    count = len(products)
    buyers = draw(
        st.lists(
            st.builds(
                Buyer,
                st.one_of(st.sampled_from(["standard", "reduced"]), st.integers(5, 50).map(str)),
                st.tuples(*[st.integers(0, 3)] * count),
                st.tuples(*[st.booleans()] * count),
            ),
            min_size=1,
            max_size=4,
        )
    )
    return rate, products, buyers


@pytest.fixture(autouse=True)
def shop(db):
    ensure_shop_basics()


@given(world=worlds())
@runs(15)
def test_each_producer_is_owed_and_paid_their_own_price_for_every_line_standing(
    world, point, coordinator
):
    def check():
        cache.clear()  # the members' tiers à la carte, cached by id: ids come back after a rollback
        rate, drawn, buyers = world
        settings = FundSettings(name="Caisse", rate_min="0", rate_max="90", rate_step="5")
        fund = create_fund(coordinator, settings, [point], starting_rate=str(rate), now=NOW)
        producer = ProducerFactory()
        products = []
        for index, (cents, eligible) in enumerate(drawn):
            product = product_for(
                producer, title=f"Produit {index}", price=f"{cents / 100:.2f}", stock=99
            )
            if eligible:
                EligibleProduct.objects.create(fund=fund, product=product)
            products.append((product, Decimal(cents) / 100, eligible))
        day = DistributionDay.objects.get(pickup_point=point, date=TUESDAY)
        owed, from_fund = ZERO, ZERO
        for buyer in buyers:
            member = UserFactory()
            if buyer.tier == "reduced":
                request = ask_for_tier(member, Tier.REDUCED, pickup_point=point, declaration="RSA")
                approve_request(coordinator, request)
            elif buyer.tier != "standard":
                ask_for_tier(
                    member, Tier.SUPPORTER, pickup_point=point, supporter_percent=buyer.tier
                )
            wanted = [
                (product, quantity)
                for (product, _price, _eligible), quantity in zip(
                    products, buyer.quantities, strict=True
                )
                if quantity
            ]
            if not wanted:
                continue
            order = place_order_for_day(member, wanted, day.pk)
            for (product, price, eligible), quantity, cancelled in zip(
                products, buyer.quantities, buyer.cancelled, strict=True
            ):
                if not quantity:
                    continue
                line = order.lines.get(product=product)
                member_price = price
                if buyer.tier == "reduced" and eligible:
                    member_price = (price * (100 - rate) / 100).quantize(CENT, ROUND_HALF_UP)
                elif buyer.tier != "standard" and eligible:
                    percent = int(buyer.tier)
                    member_price = (price * (100 + percent) / 100).quantize(CENT, ROUND_HALF_UP)
                assert line.unit_price_incl_tax == member_price
                if cancelled and len(wanted) > 1:
                    line.set_status("cancelled")
                    continue
                owed += price * quantity
                from_fund += (price - member_price) * quantity

        settle_fund_deliveries(now=AFTER)
        entries = FundEntry.objects.count()
        settle_fund_deliveries(now=AFTER)
        assert FundEntry.objects.count() == entries  # once

        statement = producer_statement(producer, dt.date(2026, 12, 1), now=AFTER)
        assert statement.owed_for_orders == owed
        passed_on = sum(
            (line.amount for line in statement.refunded if line.method == "solidarity"), ZERO
        )
        assert statement.from_solidarity_fund - passed_on == from_fund
        assert sum(FundEntry.objects.values_list("amount", flat=True)) == -from_fund

    rolled_back(check)
