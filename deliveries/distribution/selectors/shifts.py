"""Volunteer shifts (permanences), as people see them: the coming days of a member's pickup
points with their free slots, a member's own shifts, the days still short of volunteers.
Signing up and withdrawing are in deliveries.distribution.services.shifts."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from baskets.models import HOLDING_STATES, Subscription
from baskets.selectors import person_name
from deliveries.distribution.models import VolunteerShift
from deliveries.distribution.names import short_name
from deliveries.network.models import (
    DayState,
    DistributionDay,
    PickupOrder,
    PickupPoint,
    VolunteerSignUp,
)

# Days that still need volunteers: orders open or closed, neither cancelled nor done.
STAFFED_STATES = (DayState.OPEN, DayState.CLOSED)
COMING_WEEKS = 4
UNSTAFFED_DAYS_AHEAD = 7


def member_points(member, now: datetime | None = None) -> QuerySet[PickupPoint]:
    """The pickup points a person belongs to: where they hold a basket subscription (or share
    one), are a regular volunteer or a coordinator. An order is not membership: anyone can
    place one. One query when evaluated, or a subquery of another."""
    subscribed = Subscription.objects.filter(
        Q(member=member) | Q(co_holder=member), state__in=HOLDING_STATES
    ).values("pickup_point_id")
    return PickupPoint.objects.filter(
        Q(pk__in=subscribed)
        | Q(pk__in=PickupPoint.objects.filter(volunteers=member).values("pk"))
        | Q(pk__in=PickupPoint.objects.filter(coordinators=member).values("pk"))
    )


def is_member_of(member, point_id: int, now: datetime | None = None) -> bool:
    return member_points(member, now).filter(pk=point_id).exists()


def volunteering_points(member, now: datetime | None = None) -> QuerySet[PickupPoint]:
    """Where a person may offer to volunteer: their own points, and the points whose
    coordinators approve each volunteer where they have an order to collect."""
    now = now or timezone.now()
    collecting = (
        PickupOrder.objects.filter(order__user=member, distribution_day__ends_at__gt=now)
        .exclude(order__status="cancelled")
        .values("distribution_day__pickup_point_id")
    )
    return PickupPoint.objects.filter(
        Q(pk__in=member_points(member, now).values("pk"))
        | Q(pk__in=collecting, volunteer_sign_up=VolunteerSignUp.APPROVAL)
    )


def approved_shifts() -> QuerySet[VolunteerShift]:
    return VolunteerShift.objects.filter(approved_at__isnull=False)


def coordinates_any_point(user) -> bool:
    """Whether the user may see the days lacking volunteers: staff, or a point's coordinator."""
    return user.is_staff or PickupPoint.objects.filter(coordinators=user).exists()


def shift_deadline(day: DistributionDay) -> datetime:
    """Until when volunteers sign up for this day or withdraw."""
    return day.starts_at - timedelta(hours=day.pickup_point.shift_changes_close_hours)


@dataclass
class ShiftDay:
    """A distribution day as volunteers see it: who runs it and how many more it needs."""

    day: DistributionDay
    volunteers: list = field(default_factory=list)
    volunteer_names: list[str] = field(default_factory=list)
    deadline: datetime | None = None
    is_signed_up: bool = False
    is_pending: bool = False  # signed up, waiting for a coordinator's approval
    can_change: bool = False
    pending: list = field(default_factory=list)  # sign-ups waiting (shifts), for coordinators

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
    shifts = list(day.shifts.all())
    volunteers = [shift.volunteer for shift in shifts if shift.is_approved]
    pending = [shift for shift in shifts if not shift.is_approved]
    names = [person_name(volunteer) for volunteer in volunteers]
    if not full_names and day.pickup_point.abbreviate_names:
        names = [short_name(name) for name in names]
    deadline = shift_deadline(day)
    return ShiftDay(
        day=day,
        volunteers=volunteers,
        volunteer_names=names,
        deadline=deadline,
        is_signed_up=any(shift.volunteer_id == user.pk for shift in shifts),
        is_pending=any(shift.volunteer_id == user.pk for shift in pending),
        can_change=day.state in STAFFED_STATES and now < deadline,
        pending=pending,
    )


def coming_shift_days(
    member, weeks: int = COMING_WEEKS, now: datetime | None = None
) -> list[ShiftDay]:
    """The coming distribution days at the member's pickup points (and any day they are signed
    up for), with who is signed up and the slots left. Two queries."""
    now = now or timezone.now()
    days = (
        DistributionDay.objects.filter(
            Q(pickup_point__in=volunteering_points(member, now), pickup_point__is_active=True)
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
    volunteers than the point needs or sign-ups waiting for approval; who is signed up, by full
    name. Two queries."""
    now = now or timezone.now()
    until = now + timedelta(days=days_ahead)
    waiting = VolunteerShift.objects.filter(
        distribution_day_id=OuterRef("pk"), approved_at__isnull=True
    )
    days = (
        DistributionDay.objects.filter(
            Q(pk__in=unstaffed_day_queryset(now, until).values("pk"))
            | Q(Exists(waiting), state__in=STAFFED_STATES, starts_at__gt=now, starts_at__lte=until)
        )
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
        .annotate(shift_count=Count("shifts", filter=Q(shifts__approved_at__isnull=False)))
        .filter(shift_count__lt=F("pickup_point__volunteers_needed"))
    )
