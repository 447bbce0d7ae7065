"""What a fund's page shows its coordinators, read in a fixed number of queries however long its
ledger, its reviews or its list of requests."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from marketplace.solidarity.models import Fund, RateReview
from marketplace.solidarity.selectors.funds import entries_by_kind
from marketplace.solidarity.selectors.history import (
    balance_history,
    latest_reviews,
    pickup_point_names,
    recent_entries,
)
from marketplace.solidarity.selectors.reviews import announced_review, rate_in_force
from marketplace.solidarity.selectors.staples import eligible_count
from marketplace.solidarity.selectors.tiers import pending_requests_for
from marketplace.solidarity.views.fund_chart import balance_chart

ENTRIES_SHOWN = 30
REVIEWS_SHOWN = 20

# What a review read, in the order its summary gives it: amounts, then counts of baskets.
REVIEW_AMOUNTS = (
    ("balance", _("balance")),
    ("reserve", _("reserve")),
    ("reduced_commitments", _("reference prices of the reduced-tier baskets")),
    ("expected_contributions", _("supporters' contributions expected")),
    ("reductions", _("reductions at the new rate")),
    ("projected_balance", _("projected balance")),
)
REVIEW_COUNTS = (
    ("reduced_deliveries", _("reduced-tier baskets")),
    ("supporter_deliveries", _("supporter baskets")),
)


def year_before(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


@dataclass(frozen=True)
class ReviewRow:
    review: RateReview
    last_day: date
    amounts: list[tuple[str, Decimal]]
    counts: list[tuple[str, int]]


def review_row(review: RateReview, review_days: int) -> ReviewRow:
    inputs = review.inputs or {}
    try:
        last_day = date.fromisoformat(inputs["period_end"]) - timedelta(days=1)
    except (KeyError, TypeError, ValueError):
        last_day = review.period_start + timedelta(days=review_days - 1)
    amounts = []
    for key, label in REVIEW_AMOUNTS:
        try:
            amounts.append((label, Decimal(str(inputs[key]))))
        except (KeyError, InvalidOperation):
            continue
    counts = [
        (label, inputs[key]) for key, label in REVIEW_COUNTS if isinstance(inputs.get(key), int)
    ]
    return ReviewRow(review, last_day, amounts, counts)


def render_fund_page(request, fund: Fund, entry_form, transparency_url, *, status: int = 200):
    today = timezone.localdate()
    start = year_before(today)
    points = balance_history(fund, start, today)
    balance = points[-1].balance
    totals = list(entries_by_kind(fund, start, today + timedelta(days=1)).values())
    reviews, reviews_count = latest_reviews(fund, REVIEWS_SHOWN)
    context = {
        "fund": fund,
        "point_names": pickup_point_names(fund),
        "today": today,
        "start": start,
        "balance": balance,
        "is_below_reserve": balance < fund.reserve,
        "rate": rate_in_force(fund, today),
        "announced": announced_review(fund, today),
        "chart": balance_chart(points, fund.reserve),
        "totals": totals,
        "totals_sum": sum((total.amount for total in totals), start=Decimal("0.00")),
        "reviews": [review_row(review, fund.review_days) for review in reviews],
        "reviews_count": reviews_count,
        "requests": list(pending_requests_for(request.user).filter(fund=fund)),
        "entries": recent_entries(fund, ENTRIES_SHOWN),
        "entries_shown": ENTRIES_SHOWN,
        "entry_form": entry_form,
        "transparency_url": transparency_url,
        "eligible_count": eligible_count(fund),
    }
    return render(request, "solidarity/fund.html", context, status=status)
