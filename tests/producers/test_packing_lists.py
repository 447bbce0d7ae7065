"""Packing lists: built at the cut-off, shown in the producer's space, emailed as PDF and CSV once."""

import csv
import io

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from deliveries.distribution.tasks import close_distribution_days
from deliveries.models import DayState, DistributionDay
from marketplace.shop_setup import ensure_shop_basics
from producers.models import PackingList
from producers.packing import build_packing_lists, packing_lists_for_day
from tests.factories import DistributionDayFactory, UserFactory, product_for
from tests.ordering import choose_and_order, fill_cart

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def shop(db):
    ensure_shop_basics()


@pytest.fixture
def ordered_day(client, member, producer, other_producer):
    """A day with two members' orders, for two producers; its cut-off has just passed."""
    day = DistributionDayFactory()
    carrots = product_for(producer, title="Carottes", stock=50)
    eggs = product_for(producer, title="Œufs", stock=50)
    cheese = product_for(other_producer, title="Tomme", stock=50)
    neighbour = UserFactory(first_name="Awa", last_name="Diallo", email="awa@example.org")
    client.force_login(neighbour)
    fill_cart(client, carrots, 2)
    fill_cart(client, cheese, 1)
    choose_and_order(client, day)
    client.force_login(member)
    fill_cart(client, carrots, 3)
    fill_cart(client, eggs, 1)
    choose_and_order(client, day)
    client.logout()
    DistributionDay.objects.filter(pk=day.pk).update(cutoff_at=timezone.now())
    mail.outbox.clear()
    return day


def test_cutoff_task_closes_the_day_and_emails_each_producer_their_list(
    ordered_day, producer, other_producer, producer_user
):
    close_distribution_days()

    ordered_day.refresh_from_db()
    assert ordered_day.state == DayState.CLOSED
    assert PackingList.objects.filter(distribution_day=ordered_day).count() == 2
    to_producer = next(m for m in mail.outbox if producer_user.email in m.to)
    assert len(mail.outbox) == 2
    assert ordered_day.pickup_point.name in to_producer.subject
    assert "Carottes : 5" in to_producer.body or "Carottes: 5" in to_producer.body
    assert "Tomme" not in to_producer.body
    names = sorted(name for name, _content, _type in to_producer.attachments)
    assert [name.rsplit(".", 1)[1] for name in names] == ["csv", "pdf"]
    pdf = next(content for name, content, _t in to_producer.attachments if name.endswith(".pdf"))
    assert pdf.startswith(b"%PDF")


def test_packing_lists_are_emailed_once_even_if_the_tasks_run_again(ordered_day):
    close_distribution_days()
    close_distribution_days()
    build_packing_lists(ordered_day.pk)

    assert len(mail.outbox) == 2
    assert PackingList.objects.count() == 2


def test_totals_per_product_and_lines_per_member(ordered_day, producer, member):
    (mine,) = [p for p in packing_lists_for_day(ordered_day.pk) if p.producer == producer]

    assert [(p.title, p.quantity) for p in mine.products] == [("Carottes", 5), ("Œufs", 1)]
    by_member = {m.name: [(i.title, i.quantity) for i in m.items] for m in mine.members}
    assert by_member["Awa Diallo"] == [("Carottes", 2)]
    assert sorted(by_member[member.get_full_name() or member.email]) == [
        ("Carottes", 3),
        ("Œufs", 1),
    ]


def test_cancelled_orders_are_left_out(client, member, producer):
    day = DistributionDayFactory()
    client.force_login(member)
    fill_cart(client, product_for(producer, title="Carottes", stock=9), 2)
    choose_and_order(client, day)
    order = member.orders.get()
    client.post(reverse("deliveries:cancel-order", kwargs={"number": order.number}))

    assert packing_lists_for_day(day.pk) == []


def test_producer_sees_their_packing_list_and_downloads_it(
    client, ordered_day, producer_user, other_producer
):
    close_distribution_days()
    client.force_login(producer_user)

    index = client.get(reverse("producer_space:packing-lists")).content.decode()
    record = PackingList.objects.get(producer__partner__users=producer_user)
    page = client.get(reverse("producer_space:packing-list", kwargs={"pk": record.pk}))
    csv_file = client.get(
        reverse("producer_space:packing-list-file", kwargs={"pk": record.pk, "format": "csv"})
    )
    pdf_file = client.get(
        reverse("producer_space:packing-list-file", kwargs={"pk": record.pk, "format": "pdf"})
    )

    assert ordered_day.pickup_point.name in index
    assert "Awa Diallo" in page.content.decode()
    assert "Tomme" not in page.content.decode()
    rows = list(csv.reader(io.StringIO(csv_file.content.decode("utf-8-sig")), delimiter=";"))
    assert len(rows) == 1 + 3  # header, Awa's carrots, the member's carrots and eggs
    assert {row[5] for row in rows[1:]} == {"Carottes", "Œufs"}
    assert csv_file["Content-Type"] == "text/csv; charset=utf-8"
    assert pdf_file.content.startswith(b"%PDF")


def test_a_producer_cannot_see_another_producers_packing_list(
    client, ordered_day, producer_user, other_producer
):
    close_distribution_days()
    theirs = PackingList.objects.get(producer=other_producer)
    client.force_login(producer_user)

    for url in (
        reverse("producer_space:packing-list", kwargs={"pk": theirs.pk}),
        reverse("producer_space:packing-list-file", kwargs={"pk": theirs.pk, "format": "csv"}),
        reverse("producer_space:packing-list-file", kwargs={"pk": theirs.pk, "format": "exe"}),
    ):
        assert client.get(url).status_code == 404


def test_no_packing_list_before_the_cutoff(client, member, producer, producer_user):
    day = DistributionDayFactory()
    client.force_login(member)
    fill_cart(client, product_for(producer), 1)
    choose_and_order(client, day)

    close_distribution_days()

    assert not PackingList.objects.exists()
    client.force_login(producer_user)
    page = client.get(reverse("producer_space:packing-lists")).content.decode()
    assert day.pickup_point.name not in page


def test_reading_a_days_lists_takes_a_fixed_number_of_queries(
    ordered_day, django_assert_max_num_queries
):
    with django_assert_max_num_queries(3):
        lists = packing_lists_for_day(ordered_day.pk)
    assert len(lists) == 2


def test_a_lost_packing_list_task_is_caught_up_by_the_next_cutoff_run(ordered_day):
    from deliveries.network.services import close_days_past_cutoff

    close_days_past_cutoff()  # closed, but the task that builds the lists never ran
    assert not PackingList.objects.exists()

    close_distribution_days()

    assert PackingList.objects.filter(distribution_day=ordered_day).count() == 2
    assert len(mail.outbox) == 2
    close_distribution_days()
    assert len(mail.outbox) == 2
