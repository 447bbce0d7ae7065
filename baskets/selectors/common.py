"""What the other basket selectors share: how members are named (baskets.people), the plans'
products and announced compositions."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from baskets.models import (
    BasketPlan,
    DeliveryComposition,
)
from baskets.people import display_name, person_name  # noqa: F401 (shared by the selectors)
from baskets.services.choices import unit_prices


@dataclass
class ChosenProduct:
    product_id: int
    title: str
    unit_price: Decimal
    quantity: int = 0


def plan_products(plan_ids) -> dict[int, list[ChosenProduct]]:
    """The products members of the plans' variable contracts choose from, with their prices.
    Two queries."""
    by_plan: dict[int, list[ChosenProduct]] = defaultdict(list)
    rows = list(
        BasketPlan.products.through.objects.filter(basketplan_id__in=plan_ids)
        .select_related("product")
        .order_by("product__title")
    )
    prices = unit_prices({row.product_id for row in rows})
    for row in rows:
        by_plan[row.basketplan_id].append(
            ChosenProduct(row.product_id, row.product.title, prices.get(row.product_id, Decimal(0)))
        )
    return by_plan


def chosen_lines(chosen: dict[int, int], offered: list[ChosenProduct]) -> list[ChosenProduct]:
    return [
        ChosenProduct(p.product_id, p.title, p.unit_price, chosen[p.product_id])
        for p in offered
        if chosen.get(p.product_id)
    ]


def compositions_for(plan_ids, dates) -> dict[tuple[int, date], DeliveryComposition]:
    compositions = DeliveryComposition.objects.filter(
        plan_id__in=plan_ids, date__in=dates
    ).prefetch_related("lines")
    return {(composition.plan_id, composition.date): composition for composition in compositions}
