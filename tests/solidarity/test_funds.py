"""Setting up a fund: its bounds, its reserve and the pickup points drawing on it. Bad settings
are refused with a clear message and nothing is saved."""

from dataclasses import replace
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from marketplace.solidarity.errors import SolidarityRefused
from marketplace.solidarity.models import Fund, FundPoint
from marketplace.solidarity.selectors import coordinates_fund, fund_of_point
from marketplace.solidarity.services import (
    attach_pickup_points,
    change_fund_settings,
    create_fund,
    detach_pickup_point,
)
from tests.factories import PickupPointFactory, UserFactory
from tests.payments.world import NOW
from tests.solidarity.world import SETTINGS, said

pytestmark = [pytest.mark.django_db, pytest.mark.now(NOW)]


def test_a_coordinator_sets_up_a_fund_for_their_pickup_point(coordinator, point):
    fund = create_fund(coordinator, SETTINGS, [point], starting_rate="30")

    assert fund_of_point(point) == fund
    assert (fund.rate_min, fund.rate_max, fund.rate_step, fund.rate) == (
        Decimal("10.00"),
        Decimal("50.00"),
        Decimal("5.00"),
        Decimal("30.00"),
    )
    assert fund.reserve == Decimal("200.00")
    assert (fund.review_days, fund.notice_days) == (7, 7)
    assert fund.open_to_requests and not fund.trusts_declarations
    assert fund.slug == "caisse-de-solidarite-du-pays-de-rennes"
    assert coordinates_fund(coordinator, fund)


def test_a_new_funds_rate_starts_at_its_lowest(coordinator, point):
    assert create_fund(coordinator, SETTINGS, [point]).rate == Decimal("10.00")


@pytest.mark.parametrize(
    ("changes", "starting_rate", "says"),
    [
        (
            {"rate_min": "50", "rate_max": "10"},
            None,
            "The highest rate must not be below the lowest rate.",
        ),
        ({"rate_max": "120"}, None, "A rate is a percentage between 0 and 100."),
        ({"rate_min": "-5"}, None, "A rate is a percentage between 0 and 100."),
        ({"rate_step": "0"}, None, "The step must be above 0 and at most 100 percent."),
        ({"rate_step": "-1"}, None, "The step must be above 0 and at most 100 percent."),
        ({"reserve": "-10"}, None, "The reserve cannot be below zero."),
        (
            {},
            "60",
            "The rate in force must lie between the lowest and the highest rate.",
        ),
        ({}, "101", "A rate is a percentage between 0 and 100."),
        ({"rate_min": "dix"}, None, "Enter a percentage, such as 30 or 12.5."),
        ({"rate_step": "2.555"}, None, "Enter the percentage to two decimal places at most."),
        ({"reserve": "12.345"}, None, "Enter the amount to the cent, such as 12.50."),
        ({"review_days": 0}, None, "Enter a number of days between %(least)s and %(most)s."),
        ({"notice_days": -1}, None, "Enter a number of days between %(least)s and %(most)s."),
        ({"name": "  "}, None, "Give the fund a name."),
    ],
)
def test_bad_settings_are_refused_and_nothing_is_saved(
    coordinator, point, changes, starting_rate, says
):
    with pytest.raises(SolidarityRefused) as refused:
        create_fund(coordinator, replace(SETTINGS, **changes), [point], starting_rate=starting_rate)

    assert said(refused, says)
    assert not Fund.objects.exists()
    assert not FundPoint.objects.exists()


def test_bad_settings_leave_a_fund_as_it_was(fund, coordinator):
    with pytest.raises(SolidarityRefused):
        change_fund_settings(coordinator, fund, replace(SETTINGS, rate_min="60", rate_max="40"))

    fund.refresh_from_db()
    assert (fund.rate_min, fund.rate_max, fund.rate) == (
        Decimal("10.00"),
        Decimal("50.00"),
        Decimal("30.00"),
    )


def test_new_bounds_bring_the_rate_in_force_within_them(fund, coordinator):
    fund = change_fund_settings(
        coordinator, fund, replace(SETTINGS, rate_min="5", rate_max="20", trusts_declarations=True)
    )

    fund.refresh_from_db()
    assert (fund.rate_min, fund.rate_max, fund.rate) == (
        Decimal("5.00"),
        Decimal("20.00"),
        Decimal("20.00"),
    )
    assert fund.trusts_declarations


def test_the_admin_form_says_what_is_wrong_with_the_bounds(fund):
    fund.rate_min, fund.rate_max, fund.rate_step = Decimal("40"), Decimal("20"), Decimal("0")

    with pytest.raises(ValidationError) as caught:
        fund.full_clean()

    assert {"rate_max", "rate_step"} <= set(caught.value.message_dict)


def test_the_database_refuses_reversed_bounds_too(fund):
    with pytest.raises(IntegrityError), transaction.atomic():
        Fund.objects.filter(pk=fund.pk).update(rate_min=Decimal("60"))


def test_only_the_points_coordinators_or_staff_set_up_a_fund(point, staff):
    stranger = UserFactory()

    with pytest.raises(SolidarityRefused) as refused:
        create_fund(stranger, SETTINGS, [point])
    assert said(refused, "You do not coordinate %(point)s: its coordinators may add it.")
    with pytest.raises(SolidarityRefused) as refused:
        create_fund(stranger, SETTINGS, [])
    assert said(refused, "Choose the pickup points that will draw on the fund.")
    assert not Fund.objects.exists()

    assert create_fund(staff, SETTINGS, [point]).points.count() == 1


def test_only_the_funds_coordinators_change_its_settings(fund):
    other_coordinator = UserFactory()
    PickupPointFactory().coordinators.add(other_coordinator)

    with pytest.raises(SolidarityRefused) as refused:
        change_fund_settings(other_coordinator, fund, replace(SETTINGS, rate_max="20"))

    assert said(
        refused, "Only the coordinators of the fund's pickup points may change its settings."
    )
    fund.refresh_from_db()
    assert fund.rate_max == Decimal("50.00")


def test_a_network_of_amaps_shares_one_fund(fund, coordinator):
    neighbour = PickupPointFactory()
    neighbour.coordinators.add(coordinator)

    attach_pickup_points(coordinator, fund, [neighbour])
    attach_pickup_points(coordinator, fund, [neighbour])  # twice: nothing more

    assert fund_of_point(neighbour) == fund
    assert fund.points.count() == 2


def test_a_point_draws_on_one_fund_at_most(fund, coordinator, point, staff):
    free = PickupPointFactory()
    other = create_fund(staff, SETTINGS, [])

    with pytest.raises(SolidarityRefused) as refused:
        attach_pickup_points(staff, other, [free, point])

    assert said(refused, "%(point)s already draws on the fund %(fund)s.")
    assert fund_of_point(free) is None  # nothing saved, not even the free point
    assert fund_of_point(point) == fund
    with pytest.raises(IntegrityError), transaction.atomic():
        FundPoint.objects.create(fund=other, pickup_point=point)


def test_a_point_moves_to_another_fund_once_detached(fund, coordinator, point, staff):
    other = create_fund(staff, SETTINGS, [])

    detach_pickup_point(coordinator, fund, point)
    attach_pickup_points(staff, other, [point])

    assert fund_of_point(point) == other


def test_a_coordinator_adds_only_points_they_coordinate(fund, coordinator):
    with pytest.raises(SolidarityRefused) as refused:
        attach_pickup_points(coordinator, fund, [PickupPointFactory()])

    assert said(refused, "You do not coordinate %(point)s: its coordinators may add it.")
    assert fund.points.count() == 1
