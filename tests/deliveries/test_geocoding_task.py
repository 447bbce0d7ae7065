"""Pickup points are located in the background: retried while the geocoder is down, marked
'address to check' when it cannot answer, and saving a point never waits for it.

The BAN geocoder is played by a small HTTP server on 127.0.0.1; nothing reaches the internet.
Celery runs eagerly here, so retries run inline and their backoff is not waited for.
"""

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from deliveries.models import GeocodingStatus, PickupPoint
from deliveries.network import locating
from deliveries.network.locating import geocode_pickup_point as locate_now
from deliveries.network.locating import request_geocoding
from deliveries.network.tasks import geocode_pickup_point
from tests.factories import CollectiveFactory, PickupPointFactory, UserFactory

pytestmark = pytest.mark.django_db

# Where the fake BAN puts every address it finds.
FOUND_LATITUDE, FOUND_LONGITUDE = 48.024712, -1.745631
# Where the points start, before they are located.
OLD = {"latitude": Decimal("48.111000"), "longitude": Decimal("-1.680000")}


def ban_answer(query: str, *, found: bool = True) -> dict:
    """A /search answer as api-adresse.data.gouv.fr gives it (GeoJSON, [longitude, latitude])."""
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [FOUND_LONGITUDE, FOUND_LATITUDE]},
            "properties": {
                "label": "12 Rue de la Motte 35170 Bruz",
                "score": 0.97,
                "housenumber": "12",
                "id": "35047_0410_00012",
                "name": "12 Rue de la Motte",
                "postcode": "35170",
                "citycode": "35047",
                "city": "Bruz",
                "context": "35, Ille-et-Vilaine, Bretagne",
                "type": "housenumber",
                "street": "Rue de la Motte",
            },
        }
    ]
    return {
        "type": "FeatureCollection",
        "version": "draft",
        "features": features if found else [],
        "attribution": "BAN",
        "licence": "ETALAB-2.0",
        "query": query,
        "limit": 5,
    }


class FakeBAN:
    """Answers each request with the next scripted reply, then with the last one forever.

    A reply is "found", "nothing", an HTTP status code (500, 503, 400) or "hang" (no answer
    until the test ends, longer than the geocoder's timeout)."""

    def __init__(self):
        self.replies: list = ["found"]
        self.queries: list[str] = []
        self.answered = 0  # requests answered, or left hanging until the test ended
        self.released = threading.Event()

    def reply_to(self, handler: BaseHTTPRequestHandler) -> None:
        url = urlsplit(handler.path)
        query = parse_qs(url.query).get("q", [""])[0]
        self.queries.append(query)
        reply = self.replies.pop(0) if len(self.replies) > 1 else self.replies[0]
        if reply == "hang":
            self.released.wait(timeout=10)
            return
        if url.path != "/search":
            reply = 404
        if isinstance(reply, int):
            handler.send_error(reply)
            return
        body = json.dumps(ban_answer(query, found=reply == "found")).encode()
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json; charset=utf-8")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # a client that timed out and hung up is what some tests want


@contextmanager
def ban_server(settings, monkeypatch) -> Iterator[FakeBAN]:
    """A ``FakeBAN`` on a port of 127.0.0.1, set as the site's geocoder."""
    fake = FakeBAN()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            fake.reply_to(self)
            fake.answered += 1

        def log_message(self, format, *args):
            pass

    server = QuietServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    settings.GEOCODER = "ban"
    settings.GEOCODER_BAN_URL = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield fake
    finally:
        fake.released.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def ban(settings, monkeypatch):
    with ban_server(settings, monkeypatch) as fake:
        settings.GEOCODER_TIMEOUT = 2
        yield fake


@pytest.fixture
def point(db):
    """A point whose address just changed: it waits to be located, at its old position."""
    return PickupPointFactory(
        address="12 rue de la Motte",
        postcode="35170",
        town="Bruz",
        geocoding_status=GeocodingStatus.PENDING,
        **OLD,
    )


