"""What the nightly charging run looks at: the instalments due to be charged off-session, the
charges left pending, and a member's charge waiting for them."""

from datetime import date, datetime

from django.db.models import Exists, F, OuterRef, Q

from marketplace.payments.models import (
    ONLINE_METHODS,
    Charge,
    ChargeState,
    Instalment,
    InstalmentState,
)


def due_instalment_ids(today: date) -> list[int]:
    """Instalments of plans paid by card or SEPA debit to charge now, the oldest due first: due
    by ``today``, or failed with their next attempt by ``today``; with a method saved, a
    member's Stripe customer and the producer's connected account; none with a debit under
    way or waiting for the member. One query."""
    waiting = Charge.objects.filter(
        instalment=OuterRef("pk"),
        state__in=(ChargeState.PROCESSING, ChargeState.REQUIRES_ACTION),
    )
    return list(
        Instalment.objects.filter(
            Q(state=InstalmentState.DUE, due_on__lte=today)
            | Q(state=InstalmentState.FAILED, next_attempt_on__lte=today),
            payment__method__in=ONLINE_METHODS,
            amount__gt=F("paid_amount"),
            payment__subscription__member__stripe_customer__isnull=False,
            payment__subscription__contract__plan__producer__stripe_account__isnull=False,
        )
        .exclude(payment__saved_method_id="")
        .filter(~Exists(waiting))
        .order_by("due_on", "pk")
        .values_list("pk", flat=True)
    )


def pending_charge_instalment_ids(*, sent_after: datetime, sent_before: datetime) -> list[int]:
    """Instalments whose last charge was written between the two instants and its outcome
    never recorded (a worker stopped, Stripe unreachable). One query."""
    return list(
        Charge.objects.filter(
            state=ChargeState.PENDING, created_at__gt=sent_after, created_at__lt=sent_before
        )
        .order_by("instalment_id")
        .values_list("instalment_id", flat=True)
        .distinct()
    )


def charge_of_member(member, charge_id: int) -> Charge | None:
    """One of the member's charges, with what its page shows."""
    return (
        Charge.objects.filter(pk=charge_id, instalment__payment__subscription__member=member)
        .select_related(
            "instalment__payment__subscription__contract__plan__producer",
            "instalment__payment__subscription__pickup_point",
        )
        .first()
    )
