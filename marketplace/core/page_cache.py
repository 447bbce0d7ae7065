"""Whole catalogue pages: one that first-time visitors share, and one per person.

A first-time visitor (no session, no cart, no pending message) sees exactly what every other
such visitor sees, so the whole page is cached under the language and the URL, with the
catalogue version it shows (``page_versions``); only the CSRF token is the visitor's own, put
in on the way out.

Everyone else sees the same page plus what the header shows of them: who they are, their
cart's count, the distribution day they shop for (``settings.PAGE_CACHE_PERSON`` names the
function that says it: the header's, which the kernel cannot import). Their page is cached
under that and the shared page's key, for a few minutes, so that any change to it (signing in
or out, adding to the cart, choosing a day) is a new key, never a stale copy; and only while
they have no message pending, which must show on the page. Their CSRF token is put in on the
way out too. The parts of the page (``catalogue_cache.cached_html``) are cached for everyone.
"""

import hashlib
from functools import cache as memoized
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils import timezone
from django.utils.encoding import escape_uri_path
from django.utils.module_loading import import_string
from django.utils.translation import get_language

from marketplace.core import catalogue_cache
from marketplace.core.catalogue_cache import CSRF_PLACEHOLDER

PERSONAL_COOKIES = (
    settings.SESSION_COOKIE_NAME,
    settings.OSCAR_BASKET_COOKIE_OPEN,
    "messages",
)
# Seconds a person's page is kept: their header's (a renamed pickup point shows within minutes).
PERSONAL_PAGE_TIMEOUT = 300


def is_anonymous_first_visit(request) -> bool:
    return request.method == "GET" and not any(c in request.COOKIES for c in PERSONAL_COOKIES)


def page_path(request) -> str:
    """The page's path with only the query parameters the page reads (``page_parameters``, set
    by ``AnonymousPageCacheMixin``), in a fixed order: what a shared page is cached under and
    what the language switch comes back to. Anything else (``utm_source``, ``fbclid``…) changes
    nothing on the page, so it must not make a new cache entry, nor be copied into the page that
    other visitors get. Pages that do not say which parameters they read keep the full path."""
    names = getattr(request, "page_parameters", None)
    if names is None:
        return request.get_full_path()
    params = [(name, request.GET[name]) for name in sorted(names) if name in request.GET]
    query = urlencode(params)
    return escape_uri_path(request.path) + (f"?{query}" if query else "")


def page_key(request) -> str:
    """The page a first-time visitor gets. The versions it was rendered under are kept with it
    (``AnonymousPageCacheMixin.page_versions``), not in its key: the page and the versions are
    then read in one round trip, and a change leaves no page behind under an old key."""
    source = ":".join([get_language() or "", page_path(request)])
    return "whole-page:" + hashlib.sha1(source.encode()).hexdigest()


def current_versions(names: tuple[str, ...], found: dict) -> tuple:
    """The version numbers ``names`` (cache keys, as ``catalogue_cache.VERSION_KEY``), from
    what one read of the cache ``found``; one that is not there yet starts at 1."""
    versions = []
    for name in names:
        version = found.get(name)
        if version is None:
            cache.add(name, 1, timeout=None)
            version = cache.get(name, 1)
        versions.append(version)
    return tuple(versions)


@memoized
def _person_function(path: str):
    return import_string(path)


def person_on_page(request) -> str | None:
    """What the page shows of this visitor (``settings.PAGE_CACHE_PERSON``), or None: their
    page is not cached."""
    path = getattr(settings, "PAGE_CACHE_PERSON", "")
    return _person_function(path)(request) if path else None


def fresh_html(cached, versions: tuple) -> str | None:
    """A page from the cache, unless what it shows changed since (``versions``) or it outlived
    the time it was given (a finder page, until the earliest cut-off it shows): checked on our
    clock, not only the cache's."""
    if not isinstance(cached, tuple) or len(cached) != 3:
        return None
    html, rendered_under, expires_at = cached
    if rendered_under != versions or expires_at <= timezone.now().timestamp():
        return None
    return html


def has_pending_messages(request) -> bool:
    """Messages waiting to be shown (counting them does not mark them shown)."""
    return bool(len(messages.get_messages(request)))


class AnonymousPageCacheMixin:
    """For class-based views rendering a TemplateResponse: the whole page cached, for
    first-time visitors and for each person (the module's docstring). ``page_parameters``: the
    names of the query parameters the page reads; the others are ignored (``page_path``)."""

    page_parameters: tuple[str, ...] = ()
    # The versions (their cache keys) of everything the page shows: a change to any of them
    # renders the page afresh.
    page_versions: tuple[str, ...] = (catalogue_cache.VERSION_KEY,)

    def dispatch(self, request, *args, **kwargs):
        request.page_parameters = self.page_parameters
        self.is_shared_page = is_anonymous_first_visit(request)
        if self.is_shared_page:
            key = self.shared_page_key(request)
        else:
            key = self.personal_page_key(request)
        # A page rendered for the cache, and its cached parts (catalogue_cache), keep the CSRF
        # placeholder: it is replaced in the whole page, with the visitor's own token, on the
        # way out.
        self.is_cached_page = request.is_cached_page = key is not None
        if key is None:
            return super().dispatch(request, *args, **kwargs)
        found = cache.get_many([key, *self.page_versions])
        versions = current_versions(self.page_versions, found)
        html = fresh_html(found.get(key), versions)
        if html is not None:
            response = HttpResponse(html)
        else:
            try:
                response = super().dispatch(request, *args, **kwargs)
            except Exception:
                request.is_cached_page = False  # the error page gets the visitor's own token
                raise
            if not hasattr(response, "render"):
                return response
            response.render()
            html = response.content.decode()
            timeout = self.cached_page_timeout()
            if (
                response.status_code == 200
                and timeout > 0
                and not request.session.modified
                and not has_pending_messages(request)
            ):
                expires_at = timezone.now().timestamp() + timeout
                cache.set(key, (html, versions, expires_at), timeout)
        response.content = html.replace(CSRF_PLACEHOLDER, get_token(request))
        return response

    def shared_page_key(self, request) -> str:
        return page_key(request)

    def personal_page_key(self, request) -> str | None:
        """This page as this visitor sees it; None (not cached) while a message waits to be
        shown on it."""
        if request.method != "GET" or has_pending_messages(request):
            return None
        person = person_on_page(request)
        if person is None:
            return None
        prices = catalogue_cache.price_variant(request)
        source = f"{person}:{prices}:{self.shared_page_key(request)}"
        return "person-page:" + hashlib.sha1(source.encode()).hexdigest()

    def shared_page_timeout(self) -> float:
        """Seconds the page just rendered may be served from the cache."""
        return catalogue_cache.GRID_TIMEOUT

    def cached_page_timeout(self) -> float:
        timeout = self.shared_page_timeout()
        return timeout if self.is_shared_page else min(timeout, PERSONAL_PAGE_TIMEOUT)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        if self.is_cached_page:
            # Overrides the csrf context processor: {% csrf_token %} writes the placeholder.
            ctx["csrf_token"] = CSRF_PLACEHOLDER
        return ctx
