"""A cancelled distribution day reaches everyone it concerned, once: à la carte customers, basket
holders and co-holders, members who took an offered basket, the day's volunteers (released) and
producers whose packing list was already sent. A coordinator cancels a coming day of their
point with a reason."""

import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone
from oscar.core.loading import get_model

from baskets.models import Absence, BasketDelivery
from baskets.services import (
    claim_basket,
    generate_basket_deliveries,
    subscribe,
    transfer_delivery,
)
from deliveries.distribution.selectors.shifts import member_shifts, unstaffed_days
from deliveries.distribution.services.shifts import sign_up_for_shift
from deliveries.distribution.tasks import (
    alert_unstaffed_days,
    close_distribution_days,
    notify_calendar_changes,
)
from deliveries.models import Closure, DayState, DistributionDay, VolunteerShift
from deliveries.network.errors import DayCancellationRefused
from deliveries.network.services import cancel_distribution_day
from deliveries.network.tasks import materialise_calendar
from marketplace.shop_setup import ensure_shop_basics
from producers.models import PackingList
from tests.baskets.calendar import DEC_8, PARIS_NOW, SIGN_UP_DAY, season, tuesdays
from tests.factories import PickupPointFactory, UserFactory, product_for, subscribe_shared
from tests.ordering import choose_and_order, fill_cart

Order = get_model("order", "Order")

pytestmark = [pytest.mark.django_db, pytest.mark.now(PARIS_NOW)]

REASON = "Salle des fêtes inondée"


@pytest.fixture(autouse=True)
def shop(db):
    ensure_shop_basics()


@pytest.fixture
def point(db):
    return tuesdays(PickupPointFactory(name="Maison de quartier Thabor", volunteers_needed=3))


@pytest.fixture
def coordinator(point):
    coordinator = UserFactory(email="referente@example.org")
    point.coordinators.add(coordinator)
    return coordinator


def day_on(point, date=DEC_8):
    return DistributionDay.objects.get(pickup_point=point, date=date)


def person(email):
    return UserFactory(email=email)


@pytest.fixture
def world(client, point, producer, other_producer):
    """Tuesday 8 December at the point: a shared vegetable basket, an egg share offered and
    taken by someone on the waiting list, a neighbour's order, two volunteers (one of them the
    basket's holder). People by email."""
    vegetables = season(point, plan__name="Petit panier de légumes")
    eggs = season(point, plan__name="Œufs", capacity=1)
    holder, co_holder = person("titulaire@example.org"), person("cotitulaire@example.org")
    shared = subscribe_shared(
        holder,
        vegetables,
        point,
        agreed=True,
        co_holder=co_holder,
        sharing="split",
        today=SIGN_UP_DAY,
    )
    giver, taker = person("donne@example.org"), person("preneur@example.org")
    given = subscribe(giver, eggs, point, agreed=True, today=SIGN_UP_DAY)
    subscribe(taker, eggs, point, agreed=True, today=SIGN_UP_DAY)  # waiting list
    day = day_on(point)
    offered = transfer_delivery(giver, given.pk, day.pk, "offered", now=PARIS_NOW)
    claim_basket(taker, offered.pk, now=PARIS_NOW + dt.timedelta(hours=25))
    generate_basket_deliveries([point.pk], DEC_8, DEC_8)  # the nightly run, two weeks ahead
    customer = person("cliente@example.org")
    client.force_login(customer)
    fill_cart(client, product_for(producer, title="Carottes", stock=10), 2)
    choose_and_order(client, day)
    client.logout()
    product_for(other_producer, title="Tomme", stock=5)  # nothing ordered: no packing list
    volunteer = person("benevole@example.org")
    point.volunteers.add(volunteer)
    for member in (volunteer, holder):
        sign_up_for_shift(member, day.pk, now=PARIS_NOW)
    return {
        "day": day,
        "shared": shared,
        "order": Order.objects.get(user=customer),
        "holder": holder,
        "taker": taker,
    }


@pytest.fixture
def packing_list_sent(world, clock, mailoutbox):
    """The day's orders have closed: the producer was emailed their packing list."""
    clock.now = world["day"].cutoff_at + dt.timedelta(hours=1)
    close_distribution_days()
    assert PackingList.objects.get(distribution_day=world["day"]).emailed_at is not None
    mailoutbox.clear()


