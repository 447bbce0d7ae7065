"""The fund's rate review, figure by figure (the property-based runs are in test_rate_properties)."""

from decimal import Decimal

import pytest
from django.utils.formats import number_format

from marketplace.solidarity.rates import Reason, ReviewInputs, reductions_at, review

# 600 € in the fund, 500 € of reserve, 100 € of contributions coming and 1,000 € of reference
# prices on the reduced tier: 200 € of reductions, that is 20 %, keep the balance at the reserve.
FIGURES = {
    "balance": Decimal("600.00"),
    "reserve": Decimal("500.00"),
    "current_rate": Decimal("20"),
    "rate_min": Decimal("0"),
    "rate_max": Decimal("50"),
    "rate_step": Decimal("5"),
    "expected_contributions": Decimal("100.00"),
    "reduced_commitments": Decimal("1000.00"),
}


def inputs(**changes) -> ReviewInputs:
    return ReviewInputs(**{**FIGURES, **changes})


def test_rate_that_keeps_the_balance_exactly_at_the_reserve_stays():
    result = review(inputs())

    assert result.reason == Reason.HOLDS == "holds"
    assert result.rate_after == Decimal("20.00")
    assert result.projected_balance == Decimal("500.00")
    assert result.reductions == Decimal("200.00")
    assert result.holds_reserve and result.open_to_requests
    assert not result.brought_into_bounds


def test_surplus_raises_the_rate_to_the_highest_that_keeps_the_reserve():
    result = review(inputs(current_rate=Decimal("18")))

    assert result.reason == Reason.RAISED_WITH_SURPLUS
    assert result.rate_after == Decimal("20.00")
    assert result.rate_before == Decimal("18")
    assert result.holds_reserve


def test_rate_at_its_maximum_stays_even_with_a_surplus():
    result = review(inputs(current_rate=Decimal("15"), rate_max=Decimal("15")))

    assert result.reason == Reason.HOLDS
    assert result.rate_after == Decimal("15.00")
    assert result.projected_balance == Decimal("550.00")


def test_surplus_raises_the_rate_by_one_step_at_most():
    result = review(inputs(current_rate=Decimal("10")))

    assert result.reason == Reason.RAISED_CAPPED_BY_STEP
    assert result.rate_after == Decimal("15.00")
    assert result.projected_balance == Decimal("550.00")


def test_shortfall_lowers_the_rate_to_the_highest_that_keeps_the_reserve():
    result = review(inputs(current_rate=Decimal("24")))

    assert result.reason == Reason.LOWERED_TO_HOLD_RESERVE
    assert result.rate_after == Decimal("20.00")
    assert result.holds_reserve


def test_shortfall_larger_than_a_step_lowers_by_the_step_and_says_the_reserve_is_not_kept():
    result = review(inputs(current_rate=Decimal("30")))

    assert result.reason == Reason.LOWERED_CAPPED_BY_STEP
    assert result.rate_after == Decimal("25.00")
    assert result.projected_balance == Decimal("450.00")
    assert not result.holds_reserve
    assert result.open_to_requests


def test_reserve_broken_even_at_the_minimum_closes_requests_and_lowers_by_the_step():
    result = review(inputs(current_rate=Decimal("40"), rate_min=Decimal("25")))

    assert result.reason == Reason.RESERVE_BROKEN_EVEN_AT_MIN
    assert result.rate_after == Decimal("35.00")
    assert not result.open_to_requests
    assert not result.holds_reserve


def test_reserve_broken_at_the_minimum_keeps_the_minimum():
    result = review(inputs(current_rate=Decimal("25"), rate_min=Decimal("25")))

    assert result.reason == Reason.RESERVE_BROKEN_EVEN_AT_MIN
    assert result.rate_after == Decimal("25.00")
    assert not result.open_to_requests


def test_without_reduced_tier_commitments_the_rate_rises_by_the_step():
    result = review(inputs(reduced_commitments=Decimal("0")))

    assert result.reason == Reason.RAISED_CAPPED_BY_STEP
    assert result.rate_after == Decimal("25.00")
    assert result.reductions == Decimal("0.00")


def test_without_commitments_a_balance_below_the_reserve_still_closes_requests():
    result = review(
        inputs(
            balance=Decimal("400"),
            expected_contributions=Decimal("50"),
            reduced_commitments=Decimal("0"),
        )
    )

    assert result.reason == Reason.RESERVE_BROKEN_EVEN_AT_MIN
    assert not result.open_to_requests
    assert result.projected_balance == Decimal("450.00")


def test_rate_above_new_bounds_is_first_brought_to_the_maximum_whatever_the_step():
    result = review(inputs(current_rate=Decimal("90"), rate_max=Decimal("20")))

    assert result.brought_into_bounds
    assert result.rate_in_bounds == Decimal("20.00")
    assert result.reason == Reason.HOLDS
    assert result.rate_after == Decimal("20.00")


def test_rate_below_new_bounds_is_brought_to_the_minimum_then_moves_by_the_step():
    result = review(inputs(current_rate=Decimal("2"), rate_min=Decimal("10")))

    assert result.brought_into_bounds
    assert result.rate_in_bounds == Decimal("10.00")
    assert result.reason == Reason.RAISED_CAPPED_BY_STEP
    assert result.rate_after == Decimal("15.00")


