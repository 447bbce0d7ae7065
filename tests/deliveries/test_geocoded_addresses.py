"""Addresses the finder sends to a network geocoder: asked once, the answer kept."""

import pytest
from geopy.exc import GeocoderUnavailable
from geopy.location import Location
from geopy.point import Point

from deliveries.network import geocoding
from deliveries.network.geocoding import AddressSearchUnavailable, locate_place


class FakeGeocoder:
    def __init__(self, answers):
        self.answers = list(answers)
        self.asked = []

    def geocode(self, query, exactly_one=True, **kwargs):
        self.asked.append(query)
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


@pytest.fixture
def geocoder(settings, monkeypatch):
    settings.GEOCODER = "ban"

    def install(*answers):
        fake = FakeGeocoder(answers)
        monkeypatch.setattr(geocoding, "configured_geocoder", lambda **kwargs: fake)
        return fake

    return install


HALLES = Location("2 rue des Halles 35170 Bruz", Point(48.0251, -1.7462), {})


def test_an_address_is_asked_once_then_answered_from_the_cache(geocoder):
    fake = geocoder(HALLES)

    first = locate_place("2 rue des Halles, Bruz")
    again = locate_place("2 Rue des Halles,  Bruz")

    assert first == again == (48.0251, -1.7462, "2 rue des Halles 35170 Bruz")
    assert fake.asked == ["2 rue des Halles, Bruz"]


def test_an_unknown_address_is_not_asked_again(geocoder):
    fake = geocoder(None)

    assert locate_place("1 chemin de nulle part") is None
    assert locate_place("1 chemin de nulle part") is None
    assert len(fake.asked) == 1


def test_a_geocoder_that_is_down_is_asked_again_next_time(geocoder):
    fake = geocoder(GeocoderUnavailable("down"), HALLES)

    with pytest.raises(AddressSearchUnavailable):
        locate_place("2 rue des Halles, Bruz")
    assert locate_place("2 rue des Halles, Bruz") == (48.0251, -1.7462, HALLES.address)
    assert len(fake.asked) == 2


def test_towns_and_postcodes_never_reach_the_geocoder(geocoder):
    fake = geocoder()

    assert locate_place("35170")[2] == "Bruz (35170)"
    assert fake.asked == []