@pytest.fixture
def locate(django_capture_on_commit_callbacks):
    """Ask for a point to be located and let the queued task run, as after a commit."""

    def run(point):
        with django_capture_on_commit_callbacks(execute=True):
            request_geocoding(point)
        point.refresh_from_db()
        return point

    return run


def position(point):
    return (point.latitude, point.longitude)


FOUND = (Decimal(f"{FOUND_LATITUDE:.6f}"), Decimal(f"{FOUND_LONGITUDE:.6f}"))


# The BAN geocoder


def test_ban_finds_the_address_and_the_point_gets_its_position(ban, point, locate):
    locate(point)

    assert point.geocoding_status == GeocodingStatus.OK
    assert position(point) == FOUND
    assert ban.queries == ["12 rue de la Motte, 35170 Bruz"]


def test_geocoder_unavailable_a_few_times_is_asked_again_until_it_answers(ban, point, locate):
    ban.replies = [503, 503, 503, "found"]

    locate(point)

    assert point.geocoding_status == GeocodingStatus.OK
    assert position(point) == FOUND
    assert len(ban.queries) == 4


@pytest.mark.parametrize(
    ("reply", "is_retried"),
    [
        pytest.param(500, True, id="always-500"),
        pytest.param("hang", True, id="always-times-out"),
        pytest.param("nothing", False, id="address-not-found"),
        pytest.param(400, False, id="query-refused"),
    ],
)
def test_address_the_geocoder_cannot_locate_is_to_check_and_keeps_its_position(
    ban, point, locate, reply, is_retried, settings
):
    ban.replies = [reply]
    settings.GEOCODER_TIMEOUT = 0.1

    locate(point)

    assert PickupPoint.objects.filter(pk=point.pk).exists()
    assert point.geocoding_status == GeocodingStatus.TO_CHECK
    assert position(point) == (OLD["latitude"], OLD["longitude"])
    if is_retried:  # 5 retries (and geopy's HTTP client retries a read that timed out)
        assert len(ban.queries) >= 6
    else:
        assert len(ban.queries) == 1


def test_geocoder_unreachable_marks_the_address_to_check(settings, point, locate, monkeypatch):
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    settings.GEOCODER = "ban"
    settings.GEOCODER_BAN_URL = "http://127.0.0.1:9"  # discard port: nothing listens there

    locate(point)

    assert point.geocoding_status == GeocodingStatus.TO_CHECK
    assert position(point) == (OLD["latitude"], OLD["longitude"])


def test_locating_twice_gives_the_same_result(ban, point, locate):
    locate(point)
    first = (point.geocoding_status, position(point))

    geocode_pickup_point.delay(point.pk)
    point.refresh_from_db()

    assert (point.geocoding_status, position(point)) == first
    assert len(ban.queries) == 1  # a located point is left alone


def test_address_not_found_twice_stays_to_check(ban, point, locate):
    ban.replies = ["nothing"]
    locate(point)

    geocode_pickup_point.delay(point.pk)
    point.refresh_from_db()

    assert point.geocoding_status == GeocodingStatus.TO_CHECK
    assert position(point) == (OLD["latitude"], OLD["longitude"])


def test_address_changed_while_the_geocoder_answers_is_not_overwritten(point, monkeypatch):
    class SlowGeocoder:
        """Answers for the old address after the coordinator typed a new one."""

        def geocode(self, query, **kwargs):
            PickupPoint.objects.filter(pk=point.pk).update(address="3 rue Neuve")
            return type("Location", (), {"latitude": 1.0, "longitude": 2.0})()

    monkeypatch.setattr(locating, "configured_geocoder", SlowGeocoder)

    assert locate_now(point.pk) is None

    point.refresh_from_db()
    assert point.address == "3 rue Neuve"
    assert point.geocoding_status == GeocodingStatus.PENDING  # the new address's task decides
    assert position(point) == (OLD["latitude"], OLD["longitude"])


def test_coordinates_typed_while_waiting_are_kept(ban, point):
    PickupPoint.objects.filter(pk=point.pk).update(
        latitude=Decimal("47.5"), longitude=Decimal("-2.5"), geocoding_status=GeocodingStatus.OK
    )

    geocode_pickup_point.delay(point.pk)

    point.refresh_from_db()
    assert position(point) == (Decimal("47.5"), Decimal("-2.5"))
    assert ban.queries == []


