"""What the member's order pages show about an order: where, when, until when, and its status."""

from django import template
from django.utils import timezone

from marketplace.checkout.selectors import order_pickup_details, order_status_label, pickup_details

register = template.Library()


@register.simple_tag
def order_pickup(order):
    """``{% order_pickup order as pickup %}``: the order's point, day and cut-off, on the Paris
    wall clock (not the method name stored on the order, which older orders keep in UTC)."""
    return order_pickup_details(order)


@register.simple_tag
def day_pickup(day):
    """``{% day_pickup day as pickup %}``: the same for a day chosen at checkout."""
    return pickup_details(day)


@register.simple_tag
def order_status(order) -> str:
    """The status as the member reads it: once its distribution is past, what became of the
    order (collected at what time, left and given on...), as on "Mes retraits"."""
    from deliveries.distribution.selectors.pickups import pickup_outcome
    from deliveries.network.models import PickupOrder

    pickup = (
        PickupOrder.objects.select_related("distribution_day__pickup_point", "handover")
        .filter(order_id=order.pk)
        .first()
    )
    if pickup is not None:
        pickup.order = order
        outcome = pickup_outcome(pickup, timezone.now())
        if outcome is not None:
            return outcome
    return order_status_label(order.status)
