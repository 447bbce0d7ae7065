"""Which distribution days' baskets the producer has already prepared: those whose change
deadline (``change_deadline``) has passed. A change to a subscription (a member joining, a
commitment ending) never reaches them: it applies from the next open day."""

from datetime import date, datetime, timedelta

from django.utils import timezone

from baskets.models import Subscription
from baskets.services.holding import change_deadline
from deliveries.network.models import DayState, DistributionDay


def prepared_until(subscription: Subscription, now: datetime) -> date | None:
    """The last distribution day at the subscription's point, from today on, whose baskets
    the producer has already prepared: its change deadline (``change_deadline``) has passed.
    None when every coming day is still open for changes. One query."""
    today = timezone.localdate(now)
    hours = subscription.contract.absence_deadline_hours
    days = (
        DistributionDay.objects.filter(
            pickup_point_id=subscription.pickup_point_id,
            date__range=(today, today + timedelta(days=hours // 24 + 2)),
        )
        .exclude(state=DayState.CANCELLED)
        .order_by("-date")
    )
    for day in days:
        if now >= change_deadline(subscription, day):
            return day.date
    return None


def first_open_date(subscription: Subscription, now: datetime) -> date:
    """The first date a change made now reaches: the day after the last one already prepared."""
    prepared = prepared_until(subscription, now)
    if prepared is None:
        return timezone.localdate(now)
    return prepared + timedelta(days=1)
