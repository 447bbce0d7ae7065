"""Nobody but the member, the fund's coordinators and staff learns who is on which tier: the
pickup list, the sign-off sheet and the producer's counts never read the tiers."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from baskets.selectors import basket_counts
from baskets.services import generate_basket_deliveries
from deliveries.distribution.sign_off_sheet import sign_off_sheet_csv
from deliveries.models import DistributionDay
from marketplace.solidarity.models import Tier
from marketplace.solidarity.selectors import may_see_tier_of, pending_requests_for
from marketplace.solidarity.services import ask_for_tier
from tests.factories import PickupPointFactory, UserFactory
from tests.payments.world import NOW

pytestmark = [pytest.mark.django_db, pytest.mark.now(NOW)]

DEC_1 = dt.date(2026, 12, 1)


@pytest.fixture
def reduced(fund, subscription, member):
    fund.trusts_declarations = True
    fund.save()
    ask_for_tier(member, Tier.REDUCED, subscription=subscription, declaration="Au chômage.")
    generate_basket_deliveries([subscription.pickup_point_id], DEC_1, DEC_1)
    return subscription


def test_the_pickup_list_and_the_producers_counts_never_read_the_tiers(reduced):
    day = DistributionDay.objects.get(pickup_point=reduced.pickup_point, date=DEC_1)

    with CaptureQueriesContext(connection) as queries:
        sheet = sign_off_sheet_csv(day)
        counts = basket_counts(reduced.contract.plan.producer, DEC_1, DEC_1)

    assert reduced.member.last_name in sheet
    assert counts
    assert not [query for query in queries if "solidarity" in query["sql"]]
    for word in (Tier.REDUCED.label, Tier.SUPPORTER.label, "Au chômage"):
        assert str(word) not in sheet


def test_a_members_tier_is_seen_by_them_the_funds_coordinators_and_staff(
    fund, reduced, member, coordinator, staff
):
    volunteer = UserFactory()
    reduced.pickup_point.volunteers.add(volunteer)
    elsewhere = UserFactory()
    PickupPointFactory().coordinators.add(elsewhere)
    farmer = UserFactory()
    reduced.contract.plan.producer.partner.users.add(farmer)

    assert may_see_tier_of(member, member, fund)
    assert may_see_tier_of(coordinator, member, fund)
    assert may_see_tier_of(staff, member, fund)
    assert not may_see_tier_of(volunteer, member, fund)
    assert not may_see_tier_of(elsewhere, member, fund)
    assert not may_see_tier_of(farmer, member, fund)


def test_requests_are_listed_only_to_the_funds_coordinators(fund, subscription, member):
    ask_for_tier(member, Tier.REDUCED, subscription=subscription, declaration="Au chômage.")
    elsewhere = UserFactory()
    PickupPointFactory().coordinators.add(elsewhere)

    assert not pending_requests_for(elsewhere).exists()
    assert not pending_requests_for(member).exists()
