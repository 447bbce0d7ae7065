"""The pages measured, found in the bench database, and the SQL queries each one costs.

Django is set up in this process (after the bench environment is in os.environ) only to find
URLs and to count queries; the timings come from gunicorn.
"""

import os
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import quote

import django

FINDER_SEARCH = "/lieux-de-distribution/?q=35000"


@dataclass(frozen=True)
class Page:
    name: str
    path: str
    # A signed-in member's session: the page is rendered around its cached main part, where a
    # first-time visitor gets the whole page from the cache.
    as_member: bool = False


@dataclass(frozen=True)
class QueryCount:
    status: int
    cold: int  # right after a change: everything rendered from the database
    warm: int
    sql: list[str]


def setup_django(env: Mapping[str, str]) -> None:
    os.environ.update(env)
    django.setup()


def find_pages() -> list[Page]:
    from django.db.models import Count
    from oscar.core.loading import get_model

    from marketplace.search.selectors import catalogue_products

    category_model = get_model("catalogue", "Category")
    category = (
        category_model.objects.filter(is_public=True)
        .annotate(products=Count("product"))
        .order_by("-products", "path")
        .first()
    )
    product = catalogue_products().first()
    if category is None or product is None:
        raise SystemExit("bench: no category or product in the bench database")
    return [
        # The ceiling of this machine, gunicorn and the load client: one SELECT 1, no template.
        Page("healthz", "/healthz"),
        Page("catalogue", "/catalogue/"),
        Page("catalogue_member", "/catalogue/", as_member=True),
        Page("category", category.get_absolute_url()),
        Page("category_member", category.get_absolute_url(), as_member=True),
        Page("product", product.get_absolute_url()),
        Page("product_member", product.get_absolute_url(), as_member=True),
        Page("producers", "/producteurs/"),
        Page("producers_near", "/producteurs/?near=35000"),
        Page("producer_page", product.sheet.producer.get_absolute_url()),
        # The pickup-point finder, searching by postcode (the demo's points are around Rennes).
        Page("finder", FINDER_SEARCH),
        Page("finder_member", FINDER_SEARCH, as_member=True),
    ]


def member_cookie() -> str:
    """A Cookie header for the demo member, signed in."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client

    from marketplace.demo import DEMO_ACCOUNTS

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(get_user_model().objects.get(email=DEMO_ACCOUNTS[0][0]))
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def ascii_path(path: str) -> str:
    return quote(path, safe="/?=&%")


def count_queries(path: str, cookie: str = "") -> QueryCount:
    """Queries of a visit right after a change of the catalogue and of the pickup points
    (cold), then of the next (warm)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from deliveries.network import finder_cache
    from marketplace.core import catalogue_cache

    # A first visit warms what a running site has warm anyway (the session, the visitor's
    # roles); then the catalogue and the pickup points change, and the next two visits are
    # measured.
    Client(HTTP_HOST="127.0.0.1", HTTP_COOKIE=cookie).get(path)
    catalogue_cache.bump_version()
    finder_cache.bump_version()
    counts = []
    for _ in range(2):
        client = Client(HTTP_HOST="127.0.0.1", HTTP_COOKIE=cookie)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path)
        counts.append(len(captured))
    return QueryCount(
        response.status_code, counts[0], counts[1], [q["sql"] for q in captured.captured_queries]
    )
