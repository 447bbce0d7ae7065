"""A member away: a skipped delivery, a pause over dates, a basket given to someone else.

A skipped basket is not brought by the producer and uses one of the contract's absences. A
transferred basket is skipped by its holder but still brought, for someone else: it uses no
absence. Both must be decided before the contract's deadline, when the producer's quantities
for that day are settled.
"""

from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from baskets.errors import AbsenceRefused, TransferRefused
from baskets.models import (
    HOLDING_STATES,
    Absence,
    AbsenceKind,
    BasketDelivery,
    BasketTransfer,
    DeliveryStatus,
    Subscription,
    SubscriptionState,
    TransferKind,
)
from baskets.services.holding import (
    check_before_deadline,
    delivery_day,
    lock_own_running_subscription,
)
from baskets.services.seasons import contract_delivery_dates
from deliveries.models import DayState, DistributionDay

# An offered basket is for the pickup point's members first; the contract's waiting list may
# claim it once it has been offered this long.
MEMBERS_FIRST = timedelta(hours=24)


def skipped_dates(subscription: Subscription, delivery_dates: list[date]) -> list[date]:
    """The delivery dates an absence of the subscription covers."""
    ranges = list(subscription.absences.values_list("starts_on", "ends_on"))
    return [day for day in delivery_dates if any(start <= day <= end for start, end in ranges)]


def absences_used(subscription: Subscription, delivery_dates: list[date]) -> int:
    """Skipped deliveries that count against the allowance: transferred ones do not."""
    transferred = set(subscription.transfers.values_list("distribution_day__date", flat=True))
    return len(
        [day for day in skipped_dates(subscription, delivery_dates) if day not in transferred]
    )


def _check_allowance(subscription: Subscription, dates: list[date], more: int) -> None:
    allowance = subscription.contract.absence_allowance
    if absences_used(subscription, dates) + more > allowance:
        raise AbsenceRefused(
            _("You have used the %(allowance)s absences this contract allows.")
            % {"allowance": allowance}
        )


def _mark_deliveries(subscription: Subscription, first: date, last: date, status: str) -> None:
    """Basket deliveries already made for those dates follow (the beat task makes later ones)."""
    BasketDelivery.objects.filter(
        subscription=subscription, distribution_day__date__range=(first, last)
    ).exclude(status=DeliveryStatus.TRANSFERRED).update(status=status)


@transaction.atomic
def skip_delivery(member, subscription_id: int, day_id: int, now=None) -> Absence:
    """A member skips one delivery: before the contract's deadline, within its allowance. The
    subscription's row is locked while counting, so two skips at once cannot both use the
    last one allowed."""
    now = now or timezone.now()
    subscription = lock_own_running_subscription(member, subscription_id, AbsenceRefused)
    dates = contract_delivery_dates(subscription.contract, subscription.pickup_point)
    day = delivery_day(subscription, day_id, dates, AbsenceRefused)
    check_before_deadline(subscription, day, now, AbsenceRefused)
    if day.date in skipped_dates(subscription, dates):
        raise AbsenceRefused(_("You already skip this delivery."))
    _check_allowance(subscription, dates, 1)
    absence = Absence.objects.create(
        subscription=subscription, starts_on=day.date, ends_on=day.date
    )
    _mark_deliveries(subscription, day.date, day.date, DeliveryStatus.SKIPPED)
    return absence


@transaction.atomic
def pause_subscription(member, subscription_id: int, starts_on: date, ends_on: date, now=None):
    """A member pauses between two dates: every delivery in between is skipped, each one
    counted against the allowance, the first one still before its deadline. The subscription
    shows as paused while the pause runs (``refresh_subscription_states``)."""
    now = now or timezone.now()
    if starts_on is None or ends_on is None or ends_on < starts_on:
        raise AbsenceRefused(_("The pause must end on or after the day it starts."))
    subscription = lock_own_running_subscription(member, subscription_id, AbsenceRefused)
    dates = contract_delivery_dates(subscription.contract, subscription.pickup_point)
    already = set(skipped_dates(subscription, dates))
    covered = [day for day in dates if starts_on <= day <= ends_on and day not in already]
    if not covered:
        raise AbsenceRefused(_("There is no delivery of yours to pause between these dates."))
    first_day = (
        DistributionDay.objects.filter(pickup_point=subscription.pickup_point, date=covered[0])
        .exclude(state=DayState.CANCELLED)
        .first()
    )
    if first_day is not None:
        check_before_deadline(subscription, first_day, now, AbsenceRefused)
    elif covered[0] <= timezone.localdate(now):
        raise AbsenceRefused(_("A pause cannot start in the past."))
    _check_allowance(subscription, dates, len(covered))
    absence = Absence.objects.create(
        subscription=subscription, kind=AbsenceKind.PAUSE, starts_on=starts_on, ends_on=ends_on
    )
    _mark_deliveries(subscription, starts_on, ends_on, DeliveryStatus.SKIPPED)
    if starts_on <= timezone.localdate(now) and subscription.state == SubscriptionState.ACTIVE:
        subscription.state = SubscriptionState.PAUSED
        subscription.save(update_fields=["state"])
    return absence


