"""Celery entry points of the distribution day: closing days at their cut-off, telling people
of calendar changes, shifts to fill, shift reminders and sign-off sheets."""

from celery import shared_task

from marketplace.core.beat import BeatTask
from marketplace.core.tasks import queue


@shared_task(acks_late=True)
def notify_calendar_changes(
    moved_day_ids: list[int],
    cancelled_order_ids: list[int],
    cancelled_day_ids: list[int] | None = None,
) -> int:
    """Email the members whose distribution day moved; and everyone a cancelled day concerned
    (customers, basket holders, volunteers, producers), once per day however often it runs."""
    from deliveries.distribution.notifications.calendar import notify_members_of_calendar_changes

    return notify_members_of_calendar_changes(
        moved_day_ids, cancelled_order_ids, cancelled_day_ids or []
    )


@shared_task(base=BeatTask, acks_late=True)
def close_distribution_days() -> int:
    """Close the days whose order cut-off has passed (beat, every few minutes), then build
    their packing lists in the background."""
    from deliveries.network.services import close_days_past_cutoff
    from producers.packing import days_missing_packing_lists

    closed = close_days_past_cutoff()
    # Days closed earlier whose lists were never built (a lost task) are caught up too.
    due = sorted(set(closed) | set(days_missing_packing_lists()))
    if due:
        queue("producers.tasks.build_packing_lists", due)
    return len(closed)


@shared_task(base=BeatTask, acks_late=True)
def alert_unstaffed_days() -> int:
    """Beat, hourly: tell coordinators, once per day, of the distributions in the next three
    days still lacking volunteers. Returns the days alerted."""
    from deliveries.distribution.notifications.shifts import alert_coordinators_of_unstaffed_days

    return alert_coordinators_of_unstaffed_days()


@shared_task(base=BeatTask, acks_late=True)
def remind_volunteers() -> int:
    """Beat, hourly: remind each volunteer of their shift once, 48 hours before. Returns the
    shifts reminded."""
    from deliveries.distribution.notifications.shifts import remind_volunteers_of_shifts

    return remind_volunteers_of_shifts()


@shared_task(base=BeatTask, acks_late=True)
def send_sign_off_sheets() -> int:
    """Beat, hourly: email each coming distribution's sign-off sheet (PDF and CSV) to its
    pickup point's coordinators, once, 36 hours ahead. Returns the days sent."""
    from deliveries.distribution.sign_off_sheet import send_sign_off_sheets as send

    return send()
