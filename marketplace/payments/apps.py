from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    """Members paying producers: payment plans, manual payments, the ledger (Oscar has its own
    ``payment`` app: this one is ``payments``)."""

    name = "marketplace.payments"
    label = "payments"
    verbose_name = _("Payments")

    def ready(self):
        from oscar.apps.order.signals import (
            order_line_status_changed,
            order_placed,
            order_status_changed,
        )

        from marketplace.checkout.payment_methods import register
        from marketplace.payments import receivers
        from marketplace.payments.checkout_card import CardAtCheckout

        register(CardAtCheckout())

        order_placed.connect(receivers.order_placed, dispatch_uid="payments-order-placed")
        order_line_status_changed.connect(
            receivers.order_line_status_changed, dispatch_uid="payments-order-line-status"
        )
        order_status_changed.connect(
            receivers.order_status_changed, dispatch_uid="payments-order-status"
        )
