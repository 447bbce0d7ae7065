"""The two steps the checkout's page takes in the background (its script, order_card.js) when
the member pays an order by card: save the card they typed in (a SetupIntent Stripe.js
confirms), then have each producer's part authorised on it. Placing the order comes after, from
the checkout's own form. Answers are JSON; an ``error`` is for the member to read. A refusal
(a declined card) is an answer like any other, 200; Stripe out of reach is a 503."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import JsonResponse
from django.views.generic import View
from oscar.core.loading import get_class

from marketplace.payments import gateway
from marketplace.payments.errors import PaymentRefused
from marketplace.payments.services.order_payments import (
    authorise_order,
    card_payable,
    client_secrets,
    start_order_card,
)
from marketplace.payments.stripe_errors import UNAVAILABLE

OrderNumberGenerator = get_class("order.utils", "OrderNumberGenerator")


def refused(message: str, status: int = 200) -> JsonResponse:
    return JsonResponse({"error": str(message)}, status=status)


class OrderCardView(LoginRequiredMixin, View):
    http_method_names = ["post"]
    raise_exception = True

    def post(self, request, *args, **kwargs):
        basket = request.basket
        if basket.is_empty or not card_payable(basket):
            return refused(UNAVAILABLE)
        try:
            return JsonResponse(self.step(request, basket))
        except PaymentRefused as error:
            return refused(str(error))
        except gateway.GatewayError as error:
            return refused(error.message, status=503 if error.retryable else 200)


class StartOrderCardView(OrderCardView):
    """A SetupIntent for the card the member is typing in."""

    def step(self, request, basket):
        return {"client_secret": start_order_card(request.user).client_secret}


class AuthoriseOrderCardView(OrderCardView):
    """Each producer's part authorised on the saved card; the client secrets of those the bank
    wants the member to confirm (3-D Secure)."""

    def step(self, request, basket):
        attempt = request.POST.get("setup_intent", "")
        if not attempt.startswith("seti_"):
            raise PaymentRefused(gateway.member_message("setup_intent_authentication_failure"))
        order_number = str(OrderNumberGenerator().order_number(basket))
        authorisation = authorise_order(request.user, basket, order_number, attempt)
        return {"to_confirm": client_secrets(request.user, authorisation.to_confirm)}
