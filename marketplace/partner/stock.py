"""Stock row locks, kept in one place.

Oscar allocates stock with an unconditional ``F()`` update; two members buying the last jar at
the same moment would both succeed. Before an order is created its stock records are locked in
id order and checked, inside the order's transaction, so stock never goes below zero.
"""

from django.utils.translation import gettext as _
from oscar.apps.order.exceptions import UnableToPlaceOrder
from oscar.core.loading import get_model

StockRecord = get_model("partner", "StockRecord")


class NotEnoughStock(UnableToPlaceOrder):
    pass


def lock_and_check_stock(basket) -> None:
    """Lock the basket's stock records and raise NotEnoughStock if any line cannot be served."""
    wanted: dict[int, int] = {}
    titles: dict[int, str] = {}
    for line in basket.all_lines():
        if line.stockrecord_id is None:
            continue
        wanted[line.stockrecord_id] = wanted.get(line.stockrecord_id, 0) + line.quantity
        titles[line.stockrecord_id] = line.product.get_title()
    locked = (
        StockRecord.objects.select_for_update()
        .filter(pk__in=wanted)
        .order_by("pk")
        .only("pk", "num_in_stock", "num_allocated")
    )
    for record in locked:
        if record.num_in_stock is None:
            continue
        available = record.num_in_stock - (record.num_allocated or 0)
        if wanted[record.pk] > available:
            raise NotEnoughStock(
                _("Only %(available)s left of “%(title)s”. Please change the quantity.")
                % {"available": max(available, 0), "title": titles[record.pk]}
            )
