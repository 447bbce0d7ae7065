from django.utils import timezone
from oscar.apps.shipping import repository

from deliveries.network.chosen_day import chosen_day_id
from deliveries.network.selectors import open_pickup_slots
from marketplace.shipping.methods import CollectAtPickupPoint, PickupSlot


class Repository(repository.Repository):
    """One method per open pickup slot: a pickup point's distribution day before its cut-off.

    The day the member chose while shopping comes first, then their usual pickup point's."""

    def get_available_shipping_methods(self, basket, shipping_addr=None, **kwargs):
        request = kwargs.get("request")
        chosen = chosen_day_id(request) if request is not None else None
        days = sorted(open_pickup_slots(kwargs.get("user")), key=lambda day: day.pk != chosen)
        with timezone.override(timezone.get_default_timezone()):
            return [PickupSlot(day) for day in days]

    def get_default_shipping_method(self, basket, shipping_addr=None, **kwargs):
        """For the cart page's totals: collecting costs nothing, whichever slot is chosen later,
        and the cart must show even when no distribution is open for orders."""
        return CollectAtPickupPoint()
