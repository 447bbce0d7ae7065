"""Whole catalogue pages for visitors who have nothing of their own on them yet.

A first-time visitor (no session, no cart, no pending message) sees exactly what every other
such visitor sees, so the whole page is cached under the catalogue version, the language and
the URL; only the CSRF token is the visitor's own, put in on the way out. Everyone else gets
the page rendered around its cached main part (``catalogue_cache.cached_html``).
"""

import hashlib
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils.encoding import escape_uri_path
from django.utils.translation import get_language

from marketplace.core import catalogue_cache
from marketplace.core.catalogue_cache import CSRF_PLACEHOLDER

PERSONAL_COOKIES = (
    settings.SESSION_COOKIE_NAME,
    settings.OSCAR_BASKET_COOKIE_OPEN,
    "messages",
)


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
    source = ":".join(
        [str(catalogue_cache.current_version()), get_language() or "", page_path(request)]
    )
    return "page:" + hashlib.sha1(source.encode()).hexdigest()


class AnonymousPageCacheMixin:
    """For class-based views rendering a TemplateResponse. ``page_parameters``: the names of
    the query parameters the page reads; the others are ignored (``page_path``)."""

    page_parameters: tuple[str, ...] = ()

    def dispatch(self, request, *args, **kwargs):
        request.page_parameters = self.page_parameters
        self.is_shared_page = is_anonymous_first_visit(request)
        # The cached parts of a shared page keep the CSRF placeholder (catalogue_cache): it is
        # replaced in the whole page, with each visitor's own token, on the way out.
        request.is_shared_page = self.is_shared_page
        if not self.is_shared_page:
            return super().dispatch(request, *args, **kwargs)
        key = self.shared_page_key(request)
        html = cache.get(key)
        if html is not None:
            response = HttpResponse(html)
        else:
            response = super().dispatch(request, *args, **kwargs)
            if response.status_code != 200 or not hasattr(response, "render"):
                return response
            response.render()
            html = response.content.decode()
            timeout = self.shared_page_timeout()
            if not request.session.modified and timeout > 0:
                cache.set(key, html, timeout)
        response.content = html.replace(CSRF_PLACEHOLDER, get_token(request))
        return response

    def shared_page_key(self, request) -> str:
        return page_key(request)

    def shared_page_timeout(self) -> float:
        """Seconds the page just rendered may be served from the cache."""
        return catalogue_cache.GRID_TIMEOUT

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        if self.is_shared_page:
            # Overrides the csrf context processor: {% csrf_token %} writes the placeholder.
            ctx["csrf_token"] = CSRF_PLACEHOLDER
        return ctx
