import logging
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from oscar.apps.order.exceptions import UnableToPlaceOrder
from oscar.core.loading import get_class, get_model

from deliveries.network.errors import DayNotOpenForOrders
from deliveries.network.services import lock_day_open_for_orders, record_pickup
from marketplace.checkout.selectors import order_pickup_details
from marketplace.core.sending import send_once
from marketplace.partner.stock import lock_and_check_stock
from marketplace.shipping.methods import PickupSlot
from marketplace.shop_setup import pay_at_pickup_source_type
from producers.quotas import check_day_quotas

Basket = get_model("basket", "Basket")
Order = get_model("order", "Order")
Source = get_model("payment", "Source")
OrderCreator = get_class("order.utils", "OrderCreator")
OrderDispatcher = get_class("order.utils", "OrderDispatcher")
OrderNumberGenerator = get_class("order.utils", "OrderNumberGenerator")
OrderTotalCalculator = get_class("checkout.calculators", "OrderTotalCalculator")
Selector = get_class("partner.strategy", "Selector")
logger = logging.getLogger(__name__)


def send_order_confirmation_email(order_id: int) -> None:
    """Email the member their order. Once only, even when a worker dies mid-send
    (``send_once``): a second call for the same order does nothing, and one after a crash
    logs that it may not have been sent."""
    order = Order.objects.select_related("user").filter(pk=order_id).first()
    if order is None:
        logger.warning("Order %s is gone; no confirmation to send.", order_id)
        return
    if order.communication_events.filter(event_type__code="ORDER_PLACED").exists():
        return
    context = {
        "user": order.user,
        "order": order,
        "lines": list(order.lines.order_by("pk")),
        "status_path": reverse("customer:order", kwargs={"order_number": order.number}),
        # Our templates (templates/oscar/communication/emails/commtype_order_placed_*): where
        # and when to collect, until when to cancel, on the Paris wall clock.
        "pickup": order_pickup_details(order),
        "pickups_url": settings.SITE_URL + reverse("deliveries:upcoming-orders"),
        "order_url": settings.SITE_URL
        + reverse("customer:order", kwargs={"order_number": order.number}),
    }
    # In the site's language, like every email we send (the worker has no request to follow).
    with send_once(f"order-confirmation:{order.pk}") as sending:
        if sending:
            with translation.override(settings.LANGUAGE_CODE):
                OrderDispatcher(logger=logger).send_order_placed_email_for_user(order, context)


def lock_for_day(basket, day_id: int, at=None):
    """Inside the order's transaction: lock the distribution day and check it is open (which
    also serialises the day's quotas), lock and check stock, check the quotas. Returns the day;
    raises UnableToPlaceOrder with a message for the member."""
    try:
        day = lock_day_open_for_orders(day_id, at=at)
    except DayNotOpenForOrders as error:
        raise UnableToPlaceOrder(str(error)) from error
    lock_and_check_stock(basket)
    check_day_quotas(basket, day.pk)
    return day


@transaction.atomic
def place_order_for_day(user, items, day_id: int, *, at=None):
    """Place an order paid at pickup for a distribution day outside the checkout pages (demo
    data, imports, benchmarks): the same checks, Oscar's OrderCreator, one transaction.
    ``at``: when the order was placed, for history (the day must have been open then)."""
    basket = Basket.objects.create(owner=user)
    basket.strategy = Selector().strategy(user=user)
    for product, quantity in items:
        basket.add_product(product, quantity)
    day = lock_for_day(basket, day_id, at=at)
    method = PickupSlot(day)
    charge = method.calculate(basket)
    total = OrderTotalCalculator().calculate(basket, charge)
    order = OrderCreator().place_order(
        basket=basket,
        total=total,
        shipping_method=method,
        shipping_charge=charge,
        user=user,
        order_number=OrderNumberGenerator().order_number(basket),
        **({"date_placed": at} if at else {}),
    )
    Source.objects.create(
        order=order,
        source_type=pay_at_pickup_source_type(),
        amount_allocated=total.incl_tax,
        amount_debited=Decimal("0.00"),
        reference=order.number,
    )
    record_pickup(order, day)
    basket.submit()
    return order
