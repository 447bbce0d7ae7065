"""A contract's season: the dates it delivers at a pickup point."""

from datetime import date

from baskets.models import Contract, PlanFrequency
from deliveries.services import closures_by_point, plan_days


def contract_delivery_dates(contract: Contract, pickup_point) -> list[date]:
    """The dates a contract delivers at a pickup point over its whole season: the point's
    distribution dates between the contract's dates, closures left out, every other one for an
    every-other-day plan. Read from the schedules, so the whole season is known before the
    calendar reaches it."""

    closures = closures_by_point([pickup_point], contract.starts_on, contract.ends_on)
    planned = plan_days(
        pickup_point, closures[pickup_point.pk], contract.starts_on, contract.ends_on
    )
    dates = sorted(day for day, plan in planned.items() if not plan.closure_reason)
    if contract.plan.frequency == PlanFrequency.EVERY_OTHER_DAY:
        dates = dates[::2]
    return dates
