"""Basket deliveries made ahead of each distribution day by the beat task."""

from datetime import date

from django.db import transaction

from baskets.models import (
    HOLDING_STATES,
    Absence,
    BasketDelivery,
    BasketTransfer,
    ContractKind,
    ContractPickupPoint,
    DeliveryStatus,
    PlanFrequency,
    Subscription,
)
from baskets.services.choices import choice_of, choice_total, choices_for, unit_prices
from baskets.services.seasons import contract_delivery_dates
from deliveries.network.models import DayState, DistributionDay

GENERATION_WEEKS = 2
POINTS_PER_CHUNK = 50


@transaction.atomic
def generate_basket_deliveries(
    pickup_point_ids: list[int], first: date, last: date, subscription_ids=None
) -> int:
    """Make the basket deliveries of some pickup points' distribution days between two dates:
    one per holding subscription whose contract delivers that day at that point, within the
    days the subscription holds (``first_delivery_on``, ``last_delivery_on``: never a day
    already prepared when its place was taken), skipped where an absence covers it,
    transferred where it was given away, priced at the plan's reference price (or by the
    member's choice in a variable contract). Idempotent (a second run creates
    nothing) and a fixed number of queries whatever the number of subscriptions or points: a
    chunk of the beat task; ``subscription_ids`` limits it to a few subscriptions (a new
    holder's baskets). Returns how many deliveries were created."""
    days = list(
        DistributionDay.objects.filter(
            pickup_point_id__in=pickup_point_ids,
            date__range=(first, last),
            state__in=(DayState.OPEN, DayState.CLOSED),
        ).select_related("pickup_point")
    )
    if not days:
        return 0
    days_of: dict[int, list] = {}
    for day in days:
        days_of.setdefault(day.pickup_point_id, []).append(day)
    places = ContractPickupPoint.objects.filter(
        pickup_point_id__in=days_of, contract__starts_on__lte=last, contract__ends_on__gte=first
    ).select_related("contract__plan", "pickup_point")
    # (contract, point) -> the dates it delivers there
    delivering: dict[tuple[int, int], set[date]] = {}
    for place in places:
        contract = place.contract
        if contract.plan.frequency == PlanFrequency.EVERY_OTHER_DAY:
            dates = set(contract_delivery_dates(contract, place.pickup_point))
        else:
            dates = {
                day.date
                for day in days_of[place.pickup_point_id]
                if contract.starts_on <= day.date <= contract.ends_on
            }
        delivering[contract.pk, place.pickup_point_id] = dates
    holding = Subscription.objects.filter(
        contract_id__in={contract_id for contract_id, _point in delivering},
        pickup_point_id__in=days_of,
        state__in=HOLDING_STATES,
    )
    if subscription_ids is not None:
        holding = holding.filter(pk__in=subscription_ids)
    subscriptions = list(
        holding.values_list(
            "pk",
            "contract_id",
            "pickup_point_id",
            "quantity",
            "contract__plan__reference_price",
            "contract__kind",
            "first_delivery_on",
            "last_delivery_on",
        )
    )
    # Variable contracts are priced by what each member chose (two more queries, only then).
    variable = [row[0] for row in subscriptions if row[5] == ContractKind.VARIABLE]
    choices = choices_for(variable, [day.pk for day in days]) if variable else {}
    prices = unit_prices({p for chosen in choices.values() for p in chosen}) if variable else {}
    absences: dict[int, list[tuple[date, date]]] = {}
    for subscription_id, starts_on, ends_on in Absence.objects.filter(
        subscription__contract_id__in={contract_id for contract_id, _point in delivering},
        subscription__pickup_point_id__in=days_of,
        starts_on__lte=last,
        ends_on__gte=first,
    ).values_list("subscription_id", "starts_on", "ends_on"):
        absences.setdefault(subscription_id, []).append((starts_on, ends_on))
    transferred = set(
        BasketTransfer.objects.filter(distribution_day__in=days).values_list(
            "subscription_id", "distribution_day_id"
        )
    )
    existing = set(
        BasketDelivery.objects.filter(distribution_day__in=days).values_list(
            "subscription_id", "distribution_day_id"
        )
    )
    new = []
    for pk, contract_id, point_id, quantity, reference_price, kind, from_, until in subscriptions:
        dates = delivering.get((contract_id, point_id), ())
        for day in days_of[point_id]:
            if day.date not in dates or (pk, day.pk) in existing:
                continue
            if (from_ and day.date < from_) or (until and day.date > until):
                continue
            if kind == ContractKind.VARIABLE:
                price = choice_total(choice_of(choices, pk, day.pk), prices)
            else:
                price = reference_price
            if (pk, day.pk) in transferred:
                status = DeliveryStatus.TRANSFERRED
            elif any(start <= day.date <= end for start, end in absences.get(pk, ())):
                status = DeliveryStatus.SKIPPED
            else:
                status = DeliveryStatus.TO_COLLECT
            new.append(
                BasketDelivery(
                    subscription_id=pk,
                    distribution_day_id=day.pk,
                    quantity=quantity,
                    price=price * quantity,
                    status=status,
                )
            )
    # ignore_conflicts: a chunk run twice at once; the unique constraint keeps one of each.
    BasketDelivery.objects.bulk_create(new, ignore_conflicts=True, batch_size=5000)
    return len(new)


def generation_chunks(size: int | None = None) -> list[list[int]]:
    """The pickup points where a contract runs, in chunks the workers share."""
    size = size or POINTS_PER_CHUNK
    point_ids = sorted(
        set(ContractPickupPoint.objects.values_list("pickup_point_id", flat=True).distinct())
    )
    return [point_ids[i : i + size] for i in range(0, len(point_ids), size)]
