"""What the basket tests share: a fixed clock on Monday 23 November 2026 and a pickup point
distributing on Tuesdays at 18:00, its calendar made."""

import pytest
from django.utils import timezone

from tests.baskets.calendar import PARIS_NOW, tuesdays
from tests.factories import PickupPointFactory


@pytest.fixture
def clock(monkeypatch):
    """The time the services stamp themselves (an offer's created_at) and the beat tasks read:
    a test moves it by setting ``clock.now``; the services' own ``now`` is passed."""

    class Clock:
        now = PARIS_NOW

    clock = Clock()
    monkeypatch.setattr(timezone, "now", lambda: clock.now)
    return clock


@pytest.fixture
def point(db):
    return tuesdays(PickupPointFactory())
