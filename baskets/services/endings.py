"""A holder who stops (leaving, or a coordinator ending their commitment): the baskets of days
already prepared stay as they are, those of days still open are dropped with the baskets given
away on them, and the member and whoever had taken one of those baskets are told."""

from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone

from baskets.models import (
    BasketDelivery,
    BasketTransfer,
    DeliveryStatus,
    Subscription,
    TransferKind,
)
from baskets.services.prepared_days import first_open_date
from deliveries.network.models import DayState, DistributionDay
from marketplace.core.sending import send_once


def end_deliveries(subscription: Subscription, now: datetime) -> list[list[int]]:
    """A holder stops: the baskets of days already prepared stay as they are (theirs to
    collect, or their taker's), those of the days still open are dropped, with the baskets
    given away on those days (``last_delivery_on`` keeps the beat from making them again).
    Returns ``[member id, day id]`` of each basket someone had taken and will not get, to
    tell them; a named recipient is the holder's own acquaintance, not told by us."""
    subscription.last_delivery_on = first_open_date(subscription, now) - timedelta(days=1)
    dropped_days = Q(distribution_day__date__gt=subscription.last_delivery_on)
    transfers = BasketTransfer.objects.filter(dropped_days, subscription=subscription)
    claims = [
        list(claim)
        for claim in transfers.filter(
            kind=TransferKind.OFFERED, claimed_by__isnull=False
        ).values_list("claimed_by_id", "distribution_day_id")
    ]
    transfers.delete()
    BasketDelivery.objects.filter(dropped_days, subscription=subscription).delete()
    return claims


def had_a_delivery(subscription: Subscription) -> bool:
    """Whether a day of its season was already prepared for it when it stopped."""
    return (
        subscription.last_delivery_on is not None
        and BasketDelivery.objects.filter(
            subscription=subscription, distribution_day__date__lte=subscription.last_delivery_on
        ).exists()
    )


def tell_those_concerned_by_ending(
    subscription_id: int, claims: list[list[int]], tell_member: bool, now=None
) -> int:
    """Once a commitment has ended: the member is emailed when someone else ended it, with
    the baskets still theirs to collect, and each member who had taken one of the baskets
    dropped is told it will not be delivered. Once only (``send_once``, then
    ``end_notified_at``): a task run twice, or again after a worker died mid-send, sends
    nothing more. Returns the emails sent."""
    from baskets.services.notifications import notify_commitment_ended

    now = now or timezone.now()
    subscription = (
        Subscription.objects.select_related("contract__plan", "pickup_point", "member")
        .filter(pk=subscription_id, end_notified_at__isnull=True)
        .first()
    )
    if subscription is None:
        return 0
    days = DistributionDay.objects.in_bulk({day_id for _member_id, day_id in claims})
    takers = get_user_model().objects.in_bulk({member_id for member_id, _day_id in claims})
    dropped = [
        (takers[member_id], days[day_id])
        for member_id, day_id in claims
        if member_id in takers and day_id in days
    ]
    kept = baskets_kept(subscription, now) if tell_member else []
    sent = 0
    with send_once(f"commitment-ended:{subscription.pk}") as sending:
        if sending:
            sent = notify_commitment_ended(subscription, kept, dropped, tell_member=tell_member)
    Subscription.objects.filter(pk=subscription.pk, end_notified_at=None).update(
        end_notified_at=now
    )
    return sent


def baskets_kept(subscription: Subscription, now=None) -> list[DistributionDay]:
    """The days whose baskets were already prepared when the subscription stopped and that
    are still to collect by its holder (not skipped, not given away)."""
    now = now or timezone.now()
    if subscription.last_delivery_on is None:
        return []
    return [
        delivery.distribution_day
        for delivery in BasketDelivery.objects.filter(
            subscription=subscription,
            status=DeliveryStatus.TO_COLLECT,
            distribution_day__date__lte=subscription.last_delivery_on,
            distribution_day__ends_at__gt=now,
        )
        .exclude(distribution_day__state=DayState.CANCELLED)
        .select_related("distribution_day")
        .order_by("distribution_day__date")
    ]
