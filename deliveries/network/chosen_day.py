"""The distribution day a visitor is shopping for, kept in their session.

Chosen from the pickup-point finder; the catalogue shows what is left for that day and the
checkout offers it first. A day that closed or was cancelled in the meantime is forgotten.
"""

from deliveries.network.models import DistributionDay

SESSION_KEY = "distribution_day_id"


def open_day(day_id) -> DistributionDay | None:
    return (
        DistributionDay.objects.open_for_orders()
        .select_related("pickup_point")
        .filter(pk=day_id)
        .first()
    )


def remember_day(request, day: DistributionDay) -> None:
    request.session[SESSION_KEY] = day.pk
    request._chosen_day = day


def chosen_day(request) -> DistributionDay | None:
    """The day in the visitor's session if it is still open for orders (one query, once)."""
    if not hasattr(request, "_chosen_day"):
        day_id = request.session.get(SESSION_KEY) if hasattr(request, "session") else None
        day = open_day(day_id) if day_id else None
        if day_id and day is None:
            request.session.pop(SESSION_KEY, None)
        request._chosen_day = day
    return request._chosen_day


def chosen_day_id(request) -> int | None:
    day = chosen_day(request)
    return day.pk if day else None
