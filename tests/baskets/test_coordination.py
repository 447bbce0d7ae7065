"""Coordinators (référents) and producers see each contract's members and waiting list at their
pickup points, and end a commitment, which offers the place to the first person waiting."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from baskets.errors import NotYourSubscription
from baskets.models import BasketDelivery, SubscriptionState
from baskets.services import end_commitment, generate_basket_deliveries, subscribe
from deliveries.network.services import materialise_distribution_days
from marketplace.shop_setup import ensure_shop_basics
from tests.factories import PickupPointFactory, ScheduleFactory, UserFactory, contract_at

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def shop(db):
    ensure_shop_basics()


@pytest.fixture
def coordinator(db):
    return UserFactory(email="referente@example.org")


@pytest.fixture
def point(coordinator):
    point = PickupPointFactory(name="Maison du Thabor")
    point.coordinators.add(coordinator)
    ScheduleFactory(pickup_point=point, weekday=3)
    materialise_distribution_days()
    return point


@pytest.fixture
def full_contract(point):
    contract = contract_at(point, capacity=1)
    holder = UserFactory(first_name="Léa", last_name="Guérin")
    waiting = UserFactory(first_name="Hugo", last_name="Le Bihan", email="hugo@example.org")
    subscribe(holder, contract, point, agreed=True)
    subscribe(waiting, contract, point, agreed=True)
    return contract


def test_coordinator_sees_members_and_waiting_list(client, coordinator, full_contract):
    client.force_login(coordinator)
    page = client.get(reverse("baskets:coordination")).content.decode()
    assert "Léa Guérin" in page
    assert "Hugo Le Bihan" in page


def test_ending_a_commitment_offers_the_place_to_the_first_waiting(
    client, coordinator, full_contract, point, mailoutbox, django_capture_on_commit_callbacks
):
    holder = full_contract.subscriptions.get(state=SubscriptionState.ACTIVE)
    today = timezone.localdate()
    generate_basket_deliveries([point.pk], today, today + dt.timedelta(days=14))
    assert BasketDelivery.objects.filter(subscription=holder).exists()
    client.force_login(coordinator)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("baskets:end-commitment", kwargs={"pk": holder.pk}), {"confirm": "1"})

    holder.refresh_from_db()
    assert holder.state == SubscriptionState.ENDED  # the season had started
    assert not BasketDelivery.objects.filter(
        subscription=holder, distribution_day__date__gt=today
    ).exists()
    waiting = full_contract.subscriptions.get(member__email="hugo@example.org")
    assert waiting.offer_expires_at is not None
    # The member whose commitment ended is told, and the first waiting is offered the place.
    assert sorted(message.to for message in mailoutbox) == sorted(
        [[holder.member.email], ["hugo@example.org"]]
    )


def test_a_member_cannot_end_someone_elses_commitment(client, full_contract):
    holder = full_contract.subscriptions.get(state=SubscriptionState.ACTIVE)
    stranger = UserFactory()
    with pytest.raises(NotYourSubscription):
        end_commitment(stranger, holder.pk)
    client.force_login(stranger)
    client.post(reverse("baskets:end-commitment", kwargs={"pk": holder.pk}), {"confirm": "1"})
    holder.refresh_from_db()
    assert holder.state == SubscriptionState.ACTIVE
    assert "Léa Guérin" not in client.get(reverse("baskets:coordination")).content.decode()


def test_the_plans_producer_manages_its_contract(client, producer, point):
    contract = contract_at(point, plan__producer=producer)
    subscribe(UserFactory(first_name="Inès", last_name="Morvan"), contract, point, agreed=True)
    client.force_login(producer.partner.users.get())
    assert "Inès Morvan" in client.get(reverse("baskets:coordination")).content.decode()


def test_admin_action_offers_places_freed_by_hand(
    client, full_contract, mailoutbox, django_capture_on_commit_callbacks
):
    holder = full_contract.subscriptions.get(state=SubscriptionState.ACTIVE)
    holder.state = SubscriptionState.CANCELLED
    holder.save()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("admin:baskets_subscription_changelist"),
            {"action": "offer_places", "_selected_action": [holder.pk]},
        )

    assert full_contract.subscriptions.get(member__email="hugo@example.org").offer_expires_at
    assert [message.to for message in mailoutbox] == [["hugo@example.org"]]
