"""A member's AMAP pages: the contracts open for sign-up, subscribing, and their baskets page
with one-click skip, give-away and pause; another member takes an offered basket."""

import html
from decimal import Decimal

import pytest
from django.urls import reverse

from baskets.models import BasketDelivery, BasketTransfer, Subscription
from baskets.services import announce_composition, subscribe
from deliveries.network.services import materialise_distribution_days
from marketplace.shop_setup import ensure_shop_basics
from tests.baskets.calendar import PARIS_NOW, first_changeable_day
from tests.factories import PickupPointFactory, ScheduleFactory, UserFactory, contract_at

pytestmark = [pytest.mark.django_db, pytest.mark.now(PARIS_NOW)]


@pytest.fixture(autouse=True)
def shop(db):
    ensure_shop_basics()


def text(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def point(db):
    point = PickupPointFactory(name="Maison du Thabor", food_aid_partner="Restos du Cœur")
    ScheduleFactory(pickup_point=point, weekday=3)  # Thursdays 18:00
    materialise_distribution_days()
    return point


@pytest.fixture
def contract(point):
    return contract_at(point, capacity=1, absence_allowance=2)


def test_contracts_page_lists_places_left_and_the_contract_page_subscribes(client, point, contract):
    member = UserFactory()
    client.force_login(member)

    listing = text(client.get(reverse("baskets:contracts")))
    assert "Petit panier de légumes" in listing and "Maison du Thabor" in listing

    page = client.get(reverse("baskets:contract", kwargs={"pk": contract.pk}))
    assert page.status_code == 200
    response = client.post(
        reverse("baskets:contract", kwargs={"pk": contract.pk}),
        {"pickup_point": point.pk, "quantity": 1, "agreed": "on"},
        follow=True,
    )
    assert Subscription.objects.get(member=member).state == "active"
    assert "Petit panier de légumes" in text(response)


def test_subscribing_without_accepting_the_terms_keeps_the_form(client, point, contract):
    client.force_login(UserFactory())
    response = client.post(
        reverse("baskets:contract", kwargs={"pk": contract.pk}),
        {"pickup_point": point.pk, "quantity": 3},
    )
    assert response.status_code == 200
    assert 'value="3"' in text(response)
    assert not Subscription.objects.exists()


def test_second_member_goes_on_the_waiting_list(client, point, contract):
    subscribe(UserFactory(), contract, point, agreed=True)
    member = UserFactory()
    client.force_login(member)
    client.post(
        reverse("baskets:contract", kwargs={"pk": contract.pk}),
        {"pickup_point": point.pk, "quantity": 1, "agreed": "on"},
    )
    assert Subscription.objects.get(member=member).state == "waiting"
    page = text(client.get(reverse("baskets:mine")))
    assert "1" in page and 'action="/paniers/mes-paniers/' in page


def test_member_sees_composition_skips_offers_and_another_member_takes_it(
    client, point, contract, producer
):
    contract.plan.producer = producer
    contract.plan.save()
    holder = UserFactory(first_name="Léa", last_name="Guérin")
    subscription = subscribe(holder, contract, point, agreed=True)
    day = first_changeable_day(point)
    announce_composition(producer, contract.plan.pk, day.date, [("Carottes", Decimal("1"), "kg")])
    client.force_login(holder)

    page = text(client.get(reverse("baskets:mine")))
    assert "Carottes 1 kg" in page

    client.post(reverse("baskets:skip", kwargs={"pk": subscription.pk, "day_id": day.pk}))
    client.post(
        reverse("baskets:transfer", kwargs={"pk": subscription.pk, "day_id": day.pk}),
        {"kind": "offered", "confirm": "1"},
    )
    again = client.post(
        reverse("baskets:transfer", kwargs={"pk": subscription.pk, "day_id": day.pk}),
        {"kind": "named", "recipient_name": "Anne", "confirm": "1"},
        follow=True,
    )
    assert BasketTransfer.objects.get().kind == "offered"
    assert "alert-danger" in text(again) or "error" in text(again)

    neighbour = UserFactory(first_name="Hugo", last_name="Le Bihan")
    other_contract = contract_at(point, capacity=5)
    subscribe(neighbour, other_contract, point, agreed=True)
    client.force_login(neighbour)
    offered_page = text(client.get(reverse("baskets:mine")))
    assert "Petit panier de légumes" in offered_page
    transfer = BasketTransfer.objects.get()
    client.post(reverse("baskets:claim", kwargs={"pk": transfer.pk}))
    transfer.refresh_from_db()
    assert transfer.claimed_by == neighbour

    client.force_login(holder)
    assert "Hugo Le Bihan" in text(client.get(reverse("baskets:mine")))


def test_contract_pdf_is_for_its_holder_only(client, point, contract):
    subscription = subscribe(UserFactory(), contract, point, agreed=True)
    client.force_login(UserFactory())
    assert client.get(reverse("baskets:pdf", kwargs={"pk": subscription.pk})).status_code == 404


def test_member_pages_need_a_sign_in(client):
    response = client.get(reverse("baskets:mine"))
    assert response.status_code == 302


def test_a_new_member_s_baskets_count_at_once(
    client, point, contract, django_capture_on_commit_callbacks
):
    contract.places.update(capacity=2)  # two baskets use two places
    member = UserFactory()
    client.force_login(member)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("baskets:contract", kwargs={"pk": contract.pk}),
            {"pickup_point": point.pk, "quantity": 2, "agreed": "on"},
        )
    day = first_changeable_day(point)
    delivery = BasketDelivery.objects.get(subscription__member=member, distribution_day=day)
    assert (delivery.quantity, delivery.status) == (2, "to_collect")
