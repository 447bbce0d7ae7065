"""The nightly run: instalments due on plans paid by card or SEPA debit are charged off-session
on the member's saved method, for the producer's connected account.

Each instalment goes through three steps, so that whatever stops a run, nobody pays twice:

1. one transaction locks the instalment and writes a pending ``Charge`` with a deterministic
   idempotency key (``instalment-<id>-attempt-<n>``), or finds the one a stopped run left
   pending, and commits;
2. Stripe is called outside any transaction, with that key: the same key sent again gets the
   same payment back;
3. one transaction records the outcome (``record_charge_outcome``): paid (a "paid" ledger entry,
   the instalment settled), a debit under way (settled later by its webhook), declined (retried
   after 1, 3 and 7 days, then no more; the member is emailed), or waiting for the member's
   authentication (they are emailed a link). Stripe unreachable: the charge stays pending and
   the next run sends the same request again.

Emails are queued through the outbox in the outcome's transaction and sent once.
"""

import logging
from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils import timezone

from marketplace.core.tasks import queue_on_commit
from marketplace.payments import gateway
from marketplace.payments.models import (
    ONLINE_METHODS,
    UNPAID_STATES,
    Charge,
    ChargeState,
    Instalment,
    InstalmentState,
)
from marketplace.payments.selectors.charges import (
    due_instalment_ids,
    pending_charge_instalment_ids,
)
from marketplace.payments.services.settlement import paid_entry, settle_instalments

logger = logging.getLogger(__name__)

# After the 1st, 2nd and 3rd failure, the next attempt comes that many days later; after the
# 4th, no more automatic attempts: the member changes their method, or pays by hand.
RETRY_AFTER_DAYS = (1, 3, 7)
# A pending charge younger than this may be in a worker's hands right now: left alone.
IN_FLIGHT = timedelta(minutes=10)
# Stripe keeps an idempotency key at least 24 hours: a charge pending for longer is not sent
# again blindly (Stripe may have forgotten the key, and a payment may exist): a person checks.
KEY_KEPT = timedelta(hours=23)
NOTIFY_TASK = "marketplace.payments.tasks.notify_charge"
CHUNK = 50


@dataclass
class ChargeRun:
    """What a run did, instalment by instalment."""

    charged: int = 0
    processing: int = 0
    declined: int = 0
    needs_action: int = 0
    unavailable: int = 0
    skipped: int = 0

    def __iadd__(self, other: "ChargeRun") -> "ChargeRun":
        for field in fields(self):
            setattr(self, field.name, getattr(self, field.name) + getattr(other, field.name))
        return self


@dataclass(frozen=True)
class Outcome:
    """What Stripe said of a charge."""

    state: str
    payment_intent_id: str = ""
    failure_code: str = ""
    failure_message: str = ""
    tell_member: bool = True

    @classmethod
    def of_payment(cls, payment: gateway.Payment) -> "Outcome | None":
        """A PaymentIntent's status as a charge's outcome; None while it says nothing new."""
        if payment.is_paid:
            return cls(ChargeState.SUCCEEDED, payment.id)
        if payment.is_processing:
            return cls(ChargeState.PROCESSING, payment.id)
        if payment.needs_authentication:
            return cls(ChargeState.REQUIRES_ACTION, payment.id)
        if payment.status in ("requires_payment_method", "canceled"):
            code = payment.failure_code or payment.status
            return cls(ChargeState.FAILED, payment.id, code, gateway.member_message(code))
        return None


RUN_COUNTS = {
    ChargeState.SUCCEEDED: "charged",
    ChargeState.PROCESSING: "processing",
    ChargeState.FAILED: "declined",
    ChargeState.REQUIRES_ACTION: "needs_action",
}


def charge_due_instalments(today: date | None = None, now: datetime | None = None) -> ChargeRun:
    """Charges every instalment due by ``today`` (see the module). Without Stripe keys it does
    nothing. Run twice, the second run finds nothing to charge."""
    if not gateway.stripe_enabled():
        return ChargeRun()
    today = today or timezone.localdate(now)
    return charge_instalments(due_instalment_ids(today), today=today, now=now)


def due_chunks(today: date, size: int = CHUNK) -> list[list[int]]:
    """The instalments to charge by ``today``, in chunks of ``size`` for the workers to share
    (each well within a task's time limit at a second a charge). None without Stripe keys."""
    if not gateway.stripe_enabled():
        return []
    ids = due_instalment_ids(today)
    return [ids[start : start + size] for start in range(0, len(ids), size)]


