"""Volunteer shifts: members of a pickup point sign up to run its distributions, coordinators
hear of the days still lacking volunteers, volunteers are reminded of their shift."""

import datetime as dt
import threading
from zoneinfo import ZoneInfo

import pytest
from django.contrib import messages
from django.contrib.messages import get_messages
from django.db import connection
from django.urls import NoReverseMatch, reverse

from baskets.models import Subscription, SubscriptionState
from deliveries.distribution.errors import ShiftRefused
from deliveries.distribution.selectors.shifts import (
    coming_shift_days,
    member_shifts,
    unstaffed_days,
)
from deliveries.distribution.services.shifts import sign_up_for_shift, withdraw_from_shift
from deliveries.distribution.tasks import alert_unstaffed_days, remind_volunteers
from deliveries.models import DayState, DistributionDay, VolunteerShift
from deliveries.network.services import materialise_distribution_days
from marketplace.shop_setup import ensure_shop_basics
from tests.factories import (
    DistributionDayFactory,
    PickupPointFactory,
    ScheduleFactory,
    UserFactory,
    contract_at,
    product_for,
)
from tests.ordering import choose_and_order, fill_cart

PARIS = ZoneInfo("Europe/Paris")
# A Sunday morning; the points distribute on Tuesdays from 18:00, the next one in 56 hours.
# Tests move the clock with ``clock.now``.
NOW = dt.datetime(2026, 11, 22, 10, 0, tzinfo=PARIS)
pytestmark = [pytest.mark.django_db, pytest.mark.now(NOW)]


def tuesdays_point(**kwargs):
    point = PickupPointFactory(**kwargs)
    ScheduleFactory(pickup_point=point, weekday=1, valid_from=dt.date(2026, 1, 1))
    materialise_distribution_days(now=NOW, pickup_point_ids=[point.pk])
    return point


@pytest.fixture
def point(db):
    return tuesdays_point(
        name="Maison de quartier Thabor",
        volunteers_needed=2,
        shift_changes_close_hours=24,
        access_notes="Entrée par la cour, rampe à gauche.",
        volunteer_instructions="La clé est chez Mme Morel, 3 rue des Lilas.",
    )


def days_of(point):
    return list(DistributionDay.objects.filter(pickup_point=point).order_by("starts_at"))


@pytest.fixture
def tuesday(point):
    return days_of(point)[0]  # 24 November, 18:00


@pytest.fixture
def next_tuesday(point):
    return days_of(point)[1]  # 1 December


def subscriber_of(point, **user_fields):
    """A member holding a basket subscription at the point."""
    member = UserFactory(**user_fields)
    Subscription.objects.create(
        contract=contract_at(point), pickup_point=point, member=member, agreed_at=NOW
    )
    return member


def volunteer_of(point, **user_fields):
    """One of the point's regular volunteers."""
    volunteer = UserFactory(**user_fields)
    point.volunteers.add(volunteer)
    return volunteer


def volunteers_of(day) -> list[str]:
    return sorted(
        VolunteerShift.objects.filter(distribution_day=day).values_list(
            "volunteer__username", flat=True
        )
    )


# Signing up and withdrawing


def test_a_member_signs_up_for_a_shift_then_withdraws(point, tuesday):
    member = subscriber_of(point)

    shift = sign_up_for_shift(member, tuesday.pk, now=NOW)

    assert shift.distribution_day == tuesday and shift.volunteer == member
    assert volunteers_of(tuesday) == [member.username]

    withdraw_from_shift(member, tuesday.pk, now=NOW)

    assert volunteers_of(tuesday) == []


def test_regular_volunteers_and_coordinators_are_members_of_their_point(point, tuesday):
    volunteer = volunteer_of(point)
    coordinator = UserFactory()
    point.coordinators.add(coordinator)

    sign_up_for_shift(volunteer, tuesday.pk, now=NOW)
    sign_up_for_shift(coordinator, tuesday.pk, now=NOW)

    assert volunteers_of(tuesday) == sorted([volunteer.username, coordinator.username])


def test_an_order_to_collect_at_the_point_is_not_membership(
    client, member, producer, point, tuesday, next_tuesday
):
    ensure_shop_basics()
    client.force_login(member)
    fill_cart(client, product_for(producer, stock=5))
    choose_and_order(client, tuesday)

    with pytest.raises(ShiftRefused):
        sign_up_for_shift(member, next_tuesday.pk, now=NOW)

    assert volunteers_of(next_tuesday) == []


