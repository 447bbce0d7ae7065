"""The distribution calendar: days made from schedules and closures, 8 weeks ahead."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from deliveries.models import Closure, DayState, DistributionDay, Schedule
from deliveries.network.services import materialise_distribution_days
from deliveries.network.tasks import materialise_calendar
from tests.factories import PickupPointFactory, ScheduleFactory

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
UTC = dt.UTC
FRIDAY = dt.datetime(2026, 11, 20, 10, 0, tzinfo=PARIS)


def days_of(point):
    return list(DistributionDay.objects.filter(pickup_point=point).order_by("date"))


def test_a_weekly_schedule_makes_eight_weeks_of_open_days():
    schedule = ScheduleFactory(weekday=1)  # Tuesday 18:00–19:30, orders close 48 h before

    changes = materialise_distribution_days(now=FRIDAY)

    days = days_of(schedule.pickup_point)
    assert changes.created == 8
    assert [d.date for d in days] == [
        dt.date(2026, 11, 24) + dt.timedelta(weeks=n) for n in range(8)
    ]
    first = days[0]
    assert first.starts_at == dt.datetime(2026, 11, 24, 18, 0, tzinfo=PARIS)
    assert first.ends_at == dt.datetime(2026, 11, 24, 19, 30, tzinfo=PARIS)
    assert first.cutoff_at == dt.datetime(2026, 11, 22, 18, 0, tzinfo=PARIS)


def test_running_twice_changes_nothing():
    schedule = ScheduleFactory()
    materialise_distribution_days(now=FRIDAY)
    before = [(d.pk, d.state, d.starts_at, d.cutoff_at) for d in days_of(schedule.pickup_point)]

    changes = materialise_distribution_days(now=FRIDAY)

    assert changes.created == 0 and changes.changed == []
    after = [(d.pk, d.state, d.starts_at, d.cutoff_at) for d in days_of(schedule.pickup_point)]
    assert after == before


def test_fortnightly_schedule_keeps_its_rhythm_from_its_first_week():
    schedule = ScheduleFactory(frequency="fortnightly", weekday=3, valid_from=dt.date(2026, 11, 5))

    materialise_distribution_days(now=FRIDAY)

    dates = [d.date for d in days_of(schedule.pickup_point)]
    assert dates == [
        dt.date(2026, 12, 3),
        dt.date(2026, 12, 17),
        dt.date(2026, 12, 31),
        dt.date(2027, 1, 14),
    ]


def test_a_closure_cancels_its_days_with_the_reason():
    schedule = ScheduleFactory()
    Closure.objects.create(
        pickup_point=schedule.pickup_point,
        start_date=dt.date(2026, 12, 21),
        end_date=dt.date(2027, 1, 3),
        reason="Vacances de Noël",
    )

    materialise_distribution_days(now=FRIDAY)

    cancelled = [d for d in days_of(schedule.pickup_point) if d.state == DayState.CANCELLED]
    assert [d.date for d in cancelled] == [dt.date(2026, 12, 22), dt.date(2026, 12, 29)]
    assert cancelled[0].cancellation_reason == "Vacances de Noël"


def test_a_closure_of_the_whole_amap_closes_all_its_points():
    first = ScheduleFactory()
    second = ScheduleFactory(
        pickup_point=PickupPointFactory(collective=first.pickup_point.collective)
    )
    other = ScheduleFactory()
    Closure.objects.create(
        collective=first.pickup_point.collective,
        start_date=dt.date(2026, 11, 24),
        end_date=dt.date(2026, 11, 24),
    )

    materialise_distribution_days(now=FRIDAY)

    for schedule in (first, second):
        assert days_of(schedule.pickup_point)[0].state == DayState.CANCELLED
    assert days_of(other.pickup_point)[0].state == DayState.OPEN


def test_new_closure_then_lifted_cancels_then_reopens_the_day():
    schedule = ScheduleFactory()
    materialise_distribution_days(now=FRIDAY)
    closure = Closure.objects.create(
        pickup_point=schedule.pickup_point,
        start_date=dt.date(2026, 12, 1),
        end_date=dt.date(2026, 12, 1),
    )

    cancelled = materialise_distribution_days(now=FRIDAY)
    closure.delete()
    reopened = materialise_distribution_days(now=FRIDAY)

    day = DistributionDay.objects.get(pickup_point=schedule.pickup_point, date=dt.date(2026, 12, 1))
    assert cancelled.cancelled == [day.pk]
    assert reopened.reopened == [day.pk]
    assert day.state == DayState.OPEN and day.cancellation_reason == ""


def test_a_changed_schedule_moves_future_days_and_never_touches_done_ones():
    schedule = ScheduleFactory()
    materialise_distribution_days(now=FRIDAY)
    done = days_of(schedule.pickup_point)[0]
    DistributionDay.objects.filter(pk=done.pk).update(state=DayState.DONE)
    Schedule.objects.filter(pk=schedule.pk).update(start_time=dt.time(17, 0))

    changes = materialise_distribution_days(now=FRIDAY)

    days = days_of(schedule.pickup_point)
    assert days[0].starts_at == dt.datetime(2026, 11, 24, 18, 0, tzinfo=PARIS)
    assert all(d.starts_at.astimezone(PARIS).hour == 17 for d in days[1:])
    assert len(changes.moved) == 7


def test_days_no_schedule_gives_any_more_are_cancelled():
    schedule = ScheduleFactory()
    materialise_distribution_days(now=FRIDAY)
    Schedule.objects.filter(pk=schedule.pk).update(valid_until=dt.date(2026, 12, 10))

    materialise_distribution_days(now=FRIDAY)

    states = {d.date: d.state for d in days_of(schedule.pickup_point)}
    assert states[dt.date(2026, 12, 8)] == DayState.OPEN
    assert states[dt.date(2026, 12, 15)] == DayState.CANCELLED


def test_cutoff_keeps_the_wall_clock_across_the_spring_dst_change():
    # Clocks go forward on Sunday 28 March 2027: Monday's 18:00 is UTC+2, Saturday's is UTC+1.
    schedule = ScheduleFactory(weekday=0, valid_from=dt.date(2027, 3, 1))

    materialise_distribution_days(now=dt.datetime(2027, 3, 22, 9, 0, tzinfo=PARIS))

    day = DistributionDay.objects.get(pickup_point=schedule.pickup_point, date=dt.date(2027, 3, 29))
    assert day.starts_at == dt.datetime(2027, 3, 29, 16, 0, tzinfo=UTC)
    assert day.ends_at == dt.datetime(2027, 3, 29, 17, 30, tzinfo=UTC)
    assert day.cutoff_at == dt.datetime(2027, 3, 27, 17, 0, tzinfo=UTC)  # Saturday 18:00 CET


def test_cutoff_keeps_the_wall_clock_across_the_autumn_dst_change():
    # Clocks go back on Sunday 31 October 2027: Monday's 18:00 is UTC+1, Saturday's is UTC+2.
    schedule = ScheduleFactory(weekday=0, valid_from=dt.date(2027, 10, 1))

    materialise_distribution_days(now=dt.datetime(2027, 10, 25, 9, 0, tzinfo=PARIS))

    day = DistributionDay.objects.get(pickup_point=schedule.pickup_point, date=dt.date(2027, 11, 1))
    assert day.starts_at == dt.datetime(2027, 11, 1, 17, 0, tzinfo=UTC)
    assert day.cutoff_at == dt.datetime(2027, 10, 30, 16, 0, tzinfo=UTC)  # Saturday 18:00 CEST


def test_a_day_whose_cutoff_has_passed_is_made_closed_for_orders():
    schedule = ScheduleFactory()

    materialise_distribution_days(now=dt.datetime(2026, 11, 22, 19, 0, tzinfo=PARIS))

    days = days_of(schedule.pickup_point)
    assert days[0].date == dt.date(2026, 11, 24) and days[0].state == DayState.CLOSED
    assert {d.state for d in days[1:]} == {DayState.OPEN}


@pytest.mark.parametrize("weeks", [8, 52])
def test_queries_do_not_grow_with_the_number_of_days(django_assert_max_num_queries, weeks):
    for _ in range(5):
        ScheduleFactory()

    # 4 reads in a savepoint (2 statements) and the INSERTs: one on PostgreSQL; on SQLite Django
    # splits it under SQLite's 999-parameter limit, 4 statements for the 260 days of 52 weeks
    # (83 rows of 12 columns each).
    with django_assert_max_num_queries(10):
        materialise_distribution_days(now=FRIDAY, weeks=weeks)


def test_a_schedule_ending_before_it_starts_is_refused():
    schedule = ScheduleFactory.build(
        pickup_point=PickupPointFactory(), start_time=dt.time(19, 0), end_time=dt.time(18, 0)
    )

    with pytest.raises(ValidationError):
        schedule.full_clean()


def test_the_beat_task_keeps_the_calendar():
    ScheduleFactory(valid_from=dt.date(2020, 1, 1))

    created = materialise_calendar.delay().get()

    assert created >= 8
    assert materialise_calendar.delay().get() == 0


def test_days_close_for_orders_at_their_cutoff_once():
    from deliveries.distribution.tasks import close_distribution_days
    from deliveries.network.services import close_days_past_cutoff

    schedule = ScheduleFactory()
    materialise_distribution_days(now=FRIDAY)
    first = days_of(schedule.pickup_point)[0]  # cut-off Sunday 22 November 18:00

    before = close_days_past_cutoff(now=dt.datetime(2026, 11, 22, 17, 59, tzinfo=PARIS))
    at_cutoff = close_days_past_cutoff(now=dt.datetime(2026, 11, 22, 18, 0, tzinfo=PARIS))
    again = close_days_past_cutoff(now=dt.datetime(2026, 11, 22, 18, 5, tzinfo=PARIS))

    assert (before, at_cutoff, again) == ([], [first.pk], [])
    states = [d.state for d in days_of(schedule.pickup_point)]
    assert states[0] == DayState.CLOSED and set(states[1:]) == {DayState.OPEN}
    assert close_distribution_days.delay().get() >= 0
