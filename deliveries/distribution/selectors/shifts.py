"""Volunteer shifts (permanences): members sign up to run a distribution day of their pickup
point, or withdraw, until some hours before it starts; coordinators see the days still short of
volunteers."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from baskets.models import HOLDING_STATES, Subscription
from baskets.selectors import person_name
from deliveries.errors import ShiftRefused
from deliveries.models import DayState, DistributionDay, PickupOrder, PickupPoint, VolunteerShift
from deliveries.names import short_name

# Days that still need volunteers: orders open or closed, neither cancelled nor done.
STAFFED_STATES = (DayState.OPEN, DayState.CLOSED)
COMING_WEEKS = 4
UNSTAFFED_DAYS_AHEAD = 7


def member_points(member, now: datetime | None = None) -> QuerySet[PickupPoint]:
    """The pickup points a person belongs to: where they hold a basket subscription (or share
    one), have an order still to collect, are a regular volunteer or a coordinator. One query
    when evaluated, or a subquery of another."""
    now = now or timezone.now()
    subscribed = Subscription.objects.filter(
        Q(member=member) | Q(co_holder=member), state__in=HOLDING_STATES
    ).values("pickup_point_id")
    collecting = (
        PickupOrder.objects.filter(order__user=member, distribution_day__ends_at__gt=now)
        .exclude(order__status="cancelled")
        .values("distribution_day__pickup_point_id")
    )
    return PickupPoint.objects.filter(
        Q(pk__in=subscribed)
        | Q(pk__in=collecting)
        | Q(pk__in=PickupPoint.objects.filter(volunteers=member).values("pk"))
        | Q(pk__in=PickupPoint.objects.filter(coordinators=member).values("pk"))
    )


def is_member_of(member, point_id: int, now: datetime | None = None) -> bool:
    return member_points(member, now).filter(pk=point_id).exists()


def coordinates_any_point(user) -> bool:
    """Whether the user may see the days lacking volunteers: staff, or a point's coordinator."""
    return user.is_staff or PickupPoint.objects.filter(coordinators=user).exists()


def shift_deadline(day: DistributionDay) -> datetime:
    """Until when volunteers sign up for this day or withdraw."""
    return day.starts_at - timedelta(hours=day.pickup_point.shift_changes_close_hours)


def _lock_day(day_id: int) -> DistributionDay:
    """The day, its row locked until the transaction ends: sign-ups for it queue up, so that
    two members never take its last slot. Raises DistributionDay.DoesNotExist."""
    return (
        DistributionDay.objects.select_for_update(of=("self",))
        .select_related("pickup_point")
        .get(pk=day_id)
    )


def _check_before_deadline(day: DistributionDay, now: datetime) -> None:
    if now >= shift_deadline(day):
        hours = day.pickup_point.shift_changes_close_hours
        raise ShiftRefused(
            ngettext(
                "Too late for this distribution: volunteers sign up or withdraw until "
                "%(hours)s hour before it starts.",
                "Too late for this distribution: volunteers sign up or withdraw until "
                "%(hours)s hours before it starts.",
                hours,
            )
            % {"hours": hours}
        )


@transaction.atomic
def sign_up_for_shift(member, day_id: int, now: datetime | None = None) -> VolunteerShift:
    """A member of the day's pickup point takes one of its volunteer slots."""
    now = now or timezone.now()
    day = _lock_day(day_id)
    point = day.pickup_point
    if not is_member_of(member, point.pk, now):
        raise ShiftRefused(
            _("Only members of %(point)s can sign up for its volunteer shifts.")
            % {"point": point.name}
        )
    if day.state not in STAFFED_STATES or day.starts_at <= now or not point.is_active:
        raise ShiftRefused(_("This distribution is cancelled or over: it needs no volunteers."))
    _check_before_deadline(day, now)
    volunteer_ids = list(
        VolunteerShift.objects.filter(distribution_day=day).values_list("volunteer_id", flat=True)
    )
    if member.pk in volunteer_ids:
        raise ShiftRefused(_("You are already signed up for this distribution."))
    if len(volunteer_ids) >= point.volunteers_needed:
        raise ShiftRefused(_("Every volunteer slot of this distribution is taken."))
    return VolunteerShift.objects.create(distribution_day=day, volunteer=member)


@transaction.atomic
def withdraw_from_shift(member, day_id: int, now: datetime | None = None) -> DistributionDay:
    """A volunteer gives their slot back, until the deadline (any time if the day is
    cancelled)."""
    now = now or timezone.now()
    day = _lock_day(day_id)
    shift = VolunteerShift.objects.filter(distribution_day=day, volunteer=member).first()
    if shift is None:
        raise ShiftRefused(_("You are not signed up for this distribution."))
    if day.state != DayState.CANCELLED:
        _check_before_deadline(day, now)
    shift.delete()
    return day


