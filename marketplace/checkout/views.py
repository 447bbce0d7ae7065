from decimal import Decimal

from django.shortcuts import redirect
from oscar.apps.checkout import views
from oscar.core.loading import get_model

from marketplace.shop_setup import pay_at_pickup_source_type

Source = get_model("payment", "Source")


class ShippingAddressView(views.ShippingAddressView):
    """No address: the order is collected at the distribution point."""

    def get(self, request, *args, **kwargs):
        return redirect("checkout:shipping-method")

    post = get


class ShippingMethodView(views.ShippingMethodView):
    def get(self, request, *args, **kwargs):
        self._methods = self.get_available_shipping_methods()
        if len(self._methods) == 1:
            self.checkout_session.use_shipping_method(self._methods[0].code)
            return self.get_success_response()
        return super(views.ShippingMethodView, self).get(request, *args, **kwargs)


class PaymentDetailsView(views.PaymentDetailsView):
    """Pay at pickup: the amount is recorded as due, the coordinator records the payment.

    Stock locking and the confirmation email come from our ``checkout.mixins``, which Oscar
    loads for its own view through ``get_class``.
    """

    def get(self, request, *args, **kwargs):
        if not self.preview:
            return redirect("checkout:preview")
        return super().get(request, *args, **kwargs)

    def handle_payment(self, order_number, total, **kwargs):
        self.add_payment_source(
            Source(
                source_type=pay_at_pickup_source_type(),
                amount_allocated=total.incl_tax,
                amount_debited=Decimal("0.00"),
                reference=order_number,
            )
        )
        self.add_payment_event("pay-at-pickup-promised", total.incl_tax)
