"""Reads for what a member is told about an order (checkout, confirmation page and email, order
detail): where and when to collect it and until when to cancel, on the Paris wall clock, and its
status in our words rather than Oscar's codes."""

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from django.utils.translation import pgettext_lazy

from deliveries.network.models import DayState, DistributionDay, PickupOrder, PickupPoint

# Oscar's order statuses (OSCAR_ORDER_STATUS_PIPELINE) as a member reads them.
ORDER_STATUS_LABELS = {
    "pending": pgettext_lazy("order status", "confirmed, to collect"),
    "complete": pgettext_lazy("order status", "collected"),
    "cancelled": pgettext_lazy("order status", "cancelled"),
}


@dataclass(frozen=True)
class PickupDetails:
    """Where and when an order is collected; the times are Paris wall-clock times."""

    day: DistributionDay
    starts_at: datetime
    ends_at: datetime
    cutoff_at: datetime
    can_cancel: bool
    is_coming: bool  # the distribution is still to come (not over, not cancelled)

    @property
    def point(self) -> PickupPoint:
        return self.day.pickup_point


def pickup_details(
    day: DistributionDay, *, order=None, now: datetime | None = None
) -> PickupDetails:
    """The day as a member reads it. ``can_cancel``: the order (or, without one, an order to
    come) can still be cancelled, as "Mes retraits" allows: before the cut-off, neither the
    order nor the day cancelled."""
    paris = ZoneInfo(settings.TIME_ZONE)
    now = now or timezone.now()
    can_cancel = (
        day.cutoff_at > now
        and day.state != DayState.CANCELLED
        and (order is None or order.status != "cancelled")
    )
    return PickupDetails(
        day=day,
        starts_at=timezone.localtime(day.starts_at, paris),
        ends_at=timezone.localtime(day.ends_at, paris),
        cutoff_at=timezone.localtime(day.cutoff_at, paris),
        can_cancel=can_cancel,
        is_coming=day.ends_at > now and day.state != DayState.CANCELLED,
    )


def order_pickup_details(order, *, now: datetime | None = None) -> PickupDetails | None:
    """Where and when the order is collected; None for an order without a distribution day
    (none are placed so, but Oscar's dashboard could make one). One query."""
    pickup = (
        PickupOrder.objects.select_related("distribution_day__pickup_point")
        .filter(order_id=order.pk)
        .first()
    )
    if pickup is None:
        return None
    return pickup_details(pickup.distribution_day, order=order, now=now)


def order_status_label(status: str) -> str:
    return str(ORDER_STATUS_LABELS.get(status, status))
