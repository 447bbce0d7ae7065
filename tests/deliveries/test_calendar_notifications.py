"""Members hear about it when their distribution day moves or is cancelled."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone
from oscar.core.loading import get_model

from deliveries.models import Closure, DayState, DistributionDay
from deliveries.network.tasks import materialise_calendar
from marketplace.shop_setup import ensure_shop_basics
from tests.factories import ScheduleFactory, UserFactory, product_for
from tests.ordering import choose_and_order, fill_cart

Order = get_model("order", "Order")
StockRecord = get_model("partner", "StockRecord")

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def shop(db):
    ensure_shop_basics()


@pytest.fixture
def schedule(db):
    """A weekly distribution five days from today, orders closing 48 hours before."""
    weekday = (timezone.localdate() + dt.timedelta(days=5)).weekday()
    schedule = ScheduleFactory(weekday=weekday, valid_from=timezone.localdate())
    materialise_calendar()
    return schedule


@pytest.fixture
def next_day(schedule):
    return (
        DistributionDay.objects.filter(pickup_point=schedule.pickup_point, state=DayState.OPEN)
        .order_by("date")
        .first()
    )


@pytest.fixture
def carrots(producer):
    return product_for(producer, title="Carottes", stock=10)


def order_for(client, user, product, day, quantity=2):
    client.force_login(user)
    fill_cart(client, product, quantity)
    choose_and_order(client, day)
    return Order.objects.filter(user=user).latest("pk")


def test_members_are_emailed_when_their_day_moves(client, member, schedule, next_day, carrots):
    order = order_for(client, member, carrots, next_day)
    other = order_for(client, UserFactory(email="voisine@example.org"), carrots, next_day)
    mail.outbox.clear()

    schedule.start_time, schedule.end_time = dt.time(17, 0), dt.time(18, 30)
    schedule.save()
    materialise_calendar()

    next_day.refresh_from_db()
    assert timezone.localtime(next_day.starts_at).time() == dt.time(17, 0)
    assert sorted(m.to[0] for m in mail.outbox) == ["membre@example.org", "voisine@example.org"]
    to_member = next(m for m in mail.outbox if m.to == ["membre@example.org"])
    assert schedule.pickup_point.name in to_member.subject
    assert "17:00" in to_member.body and order.number in to_member.body
    assert other.number not in to_member.body
    order.refresh_from_db()
    assert order.status != "cancelled"


def test_a_closure_cancels_the_orders_of_the_day_gives_stock_back_and_tells_members(
    client, member, schedule, next_day, carrots
):
    order = order_for(client, member, carrots, next_day, quantity=3)
    mail.outbox.clear()

    Closure.objects.create(
        pickup_point=schedule.pickup_point,
        start_date=next_day.date,
        end_date=next_day.date,
        reason="Salle des fêtes indisponible",
    )
    materialise_calendar()

    next_day.refresh_from_db()
    order.refresh_from_db()
    assert next_day.state == DayState.CANCELLED
    assert order.status == "cancelled"
    assert StockRecord.objects.get(product=carrots).net_stock_level == 10
    (message,) = mail.outbox
    assert message.to == ["membre@example.org"]
    assert order.number in message.body
    assert "Salle des fêtes indisponible" in message.body


def test_running_the_calendar_again_sends_nothing_more(client, member, schedule, next_day, carrots):
    order_for(client, member, carrots, next_day)
    Closure.objects.create(
        pickup_point=schedule.pickup_point, start_date=next_day.date, end_date=next_day.date
    )
    materialise_calendar()
    sent = len(mail.outbox)

    materialise_calendar()

    assert len(mail.outbox) == sent


def test_a_member_who_had_cancelled_is_not_told_again(client, member, schedule, next_day, carrots):
    from django.urls import reverse

    order = order_for(client, member, carrots, next_day)
    client.post(reverse("deliveries:cancel-order", kwargs={"number": order.number}))
    mail.outbox.clear()

    Closure.objects.create(
        pickup_point=schedule.pickup_point, start_date=next_day.date, end_date=next_day.date
    )
    materialise_calendar()

    assert mail.outbox == []
