"""The demo's AMAP side: contracts at every demo pickup point, a waiting list, the member who
signs in holding a vegetable basket, baskets given away, and deliveries made; made once."""

import random

import pytest
from django.contrib.auth import get_user_model

from baskets.models import (
    BasketDelivery,
    BasketTransfer,
    Contract,
    ContractPickupPoint,
    DeliveryComposition,
    Subscription,
    SubscriptionState,
    TransferKind,
)
from deliveries.models import PickupPoint
from marketplace.demo import DEMO_ACCOUNTS, DemoSize, load_demo
from marketplace.demo.baskets import ensure_demo_baskets
from marketplace.demo.deliveries import PICKUP_POINTS
from producers.models import Producer

pytestmark = pytest.mark.django_db

User = get_user_model()


@pytest.fixture
def demo():
    load_demo(DemoSize(producers=6, products=12))
    return User.objects.get(email=DEMO_ACCOUNTS[0][0])


def test_each_demo_pickup_point_delivers_two_to_four_contracts(demo):
    points = PickupPoint.objects.filter(name__in=[point[1] for point in PICKUP_POINTS])

    assert points.count() == len(PICKUP_POINTS)
    for point in points:
        assert 2 <= Contract.objects.filter(pickup_points=point).count() <= 4, point.name
        assert point.food_aid_partner


def test_one_full_place_has_a_waiting_list(demo):
    full = [
        place
        for place in ContractPickupPoint.objects.all()
        if Subscription.objects.filter(
            contract=place.contract,
            pickup_point=place.pickup_point,
            state=SubscriptionState.WAITING,
        ).exists()
    ]

    assert len(full) == 1
    holding = Subscription.objects.filter(
        contract=full[0].contract,
        pickup_point=full[0].pickup_point,
        state=SubscriptionState.ACTIVE,
    )
    assert holding.count() == full[0].capacity


def test_the_demo_member_holds_a_vegetable_basket_at_the_first_point_and_waits_for_nothing(demo):
    theirs = Subscription.objects.filter(member=demo)

    assert theirs.filter(
        state=SubscriptionState.ACTIVE,
        contract__plan__producer__partner__users__email=DEMO_ACCOUNTS[1][0],
        pickup_point__name=PICKUP_POINTS[0][1],
    ).exists()
    assert not theirs.filter(state=SubscriptionState.WAITING).exists()


def test_baskets_are_given_away_in_each_way(demo):
    transfers = BasketTransfer.objects.all()

    assert transfers.filter(kind=TransferKind.NAMED).exclude(recipient_name="").exists()
    assert transfers.filter(kind=TransferKind.OFFERED, claimed_by__isnull=False).exists()
    assert transfers.filter(kind=TransferKind.FOOD_AID).exists()
    offered_to_the_demo_member = transfers.filter(
        kind=TransferKind.OFFERED,
        claimed_by__isnull=True,
        subscription__pickup_point__name=PICKUP_POINTS[0][1],
    ).exclude(subscription__member=demo)
    assert offered_to_the_demo_member.exists()


def test_deliveries_and_compositions_are_made(demo):
    assert BasketDelivery.objects.filter(status="to_collect").exists()
    assert BasketDelivery.objects.filter(status="transferred").exists()
    assert DeliveryComposition.objects.filter(lines__isnull=False).exists()


def test_making_the_demo_baskets_again_creates_nothing(demo):
    counts = (
        Contract.objects.count(),
        Subscription.objects.count(),
        BasketDelivery.objects.count(),
    )
    producers = list(Producer.objects.order_by("pk"))

    assert ensure_demo_baskets(demo, producers, random.Random(42)) == 0
    load_demo(DemoSize(producers=6, products=12))

    assert (
        Contract.objects.count(),
        Subscription.objects.count(),
        BasketDelivery.objects.count(),
    ) == counts