@dataclass
class ShiftDay:
    """A distribution day as volunteers see it: who runs it and how many more it needs."""

    day: DistributionDay
    volunteers: list = field(default_factory=list)
    volunteer_names: list[str] = field(default_factory=list)
    deadline: datetime | None = None
    is_signed_up: bool = False
    can_change: bool = False

    @property
    def named_volunteers(self) -> list[tuple[str, object]]:
        return list(zip(self.volunteer_names, self.volunteers, strict=True))

    @property
    def volunteers_needed(self) -> int:
        return self.day.pickup_point.volunteers_needed

    @property
    def slots_left(self) -> int:
        return max(self.volunteers_needed - len(self.volunteers), 0)

    @property
    def can_sign_up(self) -> bool:
        return self.can_change and not self.is_signed_up and self.slots_left > 0

    @property
    def can_withdraw(self) -> bool:
        return self.can_change and self.is_signed_up


def _shifts_with_volunteers() -> Prefetch:
    return Prefetch(
        "shifts",
        queryset=VolunteerShift.objects.select_related("volunteer").order_by("created_at", "pk"),
    )


def _shift_day(day: DistributionDay, user, now: datetime, full_names: bool) -> ShiftDay:
    volunteers = [shift.volunteer for shift in day.shifts.all()]
    names = [person_name(volunteer) for volunteer in volunteers]
    if not full_names and day.pickup_point.abbreviate_names:
        names = [short_name(name) for name in names]
    deadline = shift_deadline(day)
    return ShiftDay(
        day=day,
        volunteers=volunteers,
        volunteer_names=names,
        deadline=deadline,
        is_signed_up=any(volunteer.pk == user.pk for volunteer in volunteers),
        can_change=day.state in STAFFED_STATES and now < deadline,
    )


def coming_shift_days(
    member, weeks: int = COMING_WEEKS, now: datetime | None = None
) -> list[ShiftDay]:
    """The coming distribution days at the member's pickup points (and any day they are signed
    up for), with who is signed up and the slots left. Two queries."""
    now = now or timezone.now()
    days = (
        DistributionDay.objects.filter(
            Q(pickup_point__in=member_points(member, now), pickup_point__is_active=True)
            | Q(pk__in=VolunteerShift.objects.filter(volunteer=member).values("distribution_day")),
            state__in=STAFFED_STATES,
            starts_at__gt=now,
            starts_at__lte=now + timedelta(weeks=weeks),
        )
        .select_related("pickup_point")
        .prefetch_related(_shifts_with_volunteers())
        .order_by("starts_at", "pickup_point__name")
    )
    return [_shift_day(day, member, now, full_names=False) for day in days]


@dataclass
class MemberShifts:
    coming: list[VolunteerShift]
    past: list[VolunteerShift]


def member_shifts(member, now: datetime | None = None) -> MemberShifts:
    """The member's shifts: coming ones soonest first, past ones latest first. One query."""
    now = now or timezone.now()
    shifts = list(
        VolunteerShift.objects.filter(volunteer=member)
        .select_related("distribution_day__pickup_point")
        .order_by("distribution_day__starts_at", "pk")
    )
    return MemberShifts(
        coming=[shift for shift in shifts if shift.distribution_day.ends_at > now],
        past=[shift for shift in reversed(shifts) if shift.distribution_day.ends_at <= now],
    )


def unstaffed_days(
    coordinator, days_ahead: int = UNSTAFFED_DAYS_AHEAD, now: datetime | None = None
) -> list[ShiftDay]:
    """The coming days, at the points the coordinator runs (every point for staff), with fewer
    volunteers than the point needs; who is signed up, by full name. Two queries."""
    now = now or timezone.now()
    days = (
        unstaffed_day_queryset(now, now + timedelta(days=days_ahead))
        .select_related("pickup_point")
        .prefetch_related(_shifts_with_volunteers())
        .order_by("starts_at", "pickup_point__name")
    )
    if not coordinator.is_staff:
        days = days.filter(
            pickup_point__in=PickupPoint.objects.filter(coordinators=coordinator).values("pk")
        )
    return [_shift_day(day, coordinator, now, full_names=True) for day in days]


def unstaffed_day_queryset(after: datetime, until: datetime) -> QuerySet[DistributionDay]:
    """Days starting between two moments, at active points, with volunteer slots left."""
    return (
        DistributionDay.objects.filter(
            state__in=STAFFED_STATES,
            pickup_point__is_active=True,
            starts_at__gt=after,
            starts_at__lte=until,
        )
        .annotate(shift_count=Count("shifts"))
        .filter(shift_count__lt=F("pickup_point__volunteers_needed"))
    )
