"""The finder renders a search once and serves it from the cache until something it shows changes:
a point, its schedules or closures, its calendar, or the cut-off of a day it offers."""

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse

from deliveries.models import Closure
from deliveries.network.services import materialise_distribution_days
from tests.factories import BRUZ, PickupPointFactory, ScheduleFactory, UserFactory

pytestmark = pytest.mark.django_db

SEARCH = {"q": "35170"}


@pytest.fixture
def bruz():
    point = PickupPointFactory(name="Halle de Bruz", **BRUZ)
    ScheduleFactory(pickup_point=point, weekday=4, valid_from=dt.date(2020, 1, 3))
    materialise_distribution_days()
    return point


def search(client=None):
    return (client or Client()).get(reverse("deliveries:finder"), SEARCH)


def next_day_shown(response) -> str:
    found = re.search(
        r'<p class="mb-1"><strong>[^<]+</strong> ([^—]+) —', response.content.decode()
    )
    assert found, "no next distribution on the page"
    return found.group(1).strip()


def test_a_search_already_made_costs_no_query(bruz, django_assert_num_queries):
    first = search()

    with django_assert_num_queries(0):
        again = search()

    assert "Halle de Bruz" in again.content.decode()
    assert next_day_shown(again) == next_day_shown(first)


def test_a_signed_in_member_gets_the_cached_results_with_only_the_pages_own_queries(
    bruz, django_assert_max_num_queries
):
    search()
    client = Client()
    client.force_login(UserFactory())
    search(client)  # the member's session and header warm

    with django_assert_max_num_queries(3):
        response = search(client)

    assert "Halle de Bruz" in response.content.decode()


def test_each_visitor_gets_their_own_csrf_token_to_order_for_a_day(bruz):
    search()  # cached for everyone
    client = Client(enforce_csrf_checks=True)
    response = search(client)
    page = response.content.decode()

    assert "__csrf_token_placeholder__" not in page
    action, token = re.search(
        r'<form method="post" action="([^"]+)"[^>]*>\s*'
        r'<input type="hidden" name="csrfmiddlewaretoken" value="([^"]+)">',
        page,
    ).groups()
    chosen = client.post(action, {"csrfmiddlewaretoken": token})
    assert chosen.status_code == 302 and chosen.url == reverse("catalogue:index")


def test_a_renamed_point_shows_at_the_next_search(bruz):
    search()
    bruz.name = "Marché couvert de Bruz"
    bruz.save()

    assert "Marché couvert de Bruz" in search().content.decode()


def test_a_closure_moves_the_next_day_at_the_next_search(bruz):
    before = search()
    first = bruz.distribution_days.filter(state="open").order_by("starts_at").first()
    Closure.objects.create(pickup_point=bruz, start_date=first.date, end_date=first.date)
    materialise_distribution_days()  # the calendar's bulk writes

    assert next_day_shown(search()) != next_day_shown(before)


def test_once_a_days_orders_close_the_next_search_offers_the_following_day(bruz, clock):
    # A member: the whole page a first-time visitor gets expires with the cache's own clock,
    # which Redis keeps (the test's clock moves only this process's).
    member = Client()
    member.force_login(UserFactory())
    before = search(member)
    first = bruz.distribution_days.filter(state="open").order_by("starts_at").first()

    clock.now = first.cutoff_at + dt.timedelta(minutes=1)

    assert next_day_shown(search(member)) != next_day_shown(before)
