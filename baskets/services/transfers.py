"""A basket given to someone else (panier cédé): to a person the holder names, to the pickup
point's food-aid partner, or offered to other members, one of whom takes it.

A transferred basket is skipped by its holder but still brought by the producer: it uses no
absence. Giving it, taking it back, and releasing a basket one took are decided before the
contract's deadline, when the producer's quantities for that day are settled.
"""

from datetime import datetime, timedelta

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
from baskets.services.absences import skipped_dates
from baskets.services.holding import (
    check_before_deadline,
    delivery_day,
    lock_own_running_subscription,
)
from baskets.services.seasons import contract_delivery_dates
from deliveries.network.models import DistributionDay
from marketplace.core.tasks import queue_on_commit

# An offered basket is for the pickup point's members first; the contract's waiting list may
# claim it once it has been offered this long.
MEMBERS_FIRST = timedelta(hours=24)


@transaction.atomic
def transfer_delivery(
    member, subscription_id: int, day_id: int, kind: str, recipient_name: str = "", now=None
) -> BasketTransfer:
    """A member gives one basket away: to a person they name, to other members who may claim
    it, or to the pickup point's food-aid partner. The delivery is skipped for its holder if it
    was not already; the producer still brings it."""
    now = now or timezone.now()
    recipient_name = (recipient_name or "").strip()
    check_recipient(kind, recipient_name)
    subscription = lock_own_running_subscription(member, subscription_id, AbsenceRefused)
    day = check_transfer(subscription, day_id, kind, now)
    if day.date not in skipped_dates(subscription, [day.date]):
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


def check_recipient(kind: str, recipient_name: str) -> None:
    if kind not in TransferKind.values:
        raise TransferRefused(_("Choose whom the basket goes to."))
    if kind == TransferKind.NAMED and not recipient_name:
        raise TransferRefused(_("Give the name of the person who will collect the basket."))


def check_transfer(subscription: Subscription, day_id: int, kind: str, now) -> DistributionDay:
    """What giving one of the subscription's baskets away checks, when it is done and when
    the member is asked to confirm it: the day is one of its deliveries, before the
    deadline, not given away yet; the point has a food-aid partner to give it to."""
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
    return day


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
    queue_on_commit("baskets.tasks.notify_basket_taken", transfer.pk)
    return transfer


@transaction.atomic
def take_back(member, subscription_id: int, day_id: int, now=None) -> DistributionDay:
    """The holder takes back a basket they gave away, while nobody has taken it and before the
    deadline: it is theirs to collect again (still skipped if a pause covers the day)."""
    now = now or timezone.now()
    subscription = lock_own_running_subscription(member, subscription_id, AbsenceRefused)
    dates = contract_delivery_dates(subscription.contract, subscription.pickup_point)
    day = delivery_day(subscription, day_id, dates, TransferRefused)
    transfer = (
        BasketTransfer.objects.select_for_update()
        .filter(subscription=subscription, distribution_day=day)
        .first()
    )
    if transfer is None:
        raise TransferRefused(_("This basket is not given away."))
    if transfer.claimed_by_id is not None:
        raise TransferRefused(
            _("%(name)s has already taken this basket: ask them to release it.")
            % {"name": transfer.claimed_by.get_full_name() or _("a member")}
        )
    check_before_deadline(subscription, day, now, TransferRefused)
    transfer.delete()
    subscription.absences.filter(
        kind=AbsenceKind.SKIP, starts_on=day.date, ends_on=day.date
    ).delete()
    status = (
        DeliveryStatus.SKIPPED
        if skipped_dates(subscription, [day.date])
        else DeliveryStatus.TO_COLLECT
    )
    BasketDelivery.objects.filter(subscription=subscription, distribution_day=day).update(
        status=status
    )
    return day


@transaction.atomic
def release_basket(member, transfer_id: int, now=None) -> BasketTransfer:
    """A member who took an offered basket gives it up before the deadline: it is offered to
    the other members again."""
    now = now or timezone.now()
    transfer = (
        BasketTransfer.objects.select_for_update(of=("self",))
        .select_related("subscription__contract", "distribution_day")
        .filter(pk=transfer_id, kind=TransferKind.OFFERED, claimed_by=member)
        .first()
    )
    if transfer is None:
        raise TransferRefused(_("You have not taken this basket."))
    check_before_deadline(transfer.subscription, transfer.distribution_day, now, TransferRefused)
    transfer.claimed_by, transfer.claimed_at = None, None
    transfer.save(update_fields=["claimed_by", "claimed_at"])
    return transfer
