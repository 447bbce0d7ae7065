"""AMAP basket subscriptions: a producer's basket plans, the seasons (contracts) that bind a
plan to pickup points, and members' subscriptions to them.

A subscription basket is not Oscar's cart: nothing here touches ``basket.Basket``.
"""

from baskets.models.deliveries import (
    BROUGHT_STATUSES,
    BasketDelivery,
    BasketTransfer,
    DeliveryChoice,
    DeliveryStatus,
    TransferKind,
)
from baskets.models.not_brought import BasketsNotBrought
from baskets.models.plans import (
    BasketPlan,
    CompositionLine,
    Contract,
    ContractKind,
    ContractPickupPoint,
    DeliveryComposition,
    PlanFrequency,
)
from baskets.models.subscriptions import (
    HOLDING_STATES,
    LIVE_CO_HOLDING_STATES,
    Absence,
    AbsenceKind,
    CoHolding,
    CoHoldingState,
    Sharing,
    Subscription,
    SubscriptionState,
)

__all__ = [
    "BROUGHT_STATUSES",
    "HOLDING_STATES",
    "LIVE_CO_HOLDING_STATES",
    "Absence",
    "AbsenceKind",
    "BasketDelivery",
    "BasketPlan",
    "BasketTransfer",
    "BasketsNotBrought",
    "CoHolding",
    "CoHoldingState",
    "CompositionLine",
    "Contract",
    "ContractKind",
    "ContractPickupPoint",
    "DeliveryChoice",
    "DeliveryComposition",
    "DeliveryStatus",
    "PlanFrequency",
    "Sharing",
    "Subscription",
    "SubscriptionState",
    "TransferKind",
]
