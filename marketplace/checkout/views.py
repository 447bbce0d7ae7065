from decimal import Decimal

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _
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
    """Choose the distribution day and pickup point (one shipping method per open slot)."""

    template_name = "oscar/checkout/shipping_methods.html"

    def get(self, request, *args, **kwargs):
        self._methods = self.get_available_shipping_methods()
        if not self._methods:
            messages.error(
                request,
                _("No distribution is open for orders at the moment. Please come back later."),
            )
            return redirect("basket:summary")
        # Always asked, even with one slot: members must see where and when they collect.
        return super(views.ShippingMethodView, self).get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["chosen_code"] = self.checkout_session.shipping_method_code(self.request.basket)
        return ctx

    def form_invalid(self, form):
        messages.error(self.request, _("Please choose a distribution day."))
        return redirect("checkout:shipping-method")


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
