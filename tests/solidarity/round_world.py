"""What the contribution round tests build on: the payment tests' season at the solidarity
tests' point (13 Tuesdays, 1 December 2026 to 23 February 2027, 12.00 € a basket), and a round
open a week with a budget of 1,000 € and pledges from 8 € to 20 € a basket.

The point's coordinator (``coordinator`` in conftest.py) coordinates the season too."""

import datetime as dt
from decimal import Decimal

from baskets.services import subscribe
from marketplace.solidarity.services.rounds import RoundTerms
from tests.factories import UserFactory
from tests.payments.world import NOW, TODAY

DEADLINE = NOW + dt.timedelta(days=7)
TERMS = RoundTerms(budget="1000.00", min_pledge="8.00", max_pledge="20.00", deadline=DEADLINE)


def household(contract, point, quantity: int = 1, **user):
    """Another household taking ``quantity`` baskets a delivery in the season."""
    return subscribe(
        UserFactory(**user), contract, point, quantity=quantity, agreed=True, today=TODAY
    )


def euros(text: str) -> Decimal:
    return Decimal(text)
