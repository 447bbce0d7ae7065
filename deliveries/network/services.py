"""Things that happen to pickup points and their calendar. One transaction each."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from deliveries.network import finder_cache
from deliveries.network.errors import DayCancellationRefused, DayNotOpenForOrders, TooLateToCancel
from deliveries.network.models import (
    Closure,
    DayState,
    DistributionDay,
    Frequency,
    PickupOrder,
    PickupPoint,
    Schedule,
)
from deliveries.network.signals import days_reinstated
from marketplace.core.tasks import queue_on_commit

CALENDAR_WEEKS = 8
CHANGEABLE_STATES = (DayState.OPEN, DayState.CLOSED)


@dataclass
class CalendarChanges:
    """What a run of the calendar did, day ids by kind of change (for notifications)."""

    created: int = 0
    moved: list[int] = field(default_factory=list)
    cancelled: list[int] = field(default_factory=list)
    reopened: list[int] = field(default_factory=list)
    cancelled_orders: list[int] = field(default_factory=list)

    @property
    def changed(self) -> list[int]:
        return self.moved + self.cancelled + self.reopened


@dataclass(frozen=True)
class PlannedDay:
    starts_at: datetime
    ends_at: datetime
    cutoff_at: datetime
    closure_reason: str | None


def local_datetime(day: date, at: time) -> datetime:
    return timezone.make_aware(datetime.combine(day, at), ZoneInfo(settings.TIME_ZONE))


def cutoff_for(day: date, start: time, hours: int) -> datetime:
    """Orders close `hours` before the start, on the local wall clock (a DST change in
    between does not move the cut-off by an hour)."""
    naive = datetime.combine(day, start) - timedelta(hours=hours)
    return timezone.make_aware(naive, ZoneInfo(settings.TIME_ZONE))


def schedule_dates(schedule: Schedule, first: date, last: date) -> list[date]:
    """The dates a schedule distributes on between `first` and `last` included."""
    start = max(first, schedule.valid_from)
    end = min(last, schedule.valid_until) if schedule.valid_until else last
    anchor = schedule.valid_from + timedelta(
        days=(schedule.weekday - schedule.valid_from.weekday()) % 7
    )
    current = start + timedelta(days=(schedule.weekday - start.weekday()) % 7)
    step = 14 if schedule.frequency == Frequency.FORTNIGHTLY else 7
    if step == 14 and (current - anchor).days % 14:
        current += timedelta(days=7)
    dates = []
    while current <= end:
        dates.append(current)
        current += timedelta(days=step)
    return dates


def plan_days(point: PickupPoint, closures: list[Closure], first: date, last: date):
    """What the calendar of one pickup point should be between two dates."""
    planned: dict[date, PlannedDay] = {}
    for schedule in sorted(point.schedules.all(), key=lambda s: (s.start_time, s.pk)):
        for day in schedule_dates(schedule, first, last):
            if day in planned:
                continue  # one distribution a day per pickup point: the earliest schedule wins
            closure = next((c for c in closures if c.covers(day)), None)
            planned[day] = PlannedDay(
                starts_at=local_datetime(day, schedule.start_time),
                ends_at=local_datetime(day, schedule.end_time),
                cutoff_at=cutoff_for(day, schedule.start_time, schedule.cutoff_hours),
                closure_reason=(closure.reason or _("Closed")) if closure else None,
            )
    return planned


@transaction.atomic
def materialise_distribution_days(
    *, now: datetime | None = None, weeks: int = CALENDAR_WEEKS, pickup_point_ids=None
) -> CalendarChanges:
    """Make the distribution days of the coming `weeks` match the schedules and closures.

    Idempotent: a second run changes nothing. Days already done, and days in the past, are
    never touched. Orders for a day that gets cancelled are cancelled (their stock comes back);
    ``notify_members_of_calendar_changes`` tells the members, and everyone else the day
    concerned, once. A day that comes back (its closure removed) may be announced cancelled
    again later: its notice mark is cleared, and the volunteers released from it are no longer
    on it. Queries do not grow with the number of days: points, schedules, closures
    and existing days are read once, and written in bulk.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    last = today + timedelta(weeks=weeks)
    points = PickupPoint.objects.filter(is_active=True).prefetch_related("schedules")
    if pickup_point_ids is not None:
        points = points.filter(pk__in=pickup_point_ids)
    points = list(points)
    point_closures = closures_by_point(points, today, last)
    existing: dict[int, dict[date, DistributionDay]] = defaultdict(dict)
    for day in DistributionDay.objects.filter(
        pickup_point__in=points, date__gte=today, date__lte=last
    ):
        existing[day.pickup_point_id][day.date] = day
    changes = CalendarChanges()
    to_create, to_update = [], []
    for point in points:
        planned = plan_days(point, point_closures[point.pk], today, last)
        days = existing.pop(point.pk, {})
        for day, plan in planned.items():
            current = days.pop(day, None)
            if current is None:
                to_create.append(_new_day(point, day, plan, now))
            elif _apply_plan(current, plan, now, changes):
                to_update.append(current)
        for current in days.values():  # no schedule gives this date any more
            if current.state in CHANGEABLE_STATES:
                current.state = DayState.CANCELLED
                current.cancellation_reason = _("No distribution on this day any more.")
                changes.cancelled.append(current.pk)
                to_update.append(current)
    # ignore_conflicts: a run racing this one may have made the same day; the constraint keeps one.
    DistributionDay.objects.bulk_create(to_create, ignore_conflicts=True, batch_size=1000)
    changes.created = len(to_create)
    DistributionDay.objects.bulk_update(
        to_update,
        ["starts_at", "ends_at", "cutoff_at", "state", "cancellation_reason"],
        batch_size=1000,
    )
    changes.cancelled_orders = _cancel_orders_of_days(changes.cancelled)
    if changes.reopened:
        _forget_cancellation_of_days(changes.reopened)
    if to_create or to_update:  # bulk writes send no signal
        finder_cache.invalidate()
    return changes


