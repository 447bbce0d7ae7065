"""Stripe's webhooks: each event stored once and applied once, whatever the order they arrive in
and however often (Stripe sends an event again until it is answered 200, and never promises
an order).

An event is first stored (one transaction; a delivery of an event stored already finds it).
Then it is applied, unless it was already: a ``payment_intent.*`` event about one of our
charges asks Stripe for the payment's state *now*, not the event's (an older event arriving
late tells nothing new), and records it as the nightly run does (``record_charge_outcome``,
which knows what each state may still become: a charge paid stays paid). The event is marked
applied in that same transaction, its row locked, so that two deliveries at once apply it once.
An ``account.updated`` event about a producer's connected account records whether it takes
payments now (asked of Stripe too). Events of other types, or about payments that are not
charges of ours (an order paid by card
in the browser, settled there), are stored and marked applied: nothing to do.
"""

import logging
from datetime import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from marketplace.payments import gateway
from marketplace.payments.models import Charge, StripeEvent
from marketplace.payments.services.charges import Outcome, record_charge_outcome
from marketplace.payments.services.producer_accounts import note_account_state

logger = logging.getLogger(__name__)

PAYMENT_EVENTS = frozenset(
    {
        "payment_intent.succeeded",
        "payment_intent.processing",
        "payment_intent.payment_failed",
        "payment_intent.requires_action",
        "payment_intent.canceled",
    }
)


def receive_event(event: gateway.WebhookEvent, *, now: datetime | None = None) -> StripeEvent:
    """Stores ``event`` (once) and applies it (once). Raises :class:`gateway.GatewayError` when
    Stripe cannot tell the payment's state: the event stays stored but not applied, and Stripe,
    answered with an error, sends it again."""
    now = now or timezone.now()
    stored = _store(event, now)
    if stored.applied_at is not None:
        return stored
    if event.type == "account.updated" and stored.object_id.startswith("acct_"):
        # A producer's account that can now take payments, or no longer: as Stripe says now.
        note_account_state(stored.object_id, gateway.retrieve_connected_account(stored.object_id))
    charge_id = _charge_of(event)
    # Asked outside any transaction: no row stays locked while Stripe answers.
    payment = gateway.retrieve_payment(stored.object_id) if charge_id else None
    return _apply(stored.pk, charge_id, payment, now)


@transaction.atomic
def _store(event: gateway.WebhookEvent, now: datetime) -> StripeEvent:
    stored, _ = StripeEvent.objects.get_or_create(
        event_id=event.id,
        defaults={
            "type": event.type[:100],
            "object_id": str(event.object.get("id") or "")[:255],
            "created": event.created,
            "received_at": now,
            "payload": event.object,
        },
    )
    return stored


def _charge_of(event: gateway.WebhookEvent) -> int | None:
    """The charge an event is about: by its payment, or by the idempotency key the charge put
    in the payment's metadata (a run stopped before it recorded the payment's id)."""
    if event.type not in PAYMENT_EVENTS:
        return None
    payment_intent_id = str(event.object.get("id") or "")
    if not payment_intent_id.startswith("pi_"):
        return None
    found = Q(payment_intent_id=payment_intent_id)
    key = (event.object.get("metadata") or {}).get("charge")
    if key:
        found |= Q(idempotency_key=key, payment_intent_id="")
    return Charge.objects.filter(found).order_by("-attempt").values_list("pk", flat=True).first()


@transaction.atomic
def _apply(
    stored_id: int, charge_id: int | None, payment: gateway.Payment | None, now: datetime
) -> StripeEvent:
    stored = StripeEvent.objects.select_for_update().get(pk=stored_id)
    if stored.applied_at is not None:  # another delivery applied it meanwhile
        return stored
    if charge_id is not None and payment is not None:
        outcome = Outcome.of_payment(payment)
        if outcome is not None:
            state = record_charge_outcome(charge_id, outcome, now=now)
            logger.info("Stripe event %s: charge %s %s.", stored.event_id, charge_id, state)
    stored.applied_at = now
    stored.save(update_fields=["applied_at"])
    return stored
