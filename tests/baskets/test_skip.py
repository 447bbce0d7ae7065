"""A member skips a delivery: before the deadline, within the allowance, once."""

import datetime as dt

import pytest

from baskets.errors import AbsenceRefused, NotYourSubscription
from baskets.models import Absence, BasketDelivery
from baskets.services import generate_basket_deliveries, skip_delivery, subscribe
from deliveries.models import DistributionDay
from tests.baskets.calendar import PARIS_NOW
from tests.factories import UserFactory, contract_at

pytestmark = [pytest.mark.django_db, pytest.mark.now(PARIS_NOW)]


@pytest.fixture
def subscription(point):
    contract = contract_at(
        point,
        starts_on=dt.date(2026, 12, 1),
        ends_on=dt.date(2027, 2, 23),
        signup_opens_on=dt.date(2026, 11, 1),
        signup_closes_on=dt.date(2026, 12, 15),
        absence_allowance=2,
        absence_deadline_hours=48,
    )
    return subscribe(UserFactory(), contract, point, agreed=True, today=dt.date(2026, 11, 23))


def day_on(point, date):
    return DistributionDay.objects.get(pickup_point=point, date=date)


def test_member_skips_a_delivery_and_it_shows_skipped(point, subscription):
    generate_basket_deliveries([point.pk], dt.date(2026, 11, 23), dt.date(2026, 12, 31))
    day = day_on(point, dt.date(2026, 12, 8))

    skip_delivery(subscription.member, subscription.pk, day.pk, now=PARIS_NOW)

    assert BasketDelivery.objects.get(subscription=subscription, distribution_day=day).status == (
        "skipped"
    )
    assert BasketDelivery.objects.filter(subscription=subscription, status="to_collect").count()


def test_skipping_after_the_deadline_is_refused(point, subscription):
    day = day_on(point, dt.date(2026, 12, 1))  # Tuesday 18:00; deadline Sunday 18:00
    late = dt.datetime(2026, 11, 29, 18, 30, tzinfo=dt.UTC)

    with pytest.raises(AbsenceRefused, match="48"):
        skip_delivery(subscription.member, subscription.pk, day.pk, now=late)

    assert not Absence.objects.exists()


def test_skipping_beyond_the_allowance_or_twice_is_refused(point, subscription):
    member = subscription.member
    first, second, third = (day_on(point, dt.date(2026, 12, d)) for d in (1, 8, 15))
    skip_delivery(member, subscription.pk, first.pk, now=PARIS_NOW)

    with pytest.raises(AbsenceRefused):
        skip_delivery(member, subscription.pk, first.pk, now=PARIS_NOW)
    skip_delivery(member, subscription.pk, second.pk, now=PARIS_NOW)
    with pytest.raises(AbsenceRefused, match="2"):
        skip_delivery(member, subscription.pk, third.pk, now=PARIS_NOW)

    assert Absence.objects.count() == 2


def test_only_the_members_own_subscription_and_real_delivery_days(point, subscription):
    outside_season = day_on(point, dt.date(2026, 11, 24))

    with pytest.raises(NotYourSubscription):
        skip_delivery(UserFactory(), subscription.pk, outside_season.pk, now=PARIS_NOW)
    with pytest.raises(AbsenceRefused):
        skip_delivery(subscription.member, subscription.pk, outside_season.pk, now=PARIS_NOW)

    assert not Absence.objects.exists()
