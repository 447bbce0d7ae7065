"""What a contract lets its members choose."""

from baskets.models import Contract
from marketplace.payments.models import (
    MEMBER_METHODS,
    ONLINE_METHODS,
    ContractPaymentTerms,
    PaymentMethod,
    PaymentPlan,
)


def terms_of(contract: Contract) -> ContractPaymentTerms:
    """The contract's payment terms, or the defaults (every plan, the manual methods) when the
    coordinators set none: an unsaved row."""
    try:
        return contract.payment_terms
    except ContractPaymentTerms.DoesNotExist:
        return ContractPaymentTerms(contract=contract)


def offered_plans(terms: ContractPaymentTerms) -> list[PaymentPlan]:
    return [plan for plan in PaymentPlan if terms.allows(plan)]


def offered_methods(terms: ContractPaymentTerms, *, online: bool) -> list[PaymentMethod]:
    """The methods a member may choose, in the order of ``PaymentMethod``; card and debit only
    when online payment is set up; never the solidarity fund."""
    return [
        method
        for method in MEMBER_METHODS
        if terms.accepts(method) and (online or method not in ONLINE_METHODS)
    ]
