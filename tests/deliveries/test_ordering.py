"""Ordering for a distribution day: choosing the slot, closed days, and cancelling in time."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from oscar.core.loading import get_model

from deliveries.models import DayState, DistributionDay
from deliveries.network.selectors import open_pickup_slots
from marketplace.shop_setup import ensure_shop_basics
from tests.factories import DistributionDayFactory, UserFactory, product_for
from tests.ordering import choose_and_order, fill_cart

Order = get_model("order", "Order")
StockRecord = get_model("partner", "StockRecord")

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def shop(db):
    ensure_shop_basics()


def test_member_chooses_the_distribution_day_and_the_order_records_it(client, member, producer):
    first, second = DistributionDayFactory(), DistributionDayFactory()
    client.force_login(member)
    fill_cart(client, product_for(producer))

    page = client.get(reverse("checkout:index"), follow=True)
    assert page.redirect_chain[-1][0] == reverse("checkout:shipping-method")
    assert first.pickup_point.name in page.content.decode()
    response = choose_and_order(client, second)

    assert response.request["PATH_INFO"] == reverse("checkout:thank-you")
    assert Order.objects.get().pickup.distribution_day == second


def test_an_order_for_a_day_closed_meanwhile_is_refused_and_nothing_changes(
    client, member, producer
):
    day, other = DistributionDayFactory(), DistributionDayFactory()
    product = product_for(producer, stock=5)
    client.force_login(member)
    fill_cart(client, product, 2)
    client.get(reverse("checkout:index"), follow=True)
    client.post(reverse("checkout:shipping-method"), {"method_code": f"pickup-{day.pk}"})
    DistributionDay.objects.filter(pk=day.pk).update(state=DayState.CLOSED)

    response = client.post(reverse("checkout:preview"), {"action": "place_order"}, follow=True)

    assert not Order.objects.exists()
    assert StockRecord.objects.get(product=product).net_stock_level == 5
    assert response.redirect_chain[-1][0] == reverse("checkout:shipping-method")
    page = response.content.decode()
    assert "n’est plus ouverte aux commandes" in page
    assert other.pickup_point.name in page


def test_the_cutoff_passing_while_placing_the_order_is_refused(client, member, producer):
    from deliveries.network.errors import DayNotOpenForOrders
    from deliveries.network.services import lock_day_open_for_orders

    day = DistributionDayFactory()
    DistributionDay.objects.filter(pk=day.pk).update(cutoff_at=timezone.now())

    with pytest.raises(DayNotOpenForOrders):
        lock_day_open_for_orders(day.pk)


def test_without_any_open_day_checkout_says_so(client, member, producer):
    client.force_login(member)
    fill_cart(client, product_for(producer))

    response = client.get(reverse("checkout:index"), follow=True)

    assert response.redirect_chain[-1][0] == reverse("basket:summary")
    assert "Aucune distribution" in response.content.decode()
    assert not Order.objects.exists()


def test_the_members_usual_pickup_point_comes_first(client, member, producer):
    early, later = (
        DistributionDayFactory(),
        DistributionDayFactory(starts_at=timezone.now() + dt.timedelta(days=6)),
    )
    client.force_login(member)
    fill_cart(client, product_for(producer))
    choose_and_order(client, later)

    slots = open_pickup_slots(member)

    assert [slot.pk for slot in slots] == [later.pk, early.pk]
    assert [slot.pk for slot in open_pickup_slots(UserFactory())] == [early.pk, later.pk]


def test_member_cancels_before_the_cutoff_and_the_stock_comes_back(client, member, producer):
    day = DistributionDayFactory()
    product = product_for(producer, stock=5)
    client.force_login(member)
    fill_cart(client, product, 2)
    choose_and_order(client, day)
    order = Order.objects.get()
    assert StockRecord.objects.get(product=product).net_stock_level == 3

    page = client.get(reverse("deliveries:upcoming-orders")).content.decode()
    assert order.number in page and day.pickup_point.name in page
    client.post(reverse("deliveries:cancel-order", args=[order.number]))

    order.refresh_from_db()
    assert order.status == "cancelled"
    assert set(order.lines.values_list("status", flat=True)) == {"cancelled"}
    assert StockRecord.objects.get(product=product).net_stock_level == 5
    page = client.get(reverse("deliveries:upcoming-orders")).content.decode()
    assert "Vous n’avez aucune commande à retirer." in page


def test_cancelling_after_the_cutoff_is_refused(client, member, producer):
    day = DistributionDayFactory()
    product = product_for(producer, stock=5)
    client.force_login(member)
    fill_cart(client, product, 2)
    choose_and_order(client, day)
    DistributionDay.objects.filter(pk=day.pk).update(cutoff_at=timezone.now())
    order = Order.objects.get()

    response = client.post(reverse("deliveries:cancel-order", args=[order.number]), follow=True)

    order.refresh_from_db()
    assert order.status == "pending"
    assert StockRecord.objects.get(product=product).net_stock_level == 3
    assert "trop tard" in response.content.decode()


def test_nobody_cancels_another_members_order(client, member, producer):
    day = DistributionDayFactory()
    client.force_login(member)
    fill_cart(client, product_for(producer))
    choose_and_order(client, day)
    order = Order.objects.get()

    client.force_login(UserFactory())
    response = client.post(reverse("deliveries:cancel-order", args=[order.number]))

    assert response.status_code == 404
    order.refresh_from_db()
    assert order.status == "pending"
