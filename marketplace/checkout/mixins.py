from django.db import transaction
from oscar.apps.checkout import mixins
from oscar.apps.order.exceptions import UnableToPlaceOrder

from deliveries.network.services import record_pickup
from marketplace.checkout.services import lock_for_day
from marketplace.core.tasks import queue_on_commit
from marketplace.shipping.methods import day_id_of


class OrderPlacementMixin(mixins.OrderPlacementMixin):
    def place_order(self, *args, basket, shipping_method, **kwargs):
        """Place the order for its distribution day, in one transaction: the day is locked and
        checked open (which also serialises the day's quotas), stock is locked and checked, then
        Oscar creates the order."""
        day_id = day_id_of(shipping_method.code)
        if day_id is None:
            raise UnableToPlaceOrder("No distribution day was chosen.")
        with transaction.atomic():
            day = lock_for_day(basket, day_id)
            order = super().place_order(
                *args, basket=basket, shipping_method=shipping_method, **kwargs
            )
            record_pickup(order, day)
            return order

    def send_order_placed_email(self, order):
        # Through the outbox: a broker that is down delays the email, never fails the order.
        queue_on_commit("marketplace.checkout.tasks.send_order_confirmation", order.pk)
