"""Emails about a member's instalment charged off-session: declined (why, when it is tried
again, where to change the method), or waiting for them to confirm it with their bank."""

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from marketplace.core.emails import compose, send_all
from marketplace.core.sending import send_once
from marketplace.payments.models import Charge, ChargeState

TEMPLATES = {
    ChargeState.FAILED: "payments/email/charge_failed",
    ChargeState.REQUIRES_ACTION: "payments/email/charge_needs_action",
}


def notify_charge(charge_id: int, state: str) -> int:
    """Emails the member that their charge ``state`` (failed, or waiting for them), once per
    charge and state, and only while the charge is still so. Returns the emails sent."""
    if state not in TEMPLATES:
        return 0
    charge = (
        Charge.objects.filter(pk=charge_id, state=state)
        .select_related(
            "instalment__payment__subscription__member",
            "instalment__payment__subscription__contract__plan__producer",
        )
        .first()
    )
    if charge is None:
        return 0
    instalment = charge.instalment
    subscription = instalment.payment.subscription
    if not subscription.member.email:
        return 0
    context = {
        "charge": charge,
        "instalment": instalment,
        "payment": instalment.payment,
        "plan": subscription.contract.plan,
        "producer": subscription.contract.plan.producer,
        "contract": subscription.contract,
        "amount": charge.amount,
        "reason": charge.failure_message,
        "next_attempt_on": instalment.next_attempt_on,
        "attempted_at": timezone.localtime(charge.created_at),
        "payments_url": settings.SITE_URL + reverse("payments:mine"),
        "confirm_url": settings.SITE_URL + reverse("payments:confirm-charge", args=[charge.pk]),
        "shop_name": settings.OSCAR_SHOP_NAME,
    }
    with send_once(f"charge-{charge.pk}-{state}") as sending:
        if sending:
            send_all([compose(TEMPLATES[state], context, [subscription.member.email])])
    return 1 if sending else 0
