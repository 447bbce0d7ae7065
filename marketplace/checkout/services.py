import logging

from django.db import transaction
from django.urls import reverse
from oscar.core.loading import get_class, get_model

Order = get_model("order", "Order")
OrderDispatcher = get_class("order.utils", "OrderDispatcher")
logger = logging.getLogger(__name__)


@transaction.atomic
def send_order_confirmation_email(order_id: int) -> None:
    """Email the member their order. Once only: a second call for the same order does nothing.

    The order row is locked so that two workers running the task at once send one email.
    """
    order = (
        Order.objects.select_for_update(of=("self",)).select_related("user").filter(pk=order_id)
    ).first()
    if order is None:
        logger.warning("Order %s is gone; no confirmation to send.", order_id)
        return
    if order.communication_events.filter(event_type__code="ORDER_PLACED").exists():
        return
    context = {
        "user": order.user,
        "order": order,
        "lines": order.lines.select_related("product", "partner"),
        "status_path": reverse("customer:order", kwargs={"order_number": order.number}),
    }
    OrderDispatcher(logger=logger).send_order_placed_email_for_user(order, context)