def test_no_sign_up_once_every_slot_is_taken(point, tuesday):
    sign_up_for_shift(subscriber_of(point), tuesday.pk, now=NOW)
    sign_up_for_shift(subscriber_of(point), tuesday.pk, now=NOW)
    late = subscriber_of(point)

    with pytest.raises(ShiftRefused):
        sign_up_for_shift(late, tuesday.pk, now=NOW)

    assert len(volunteers_of(tuesday)) == 2
    assert late.username not in volunteers_of(tuesday)


def test_no_sign_up_or_withdrawal_after_the_deadline(point, tuesday):
    member, latecomer = subscriber_of(point), subscriber_of(point)
    sign_up_for_shift(member, tuesday.pk, now=NOW)
    after_deadline = tuesday.starts_at - dt.timedelta(hours=23)  # changes close 24 hours before

    with pytest.raises(ShiftRefused):
        sign_up_for_shift(latecomer, tuesday.pk, now=after_deadline)
    with pytest.raises(ShiftRefused):
        withdraw_from_shift(member, tuesday.pk, now=after_deadline)

    assert volunteers_of(tuesday) == [member.username]
    # One hour earlier, both were still possible.
    sign_up_for_shift(latecomer, tuesday.pk, now=after_deadline - dt.timedelta(hours=2))
    withdraw_from_shift(member, tuesday.pk, now=after_deadline - dt.timedelta(hours=2))
    assert volunteers_of(tuesday) == [latecomer.username]


def test_someone_who_is_not_a_member_of_the_point_cannot_sign_up(point, tuesday):
    elsewhere = subscriber_of(tuesdays_point())
    former = subscriber_of(point)
    Subscription.objects.filter(member=former).update(state=SubscriptionState.ENDED)

    for person in (UserFactory(), elsewhere, former):
        with pytest.raises(ShiftRefused):
            sign_up_for_shift(person, tuesday.pk, now=NOW)

    assert volunteers_of(tuesday) == []


def test_signing_up_twice_is_refused(point, tuesday):
    member = subscriber_of(point)
    sign_up_for_shift(member, tuesday.pk, now=NOW)

    with pytest.raises(ShiftRefused):
        sign_up_for_shift(member, tuesday.pk, now=NOW)

    assert volunteers_of(tuesday) == [member.username]


def test_cancelled_or_past_days_take_no_volunteers(point, tuesday, next_tuesday):
    member = subscriber_of(point)
    DistributionDay.objects.filter(pk=next_tuesday.pk).update(state=DayState.CANCELLED)

    with pytest.raises(ShiftRefused):
        sign_up_for_shift(member, next_tuesday.pk, now=NOW)
    with pytest.raises(ShiftRefused):
        sign_up_for_shift(member, tuesday.pk, now=tuesday.ends_at + dt.timedelta(hours=1))


def test_withdrawing_from_a_shift_one_does_not_hold_is_refused(point, tuesday):
    with pytest.raises(ShiftRefused):
        withdraw_from_shift(subscriber_of(point), tuesday.pk, now=NOW)


# Coordinators alerted, volunteers reminded


def test_coordinators_are_alerted_once_of_a_day_lacking_volunteers_within_three_days(
    point, tuesday, next_tuesday, clock, mailoutbox
):
    point.coordinators.add(
        UserFactory(email="referente@example.org"), UserFactory(email="referent@example.org")
    )
    volunteer = volunteer_of(point, first_name="Léa", last_name="Guérin")
    sign_up_for_shift(volunteer, tuesday.pk, now=NOW)  # one of two
    staffed = tuesdays_point(volunteers_needed=1)
    staffed.coordinators.add(UserFactory(email="tranquille@example.org"))
    sign_up_for_shift(volunteer_of(staffed), days_of(staffed)[0].pk, now=NOW)

    assert alert_unstaffed_days() == 1

    assert sorted(m.to[0] for m in mailoutbox) == ["referent@example.org", "referente@example.org"]
    assert point.name in mailoutbox[0].subject
    assert "Léa Guérin" in mailoutbox[0].body
    tuesday.refresh_from_db()
    next_tuesday.refresh_from_db()
    assert tuesday.staffing_alert_sent_at == NOW
    assert next_tuesday.staffing_alert_sent_at is None  # more than three days away

    clock.now = NOW + dt.timedelta(hours=1)
    assert alert_unstaffed_days() == 0
    assert len(mailoutbox) == 2


