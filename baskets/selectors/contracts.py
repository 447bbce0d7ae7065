"""Contracts open for sign-up and the places they have; what coordinators look after."""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Q
from django.utils import timezone

from baskets.models import (
    HOLDING_STATES,
    Contract,
    ContractPickupPoint,
    Subscription,
    SubscriptionState,
)


def open_contracts(today: date | None = None):
    """Contracts members can sign up for today, with their plan, producer and pickup points."""
    today = today or timezone.localdate()
    return (
        Contract.objects.filter(
            signup_opens_on__lte=today,
            signup_closes_on__gte=today,
            ends_on__gte=today,
            plan__is_active=True,
        )
        .select_related("plan__producer")
        .prefetch_related("places__pickup_point")
        .order_by("plan__producer__name", "plan__name", "starts_on")
    )


def places_taken(contract_ids) -> dict[tuple[int, int], int]:
    """Places held or waited for, per contract and pickup point: what sign-up counts against
    capacity. One query."""
    rows = (
        Subscription.objects.filter(
            contract_id__in=contract_ids, state__in=(*HOLDING_STATES, SubscriptionState.WAITING)
        )
        .values("contract_id", "pickup_point_id")
        .annotate(taken=Count("pk"))
    )
    return {(row["contract_id"], row["pickup_point_id"]): row["taken"] for row in rows}


@dataclass
class ManagedPlace:
    place: ContractPickupPoint
    holders: list[Subscription] = field(default_factory=list)
    waiting: list[Subscription] = field(default_factory=list)

    @property
    def left(self) -> int:
        return max(self.place.capacity - len(self.holders), 0)


def _managed(user, today: date):
    places = ContractPickupPoint.objects.filter(contract__ends_on__gte=today)
    if user.is_staff:
        return places
    return places.filter(
        Q(contract__coordinators=user)
        | Q(pickup_point__coordinators=user)
        | Q(contract__plan__producer__partner__users=user)
    ).distinct()


def manages_any_contract(user) -> bool:
    return _managed(user, timezone.localdate()).exists()


def managed_places(user, today: date | None = None) -> list[ManagedPlace]:
    """The contracts' pickup points a coordinator, a pickup point's coordinator or the plan's
    producer looks after, with their members and waiting lists. Two queries."""
    today = today or timezone.localdate()
    places = list(
        _managed(user, today)
        .select_related("contract__plan__producer", "pickup_point")
        .order_by("contract__starts_on", "contract__plan__name", "pickup_point__name")
    )
    by_key = {(p.contract_id, p.pickup_point_id): ManagedPlace(p) for p in places}
    subscriptions = (
        Subscription.objects.filter(
            contract_id__in={p.contract_id for p in places},
            pickup_point_id__in={p.pickup_point_id for p in places},
            state__in=(*HOLDING_STATES, SubscriptionState.WAITING),
        )
        .select_related("member", "co_holder")
        .order_by("created_at", "pk")
    )
    for sub in subscriptions:
        entry = by_key.get((sub.contract_id, sub.pickup_point_id))
        if entry is None:
            continue
        (entry.waiting if sub.state == SubscriptionState.WAITING else entry.holders).append(sub)
    for entry in by_key.values():
        entry.holders.sort(key=lambda sub: (sub.member.last_name.casefold(), sub.member.email))
    return list(by_key.values())
