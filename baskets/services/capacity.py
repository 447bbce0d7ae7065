"""A contract's places at a pickup point are baskets (shares), not households: a household
taking 3 baskets uses 3 of them. What is held, what is offered to the waiting list, what is
left, and who on the waiting list the free baskets go to."""

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

from django.db.models import Q, Sum
from django.utils import timezone

from baskets.models import HOLDING_STATES, ContractPickupPoint, Subscription, SubscriptionState


def first_who_fit(waiting: Iterable[Subscription], free: int) -> list[Subscription]:
    """The waiting list's rule: free baskets go down the list in order, to each person whose
    baskets fit in what is still free. Someone asking for more than is free keeps their rank:
    they come before everyone behind them as soon as enough baskets are free at once, but the
    producer's baskets do not stay unsold while a household asking for fewer waits behind."""
    chosen = []
    for subscription in waiting:
        if free <= 0:
            break
        if subscription.quantity <= free:
            chosen.append(subscription)
            free -= subscription.quantity
    return chosen


def committed(contract_id: int, pickup_point_id: int, now: datetime):
    """The subscriptions that use baskets of a place: held, or offered to someone waiting
    whose offer has not lapsed."""
    return Subscription.objects.filter(
        contract_id=contract_id, pickup_point_id=pickup_point_id
    ).filter(_uses_baskets(now))


def _uses_baskets(now: datetime) -> Q:
    return Q(state__in=HOLDING_STATES) | Q(
        state=SubscriptionState.WAITING, offer_expires_at__gte=now
    )


def queued(contract_id: int, pickup_point_id: int):
    """Those waiting without an offer yet, in the order they joined."""
    return Subscription.objects.filter(
        contract_id=contract_id,
        pickup_point_id=pickup_point_id,
        state=SubscriptionState.WAITING,
        offer_expires_at__isnull=True,
    ).order_by("created_at", "pk")


def baskets_left(
    places: Iterable[ContractPickupPoint], now: datetime | None = None
) -> dict[int, int]:
    """For each contract's pickup point (by its id), how many baskets someone signing up now
    gets at once: its capacity less the baskets held, those offered to the waiting list and
    not lapsed, and those the people already waiting are offered first (``first_who_fit``).
    Two queries whatever the number of places."""
    places = list(places)
    if not places:
        return {}
    now = now or timezone.now()
    contract_ids = {place.contract_id for place in places}
    point_ids = {place.pickup_point_id for place in places}
    live = Subscription.objects.filter(contract_id__in=contract_ids, pickup_point_id__in=point_ids)
    used = {
        (row["contract_id"], row["pickup_point_id"]): row["baskets"]
        for row in live.filter(_uses_baskets(now))
        .values("contract_id", "pickup_point_id")
        .annotate(baskets=Sum("quantity"))
    }
    waiting = defaultdict(list)
    for subscription in (
        live.filter(state=SubscriptionState.WAITING, offer_expires_at__isnull=True)
        .only("pk", "contract_id", "pickup_point_id", "quantity", "created_at")
        .order_by("created_at", "pk")
    ):
        waiting[subscription.contract_id, subscription.pickup_point_id].append(subscription)
    left = {}
    for place in places:
        key = place.contract_id, place.pickup_point_id
        free = place.capacity - used.get(key, 0)
        free -= sum(sub.quantity for sub in first_who_fit(waiting[key], free))
        left[place.pk] = max(free, 0)
    return left
