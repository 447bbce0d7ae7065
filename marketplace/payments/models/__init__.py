"""Payments' tables: what contracts allow, each subscription's plan and instalments, manual
payments, and the ledger that records every amount."""

from marketplace.payments.models.charges import (
    OPEN_CHARGE_STATES,
    Charge,
    ChargeState,
    ProducerAccount,
    StripeCustomer,
)
from marketplace.payments.models.events import StripeEvent
from marketplace.payments.models.ledger import (
    MEMBER_BALANCE_KINDS,
    EntryKind,
    LedgerEntry,
    LedgerQuerySet,
)
from marketplace.payments.models.manual import ManualMethod, ManualPayment
from marketplace.payments.models.order_payments import (
    HELD_STATES,
    OrderPayment,
    OrderPaymentState,
)
from marketplace.payments.models.refunds import ChargeRefund, ChargeRefundState
from marketplace.payments.models.schedules import (
    UNPAID_STATES,
    Instalment,
    InstalmentState,
    SubscriptionPayment,
)
from marketplace.payments.models.statements import StatementFile
from marketplace.payments.models.terms import (
    HANDED_OVER_METHODS,
    MANUAL_METHODS,
    MEMBER_METHODS,
    MONTHLY_INSTALMENTS,
    ONLINE_METHODS,
    ContractPaymentTerms,
    LocalCurrency,
    PaymentMethod,
    PaymentPlan,
)

__all__ = [
    "HANDED_OVER_METHODS",
    "HELD_STATES",
    "MANUAL_METHODS",
    "MEMBER_BALANCE_KINDS",
    "MEMBER_METHODS",
    "MONTHLY_INSTALMENTS",
    "ONLINE_METHODS",
    "OPEN_CHARGE_STATES",
    "UNPAID_STATES",
    "Charge",
    "ChargeRefund",
    "ChargeRefundState",
    "ChargeState",
    "ContractPaymentTerms",
    "EntryKind",
    "Instalment",
    "InstalmentState",
    "LedgerEntry",
    "LedgerQuerySet",
    "LocalCurrency",
    "ManualMethod",
    "ManualPayment",
    "OrderPayment",
    "OrderPaymentState",
    "PaymentMethod",
    "PaymentPlan",
    "ProducerAccount",
    "StatementFile",
    "StripeCustomer",
    "StripeEvent",
    "SubscriptionPayment",
]
