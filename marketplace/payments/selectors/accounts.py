"""A member's account: what each subscription and order owes, what was paid, what is left."""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Prefetch
from oscar.core.loading import get_model

from baskets.models import HOLDING_STATES, Subscription, SubscriptionState
from marketplace.payments.models import (
    MEMBER_BALANCE_KINDS,
    UNPAID_STATES,
    Charge,
    ChargeState,
    EntryKind,
    Instalment,
    LedgerEntry,
)
from producers.models import Producer

Order = get_model("order", "Order")
ZERO = Decimal("0.00")


@dataclass
class Account:
    """Sums of ledger entries (see the sign convention in models/ledger.py)."""

    due: Decimal = ZERO
    paid: Decimal = ZERO
    refunded: Decimal = ZERO

    @property
    def outstanding(self) -> Decimal:
        """What is still to pay (below zero: money to give back)."""
        return self.due - self.paid + self.refunded

    @property
    def to_give_back(self) -> Decimal:
        """What was paid beyond what is due, for the member to get back."""
        return max(-self.outstanding, ZERO)

    def add(self, kind: str, amount: Decimal) -> None:
        if kind in (EntryKind.DUE, EntryKind.CORRECTION):
            self.due += amount
        elif kind == EntryKind.PAID:
            self.paid -= amount
        elif kind == EntryKind.REFUNDED:
            self.refunded += amount


def account_of(entries) -> Account:
    """The account of ``(kind, amount)`` pairs."""
    account = Account()
    for kind, amount in entries:
        account.add(kind, amount)
    return account


def subscription_account(subscription) -> Account:
    return account_of(
        LedgerEntry.objects.filter(
            subscription=subscription, kind__in=MEMBER_BALANCE_KINDS
        ).values_list("kind", "amount")
    )


def order_account(order, producer=None) -> Account:
    """The order's account, for all its producers or one of them."""
    entries = LedgerEntry.objects.filter(order=order, kind__in=MEMBER_BALANCE_KINDS)
    if producer is not None:
        entries = entries.filter(producer=producer)
    return account_of(entries.values_list("kind", "amount"))


@dataclass
class ContractAccount:
    subscription: Subscription
    account: Account
    instalments: list[Instalment] = field(default_factory=list)

    @property
    def payment(self):
        return getattr(self.subscription, "payment", None)

    @property
    def next_instalment(self) -> Instalment | None:
        """The first instalment not paid yet."""
        return next((item for item in self.instalments if item.state in UNPAID_STATES), None)


@dataclass
class OrderAccount:
    order: object
    account: Account
    by_producer: dict[str, Account] = field(default_factory=dict)


@dataclass
class MemberAccounts:
    contracts: list[ContractAccount]
    orders: list[OrderAccount]

    @property
    def outstanding(self) -> Decimal:
        return sum((item.account.outstanding for item in [*self.contracts, *self.orders]), ZERO)


def _instalments(subscription) -> list[Instalment]:
    payment = getattr(subscription, "payment", None)
    return list(payment.instalments.all()) if payment is not None else []


def member_accounts(member) -> MemberAccounts:
    """Each of the member's subscriptions and orders that has entries in the ledger, with its
    account (and a subscription's instalments, each with its charges waiting for the member's
    authentication, latest first: ``waiting_charges``). Five queries."""
    contracts: dict[int, Account] = {}
    orders: dict[int, Account] = {}
    producers_of_orders: dict[int, dict[str, Account]] = {}
    for subscription_id, order_id, producer, kind, amount in LedgerEntry.objects.filter(
        member=member, kind__in=MEMBER_BALANCE_KINDS
    ).values_list("subscription_id", "order_id", "producer__name", "kind", "amount"):
        if subscription_id is not None:
            contracts.setdefault(subscription_id, Account()).add(kind, amount)
        else:
            orders.setdefault(order_id, Account()).add(kind, amount)
            producers_of_orders.setdefault(order_id, {}).setdefault(producer, Account()).add(
                kind, amount
            )
    subscriptions = (
        Subscription.objects.filter(pk__in=contracts)
        .select_related("contract__plan__producer", "pickup_point", "payment")
        .prefetch_related(
            Prefetch("payment__instalments", queryset=Instalment.objects.order_by("number")),
            Prefetch(
                "payment__instalments__charges",
                queryset=Charge.objects.filter(state=ChargeState.REQUIRES_ACTION).order_by(
                    "-attempt", "-pk"
                ),
                to_attr="waiting_charges",
            ),
        )
        .order_by("-contract__starts_on", "pk")
    )
    return MemberAccounts(
        contracts=[
            ContractAccount(
                subscription=subscription,
                account=contracts[subscription.pk],
                instalments=_instalments(subscription),
            )
            for subscription in subscriptions
        ],
        orders=[
            OrderAccount(
                order=order, account=orders[order.pk], by_producer=producers_of_orders[order.pk]
            )
            for order in Order.objects.filter(pk__in=orders).order_by("-date_placed", "-pk")
        ],
    )


def subscriptions_without_plan(member) -> list[Subscription]:
    """The member's subscriptions holding a place whose payment plan is still to choose."""
    return list(
        Subscription.objects.filter(member=member, state__in=HOLDING_STATES, payment__isnull=True)
        .select_related("contract__plan__producer", "pickup_point")
        .order_by("contract__starts_on", "pk")
    )


@dataclass
class MemberLine:
    """A subscription of a contract someone coordinates, with its account."""

    subscription: Subscription
    account: Account

    @property
    def has_plan(self) -> bool:
        return getattr(self.subscription, "payment", None) is not None


def coordinated_accounts(user, today: date) -> list[MemberLine]:
    """The subscriptions of the contracts a coordinator looks after (staff: every contract not
    over for more than two months), with their accounts. Two queries."""
    subscriptions = Subscription.objects.exclude(state=SubscriptionState.CANCELLED).filter(
        contract__ends_on__gte=today - timedelta(days=61)
    )
    if not user.is_staff:
        subscriptions = subscriptions.filter(contract__coordinators=user)
    subscriptions = list(
        subscriptions.select_related(
            "member", "contract__plan__producer", "pickup_point", "payment"
        ).order_by("contract__plan__name", "contract__starts_on", "member__last_name", "pk")
    )
    accounts: dict[int, Account] = {}
    for subscription_id, kind, amount in LedgerEntry.objects.filter(
        subscription__in=[subscription.pk for subscription in subscriptions],
        kind__in=MEMBER_BALANCE_KINDS,
    ).values_list("subscription_id", "kind", "amount"):
        accounts.setdefault(subscription_id, Account()).add(kind, amount)
    return [
        MemberLine(subscription=subscription, account=accounts.get(subscription.pk, Account()))
        for subscription in subscriptions
    ]


def order_accounts_by_producer(order) -> list[tuple[Producer, Account]]:
    """Each producer of the order, with what the order owes them, by name. Two queries."""
    accounts: dict[int, Account] = {}
    for producer_id, kind, amount in LedgerEntry.objects.filter(
        order=order, kind__in=MEMBER_BALANCE_KINDS
    ).values_list("producer_id", "kind", "amount"):
        accounts.setdefault(producer_id, Account()).add(kind, amount)
    return [
        (producer, accounts[producer.pk])
        for producer in Producer.objects.filter(pk__in=accounts).order_by("name")
    ]
