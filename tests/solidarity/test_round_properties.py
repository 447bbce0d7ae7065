"""A contribution round over random budgets, bounds and pledges (hypothesis): once closed, its
pledges cover its budget and become the prices, or it reports exactly what is missing.

Six households hold places in the season (1 to 3 baskets a delivery, 13 deliveries); each run
opens a round, has some of them pledge (some twice), closes it at its deadline, checks, and
rolls everything back. The oracle counts on its own: pledge × baskets per delivery × 13.
"""

import datetime as dt
from decimal import ROUND_CEILING, Decimal

import pytest
from django.db import transaction

pytest.importorskip("hypothesis")

from hypothesis import HealthCheck, event, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from marketplace.solidarity.models import PledgedPrice, RoundState  # noqa: E402
from marketplace.solidarity.selectors.rounds import count_round, round_figures  # noqa: E402
from marketplace.solidarity.services.rounds import (  # noqa: E402
    RoundTerms,
    close_round,
    open_round,
    pledge,
)
from tests.payments.world import NOW, SEASON_TUESDAYS, subscription_to  # noqa: E402
from tests.solidarity.round_world import DEADLINE, household  # noqa: E402

pytestmark = pytest.mark.now(NOW)

CENT = Decimal("0.01")
QUANTITIES = (1, 3, 2, 1, 2, 1)
RUNS = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


class Rollback(Exception):
    pass


@pytest.fixture
def season(point, member, coordinator):
    """The households' places, in the order of ``QUANTITIES``."""
    first = subscription_to(point, member=member, quantity=QUANTITIES[0])
    others = [household(first.contract, point, quantity=q) for q in QUANTITIES[1:]]
    return [first, *others]


def euros(cents: int) -> Decimal:
    return Decimal(cents) / 100


@st.composite
def rounds(draw):
    low = draw(st.integers(1, 3_000))
    high = draw(st.integers(low, 6_000))
    pledges = draw(
        st.lists(
            st.tuples(st.integers(0, len(QUANTITIES) - 1), st.integers(low, high)),
            max_size=10,
        )
    )
    return {
        "budget": euros(draw(st.integers(1, 2_000_000))),
        "low": euros(low),
        "high": euros(high),
        "pledges": pledges,
    }


@RUNS
@given(drawn=rounds())
def test_a_closed_round_covers_its_budget_or_reports_the_exact_shortfall(
    season, coordinator, drawn
):
    try:
        with transaction.atomic():
            check_one_round(season, coordinator, drawn)
            raise Rollback
    except Rollback:
        pass


def check_one_round(season, coordinator, drawn):
    terms = RoundTerms(drawn["budget"], drawn["low"], drawn["high"], DEADLINE)
    contribution_round = open_round(coordinator, season[0].contract, terms)
    last_pledge = {}
    for index, cents in drawn["pledges"]:
        subscription = season[index]
        pledge(subscription.member, contribution_round.pk, euros(cents))
        last_pledge[subscription.pk] = euros(cents)  # a second pledge replaces the first
    by_pk = {subscription.pk: subscription for subscription in season}
    expected = sum(
        (amount * by_pk[pk].quantity * SEASON_TUESDAYS for pk, amount in last_pledge.items()),
        start=Decimal("0.00"),
    )
    assert count_round(contribution_round).pledged == expected  # the gauge, before the close

    closed = close_round(contribution_round.pk, DEADLINE + dt.timedelta(minutes=1))
    again = close_round(contribution_round.pk, DEADLINE + dt.timedelta(hours=2))

    assert (again.state, again.closed_at, again.shortfall) == (
        closed.state,
        closed.closed_at,
        closed.shortfall,
    )
    assert closed.pledged_total == expected
    prices = dict(PledgedPrice.objects.values_list("subscription_id", "price"))
    event(closed.state)
    if closed.state == RoundState.COVERED:
        assert expected >= drawn["budget"]
        assert closed.shortfall == 0
        assert prices == last_pledge
    else:
        assert closed.state == RoundState.SHORT
        assert closed.shortfall == drawn["budget"] - expected > 0
        assert prices == {}
        extra = round_figures(closed).extra_per_basket
        baskets = sum(QUANTITIES) * SEASON_TUESDAYS
        assert extra == (closed.shortfall / baskets).quantize(CENT, rounding=ROUND_CEILING)
        assert extra * baskets >= closed.shortfall  # enough, if every household adds it
