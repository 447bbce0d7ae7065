"""The fund's rate review over random runs of periods (hypothesis).

Each run draws a fund's bounds, step, reserve and horizon, a starting balance and rate (the rate
may be outside the bounds), then periods of contributions and reduced-tier commitments. Each period
the review sets the rate, then the period happens as projected: the balance gains the
contributions and pays the reductions at the rate chosen. The oracle below recomputes the
projection on its own (period by period, Decimal, reductions rounded up to the cent).
"""

from decimal import ROUND_CEILING, Decimal

import pytest

pytest.importorskip("hypothesis")

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from marketplace.solidarity.rates import Reason, ReviewInputs, review  # noqa: E402

CENT = Decimal("0.01")
RUNS = settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


def euros(cents: int) -> Decimal:
    return Decimal(cents) / 100


def percent(basis_points: int) -> Decimal:
    return Decimal(basis_points) / 100


def reductions(commitments: Decimal, rate: Decimal) -> Decimal:
    return (commitments * rate / 100).quantize(CENT, rounding=ROUND_CEILING)


def holds(figures: ReviewInputs, rate: Decimal) -> bool:
    net = figures.expected_contributions - reductions(figures.reduced_commitments, rate)
    return all(figures.balance + k * net >= figures.reserve for k in range(1, figures.periods + 1))


@st.composite
def funds(draw):
    rate_min = draw(st.integers(0, 10_000))
    return {
        "rate_min": percent(rate_min),
        "rate_max": percent(draw(st.integers(rate_min, 10_000))),
        "rate_step": percent(draw(st.integers(1, 2_500))),
        "reserve": euros(draw(st.integers(0, 500_000))),
        "periods": draw(st.integers(1, 4)),
        "balance": euros(draw(st.integers(-50_000, 1_000_000))),
        "current_rate": percent(draw(st.integers(0, 10_000))),
    }


periods_ahead = st.lists(
    st.tuples(st.integers(0, 100_000), st.integers(0, 500_000)), min_size=1, max_size=12
)


@RUNS
@given(fund=funds(), periods=periods_ahead)
def test_reviews_keep_the_rate_in_bounds_within_the_step_and_the_fund_above_its_reserve(
    fund, periods
):
    balance, rate = fund.pop("balance"), fund.pop("current_rate")
    rate_min, rate_max, step = fund["rate_min"], fund["rate_max"], fund["rate_step"]
    for number, (contributions, commitments) in enumerate(periods):
        figures = ReviewInputs(
            balance=balance,
            current_rate=rate,
            expected_contributions=euros(contributions),
            reduced_commitments=euros(commitments),
            **fund,
        )
        result = review(figures)
        start = min(max(rate, rate_min), rate_max)
        down_to, up_to = max(rate_min, start - step), min(rate_max, start + step)

        assert rate_min <= result.rate_after <= rate_max
        assert result.rate_in_bounds == start
        assert result.brought_into_bounds == (start != rate)
        assert number == 0 or not result.brought_into_bounds
        assert abs(result.rate_after - start) <= step
        assert result.rate_after == result.rate_after.quantize(CENT)
        assert result.holds_reserve == holds(figures, result.rate_after)
        assert result.open_to_requests == holds(figures, rate_min)
        if not result.open_to_requests:
            assert result.reason == Reason.RESERVE_BROKEN_EVEN_AT_MIN
        if holds(figures, down_to):
            assert result.holds_reserve
        if result.holds_reserve and result.rate_after + CENT <= up_to:
            assert not holds(figures, result.rate_after + CENT), "a higher rate would hold"
        if not result.holds_reserve:
            assert result.rate_after == down_to, (
                "a rate that breaks the reserve goes down by a step"
            )
        paid = reductions(figures.reduced_commitments, result.rate_after)
        assert result.reductions == paid
        assert result.projected_balance == balance + figures.periods * (
            figures.expected_contributions - paid
        )

        # the period happens as projected
        balance = balance + figures.expected_contributions - paid
        if holds(figures, down_to):
            assert balance >= figures.reserve
        rate = result.rate_after
