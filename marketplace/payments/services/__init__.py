"""Things that happen to payments, one module per part: subscriptions' schedules, manual
payments and their handover, orders."""

from marketplace.payments.services.manual import PaymentDetails, hand_over, record_manual_payment
from marketplace.payments.services.orders import (
    record_order_due,
    take_back_cancelled_line,
    take_back_cancelled_order,
)
from marketplace.payments.services.schedules import (
    schedule_subscription_payments,
    split_amount,
)
from marketplace.payments.services.statements import (
    build_statement_pdf,
    request_statement_pdf,
)

__all__ = [
    "PaymentDetails",
    "build_statement_pdf",
    "hand_over",
    "record_manual_payment",
    "record_order_due",
    "request_statement_pdf",
    "schedule_subscription_payments",
    "split_amount",
    "take_back_cancelled_line",
    "take_back_cancelled_order",
]
