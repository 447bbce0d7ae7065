from django import template
from django.db.models import Sum

register = template.Library()


@register.simple_tag(takes_context=True)
def cart_item_count(context) -> int:
    """How many items are in the visitor's cart, for the header.

    Oscar's ``num_items`` loads every line with its prices and stock to add up quantities; the
    header only needs the sum, one small query (none for a visitor without a cart).
    """
    basket = context["request"].basket
    if not basket.id:
        return 0
    if getattr(basket, "_lines", None) is not None:
        return basket.num_items
    return basket.lines.aggregate(total=Sum("quantity"))["total"] or 0