def close_point_on(point, date=DEC_8, reason=REASON):
    return Closure.objects.create(pickup_point=point, start_date=date, end_date=date, reason=reason)


def recipients(outbox) -> list[str]:
    return sorted(address for message in outbox for address in message.to)


def to(outbox, email):
    (message,) = [message for message in outbox if email in message.to]
    return message


EVERYONE = [
    "benevole@example.org",
    "cliente@example.org",
    "cotitulaire@example.org",
    "donne@example.org",
    "paysan@example.org",
    "preneur@example.org",
    "titulaire@example.org",
]


# A closure


def test_a_closure_tells_everyone_the_day_concerned_one_email_each(
    point, world, packing_list_sent, mailoutbox
):
    close_point_on(point)
    materialise_calendar()

    assert recipients(mailoutbox) == EVERYONE  # autre-paysan had no packing list: not told
    for message in mailoutbox:
        assert point.name in message.subject
        assert REASON in message.body
    holder = to(mailoutbox, "titulaire@example.org")
    assert "Petit panier de légumes" in holder.body
    assert "Petit panier de légumes" in to(mailoutbox, "cotitulaire@example.org").body
    assert "Œufs" in to(mailoutbox, "preneur@example.org").body
    giver = to(mailoutbox, "donne@example.org")
    assert "Œufs" in giver.body and world["taker"].last_name in giver.body  # who took it
    assert world["order"].number in to(mailoutbox, "cliente@example.org").body
    assert world["order"].number not in holder.body
    # The distribution starts at 18:00 on the Paris wall clock (17:00 UTC).
    assert "18:00" in to(mailoutbox, "paysan@example.org").body
    day = day_on(point)
    assert day.state == DayState.CANCELLED and day.cancellation_notified_at is not None


def test_running_the_calendar_again_or_the_task_twice_sends_nothing_more(point, world, mailoutbox):
    close_point_on(point)
    materialise_calendar()
    sent = len(mailoutbox)
    assert sent == 6  # no packing list yet: the producer is not told

    materialise_calendar()
    world["order"].refresh_from_db()
    notify_calendar_changes([], [world["order"].pk], [world["day"].pk])

    assert len(mailoutbox) == sent


def test_the_volunteers_are_released_and_the_day_is_not_short_of_volunteers(
    clock, point, world, coordinator, mailoutbox
):
    close_point_on(point)
    materialise_calendar()

    shifts = VolunteerShift.objects.filter(distribution_day=world["day"])
    assert shifts.count() == 2
    assert all(shift.released_at is not None for shift in shifts)
    # The volunteer's history still shows the shift, on its cancelled day.
    (shift,) = member_shifts(world["holder"]).coming
    assert shift.distribution_day.state == DayState.CANCELLED
    assert world["day"] not in [entry.day for entry in unstaffed_days(coordinator, days_ahead=30)]
    mailoutbox.clear()
    clock.now = world["day"].starts_at - dt.timedelta(days=2)  # only this day in the alert window
    alert_unstaffed_days()
    assert mailoutbox == []


def test_the_baskets_are_not_counted_as_absences(point, world):
    statuses = dict(BasketDelivery.objects.values_list("pk", "status"))
    absences = list(Absence.objects.values_list("pk", "starts_on", "ends_on"))

    close_point_on(point)
    materialise_calendar()

    assert list(Absence.objects.values_list("pk", "starts_on", "ends_on")) == absences
    assert dict(BasketDelivery.objects.values_list("pk", "status")) == statuses


def test_a_day_that_comes_back_and_is_cancelled_again_is_announced_again(point, world, mailoutbox):
    closure = close_point_on(point)
    materialise_calendar()
    first = len(mailoutbox)

    closure.delete()
    materialise_calendar()
    day = day_on(point)
    assert day.state == DayState.OPEN and day.cancellation_notified_at is None
    assert not VolunteerShift.objects.filter(distribution_day=day).exists()  # they were released

    close_point_on(point, reason="Tempête annoncée")
    materialise_calendar()

    again = mailoutbox[first:]
    assert "titulaire@example.org" in recipients(again)
    assert "benevole@example.org" not in recipients(again)  # no longer on shift
    assert all("Tempête annoncée" in message.body for message in again)


