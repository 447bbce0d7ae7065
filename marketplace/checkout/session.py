from django.urls import reverse
from django.utils.translation import gettext as _
from oscar.apps.checkout import exceptions, session


class CheckoutSessionMixin(session.CheckoutSessionMixin):
    """Orders are collected at a distribution point: there is no address to capture, and the
    "shipping method" is the distribution day."""

    def check_a_valid_shipping_address_is_captured(self):
        return None

    def get_shipping_address(self, basket):
        return None

    def check_a_valid_shipping_method_is_captured(self):
        if not self.checkout_session.is_shipping_method_set(self.request.basket):
            raise exceptions.FailedPreCondition(
                url=reverse("checkout:shipping-method"),
                message=_("Please choose a distribution day."),
            )
        if not self.get_shipping_method(basket=self.request.basket):
            raise exceptions.FailedPreCondition(
                url=reverse("checkout:shipping-method"),
                message=_(
                    "The distribution day you chose is no longer open for orders. "
                    "Please choose another one."
                ),
            )
