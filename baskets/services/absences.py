"""A member away: a skipped delivery, a pause over dates, and changing one's mind.

A skipped basket is not brought by the producer and uses one of the contract's absences. Both
are decided, or undone, before the contract's deadline, when the producer's quantities for
that day are settled: undoing gives the absence back. Baskets given to someone else are in
``transfers``.
"""

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from baskets.errors import AbsenceRefused
from baskets.models import (
    Absence,
    AbsenceKind,
    BasketDelivery,
    BasketTransfer,
    DeliveryStatus,
    Subscription,
    SubscriptionState,
)
from baskets.services.holding import (
    change_deadline,
    check_before_deadline,
    delivery_day,
    lock_own_running_subscription,
)
from baskets.services.seasons import contract_delivery_dates
from deliveries.network.models import DayState, DistributionDay


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
        if not allowance:
            raise AbsenceRefused(_("This contract allows no skipped delivery."))
        raise AbsenceRefused(
            ngettext(
                "You have used the %(allowance)s absence this contract allows.",
                "You have used the %(allowance)s absences this contract allows.",
                allowance,
            )
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
def cancel_skip(member, subscription_id: int, day_id: int, now=None) -> DistributionDay:
    """The member collects a skipped delivery after all, until the deadline: the absence it
    used is given back. A day inside a pause splits the pause around it."""
    now = now or timezone.now()
    subscription = lock_own_running_subscription(member, subscription_id, AbsenceRefused)
    dates = contract_delivery_dates(subscription.contract, subscription.pickup_point)
    day = delivery_day(subscription, day_id, dates, AbsenceRefused)
    check_before_deadline(subscription, day, now, AbsenceRefused)
    if BasketTransfer.objects.filter(subscription=subscription, distribution_day=day).exists():
        raise AbsenceRefused(_("This basket is given away: take it back first."))
    covering = list(subscription.absences.filter(starts_on__lte=day.date, ends_on__gte=day.date))
    if not covering:
        raise AbsenceRefused(_("You do not skip this delivery."))
    for absence in covering:
        _uncover(absence, day.date, day.date)
    _mark_deliveries(subscription, day.date, day.date, DeliveryStatus.TO_COLLECT)
    _resume_if_no_pause_today(subscription, now)
    return day


@transaction.atomic
def cancel_pause(member, subscription_id: int, absence_id: int, now=None) -> Absence | None:
    """The member calls a pause off: every delivery it covers whose deadline has not passed is
    back to collect and its absence given back. Deliveries already past their deadline stay
    skipped (the producer has settled them), so the pause is shortened to them. Returns the
    shortened pause, or None when it is gone."""
    now = now or timezone.now()
    subscription = lock_own_running_subscription(member, subscription_id, AbsenceRefused)
    pause = subscription.absences.filter(pk=absence_id, kind=AbsenceKind.PAUSE).first()
    if pause is None:
        raise AbsenceRefused(_("This pause is not yours, or is already over."))
    dates = contract_delivery_dates(subscription.contract, subscription.pickup_point)
    covered = [day for day in dates if pause.starts_on <= day <= pause.ends_on]
    days = {
        day.date: day
        for day in DistributionDay.objects.filter(
            pickup_point=subscription.pickup_point, date__in=covered
        )
    }
    settled = [
        day
        for day in covered
        if day <= timezone.localdate(now)
        or (day in days and now >= change_deadline(subscription, days[day]))
    ]
    if covered and len(settled) == len(covered):
        hours = subscription.contract.absence_deadline_hours
        raise AbsenceRefused(
            ngettext(
                "Too late: every delivery of this pause is past its deadline (%(hours)s hour).",
                "Too late: every delivery of this pause is past its deadline (%(hours)s hours).",
                hours,
            )
            % {"hours": hours}
        )
    freed_from = max(settled) + timedelta(days=1) if settled else pause.starts_on
    _uncover(pause, freed_from, pause.ends_on)
    still_away = skipped_dates(subscription, covered)
    for day in covered:
        if day >= freed_from and day not in still_away:
            _mark_deliveries(subscription, day, day, DeliveryStatus.TO_COLLECT)
    _resume_if_no_pause_today(subscription, now)
    return Absence.objects.filter(pk=pause.pk).first()


def _uncover(absence: Absence, first: date, last: date) -> None:
    """The absence no longer covers the dates from ``first`` to ``last``: it is cut short,
    split in two around them, or deleted."""
    before = (absence.starts_on, first - timedelta(days=1))
    after = (last + timedelta(days=1), absence.ends_on)
    parts = [(start, end) for start, end in (before, after) if start <= end]
    if not parts:
        absence.delete()
        return
    absence.starts_on, absence.ends_on = parts[0]
    absence.save(update_fields=["starts_on", "ends_on"])
    for start, end in parts[1:]:
        Absence.objects.create(
            subscription=absence.subscription, kind=absence.kind, starts_on=start, ends_on=end
        )


def _resume_if_no_pause_today(subscription: Subscription, now) -> None:
    today = timezone.localdate(now)
    if (
        subscription.state == SubscriptionState.PAUSED
        and not subscription.absences.filter(
            kind=AbsenceKind.PAUSE, starts_on__lte=today, ends_on__gte=today
        ).exists()
    ):
        subscription.state = SubscriptionState.ACTIVE
        subscription.save(update_fields=["state"])
