"""What a member pays for one basket (or one product) of reference price P, by tier.

Pure arithmetic, no database: the reference price is what the producer receives; the
difference with what the member pays flows through the fund (a reduction out, a contribution
in). Rates and percentages are percents (30 means 30 %); every amount is rounded to the cent,
half up, once.
"""

from decimal import ROUND_HALF_UP, Decimal

from marketplace.solidarity.models.tiers import Tier

CENT = Decimal("0.01")
HUNDRED = Decimal("100")


def to_cent(amount: Decimal) -> Decimal:
    return Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)


def member_price(
    reference: Decimal,
    tier: str,
    rate: Decimal,
    supporter_percent: Decimal | None = None,
    supporter_price: Decimal | None = None,
    *,
    supporter_amount: Decimal | None = None,
) -> Decimal:
    """Standard: P. Reduced: P × (1 − rate %). Supporter: P × (1 + ``supporter_percent`` %),
    or the total ``supporter_price`` per basket (above P), or P + ``supporter_amount`` (what the
    tiers store). Raises ``ValueError`` on terms that do not make a price."""
    reference = Decimal(reference)
    if reference < 0:
        raise ValueError("A reference price is not below zero.")
    if tier == Tier.STANDARD:
        return to_cent(reference)
    if tier == Tier.REDUCED:
        rate = Decimal(rate)
        if not 0 <= rate <= HUNDRED:
            raise ValueError("A reduced rate is between 0 and 100 %.")
        return to_cent(reference * (HUNDRED - rate) / HUNDRED)
    if tier == Tier.SUPPORTER:
        given = [v for v in (supporter_percent, supporter_price, supporter_amount) if v is not None]
        if len(given) != 1:
            raise ValueError("A supporter gives one of a percentage, a price or an amount.")
        if supporter_percent is not None:
            if Decimal(supporter_percent) <= 0:
                raise ValueError("A supporter's percentage is above 0.")
            return to_cent(reference * (HUNDRED + Decimal(supporter_percent)) / HUNDRED)
        if supporter_price is not None:
            if Decimal(supporter_price) <= reference:
                raise ValueError("A supporter's price is above the reference price.")
            return to_cent(supporter_price)
        if Decimal(supporter_amount) <= 0:
            raise ValueError("A supporter's amount above the reference price is above 0.")
        return to_cent(reference + Decimal(supporter_amount))
    raise ValueError(f"Unknown tier: {tier!r}")


def price_for(reference: Decimal, choice, rate: Decimal) -> Decimal:
    """What the holder of ``choice`` (a subscription's or a member's tier, or ``None`` for the
    standard tier) pays at reference price P and the fund's rate in force."""
    if choice is None:
        return member_price(reference, Tier.STANDARD, rate)
    return member_price(
        reference,
        choice.tier,
        rate,
        supporter_percent=choice.supporter_percent,
        supporter_amount=choice.supporter_amount,
    )