def test_volunteers_are_reminded_once_48_hours_before_with_the_instructions(
    point, tuesday, next_tuesday, clock, mailoutbox
):
    volunteer = volunteer_of(point, email="benevole@example.org")
    other = volunteer_of(point, email="lea@example.org", first_name="Léa", last_name="Guérin")
    for day in (tuesday, next_tuesday):
        sign_up_for_shift(volunteer, day.pk, now=NOW)
    sign_up_for_shift(other, tuesday.pk, now=NOW)

    assert remind_volunteers() == 0  # Tuesday is 56 hours away

    clock.now = tuesday.starts_at - dt.timedelta(hours=47)
    assert remind_volunteers() == 2

    assert sorted(m.to[0] for m in mailoutbox) == ["benevole@example.org", "lea@example.org"]
    message = next(m for m in mailoutbox if m.to == ["benevole@example.org"])
    assert point.name in message.subject
    assert "La clé est chez Mme Morel, 3 rue des Lilas." in message.body
    assert "Entrée par la cour, rampe à gauche." in message.body
    assert "18:00" in message.body and point.address in message.body
    assert "Léa Guérin" in message.body
    try:
        pickup_list = reverse("deliveries:pickup-list", kwargs={"pk": tuesday.pk})
    except NoReverseMatch:
        pickup_list = ""
    assert pickup_list in message.body

    clock.now += dt.timedelta(hours=1)
    assert remind_volunteers() == 0
    assert len(mailoutbox) == 2
    assert not VolunteerShift.objects.filter(
        distribution_day=next_tuesday, reminded_at__isnull=False
    ).exists()


# Pages


def test_the_member_page_lists_the_coming_days_and_the_past_shifts(
    client, point, tuesday, next_tuesday
):
    member = subscriber_of(point)
    coming = days_of(point)[:4]  # four weeks
    past_day = DistributionDayFactory(
        pickup_point=point, starts_at=NOW - dt.timedelta(days=12), state=DayState.DONE
    )
    VolunteerShift.objects.create(distribution_day=past_day, volunteer=member)
    sign_up_for_shift(member, tuesday.pk, now=NOW)
    client.force_login(member)

    response = client.get(reverse("deliveries:shifts"))

    assert response.status_code == 200
    days = response.context["days"]
    assert [entry.day for entry in days] == coming
    assert days[0].is_signed_up and days[0].slots_left == 1
    assert not days[1].is_signed_up and days[1].slots_left == 2
    assert [shift.distribution_day for shift in response.context["shifts"].past] == [past_day]
    assert [shift.distribution_day for shift in response.context["shifts"].coming] == [tuesday]
    content = response.content.decode()
    assert reverse("deliveries:shift-withdraw", kwargs={"pk": tuesday.pk}) in content
    assert reverse("deliveries:shift-sign-up", kwargs={"pk": next_tuesday.pk}) in content
    assert reverse("deliveries:unstaffed-days") not in content  # not a coordinator


def test_members_sign_up_and_withdraw_in_one_click(client, point, tuesday):
    member = subscriber_of(point)
    client.force_login(member)

    response = client.post(reverse("deliveries:shift-sign-up", kwargs={"pk": tuesday.pk}))

    assert response.status_code == 302 and response.url == reverse("deliveries:shifts")
    assert volunteers_of(tuesday) == [member.username]
    assert [m.level for m in get_messages(response.wsgi_request)] == [messages.SUCCESS]

    response = client.post(reverse("deliveries:shift-withdraw", kwargs={"pk": tuesday.pk}))

    assert response.status_code == 302
    assert volunteers_of(tuesday) == []


