"""A contract's season: the dates it delivers at a pickup point, and whose turn each one is
when two households alternate."""

from datetime import date

from baskets.models import Contract, PlanFrequency
from deliveries.network.models import DayState, DistributionDay
from deliveries.network.services import PlannedDay, closures_by_point, plan_days


def contract_delivery_dates(contract: Contract, pickup_point) -> list[date]:
    """The dates a contract delivers at a pickup point over its whole season: the point's
    distribution dates between the contract's dates, closures left out, every other one for an
    every-other-day plan. Read from the schedules, so the whole season is known before the
    calendar reaches it."""

    closures = closures_by_point([pickup_point], contract.starts_on, contract.ends_on)
    planned = plan_days(
        pickup_point, closures[pickup_point.pk], contract.starts_on, contract.ends_on
    )
    return _season_dates(contract, planned)


def _season_dates(contract: Contract, planned: dict[date, PlannedDay]) -> list[date]:
    dates = sorted(
        day
        for day, plan in planned.items()
        if not plan.closure_reason and contract.starts_on <= day <= contract.ends_on
    )
    if contract.plan.frequency == PlanFrequency.EVERY_OTHER_DAY:
        dates = dates[::2]
    return dates


def season_turns(contracts, pickup_point) -> dict[int, dict[date, int]]:
    """For each contract at a pickup point, the position in its season of each of its
    deliveries that takes place there: 0 for the first, 1 for the second...

    Households that alternate take turns by this position (the holder the even ones, the
    co-holder the odd ones). A distribution that does not take place (a closure, a day the
    coordinators cancelled) has no position, so it takes nobody's turn; a basket skipped or
    given away keeps its position: it was its household's turn. Three queries whatever the
    number of contracts (the contracts' plans are expected to be loaded)."""
    contracts = list(contracts)
    if not contracts:
        return {}
    first = min(contract.starts_on for contract in contracts)
    last = max(contract.ends_on for contract in contracts)
    closures = closures_by_point([pickup_point], first, last)[pickup_point.pk]
    planned = plan_days(pickup_point, closures, first, last)
    cancelled = set(
        DistributionDay.objects.filter(
            pickup_point=pickup_point, state=DayState.CANCELLED, date__range=(first, last)
        ).values_list("date", flat=True)
    )
    return {
        contract.pk: {
            day: position
            for position, day in enumerate(
                day for day in _season_dates(contract, planned) if day not in cancelled
            )
        }
        for contract in contracts
    }


def is_co_holders_turn(turns: dict[date, int], day: date) -> bool:
    """Whether a delivery of an alternating subscription is the co-holder's (the holder takes
    the first of the season)."""
    return turns.get(day, 0) % 2 == 1