def test_a_point_deleted_before_its_turn_is_skipped(ban, point):
    point_id = point.pk
    point.delete()

    geocode_pickup_point.delay(point_id)

    assert ban.queries == []


# The offline gazetteer (the default)


def test_offline_geocoder_places_the_point_at_its_town(settings, locate):
    settings.GEOCODER = "offline"
    point = PickupPointFactory(
        address="Salle des fêtes, rue de Rennes",
        postcode="35500",
        town="Vitré",
        latitude=None,
        longitude=None,
        geocoding_status=GeocodingStatus.PENDING,
    )

    locate(point)

    assert point.geocoding_status == GeocodingStatus.OK
    assert 48.0 < point.latitude < 48.2 and -1.3 < point.longitude < -1.1


def test_offline_geocoder_not_knowing_the_town_marks_it_to_check(settings, locate):
    settings.GEOCODER = "offline"
    point = PickupPointFactory(postcode="99999", town="Atlantide", latitude=None, longitude=None)

    locate(point)

    assert point.geocoding_status == GeocodingStatus.TO_CHECK
    assert not point.has_location


# The admin


@pytest.fixture
def admin_client(client, db):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def form_data(point=None, **changes):
    """What the admin's pickup point form posts: the point's fields, then the changes."""
    data = {
        "collective": CollectiveFactory().pk,
        "name": "Halle de Bruz",
        "slug": "halle-de-bruz",
        "address": "12 rue de la Motte",
        "postcode": "35170",
        "town": "Bruz",
        "latitude": "",
        "longitude": "",
        "access_notes": "",
        "capacity": "60",
        "volunteers_needed": "2",
        "volunteer_sign_up": "members",
        "shift_changes_close_hours": "24",
        "contact_email": "",
        "phone": "",
        "is_active": "on",
        "_save": "Save",
    }
    if point is not None:
        data.update(
            collective=point.collective_id,
            name=point.name,
            slug=point.slug,
            address=point.address,
            postcode=point.postcode,
            town=point.town,
            latitude="" if point.latitude is None else str(point.latitude),
            longitude="" if point.longitude is None else str(point.longitude),
            capacity=str(point.capacity),
            volunteer_sign_up=point.volunteer_sign_up,
        )
    for inline in ("schedules", "closures"):
        data.update(
            {
                f"{inline}-TOTAL_FORMS": "0",
                f"{inline}-INITIAL_FORMS": "0",
                f"{inline}-MIN_NUM_FORMS": "0",
                f"{inline}-MAX_NUM_FORMS": "1000",
            }
        )
    data.update(changes)
    return data


def test_adding_a_point_locates_it(admin_client, ban, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(reverse("admin:deliveries_pickuppoint_add"), form_data())

    assert response.status_code == 302
    point = PickupPoint.objects.get(slug="halle-de-bruz")
    assert point.geocoding_status == GeocodingStatus.OK
    assert position(point) == FOUND
    assert ban.queries == ["12 rue de la Motte, 35170 Bruz"]


def test_adding_a_point_while_the_geocoder_is_down_saves_it_as_to_check(
    admin_client, ban, django_capture_on_commit_callbacks
):
    ban.replies = [500]

    with django_capture_on_commit_callbacks(execute=True) as queued:
        response = admin_client.post(reverse("admin:deliveries_pickuppoint_add"), form_data())

    assert response.status_code == 302
    assert queued  # geocoding was queued, after the save
    point = PickupPoint.objects.get(slug="halle-de-bruz")
    assert point.geocoding_status == GeocodingStatus.TO_CHECK
    assert not point.has_location


def test_changing_the_address_while_the_geocoder_is_down_saves_it_as_to_check(
    admin_client, ban, settings, django_capture_on_commit_callbacks
):
    point = PickupPointFactory(**OLD)
    ban.replies = ["hang"]
    settings.GEOCODER_TIMEOUT = 0.1

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:deliveries_pickuppoint_change", args=[point.pk]),
            form_data(point, address="3 rue Neuve", postcode="35170", town="Bruz"),
        )

    assert response.status_code == 302
    point.refresh_from_db()
    assert point.address == "3 rue Neuve"
    assert point.geocoding_status == GeocodingStatus.TO_CHECK
    assert position(point) == (OLD["latitude"], OLD["longitude"])
    assert ban.queries[0] == "3 rue Neuve, 35170 Bruz"
    page = admin_client.get(reverse("admin:deliveries_pickuppoint_change", args=[point.pk]))
    with translation.override(settings.LANGUAGE_CODE):
        assert escape(str(GeocodingStatus.TO_CHECK.label)) in page.content.decode()