def resume_pending_charges(now: datetime | None = None) -> ChargeRun:
    """Charges a stopped run or an outage left pending are sent again, with their key, while
    Stripe still knows it (hourly: the nightly run would come too late)."""
    if not gateway.stripe_enabled():
        return ChargeRun()
    now = now or timezone.now()
    ids = pending_charge_instalment_ids(sent_after=now - KEY_KEPT, sent_before=now - IN_FLIGHT)
    return charge_instalments(ids, today=timezone.localdate(now), now=now)


def charge_instalments(
    instalment_ids: list[int], *, today: date, now: datetime | None = None
) -> ChargeRun:
    """Charges these instalments, each if it is still to be charged once locked."""
    run = ChargeRun()
    for instalment_id in instalment_ids:
        run += charge_instalment(instalment_id, today=today, now=now)
    return run


def charge_instalment(instalment_id: int, *, today: date, now: datetime | None = None) -> ChargeRun:
    """One instalment, in the three steps of the module: a constant number of queries."""
    charge = _write_charge(instalment_id, today=today, now=now or timezone.now())
    if charge is None:
        return ChargeRun(skipped=1)
    try:
        payment = gateway.create_payment(
            amount=charge.amount,
            producer_account=charge.producer_account,
            idempotency_key=charge.idempotency_key,
            customer_id=charge.customer_id,
            payment_method_id=charge.payment_method_id,
            method_type=charge.method_type,
            off_session=True,
            metadata={"instalment": str(charge.instalment_id), "charge": charge.idempotency_key},
        )
    except gateway.GatewayUnavailable:
        return ChargeRun(unavailable=1)  # pending: the next run sends the same request
    except gateway.AuthenticationRequired as error:
        outcome = Outcome(ChargeState.REQUIRES_ACTION, error.payment_intent_id, error.code)
    except gateway.PaymentDeclined as error:
        outcome = Outcome(ChargeState.FAILED, error.payment_intent_id, error.code, error.message)
    except gateway.GatewayError as error:
        if error.code == "idempotency_key_in_use":  # the same request, in flight elsewhere
            return ChargeRun(unavailable=1)
        # Stripe refused our request (an account, a key): not the member's doing, no email;
        # the coordinators see it in the overdue list, the logs say why.
        logger.error("Charge %s refused by Stripe: %s", charge.idempotency_key, error.code)
        outcome = Outcome(
            ChargeState.FAILED,
            error.payment_intent_id,
            error.code or "refused",
            error.message,
            tell_member=False,
        )
    else:
        outcome = Outcome.of_payment(payment)
        if outcome is None:
            logger.warning("Charge %s: payment %s", charge.idempotency_key, payment.status)
            return ChargeRun(skipped=1)
    state = record_charge_outcome(charge.pk, outcome, today=today, now=now)
    return ChargeRun(**{RUN_COUNTS[state or outcome.state]: 1})


@transaction.atomic
def _write_charge(instalment_id: int, *, today: date, now: datetime) -> Charge | None:
    """Step 1: the charge to send for the instalment, written and committed before Stripe is
    called; None when there is none to send (paid since, locked by another run, waiting)."""
    instalment = (
        Instalment.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related(
            "payment__subscription__member__stripe_customer",
            "payment__subscription__contract__plan__producer__stripe_account",
        )
        .filter(pk=instalment_id)
        .first()
    )
    if instalment is None:
        return None
    last = instalment.charges.order_by("-attempt").first()
    if last is not None and last.state == ChargeState.PENDING:
        if last.created_at > now - IN_FLIGHT:
            return None
        if last.created_at < now - KEY_KEPT or instalment.state not in UNPAID_STATES:
            # Stripe may or may not have it, and sending it now could pay twice.
            logger.error(
                "Charge %s pending since %s: check on Stripe whether it was paid.",
                last.idempotency_key,
                last.created_at.isoformat(),
            )
            return None
        return last
    if last is not None and last.is_open:
        return None
    if not _is_to_charge(instalment, today):
        return None
    payment = instalment.payment
    member, producer = payment.subscription.member, payment.subscription.contract.plan.producer
    customer = getattr(member, "stripe_customer", None)
    account = getattr(producer, "stripe_account", None)
    if customer is None or account is None or not payment.saved_method_id:
        return None
    attempt = (last.attempt if last is not None else 0) + 1
    return Charge.objects.create(
        instalment=instalment,
        attempt=attempt,
        amount=instalment.outstanding,
        method_type=payment.saved_method_type or payment.method,
        idempotency_key=Charge.key_for(instalment.pk, attempt),
        customer_id=customer.customer_id,
        payment_method_id=payment.saved_method_id,
        producer_account=account.account_id,
        created_at=now,
    )


