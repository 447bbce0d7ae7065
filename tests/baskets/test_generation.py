"""The beat task makes one basket delivery per subscription and distribution day, once."""

import datetime as dt
from decimal import Decimal

import pytest

from baskets.models import Absence, BasketDelivery, PlanFrequency, SubscriptionState
from baskets.services import generate_basket_deliveries, subscribe
from baskets.tasks import generate_basket_deliveries as generate_task
from deliveries.models import Closure, DayState, DistributionDay
from deliveries.network.services import materialise_distribution_days
from tests.baskets.calendar import PARIS_NOW, season
from tests.factories import PickupPointFactory, ScheduleFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.now(PARIS_NOW)]

NOW = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)
FIRST, LAST = dt.date(2026, 11, 23), dt.date(2026, 12, 31)


@pytest.fixture
def point(db):
    point = PickupPointFactory()
    ScheduleFactory(pickup_point=point, weekday=1, valid_from=dt.date(2026, 1, 1))  # Tuesdays
    Closure.objects.create(
        pickup_point=point, start_date=dt.date(2026, 12, 21), end_date=dt.date(2027, 1, 3)
    )
    materialise_distribution_days(now=NOW)
    return point


def member_of(contract, point, **kwargs):
    return subscribe(
        UserFactory(), contract, point, agreed=True, today=dt.date(2026, 11, 23), **kwargs
    )


def delivered(subscription):
    return sorted(
        (d.distribution_day.date, d.status)
        for d in BasketDelivery.objects.filter(subscription=subscription).select_related(
            "distribution_day"
        )
    )


def test_one_delivery_per_subscription_and_day_of_the_season(point):
    contract = season(point, plan__reference_price=Decimal("12.50"))
    subscription = member_of(contract, point, quantity=2)

    generate_basket_deliveries([point.pk], FIRST, LAST)

    # Tuesdays of December, the 22nd and 29th closed for Christmas.
    assert delivered(subscription) == [
        (dt.date(2026, 12, 1), "to_collect"),
        (dt.date(2026, 12, 8), "to_collect"),
        (dt.date(2026, 12, 15), "to_collect"),
    ]
    delivery = BasketDelivery.objects.filter(subscription=subscription).first()
    assert (delivery.quantity, delivery.price) == (2, Decimal("25.00"))


def test_running_twice_creates_nothing_more(point):
    member_of(season(point), point)

    generate_basket_deliveries([point.pk], FIRST, LAST)
    second = generate_basket_deliveries([point.pk], FIRST, LAST)

    assert second == 0
    assert BasketDelivery.objects.count() == 3  # Tuesdays 1, 8 and 15 December


def test_absences_make_skipped_deliveries_and_waiting_members_get_none(point):
    contract = season(point, capacity=1)
    holder = member_of(contract, point)
    waiting = member_of(contract, point)
    Absence.objects.create(
        subscription=holder, starts_on=dt.date(2026, 12, 8), ends_on=dt.date(2026, 12, 8)
    )

    generate_basket_deliveries([point.pk], FIRST, LAST)

    assert waiting.state == SubscriptionState.WAITING
    assert delivered(waiting) == []
    assert delivered(holder) == [
        (dt.date(2026, 12, 1), "to_collect"),
        (dt.date(2026, 12, 8), "skipped"),
        (dt.date(2026, 12, 15), "to_collect"),
    ]


def test_every_other_day_plans_and_cancelled_days(point):
    contract = season(point, plan__frequency=PlanFrequency.EVERY_OTHER_DAY)
    subscription = member_of(contract, point)
    DistributionDay.objects.filter(pickup_point=point, date=dt.date(2026, 12, 15)).update(
        state=DayState.CANCELLED
    )

    generate_basket_deliveries([point.pk], FIRST, LAST)

    assert [day for day, _ in delivered(subscription)] == [dt.date(2026, 12, 1)]


def test_queries_do_not_grow_with_subscriptions(point, django_assert_max_num_queries):
    contract = season(point, capacity=200)
    for _ in range(40):
        member_of(contract, point)

    BasketDelivery.objects.all().delete()  # those made when each signed up

    with django_assert_max_num_queries(9):
        created = generate_basket_deliveries([point.pk], FIRST, LAST)

    assert created == 40 * 3


def test_the_beat_task_shares_the_pickup_points_in_chunks(point, monkeypatch):
    other = PickupPointFactory()
    ScheduleFactory(pickup_point=other, weekday=3, valid_from=dt.date(2026, 1, 1))
    materialise_distribution_days()
    member_of(season(point), point)
    member_of(season(other), other)

    monkeypatch.setattr("baskets.services.generation.POINTS_PER_CHUNK", 1)
    chunks = generate_task()
    generate_task()

    assert chunks == 2
    assert BasketDelivery.objects.values("subscription").distinct().count() == 2
    assert BasketDelivery.objects.count() == len(
        set(BasketDelivery.objects.values_list("subscription_id", "distribution_day_id"))
    )


def test_a_chunk_of_several_points_gives_each_subscription_its_own_points_days(point):
    other = PickupPointFactory()
    ScheduleFactory(pickup_point=other, weekday=3, valid_from=dt.date(2026, 1, 1))  # Thursdays
    materialise_distribution_days(now=NOW)
    here, there = member_of(season(point), point), member_of(season(other), other)

    generate_basket_deliveries([point.pk, other.pk], FIRST, LAST)

    assert {day.weekday() for day, _ in delivered(here)} == {1}
    assert {day.weekday() for day, _ in delivered(there)} == {3}
