"""Variable contracts: the member chooses quantities of the plan's products, at least the
contract's minimum per delivery; the deliveries are priced by that choice."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from baskets.errors import ChoiceRefused
from baskets.models import BasketDelivery, DeliveryChoice, Subscription
from baskets.selectors import member_subscriptions, pickup_list_baskets
from baskets.services import (
    choose_delivery_contents,
    choose_usual_contents,
    generate_basket_deliveries,
    subscribe,
)
from deliveries.network.services import materialise_distribution_days
from marketplace.shop_setup import ensure_shop_basics
from tests.baskets.calendar import PARIS_NOW, first_changeable_day
from tests.baskets.test_contract_pdf import pdf_text
from tests.factories import (
    PickupPointFactory,
    ScheduleFactory,
    UserFactory,
    contract_at,
    product_for,
)

pytestmark = [pytest.mark.django_db, pytest.mark.now(PARIS_NOW)]


@pytest.fixture(autouse=True)
def shop(db):
    ensure_shop_basics()


@pytest.fixture
def point(db):
    point = PickupPointFactory()
    ScheduleFactory(pickup_point=point, weekday=3)
    materialise_distribution_days()
    return point


@pytest.fixture
def products(producer):
    return (
        product_for(producer, title="Yaourt nature", price="1.50"),
        product_for(producer, title="Tomme", price="6.00"),
    )


@pytest.fixture
def contract(point, producer, products):
    contract = contract_at(
        point,
        kind="variable",
        minimum_per_delivery=Decimal("8.00"),
        plan__producer=producer,
        plan__name="Part de laiterie",
    )
    contract.plan.products.set(products)
    return contract


def test_choice_below_the_minimum_is_refused_and_nothing_is_made(point, contract, products):
    yoghurt, _cheese = products
    with pytest.raises(ChoiceRefused):
        subscribe(UserFactory(), contract, point, agreed=True, choice={yoghurt.pk: 2})
    with pytest.raises(ChoiceRefused):
        subscribe(UserFactory(), contract, point, agreed=True, choice={})
    assert not Subscription.objects.exists()
    assert not DeliveryChoice.objects.exists()


def test_a_product_outside_the_plan_is_refused(point, contract, producer):
    other = product_for(producer, title="Miel", price="9.00")
    with pytest.raises(ChoiceRefused):
        subscribe(UserFactory(), contract, point, agreed=True, choice={other.pk: 1})


def test_deliveries_are_priced_by_the_usual_choice_and_one_day_can_differ(
    point, contract, products
):
    yoghurt, cheese = products
    member = UserFactory()
    sub = subscribe(member, contract, point, agreed=True, choice={yoghurt.pk: 2, cheese.pk: 1})
    today = timezone.localdate()
    generate_basket_deliveries([point.pk], today, today + dt.timedelta(days=14))
    prices = set(BasketDelivery.objects.filter(subscription=sub).values_list("price", flat=True))
    assert prices == {Decimal("9.00")}

    day = first_changeable_day(point)
    choose_delivery_contents(member, sub.pk, day.pk, {cheese.pk: 2})
    assert BasketDelivery.objects.get(subscription=sub, distribution_day=day).price == Decimal(
        "12.00"
    )
    choose_usual_contents(member, sub.pk, {yoghurt.pk: 7})
    by_day = dict(
        BasketDelivery.objects.filter(subscription=sub).values_list("distribution_day", "price")
    )
    assert by_day.pop(day.pk) == Decimal("12.00")  # chosen for that day: kept
    assert set(by_day.values()) == {Decimal("10.50")}  # the others follow the usual choice


def test_choosing_after_the_deadline_or_in_a_fixed_contract_is_refused(point, contract, products):
    yoghurt, cheese = products
    member = UserFactory()
    sub = subscribe(member, contract, point, agreed=True, choice={cheese.pk: 2})
    day = first_changeable_day(point)
    late = day.starts_at - dt.timedelta(hours=1)
    with pytest.raises(ChoiceRefused):
        choose_delivery_contents(member, sub.pk, day.pk, {cheese.pk: 3}, now=late)
    fixed = contract_at(point)
    fixed_sub = subscribe(member, fixed, point, agreed=True)
    with pytest.raises(ChoiceRefused):
        choose_usual_contents(member, fixed_sub.pk, {yoghurt.pk: 8})


def test_member_subscribes_through_the_page_and_sees_their_choice(
    client, point, contract, products
):
    yoghurt, cheese = products
    member = UserFactory()
    client.force_login(member)
    client.post(
        reverse("baskets:contract", kwargs={"pk": contract.pk}),
        {
            "pickup_point": point.pk,
            "quantity": 1,
            "agreed": "on",
            f"product_{yoghurt.pk}": 2,
            f"product_{cheese.pk}": 1,
        },
    )
    sub = Subscription.objects.get(member=member)
    page = client.get(reverse("baskets:mine")).content.decode()
    assert "Tomme × 1" in page and "Yaourt nature × 2" in page

    day = first_changeable_day(point)
    client.post(
        reverse("baskets:choose-delivery", kwargs={"pk": sub.pk, "day_id": day.pk}),
        {f"product_{cheese.pk}": 3},
    )
    entry = member_subscriptions(member)[0]
    chosen = next(d for d in entry.deliveries if d.day == day).chosen
    assert [(line.title, line.quantity) for line in chosen] == [("Tomme", 3)]

    today = timezone.localdate()
    generate_basket_deliveries([point.pk], today, today + dt.timedelta(days=14))
    row = pickup_list_baskets(day)[0]
    assert [(line.title, line.quantity) for line in row.chosen] == [("Tomme", 3)]


def test_contract_pdf_of_a_variable_contract_gives_the_usual_choice(
    client, point, contract, products
):
    yoghurt, cheese = products
    member = UserFactory()
    sub = subscribe(member, contract, point, agreed=True, choice={cheese.pk: 2})
    client.force_login(member)
    response = client.get(reverse("baskets:pdf", kwargs={"pk": sub.pk}))
    assert response.status_code == 200
    text = pdf_text(response.content)
    assert "Tomme × 2" in text
    assert "12,00" in text
