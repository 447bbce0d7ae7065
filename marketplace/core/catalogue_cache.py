"""One version number for everything a catalogue page shows, and HTML cached under it.

The main part of the catalogue, category, product and producer pages is rendered once per
catalogue version and cached; any change to a product, its stock, photos, categories or
producer bumps the version, so the next page view renders afresh. Signals are used here (and
only here) because Oscar's own dashboard and checkout write these tables too.
"""

import hashlib
from collections.abc import Callable, Iterable

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.middleware.csrf import get_token
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

VERSION_KEY = "catalogue:version"
GRID_TIMEOUT = 60 * 60
# Cached HTML holds this where a form's CSRF token goes; each visitor's own is put in on the way
# out. Templates rendered for the cache write {{ csrf_placeholder }} instead of {% csrf_token %}.
CSRF_PLACEHOLDER = "__csrf_token_placeholder__"


def current_version() -> int:
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, 1, timeout=None)
        version = cache.get(VERSION_KEY, 1)
    return version


def bump_version() -> None:
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.add(VERSION_KEY, 2, timeout=None)


def price_variant(request) -> str:
    """The prices this visitor sees, by name ("" when they are everyone's): the shop's strategy
    says it (a reduced-tier member sees other prices on staples)."""
    return getattr(getattr(request, "strategy", None), "price_variant", "")


def cached_html(request, parts: Iterable, render: Callable[[], str]) -> SafeString:
    """HTML from ``render()``, rendered once per catalogue version, language, prices seen and
    ``parts``.

    ``render`` may raise (Http404 for a bad page number): nothing is cached then.
    """
    source = ":".join(
        [str(current_version()), get_language() or "", price_variant(request), *map(str, parts)]
    )
    key = "html:" + hashlib.sha1(source.encode()).hexdigest()
    html = cache.get(key)
    if html is None:
        html = render()
        cache.set(key, html, GRID_TIMEOUT)
    if CSRF_PLACEHOLDER in html and not getattr(request, "is_cached_page", False):
        html = html.replace(CSRF_PLACEHOLDER, get_token(request))
    # ``render()`` is one of our templates rendered, every value escaped there.
    return mark_safe(html)  # noqa: S308


def _bump_after_commit(**kwargs) -> None:
    transaction.on_commit(bump_version)


def connect_signals() -> None:
    from oscar.core.loading import get_model

    watched = [
        get_model("catalogue", "Product"),
        get_model("catalogue", "ProductImage"),
        get_model("catalogue", "Category"),
        get_model("catalogue", "ProductCategory"),
        get_model("partner", "StockRecord"),
        get_model("partner", "Partner"),
        get_model("producers", "Producer"),
        get_model("producers", "ProductSheet"),
        get_model("producers", "DayQuota"),
    ]
    for model in watched:
        post_save.connect(_bump_after_commit, sender=model, dispatch_uid=f"cc-{model.__name__}-s")
        post_delete.connect(_bump_after_commit, sender=model, dispatch_uid=f"cc-{model.__name__}-d")
    m2m_changed.connect(_bump_after_commit, dispatch_uid="cc-m2m")
