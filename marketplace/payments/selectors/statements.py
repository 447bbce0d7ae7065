"""A producer's statement for a month (relevé): what they are owed for the baskets they brought
and the orders they brought to be collected, what they received by card, by debit and by hand,
and the difference; beside it, what the coordinators still hold for them and what was handed
over to them in the month.

What is owed is read from the deliveries and the orders themselves, not from the ledger's
"due" entries (which follow payment schedules): the baskets of the producer's plans on the
month's distribution days that have begun, not cancelled, that the producer brought (to
collect, or given to someone else; a skipped basket is not brought); and the order lines still
standing of the orders to collect at those days. A basket or an order nobody collected is owed
all the same: the producer brought it. What is received is read from the ledger: the "paid"
entries written in the month, per method, less the refunds. Months are calendar months in
Europe/Paris.

An order's amount is its lines' at the member's price, plus what the solidarity fund paid of
them (a reduced-tier member's staples): the producer is owed their own price.

Every line is to the cent and every total is the sum of the lines shown: nothing is rounded
twice. Four queries, however many lines.
"""

import hashlib
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal

from django.db.models import OuterRef, Q, Subquery, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from baskets.models import BROUGHT_STATUSES, BasketDelivery
from deliveries.network.models import DayState
from marketplace.payments.models import (
    HANDED_OVER_METHODS,
    EntryKind,
    LedgerEntry,
    ManualPayment,
    PaymentMethod,
    StatementFile,
)
from producers.models import Producer
from producers.selectors import lines_to_bring

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
ORDER_CANCELLED = "cancelled"
# Every method a member pays a producer by, in the order the statement shows them: online
# first, then by hand (each shown, even at zero, so that a month reads like the next).
RECEIVED_METHODS = (
    PaymentMethod.CARD,
    PaymentMethod.SEPA_DEBIT,
    PaymentMethod.CHEQUE,
    PaymentMethod.CASH,
    PaymentMethod.TRANSFER,
    PaymentMethod.LOCAL_CURRENCY,
)
BY_HAND_METHODS = (
    PaymentMethod.CHEQUE,
    PaymentMethod.CASH,
    PaymentMethod.TRANSFER,
    PaymentMethod.LOCAL_CURRENCY,
)
# The solidarity fund's part of reduced-tier baskets (marketplace.solidarity): received from
# the fund, shown after the methods above in a month with some (a producer whose pickup points
# have no fund never sees it); what supporters paid above the reference price, passed on to the
# fund, shows among the refunds under the same name.
FROM_FUND_METHODS = (PaymentMethod.SOLIDARITY,)
OTHER_METHOD = ""  # a "paid" entry without a method: shown apart, never lost


def cents(amount) -> Decimal:
    return Decimal(amount).quantize(CENT)


def total(lines) -> Decimal:
    return sum((line.amount for line in lines), ZERO)


def first_of_month(day: date) -> date:
    return day.replace(day=1)


def next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def previous_month(month: date) -> date:
    return date(month.year - (month.month == 1), (month.month - 2) % 12 + 1, 1)


def month_bounds(month: date) -> tuple[datetime, datetime]:
    """The month's first instant and the next month's, in Europe/Paris (the site's zone)."""
    paris = timezone.get_default_timezone()
    start = datetime.combine(first_of_month(month), time.min, tzinfo=paris)
    end = datetime.combine(next_month(month), time.min, tzinfo=paris)
    return start, end


@dataclass(frozen=True)
class BasketLine:
    """The baskets of one plan brought to one distribution."""

    day: date
    pickup_point: str
    plan: str
    deliveries: int  # households
    baskets: int
    amount: Decimal


@dataclass(frozen=True)
class OrderLine:
    """One order brought to a distribution: the producer's lines of it still standing."""

    day: date
    pickup_point: str
    number: str
    items: int
    collected: bool | None  # None: the pickup list was never opened for it
    amount: Decimal


@dataclass(frozen=True)
class MethodLine:
    """Money of one method: received, refunded, held or handed over."""

    method: str
    count: int
    amount: Decimal

    @property
    def label(self):
        if self.method == OTHER_METHOD:
            return _("other")
        return PaymentMethod(self.method).label


