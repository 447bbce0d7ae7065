"""Pages are cached under the parameters they read, and nothing else.

Anonymous visitors once filled Redis with 58 MB in 7 seconds through
``/catalogue/?utm_source=x<i>``: each made-up parameter made a new page and a new header in
the cache. Now a made-up parameter lands on the page already cached, while ``?page=2``,
``?sort_by=…`` or the finder's ``?q=35000`` are still cached per value."""

import re
import uuid

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from tests.factories import UserFactory, product_for

pytestmark = pytest.mark.django_db

VISITS = 1000
CSRF_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')


@pytest.fixture(autouse=True)
def local_memory_cache(settings):
    """The local-memory cache, whose entries can be counted, even where the suite runs on Redis."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "page-cache-keys",
        }
    }


@pytest.fixture
def catalogue(producer, settings):
    settings.OSCAR_PRODUCTS_PER_PAGE = 2
    for title in ("Carottes", "Navets", "Poireaux"):
        product_for(producer, title=title)


def entries() -> int:
    """Entries in the local-memory cache of the tests."""
    return len(cache._cache)


FIRST_TIMER = Client()  # one client (loading the middleware once), its cookies dropped each time


def visit(path: str, params: dict | None = None, client: Client | None = None):
    """A first-time visitor (no cookie) unless a client is given. The page without the
    visitor's own CSRF token, which is all that differs between two visitors' copies."""
    if client is None:
        client = FIRST_TIMER
        client.cookies.clear()
    response = client.get(path, params or {})
    assert response.status_code == 200
    return CSRF_TOKEN.sub("", response.content.decode())


def test_made_up_parameters_make_no_new_cache_entries(catalogue):
    index = reverse("catalogue:index")
    first = visit(index)
    before = entries()

    pages = [visit(index, {"utm_source": f"x{i}"}) for i in range(VISITS)]

    assert entries() - before <= 3
    assert set(pages) == {first}  # the page other visitors get
    assert "utm_source" not in first


def test_a_signed_in_members_header_is_not_cached_per_made_up_url(catalogue):
    member = Client()
    member.force_login(UserFactory())
    index = reverse("catalogue:index")
    visit(index, client=member)
    before = entries()

    for i in range(200):
        page = visit(index, {"utm_source": f"x{i}", "page": "2"}, client=member)

    assert entries() - before <= 5
    # The language switch comes back to the page, without the made-up parameter.
    assert f'name="next" type="hidden" value="{index}?page=2"' in page


def test_parameters_a_page_reads_are_cached_per_value(catalogue):
    index = reverse("catalogue:index")
    first_page = visit(index)
    second_page = visit(index, {"page": "2"})
    by_price = visit(index, {"sort_by": "price-desc"})
    before = entries()

    again = [
        visit(index, {"page": "2", "utm_campaign": "hiver"}),
        visit(index, {"sort_by": "price-desc", "fbclid": "abc"}),
    ]

    assert entries() == before  # both served from the cache
    assert again == [second_page, by_price]
    assert "Poireaux" in second_page and "Poireaux" not in first_page
    assert len({first_page, second_page, by_price}) == 3


@pytest.fixture
def bruz_search(db):
    """The finder searched for two postcodes: each its own cached page."""
    finder = reverse("deliveries:finder")
    return {q: visit(finder, {"q": q}) for q in ("35000", "35170")}


def test_the_finder_is_cached_per_search_and_ignores_made_up_parameters(bruz_search):
    finder = reverse("deliveries:finder")
    before = entries()

    rennes = [visit(finder, {"q": "35000", "utm_source": f"x{i}"}) for i in range(100)]
    plain = visit(finder, {"utm_source": "x"})

    assert entries() - before <= 2  # the plain finder page, once
    assert set(rennes) == {bruz_search["35000"]}
    assert bruz_search["35000"] != bruz_search["35170"]
    assert "invalid-feedback" not in plain  # not a search without a postcode


# The same on Redis, counting the keys it holds


def redis_cache_settings(prefix: str) -> dict:
    return {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/13",
            "KEY_PREFIX": prefix,
        }
    }


@pytest.fixture
def redis_cache(settings):
    """The cache on a Redis database of the machine's, under a key prefix of this test's own;
    only those keys are counted and removed."""
    redis = pytest.importorskip("redis")
    try:
        redis.Redis.from_url("redis://127.0.0.1:6379/13", socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    prefix = f"inputs-test-{uuid.uuid4().hex[:8]}"

    def count() -> int:
        return sum(1 for _key in client.scan_iter(match=f"{prefix}:*", count=1000))

    local_memory = settings.CACHES
    settings.CACHES = redis_cache_settings(prefix)
    client = cache._cache.get_client(write=True)
    yield count
    for key in client.scan_iter(match=f"{prefix}:*", count=1000):
        client.delete(key)
    settings.CACHES = local_memory  # the suite's cache.clear() after the test must not flush Redis


@pytest.mark.integration
def test_on_redis_made_up_parameters_make_no_new_keys(catalogue, redis_cache):
    index = reverse("catalogue:index")
    visit(index)
    visit(index, {"page": "2"})
    before = redis_cache()

    for i in range(VISITS):
        visit(index, {"utm_source": f"x{i}"})
    visit(index, {"sort_by": "price-desc"})

    assert before >= 3
    assert redis_cache() - before <= 3  # the page sorted by price, its main part
