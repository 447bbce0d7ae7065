"""A subscription's season as its payment plan sees it: the deliveries it pays for, what one
costs, when each plan's instalments fall due."""

import calendar
from datetime import date
from decimal import Decimal

from django.db.models import Q

from baskets.models import ContractKind, Subscription
from baskets.services.choices import choice_total, choices_for, unit_prices
from baskets.services.seasons import contract_delivery_dates
from deliveries.network.models import DayState, DistributionDay
from marketplace.payments.models import MONTHLY_INSTALMENTS, PaymentPlan
from marketplace.payments.selectors.terms import offered_plans, terms_of


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, or the month's last day when it has fewer days."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def season_deliveries(subscription: Subscription) -> list[date]:
    """The dates the subscription's baskets come over its whole season: its contract's dates at
    its pickup point that it holds, without the days coordinators cancelled nor those its
    producer could not bring the contract's baskets (baskets.models.BasketsNotBrought)."""
    contract = subscription.contract
    missing = set(
        DistributionDay.objects.filter(
            pickup_point_id=subscription.pickup_point_id,
            date__range=(contract.starts_on, contract.ends_on),
        )
        .filter(Q(state=DayState.CANCELLED) | Q(baskets_not_brought__contract=contract))
        .values_list("date", flat=True)
    )
    return [
        day
        for day in contract_delivery_dates(contract, subscription.pickup_point)
        if day not in missing and subscription.delivers_on(day)
    ]


def price_per_delivery(subscription: Subscription) -> Decimal:
    """What one delivery of the subscription costs, as its baskets are priced when they are made
    (baskets.services.generation): the plan's reference price, or in a variable contract the
    member's usual choice, times the baskets per delivery."""
    contract = subscription.contract
    price = contract.plan.reference_price
    if contract.kind == ContractKind.VARIABLE:
        usual = choices_for([subscription.pk], []).get((subscription.pk, None))
        if usual:
            price = choice_total(usual, unit_prices(usual))
    return price * subscription.quantity


def due_dates(plan: str, deliveries: list[date], today: date) -> list[date]:
    """When each instalment of a plan falls due, never before ``today``: the whole season and
    the first monthly instalment on the first delivery, the next ones a month apart; per
    delivery, on each delivery's date."""
    first = max(deliveries[0], today)
    if plan == PaymentPlan.WHOLE_SEASON:
        return [first]
    if plan == PaymentPlan.PER_DELIVERY:
        return [max(day, today) for day in deliveries]
    return [add_months(first, months) for months in range(MONTHLY_INSTALMENTS[plan])]


def plan_fits(plan: str, deliveries: list[date], today: date) -> bool:
    """Whether a plan's instalments all fall due by the season's last delivery: a producer is
    never still being paid for a season that is over."""
    return bool(deliveries) and due_dates(plan, deliveries, today)[-1] <= max(deliveries[-1], today)


def open_plans(subscription: Subscription, today: date) -> list[PaymentPlan]:
    """The plans the subscription's contract offers that fit what is left of its season."""
    deliveries = season_deliveries(subscription)
    return [
        plan
        for plan in offered_plans(terms_of(subscription.contract))
        if plan_fits(plan, deliveries, today)
    ]
