from django.utils import timezone
from oscar.apps.shipping import repository

from deliveries.selectors import open_pickup_slots
from marketplace.shipping.methods import CollectAtPickupPoint, PickupSlot


class Repository(repository.Repository):
    """One method per open pickup slot: a pickup point's distribution day before its cut-off."""

    def get_available_shipping_methods(self, basket, shipping_addr=None, **kwargs):
        with timezone.override(timezone.get_default_timezone()):
            return [PickupSlot(day) for day in open_pickup_slots(kwargs.get("user"))]

    def get_default_shipping_method(self, basket, shipping_addr=None, **kwargs):
        """For the cart page's totals: collecting costs nothing, whichever slot is chosen later,
        and the cart must show even when no distribution is open for orders."""
        return CollectAtPickupPoint()