@dataclass(frozen=True)
class Statement:
    producer: Producer
    month: date  # its first day
    as_of: datetime | None  # the month is under way: figures so far
    baskets: tuple[BasketLine, ...]
    orders: tuple[OrderLine, ...]
    received: tuple[MethodLine, ...]
    refunded: tuple[MethodLine, ...]
    held: tuple[MethodLine, ...]  # by the coordinators at the month's end (or now)
    handed_over: tuple[MethodLine, ...]

    @property
    def owed_for_baskets(self) -> Decimal:
        return total(self.baskets)

    @property
    def owed_for_orders(self) -> Decimal:
        return total(self.orders)

    @property
    def owed(self) -> Decimal:
        return self.owed_for_baskets + self.owed_for_orders

    def _received_by(self, methods) -> Decimal:
        return total(line for line in self.received if line.method in methods)

    @property
    def by_card(self) -> Decimal:
        return self._received_by((PaymentMethod.CARD,))

    @property
    def by_debit(self) -> Decimal:
        return self._received_by((PaymentMethod.SEPA_DEBIT,))

    @property
    def by_hand(self) -> Decimal:
        return self._received_by(BY_HAND_METHODS)

    @property
    def from_solidarity_fund(self) -> Decimal:
        return self._received_by(FROM_FUND_METHODS)

    @property
    def paid(self) -> Decimal:
        return total(self.received)

    @property
    def refunds(self) -> Decimal:
        return total(self.refunded)

    @property
    def received_net(self) -> Decimal:
        """What the producer received in the month, refunds taken off."""
        return self.paid - self.refunds

    @property
    def difference(self) -> Decimal:
        """Owed less received: above zero, still to come; below zero, paid ahead."""
        return self.owed - self.received_net

    @property
    def held_total(self) -> Decimal:
        return total(self.held)

    @property
    def handed_over_total(self) -> Decimal:
        return total(self.handed_over)

    @property
    def fingerprint(self) -> str:
        """Changes whenever a figure or a line shown changes (not with the hour it is read)."""
        content = repr(
            (
                self.producer.pk,
                self.producer.name,
                self.month,
                self.as_of is not None,
                self.baskets,
                self.orders,
                self.received,
                self.refunded,
                self.held,
                self.handed_over,
            )
        )
        return hashlib.sha256(content.encode()).hexdigest()


def producer_statement(
    producer: Producer, month: date, *, now: datetime | None = None
) -> Statement:
    """The producer's statement for the calendar month of ``month``, as it stands at ``now``.
    Four queries."""
    now = now or timezone.now()
    month = first_of_month(month)
    start, end = month_bounds(month)
    return Statement(
        producer=producer,
        month=month,
        as_of=now if now < end else None,
        baskets=_basket_lines(producer, month, now),
        orders=_order_lines(producer, month, now),
        **_ledger_lines(producer, start, end),
        held=_held_lines(producer, end),
    )


def _days_of(prefix: str, month: date, now: datetime) -> dict:
    """The month's distribution days that have begun by ``now`` (lookups under ``prefix``; the
    caller leaves the cancelled ones out)."""
    return {
        f"{prefix}date__gte": month,
        f"{prefix}date__lt": next_month(month),
        f"{prefix}starts_at__lte": now,
    }


def _basket_lines(producer: Producer, month: date, now: datetime) -> tuple[BasketLine, ...]:
    rows = (
        BasketDelivery.objects.filter(
            subscription__contract__plan__producer=producer,
            status__in=BROUGHT_STATUSES,
            **_days_of("distribution_day__", month, now),
        )
        .exclude(distribution_day__state=DayState.CANCELLED)
        .values_list(
            "distribution_day__date",
            "distribution_day__pickup_point__name",
            "subscription__contract__plan__name",
            "quantity",
            "price",  # the delivery's price, for all its baskets (baskets.services.generation)
        )
    )
    groups: dict[tuple, list] = defaultdict(lambda: [0, 0, ZERO])
    for day, point, plan, quantity, price in rows:
        group = groups[(day, point, plan)]
        group[0] += 1
        group[1] += quantity
        group[2] += cents(price)
    return tuple(
        BasketLine(day, point, plan, households, baskets, amount)
        for (day, point, plan), (households, baskets, amount) in sorted(groups.items())
    )


def _paid_by_fund(producer: Producer) -> Subquery:
    """What the solidarity fund paid the producer of the line's order (staples a reduced-tier
    member bought at the reduced price): owed too, the producer is owed their own price."""
    return Subquery(
        LedgerEntry.objects.filter(
            order=OuterRef("order"), producer=producer, kind=EntryKind.SOLIDARITY
        )
        .order_by()
        .values("order")
        .annotate(total=Sum("amount"))
        .values("total")
    )


