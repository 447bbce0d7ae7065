"""Celery entry points of the pickup network: keeping the calendar ahead, locating points."""

from celery import shared_task
from django.conf import settings
from geopy import exc as geopy_errors

from marketplace.core.beat import BeatTask
from marketplace.core.tasks import queue


@shared_task(base=BeatTask, acks_late=True)
def materialise_calendar(pickup_point_ids: list[int] | None = None) -> int:
    """Keep the distribution calendar 8 weeks ahead (beat, daily; and after a schedule or a
    closure changes). Returns how many days were created or changed."""
    from deliveries.network.services import materialise_distribution_days

    changes = materialise_distribution_days(pickup_point_ids=pickup_point_ids)
    if changes.moved or changes.cancelled or changes.cancelled_orders:
        # Telling people reads their baskets and shifts: the distribution floor's task.
        queue(
            "deliveries.distribution.tasks.notify_calendar_changes",
            changes.moved,
            changes.cancelled_orders,
            changes.cancelled,
        )
    return changes.created + len(changes.changed)


def _give_up_locating(task, exc, task_id, args, kwargs, einfo):
    """Retries exhausted, or an error not worth retrying: a person checks the address."""
    from deliveries.network.locating import mark_address_to_check

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
    from deliveries.network.locating import geocode_pickup_point as locate

    return locate(point_id)
