import hashlib

from django import template
from django.conf import settings
from django.core.cache import cache
from django.core.signing import BadSignature, Signer
from django.db import connection
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils.functional import empty
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from oscar.core.loading import get_model

from marketplace.core.catalogue_cache import CSRF_PLACEHOLDER
from marketplace.core.page_cache import page_path

Basket = get_model("basket", "Basket")
Line = get_model("basket", "Line")

register = template.Library()


@register.simple_tag(takes_context=True)
def cart_item_count(context) -> int:
    return cart_item_count_of(context["request"])


def cart_item_count_of(request) -> int:
    """How many items are in the visitor's cart, for the header, in one small query.

    Loading Oscar's ``request.basket`` (creating it, applying offers, pricing every line) costs
    more than the rest of a cached catalogue page; the header only needs a sum. Pages that use
    the basket anyway (cart, checkout) have it loaded already and we read it from there.
    """
    basket = getattr(request, "basket", None)
    if basket is not None and getattr(basket, "_wrapped", empty) is not empty:
        return basket.num_items if basket.id else 0
    if request.user.is_authenticated:
        return open_cart_item_count("b.owner_id = %s", request.user.pk)
    # The anonymous cart's id, signed in Oscar's basket cookie.
    cookie = request.COOKIES.get(settings.OSCAR_BASKET_COOKIE_OPEN)
    if not cookie:
        return 0
    try:
        basket_id = int(Signer().unsign(cookie))
    except (BadSignature, ValueError):
        return 0
    return open_cart_item_count("b.id = %s AND b.owner_id IS NULL", basket_id)


def open_cart_item_count(condition: str, value: int) -> int:
    """The items in the open cart that ``condition`` picks: one SELECT written out, as the
    ORM took longer to build it than the database to answer it, on every signed-in page."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COALESCE(SUM(l.quantity), 0) FROM {quote(Line._meta.db_table)} l "  # noqa: S608
            f"INNER JOIN {quote(Basket._meta.db_table)} b ON l.basket_id = b.id "
            f"WHERE b.status = %s AND {condition}",
            [Basket.OPEN, value],
        )
        return int(cursor.fetchone()[0])


@register.simple_tag(takes_context=True)
def chosen_pickup_day(context):
    """The distribution day the visitor is shopping for, if they chose one (no query if not)."""
    from deliveries.network.chosen_day import chosen_day

    request = context.get("request")
    return chosen_day(request) if request is not None else None


HEADER_TIMEOUT = 300  # seconds; a renamed point or a new translation shows within minutes
# Where the language switch's ``next`` field goes in the cached header.
NEXT_PATH_PLACEHOLDER = "__next_path_placeholder__"


def header_values(request, is_producer) -> dict:
    """What the header shows of the visitor, the page's search words aside: worked out once a
    request, for the page cache's key (``person_on_page``) and for the header."""
    from deliveries.network.chosen_day import chosen_day

    values = getattr(request, "_header_values", None)
    if values is None:
        values = request._header_values = {
            "n": cart_item_count_of(request),
            "shopping_day": chosen_day(request),
            "is_producer": is_producer() if callable(is_producer) else is_producer,
        }
    return values


def person_source(request, values: dict) -> tuple:
    day = values["shopping_day"]
    return (
        request.user.pk,
        request.user.is_staff,
        get_language(),
        values["n"],
        values["is_producer"],
        day and (day.pk, day.starts_at, day.pickup_point.name),
    )


def person_on_page(request) -> str:
    """Everything a page shows of the visitor (``settings.PAGE_CACHE_PERSON``): the page cache
    keeps their page under it, so that signing in or out, a cart changed or another day chosen
    renders it afresh."""
    from marketplace.context_processors import site_roles

    values = header_values(request, site_roles(request)["is_producer"])
    return repr(person_source(request, values))


@register.simple_tag(takes_context=True)
def site_header(context) -> str:
    """The header of every page, rendered once per person, cart and chosen day.

    Rendered in full it costs as much as the rest of a cached page (menu links, language
    switch, two CSRF tokens); what it shows depends only on what the key holds. Its forms'
    CSRF token is a placeholder in the cache, replaced by this visitor's own on the way out
    (or, on a page rendered for the page cache, by the page cache).
    """
    request = context["request"]
    values = {
        **header_values(request, context.get("is_producer", False)),
        "header_search_query": context.get("header_search_query", ""),
    }
    source = repr((*person_source(request, values), values["header_search_query"]))
    key = "header:" + hashlib.sha1(source.encode()).hexdigest()
    html = cache.get(key)
    if html is None:
        values["csrf_token"] = CSRF_PLACEHOLDER
        values["next_path"] = NEXT_PATH_PLACEHOLDER
        html = render_to_string("marketplace/site_header.html", values, request=request)
        cache.set(key, html, HEADER_TIMEOUT)
    # The page's path is put in now, not kept in the key: one header per person and cart, not
    # one per URL anyone can make up (/catalogue/?utm_source=x1, x2…).
    html = html.replace(NEXT_PATH_PLACEHOLDER, escape(page_path(request)))
    if not getattr(request, "is_cached_page", False):
        html = html.replace(CSRF_PLACEHOLDER, get_token(request))
    return mark_safe(html)  # our own template's output, every value escaped there or above


# Oscar's pages script their forms (basket formsets, checkout, the account's dropdowns and
# notifications) with jQuery, Bootstrap's plugins and Oscar's ui.js; so do the checkout views we
# fork. Our own pages need none of it (55 KiB compressed, 180 KB to parse on a phone).
OSCAR_SCRIPTED_NAMESPACES = {"basket", "checkout", "customer"}


@register.filter
def needs_oscar_scripts(request) -> bool:
    """``{% if request|needs_oscar_scripts %}``: the page is one of Oscar's."""
    match = getattr(request, "resolver_match", None)
    if match is None:  # error pages
        return False
    return match.func.__module__.startswith("oscar.") or not OSCAR_SCRIPTED_NAMESPACES.isdisjoint(
        match.namespaces
    )


# The pages whose Oscar template starts one of ui.js's page scripts in an inline
# ``{% block onbodyload %}``: js/oscar_pages.js starts it instead (no inline script: the
# Content-Security-Policy refuses them).
OSCAR_PAGE_SCRIPTS = {
    "basket:summary": "basket",
    "checkout:index": "checkout-gateway",
    "customer:notifications-inbox": "notifications",
    "customer:notifications-archive": "notifications",
    "customer:wishlists-list": "wishlists",
}


@register.filter
def oscar_page_script(request) -> str:
    """``data-page="{{ request|oscar_page_script }}"``: which of ui.js's page scripts to start."""
    match = getattr(request, "resolver_match", None)
    return OSCAR_PAGE_SCRIPTS.get(match.view_name, "") if match is not None else ""
