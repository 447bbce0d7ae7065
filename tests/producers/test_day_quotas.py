"""Quotas per distribution day: the producer says how much they bring, orders stop there, the
catalogue shows what is left for the member's chosen day."""

import html

import pytest
from django.urls import reverse
from oscar.core.loading import get_model

from deliveries.models import DayState
from marketplace.shop_setup import ensure_shop_basics
from producers.models import DayQuota
from tests.factories import DistributionDayFactory, UserFactory, product_for
from tests.ordering import choose_and_order, fill_cart

Order = get_model("order", "Order")
StockRecord = get_model("partner", "StockRecord")

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def shop(db):
    ensure_shop_basics()


def text(response) -> str:
    return html.unescape(response.content.decode())


def set_quota(client, product, day, quantity):
    return client.post(
        reverse("producer_space:product-quotas", kwargs={"pk": product.pk}),
        {"day": day.pk, "quantity": quantity},
        follow=True,
    )


def test_producer_sets_a_quota_for_a_day_and_sees_it(client, producer_user, producer):
    day = DistributionDayFactory()
    eggs = product_for(producer, title="Œufs", stock=100)
    client.force_login(producer_user)

    page = client.get(reverse("producer_space:product-quotas", kwargs={"pk": eggs.pk}))
    assert day.pickup_point.name in page.content.decode()
    response = set_quota(client, eggs, day, 12)

    assert DayQuota.objects.get(product=eggs, distribution_day=day).quantity == 12
    assert "12" in response.content.decode()
    set_quota(client, eggs, day, "")
    assert not DayQuota.objects.exists()


def test_orders_for_a_day_stop_at_its_quota_and_nothing_changes(
    client, member, producer_user, producer
):
    day = DistributionDayFactory()
    eggs = product_for(producer, title="Œufs", stock=100)
    DayQuota.objects.create(product=eggs, distribution_day=day, quantity=3)
    client.force_login(member)
    fill_cart(client, eggs, 4)

    response = choose_and_order(client, day)

    assert not Order.objects.exists()
    assert "Il n'en reste que 3 pour « Œufs » pour ce jour de distribution" in text(response)
    assert StockRecord.objects.get(product=eggs).num_allocated in (None, 0)


def test_quota_counts_every_member_of_the_day_but_not_other_days(client, member, producer):
    day, other_day = DistributionDayFactory(), DistributionDayFactory()
    eggs = product_for(producer, title="Œufs", stock=100)
    DayQuota.objects.create(product=eggs, distribution_day=day, quantity=3)
    neighbour = UserFactory()
    client.force_login(neighbour)
    fill_cart(client, eggs, 2)
    choose_and_order(client, day)
    client.force_login(member)
    fill_cart(client, eggs, 2)

    refused = choose_and_order(client, day)
    assert "Il n'en reste que 1 pour « Œufs »" in text(refused)
    accepted = choose_and_order(client, other_day)

    assert accepted.request["PATH_INFO"] == reverse("checkout:thank-you")
    assert Order.objects.count() == 2


def test_a_quota_below_what_is_already_ordered_is_refused(client, member, producer_user, producer):
    day = DistributionDayFactory()
    eggs = product_for(producer, title="Œufs", stock=100)
    client.force_login(member)
    fill_cart(client, eggs, 5)
    choose_and_order(client, day)
    client.force_login(producer_user)

    response = set_quota(client, eggs, day, 4)

    assert not DayQuota.objects.exists()
    assert "déjà commandé 5 pour ce jour" in response.content.decode()
    set_quota(client, eggs, day, 5)
    assert DayQuota.objects.get().quantity == 5


@pytest.mark.parametrize("quantity", ["-1", "douze", "1000001"])
def test_a_bad_quota_is_refused_with_a_message(client, producer_user, producer, quantity):
    day = DistributionDayFactory()
    eggs = product_for(producer, stock=100)
    client.force_login(producer_user)

    response = set_quota(client, eggs, day, quantity)

    assert not DayQuota.objects.exists()
    assert "Quota inchangé" in response.content.decode()


def test_no_quota_on_a_closed_day_nor_on_another_producers_product(
    client, producer_user, producer, other_producer
):
    closed = DistributionDayFactory(state=DayState.CLOSED)
    mine, theirs = product_for(producer), product_for(other_producer)
    client.force_login(producer_user)

    assert "sont closes" in set_quota(client, mine, closed, 5).content.decode()
    response = client.post(
        reverse("producer_space:product-quotas", kwargs={"pk": theirs.pk}),
        {"day": DistributionDayFactory().pk, "quantity": 5},
    )

    assert response.status_code == 404
    assert not DayQuota.objects.exists()


def test_catalogue_shows_what_is_left_for_the_chosen_day(client, member, producer):
    day, other_day = DistributionDayFactory(), DistributionDayFactory()
    eggs = product_for(producer, title="Œufs", stock=100)
    DayQuota.objects.create(product=eggs, distribution_day=day, quantity=6)
    client.force_login(member)
    fill_cart(client, eggs, 2)
    choose_and_order(client, day)

    client.post(reverse("deliveries:choose-day", kwargs={"pk": day.pk}))
    catalogue = client.get(reverse("catalogue:index")).content.decode()
    product_page = client.get(eggs.get_absolute_url()).content.decode()
    client.post(reverse("deliveries:choose-day", kwargs={"pk": other_day.pk}))
    other = client.get(reverse("catalogue:index")).content.decode()

    assert "Plus que 4 pour votre jour de distribution" in catalogue
    assert "Plus que 4 pour votre jour de distribution" in product_page
    assert day.pickup_point.name in catalogue  # the header says which day
    assert "pour votre jour de distribution" not in other


def test_a_product_with_nothing_left_for_the_day_cannot_be_added(client, member, producer):
    day = DistributionDayFactory()
    eggs = product_for(producer, title="Œufs", stock=100)
    DayQuota.objects.create(product=eggs, distribution_day=day, quantity=0)
    client.force_login(member)
    client.post(reverse("deliveries:choose-day", kwargs={"pk": day.pk}))

    page = client.get(eggs.get_absolute_url()).content.decode()

    assert "Plus rien pour votre jour de distribution" in page
    assert reverse("basket:add", kwargs={"pk": eggs.pk}) not in page


def test_the_chosen_day_comes_first_at_checkout(client, member, producer):
    DistributionDayFactory()
    chosen = DistributionDayFactory()
    client.force_login(member)
    client.post(reverse("deliveries:choose-day", kwargs={"pk": chosen.pk}))
    fill_cart(client, product_for(producer))

    page = client.get(reverse("checkout:shipping-method")).content.decode()

    first_radio = page.index('name="method_code"')
    assert (
        f'value="pickup-{chosen.pk}" aria-describedby="slot-1-help" checked' in page[first_radio:]
    )


def test_a_closed_day_cannot_be_chosen(client, member):
    closed = DistributionDayFactory(state=DayState.CLOSED)

    response = client.post(reverse("deliveries:choose-day", kwargs={"pk": closed.pk}), follow=True)

    assert "Les commandes pour cette distribution sont closes" in response.content.decode()
    assert "Vous commandez pour" not in response.content.decode()
