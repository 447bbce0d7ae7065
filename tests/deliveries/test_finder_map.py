"""The finder's map: its data comes with the page, its script and styles from our static files."""

import datetime as dt
import json
import re

import pytest
from django.contrib.staticfiles import finders
from django.templatetags.static import static
from django.urls import reverse

from deliveries.network.services import materialise_distribution_days
from tests.factories import BRUZ, VITRE, PickupPointFactory, ScheduleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def points():
    bruz = PickupPointFactory(name="Halle de Bruz", **BRUZ)
    vitre = PickupPointFactory(name="Centre <social> de Vitré", **VITRE)
    ScheduleFactory(pickup_point=bruz, weekday=4, valid_from=dt.date(2020, 1, 3))
    materialise_distribution_days()
    return bruz, vitre


def map_data(response) -> dict:
    found = re.search(
        r'<script id="finder-map-data" type="application/json">(.*?)</script>',
        response.content.decode(),
        re.S,
    )
    assert found, "no map data in the page"
    return json.loads(found.group(1))


def test_the_map_data_lists_the_points_in_the_order_of_the_list(client, points):
    bruz, vitre = points

    response = client.get(reverse("deliveries:finder"), {"q": "35170"})

    data = map_data(response)
    assert [p["name"] for p in data["points"]] == ["Halle de Bruz", "Centre <social> de Vitré"]
    first, second = data["points"]
    assert first["lat"] == pytest.approx(48.0247) and first["lon"] == pytest.approx(-1.7456)
    assert first["distance_km"] < 3
    assert first["next_day"].startswith("Prochaine distribution")
    assert second["next_day"].startswith("Aucune distribution")
    assert data["place"]["lat"] == pytest.approx(48.02, abs=0.05)
    page = response.content.decode()
    # The popups say what the list says, in the same words.
    assert f'<span class="distance">{first["distance"]}</span>' in page
    for point in (bruz, vitre):
        anchor = f"pickup-point-{point.pk}"
        assert anchor in {p["anchor"] for p in data["points"]}
        assert f'id="{anchor}"' in page


def test_a_point_name_cannot_break_out_of_the_map_data(client, points):
    response = client.get(reverse("deliveries:finder"), {"q": "35170"})

    assert "Centre <social>" not in response.content.decode()
    assert "Centre \\u003Csocial\\u003E" in response.content.decode()


def test_the_map_comes_from_our_own_static_files_with_a_label(client, points, settings):
    response = client.get(reverse("deliveries:finder"), {"q": "35170"})

    page = response.content.decode()
    for asset in ("vendor/leaflet/leaflet.js", "vendor/leaflet/leaflet.css"):
        assert static(asset) in page
        assert finders.find(asset), f"{asset} is not in our static files"
    assert finders.find("vendor/leaflet/LICENSE")
    assert not re.search(r'(src|href)="(https?:)?//', page), "an asset is loaded from elsewhere"
    assert re.search(r'id="finder-map" class="finder-map" role="region" aria-label="\w', page)


def test_tiles_are_configured_from_the_settings(client, points, settings):
    settings.MAP_TILE_URL = "https://tiles.example.org/{z}/{x}/{y}.png"
    settings.MAP_TILE_ATTRIBUTION = "© Exemple"

    data = map_data(client.get(reverse("deliveries:finder"), {"q": "35170"}))

    assert data["tiles"] == {
        "url": "https://tiles.example.org/{z}/{x}/{y}.png",
        "attribution": "© Exemple",
    }


def test_without_a_tile_url_the_map_is_drawn_on_a_blank_background(client, points, settings):
    settings.MAP_TILE_URL = ""

    response = client.get(reverse("deliveries:finder"), {"q": "35170"})

    data = map_data(response)
    assert "tiles" not in data
    assert len(data["points"]) == 2
    assert 'id="finder-map"' in response.content.decode()
    assert "openstreetmap" not in response.content.decode()


def test_the_list_is_there_without_the_map_script(client, points):
    page = client.get(reverse("deliveries:finder"), {"q": "35170"}).content.decode()

    # Without JavaScript the map stays hidden; the list holds every point in full.
    assert re.search(r'<div id="finder-map"[^>]*\bhidden\b', page)
    assert page.count('class="producer-card pickup-point"') == 2
    assert "Halle de Bruz" in page and "Prochaine distribution" in page


def test_no_map_and_no_leaflet_when_nothing_is_found(client, db):
    page = client.get(reverse("deliveries:finder"), {"q": "35170"}).content.decode()

    assert "finder-map" not in page
    assert "leaflet" not in page
