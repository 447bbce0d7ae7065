"""Reads of payments, with their related rows loaded."""

from marketplace.payments.selectors.access import (
    HAND_OVER_PERMISSION,
    is_treasurer,
    may_record_for_order,
    may_record_for_subscription,
    may_see_statements_of,
)
from marketplace.payments.selectors.accounts import (
    Account,
    ContractAccount,
    MemberAccounts,
    MemberLine,
    OrderAccount,
    account_of,
    coordinated_accounts,
    member_accounts,
    order_account,
    order_accounts_by_producer,
    subscription_account,
    subscriptions_without_plan,
)
from marketplace.payments.selectors.schedules import open_plans
from marketplace.payments.selectors.statements import (
    Statement,
    producer_statement,
    statement_file,
    statement_months,
)
from marketplace.payments.selectors.terms import offered_methods, offered_plans, terms_of
from marketplace.payments.selectors.treasury import (
    HeldPayments,
    cheques_by_producer_and_month,
    held_payments_by_producer_and_month,
    overdue_instalments,
)

__all__ = [
    "HAND_OVER_PERMISSION",
    "Account",
    "ContractAccount",
    "HeldPayments",
    "MemberAccounts",
    "MemberLine",
    "OrderAccount",
    "Statement",
    "account_of",
    "cheques_by_producer_and_month",
    "coordinated_accounts",
    "held_payments_by_producer_and_month",
    "is_treasurer",
    "may_record_for_order",
    "may_record_for_subscription",
    "may_see_statements_of",
    "member_accounts",
    "offered_methods",
    "offered_plans",
    "open_plans",
    "order_account",
    "order_accounts_by_producer",
    "overdue_instalments",
    "producer_statement",
    "statement_file",
    "statement_months",
    "subscription_account",
    "subscriptions_without_plan",
    "terms_of",
]
