"""A fund's review periods, and the rate in force on a day as its reviews decided it.

Periods. A fund's periods run every ``review_days`` from its anchor, the (Paris) date it was
created: anchor, anchor + review_days, ... The period a review decides is the latest one
starting on or before ``today + notice_days``: run on time (every day, by beat), a review is
made and announced exactly ``notice_days`` before its period starts, and its rate applies from
that start (``RateReview.applies_from``, today + notice_days). With the defaults (7 and 7) it
is the period starting after today. A period is reviewed once; one that starts no later than
a period already reviewed (``review_days`` shortened since) is not reviewed.

The rate. ``Fund.rate`` is the rate of the latest review, the one the next review moves from
(at most one step); it is in force from that review's ``applies_from``. Until then, and on any
day, ``rate_in_force`` reads the reviews: the latest applied by that day, else the rate before
the first review, else the fund's rate; always within the fund's present bounds (a coordinator
narrowing them brings the rate in force within them at once, as ``change_fund_settings`` does).
"""

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from marketplace.solidarity.models import Fund, RateReview


def period_anchor(fund: Fund) -> date:
    return timezone.localdate(fund.created_at)


def review_period(fund: Fund, today: date) -> tuple[date, date]:
    """The period the review run on ``today`` decides: its first day and the day after its last
    (see the module's docstring). No query."""
    anchor, days = period_anchor(fund), fund.review_days
    start = anchor + timedelta(
        days=(today + timedelta(days=fund.notice_days) - anchor).days // days * days
    )
    return start, start + timedelta(days=days)


def within_bounds(fund: Fund, rate: Decimal) -> Decimal:
    return min(max(rate, fund.rate_min), fund.rate_max)


def rate_in_force(fund: Fund, day: date) -> Decimal:
    """The reduced rate (percent) members pay on ``day``. One query, two before the first
    review applies."""
    reviews = RateReview.objects.filter(fund=fund)
    rate = (
        reviews.filter(applies_from__lte=day)
        .order_by("-applies_from", "-period_start")
        .values_list("rate_after", flat=True)
        .first()
    )
    if rate is None:
        rate = (
            reviews.order_by("applies_from", "period_start")
            .values_list("rate_before", flat=True)
            .first()
        )
    return within_bounds(fund, fund.rate if rate is None else rate)


def announced_review(fund: Fund, today: date) -> RateReview | None:
    """The latest review whose rate is not yet in force on ``today`` and differs from the
    rate before it: the next rate, announced. One query."""
    return (
        RateReview.objects.filter(fund=fund, applies_from__gt=today, announced_at__isnull=False)
        .order_by("-applies_from", "-period_start")
        .first()
    )
