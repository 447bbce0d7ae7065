"""What is in the basket this week: the producer announces it, members and volunteers read it."""

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from baskets.errors import CompositionRefused
from baskets.models import BasketPlan, CompositionLine, DeliveryComposition
from baskets.services.seasons import contract_delivery_dates


def plan_delivery_dates(plan: BasketPlan, first: date, last: date) -> list[date]:
    """The dates any contract of the plan delivers, at any of its pickup points."""
    dates = set()
    for contract in plan.contracts.filter(starts_on__lte=last, ends_on__gte=first).prefetch_related(
        "pickup_points"
    ):
        for point in contract.pickup_points.all():
            dates.update(
                day for day in contract_delivery_dates(contract, point) if first <= day <= last
            )
    return sorted(dates)


@transaction.atomic
def announce_composition(
    producer, plan_id: int, day: date, lines: list[tuple[str, Decimal, str]], note: str = ""
) -> DeliveryComposition:
    """The producer says what one date's basket holds; announcing again replaces it."""
    plan = BasketPlan.objects.filter(pk=plan_id, producer=producer).first()
    if plan is None:
        raise CompositionRefused(_("This basket plan is not yours."))
    if day < timezone.localdate():
        raise CompositionRefused(_("This delivery is past."))
    if day not in plan_delivery_dates(plan, day, day):
        raise CompositionRefused(_("No contract of this plan delivers on that date."))
    if len(note.strip()) > DeliveryComposition._meta.get_field("note").max_length:
        raise CompositionRefused(_("Keep the note under 300 characters."))
    if any(not name.strip() and quantity for name, quantity, _unit in lines):
        raise CompositionRefused(_("Each product needs a name."))
    lines = [
        (name.strip(), quantity, unit.strip()) for name, quantity, unit in lines if name.strip()
    ]
    if not lines:
        raise CompositionRefused(_("List at least one product in the basket."))
    if any(quantity is None or quantity <= 0 for _name, quantity, _unit in lines):
        raise CompositionRefused(_("Each product needs a quantity above zero."))
    composition, _created = DeliveryComposition.objects.update_or_create(
        plan=plan, date=day, defaults={"note": note.strip()}
    )
    composition.lines.all().delete()
    CompositionLine.objects.bulk_create(
        CompositionLine(composition=composition, name=name, quantity=quantity, unit=unit)
        for name, quantity, unit in lines
    )
    return composition