def test_coordinates_typed_in_the_admin_are_kept(
    admin_client, ban, django_capture_on_commit_callbacks
):
    ban.replies = [500]

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:deliveries_pickuppoint_add"),
            form_data(latitude="48.030000", longitude="-1.750000"),
        )

    assert response.status_code == 302
    point = PickupPoint.objects.get(slug="halle-de-bruz")
    assert point.geocoding_status == GeocodingStatus.OK
    assert position(point) == (Decimal("48.030000"), Decimal("-1.750000"))
    assert ban.queries == []


def test_new_address_with_typed_coordinates_keeps_the_coordinates(
    admin_client, ban, django_capture_on_commit_callbacks
):
    point = PickupPointFactory(geocoding_status=GeocodingStatus.TO_CHECK, **OLD)

    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            reverse("admin:deliveries_pickuppoint_change", args=[point.pk]),
            form_data(point, address="3 rue Neuve", latitude="48.030000", longitude="-1.75"),
        )

    point.refresh_from_db()
    assert point.geocoding_status == GeocodingStatus.OK
    assert position(point) == (Decimal("48.030000"), Decimal("-1.750000"))
    assert ban.queries == []


def test_changing_something_else_does_not_locate_again(
    admin_client, ban, django_capture_on_commit_callbacks
):
    point = PickupPointFactory(**OLD)

    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            reverse("admin:deliveries_pickuppoint_change", args=[point.pk]),
            form_data(point, capacity="80"),
        )

    point.refresh_from_db()
    assert point.capacity == 80
    assert point.geocoding_status == GeocodingStatus.OK
    assert ban.queries == []


def test_locate_again_action_locates_the_selected_points(
    admin_client, ban, django_capture_on_commit_callbacks
):
    checked = PickupPointFactory(geocoding_status=GeocodingStatus.TO_CHECK, **OLD)
    located = PickupPointFactory(**OLD)
    untouched = PickupPointFactory(geocoding_status=GeocodingStatus.TO_CHECK, **OLD)

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:deliveries_pickuppoint_changelist"),
            {"action": "locate_again", "_selected_action": [checked.pk, located.pk]},
            follow=True,
        )

    assert "2 lieux de distribution sont en cours de localisation." in response.content.decode()
    for point in (checked, located, untouched):
        point.refresh_from_db()
    assert checked.geocoding_status == located.geocoding_status == GeocodingStatus.OK
    assert position(checked) == position(located) == FOUND
    assert untouched.geocoding_status == GeocodingStatus.TO_CHECK
    assert len(ban.queries) == 2


# Settings


@pytest.mark.parametrize(
    ("geocoder", "rate_limit"), [("nominatim", "1/s"), ("ban", "40/s"), ("offline", "40/s")]
)
def test_rate_limit_follows_the_geocoder_s_usage_policy(settings, tmp_path, geocoder, rate_limit):
    env = {k: v for k, v in os.environ.items() if not k.startswith("GEOCODER")}
    env.update(GEOCODER=geocoder, VAR_DIR=str(tmp_path))
    printed = subprocess.run(
        [sys.executable, "-c", "import marketplace.settings as s; print(s.GEOCODER_RATE_LIMIT)"],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    )
    assert printed.stdout.strip() == rate_limit


def test_the_task_is_rate_limited_as_set(settings):
    assert geocode_pickup_point.rate_limit == settings.GEOCODER_RATE_LIMIT