def _order_lines(producer: Producer, month: date, now: datetime) -> tuple[OrderLine, ...]:
    rows = (
        lines_to_bring(
            partner_id=producer.partner_id,
            **_days_of("order__pickup__distribution_day__", month, now),
        )
        .exclude(order__status=ORDER_CANCELLED)
        .exclude(order__pickup__distribution_day__state=DayState.CANCELLED)
        .annotate(from_fund=_paid_by_fund(producer))
        .values_list(
            "order__pickup__distribution_day__date",
            "order__pickup__distribution_day__pickup_point__name",
            "order__number",
            "quantity",
            "line_price_incl_tax",
            "order__pickup__handover__pk",
            "order__pickup__handover__collected_at",
            "from_fund",
        )
    )
    groups: dict[tuple, list] = defaultdict(lambda: [0, ZERO, None])
    for day, point, number, quantity, price, handover, collected_at, from_fund in rows:
        key = (day, point, number)
        if key not in groups and from_fund is not None:
            groups[key][1] += cents(from_fund)  # once per order
        group = groups[key]
        group[0] += quantity
        group[1] += cents(price)
        group[2] = None if handover is None else collected_at is not None
    return tuple(
        OrderLine(day, point, number, items, collected, amount)
        for (day, point, number), (items, amount, collected) in sorted(groups.items())
    )


def _method_lines(sums: dict[str, list], methods=(), when_met=()) -> tuple[MethodLine, ...]:
    """One line per method of ``methods`` (even at zero), then those of ``when_met`` met, then
    any other met, in order."""
    met = [method for method in when_met if method in sums]
    order = [*methods, *met, *sorted(set(sums) - set(methods) - set(met))]
    return tuple(MethodLine(method, *sums.get(method, (0, ZERO))) for method in order)


def _ledger_lines(producer: Producer, start: datetime, end: datetime) -> dict:
    sums: dict[str, dict[str, list]] = {
        EntryKind.PAID: defaultdict(lambda: [0, ZERO]),
        EntryKind.REFUNDED: defaultdict(lambda: [0, ZERO]),
        EntryKind.HANDED_OVER: defaultdict(lambda: [0, ZERO]),
    }
    for kind, method, amount in LedgerEntry.objects.filter(
        producer=producer,
        created_at__gte=start,
        created_at__lt=end,
        kind__in=[*sums, EntryKind.SOLIDARITY],
    ).values_list("kind", "method", "amount"):
        if kind == EntryKind.SOLIDARITY:
            # The fund's part: received from the fund, or a supporter's part passed on to it.
            kind, amount = (
                (EntryKind.PAID, -amount) if amount > 0 else (EntryKind.REFUNDED, -amount)
            )
        line = sums[kind][method or OTHER_METHOD]
        line[0] += 1
        # Paid entries lower what the member owes (negative); the statement counts money in.
        line[1] += cents(-amount if kind == EntryKind.PAID else amount)
    return {
        "received": _method_lines(sums[EntryKind.PAID], RECEIVED_METHODS, FROM_FUND_METHODS),
        "refunded": _method_lines(sums[EntryKind.REFUNDED]),
        "handed_over": _method_lines(sums[EntryKind.HANDED_OVER]),
    }


def _held_lines(producer: Producer, end: datetime) -> tuple[MethodLine, ...]:
    """Cheques, cash and local currency recorded before ``end`` and not handed over by then."""
    sums: dict[str, list] = defaultdict(lambda: [0, ZERO])
    for method, amount in (
        ManualPayment.objects.filter(
            producer=producer, method__in=HANDED_OVER_METHODS, recorded_at__lt=end
        )
        .filter(Q(handed_over_at__isnull=True) | Q(handed_over_at__gte=end))
        .values_list("method", "amount")
    ):
        sums[method][0] += 1
        sums[method][1] += cents(amount)
    return _method_lines(sums, HANDED_OVER_METHODS)


def statement_months(producer: Producer, *, today: date | None = None) -> list[date]:
    """The months, up to this one, with baskets or orders brought or money in the ledger, the
    latest first. Three queries."""
    today = today or timezone.localdate()
    months = set(
        BasketDelivery.objects.filter(
            subscription__contract__plan__producer=producer, distribution_day__date__lte=today
        ).dates("distribution_day__date", "month")
    )
    months |= set(
        lines_to_bring(
            partner_id=producer.partner_id, order__pickup__distribution_day__date__lte=today
        ).dates("order__pickup__distribution_day__date", "month")
    )
    months |= {
        moment.date()  # the first instant of a month in Paris
        for moment in LedgerEntry.objects.filter(producer=producer).datetimes(
            "created_at", "month", tzinfo=timezone.get_default_timezone()
        )
    }
    return sorted((month for month in months if month <= today), reverse=True)


def statement_file(
    producer: Producer, month: date, *, with_pdf: bool = False
) -> StatementFile | None:
    """The record of the PDF of the producer's statement for the month, if any (ready, stale
    or being built); the PDF itself only when asked."""
    files = StatementFile.objects.filter(producer=producer, month=first_of_month(month))
    return (files if with_pdf else files.defer("pdf")).first()
