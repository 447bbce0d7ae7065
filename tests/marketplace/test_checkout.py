"""À la carte ordering: cart, checkout paid at pickup, stock, confirmation email, producer lines."""

import threading

import pytest
from django.core import mail
from django.db import connection
from django.urls import reverse
from oscar.core.loading import get_model

from marketplace.shop_setup import ensure_shop_basics
from tests.factories import (
    DistributionDayFactory,
    ProducerFactory,
    UserFactory,
    open_slot_code,
    product_for,
)

DistributionDay = get_model("deliveries", "DistributionDay")
Order = get_model("order", "Order")
StockRecord = get_model("partner", "StockRecord")

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def shop(db, open_day):
    ensure_shop_basics()


def place_order(client, *lines):
    for product, quantity in lines:
        response = client.post(
            reverse("basket:add", kwargs={"pk": product.pk}), {"quantity": quantity}
        )
        assert response.status_code == 302
    response = client.get(reverse("checkout:index"), follow=True)
    assert response.redirect_chain[-1][0].endswith(reverse("checkout:shipping-method"))
    day = DistributionDay.objects.filter(state="open").first()
    client.post(reverse("checkout:shipping-method"), {"method_code": f"pickup-{day.pk}"})
    return client.post(reverse("checkout:preview"), {"action": "place_order"}, follow=True)


def test_member_orders_paid_at_pickup_and_stock_goes_down(
    client, member, producer, django_capture_on_commit_callbacks
):
    carrots = product_for(producer, title="Carottes", price="2.40", stock=10)
    client.force_login(member)

    with django_capture_on_commit_callbacks(execute=True):
        response = place_order(client, (carrots, 3))

    order = Order.objects.get()
    assert response.request["PATH_INFO"] == reverse("checkout:thank-you")
    assert order.user == member
    assert order.total_incl_tax == order.basket_total_incl_tax
    assert str(order.total_incl_tax) == "7.20"
    assert order.sources.get().source_type.code == "pay-at-pickup"
    assert StockRecord.objects.get(product=carrots).net_stock_level == 7
    assert len(mail.outbox) == 1
    assert order.number in mail.outbox[0].body
    assert mail.outbox[0].to == [member.email]


def test_confirmation_email_is_sent_once_even_if_the_task_runs_twice(
    client, member, producer, django_capture_on_commit_callbacks
):
    from marketplace.checkout.services import send_order_confirmation_email

    client.force_login(member)
    with django_capture_on_commit_callbacks(execute=True):
        place_order(client, (product_for(producer), 1))

    send_order_confirmation_email(Order.objects.get().pk)

    assert len(mail.outbox) == 1


def test_order_for_more_than_the_stock_is_refused_and_nothing_changes(client, member, producer):
    eggs = product_for(producer, title="Œufs", stock=2)
    client.force_login(member)
    client.post(reverse("basket:add", kwargs={"pk": eggs.pk}), {"quantity": 2})
    # Someone else buys one meanwhile.
    StockRecord.objects.filter(product=eggs).update(num_allocated=1)

    client.get(reverse("checkout:index"), follow=True)
    client.post(reverse("checkout:shipping-method"), {"method_code": open_slot_code()})
    response = client.post(reverse("checkout:preview"), {"action": "place_order"}, follow=True)

    assert not Order.objects.exists()
    assert StockRecord.objects.get(product=eggs).net_stock_level == 1
    assert response.status_code == 200


def test_visitor_must_sign_in_to_check_out(client, producer):
    product = product_for(producer)
    client.post(reverse("basket:add", kwargs={"pk": product.pk}), {"quantity": 1})

    response = client.get(reverse("checkout:index"))

    assert response.status_code == 302
    assert reverse("customer:login") in response["Location"]
    assert not Order.objects.exists()


def test_producer_sees_only_their_own_lines_of_a_shared_order(client, member, producer):
    bread = product_for(producer, title="Pain de campagne", category_name="Pain")
    other = ProducerFactory(name="Miellerie", users=[UserFactory()])
    honey = product_for(other, title="Miel de fleurs", category_name="Épicerie")
    client.force_login(member)
    place_order(client, (bread, 1), (honey, 2))
    order = Order.objects.get()
    assert order.lines.count() == 2

    client.force_login(producer.partner.users.get())
    page = client.get(reverse("producer_space:order-lines")).content.decode()

    assert order.number in page
    assert "Pain de campagne" in page
    assert "Miel de fleurs" not in page


def test_producer_marks_their_own_line_prepared_but_not_another_producers(client, member, producer):
    bread = product_for(producer, title="Pain complet", category_name="Pain")
    other = ProducerFactory(name="Miellerie", users=[UserFactory()])
    honey = product_for(other, title="Miel", category_name="Épicerie")
    client.force_login(member)
    place_order(client, (bread, 1), (honey, 1))
    order = Order.objects.get()
    mine = order.lines.get(partner=producer.partner)
    theirs = order.lines.get(partner=other.partner)
    assert mine.status == "pending"

    client.force_login(producer.partner.users.get())
    url = "producer_space:order-line-prepared"
    client.post(reverse(url, args=[mine.pk]), {"prepared": "1"})
    refused = client.post(reverse(url, args=[theirs.pk]), {"prepared": "1"})

    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.status == "prepared"
    assert refused.status_code == 404
    assert theirs.status == "pending"
    page = client.get(reverse("producer_space:order-lines")).content.decode()
    assert "préparé" in page.lower()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_members_buying_the_last_jar_at_once_only_one_gets_it(producer):
    from django.test import Client

    ensure_shop_basics()
    DistributionDayFactory()
    jam = product_for(producer, title="Confiture", stock=1)
    clients = []
    for index in range(2):
        client = Client()
        client.force_login(UserFactory(email=f"buyer{index}@example.org"))
        client.post(reverse("basket:add", kwargs={"pk": jam.pk}), {"quantity": 1})
        client.get(reverse("checkout:index"), follow=True)
        client.post(reverse("checkout:shipping-method"), {"method_code": open_slot_code()})
        clients.append(client)
    barrier = threading.Barrier(2)

    def buy(client):
        barrier.wait()
        client.post(reverse("checkout:preview"), {"action": "place_order"})
        connection.close()

    threads = [threading.Thread(target=buy, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert Order.objects.count() == 1
    assert StockRecord.objects.get(product=jam).net_stock_level == 0
