"""The address a request comes from, as far as we can trust it.

``X-Forwarded-For`` is whatever the client sent, with each proxy's view of the previous hop
appended: only the entries our own proxies added can be believed. With
``TRUSTED_PROXY_COUNT = N`` the visitor is the N-th entry from the end; with 0 (no proxy, the
default) the header is ignored and ``REMOTE_ADDR`` is the visitor.
"""

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str | None:
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies > 0:
        hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        hops = [hop for hop in hops if hop]
        if len(hops) >= proxies:
            return hops[-proxies]
    return request.META.get("REMOTE_ADDR") or None