@transaction.atomic
def transfer_delivery(
    member, subscription_id: int, day_id: int, kind: str, recipient_name: str = "", now=None
) -> BasketTransfer:
    """A member gives one basket away: to a person they name, to other members who may claim
    it, or to the pickup point's food-aid partner. The delivery is skipped for its holder if it
    was not already; the producer still brings it."""
    now = now or timezone.now()
    recipient_name = (recipient_name or "").strip()
    if kind not in TransferKind.values:
        raise TransferRefused(_("Choose whom the basket goes to."))
    if kind == TransferKind.NAMED and not recipient_name:
        raise TransferRefused(_("Give the name of the person who will collect the basket."))
    subscription = lock_own_running_subscription(member, subscription_id, AbsenceRefused)
    point = subscription.pickup_point
    if kind == TransferKind.FOOD_AID and not point.food_aid_partner:
        raise TransferRefused(
            _("%(point)s has no food-aid partner: offer the basket to other members instead.")
            % {"point": point.name}
        )
    dates = contract_delivery_dates(subscription.contract, point)
    day = delivery_day(subscription, day_id, dates, AbsenceRefused)
    check_before_deadline(subscription, day, now, AbsenceRefused)
    if BasketTransfer.objects.filter(subscription=subscription, distribution_day=day).exists():
        raise TransferRefused(_("This basket is already given away."))
    if day.date not in skipped_dates(subscription, dates):
        Absence.objects.create(subscription=subscription, starts_on=day.date, ends_on=day.date)
    transfer = BasketTransfer.objects.create(
        subscription=subscription,
        distribution_day=day,
        kind=kind,
        recipient_name=recipient_name if kind == TransferKind.NAMED else "",
    )
    BasketDelivery.objects.filter(subscription=subscription, distribution_day=day).update(
        status=DeliveryStatus.TRANSFERRED
    )
    return transfer


def can_claim_from(transfer: BasketTransfer, member) -> datetime | None:
    """When the member may claim this offered basket: at once for members of its pickup point,
    after ``MEMBERS_FIRST`` for its contract's waiting list, never for anyone else."""
    subscription = transfer.subscription
    if member.pk in (subscription.member_id, subscription.co_holder_id):
        return None
    theirs = Subscription.objects.filter(Q(member=member) | Q(co_holder=member))
    if theirs.filter(pickup_point=subscription.pickup_point, state__in=HOLDING_STATES).exists():
        return transfer.created_at
    if theirs.filter(
        contract=subscription.contract,
        pickup_point=subscription.pickup_point,
        state=SubscriptionState.WAITING,
    ).exists():
        return transfer.created_at + MEMBERS_FIRST
    return None


@transaction.atomic
def claim_basket(member, transfer_id: int, now=None) -> BasketTransfer:
    """A member takes a basket someone offered. Its row is locked: of two members claiming it
    at once, one gets it and the other is told it is taken."""
    now = now or timezone.now()
    transfer = (
        BasketTransfer.objects.select_for_update(of=("self",))
        .select_related("subscription__contract", "subscription__pickup_point", "distribution_day")
        .filter(pk=transfer_id, kind=TransferKind.OFFERED)
        .first()
    )
    if transfer is None:
        raise TransferRefused(_("This basket is not on offer."))
    if transfer.claimed_by_id is not None:
        raise TransferRefused(_("Someone has already taken this basket."))
    if now >= transfer.distribution_day.ends_at:
        raise TransferRefused(_("This distribution is over."))
    opens_at = can_claim_from(transfer, member)
    if opens_at is None:
        raise TransferRefused(
            _("Baskets on offer are for the members of %(point)s and its waiting list.")
            % {"point": transfer.subscription.pickup_point.name}
        )
    if now < opens_at:
        raise TransferRefused(
            _("Members of the pickup point choose first: you may take this basket from %(when)s.")
            % {"when": date_format(timezone.localtime(opens_at), "l j F, H:i")}
        )
    transfer.claimed_by = member
    transfer.claimed_at = now
    transfer.save(update_fields=["claimed_by", "claimed_at"])
    return transfer