def _forget_cancellation_of_days(day_ids: list[int]) -> None:
    """Days back in the calendar: a later cancellation is announced anew, and the coordinators
    hear again of missing volunteers (the distribution floor forgets the volunteers released,
    who were told they need not come: ``days_reinstated``). Not in
    the bulk update: a notice sent since this run read the days must not be unmarked."""
    days_reinstated.send(sender=DistributionDay, day_ids=day_ids)
    DistributionDay.objects.filter(pk__in=day_ids).update(
        cancellation_notified_at=None, staffing_alert_sent_at=None
    )


def closures_by_point(points, first: date, last: date) -> dict[int, list[Closure]]:
    collective_ids = {point.collective_id for point in points}
    closures = Closure.objects.filter(start_date__lte=last, end_date__gte=first).filter(
        Q(pickup_point__in=points) | Q(collective_id__in=collective_ids)
    )
    by_point: dict[int, list[Closure]] = defaultdict(list)
    by_collective: dict[int, list[Closure]] = defaultdict(list)
    for closure in closures:
        if closure.pickup_point_id:
            by_point[closure.pickup_point_id].append(closure)
        else:
            by_collective[closure.collective_id].append(closure)
    return {point.pk: by_point[point.pk] + by_collective[point.collective_id] for point in points}


def _new_day(point: PickupPoint, day: date, plan: PlannedDay, now: datetime) -> DistributionDay:
    if plan.closure_reason:
        state = DayState.CANCELLED
    else:
        state = DayState.OPEN if plan.cutoff_at > now else DayState.CLOSED
    return DistributionDay(
        pickup_point=point,
        date=day,
        starts_at=plan.starts_at,
        ends_at=plan.ends_at,
        cutoff_at=plan.cutoff_at,
        state=state,
        cancellation_reason=plan.closure_reason or "",
    )


def _apply_plan(day: DistributionDay, plan: PlannedDay, now, changes: CalendarChanges) -> bool:
    """Bring an existing day in line with its plan; True if it changed."""
    if day.state == DayState.DONE:
        return False
    changed = False
    if (day.starts_at, day.ends_at, day.cutoff_at) != (
        plan.starts_at,
        plan.ends_at,
        plan.cutoff_at,
    ):
        day.starts_at, day.ends_at, day.cutoff_at = plan.starts_at, plan.ends_at, plan.cutoff_at
        changes.moved.append(day.pk)
        changed = True
    if plan.closure_reason and day.state != DayState.CANCELLED:
        day.state, day.cancellation_reason = DayState.CANCELLED, plan.closure_reason
        changes.cancelled.append(day.pk)
        changed = True
    elif not plan.closure_reason and day.state == DayState.CANCELLED:
        day.state = DayState.OPEN if plan.cutoff_at > now else DayState.CLOSED
        day.cancellation_reason = ""
        changes.reopened.append(day.pk)
        changed = True
    return changed