def _is_to_charge(instalment: Instalment, today: date) -> bool:
    if instalment.payment.method not in ONLINE_METHODS or instalment.outstanding <= 0:
        return False
    if instalment.state == InstalmentState.DUE:
        return instalment.due_on <= today
    if instalment.state == InstalmentState.FAILED:
        return instalment.next_attempt_on is not None and instalment.next_attempt_on <= today
    return False


def next_attempt_on(failures: int, today: date) -> date | None:
    """When a charge that failed ``failures`` times is tried again (None: not any more)."""
    if failures > len(RETRY_AFTER_DAYS):
        return None
    return today + timedelta(days=RETRY_AFTER_DAYS[failures - 1])


# What each state of a charge may still become: money taken is always recorded.
NEXT_STATES = {
    ChargeState.PENDING: set(ChargeState.values) - {ChargeState.PENDING},
    ChargeState.PROCESSING: {ChargeState.SUCCEEDED, ChargeState.FAILED},
    ChargeState.REQUIRES_ACTION: {
        ChargeState.SUCCEEDED,
        ChargeState.PROCESSING,
        ChargeState.FAILED,
    },
    ChargeState.FAILED: {ChargeState.SUCCEEDED},
}


@transaction.atomic
def record_charge_outcome(
    charge_id: int, outcome: Outcome, *, today: date | None = None, now: datetime | None = None
) -> str | None:
    """Step 3, and the hook for Stripe's webhooks (``payment_intent.succeeded``,
    ``.processing``, ``.payment_failed``, ``.requires_action``: ``Outcome.of_payment`` of the
    event's PaymentIntent, found by ``Charge.payment_intent_id``): records what became of a
    charge, once. Returns the charge's new state, or None when this changes nothing (said
    already, or the charge is over)."""
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    charge = (
        Charge.objects.select_for_update(of=("self", "instalment"))
        .select_related("instalment__payment__subscription__contract__plan")
        .get(pk=charge_id)
    )
    if outcome.state not in NEXT_STATES.get(charge.state, ()):
        return None
    instalment = charge.instalment
    charge.state = outcome.state
    charge.payment_intent_id = outcome.payment_intent_id or charge.payment_intent_id
    charge.failure_code = outcome.failure_code[:80]
    charge.failure_message = outcome.failure_message[:300]
    charge.finished_at = now
    charge.save(
        update_fields=[
            "state",
            "payment_intent_id",
            "failure_code",
            "failure_message",
            "finished_at",
        ]
    )
    if outcome.state == ChargeState.SUCCEEDED:
        _record_paid(charge, instalment, now)
    elif outcome.state == ChargeState.PROCESSING:
        # The debit is under way: the instalment stays expected until its webhook says.
        if instalment.state in UNPAID_STATES:
            instalment.state, instalment.next_attempt_on = InstalmentState.DUE, None
            instalment.save(update_fields=["state", "next_attempt_on"])
    elif instalment.state in UNPAID_STATES:
        instalment.attempts = max(instalment.attempts, charge.attempt)
        if outcome.state == ChargeState.REQUIRES_ACTION:
            instalment.state, instalment.next_attempt_on = InstalmentState.REQUIRES_ACTION, None
        else:
            instalment.state = InstalmentState.FAILED
            instalment.next_attempt_on = next_attempt_on(instalment.attempts, today)
        instalment.save(update_fields=["attempts", "state", "next_attempt_on"])
        if outcome.tell_member:
            queue_on_commit(NOTIFY_TASK, charge.pk, outcome.state)
    return outcome.state


def _record_paid(charge: Charge, instalment: Instalment, now: datetime) -> None:
    """The money taken: the instalment settled, a "paid" entry in the ledger (all of it, even
    if the instalment was paid by hand meanwhile: then the member has paid too much, and the
    ledger says so)."""
    if not settle_instalments([instalment], charge.amount, now=now):
        logger.warning("Charge %s paid an instalment paid already.", charge.idempotency_key)
    subscription = instalment.payment.subscription
    paid_entry(
        now=now,
        amount=charge.amount,
        method=charge.method_type,
        member_id=subscription.member_id,
        producer_id=subscription.contract.plan.producer_id,
        subscription_id=subscription.pk,
        instalment=instalment,
        reference=charge.payment_intent_id,
    ).save()
