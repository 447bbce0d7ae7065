"""A producer could not bring a contract's baskets to a pickup point on a distribution day.

The producer (of their own contracts), a coordinator of the contract or of the pickup point
records it once, with the reason members read, once the day's baskets are prepared (members can
no longer change them: the contract's deadline has passed) and up to two weeks after. The day's
baskets of the contract there become ``not_brought``: off the pickup list, the producer's counts
and statement. After the commit the members are emailed once, and the payments floor lowers the
subscriptions' dues for the day (and refunds what was paid online), through tasks named, not
imported (DESIGN.md: a lower floor may queue a task of a higher one).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from baskets.errors import NotBroughtRefused
from baskets.models import (
    BROUGHT_STATUSES,
    BasketDelivery,
    BasketsNotBrought,
    BasketTransfer,
    ContractPickupPoint,
    DeliveryStatus,
    Subscription,
)
from baskets.services.holding import wall_clock_before
from baskets.services.seasons import contract_delivery_dates
from deliveries.network.models import DayState, DistributionDay
from marketplace.core.emails import compose
from marketplace.core.sending import send_each_once
from marketplace.core.tasks import queue_on_commit

# How long after a distribution its baskets can still be recorded as not brought.
LATEST_AFTER = timedelta(days=14)
NOTIFY_TASK = "baskets.tasks.notify_baskets_not_brought"
ADJUST_DUES_TASK = "marketplace.payments.tasks.adjust_subscriptions_dues"


def may_record_not_brought(user, place: ContractPickupPoint) -> bool:
    """Staff, the contract's coordinators, the pickup point's coordinators and the contract's
    producer. One query."""
    if not user.is_authenticated:
        return False
    if user.is_staff:
        return True
    return (
        ContractPickupPoint.objects.filter(pk=place.pk)
        .filter(
            Q(contract__coordinators=user)
            | Q(pickup_point__coordinators=user)
            | Q(contract__plan__producer__partner__users=user)
        )
        .exists()
    )


def recordable_days(place: ContractPickupPoint, now: datetime | None = None) -> list:
    """The place's distribution days whose baskets can be recorded as not brought now, latest
    first. Two queries (and the season's dates)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    contract = place.contract
    hours = contract.absence_deadline_hours
    first = max(contract.starts_on, today - LATEST_AFTER)
    last = min(contract.ends_on, today + timedelta(days=hours // 24 + 1))
    if first > last:
        return []
    dates = set(contract_delivery_dates(contract, place.pickup_point))
    days = (
        DistributionDay.objects.filter(pickup_point_id=place.pickup_point_id)
        .filter(date__range=(first, last))
        .exclude(state=DayState.CANCELLED)
        .exclude(baskets_not_brought__contract=contract)
        .order_by("-date")
    )
    return [
        day for day in days if day.date in dates and now >= wall_clock_before(day.starts_at, hours)
    ]


def not_brought_at(place: ContractPickupPoint) -> list[BasketsNotBrought]:
    """What was recorded for the place, latest first. One query."""
    return list(
        BasketsNotBrought.objects.filter(
            contract_id=place.contract_id, distribution_day__pickup_point_id=place.pickup_point_id
        )
        .select_related("distribution_day", "recorded_by")
        .order_by("-distribution_day__date")
    )


def not_brought_reach(place: ContractPickupPoint, day: DistributionDay) -> tuple[int, int]:
    """The baskets the producer was to bring that day, and the households holding them. One
    query."""
    counts = BasketDelivery.objects.filter(
        distribution_day=day,
        subscription__contract_id=place.contract_id,
        status__in=BROUGHT_STATUSES,
    ).aggregate(baskets=Sum("quantity"), households=Count("subscription_id", distinct=True))
    return counts["baskets"] or 0, counts["households"]


@transaction.atomic
def record_baskets_not_brought(
    user, place_id: int, day_id: int, reason: str, now: datetime | None = None
) -> tuple[BasketsNotBrought, bool]:
    """Records that the producer could not bring the place's baskets on the day (see the
    module), and whether it is new: recorded already, nothing changes. Raises
    ``ContractPickupPoint.DoesNotExist`` or ``NotBroughtRefused``."""
    now = now or timezone.now()
    place = ContractPickupPoint.objects.select_related("contract", "pickup_point").get(pk=place_id)
    if not may_record_not_brought(user, place):
        raise NotBroughtRefused(
            _("Only the contract's producer and coordinators can record baskets not brought.")
        )
    # The day's row lock: two people recording the same day at once make one record.
    day = (
        DistributionDay.objects.select_for_update(of=("self",))
        .filter(pk=day_id, pickup_point_id=place.pickup_point_id)
        .first()
    )
    if day is None:
        raise NotBroughtRefused(_("This distribution is not one of this contract's."))
    existing = BasketsNotBrought.objects.filter(
        distribution_day=day, contract_id=place.contract_id
    ).first()
    if existing is not None:
        return existing, False
    if day not in recordable_days(place, now):
        raise NotBroughtRefused(_refusal(place, day, now))
    reason = (reason or "").strip()
    if not reason:
        raise NotBroughtRefused(
            _("Say why the baskets could not be brought: the members will read it.")
        )
    record = BasketsNotBrought.objects.create(
        distribution_day=day,
        contract_id=place.contract_id,
        reason=reason[: BasketsNotBrought._meta.get_field("reason").max_length],
        recorded_by=user,
        recorded_at=now,
    )
    BasketDelivery.objects.filter(
        distribution_day=day,
        subscription__contract_id=place.contract_id,
        status__in=BROUGHT_STATUSES,
    ).update(status=DeliveryStatus.NOT_BROUGHT)
    subscription_ids = list(
        Subscription.objects.filter(
            contract_id=place.contract_id, pickup_point_id=place.pickup_point_id
        ).values_list("pk", flat=True)
    )
    queue_on_commit(NOTIFY_TASK, record.pk)
    queue_on_commit(ADJUST_DUES_TASK, subscription_ids)
    return record, True


def _refusal(place: ContractPickupPoint, day: DistributionDay, now: datetime) -> str:
    if day.state == DayState.CANCELLED:
        return _("This distribution is cancelled: no basket was to be brought.")
    if day.date not in contract_delivery_dates(place.contract, place.pickup_point):
        return _("This contract delivers nothing at this pickup point on that day.")
    if day.date < timezone.localdate(now) - LATEST_AFTER:
        return _("This distribution is more than two weeks ago: ask the site's staff.")
    return _(
        "Members may still change their baskets for this distribution: record it once its "
        "deadline has passed."
    )


@dataclass
class NotBroughtNotice:
    """What one person hears: their own baskets (``quantity``), or one they took."""

    user: object
    quantity: int = 0
    took_one: bool = False


def notify_baskets_not_brought(record_id: int) -> int:
    """Emails the holders (and co-holders) of the baskets not brought, and the members who had
    taken one of them, each once. Returns the emails sent."""
    record = (
        BasketsNotBrought.objects.filter(pk=record_id)
        .select_related("distribution_day__pickup_point", "contract__plan__producer")
        .first()
    )
    if record is None:
        return 0
    day = record.distribution_day
    notices: dict[int, NotBroughtNotice] = {}
    deliveries = BasketDelivery.objects.filter(
        distribution_day=day,
        subscription__contract_id=record.contract_id,
        status=DeliveryStatus.NOT_BROUGHT,
    ).select_related("subscription__member", "subscription__co_holder")
    for delivery in deliveries:
        for holder in (delivery.subscription.member, delivery.subscription.co_holder):
            if holder is not None and holder.email:
                notices.setdefault(
                    holder.pk, NotBroughtNotice(holder)
                ).quantity += delivery.quantity
    takers = BasketTransfer.objects.filter(
        distribution_day=day, subscription__contract_id=record.contract_id, claimed_by__isnull=False
    ).select_related("claimed_by")
    for transfer in takers:
        if transfer.claimed_by.email:
            notices.setdefault(transfer.claimed_by_id, NotBroughtNotice(transfer.claimed_by))
            notices[transfer.claimed_by_id].took_one = True
    context = _context(record)
    messages = {
        f"baskets-not-brought:{record.pk}:{user_id}": [
            compose(
                "baskets/email/baskets_not_brought",
                {**context, "quantity": notice.quantity, "took_one": notice.took_one},
                [notice.user.email],
            )
        ]
        for user_id, notice in sorted(notices.items())
    }
    return len(send_each_once(messages))


def _context(record: BasketsNotBrought) -> dict:
    day, contract = record.distribution_day, record.contract
    return {
        "plan": contract.plan,
        "contract": contract,
        "producer": contract.plan.producer,
        "point": day.pickup_point,
        "starts_at": timezone.localtime(day.starts_at),
        "reason": record.reason,
        "payments_url": settings.SITE_URL + reverse("payments:mine"),
        "shop_name": settings.OSCAR_SHOP_NAME,
    }