def test_highest_rate_is_rounded_down_to_two_decimals_to_keep_the_reserve():
    result = review(inputs(current_rate=Decimal("5"), reduced_commitments=Decimal("3000")))

    assert result.rate_after == Decimal("6.66")
    assert result.reductions == Decimal("199.80")
    assert result.projected_balance == Decimal("500.20")
    assert reductions_at(Decimal("3000"), Decimal("6.67")) == Decimal("200.10")


def test_reductions_are_rounded_up_to_the_cent():
    assert reductions_at(Decimal("0.03"), Decimal("50")) == Decimal("0.02")
    assert reductions_at(Decimal("10.00"), Decimal("33.33")) == Decimal("3.34")
    assert reductions_at(Decimal("10.00"), Decimal("0")) == Decimal("0.00")


def test_projection_over_several_periods_keeps_the_reserve_at_the_end_of_each():
    result = review(
        inputs(balance=Decimal("1000"), current_rate=Decimal("25"), periods=3),
    )

    # 3 × (100 − 266.60) leaves 500.20 €; at 26.67 % it would leave 499.90 €
    assert result.rate_after == Decimal("26.66")
    assert result.projected_balance == Decimal("500.20")
    assert result.reason == Reason.RAISED_WITH_SURPLUS


def test_projection_below_the_reserve_must_be_restored_within_the_first_period():
    result = review(
        inputs(
            balance=Decimal("400"),
            expected_contributions=Decimal("300"),
            current_rate=Decimal("22"),
            periods=3,
        )
    )

    assert result.rate_after == Decimal("20.00")
    assert result.reason == Reason.LOWERED_TO_HOLD_RESERVE
    assert result.projected_balance == Decimal("700.00")


@pytest.mark.parametrize(
    ("current_rate", "changes", "reason"),
    [
        ("20", {}, Reason.HOLDS),
        ("18", {}, Reason.RAISED_WITH_SURPLUS),
        ("10", {}, Reason.RAISED_CAPPED_BY_STEP),
        ("24", {}, Reason.LOWERED_TO_HOLD_RESERVE),
        ("30", {}, Reason.LOWERED_CAPPED_BY_STEP),
        ("40", {"rate_min": Decimal("25")}, Reason.RESERVE_BROKEN_EVEN_AT_MIN),
    ],
)
def test_each_reason_explains_itself_with_the_figures(current_rate, changes, reason):
    result = review(inputs(current_rate=Decimal(current_rate), **changes))

    assert result.reason == reason
    assert number_format(Decimal("600"), 2) in result.explanation
    assert number_format(Decimal("500"), 2) in result.explanation


def test_explanations_differ_by_reason():
    explanations = {
        review(inputs(current_rate=Decimal(rate))).explanation
        for rate in ("20", "18", "10", "24", "30")
    }

    assert len(explanations) == 5


def test_explanation_says_the_rate_was_brought_into_the_bounds_first():
    brought = review(inputs(current_rate=Decimal("90"), rate_max=Decimal("20"))).explanation
    plain = review(inputs(rate_max=Decimal("20"))).explanation

    assert brought.endswith(plain)
    assert "90" in brought.removesuffix(plain)


def test_inputs_serialise_for_the_review_record():
    assert inputs(periods=2).as_json() == {
        "balance": "600.00",
        "reserve": "500.00",
        "current_rate": "20",
        "rate_min": "0",
        "rate_max": "50",
        "rate_step": "5",
        "expected_contributions": "100.00",
        "reduced_commitments": "1000.00",
        "periods": 2,
    }


@pytest.mark.parametrize(
    "changes",
    [
        {"rate_min": Decimal("30"), "rate_max": Decimal("10")},
        {"rate_max": Decimal("100.01")},
        {"rate_min": Decimal("-1")},
        {"current_rate": Decimal("120")},
        {"current_rate": Decimal("12.345")},
        {"rate_step": Decimal("0")},
        {"rate_step": Decimal("-5")},
        {"rate_step": Decimal("101")},
        {"reserve": Decimal("-0.01")},
        {"expected_contributions": Decimal("-10")},
        {"reduced_commitments": Decimal("-10")},
        {"balance": Decimal("10.005")},
        {"balance": Decimal("NaN")},
        {"periods": 0},
    ],
)
def test_bad_figures_are_refused_with_a_message(changes):
    with pytest.raises(ValueError, match=r"\w"):
        inputs(**changes)


def test_reversed_bounds_name_both_bounds():
    with pytest.raises(ValueError) as refused:
        inputs(rate_min=Decimal("30"), rate_max=Decimal("10"))

    assert "30" in str(refused.value) and "10" in str(refused.value)


@pytest.mark.parametrize("changes", [{"balance": 600.0}, {"rate_step": 5}, {"periods": 1.0}])
def test_figures_of_the_wrong_type_are_refused(changes):
    with pytest.raises(TypeError):
        inputs(**changes)


def test_a_negative_balance_is_a_fund_in_debt_not_an_error():
    result = review(
        inputs(
            balance=Decimal("-100"),
            expected_contributions=Decimal("700"),
            current_rate=Decimal("14"),
        )
    )

    assert result.rate_after == Decimal("10.00")
    assert result.reason == Reason.LOWERED_TO_HOLD_RESERVE