@transaction.atomic
def cancel_distribution_day(
    coordinator, day_id: int, reason: str, now: datetime | None = None
) -> CalendarChanges:
    """A coordinator of the pickup point (or staff) cancels one coming distribution.

    Done through the calendar, which stays the single source: a one-day closure of the point
    with the reason, then the point's calendar made again, which cancels the day and its orders
    as any closure does. Everyone concerned is emailed once the transaction commits. Raises
    ``DistributionDay.DoesNotExist``, or ``DayCancellationRefused`` with a message for the
    coordinator.
    """
    now = now or timezone.now()
    reason = (reason or "").strip()
    day = (
        DistributionDay.objects.select_for_update(of=("self",))
        .select_related("pickup_point")
        .get(pk=day_id)
    )
    point = day.pickup_point
    if not can_cancel_days_of(coordinator, point):
        raise DayCancellationRefused(
            _("Only the coordinators of %(point)s can cancel its distributions.")
            % {"point": point.name}
        )
    if day.state == DayState.CANCELLED:
        raise DayCancellationRefused(_("This distribution is already cancelled."))
    if day.state == DayState.DONE or day.starts_at <= now:
        raise DayCancellationRefused(
            _("This distribution has started or is over: it can no longer be cancelled.")
        )
    if not reason:
        raise DayCancellationRefused(
            _("Say why the distribution is cancelled: the members will read it.")
        )
    Closure.objects.create(
        pickup_point=point,
        start_date=day.date,
        end_date=day.date,
        reason=reason[: Closure._meta.get_field("reason").max_length],
    )
    changes = materialise_distribution_days(now=now, pickup_point_ids=[point.pk])
    if day.pk not in changes.cancelled:  # an inactive point, a day beyond the calendar
        raise DayCancellationRefused(
            _("This distribution could not be cancelled here. Please ask the site's staff.")
        )
    queue_on_commit(
        "deliveries.distribution.tasks.notify_calendar_changes",
        changes.moved,
        changes.cancelled_orders,
        changes.cancelled,
    )
    return changes


def can_cancel_days_of(user, point: PickupPoint) -> bool:
    """Staff, and the pickup point's coordinators."""
    if not user.is_authenticated:
        return False
    return user.is_staff or point.coordinators.filter(pk=user.pk).exists()


def lock_day_open_for_orders(day_id: int, at: datetime | None = None) -> DistributionDay:
    """Lock a distribution day for an order being placed, or say why it cannot be ordered for.

    Called inside the order's transaction: the cut-off task cannot close the day in between.
    ``at`` records an order placed earlier (demo history, imports): the day must have been open
    then, though the cut-off task may have closed it since.
    """
    day = (
        DistributionDay.objects.select_for_update(of=("self",))
        .select_related("pickup_point")
        .filter(pk=day_id)
        .first()
    )
    if day is None or day.state == DayState.CANCELLED:
        raise DayNotOpenForOrders(
            _("This distribution was cancelled. Please choose another distribution day.")
        )
    states = (DayState.OPEN,) if at is None else CHANGEABLE_STATES
    if day.state not in states or day.cutoff_at <= (at or timezone.now()):
        raise DayNotOpenForOrders(
            _("Orders for this distribution are closed. Please choose another distribution day.")
        )
    return day


def record_pickup(order, day: DistributionDay) -> PickupOrder:
    return PickupOrder.objects.create(order=order, distribution_day=day)


@transaction.atomic
def cancel_order_before_cutoff(user, order_number: str):
    """A member cancels their order before the cut-off: lines cancelled, stock given back."""
    from oscar.core.loading import get_model

    order_model = get_model("order", "Order")
    order = (
        order_model.objects.select_for_update(of=("self",))
        .filter(number=order_number, user=user)
        .first()
    )
    if order is None:
        raise order_model.DoesNotExist
    pickup = PickupOrder.objects.select_related("distribution_day").get(order=order)
    if pickup.distribution_day.cutoff_at <= timezone.now():
        raise TooLateToCancel(
            _("Orders for this distribution are closed: it is too late to cancel.")
        )
    if order.status != "cancelled":
        _cancel_order(order)
    return order


def _cancel_order(order) -> None:
    """Cancel an order and its lines, and give its stock back (the caller holds the lock)."""
    lines = list(order.lines.select_related("stockrecord"))
    for line in sorted(lines, key=lambda line: line.stockrecord_id or 0):
        if line.stockrecord is not None:
            line.stockrecord.cancel_allocation(line.quantity)
        line.set_status("cancelled")
    order.set_status("cancelled")


def _cancel_orders_of_days(day_ids: list[int]) -> list[int]:
    """Cancel the orders still standing for days that were just cancelled; their ids."""
    if not day_ids:
        return []
    from oscar.core.loading import get_model

    orders = list(
        get_model("order", "Order")
        .objects.select_for_update(of=("self",))
        .filter(pickup__distribution_day_id__in=day_ids)
        .exclude(status="cancelled")
        .order_by("pk")
    )
    for order in orders:
        _cancel_order(order)
    return [order.pk for order in orders]


@transaction.atomic
def close_days_past_cutoff(now: datetime | None = None) -> list[int]:
    """Close for orders every open distribution day whose cut-off has passed. Idempotent.

    Returns the ids of the days it closed (the packing lists are built for these).
    """
    now = now or timezone.now()
    due = list(
        DistributionDay.objects.select_for_update(skip_locked=True)
        .filter(state=DayState.OPEN, cutoff_at__lte=now)
        .values_list("pk", flat=True)
    )
    DistributionDay.objects.filter(pk__in=due).update(state=DayState.CLOSED)
    return due
