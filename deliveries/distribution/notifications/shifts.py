"""Emails about volunteer shifts: coordinators told of a day short of volunteers, volunteers
reminded of their shift. Each is sent once (``send_once``), then the day or the shift records
it."""

from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db.models import Prefetch
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from baskets.selectors import person_name
from deliveries.distribution.models import VolunteerShift
from deliveries.distribution.selectors.shifts import STAFFED_STATES, unstaffed_day_queryset
from deliveries.network.models import DistributionDay
from marketplace.core.emails import compose
from marketplace.core.sending import send_each_once

ALERT_AHEAD = timedelta(days=3)
REMINDER_AHEAD = timedelta(hours=48)


def alert_coordinators_of_unstaffed_days(now: datetime | None = None) -> int:
    """Email the coordinators of each day starting within three days that still lacks
    volunteers, once per day (the point's contact address when it has no coordinator).
    Returns how many days were alerted."""
    now = now or timezone.now()
    due = list(unstaffed_day_queryset(now, now + ALERT_AHEAD).values_list("pk", flat=True))
    if not due:
        return 0
    days = (
        DistributionDay.objects.filter(pk__in=due, staffing_alert_sent_at__isnull=True)
        .select_related("pickup_point")
        .prefetch_related(_volunteers(), "pickup_point__coordinators")
        .order_by("pk")
    )
    alerts = {}
    for day in days:
        point = day.pickup_point
        volunteers = [shift.volunteer for shift in day.shifts.all() if shift.is_approved]
        if len(volunteers) >= point.volunteers_needed:
            continue  # filled up since the first look
        emails = [c.email for c in point.coordinators.all() if c.email]
        if not emails and point.contact_email:
            emails = [point.contact_email]
        if not emails:
            continue  # nobody to tell yet: a coordinator named later will be
        context = {
            **_day_context(day),
            "volunteer_names": [person_name(volunteer) for volunteer in volunteers],
            "missing": point.volunteers_needed - len(volunteers),
            "page_url": settings.SITE_URL + reverse("deliveries:unstaffed-days"),
        }
        alerts[day.pk] = [_message("staffing_alert", context, email) for email in emails]
    # Once per day, even with two runs at once or a worker dying mid-send; a mail server that
    # fails leaves the days unmarked, and the next run tries again.
    sent = send_each_once({f"staffing-alert:{pk}": messages for pk, messages in alerts.items()})
    DistributionDay.objects.filter(pk__in=alerts, staffing_alert_sent_at=None).update(
        staffing_alert_sent_at=now
    )
    return len(sent)


def remind_volunteers_of_shifts(now: datetime | None = None) -> int:
    """Email each volunteer whose distribution starts within 48 hours, once: when and where,
    the access notes, the point's instructions for volunteers, who else is on shift and the
    pickup list. Returns how many shifts were reminded."""
    now = now or timezone.now()
    shifts = list(
        VolunteerShift.objects.filter(
            reminded_at__isnull=True,
            approved_at__isnull=False,  # a sign-up waiting for approval runs nothing yet
            distribution_day__state__in=STAFFED_STATES,
            distribution_day__starts_at__gt=now,
            distribution_day__starts_at__lte=now + REMINDER_AHEAD,
        )
        .select_related("volunteer", "distribution_day__pickup_point")
        .prefetch_related(
            Prefetch(
                "distribution_day__shifts",
                queryset=VolunteerShift.objects.select_related("volunteer").order_by("pk"),
            )
        )
        .order_by("pk")
    )
    if not shifts:
        return 0
    # Once per shift, even with two runs at once or a worker dying mid-send.
    sent = send_each_once(
        {
            f"shift-reminder:{shift.pk}": [_reminder(shift)] if shift.volunteer.email else []
            for shift in shifts
        }
    )
    VolunteerShift.objects.filter(pk__in=[shift.pk for shift in shifts], reminded_at=None).update(
        reminded_at=now
    )
    return len(sent)


def _reminder(shift: VolunteerShift) -> EmailMultiAlternatives:
    day = shift.distribution_day
    context = {
        **_day_context(day),
        "user": shift.volunteer,
        "other_names": [
            person_name(other.volunteer)
            for other in day.shifts.all()
            if other.volunteer_id != shift.volunteer_id and other.is_approved
        ],
        "pickup_list_url": _pickup_list_url(day),
    }
    return _message("shift_reminder", context, shift.volunteer.email)


def _volunteers() -> Prefetch:
    return Prefetch(
        "shifts", queryset=VolunteerShift.objects.select_related("volunteer").order_by("pk")
    )


def _pickup_list_url(day: DistributionDay) -> str:
    try:
        return settings.SITE_URL + reverse("deliveries:pickup-list", kwargs={"pk": day.pk})
    except NoReverseMatch:  # the pickup list pages are not there yet
        return ""


def _day_context(day: DistributionDay) -> dict:
    return {
        "day": day,
        "point": day.pickup_point,
        "starts_at": timezone.localtime(day.starts_at),
        "ends_at": timezone.localtime(day.ends_at),
        "shop_name": settings.OSCAR_SHOP_NAME,
    }


def _message(template: str, context: dict, email: str) -> EmailMultiAlternatives:
    return compose(f"deliveries/email/{template}", context, [email])
