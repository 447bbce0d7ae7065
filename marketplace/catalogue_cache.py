"""One version number for everything a catalogue page shows.

Rendered product grids are cached under the current version; any change to a product, its
stock, photos or categories bumps the version, so the next page view renders afresh. Signals are
used here (and only here) because Oscar's own dashboard and checkout write these tables too.
"""

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

VERSION_KEY = "catalogue:version"
GRID_TIMEOUT = 60 * 60


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
    ]
    for model in watched:
        post_save.connect(_bump_after_commit, sender=model, dispatch_uid=f"cc-{model.__name__}-s")
        post_delete.connect(_bump_after_commit, sender=model, dispatch_uid=f"cc-{model.__name__}-d")
    m2m_changed.connect(_bump_after_commit, dispatch_uid="cc-m2m")
