"""A signed-in member's page is cached whole (``page_cache``), and their session is read in one
query (``marketplace.core.sessions``): what they see stays theirs and up to date."""

import os
import re
import subprocess
import sys
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from tests.factories import DistributionDayFactory, UserFactory, product_for

pytestmark = pytest.mark.django_db

SESSION_ENGINES = ["marketplace.core.sessions.db", "marketplace.core.sessions.cached_db"]
CSRF_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="(\w{64})"')


def cart_badge(page: str) -> str | None:
    found = re.search(r'<span class="badge badge-light">(\d+)', page)
    return found and found.group(1)


def is_signed_in(page: str) -> bool:
    signed_in = reverse("customer:logout") in page
    assert signed_in != (reverse("customer:login") in page)
    return signed_in


def page_of(client: Client, url: str | None = None) -> str:
    response = client.get(url or reverse("catalogue:index"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "__csrf_token_placeholder__" not in page
    return page


@pytest.fixture
def signed_in(client, member):
    client.force_login(member)
    return client


def test_the_header_counts_what_was_just_added_to_the_cart(signed_in, producer):
    carrots = product_for(producer, title="Carottes")
    page_of(signed_in)
    assert cart_badge(page_of(signed_in)) is None  # the second one from the cache

    signed_in.post(reverse("basket:add", kwargs={"pk": carrots.pk}), {"quantity": 2})
    assert cart_badge(page_of(signed_in)) == "2"
    signed_in.post(reverse("basket:add", kwargs={"pk": carrots.pk}), {"quantity": 1})
    assert cart_badge(page_of(signed_in)) == "3"


def test_signing_out_shows_the_page_signed_out(signed_in, producer):
    product_for(producer)
    finder = reverse("deliveries:finder") + "?q=35170"
    for url in (None, finder):
        page_of(signed_in, url)
        assert is_signed_in(page_of(signed_in, url))

    signed_in.post(reverse("customer:logout"))

    for url in (None, finder):
        assert not is_signed_in(page_of(signed_in, url))


@pytest.mark.parametrize("engine", SESSION_ENGINES)
def test_signing_out_in_one_tab_signs_out_the_other(settings, member, producer, engine):
    settings.SESSION_ENGINE = engine
    product_for(producer)
    tab = Client()
    tab.force_login(member)
    other_tab = Client()
    other_tab.cookies = tab.cookies
    assert is_signed_in(page_of(other_tab)) and is_signed_in(page_of(other_tab))

    tab.post(reverse("customer:logout"))

    assert not is_signed_in(page_of(other_tab))


def test_an_expired_session_is_signed_out(settings, signed_in, clock):
    settings.SESSION_ENGINE = "marketplace.core.sessions.db"
    assert is_signed_in(page_of(signed_in))

    clock.now += timedelta(seconds=settings.SESSION_COOKIE_AGE + 1)

    assert not is_signed_in(page_of(signed_in))


def test_a_session_unknown_to_the_database_is_signed_out(signed_in):
    assert is_signed_in(page_of(signed_in))

    Session.objects.all().delete()  # e.g. cleared by an administrator
    cache.clear()

    assert not is_signed_in(page_of(signed_in))


def test_two_members_never_get_each_others_page(producer):
    product_for(producer, title="Kiwis")
    staff, plain = Client(), Client()
    staff.force_login(UserFactory(is_staff=True))
    plain.force_login(UserFactory())
    dashboard = reverse("dashboard:index")

    staff_pages = [page_of(staff), page_of(staff)]
    plain_pages = [page_of(plain), page_of(plain)]

    assert all(dashboard in page for page in staff_pages)
    assert not any(dashboard in page for page in plain_pages)
    staff_tokens = {token for page in staff_pages for token in CSRF_TOKEN.findall(page)}
    plain_tokens = {token for page in plain_pages for token in CSRF_TOKEN.findall(page)}
    assert staff_tokens and plain_tokens and not staff_tokens & plain_tokens


def test_a_message_shows_once_on_a_page_that_was_cached(signed_in, clock):
    closed = DistributionDayFactory(cutoff_at=clock.now - timedelta(hours=1))
    finder = reverse("deliveries:finder")
    page_of(signed_in, finder)
    page_of(signed_in, finder)  # from the cache

    refused = signed_in.post(reverse("deliveries:choose-day", kwargs={"pk": closed.pk}))
    shown = page_of(signed_in, refused.url)
    again = page_of(signed_in, refused.url)

    assert refused.url == finder
    assert shown.count('class="alert') == 1
    assert 'class="alert' not in again


def test_the_day_chosen_shows_in_the_header_of_a_page_that_was_cached(signed_in, producer):
    product_for(producer)
    day = DistributionDayFactory(pickup_point__name="Halle de Bruz")
    page_of(signed_in)
    page_of(signed_in)

    chosen = signed_in.post(reverse("deliveries:choose-day", kwargs={"pk": day.pk}))
    shown = page_of(signed_in, chosen.url)
    again = page_of(signed_in, chosen.url)

    assert shown.count('class="alert') == 1 and "Halle de Bruz" in shown
    assert 'class="alert' not in again
    assert "Halle de Bruz" in again


def test_the_header_drops_a_day_once_its_orders_close(signed_in, producer, clock):
    product_for(producer)
    day = DistributionDayFactory(pickup_point__name="Halle de Bruz")
    signed_in.post(reverse("deliveries:choose-day", kwargs={"pk": day.pk}))
    page_of(signed_in)
    assert "Halle de Bruz" in page_of(signed_in)

    clock.now = day.cutoff_at + timedelta(minutes=1)

    assert "Halle de Bruz" not in page_of(signed_in)


def test_a_signed_in_catalogue_page_costs_three_queries(
    signed_in, producer, django_assert_max_num_queries
):
    for index in range(30):
        product_for(producer, title=f"Légume {index:02d}")
    page_of(signed_in)

    # The session (none when Redis holds it), the person, their cart's count.
    with django_assert_max_num_queries(3):
        page = page_of(signed_in)

    assert is_signed_in(page) and "Légume 00" in page


def test_the_finder_signed_in_costs_three_queries_too(signed_in, django_assert_max_num_queries):
    url = reverse("deliveries:finder") + "?q=35170"
    page_of(signed_in, url)

    with django_assert_max_num_queries(3):
        assert is_signed_in(page_of(signed_in, url))


@pytest.mark.parametrize(
    ("redis_url", "engine"),
    [("", "marketplace.core.sessions.db"), ("redis://127.0.0.1:1/0", SESSION_ENGINES[1])],
)
def test_sessions_go_through_the_cache_only_when_every_process_shares_it(redis_url, engine):
    """Each process's local memory would keep a session another process signed out."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"REDIS_URL", "REDIS_CACHE_URL", "DATABASE_URL"}
    }
    environment.update(REDIS_URL=redis_url, VAR_DIR=str(settings.VAR_DIR))
    printed = subprocess.run(
        [sys.executable, "-c", "import marketplace.settings as s; print(s.SESSION_ENGINE)"],
        env=environment,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    ).stdout

    assert printed.strip() == engine
