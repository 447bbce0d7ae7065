"""The endpoint Stripe sends its events to (README, "Online payment"): no session, no CSRF
token, no sign-in; what vouches for a request is its ``Stripe-Signature``, verified with
``STRIPE_WEBHOOK_SECRET``. Anything else is answered 400 with nothing written."""

import logging

from django.http import HttpResponse, HttpResponseBadRequest
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from marketplace.payments import gateway
from marketplace.payments.services.webhooks import receive_event

logger = logging.getLogger(__name__)


@csrf_exempt
@never_cache
@require_POST
def stripe_webhook(request):
    """200 once the event is stored and applied (or was already); 400 when it is not Stripe's
    (or webhooks are not set up); 503 when Stripe could not tell a payment's state: the event is
    kept, and Stripe sends it again."""
    try:
        event = gateway.construct_event(request.body, request.headers.get("Stripe-Signature"))
    except gateway.InvalidWebhook as error:
        logger.warning("Webhook refused: %s", error)
        return HttpResponseBadRequest("Invalid signature.", content_type="text/plain")
    try:
        receive_event(event)
    except gateway.GatewayError as error:
        logger.warning("Stripe event %s not applied yet: %s", event.id, error.code)
        return HttpResponse("Try again later.", status=503, content_type="text/plain")
    return HttpResponse("OK", content_type="text/plain")
