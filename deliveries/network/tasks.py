from celery import shared_task
from django.conf import settings
from geopy import exc as geopy_errors


@shared_task(acks_late=True)
def materialise_calendar(pickup_point_ids: list[int] | None = None) -> int:
    """Keep the distribution calendar 8 weeks ahead (beat, daily; and after a schedule or a
    closure changes). Returns how many days were created or changed."""
    from deliveries.services import materialise_distribution_days

    changes = materialise_distribution_days(pickup_point_ids=pickup_point_ids)
    if changes.moved or changes.cancelled or changes.cancelled_orders:
        notify_calendar_changes.delay(changes.moved, changes.cancelled_orders, changes.cancelled)
    return changes.created + len(changes.changed)


@shared_task(acks_late=True)
def notify_calendar_changes(
    moved_day_ids: list[int],
    cancelled_order_ids: list[int],
    cancelled_day_ids: list[int] | None = None,
) -> int:
    """Email the members whose distribution day moved; and everyone a cancelled day concerned
    (customers, basket holders, volunteers, producers), once per day however often it runs."""
    from deliveries.notifications import notify_members_of_calendar_changes

    return notify_members_of_calendar_changes(
        moved_day_ids, cancelled_order_ids, cancelled_day_ids or []
    )


@shared_task(acks_late=True)
def close_distribution_days() -> int:
    """Close the days whose order cut-off has passed (beat, every few minutes), then build
    their packing lists in the background."""
    from deliveries.services import close_days_past_cutoff
    from producers.packing import days_missing_packing_lists
    from producers.tasks import build_packing_lists

    closed = close_days_past_cutoff()
    # Days closed earlier whose lists were never built (a lost task) are caught up too.
    due = sorted(set(closed) | set(days_missing_packing_lists()))
    if due:
        build_packing_lists.delay(due)
    return len(closed)


def _give_up_locating(task, exc, task_id, args, kwargs, einfo):
    """Retries exhausted, or an error not worth retrying: a person checks the address."""
    from deliveries.locating import mark_address_to_check

    mark_address_to_check(*args, **kwargs)


@shared_task(
    acks_late=True,
    autoretry_for=(
        geopy_errors.GeocoderTimedOut,
        geopy_errors.GeocoderUnavailable,
        geopy_errors.GeocoderRateLimited,
        geopy_errors.GeocoderServiceError,
    ),
    # Service errors that say the request itself is wrong: asking again changes nothing.
    dont_autoretry_for=(
        geopy_errors.GeocoderQueryError,
        geopy_errors.GeocoderAuthenticationFailure,
        geopy_errors.GeocoderInsufficientPrivileges,
    ),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=5,
    # Celery counts it per worker, not across workers: BAN allows 50 requests/s per IP address,
    # Nominatim's usage policy 1/s.
    rate_limit=settings.GEOCODER_RATE_LIMIT,
    on_failure=_give_up_locating,
)
def geocode_pickup_point(point_id: int) -> str | None:
    """Locate a pickup point from its address (queued when it is created or its address
    changes). Idempotent: a point already located is left alone."""
    from deliveries.locating import geocode_pickup_point as locate

    return locate(point_id)


@shared_task(acks_late=True)
def alert_unstaffed_days() -> int:
    """Beat, hourly: tell coordinators, once per day, of the distributions in the next three
    days still lacking volunteers. Returns the days alerted."""
    from deliveries.shift_notifications import alert_coordinators_of_unstaffed_days

    return alert_coordinators_of_unstaffed_days()


@shared_task(acks_late=True)
def remind_volunteers() -> int:
    """Beat, hourly: remind each volunteer of their shift once, 48 hours before. Returns the
    shifts reminded."""
    from deliveries.shift_notifications import remind_volunteers_of_shifts

    return remind_volunteers_of_shifts()


@shared_task(acks_late=True)
def send_sign_off_sheets() -> int:
    """Beat, hourly: email each coming distribution's sign-off sheet (PDF and CSV) to its
    pickup point's coordinators, once, 36 hours ahead. Returns the days sent."""
    from deliveries.sign_off_sheet import send_sign_off_sheets as send

    return send()
