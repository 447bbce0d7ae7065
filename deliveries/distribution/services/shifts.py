"""Volunteer shifts (permanences): members sign up to run a distribution day of their pickup
point, or withdraw, until some hours before it starts."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from deliveries.distribution.errors import ShiftRefused
from deliveries.distribution.models import VolunteerShift
from deliveries.distribution.selectors.shifts import (
    STAFFED_STATES,
    is_member_of,
    shift_deadline,
    volunteering_points,
)
from deliveries.network.models import DayState, DistributionDay, PickupPoint, VolunteerSignUp


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


def _is_trusted(member, point: PickupPoint) -> bool:
    """The point's coordinators and the regular volunteers they listed need no approval."""
    return (
        point.coordinators.filter(pk=member.pk).exists()
        or point.volunteers.filter(pk=member.pk).exists()
    )


@transaction.atomic
def sign_up_for_shift(member, day_id: int, now: datetime | None = None) -> VolunteerShift:
    """A member of the day's pickup point takes one of its volunteer slots. Where the point's
    coordinators approve each volunteer, the sign-up waits for their approval (and grants no
    pickup list until then); anyone collecting an order there may ask."""
    now = now or timezone.now()
    day = _lock_day(day_id)
    point = day.pickup_point
    needs_approval = point.volunteer_sign_up == VolunteerSignUp.APPROVAL
    if not volunteering_points(member, now).filter(pk=point.pk).exists() or (
        not needs_approval and not is_member_of(member, point.pk, now)
    ):
        raise ShiftRefused(
            _("Only members of %(point)s can sign up for its volunteer shifts.")
            % {"point": point.name}
        )
    if day.state not in STAFFED_STATES or day.starts_at <= now or not point.is_active:
        raise ShiftRefused(_("This distribution is cancelled or over: it needs no volunteers."))
    _check_before_deadline(day, now)
    shifts = list(VolunteerShift.objects.filter(distribution_day=day))
    if member.pk in {shift.volunteer_id for shift in shifts}:
        raise ShiftRefused(_("You are already signed up for this distribution."))
    if sum(shift.is_approved for shift in shifts) >= point.volunteers_needed:
        raise ShiftRefused(_("Every volunteer slot of this distribution is taken."))
    approved = not needs_approval or _is_trusted(member, point)
    return VolunteerShift.objects.create(
        distribution_day=day, volunteer=member, approved_at=now if approved else None
    )


def _coordinated_shift(coordinator, shift_id: int) -> tuple[VolunteerShift, DistributionDay]:
    shift = VolunteerShift.objects.filter(pk=shift_id).first()
    if shift is None:
        raise ShiftRefused(_("This sign-up was withdrawn."))
    day = _lock_day(shift.distribution_day_id)
    if not (
        coordinator.is_staff or day.pickup_point.coordinators.filter(pk=coordinator.pk).exists()
    ):
        raise ShiftRefused(_("You do not coordinate this pickup point."))
    shift = VolunteerShift.objects.filter(pk=shift_id).select_related("volunteer").first()
    if shift is None:
        raise ShiftRefused(_("This sign-up was withdrawn."))
    return shift, day


@transaction.atomic
def approve_shift(coordinator, shift_id: int, now: datetime | None = None) -> VolunteerShift:
    """A coordinator of the point says yes to a sign-up waiting: the volunteer runs the day and
    reads its pickup list."""
    now = now or timezone.now()
    shift, day = _coordinated_shift(coordinator, shift_id)
    if shift.is_approved:
        raise ShiftRefused(_("This volunteer is already approved."))
    if day.state not in STAFFED_STATES or day.starts_at <= now:
        raise ShiftRefused(_("This distribution is cancelled or over: it needs no volunteers."))
    approved = VolunteerShift.objects.filter(distribution_day=day, approved_at__isnull=False)
    if approved.count() >= day.pickup_point.volunteers_needed:
        raise ShiftRefused(_("Every volunteer slot of this distribution is taken."))
    shift.approved_at, shift.approved_by = now, coordinator
    shift.save(update_fields=["approved_at", "approved_by"])
    return shift


@transaction.atomic
def refuse_shift(coordinator, shift_id: int) -> VolunteerShift:
    """A coordinator of the point says no to a sign-up waiting: it goes."""
    shift, _day = _coordinated_shift(coordinator, shift_id)
    if shift.is_approved:
        raise ShiftRefused(_("This volunteer is already approved."))
    shift.delete()
    return shift


@transaction.atomic
def withdraw_from_shift(member, day_id: int, now: datetime | None = None) -> DistributionDay:
    """A volunteer gives their slot back, until the deadline (any time if the day is
    cancelled)."""
    now = now or timezone.now()
    day = _lock_day(day_id)
    shift = VolunteerShift.objects.filter(distribution_day=day, volunteer=member).first()
    if shift is None:
        raise ShiftRefused(_("You are not signed up for this distribution."))
    # A sign-up still waiting for approval commits to nothing: it goes at any time.
    if day.state != DayState.CANCELLED and shift.is_approved:
        _check_before_deadline(day, now)
    shift.delete()
    return day


def forget_released_shifts(sender, day_ids: list[int], **kwargs) -> None:
    """A cancelled day is back: the volunteers it released were told they need not come, so
    their shifts go, and the coordinators hear again of missing volunteers. Connected to the
    network's ``days_reinstated`` (deliveries/apps.py), in the same transaction."""
    VolunteerShift.objects.filter(
        distribution_day_id__in=day_ids, released_at__isnull=False
    ).delete()
