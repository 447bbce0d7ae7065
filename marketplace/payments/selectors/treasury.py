"""The treasurer's lists: what the coordinators hold for each producer, and what is overdue."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone

from marketplace.payments.models import (
    HANDED_OVER_METHODS,
    UNPAID_STATES,
    Charge,
    Instalment,
    InstalmentState,
    ManualPayment,
    PaymentMethod,
)
from producers.models import Producer


@dataclass
class HeldPayments:
    """One producer's payments of one month (cheques: the month they may be cashed)."""

    producer: Producer
    month: date
    payments: list[ManualPayment] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return sum((payment.amount for payment in self.payments), Decimal("0.00"))


def _month_of(payment: ManualPayment) -> date:
    day = payment.cash_on or timezone.localdate(payment.recorded_at)
    return day.replace(day=1)


def held_payments_by_producer_and_month(
    *,
    methods=HANDED_OVER_METHODS,
    handed_over: bool | None = False,
    producer: Producer | None = None,
    months: tuple[date, date] | None = None,
) -> list[HeldPayments]:
    """Cheques, cash and local currency grouped per producer and month, by month then producer
    name; by default those the coordinators still hold (``handed_over=None``: all of them).
    ``months``: the first and last month shown. One query."""
    payments = ManualPayment.objects.filter(method__in=methods).select_related(
        "producer", "payer", "local_currency", "subscription__contract__plan", "order"
    )
    if handed_over is not None:
        payments = payments.filter(handed_over_at__isnull=not handed_over)
    if producer is not None:
        payments = payments.filter(producer=producer)
    groups: dict[tuple[date, int], HeldPayments] = {}
    for payment in payments.order_by("cash_on", "recorded_at", "pk"):
        month = _month_of(payment)
        if months is not None and not months[0] <= month <= months[1]:
            continue
        groups.setdefault(
            (month, payment.producer_id), HeldPayments(producer=payment.producer, month=month)
        ).payments.append(payment)
    return sorted(groups.values(), key=lambda group: (group.month, group.producer.name))


def cheques_by_producer_and_month(**kwargs) -> list[HeldPayments]:
    return held_payments_by_producer_and_month(methods=(PaymentMethod.CHEQUE,), **kwargs)


def overdue_instalments(today: date | None = None, *, coordinator=None) -> list[Instalment]:
    """Instalments past their due date and not paid in full, and those whose charge failed or
    waits for the member, the oldest first, each with its last charge's state and message
    (``last_charge_state``, ``last_charge_message``); a coordinator who is not staff sees
    those of the contracts they coordinate. One query."""
    today = today or timezone.localdate()
    last_charge = Charge.objects.filter(instalment=OuterRef("pk")).order_by("-attempt")
    overdue = Instalment.objects.filter(
        Q(due_on__lt=today)
        | Q(state__in=(InstalmentState.FAILED, InstalmentState.REQUIRES_ACTION)),
        state__in=UNPAID_STATES,
    ).annotate(
        last_charge_state=Subquery(last_charge.values("state")[:1]),
        last_charge_message=Subquery(last_charge.values("failure_message")[:1]),
    )
    if coordinator is not None and not coordinator.is_staff:
        overdue = overdue.filter(payment__subscription__contract__coordinators=coordinator)
    return list(
        overdue.select_related(
            "payment__subscription__member",
            "payment__subscription__contract__plan__producer",
            "payment__subscription__pickup_point",
        ).order_by("due_on", "payment__subscription__member__last_name", "pk")
    )
