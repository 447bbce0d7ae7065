"""Oscar's order signals, connected in PaymentsConfig.ready(): orders are placed and cancelled
by Oscar's code and by the deliveries floor, which cannot call payments."""

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


def order_status_changed(sender, order, old_status, new_status, **kwargs):
    if new_status == CANCELLED:
        take_back_cancelled_order(order)