def test_a_refused_sign_up_shows_why_and_changes_nothing(client, point, tuesday):
    client.force_login(UserFactory())

    response = client.post(reverse("deliveries:shift-sign-up", kwargs={"pk": tuesday.pk}))

    assert response.status_code == 302
    assert [m.level for m in get_messages(response.wsgi_request)] == [messages.ERROR]
    assert volunteers_of(tuesday) == []
    assert client.get(reverse("deliveries:shift-sign-up", kwargs={"pk": 0})).status_code == 405
    missing = client.post(reverse("deliveries:shift-sign-up", kwargs={"pk": tuesday.pk + 999}))
    assert missing.status_code == 404


def test_the_unstaffed_page_is_forbidden_to_a_plain_member(client, point, tuesday):
    assert client.get(reverse("deliveries:unstaffed-days")).status_code == 302  # sign in first
    client.force_login(subscriber_of(point))

    assert client.get(reverse("deliveries:unstaffed-days")).status_code == 403


def test_the_unstaffed_page_lists_the_coordinators_days_lacking_volunteers(client, point, tuesday):
    coordinator = UserFactory()
    point.coordinators.add(coordinator)
    volunteer = volunteer_of(point, first_name="Léa", last_name="Guérin")
    sign_up_for_shift(volunteer, tuesday.pk, now=NOW)
    elsewhere = tuesdays_point(name="Ferme du Bois")  # someone else's point
    client.force_login(coordinator)

    response = client.get(reverse("deliveries:unstaffed-days"))

    assert response.status_code == 200
    (entry,) = response.context["days"]  # the next 7 days: one Tuesday
    assert entry.day == tuesday and entry.slots_left == 1
    content = response.content.decode()
    assert "Léa Guérin" in content
    assert elsewhere.name not in content
    assert (
        reverse("deliveries:unstaffed-days")
        in client.get(reverse("deliveries:shifts")).content.decode()
    )

    sign_up_for_shift(volunteer_of(point), tuesday.pk, now=NOW)

    assert client.get(reverse("deliveries:unstaffed-days")).context["days"] == []


# Queries


@pytest.mark.parametrize("count", [2, 10])
def test_queries_do_not_grow_with_the_volunteers(
    client, point, tuesday, next_tuesday, count, clock, mailoutbox, django_assert_max_num_queries
):
    point.volunteers_needed = 20
    point.save()
    coordinator = UserFactory()
    point.coordinators.add(coordinator)
    for day in (tuesday, next_tuesday):
        for _ in range(count):
            VolunteerShift.objects.create(distribution_day=day, volunteer=volunteer_of(point))
    member = volunteer_of(point)
    VolunteerShift.objects.create(distribution_day=tuesday, volunteer=member)

    with django_assert_max_num_queries(2):
        days = coming_shift_days(member)
    assert len(days[0].volunteers) == count + 1
    with django_assert_max_num_queries(1):
        assert len(member_shifts(member).coming) == 1
    with django_assert_max_num_queries(2):
        assert len(unstaffed_days(coordinator)[0].volunteers) == count + 1

    client.force_login(member)
    with django_assert_max_num_queries(8):  # the session, read from the database, is one
        assert client.get(reverse("deliveries:shifts")).status_code == 200
    client.force_login(coordinator)
    with django_assert_max_num_queries(7):
        assert client.get(reverse("deliveries:unstaffed-days")).status_code == 200
    # Sending once costs two short transactions whatever the count (marketplace/core/sending.py:
    # "sending" committed before the emails leave, "sent" after); in a test, their savepoints
    # count as four queries.
    with django_assert_max_num_queries(14):
        alert_unstaffed_days()
    clock.now = tuesday.starts_at - dt.timedelta(hours=47)
    with django_assert_max_num_queries(12):
        assert remind_volunteers() == count + 1
    assert len(mailoutbox) == count + 2  # the coordinator's alert, then the reminders


# PostgreSQL: row locks


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_members_taking_the_last_slot_at_once_only_one_gets_it(point, tuesday):
    sign_up_for_shift(volunteer_of(point), tuesday.pk, now=NOW)  # one slot of two left
    members = [volunteer_of(point), volunteer_of(point)]
    barrier = threading.Barrier(2)
    outcomes = []

    def sign_up(member):
        barrier.wait()
        try:
            sign_up_for_shift(member, tuesday.pk, now=NOW)
            outcomes.append("signed up")
        except ShiftRefused:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=sign_up, args=(m,)) for m in members]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["refused", "signed up"]
    assert VolunteerShift.objects.filter(distribution_day=tuesday).count() == 2
