"""Oscar's order signals, connected in PaymentsConfig.ready(): orders are placed and cancelled
by Oscar's code and by the deliveries floor, which cannot call payments."""

from marketplace.core.tasks import queue_on_commit
from marketplace.payments.models import OrderPayment
from marketplace.payments.services.orders import (
    CANCELLED,
    record_order_due,
    take_back_cancelled_line,
    take_back_cancelled_order,
)


def order_placed(sender, order, **kwargs):
    record_order_due(order)


def order_line_status_changed(sender, line, old_status, new_status, **kwargs):
    if new_status == CANCELLED:
        take_back_cancelled_line(line)
        _refund_card_payments(line.order_id)


def order_status_changed(sender, order, old_status, new_status, **kwargs):
    if new_status == CANCELLED:
        take_back_cancelled_order(order)
        _refund_card_payments(order.pk)


def _refund_card_payments(order_id: int) -> None:
    """What was paid by card and is no longer due goes back to the card, after the commit."""
    if OrderPayment.objects.filter(order_id=order_id).exists():
        queue_on_commit("marketplace.payments.tasks.settle_order_refunds", order_id)
