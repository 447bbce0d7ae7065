"""Members subscribing to a season of baskets: places, the waiting list, the season's dates."""

import datetime as dt
import threading

import pytest
from django.db import connection

from baskets.errors import SubscriptionRefused
from baskets.models import PlanFrequency, Subscription, SubscriptionState
from baskets.services import contract_delivery_dates, subscribe
from deliveries.models import Closure
from tests.baskets.calendar import PARIS_NOW, SIGN_UP_DAY, season
from tests.factories import (
    PickupPointFactory,
    ScheduleFactory,
    UserFactory,
    contract_at,
    subscribe_shared,
)

pytestmark = [pytest.mark.django_db, pytest.mark.now(PARIS_NOW)]

TUESDAY = 1


@pytest.fixture
def point(db):
    point = PickupPointFactory(name="Maison de quartier Thabor")
    ScheduleFactory(pickup_point=point, weekday=TUESDAY, valid_from=dt.date(2026, 1, 1))
    return point


def test_delivery_dates_are_the_points_days_of_the_season_without_closures(point):
    contract = season(point)
    Closure.objects.create(
        pickup_point=point, start_date=dt.date(2026, 12, 21), end_date=dt.date(2027, 1, 3)
    )

    dates = contract_delivery_dates(contract, point)

    assert dates[0] == dt.date(2026, 12, 1) and dates[-1] == dt.date(2027, 2, 23)
    assert dt.date(2026, 12, 22) not in dates and dt.date(2026, 12, 29) not in dates
    assert len(dates) == 13 - 2
    assert all(day.weekday() == TUESDAY for day in dates)


def test_every_other_day_plans_deliver_one_day_in_two(point):
    contract = season(point, plan__frequency=PlanFrequency.EVERY_OTHER_DAY)

    dates = contract_delivery_dates(contract, point)

    assert dates[:3] == [dt.date(2026, 12, 1), dt.date(2026, 12, 15), dt.date(2026, 12, 29)]


def test_member_subscribes_and_gets_a_place(point):
    contract = season(point)
    member, neighbour = UserFactory(), UserFactory()

    subscription = subscribe_shared(
        member,
        contract,
        point,
        quantity=2,
        agreed=True,
        co_holder=neighbour,
        sharing="alternate",
        today=SIGN_UP_DAY,
    )

    assert subscription.state == SubscriptionState.ACTIVE
    assert (subscription.quantity, subscription.co_holder, subscription.sharing) == (
        2,
        neighbour,
        "alternate",
    )


def test_past_capacity_members_go_on_the_waiting_list_in_order(point):
    contract = season(point, capacity=1)
    first, second, third = UserFactory(), UserFactory(), UserFactory()

    states = [
        subscribe(user, contract, point, agreed=True, today=SIGN_UP_DAY).state
        for user in (first, second, third)
    ]

    assert states == ["active", "waiting", "waiting"]
    waiting = Subscription.objects.filter(state="waiting").order_by("created_at", "pk")
    assert [s.member for s in waiting] == [second, third]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"quantity": 0}, "au moins un panier"),
        ({"quantity": -1}, "au moins un panier"),
        ({"agreed": False}, "acceptez les conditions"),
        ({"today": dt.date(2026, 10, 31)}, "ouvertes du 01/11/2026 au 15/12/2026"),
        ({"today": dt.date(2026, 12, 16)}, "ouvertes du 01/11/2026 au 15/12/2026"),
    ],
)
def test_bad_sign_ups_are_refused_and_nothing_is_saved(point, change, message):
    contract = season(point)
    arguments = {"quantity": 1, "agreed": True, "today": SIGN_UP_DAY, **change}

    with pytest.raises(SubscriptionRefused, match=message):
        subscribe(UserFactory(), contract, point, **arguments)

    assert not Subscription.objects.exists()


def test_subscribing_twice_to_the_same_contract_is_refused(point):
    contract = season(point)
    member = UserFactory()
    subscribe(member, contract, point, agreed=True, today=SIGN_UP_DAY)

    with pytest.raises(SubscriptionRefused, match="déjà inscrit"):
        subscribe(member, contract, point, agreed=True, today=SIGN_UP_DAY)

    assert Subscription.objects.count() == 1


def test_a_contract_without_delivery_date_or_at_another_point_is_refused(point):
    no_schedule = PickupPointFactory()
    empty = season(no_schedule)
    contract = season(point)

    with pytest.raises(SubscriptionRefused, match="plus de date de livraison"):
        subscribe(UserFactory(), empty, no_schedule, agreed=True, today=SIGN_UP_DAY)
    with pytest.raises(SubscriptionRefused, match="pas livré à ce lieu"):
        subscribe(UserFactory(), contract, no_schedule, agreed=True, today=SIGN_UP_DAY)

    assert not Subscription.objects.exists()


def test_the_co_holder_is_another_household(point):
    contract = season(point)
    member = UserFactory()

    with pytest.raises(SubscriptionRefused, match="autre foyer"):
        subscribe(
            member, contract, point, agreed=True, co_holder_email=member.email, today=SIGN_UP_DAY
        )


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_members_taking_the_last_place_at_once_only_one_gets_it(point):
    contract = season(point, capacity=1)
    members = [UserFactory(), UserFactory()]
    barrier = threading.Barrier(2)
    states = []

    def sign_up(member):
        barrier.wait()
        try:
            states.append(subscribe(member, contract, point, agreed=True, today=SIGN_UP_DAY).state)
        finally:
            connection.close()

    threads = [threading.Thread(target=sign_up, args=(m,)) for m in members]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(states) == ["active", "waiting"]
    assert Subscription.objects.filter(state="active").count() == 1


def test_a_new_holder_has_the_coming_weeks_deliveries_at_once_and_the_waiting_none(point):
    from baskets.models import BasketDelivery
    from deliveries.network.services import materialise_distribution_days

    materialise_distribution_days()  # as of now, as the member's sign-up is
    contract = contract_at(point, capacity=1)
    holder = subscribe(UserFactory(), contract, point, agreed=True)
    waiting = subscribe(UserFactory(), contract, point, agreed=True)

    assert BasketDelivery.objects.filter(subscription=holder).exists()
    assert not BasketDelivery.objects.filter(subscription=waiting).exists()
