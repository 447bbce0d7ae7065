"""What a member pays per basket of reference price P, by tier: to the cent, half up."""

from decimal import Decimal

import pytest

from marketplace.solidarity.models import Tier
from marketplace.solidarity.pricing import member_price, price_for
from marketplace.solidarity.selectors import TierTerms


def euros(text: str) -> Decimal:
    return Decimal(text)


def test_the_standard_tier_pays_the_reference_price():
    assert member_price(euros("12.00"), Tier.STANDARD, euros("30")) == euros("12.00")


@pytest.mark.parametrize(
    ("reference", "rate", "expected"),
    [
        ("12.00", "30", "8.40"),
        ("12.50", "33.33", "8.33"),  # 8.333375
        ("0.05", "50", "0.03"),  # 0.025: half up
        ("10.01", "50", "5.01"),  # 5.005: half up, not to even
        ("12.00", "0", "12.00"),
        ("12.00", "100", "0.00"),
    ],
)
def test_the_reduced_tier_pays_the_price_less_the_rate(reference, rate, expected):
    assert member_price(euros(reference), Tier.REDUCED, euros(rate)) == euros(expected)


@pytest.mark.parametrize(
    ("reference", "percent", "expected"),
    [("12.00", "10", "13.20"), ("12.50", "12.5", "14.06"), ("0.10", "25", "0.13")],
)
def test_a_supporter_pays_a_percentage_above(reference, percent, expected):
    price = member_price(euros(reference), Tier.SUPPORTER, euros("30"), euros(percent))
    assert price == euros(expected)


def test_a_supporter_pays_the_price_they_chose_or_an_amount_above():
    assert member_price(
        euros("12.00"), Tier.SUPPORTER, euros("30"), supporter_price=euros("15")
    ) == euros("15.00")
    assert member_price(
        euros("12.00"), Tier.SUPPORTER, euros("30"), supporter_amount=euros("2.5")
    ) == euros("14.50")


@pytest.mark.parametrize(
    "terms",
    [
        {"supporter_price": Decimal("12.00")},  # not above P
        {"supporter_price": Decimal("11.99")},
        {"supporter_percent": Decimal("0")},
        {"supporter_amount": Decimal("-1")},
        {"supporter_percent": Decimal("5"), "supporter_amount": Decimal("1")},
        {},
    ],
)
def test_a_supporter_price_not_above_the_reference_is_refused(terms):
    with pytest.raises(ValueError):
        member_price(euros("12.00"), Tier.SUPPORTER, euros("30"), **terms)


def test_a_rate_outside_0_to_100_percent_makes_no_price():
    with pytest.raises(ValueError):
        member_price(euros("12.00"), Tier.REDUCED, euros("101"))
    with pytest.raises(ValueError):
        member_price(euros("12.00"), Tier.REDUCED, euros("-1"))


def test_a_tier_as_stored_gives_its_price():
    assert price_for(euros("12.00"), None, euros("30")) == euros("12.00")
    assert price_for(euros("12.00"), TierTerms(Tier.REDUCED), euros("30")) == euros("8.40")
    supporter = TierTerms(Tier.SUPPORTER, supporter_amount=euros("3.00"))
    assert price_for(euros("12.00"), supporter, euros("30")) == euros("15.00")
