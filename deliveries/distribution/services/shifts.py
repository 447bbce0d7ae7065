"""Volunteer shifts (permanences): members sign up to run a distribution day of their pickup
point, or withdraw, until some hours before it starts."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from deliveries.distribution.errors import ShiftRefused
from deliveries.distribution.models import VolunteerShift
from deliveries.distribution.selectors.shifts import STAFFED_STATES, is_member_of, shift_deadline
from deliveries.network.models import DayState, DistributionDay


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


def forget_released_shifts(sender, day_ids: list[int], **kwargs) -> None:
    """A cancelled day is back: the volunteers it released were told they need not come, so
    their shifts go, and the coordinators hear again of missing volunteers. Connected to the
    network's ``days_reinstated`` (deliveries/apps.py), in the same transaction."""
    VolunteerShift.objects.filter(
        distribution_day_id__in=day_ids, released_at__isnull=False
    ).delete()
