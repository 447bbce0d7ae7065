"""What the payment tests build on: a pickup point distributing on Tuesdays (the basket tests'
calendar, Monday 23 November 2026), a season there, a member holding a place in it."""

import datetime as dt
from decimal import Decimal

from baskets.services import subscribe
from tests.baskets.calendar import PARIS_NOW, season, tuesdays
from tests.factories import PickupPointFactory, UserFactory

NOW = PARIS_NOW
TODAY = PARIS_NOW.date()
# 13 Tuesdays, from 1 December 2026 to 23 February 2027.
SEASON_TUESDAYS = 13


def point_on_tuesdays(**kwargs):
    return tuesdays(PickupPointFactory(**kwargs))


def subscription_to(point, *, price="12.00", quantity: int = 1, member=None, **contract):
    """A member's place in a season at the point, its plan at ``price`` per basket."""
    contract = season(point, plan__reference_price=Decimal(price), **contract)
    return subscribe(
        member or UserFactory(), contract, point, quantity=quantity, agreed=True, today=TODAY
    )


def ten_tuesdays(point, **kwargs):
    """A season of 10 Tuesdays, 1 December 2026 to 2 February 2027."""
    return subscription_to(point, ends_on=dt.date(2027, 2, 2), **kwargs)


def euros(text: str) -> Decimal:
    return Decimal(text)
