"""Things that happen to basket subscriptions, one module per part of the domain."""

from baskets.services.absences import (
    cancel_pause,
    cancel_skip,
    pause_subscription,
    skip_delivery,
    skipped_dates,
)
from baskets.services.choices import choose_delivery_contents, choose_usual_contents
from baskets.services.compositions import announce_composition
from baskets.services.generation import (
    GENERATION_WEEKS,
    POINTS_PER_CHUNK,
    generate_basket_deliveries,
    generation_chunks,
)
from baskets.services.seasons import contract_delivery_dates
from baskets.services.subscriptions import (
    OFFER_HOURS,
    accept_offered_place,
    end_commitment,
    leave_contract,
    live_subscription,
    offer_free_place,
    refresh_subscription_states,
    subscribe,
    waiting_position,
)
from baskets.services.transfers import (
    MEMBERS_FIRST,
    claim_basket,
    release_basket,
    take_back,
    transfer_delivery,
)

__all__ = [
    "GENERATION_WEEKS",
    "MEMBERS_FIRST",
    "OFFER_HOURS",
    "POINTS_PER_CHUNK",
    "accept_offered_place",
    "announce_composition",
    "cancel_pause",
    "cancel_skip",
    "choose_delivery_contents",
    "choose_usual_contents",
    "claim_basket",
    "contract_delivery_dates",
    "end_commitment",
    "generate_basket_deliveries",
    "generation_chunks",
    "leave_contract",
    "live_subscription",
    "offer_free_place",
    "pause_subscription",
    "refresh_subscription_states",
    "release_basket",
    "skip_delivery",
    "skipped_dates",
    "subscribe",
    "take_back",
    "transfer_delivery",
    "waiting_position",
]
