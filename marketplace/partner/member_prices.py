"""Prices that differ for some members, set by layers above the shop.

The shop's strategy prices a product at what its producer typed. A layer above may price it
otherwise for a member without changing what the producer receives (the solidarity fund's
reduced tier on staples): it registers an adjuster when the site starts
(``SolidarityConfig.ready``); the shop never imports it.

An adjuster's ``for_user(user)`` says how it prices for that member: None when it does not
(most members: their pages are the same as everyone's), or a ``MemberPricing`` whose
``variant`` names the prices they see (so that cached pages are kept apart) and whose
``price(product, price)`` is the member's price of a product, or None for the usual one.
"""

from decimal import Decimal
from typing import Protocol


class MemberPricing(Protocol):
    variant: str

    def price(self, product, price: Decimal) -> Decimal | None: ...


class PriceAdjuster(Protocol):
    def for_user(self, user) -> MemberPricing | None: ...


_adjusters: list[PriceAdjuster] = []


def register_price_adjuster(adjuster: PriceAdjuster) -> None:
    if adjuster not in _adjusters:
        _adjusters.append(adjuster)


def pricings_for(user) -> list[MemberPricing]:
    if user is None or not user.is_authenticated:
        return []
    return [found for adjuster in _adjusters if (found := adjuster.for_user(user)) is not None]
