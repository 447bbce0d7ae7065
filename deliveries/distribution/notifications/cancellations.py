"""Emails when a distribution day is cancelled (a closure, a coordinator): everyone it concerned
hears of it once. À la carte customers (their orders are cancelled), basket holders and
co-holders (their baskets are not delivered, not charged, not counted as absences), members who
took a basket someone offered, the day's volunteers (their shift is released), and producers
whose packing list was already sent.

Each day's emails go out once (``send_once``), then the day records the notice: the calendar
made again, the task run twice, or a run after a worker died mid-send, sends nothing more; a
mail server that fails leaves the day unmarked and the next run tries again.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone

from baskets.models import BROUGHT_STATUSES, BasketDelivery, BasketTransfer, TransferKind
from baskets.selectors import person_name
from deliveries.distribution.models import VolunteerShift
from deliveries.network.models import DayState, DistributionDay, PickupOrder
from marketplace.core.emails import compose, send_all
from marketplace.core.sending import send_once, times_sent
from producers.models import PackingList
from producers.packing import producer_recipients


@dataclass(frozen=True)
class CancellationReach:
    """Who a day's cancellation would reach, for the coordinator about to cancel it."""

    households: int
    takers: int
    orders: int
    volunteers: int
    producers: int


def cancellation_reach(day: DistributionDay) -> CancellationReach:
    """Five counts."""
    return CancellationReach(
        households=BasketDelivery.objects.filter(
            distribution_day=day, status__in=BROUGHT_STATUSES
        ).count(),
        takers=BasketTransfer.objects.filter(
            distribution_day=day, claimed_by__isnull=False
        ).count(),
        orders=PickupOrder.objects.filter(distribution_day=day)
        .exclude(order__status="cancelled")
        .count(),
        volunteers=VolunteerShift.objects.filter(distribution_day=day).count(),
        producers=PackingList.objects.filter(
            distribution_day=day, emailed_at__isnull=False
        ).count(),
    )


@dataclass(frozen=True)
class BasketLine:
    quantity: int
    plan: str
    producer: str
    # Given to a person the holder named: they have no account to be told through.
    named_recipient: str = ""
    # Offered and taken by another member, who is told too.
    taken_by: str = ""


@dataclass
class CancelledDayNotice:
    """What one person hears of one cancelled day: each part they had in it."""

    orders: list = field(default_factory=list)
    baskets: list[BasketLine] = field(default_factory=list)
    taken: list[BasketLine] = field(default_factory=list)
    is_volunteer: bool = False


def notify_everyone_of_cancelled_days(
    day_ids: Iterable[int], cancelled_order_ids: Iterable[int] = (), now: datetime | None = None
) -> int:
    """Tell everyone each cancelled day concerned, one email per person and day, and release
    its volunteers; days already told are left alone. ``cancelled_order_ids`` are the orders
    the calendar cancelled with the days (a member who had cancelled their own order is not
    told about it). Returns how many emails were sent."""
    now = now or timezone.now()
    cancelled_order_ids = list(cancelled_order_ids)
    day_ids = set(day_ids) | set(
        PickupOrder.objects.filter(order_id__in=cancelled_order_ids).values_list(
            "distribution_day_id", flat=True
        )
    )
    if not day_ids:
        return 0
    days = (
        DistributionDay.objects.filter(
            pk__in=day_ids, state=DayState.CANCELLED, cancellation_notified_at__isnull=True
        )
        .select_related("pickup_point")
        .order_by("pk")
    )
    return sum(_notify_of_cancelled_day(day, cancelled_order_ids, now) for day in days)


def _notify_of_cancelled_day(day: DistributionDay, cancelled_order_ids: list[int], now) -> int:
    """Everyone one cancelled day concerned, once (``send_once``: two runs at once, or a run
    after a worker died mid-send, send nothing more). Returns the emails sent."""
    messages = [
        _message("day_cancelled", {**_day_context(day), **vars(notice)}, email)
        for (_day_id, email), notice in _notices([day], cancelled_order_ids).items()
    ]
    messages += _producer_messages([day], {day.pk: day})
    with send_once(_cancellation_key(day)) as sending:
        if sending:
            send_all(messages)
        # In the transaction that records "sent": a day sent for but never marked is one that
        # came back since, and a new cancellation gets a new key.
        with transaction.atomic():
            VolunteerShift.objects.filter(distribution_day=day, released_at__isnull=True).update(
                released_at=now
            )
            DistributionDay.objects.filter(pk=day.pk, cancellation_notified_at=None).update(
                cancellation_notified_at=now
            )
    return len(messages) if sending else 0


