"""Contracts open for sign-up and the places they have (in baskets: a household taking 3
baskets uses 3 places); what coordinators look after; when a new holder's baskets start."""

from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Q, Sum
from django.utils import timezone

from baskets.models import (
    HOLDING_STATES,
    Contract,
    ContractPickupPoint,
    Subscription,
    SubscriptionState,
)
from baskets.services.capacity import first_who_fit
from baskets.services.seasons import contract_delivery_dates
from deliveries.network.models import DayState, DistributionDay


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
    """Baskets held or waited for, per contract and pickup point. One query. (What a member
    signing up gets at once is ``baskets_left``.)"""
    rows = (
        Subscription.objects.filter(
            contract_id__in=contract_ids, state__in=(*HOLDING_STATES, SubscriptionState.WAITING)
        )
        .values("contract_id", "pickup_point_id")
        .annotate(taken=Sum("quantity"))
    )
    return {(row["contract_id"], row["pickup_point_id"]): row["taken"] for row in rows}


@dataclass
class ManagedPlace:
    """A contract's pickup point as its coordinators see it, counted in baskets."""

    place: ContractPickupPoint
    holders: list[Subscription] = field(default_factory=list)
    waiting: list[Subscription] = field(default_factory=list)
    now: datetime | None = None

    @property
    def held(self) -> int:
        return sum(sub.quantity for sub in self.holders)

    @property
    def offered(self) -> int:
        """Baskets offered to people waiting, until they accept or their offer lapses."""
        return sum(sub.quantity for sub in self.waiting if self._is_offered(sub))

    @property
    def left(self) -> int:
        """What a member signing up now would get at once, as the contract's pages say
        (``baskets_left``)."""
        free = self.place.capacity - self.held - self.offered
        queued = [sub for sub in self.waiting if sub.offer_expires_at is None]
        return max(free - sum(sub.quantity for sub in first_who_fit(queued, free)), 0)

    def _is_offered(self, sub: Subscription) -> bool:
        now = self.now or timezone.now()
        return sub.offer_expires_at is not None and sub.offer_expires_at >= now


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
    now = timezone.now()
    today = today or timezone.localdate(now)
    places = list(
        _managed(user, today)
        .select_related("contract__plan__producer", "pickup_point")
        .order_by("contract__starts_on", "contract__plan__name", "pickup_point__name")
    )
    by_key = {(p.contract_id, p.pickup_point_id): ManagedPlace(p, now=now) for p in places}
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


@dataclass
class FirstBasket:
    """When a new holder's baskets start: the first one to collect, and the days of the
    season (from today) already prepared when they took their place, which are not theirs."""

    on: date | None
    already_prepared: list[date] = field(default_factory=list)


def first_basket(subscription: Subscription, today: date | None = None) -> FirstBasket:
    """A holder's first delivery: the contract's first date at their point from
    ``first_delivery_on`` on, a cancelled day left out. One query (and the season's dates)."""
    today = today or timezone.localdate()
    starts_on = max(subscription.first_delivery_on or today, today)
    dates = [
        day
        for day in contract_delivery_dates(subscription.contract, subscription.pickup_point)
        if day >= today
    ]
    cancelled = set(
        DistributionDay.objects.filter(
            pickup_point_id=subscription.pickup_point_id,
            state=DayState.CANCELLED,
            date__in=dates,
        ).values_list("date", flat=True)
    )
    dates = [day for day in dates if day not in cancelled]
    return FirstBasket(
        on=next((day for day in dates if day >= starts_on), None),
        already_prepared=[day for day in dates if day < starts_on],
    )
