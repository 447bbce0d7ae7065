"""What a member pays per delivery of a subscription, when it is not the reference price.

Payments knows the plan's reference price, what the producer receives. Layers above change what
a member pays without changing what the producer receives (the solidarity tiers, a contribution
round's pledged price): they register here when the site starts (``SolidarityConfig.ready``),
payments never imports them. The first pricer with an answer sets the price.
"""

from collections.abc import Callable
from datetime import date
from decimal import Decimal

from baskets.models import Subscription
from marketplace.payments.selectors.schedules import price_per_delivery

# (subscription, reference price per delivery, the day the price is set) -> price or None
MemberPricer = Callable[[Subscription, Decimal, date], Decimal | None]

_pricers: list[MemberPricer] = []


def register_member_pricer(pricer: MemberPricer) -> None:
    if pricer not in _pricers:
        _pricers.append(pricer)


def member_price_per_delivery(subscription: Subscription, today: date) -> Decimal:
    """What the member pays for one delivery of ``subscription`` when their plan is set on
    ``today``: the reference price unless a registered pricer says otherwise."""
    reference = price_per_delivery(subscription)
    for pricer in _pricers:
        price = pricer(subscription, reference, today)
        if price is not None:
            return price
    return reference