def _cancellation_key(day: DistributionDay) -> str:
    """``day-cancelled:<day id>:<n>``, the day's n-th cancellation (a day can come back and be
    cancelled again); a run that stopped mid-send left its key unsent, and the next run finds
    that same key."""
    return f"day-cancelled:{day.pk}:{times_sent(f'day-cancelled:{day.pk}:') + 1}"


def _notices(days: list[DistributionDay], cancelled_order_ids: list[int]) -> dict:
    """(day id, email) -> what that person had in that day. Four queries."""
    notices: dict[tuple[int, str], CancelledDayNotice] = defaultdict(CancelledDayNotice)

    def notice_of(day_id: int, email: str | None) -> CancelledDayNotice | None:
        return notices[day_id, email] if email else None

    pickups = (
        PickupOrder.objects.filter(order_id__in=cancelled_order_ids, distribution_day__in=days)
        .select_related("order__user")
        .order_by("order__number")
    )
    for pickup in pickups:
        order = pickup.order
        email = order.user.email if order.user and order.user.email else order.email
        if notice := notice_of(pickup.distribution_day_id, email):
            notice.orders.append(order)
    transfers = {
        (transfer.subscription_id, transfer.distribution_day_id): transfer
        for transfer in BasketTransfer.objects.filter(distribution_day__in=days).select_related(
            "claimed_by", "subscription__contract__plan__producer"
        )
    }
    deliveries = (
        BasketDelivery.objects.filter(distribution_day__in=days, status__in=BROUGHT_STATUSES)
        .select_related(
            "subscription__member",
            "subscription__co_holder",
            "subscription__contract__plan__producer",
        )
        .order_by("pk")
    )
    for delivery in deliveries:
        subscription = delivery.subscription
        transfer = transfers.get((subscription.pk, delivery.distribution_day_id))
        line = _line(subscription, delivery.quantity, transfer)
        for holder in (subscription.member, subscription.co_holder):
            if holder is not None and (
                notice := notice_of(delivery.distribution_day_id, holder.email)
            ):
                notice.baskets.append(line)
    for transfer in transfers.values():
        if transfer.claimed_by is not None:
            notice = notice_of(transfer.distribution_day_id, transfer.claimed_by.email)
            if notice is not None:
                notice.taken.append(_line(transfer.subscription, transfer.subscription.quantity))
    shifts = (
        VolunteerShift.objects.filter(distribution_day__in=days, released_at__isnull=True)
        .select_related("volunteer")
        .order_by("pk")
    )
    for shift in shifts:
        if notice := notice_of(shift.distribution_day_id, shift.volunteer.email):
            notice.is_volunteer = True
    return dict(sorted(notices.items()))


def _line(subscription, quantity: int, transfer: BasketTransfer | None = None) -> BasketLine:
    plan = subscription.contract.plan
    line = BasketLine(quantity, plan.name, plan.producer.name)
    if transfer is None:
        return line
    if transfer.kind == TransferKind.NAMED:
        return replace(line, named_recipient=transfer.recipient_name)
    if transfer.claimed_by is not None:
        return replace(line, taken_by=person_name(transfer.claimed_by))
    return line


def _producer_messages(days: list[DistributionDay], by_pk: dict) -> list[EmailMultiAlternatives]:
    """The producers whose packing list for a day was already emailed: it no longer holds."""
    messages = []
    sent = (
        PackingList.objects.filter(distribution_day__in=days, emailed_at__isnull=False)
        .select_related("producer__partner")
        .order_by("distribution_day_id", "producer_id")
    )
    for packing_list in sent:
        context = {
            **_day_context(by_pk[packing_list.distribution_day_id]),
            "producer": packing_list.producer,
            "emailed_at": timezone.localtime(packing_list.emailed_at),
        }
        recipients = producer_recipients(packing_list.producer)
        if recipients:
            messages.append(_message("day_cancelled_producer", context, *recipients))
    return messages


def _day_context(day: DistributionDay) -> dict:
    return {
        "day": day,
        "point": day.pickup_point,
        "starts_at": timezone.localtime(day.starts_at),
        "ends_at": timezone.localtime(day.ends_at),
        "shop_name": settings.OSCAR_SHOP_NAME,
    }


def _message(template: str, context: dict, *emails: str) -> EmailMultiAlternatives:
    return compose(f"deliveries/email/{template}", context, emails)
