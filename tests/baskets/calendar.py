"""The basket tests' calendar: Monday 23 November 2026, pickup points open on Tuesdays.

Their dates are written out, so each module pins the clock there: ``pytest.mark.now(PARIS_NOW)``.
"""

import datetime as dt

from django.utils import timezone

from deliveries.models import DistributionDay
from deliveries.network.services import materialise_distribution_days
from tests.clock import PARIS
from tests.factories import ScheduleFactory

PARIS_NOW = dt.datetime(2026, 11, 23, 10, 0, tzinfo=PARIS)


def tuesdays(point):
    """The point distributes on Tuesdays at 18:00; its calendar is made as of ``PARIS_NOW``."""
    ScheduleFactory(pickup_point=point, weekday=1, valid_from=dt.date(2026, 1, 1))
    materialise_distribution_days(now=PARIS_NOW, pickup_point_ids=[point.pk])
    return point


def first_changeable_day(point, hours: int = 48):
    """The point's first distribution day still more than ``hours`` away from now."""
    return (
        DistributionDay.objects.filter(
            pickup_point=point, starts_at__gt=timezone.now() + dt.timedelta(hours=hours + 1)
        )
        .order_by("starts_at")
        .first()
    )


SIGN_UP_DAY = dt.date(2026, 11, 23)
DEC_1, DEC_8, DEC_15, DEC_22 = (dt.date(2026, 12, d) for d in (1, 8, 15, 22))


def season(point, **kwargs):
    """A contract at the point on Tuesdays from 1 December 2026 to 23 February 2027, sign-up
    from 1 November to 15 December."""
    from tests.factories import contract_at

    defaults = {
        "starts_on": DEC_1,
        "ends_on": dt.date(2027, 2, 23),
        "signup_opens_on": dt.date(2026, 11, 1),
        "signup_closes_on": dt.date(2026, 12, 15),
    }
    return contract_at(point, **{**defaults, **kwargs})
