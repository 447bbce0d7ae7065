"""Emails to members about their distribution days."""

from collections import defaultdict

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.utils import timezone
from oscar.core.loading import get_model

from deliveries.distribution.notifications.cancellations import notify_everyone_of_cancelled_days
from deliveries.network.models import PickupOrder
from marketplace.core.emails import compose, send_all
from marketplace.core.sending import send_once

Order = get_model("order", "Order")


def notify_members_of_calendar_changes(
    moved_day_ids: list[int], cancelled_order_ids: list[int], cancelled_day_ids=()
) -> int:
    """Tell members whose distribution moved (new time, new cut-off); and everyone a cancelled
    day concerned (its orders cancelled, their stock given back; its baskets not delivered; its
    volunteers released), once per day. One email per person and day. Returns how many emails
    were sent."""
    pickups = (
        PickupOrder.objects.filter(distribution_day_id__in=moved_day_ids)
        .exclude(order__status="cancelled")
        .select_related("order__user", "distribution_day__pickup_point")
        .order_by("distribution_day__starts_at", "order__number")
    )
    by_member_day = defaultdict(list)
    for pickup in pickups:
        email = pickup.order.user.email if pickup.order.user else pickup.order.email
        if email:
            by_member_day[(email, pickup.distribution_day_id)].append(pickup)
    sent = 0
    for (email, day_id), orders in by_member_day.items():
        # Once per person and move, even when the task runs twice or a worker dies mid-send.
        moved_to = timezone.localtime(orders[0].distribution_day.starts_at)
        key = f"day-moved:{day_id}:{moved_to:%Y%m%dT%H%M}:order-{orders[0].order_id}"
        with send_once(key) as sending:
            if sending:
                send_all([_message("moved", email, orders)])
                sent += 1
    return sent + notify_everyone_of_cancelled_days(cancelled_day_ids, cancelled_order_ids)


def _message(template: str, email: str, pickups: list[PickupOrder]) -> EmailMultiAlternatives:
    day = pickups[0].distribution_day
    context = {
        "day": day,
        "point": day.pickup_point,
        "starts_at": timezone.localtime(day.starts_at),
        "ends_at": timezone.localtime(day.ends_at),
        "cutoff_at": timezone.localtime(day.cutoff_at),
        "orders": [pickup.order for pickup in pickups],
        "user": pickups[0].order.user,
        "shop_name": settings.OSCAR_SHOP_NAME,
    }
    return compose(f"deliveries/email/day_{template}", context, [email])
