"""What a member pays per delivery of a subscription, as payments' schedules ask it
(``payments.member_prices``, registered in ``SolidarityConfig.ready``).

A covered contribution round's pledged price comes first (the household chose it); then the
subscription's solidarity tier at the rate in force on the day the plan is set. The producer's
reference price is untouched either way: the fund settles the difference per basket delivered
(``services.settlement``).
"""

from datetime import date
from decimal import Decimal

from baskets.models import ContractKind, Subscription
from marketplace.solidarity.models import SolidarityTier, Tier
from marketplace.solidarity.pricing import member_price, to_cent
from marketplace.solidarity.selectors.funds import fund_of_point
from marketplace.solidarity.selectors.reviews import rate_in_force
from marketplace.solidarity.selectors.rounds import pledged_prices


def tier_price(reference: Decimal, choice, quantity: int, rate: Decimal) -> Decimal:
    """The price of a delivery of ``quantity`` baskets worth ``reference`` in all, at the tier
    ``choice`` (a supporter's amount is per basket)."""
    if choice.tier == Tier.SUPPORTER and choice.supporter_amount is not None:
        return member_price(
            reference, Tier.SUPPORTER, rate, supporter_amount=choice.supporter_amount * quantity
        )
    return member_price(reference, choice.tier, rate, supporter_percent=choice.supporter_percent)


def solidarity_price(subscription: Subscription, reference: Decimal, today: date) -> Decimal | None:
    pledged = pledged_prices([subscription.pk]).get(subscription.pk)
    if pledged is not None:
        return to_cent(pledged * subscription.quantity)
    if subscription.contract.kind != ContractKind.FIXED:  # a member pays what they chose
        return None
    choice = SolidarityTier.objects.filter(subscription=subscription).first()
    if choice is None or choice.tier == Tier.STANDARD:
        return None
    fund = fund_of_point(subscription.pickup_point_id)
    if fund is None:  # the point left its fund: the reference price
        return None
    return tier_price(reference, choice, subscription.quantity, rate_in_force(fund, today))
