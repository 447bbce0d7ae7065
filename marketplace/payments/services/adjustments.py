"""A subscription pays for the deliveries its season actually has: when a day is cancelled (a
closure, a coordinator's cancellation) or the commitment ends early, what is due goes down in
proportion; a day brought back puts it up again.

``adjust_subscription_dues`` compares what the ledger says is due with the season total × the
deliveries left ÷ the deliveries planned when the plan was chosen, and writes the difference as
one "correction" entry, so running it again changes nothing. The instalments follow: unpaid ones
are cut (on a per-delivery plan, the cancelled day's own instalment first, then from the last);
what was paid beyond the new total shows as money to give back to the member, and the part of
it paid online goes back through Stripe after the commit (services/online_refunds.py).
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from marketplace.payments.member_prices import member_price_per_delivery
from marketplace.payments.models import (
    OPEN_CHARGE_STATES,
    UNPAID_STATES,
    Charge,
    EntryKind,
    Instalment,
    InstalmentState,
    LedgerEntry,
    PaymentPlan,
    SubscriptionPayment,
)
from marketplace.payments.selectors.schedules import season_deliveries
from marketplace.payments.services.online_refunds import queue_online_refund

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
DUE_KINDS = (EntryKind.DUE, EntryKind.CORRECTION)


@dataclass(frozen=True)
class AdjustmentRun:
    looked_at: int
    adjusted: int


def owed_for(payment: SubscriptionPayment, deliveries_left: int) -> Decimal:
    """The season total in proportion of the deliveries left (the whole total when none was
    cancelled), to the cent."""
    if deliveries_left >= payment.deliveries:
        return payment.total
    return (payment.total * deliveries_left / payment.deliveries).quantize(
        CENT, rounding=ROUND_HALF_UP
    )


@transaction.atomic
def adjust_subscription_dues(payment_id: int, *, now: datetime | None = None) -> LedgerEntry | None:
    """Brings one subscription's dues in line with its deliveries: one correction entry, or
    None when they already are (or the plan predates the count of its deliveries)."""
    now = now or timezone.now()
    payment = (
        SubscriptionPayment.objects.select_for_update(of=("self",))
        .select_related("subscription__contract__plan__producer", "subscription__member")
        .get(pk=payment_id)
    )
    if not payment.deliveries:
        return None
    subscription = payment.subscription
    deliveries = season_deliveries(subscription)
    due_now = (
        LedgerEntry.objects.filter(subscription=subscription, kind__in=DUE_KINDS).aggregate(
            total=Sum("amount")
        )["total"]
        or ZERO
    )
    change = owed_for(payment, len(deliveries)) - due_now
    if change == 0:
        return None
    instalments = list(
        Instalment.objects.select_for_update().filter(payment=payment).order_by("number")
    )
    if change < 0:
        # An instalment whose charge is with the bank keeps its amount: the charge was sent
        # for it (services/charges.py); the cut falls on the others, or shows as money to give
        # back once it is paid.
        in_flight = set(
            Charge.objects.filter(
                instalment__payment=payment, state__in=OPEN_CHARGE_STATES
            ).values_list("instalment_id", flat=True)
        )
        cuttable = [row for row in instalments if row.pk not in in_flight]
        _cut(cuttable, -change, payment.plan, set(deliveries), now)
        queue_online_refund(payment)
    else:
        _add(payment, instalments, change, timezone.localdate(now))
    return LedgerEntry.objects.create(
        created_at=now,
        kind=EntryKind.CORRECTION,
        amount=change,
        member=subscription.member,
        producer=subscription.contract.plan.producer,
        subscription=subscription,
        reference=_("%(left)s of %(planned)s deliveries")
        % {"left": len(deliveries), "planned": payment.deliveries},
    )


def _cut(
    instalments: list[Instalment], amount: Decimal, plan: str, delivery_dates: set[date], now
) -> None:
    """Takes ``amount`` off the unpaid part of the instalments."""
    unpaid = [row for row in instalments if row.state in UNPAID_STATES and row.outstanding > 0]
    if plan == PaymentPlan.PER_DELIVERY:
        # A cancelled day's own instalment goes first.
        unpaid.sort(key=lambda row: (row.due_on in delivery_dates, -row.number))
    else:
        unpaid.reverse()
    for row in unpaid:
        if amount <= 0:
            break
        part = min(amount, row.outstanding)
        amount -= part
        row.amount -= part
        if row.amount == row.paid_amount:
            if row.paid_amount > 0:
                row.state, row.paid_at, row.next_attempt_on = InstalmentState.PAID, now, None
            else:
                row.state, row.next_attempt_on = InstalmentState.CANCELLED, None
        row.save(update_fields=["amount", "state", "paid_at", "next_attempt_on"])


def _add(payment, instalments: list[Instalment], amount: Decimal, today: date) -> None:
    """Puts ``amount`` back on the last instalment still expected, or on a new one due today."""
    expected = [row for row in instalments if row.state in UNPAID_STATES]
    if expected:
        row = expected[-1]
        row.amount += amount
        row.save(update_fields=["amount"])
        return
    cancelled = [row for row in instalments if row.state == InstalmentState.CANCELLED]
    if cancelled:
        row = cancelled[0]
        row.amount, row.state = row.paid_amount + amount, InstalmentState.DUE
        row.save(update_fields=["amount", "state"])
        return
    Instalment.objects.create(
        payment=payment,
        number=(instalments[-1].number + 1) if instalments else 1,
        due_on=today,
        amount=amount,
    )


def adjust_all_dues(*, now: datetime | None = None) -> AdjustmentRun:
    """Every subscription with a payment plan, each in its own transaction (the nightly run)."""
    now = now or timezone.now()
    # Seasons over for more than a month are settled: their days no longer change.
    since = timezone.localdate(now) - timedelta(days=31)
    ids = list(
        SubscriptionPayment.objects.filter(subscription__contract__ends_on__gte=since)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    adjusted = sum(adjust_subscription_dues(pk, now=now) is not None for pk in ids)
    return AdjustmentRun(looked_at=len(ids), adjusted=adjusted)


def adjust_dues_of_subscriptions(
    subscription_ids: list[int], *, now: datetime | None = None
) -> AdjustmentRun:
    """Some subscriptions (those with a payment plan), each in its own transaction: their
    season changed (baskets not brought)."""
    ids = list(
        SubscriptionPayment.objects.filter(subscription_id__in=subscription_ids)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    adjusted = sum(adjust_subscription_dues(pk, now=now) is not None for pk in ids)
    return AdjustmentRun(looked_at=len(ids), adjusted=adjusted)


@transaction.atomic
def reprice_season(subscription, *, now: datetime | None = None) -> LedgerEntry | None:
    """The member's price changed since their plan was made (their solidarity tier: the layer
    that changed it calls this): the season's total is their new price per delivery
    (``member_prices``, at today's terms) for the deliveries planned, and the dues and the
    instalments follow it as for a day cancelled (``adjust_subscription_dues``): unpaid
    instalments cut, or money to give back; raised on the last instalment still expected. The
    whole season is repriced, the deliveries already made included. Returns the correction
    written, or None (no plan yet, or the same price)."""
    now = now or timezone.now()
    payment = (
        SubscriptionPayment.objects.select_for_update(of=("self",))
        .select_related("subscription__contract__plan", "subscription__pickup_point")
        .filter(subscription_id=subscription.pk)
        .first()
    )
    if payment is None or not payment.deliveries:
        return None
    total = member_price_per_delivery(payment.subscription, timezone.localdate(now))
    total *= payment.deliveries
    if total == payment.total:
        return None
    payment.total = total
    payment.save(update_fields=["total"])
    return adjust_subscription_dues(payment.pk, now=now)
