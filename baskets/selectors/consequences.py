"""What a change with consequences will do, read before the person confirms it: a member giving
a basket away, a coordinator ending a member's commitment. Nothing is written here; the change
itself checks everything again when it is confirmed."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from baskets.errors import AbsenceRefused, NotYourSubscription, PlaceRefused
from baskets.models import (
    HOLDING_STATES,
    BasketTransfer,
    Subscription,
    SubscriptionState,
    TransferKind,
)
from baskets.selectors.common import person_name
from baskets.services.endings import baskets_kept
from baskets.services.holding import change_deadline
from baskets.services.prepared_days import first_open_date
from baskets.services.seasons import contract_delivery_dates
from baskets.services.subscriptions import manages_place
from baskets.services.transfers import MEMBERS_FIRST, check_recipient, check_transfer
from deliveries.network.models import DistributionDay


@dataclass
class GivingAway:
    """One basket given away: to whom, and until when the member can take it back."""

    subscription: Subscription
    day: DistributionDay
    kind: str
    recipient_name: str
    deadline: datetime
    members_first_hours: int = int(MEMBERS_FIRST.total_seconds() // 3600)


def giving_away(
    member, subscription_id: int, day_id: int, kind: str, recipient_name: str = "", now=None
) -> GivingAway:
    """What ``transfer_delivery`` would do, with the same refusals."""
    now = now or timezone.now()
    recipient_name = (recipient_name or "").strip()
    check_recipient(kind, recipient_name)
    subscription = (
        Subscription.objects.select_related(
            "contract__plan__producer", "pickup_point", "member", "co_holder"
        )
        .filter(Q(member=member) | Q(co_holder=member), pk=subscription_id)
        .first()
    )
    if subscription is None:
        raise NotYourSubscription(_("This subscription is not yours."))
    if subscription.state not in HOLDING_STATES:
        raise AbsenceRefused(_("Only a running subscription has deliveries to change."))
    day = check_transfer(subscription, day_id, kind, now)
    return GivingAway(
        subscription=subscription,
        day=day,
        kind=kind,
        recipient_name=recipient_name if kind == TransferKind.NAMED else "",
        deadline=timezone.localtime(change_deadline(subscription, day)),
    )


@dataclass
class Ending:
    """A commitment a coordinator is about to end: the baskets already prepared that stay the
    member's, the first delivery the producer no longer brings, who is told."""

    subscription: Subscription
    is_held: bool
    kept: list[date] = field(default_factory=list)
    first_dropped: date | None = None
    takers: list[str] = field(default_factory=list)
    waiting: int = 0


def ending(manager, subscription_id: int, now=None) -> Ending:
    """What ``end_commitment`` would do, with the same refusals. A few queries."""
    now = now or timezone.now()
    subscription = (
        Subscription.objects.select_related(
            "contract__plan__producer__partner", "pickup_point", "member", "co_holder"
        )
        .filter(pk=subscription_id)
        .first()
    )
    if subscription is None or not manages_place(
        manager, subscription.contract, subscription.pickup_point
    ):
        raise NotYourSubscription(_("You do not manage this contract at this pickup point."))
    if subscription.state in (SubscriptionState.CANCELLED, SubscriptionState.ENDED):
        raise PlaceRefused(_("This subscription has already ended."))
    waiting = Subscription.objects.filter(
        contract_id=subscription.contract_id,
        pickup_point_id=subscription.pickup_point_id,
        state=SubscriptionState.WAITING,
    ).exclude(pk=subscription.pk)
    result = Ending(subscription, is_held=subscription.state in HOLDING_STATES)
    result.waiting = waiting.count()
    if not result.is_held:
        return result
    opens = first_open_date(subscription, now)
    # As end_deliveries will set it; on this unsaved copy only, to read what stays.
    subscription.last_delivery_on = opens - timedelta(days=1)
    result.kept = [day.date for day in baskets_kept(subscription, now)]
    coming = [
        day
        for day in contract_delivery_dates(subscription.contract, subscription.pickup_point)
        if day >= opens
    ]
    result.first_dropped = coming[0] if coming else None
    claimed = BasketTransfer.objects.filter(
        subscription=subscription,
        kind=TransferKind.OFFERED,
        claimed_by__isnull=False,
        distribution_day__date__gte=opens,
    ).select_related("claimed_by")
    result.takers = [person_name(transfer.claimed_by) for transfer in claimed]
    return result
