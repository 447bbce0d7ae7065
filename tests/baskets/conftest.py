"""What the basket tests share: a pickup point distributing on Tuesdays at 18:00, its calendar
made as of Monday 23 November 2026, where the modules pin the clock (tests/baskets/calendar.py)."""

import pytest

from tests.baskets.calendar import tuesdays
from tests.factories import PickupPointFactory


@pytest.fixture
def point(db):
    return tuesdays(PickupPointFactory())
