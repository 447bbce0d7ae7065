"""With a network geocoder, the finder asks it for addresses only, briefly, and a few times a
minute per visitor: towns and postcodes come from the gazetteer and are never limited.

Sixteen anonymous address searches once took 6 to 31 seconds each and stalled other pages. The
BAN geocoder is played by a small HTTP server on 127.0.0.1; nothing reaches the internet."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from deliveries.network import finder_cache
from deliveries.network.services import materialise_distribution_days
from tests.deliveries.test_geocoding_task import ban_server
from tests.factories import BRUZ, PickupPointFactory, ScheduleFactory

pytestmark = pytest.mark.django_db

VISITOR = "203.0.113.7"
TOO_MANY = "You have searched for many addresses in a short time"
NOT_ANSWERING = "The address search is not answering right now"


@pytest.fixture
def fake_ban(settings, monkeypatch):
    with ban_server(settings, monkeypatch) as fake:
        settings.FINDER_GEOCODER_TIMEOUT = 0.5
        yield fake


@pytest.fixture
def bruz(db):
    point = PickupPointFactory(name="Halle de Bruz", **BRUZ)
    ScheduleFactory(pickup_point=point, weekday=4, valid_from=dt.date(2020, 1, 3))
    materialise_distribution_days()
    return point


def search(query: str, visitor: str = VISITOR) -> str:
    """A first-time visitor's search, in English, from ``visitor``'s address."""
    response = Client(REMOTE_ADDR=visitor, HTTP_ACCEPT_LANGUAGE="en").get(
        reverse("deliveries:finder"), {"q": query}
    )
    assert response.status_code == 200
    return response.content.decode()


def test_postcodes_and_towns_never_reach_the_network_geocoder(fake_ban, bruz):
    for query in ("35170", "Bruz", "35170 Bruz", "99999", " 35 170 "):
        search(query)

    assert fake_ban.queries == []
    assert "Halle de Bruz" in search("35170")


def test_an_address_is_found_through_the_network_geocoder(fake_ban, bruz):
    page = search("12 rue de la Motte, Bruz")

    assert fake_ban.queries == ["12 rue de la Motte, Bruz"]
    assert "Halle de Bruz" in page


def test_the_eleventh_address_lookup_in_a_minute_is_refused_but_postcodes_still_work(
    fake_ban, bruz, clock
):
    for number in range(1, 11):
        assert "Halle de Bruz" in search(f"{number} rue de la Motte, Bruz")

    refused = search("11 rue de la Motte, Bruz")
    neighbour = search("11 rue de la Motte, Bruz", visitor="198.51.100.4")
    by_postcode = search("35170")
    known = search("11 rue de la Motte, Bruz")
    again = search("13 rue de la Motte, Bruz")
    clock.now += dt.timedelta(minutes=1)
    next_minute = search("12 rue de la Motte, Bruz")

    assert TOO_MANY in refused and "postcode" in refused
    assert "Halle de Bruz" not in refused
    assert "Halle de Bruz" in neighbour  # another visitor is not held back, nor told no
    assert "Halle de Bruz" in by_postcode
    assert "Halle de Bruz" in known  # what the geocoder answered costs no lookup
    assert TOO_MANY in again
    assert "Halle de Bruz" in next_minute
    assert len(fake_ban.queries) == 12  # ten, the neighbour's, the next minute's


def test_an_address_already_looked_up_costs_no_lookup(fake_ban, bruz):
    for _ in range(15):
        finder_cache.bump_version()  # the rendered search is gone, the geocoder's answer kept
        assert "Halle de Bruz" in search("12 rue de la Motte, Bruz")

    assert len(fake_ban.queries) == 1


def test_a_slow_geocoder_gets_a_clear_message_in_a_short_time(fake_ban, bruz):
    fake_ban.replies = ["hang"]

    page = search("12 rue de la Motte, Bruz")

    assert NOT_ANSWERING in page and "postcode" in page
    assert fake_ban.answered == 0  # the page gave up while the geocoder was still at it
    assert len(fake_ban.queries) == 1  # asked once, not retried
    fake_ban.released.set()
    fake_ban.replies = ["found"]
    assert "Halle de Bruz" in search("12 rue de la Motte, Bruz")  # nothing kept of the failure


def test_a_geocoder_that_fails_gets_the_same_message(fake_ban, bruz):
    fake_ban.replies = [503]

    page = search("12 rue de la Motte, Bruz")

    assert NOT_ANSWERING in page