# A coordinator cancels one day


def cancel_page(day):
    return reverse("deliveries:cancel-day", kwargs={"pk": day.pk})


def test_the_coordinator_sees_who_will_be_told_before_cancelling(client, world, coordinator):
    client.force_login(coordinator)

    response = client.get(cancel_page(world["day"]))

    assert response.status_code == 200
    assert response.context["reach"].households == 2
    assert response.context["reach"].takers == 1
    assert response.context["reach"].orders == 1
    assert response.context["reach"].volunteers == 2
    assert 'for="id_reason"' in response.content.decode()


def test_the_coordinator_finds_the_cancel_link_on_their_shifts_page(client, point, coordinator):
    client.force_login(coordinator)

    response = client.get(reverse("deliveries:shifts"))

    assert cancel_page(day_on(point)) in response.content.decode()


def test_a_coordinator_cancels_a_coming_day_and_everyone_is_told(
    client, point, world, coordinator, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(coordinator)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(cancel_page(world["day"]), {"reason": REASON})

    assert response.status_code == 302
    day = day_on(point)
    assert day.state == DayState.CANCELLED and day.cancellation_reason == REASON
    assert Closure.objects.filter(pickup_point=point, start_date=DEC_8, end_date=DEC_8).exists()
    world["order"].refresh_from_db()
    assert world["order"].status == "cancelled"
    assert recipients(mailoutbox) == [e for e in EVERYONE if e != "paysan@example.org"]
    assert [str(m) for m in get_messages(response.wsgi_request)]
    page = client.get(response["Location"]).content.decode()
    assert REASON in page and 'name="reason"' not in page

    materialise_calendar()
    assert len(mailoutbox) == 6


def test_a_reason_is_needed(client, world, coordinator):
    client.force_login(coordinator)

    response = client.post(cancel_page(world["day"]), {"reason": "  "})

    assert response.status_code == 200
    assert response.context["form"].errors
    assert day_on(world["day"].pickup_point).state == DayState.OPEN


@pytest.mark.parametrize("who", ["member", "other_coordinator"])
def test_only_the_points_coordinators_can_cancel_its_days(client, point, who, mailoutbox):
    user = UserFactory()
    if who == "other_coordinator":
        PickupPointFactory().coordinators.add(user)
    day = day_on(point)
    client.force_login(user)

    assert client.get(cancel_page(day)).status_code == 403
    assert client.post(cancel_page(day), {"reason": REASON}).status_code == 403

    assert day_on(point).state == DayState.OPEN
    assert not Closure.objects.exists()


def test_signed_out_visitors_are_sent_to_sign_in_and_unknown_days_are_404(
    client, point, coordinator
):
    response = client.get(cancel_page(day_on(point)))
    assert response.status_code == 302 and "login" in response["Location"]

    client.force_login(coordinator)
    assert client.get(reverse("deliveries:cancel-day", kwargs={"pk": 999999})).status_code == 404


def test_a_day_already_started_is_refused(client, clock, point, coordinator, mailoutbox):
    day = day_on(point)
    clock.now = day.starts_at + dt.timedelta(minutes=30)
    client.force_login(coordinator)

    page = client.get(cancel_page(day)).content.decode()
    response = client.post(cancel_page(day), {"reason": REASON})

    assert 'name="reason"' not in page
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert day_on(point).state != DayState.CANCELLED
    assert not Closure.objects.exists()
    assert mailoutbox == []


def test_a_done_or_cancelled_day_cannot_be_cancelled(point, coordinator):
    day = day_on(point)
    DistributionDay.objects.filter(pk=day.pk).update(state=DayState.DONE)
    with pytest.raises(DayCancellationRefused):
        cancel_distribution_day(coordinator, day.pk, REASON)

    DistributionDay.objects.filter(pk=day.pk).update(state=DayState.CANCELLED)
    with pytest.raises(DayCancellationRefused):
        cancel_distribution_day(coordinator, day.pk, REASON)
    assert not Closure.objects.exists()


def test_the_cancel_page_times_are_on_the_paris_wall_clock(client, point, coordinator):
    client.force_login(coordinator)

    page = client.get(cancel_page(day_on(point))).content.decode()

    assert "18:00" in page
    assert timezone.localtime(day_on(point).starts_at).hour == 18
