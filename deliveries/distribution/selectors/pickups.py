"""A member's pickups (Mes retraits): the orders still to collect, and what became of the last
weeks' ones, as the volunteers recorded it on the day."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from deliveries.distribution.models import LeftoverFate
from deliveries.network.models import DayState, DistributionDay, PickupOrder

# How far back "Mes retraits" tells what became of the member's orders.
HISTORY_WEEKS = 12


@dataclass
class PastPickup:
    pickup: PickupOrder
    outcome: str


@dataclass
class MemberPickups:
    coming: list[PickupOrder]
    past: list[PastPickup]


def member_pickups(user, now=None, weeks: int = HISTORY_WEEKS) -> MemberPickups:
    """The member's orders still to collect, by distribution day; and those of the last weeks
    (newest first) with what became of each: cancelled, collected, or, when nobody collected
    it, the fate the volunteers recorded at the close. Two queries whatever the number of
    orders."""
    now = now or timezone.now()
    pickups = (
        PickupOrder.objects.filter(
            order__user=user, distribution_day__ends_at__gte=now - timedelta(weeks=weeks)
        )
        .select_related("order", "distribution_day__pickup_point", "handover")
        .prefetch_related("order__lines")
        .order_by("distribution_day__starts_at", "distribution_day_id", "pk")
    )
    coming, past = [], []
    for pickup in pickups:
        outcome = pickup_outcome(pickup, now)
        if outcome is None:
            coming.append(pickup)
        else:
            past.append(PastPickup(pickup, outcome))
    # Stable: a day's orders stay in the order they were placed.
    past.sort(key=lambda item: item.pickup.distribution_day.starts_at, reverse=True)
    return MemberPickups(coming, past)


def pickup_outcome(pickup: PickupOrder, now: datetime) -> str | None:
    """What became of an order, as its member reads it; None while it is still to collect
    (its distribution has not ended, nothing is recorded and the day is not closed)."""
    order, day = pickup.order, pickup.distribution_day
    if day.state == DayState.CANCELLED:
        if day.cancellation_reason:
            return _("Cancelled: the distribution was cancelled (%(reason)s)") % {
                "reason": day.cancellation_reason
            }
        return _("Cancelled: the distribution was cancelled")
    if order.status == "cancelled":
        return _("Cancelled")
    handover = getattr(pickup, "handover", None)
    if handover is not None and handover.collected_at is not None:
        return _collected_label(handover.collected_at, day)
    if handover is not None and handover.fate == LeftoverFate.KEPT:
        return _("Not collected: kept for you")
    if handover is not None and handover.fate == LeftoverFate.GIVEN:
        return _("Not collected: given to %(name)s") % {"name": handover.fate_recipient}
    if handover is not None and handover.fate == LeftoverFate.FOOD_AID:
        partner = day.pickup_point.food_aid_partner
        if partner:
            return _("Not collected: given to the food-aid partner, %(partner)s") % {
                "partner": partner
            }
        return _("Not collected: given to the food-aid partner")
    if day.closed_at is not None:
        return _("Not recorded")
    if day.ends_at > now:
        return None
    return _("Not recorded yet")


def _collected_label(collected_at: datetime, day: DistributionDay) -> str:
    """On the Paris wall clock, whatever zone is active; the date too if it is not the day's."""
    moment = timezone.localtime(collected_at, ZoneInfo(settings.TIME_ZONE))
    time = formats.time_format(moment, "H:i")
    if moment.date() != day.date:
        return _("Collected on %(date)s at %(time)s") % {
            "date": formats.date_format(moment, "l j F"),
            "time": time,
        }
    return _("Collected at %(time)s") % {"time": time}
