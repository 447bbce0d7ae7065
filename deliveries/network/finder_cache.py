"""The pickup-point finder's results, rendered once per search and cached until they may change.

What a search shows depends on the pickup points, their collectives, schedules and closures,
and the distribution days: any change to them bumps one version number (at once and again after
commit), and the next search renders afresh. It also depends on the time: a point's next distribution day stops
being open for orders at its cut-off, so a result is kept at most until the earliest cut-off it
shows. Signals are used (as for the catalogue) because the admin and the calendar's services
write these tables; the calendar's bulk writes, which send no signal, bump the version
themselves.
"""

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.middleware.csrf import get_token
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from marketplace.core.catalogue_cache import CSRF_PLACEHOLDER

VERSION_KEY = "finder:version"
# At most this long, even when nothing changes: a cache shared by no other process (the
# embedded default's local memory) never hears of a change made by the worker.
TIMEOUT = 10 * 60


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


def invalidate() -> None:
    """Every search renders afresh: now, for what reads the change in the same transaction (a
    test's never commits), and again after commit, so that a search rendered meanwhile from
    the old rows is not kept."""
    bump_version()
    transaction.on_commit(bump_version)


@dataclass(frozen=True)
class RenderedPart:
    html: str
    has_results: bool
    # A timestamp: the earliest cut-off shown, or the longest a result is kept.
    expires_at: float

    def seconds_left(self) -> float:
        return self.expires_at - timezone.now().timestamp()


def part_key(parts: Iterable) -> str:
    source = ":".join([str(current_version()), get_language() or "", *map(str, parts)])
    return "finder:" + hashlib.sha1(source.encode()).hexdigest()


def cached_part(
    request, parts: Iterable, render: Callable[[], tuple[str, bool, datetime | None]]
) -> tuple[SafeString, RenderedPart]:
    """The finder's main part for one search, from ``render()`` (its HTML, whether it lists
    points, and the earliest cut-off it shows) once per version, language and ``parts``; the
    visitor's CSRF token put in, unless the whole page is cached (``page_cache``), which puts it
    in on the way out."""
    key = part_key(parts)
    cached = cache.get(key)
    part = RenderedPart(*cached) if cached is not None else None
    if part is None or part.seconds_left() <= 0:
        html, has_results, earliest_cutoff = render()
        expires_at = timezone.now().timestamp() + TIMEOUT
        if earliest_cutoff is not None:
            expires_at = min(expires_at, earliest_cutoff.timestamp())
        part = RenderedPart(html, has_results, expires_at)
        if part.seconds_left() > 0:
            # A plain tuple: what a shared cache holds outlives a change of this class.
            cache.set(key, (html, has_results, expires_at), part.seconds_left())
    html = part.html
    if CSRF_PLACEHOLDER in html and not getattr(request, "is_cached_page", False):
        html = html.replace(CSRF_PLACEHOLDER, get_token(request))
    # Our template's output (deliveries/partials/finder_main.html), every value escaped there.
    return mark_safe(html), part  # noqa: S308


def connect_signals() -> None:
    from deliveries.network.models import (
        Closure,
        Collective,
        DistributionDay,
        PickupPoint,
        Schedule,
    )

    for model in (PickupPoint, Collective, Schedule, Closure, DistributionDay):
        name = model.__name__
        post_save.connect(_bump, sender=model, dispatch_uid=f"finder-{name}-s")
        post_delete.connect(_bump, sender=model, dispatch_uid=f"finder-{name}-d")


def _bump(**kwargs) -> None:
    invalidate()
