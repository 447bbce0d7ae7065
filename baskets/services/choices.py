"""Variable contracts: the member chooses quantities of the plan's products, within the
contract's minimum per delivery, as a usual choice and, if they wish, for one delivery."""

from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from oscar.core.loading import get_model

from baskets.errors import ChoiceRefused
from baskets.models import (
    BasketDelivery,
    Contract,
    ContractKind,
    DeliveryChoice,
    Subscription,
)
from baskets.services.holding import (
    check_before_deadline,
    delivery_day,
    lock_own_running_subscription,
)
from baskets.services.seasons import contract_delivery_dates
from deliveries.network.models import DayState

StockRecord = get_model("partner", "StockRecord")


def unit_prices(product_ids) -> dict[int, Decimal]:
    """Each product's price as the producer sells it (one stock record per product here)."""
    prices = {}
    for product_id, price in StockRecord.objects.filter(product_id__in=product_ids).values_list(
        "product_id", "price"
    ):
        if price is not None:
            prices.setdefault(product_id, price)
    return prices


def checked_choice(contract: Contract, quantities: dict[int, int]) -> dict[int, int]:
    """The quantities kept (above zero), once checked against the plan's products and the
    contract's minimum per delivery."""
    offered = set(contract.plan.products.values_list("pk", flat=True))
    chosen = {}
    for product_id, quantity in quantities.items():
        if quantity is None or quantity == 0:
            continue
        if quantity < 0:
            raise ChoiceRefused(_("Quantities cannot be below zero."))
        if int(product_id) not in offered:
            raise ChoiceRefused(_("This product is not part of the contract."))
        chosen[int(product_id)] = int(quantity)
    if not chosen:
        raise ChoiceRefused(_("Choose at least one product."))
    total = choice_total(chosen, unit_prices(chosen))
    if total < contract.minimum_per_delivery:
        raise ChoiceRefused(
            _(
                "Your choice comes to %(total)s €; this contract's minimum per delivery is %(minimum)s €."
            )
            % {"total": total, "minimum": contract.minimum_per_delivery}
        )
    return chosen


def choice_total(chosen: dict[int, int], prices: dict[int, Decimal]) -> Decimal:
    return sum(
        (
            prices.get(product_id, Decimal("0")) * quantity
            for product_id, quantity in chosen.items()
        ),
        Decimal("0.00"),
    )


def record_usual_choice(subscription: Subscription, chosen: dict[int, int]) -> None:
    DeliveryChoice.objects.filter(subscription=subscription, distribution_day__isnull=True).delete()
    DeliveryChoice.objects.bulk_create(
        DeliveryChoice(subscription=subscription, product_id=product_id, quantity=quantity)
        for product_id, quantity in chosen.items()
    )


def _own_variable_subscription(member, subscription_id: int) -> Subscription:
    subscription = lock_own_running_subscription(member, subscription_id, ChoiceRefused)
    if subscription.contract.kind != ContractKind.VARIABLE:
        raise ChoiceRefused(_("In this contract the basket is the same for everyone."))
    return subscription


@transaction.atomic
def choose_usual_contents(member, subscription_id: int, quantities: dict[int, int]):
    """The member changes what they take at every delivery they have not chosen for one by
    one; deliveries already made and still open follow."""
    subscription = _own_variable_subscription(member, subscription_id)
    chosen = checked_choice(subscription.contract, quantities)
    record_usual_choice(subscription, chosen)
    _reprice_open_deliveries(subscription)
    return chosen


@transaction.atomic
def choose_delivery_contents(
    member, subscription_id: int, day_id: int, quantities: dict[int, int], now=None
):
    """The member chooses what they take at one delivery, before the contract's deadline."""
    now = now or timezone.now()
    subscription = _own_variable_subscription(member, subscription_id)
    contract = subscription.contract
    dates = contract_delivery_dates(contract, subscription.pickup_point)
    day = delivery_day(subscription, day_id, dates, ChoiceRefused)
    check_before_deadline(subscription, day, now, ChoiceRefused)
    chosen = checked_choice(contract, quantities)
    DeliveryChoice.objects.filter(subscription=subscription, distribution_day=day).delete()
    DeliveryChoice.objects.bulk_create(
        DeliveryChoice(
            subscription=subscription, distribution_day=day, product_id=product_id, quantity=qty
        )
        for product_id, qty in chosen.items()
    )
    BasketDelivery.objects.filter(subscription=subscription, distribution_day=day).update(
        price=choice_total(chosen, unit_prices(chosen)) * subscription.quantity
    )
    return chosen


def _reprice_open_deliveries(subscription: Subscription) -> None:
    usual = dict(
        subscription.choices.filter(distribution_day__isnull=True).values_list(
            "product_id", "quantity"
        )
    )
    price = choice_total(usual, unit_prices(usual)) * subscription.quantity
    chosen_one_by_one = subscription.choices.filter(distribution_day__isnull=False).values(
        "distribution_day_id"
    )
    BasketDelivery.objects.filter(
        subscription=subscription, distribution_day__state=DayState.OPEN
    ).exclude(distribution_day_id__in=chosen_one_by_one).update(price=price)


def choices_for(subscription_ids, day_ids) -> dict[tuple[int, int | None], dict[int, int]]:
    """(subscription, day or None for the usual choice) -> {product: quantity}. One query."""
    result: dict[tuple[int, int | None], dict[int, int]] = {}
    for sub_id, day_id, product_id, quantity in DeliveryChoice.objects.filter(
        Q(distribution_day__isnull=True) | Q(distribution_day_id__in=day_ids),
        subscription_id__in=subscription_ids,
    ).values_list("subscription_id", "distribution_day_id", "product_id", "quantity"):
        result.setdefault((sub_id, day_id), {})[product_id] = quantity
    return result


def choice_of(choices, subscription_id: int, day_id: int) -> dict[int, int]:
    return choices.get((subscription_id, day_id)) or choices.get((subscription_id, None)) or {}
