from django.db import transaction
from oscar.apps.checkout import mixins

from marketplace.checkout.tasks import send_order_confirmation
from marketplace.partner.stock import lock_and_check_stock


class OrderPlacementMixin(mixins.OrderPlacementMixin):
    def place_order(self, *args, basket, **kwargs):
        with transaction.atomic():
            lock_and_check_stock(basket)
            return super().place_order(*args, basket=basket, **kwargs)

    def send_order_placed_email(self, order):
        send_order_confirmation.delay_on_commit(order.pk)
