"""The basket tests' calendar: Monday 23 November 2026, pickup points open on Tuesdays."""

import datetime as dt

from django.utils import timezone

from deliveries.models import DistributionDay
from deliveries.services import materialise_distribution_days
from tests.factories import ScheduleFactory

PARIS_NOW = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)


def tuesdays(point):
    """The point distributes on Tuesdays at 18:00; its calendar is made as of ``PARIS_NOW``."""
    ScheduleFactory(pickup_point=point, weekday=1, valid_from=dt.date(2026, 1, 1))
    materialise_distribution_days(now=PARIS_NOW, pickup_point_ids=[point.pk])
    return point


def first_changeable_day(point, hours: int = 48):
    """The point's first distribution day still more than ``hours`` away (real clock)."""
    return (
        DistributionDay.objects.filter(
            pickup_point=point, starts_at__gt=timezone.now() + dt.timedelta(hours=hours + 1)
        )
        .order_by("starts_at")
        .first()
    )
