"""The fund's rate review, as beat runs it each day: for the period due (``selectors.reviews``),
the figures read from the database, the rate decided by ``marketplace.solidarity.rates``, the
review recorded, the fund updated and everyone concerned told.

A review is recorded once per fund and period: running it again for the same period changes
nothing and returns the review already made. ``Fund.rate`` becomes the rate decided (the one the
next review moves from); members pay it from the review's ``applies_from``
(``selectors.reviews.rate_in_force``). When even the lowest rate would break the reserve, the
fund closes to new reduced-tier requests (they wait) and its coordinators are alerted; when a
review finds the lowest rate holds again, the fund reopens and its waiting list moves on.
"""

import logging
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation

from marketplace.core.tasks import queue_on_commit
from marketplace.solidarity.a_la_carte import forget_member_prices
from marketplace.solidarity.models import Fund, RateReview
from marketplace.solidarity.rates import ReviewInputs, ReviewResult, review
from marketplace.solidarity.selectors.commitments import period_commitments
from marketplace.solidarity.selectors.funds import fund_balance
from marketplace.solidarity.selectors.reviews import review_period
from marketplace.solidarity.services.tiers import release_waiting_requests

logger = logging.getLogger(__name__)
CENT = Decimal("0.01")


def review_fund(
    fund_id: int, *, today: date | None = None, now: datetime | None = None
) -> RateReview | None:
    """Review the fund for the period due on ``today``, in one transaction. Returns the review
    of that period (the one already made, if any), or None when there is nothing to review (no
    such fund, or a later period already reviewed)."""
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    with transaction.atomic():
        fund = Fund.objects.select_for_update().filter(pk=fund_id).first()
        if fund is None:
            return None
        start, end = review_period(fund, today)
        latest = RateReview.objects.filter(fund=fund).order_by("-period_start").first()
        if latest is not None and latest.period_start >= start:
            return latest if latest.period_start == start else None
        commitments = period_commitments(fund, start, end)
        inputs = ReviewInputs(
            balance=fund_balance(fund, today).quantize(CENT),
            reserve=fund.reserve,
            current_rate=fund.rate,
            rate_min=fund.rate_min,
            rate_max=fund.rate_max,
            rate_step=fund.rate_step,
            expected_contributions=commitments.contributions.quantize(CENT),
            reduced_commitments=commitments.reduced.quantize(CENT),
        )
        result = review(inputs)
        recorded = _record(fund, start, end, today, now, result, commitments.as_json())
        fund.rate = result.rate_after
        fund.open_to_requests = result.open_to_requests
        fund.save(update_fields=["rate", "open_to_requests"])
        if recorded.rate_after != recorded.rate_before:
            forget_member_prices()  # a rate applying today reaches the shop's prices at once
        moved = release_waiting_requests(fund, now=now) if result.open_to_requests else []
        if recorded.announced_at or not result.open_to_requests:
            queue_on_commit("marketplace.solidarity.tasks.announce_rate_review", recorded.pk)
        if moved:
            queue_on_commit("marketplace.solidarity.tasks.tell_requests_moved_on", moved)
    return recorded


def _record(
    fund: Fund, start: date, end: date, today: date, now, result: ReviewResult, counts: dict
) -> RateReview:
    with translation.override(settings.LANGUAGE_CODE):
        explanation = result.explanation
    changes = result.rate_after != result.rate_before
    return RateReview.objects.create(
        fund=fund,
        period_start=start,
        inputs={
            **result.inputs.as_json(),
            **counts,
            "balance_on": today.isoformat(),
            "period_end": end.isoformat(),  # the day after the period's last
            "reason": result.reason.value,
            "projected_balance": str(result.projected_balance),
            "reductions": str(result.reductions),
            "holds_reserve": result.holds_reserve,
            "brought_into_bounds": result.brought_into_bounds,
        },
        rate_before=result.rate_before,
        rate_after=result.rate_after,
        reason=explanation,
        applies_from=today + timedelta(days=fund.notice_days),
        announced_at=now if changes else None,
        open_to_requests_after=result.open_to_requests,
        created_at=now,
    )


def funds_due(today: date) -> list[int]:
    """The funds whose period due on ``today`` is not reviewed yet. Two queries."""
    funds = list(Fund.objects.order_by("pk"))
    latest = dict(
        RateReview.objects.filter(fund__in=funds)
        .order_by("fund_id", "period_start")
        .values_list("fund_id", "period_start")
    )
    due = []
    for fund in funds:
        start, _end = review_period(fund, today)
        if latest.get(fund.pk) is None or latest[fund.pk] < start:
            due.append(fund.pk)
    return due


def review_due_funds(*, today: date | None = None, now: datetime | None = None) -> int:
    """Review every fund whose period is due, each in its own transaction: one fund that fails
    (logged) leaves the others reviewed, and is tried again on the next run. Returns how many
    funds were reviewed."""
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    reviewed = 0
    for fund_id in funds_due(today):
        try:
            reviewed += review_fund(fund_id, today=today, now=now) is not None
        except Exception:
            logger.exception(
                "The rate review of fund %s failed; tried again on the next run.", fund_id
            )
    return reviewed
