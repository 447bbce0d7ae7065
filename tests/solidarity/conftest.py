"""The solidarity tests' world: the payment tests' pickup point on Tuesdays (Monday 23
November 2026), its coordinator, a fund it draws on, and a member holding a place there."""

import pytest

from marketplace.solidarity.services import create_fund
from tests.factories import UserFactory
from tests.payments.world import NOW, point_on_tuesdays, subscription_to
from tests.solidarity.world import SETTINGS


@pytest.fixture
def point(db):
    return point_on_tuesdays()


@pytest.fixture
def coordinator(point):
    user = UserFactory(email="referente@example.org")
    point.coordinators.add(user)
    return user


@pytest.fixture
def staff(db):
    return UserFactory(email="equipe@example.org", is_staff=True)


@pytest.fixture
def fund(coordinator, point):
    """The point's fund, its rate at 30 % within [10 %, 50 %], a reserve of 200 €."""
    return create_fund(coordinator, SETTINGS, [point], starting_rate="30", now=NOW)


@pytest.fixture
def subscription(fund, point, member):
    """The member's place in a season at the point, 12.00 € a basket."""
    return subscription_to(point, member=member)
