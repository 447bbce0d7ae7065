from decimal import Decimal

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from oscar.apps.checkout import exceptions, views
from oscar.apps.order.exceptions import UnableToPlaceOrder
from oscar.apps.payment.exceptions import UnableToTakePayment
from oscar.core.loading import get_model

from marketplace.checkout.payment_methods import PAY_AT_PICKUP, method_named, offered_methods
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
    """Pay at pickup (the amount is recorded as due, the coordinator records the payment), or
    one of the ways registered in ``checkout.payment_methods`` (by card, from payments).

    Stock locking and the confirmation email come from our ``checkout.mixins``, which Oscar
    loads for its own view through ``get_class``.
    """

    def get(self, request, *args, **kwargs):
        if not self.preview:
            return redirect("checkout:preview")
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["payment_methods"] = {
            method.code: method.preview_context(self.request, self.request.basket)
            for method in offered_methods(self.request, self.request.basket)
        }
        return ctx

    def chosen_method(self):
        """The way to pay the member chose on the preview (None: at pickup)."""
        code = self.request.POST.get("payment_method", PAY_AT_PICKUP)
        if code == PAY_AT_PICKUP:
            return None
        method = method_named(code)
        if method is None or not method.offered(self.request, self.request.basket):
            raise UnableToTakePayment(_("This way of paying is not available: pay at pickup."))
        return method

    def handle_payment(self, order_number, total, **kwargs):
        method = self.chosen_method()
        if method is not None:
            fields = method.take(
                self.request, self.request.basket, str(order_number), total, self.request.POST
            )
            self.add_payment_source(Source(**fields))
            self.add_payment_event(f"{method.code}-authorised", total.incl_tax)
            return
        self.add_payment_source(
            Source(
                source_type=pay_at_pickup_source_type(),
                amount_allocated=total.incl_tax,
                amount_debited=Decimal("0.00"),
                reference=order_number,
            )
        )
        self.add_payment_event("pay-at-pickup-promised", total.incl_tax)

    def check_pre_conditions(self, request):
        try:
            super().check_pre_conditions(request)
        except exceptions.FailedPreCondition:
            # The basket cannot be ordered as it is (stock gone, day closed): a card payment
            # secured for it is let go at once.
            if request.method == "POST" and request.POST.get("action") == "place_order":
                method = method_named(request.POST.get("payment_method", PAY_AT_PICKUP))
                if method is not None:
                    number = self.generate_order_number(request.basket)
                    method.abandoned(str(number), request.POST)
            raise

    def handle_order_placement(self, order_number, *args, **kwargs):
        try:
            return super().handle_order_placement(order_number, *args, **kwargs)
        except UnableToPlaceOrder:
            # The stock or the day went while the member paid: what was secured is let go.
            method = self.chosen_method()
            if method is not None:
                method.abandoned(str(order_number), self.request.POST)
            raise

    def handle_successful_order(self, order):
        method = self.chosen_method()
        if method is not None:
            method.placed(order, self.request.POST)
        return super().handle_successful_order(order)
