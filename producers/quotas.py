"""Quotas per distribution day: what is ordered, what is left, and the check at checkout.

Every order for a day locks that day's row first (``lock_day_open_for_orders``), and so does a
producer changing a quota: reading the ordered quantities under that lock is race-free.
"""

from django.db.models import Sum
from django.utils.translation import gettext as _
from oscar.apps.order.exceptions import UnableToPlaceOrder

from producers.models import DayQuota
from producers.selectors import lines_to_bring


class QuotaExceeded(UnableToPlaceOrder):
    pass


def ordered_for_day(day_id: int, product_ids=None) -> dict[int, int]:
    """Quantity ordered per product for a distribution day (cancelled lines left out)."""
    lines = lines_to_bring(order__pickup__distribution_day_id=day_id)
    if product_ids is not None:
        lines = lines.filter(product_id__in=product_ids)
    return {
        row["product_id"]: row["total"]
        for row in lines.values("product_id").order_by().annotate(total=Sum("quantity"))
    }


def quotas_left(day_id: int | None, product_ids) -> dict[int, int]:
    """What is left for the day of each product that has a quota on it (others are absent)."""
    if day_id is None:
        return {}
    quotas = dict(
        DayQuota.objects.filter(distribution_day_id=day_id, product_id__in=product_ids).values_list(
            "product_id", "quantity"
        )
    )
    if not quotas:
        return {}
    ordered = ordered_for_day(day_id, list(quotas))
    return {pk: max(quantity - ordered.get(pk, 0), 0) for pk, quantity in quotas.items()}


def check_day_quotas(basket, day_id: int) -> None:
    """Raise QuotaExceeded if the basket asks for more than a quota leaves for the day.

    Call with the day's row locked (inside the order's transaction)."""
    wanted: dict[int, int] = {}
    titles: dict[int, str] = {}
    for line in basket.all_lines():
        wanted[line.product_id] = wanted.get(line.product_id, 0) + line.quantity
        titles[line.product_id] = line.product.get_title()
    for pk, left in quotas_left(day_id, list(wanted)).items():
        if wanted[pk] > left:
            raise QuotaExceeded(
                _(
                    "Only %(left)s of “%(title)s” left for this distribution day. Please change "
                    "the quantity or choose another day."
                )
                % {"left": left, "title": titles[pk]}
            )
