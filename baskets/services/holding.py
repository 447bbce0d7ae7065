"""What every change a member makes to their own deliveries checks first: the subscription is
theirs (as holder or co-holder) and running, the day is one of its deliveries, the contract's
deadline has not passed. Each check raises the caller's kind of refusal."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from baskets.errors import BasketError, NotYourSubscription
from baskets.models import HOLDING_STATES, CoHolding, CoHoldingState, Subscription
from deliveries.network.models import DayState, DistributionDay


def lock_own_running_subscription(
    member, subscription_id: int, refused: type[BasketError]
) -> Subscription:
    """The member's running subscription, its row locked so that counts made under it hold."""
    subscription = (
        Subscription.objects.select_for_update(of=("self",))
        .select_related("contract__plan", "pickup_point")
        .filter(Q(member=member) | (Q(co_holder=member) & ~sharing_ends(member)))
        .filter(pk=subscription_id)
        .first()
    )
    if subscription is None:
        raise NotYourSubscription(_("This subscription is not yours."))
    if subscription.state not in HOLDING_STATES:
        raise refused(_("Only a running subscription has deliveries to change."))
    return subscription


def sharing_ends(co_holder) -> Exists:
    """Whether the sharing with ``co_holder`` of a subscription is ending (``end_co_holding``):
    its coming deliveries are then no longer theirs to change."""
    return Exists(
        CoHolding.objects.filter(
            subscription_id=OuterRef("pk"),
            co_holder=co_holder,
            state=CoHoldingState.ACCEPTED,
            shared_until__isnull=False,
        )
    )


def delivery_day(
    subscription: Subscription, day_id: int, dates: list[date], refused: type[BasketError]
) -> DistributionDay:
    day = DistributionDay.objects.filter(pk=day_id, pickup_point=subscription.pickup_point).first()
    if day is None or day.state == DayState.CANCELLED or day.date not in dates:
        raise refused(_("There is no delivery of this contract on that day."))
    return day


def change_deadline(subscription: Subscription, day: DistributionDay) -> datetime:
    """The last moment to skip, pause, give away or take back a delivery: the contract's hours
    before the distribution, counted on the Paris wall clock like the order cut-off, so a DST
    change in between does not move it by an hour."""
    return wall_clock_before(day.starts_at, subscription.contract.absence_deadline_hours)


def wall_clock_before(moment: datetime, hours: int) -> datetime:
    paris = ZoneInfo(settings.TIME_ZONE)
    local = timezone.localtime(moment, paris).replace(tzinfo=None)
    return timezone.make_aware(local - timedelta(hours=hours), paris)


def check_before_deadline(
    subscription: Subscription, day: DistributionDay, now, refused: type[BasketError]
) -> None:
    if now >= change_deadline(subscription, day):
        hours = subscription.contract.absence_deadline_hours
        raise refused(
            ngettext(
                "Too late for this delivery: changes close %(hours)s hour before the distribution.",
                "Too late for this delivery: changes close %(hours)s hours before the distribution.",
                hours,
            )
            % {"hours": hours}
        )
