"""Paying an order by card at checkout, as the checkout's registry of ways to pay sees it
(``marketplace.checkout.payment_methods``; registered in ``PaymentsConfig.ready``). The browser
saves the card and has each producer's part authorised through ``views.order_card``; the place
order request then finds them all secured, and the order placed, they are taken."""

from decimal import Decimal

from django.conf import settings
from django.urls import reverse
from oscar.apps.payment.exceptions import UnableToTakePayment

from marketplace.payments.errors import PaymentRefused
from marketplace.payments.services.order_payments import (
    capture_order,
    card_payable,
    release_attempt,
    secured_payments,
)
from marketplace.shop_setup import card_source_type

ATTEMPT_FIELD = "setup_intent"


class CardAtCheckout:
    code = "card"

    def offered(self, request, basket) -> bool:
        return request.user.is_authenticated and card_payable(basket)

    def preview_context(self, request, basket):
        return {
            "stripe_key": settings.STRIPE_PUBLISHABLE_KEY,
            "stripe_js": settings.STRIPE_JS_URL,
            "start_url": reverse("payments:order-card-start"),
            "authorise_url": reverse("payments:order-card-authorise"),
        }

    def take(self, request, basket, order_number: str, total, data):
        attempt = data.get(ATTEMPT_FIELD, "")
        try:
            secured_payments(request.user, basket, order_number, attempt)
        except PaymentRefused as error:
            raise UnableToTakePayment(str(error)) from error
        return {
            "source_type": card_source_type(),
            "amount_allocated": total.incl_tax,
            "amount_debited": Decimal("0.00"),
            "reference": attempt,
        }

    def placed(self, order, data) -> None:
        capture_order(order, data.get(ATTEMPT_FIELD, ""))

    def abandoned(self, order_number: str, data) -> None:
        release_attempt(order_number, data.get(ATTEMPT_FIELD, ""))
