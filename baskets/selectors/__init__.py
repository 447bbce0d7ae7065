"""Reads about basket subscriptions, their related rows fetched in a fixed number of queries,
one module per audience: members (and their history), distribution day (volunteers and producers), contracts."""

from baskets.selectors.common import (
    ChosenProduct,
    compositions_for,
    display_name,
    person_name,
    plan_products,
)
from baskets.selectors.contracts import (
    managed_places,
    manages_any_contract,
    open_contracts,
    places_taken,
)
from baskets.selectors.distribution import (
    BasketCount,
    PickupListBasket,
    basket_counts,
    collected_counts,
    pickup_list_baskets,
)
from baskets.selectors.history import past_deliveries
from baskets.selectors.members import (
    member_subscriptions,
    offered_baskets_for,
    taken_baskets_for,
    transfer_label,
)

__all__ = [
    "BasketCount",
    "ChosenProduct",
    "PickupListBasket",
    "basket_counts",
    "collected_counts",
    "compositions_for",
    "display_name",
    "managed_places",
    "manages_any_contract",
    "member_subscriptions",
    "offered_baskets_for",
    "open_contracts",
    "past_deliveries",
    "person_name",
    "pickup_list_baskets",
    "places_taken",
    "plan_products",
    "taken_baskets_for",
    "transfer_label",
]
