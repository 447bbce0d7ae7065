"""Redis down does not take the site down: pages, sign-in, cart and checkout work from the
database alone, nothing stale is served once Redis is back, and /healthz/details says so.

The machine's Redis is never stopped (others use it): "down" is a port where nothing listens,
a socket that never answers, or a throwaway redis-server this test starts and kills.
"""

import datetime as dt
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from decimal import Decimal

import pytest
from django.db import DatabaseError, connection
from django.urls import reverse
from oscar.core.loading import get_model

from marketplace.celery import app as celery_app
from marketplace.core import cache as tolerant_cache
from marketplace.core.cache import redis_answers
from marketplace.shop_setup import ensure_shop_basics
from tests.factories import BRUZ, PickupPointFactory, ProducerFactory, UserFactory, product_for
from tests.ordering import choose_and_order, fill_cart

Order = get_model("order", "Order")
Product = get_model("catalogue", "Product")

PASSWORD = "secret-pass-123"

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs a PostgreSQL DATABASE_URL (CI sets it)",
    ),
]


@pytest.fixture(autouse=True)
def _celery_configured_before_any_override():
    """Celery reads Django's settings once, at its first use: let that be with the real ones,
    not a dead port of these tests that the rest of the session would keep."""
    assert celery_app.conf.broker_url


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def use_redis_at(settings, url: str, retry_after: float = 0) -> None:
    """The site's cache and broker settings on ``url`` (the tests' Celery stays eager)."""
    settings.REDIS_URL = url
    settings.REDIS_CACHE_URL = url
    settings.CELERY_BROKER_URL = url
    settings.CACHES = {
        "default": {
            "BACKEND": "marketplace.core.cache.TolerantRedisCache",
            "LOCATION": url,
            "KEY_PREFIX": "cc-redis-down",
            "RETRY_AFTER": retry_after,
        }
    }
    tolerant_cache.forget_health()


@pytest.fixture
def redis_down(settings):
    url = f"redis://127.0.0.1:{free_port()}/0"
    use_redis_at(settings, url)
    assert not redis_answers(url)
    yield url
    tolerant_cache.forget_health()


class ThrowawayRedis:
    """A redis-server of this test's own, keeping its data on disk (as a production Redis with
    persistence does), so that what it held comes back after a crash."""

    def __init__(self, folder):
        self.folder = folder
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "yes",
                "--appendfsync",
                "always",
                "--dir",
                str(self.folder),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while not redis_answers(self.url()):
            assert time.monotonic() < deadline, "the throwaway redis-server did not start"
            time.sleep(0.05)

    def crash(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.crash()


@pytest.fixture
def throwaway_redis(tmp_path):
    if not shutil.which("redis-server"):
        pytest.skip("needs redis-server")
    redis = ThrowawayRedis(tmp_path)
    redis.start()
    yield redis
    redis.stop()
    tolerant_cache.forget_health()


@pytest.fixture
def shop(db, open_day):
    ensure_shop_basics()
    farm = ProducerFactory(name="Ferme de la Prairie")
    return product_for(farm, title="Carottes", price="2.40", stock=10)


def sign_in(client, email: str):
    response = client.post(
        reverse("customer:login"),
        {"login-username": email, "login-password": PASSWORD, "login_submit": "Log In"},
    )
    assert response.status_code == 302, "the sign-in was refused"


def health(client) -> tuple[int, dict]:
    response = client.get(reverse("health-details"))
    return response.status_code, json.loads(response.content)


# The site without Redis


def test_visitors_browse_the_catalogue_producers_finder_and_product_without_redis(
    client, shop, redis_down
):
    PickupPointFactory(name="Halle de Bruz", **BRUZ)

    pages = {
        "catalogue": reverse("catalogue:index"),
        "producers": reverse("producers:directory"),
        "finder": reverse("deliveries:finder") + "?q=35170",
        "product": shop.get_absolute_url(),
    }
    for name, url in pages.items():
        client.cookies.clear()  # a first visit: the page the cache would have shared
        first = client.get(url)
        again = client.get(url)  # with the session and cart cookies now
        assert (first.status_code, again.status_code) == (200, 200), name

    assert "Carottes" in client.get(reverse("catalogue:index")).content.decode()
    assert "Halle de Bruz" in client.get(pages["finder"]).content.decode()


def test_member_signs_in_fills_the_cart_and_orders_without_redis(
    client, shop, open_day, redis_down, django_capture_on_commit_callbacks
):
    member = UserFactory(email="camille@example.org")

    sign_in(client, "camille@example.org")
    assert client.get(reverse("catalogue:index")).wsgi_request.user == member
    fill_cart(client, shop, quantity=3)
    with django_capture_on_commit_callbacks(execute=True):
        response = choose_and_order(client, open_day)

    assert response.request["PATH_INFO"] == reverse("checkout:thank-you")
    order = Order.objects.get()
    assert order.user == member
    assert order.total_incl_tax == Decimal("7.20")
    # Still signed in, with an empty cart, on the next pages.
    account = client.get(reverse("customer:order-list"))
    assert account.status_code == 200
    assert order.number in account.content.decode()
    assert client.get(reverse("basket:summary")).context["basket"].num_items == 0


def test_a_redis_failure_is_logged_once_not_on_every_call(client, shop, redis_down, caplog):
    for _ in range(3):
        client.get(reverse("catalogue:index"))
        client.get(shop.get_absolute_url())

    warnings = [r for r in caplog.records if r.name == "marketplace.core.cache"]
    assert len(warnings) == 1
    assert "does not answer" in warnings[0].getMessage()


class SilentServer:
    """Accepts connections and never answers: a hung Redis."""

    def __init__(self):
        self.socket = socket.create_server(("127.0.0.1", 0))
        self.port = self.socket.getsockname()[1]
        self.connections = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                accepted, _ = self.socket.accept()
            except OSError:
                return
            self.connections.append(accepted)

    def close(self):
        for accepted in self.connections:
            accepted.close()
        self.socket.close()


def test_a_hung_redis_is_tried_once_then_left_alone_for_a_while(client, shop, settings):
    hung = SilentServer()
    use_redis_at(settings, f"redis://127.0.0.1:{hung.port}/0", retry_after=60)
    try:
        for _ in range(3):
            assert client.get(reverse("catalogue:index")).status_code == 200
            assert client.get(shop.get_absolute_url()).status_code == 200
        assert len(hung.connections) == 1
    finally:
        hung.close()
        tolerant_cache.forget_health()


# Redis going away mid-session, and coming back with what it held


def test_nothing_stale_is_served_once_redis_comes_back(
    client, shop, settings, throwaway_redis, django_capture_on_commit_callbacks
):
    use_redis_at(settings, throwaway_redis.url())
    member = UserFactory(email="awa@example.org")
    visitor = type(client)()
    # Redis holds the catalogue page a first-time visitor gets, and the member is signed in.
    assert "Carottes" in visitor.get(reverse("catalogue:index")).content.decode()
    sign_in(client, "awa@example.org")
    fill_cart(client, shop)

    throwaway_redis.crash()
    with django_capture_on_commit_callbacks(execute=True):
        Product.objects.filter(pk=shop.pk).update(title="Carottes nouvelles")
        Product.objects.get(pk=shop.pk).save()  # as the producer space saves it
    assert client.get(reverse("basket:summary")).context["basket"].num_items == 1
    client.get(reverse("customer:logout"))

    throwaway_redis.start()  # on the same port, with the keys it held before the crash
    assert redis_answers(throwaway_redis.url())

    fresh_visitor = type(client)()
    page = fresh_visitor.get(reverse("catalogue:index")).content.decode()
    assert "Carottes nouvelles" in page
    assert not client.get(reverse("catalogue:index")).wsgi_request.user.is_authenticated
    assert client.get(reverse("customer:summary")).status_code == 302  # to the sign-in page
    # The member signs in again and finds their cart.
    sign_in(client, "awa@example.org")
    assert client.get(reverse("basket:summary")).context["basket"].num_items == 1
    assert client.get(reverse("catalogue:index")).wsgi_request.user == member


# /healthz/details


def test_health_reports_redis_down_and_workers_unknown_while_the_site_serves(
    client, db, redis_down
):
    assert health(client) == (200, {"database": "ok", "redis": "error", "workers": "unknown"})


def test_health_reports_redis_not_configured_on_the_embedded_defaults(client, db, settings):
    settings.REDIS_URL = settings.REDIS_CACHE_URL = ""
    settings.CELERY_BROKER_URL = "filesystem://localhost//"

    assert health(client) == (
        200,
        {"database": "ok", "redis": "not configured", "workers": "unknown"},
    )


def test_health_answers_503_when_the_database_does_not(client, db, redis_down, monkeypatch):
    class DeadDatabase:
        def cursor(self):
            raise DatabaseError("connection refused")

    monkeypatch.setattr("marketplace.views.connection", DeadDatabase())

    assert health(client) == (503, {"database": "error", "redis": "error", "workers": "unknown"})


def test_health_counts_the_workers_answering(
    client, transactional_db, settings, throwaway_redis, clock
):
    use_redis_at(settings, throwaway_redis.url())
    assert health(client) == (200, {"database": "ok", "redis": "ok", "workers": 0})

    db = connection.settings_dict
    started_at, started = clock.now, time.monotonic()
    worker = subprocess.Popen(
        [sys.executable, "-m", "tests.integration.pinned_celery", "-A", "marketplace", "worker"]
        + ["--pool", "solo", "--loglevel", "WARNING", "--without-gossip", "--without-mingle"],
        env={
            **os.environ,
            "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
            "REDIS_URL": throwaway_redis.url(),
            "REDIS_CACHE_URL": throwaway_redis.url(1),
            "PINNED_NOW": str(started_at.timestamp()),
        },
        cwd=settings.BASE_DIR,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        answer = (200, {"workers": 0})
        while answer[1]["workers"] == 0 and time.monotonic() - started < 60:
            # The worker's clock runs from the test's instant; a ping it receives must not
            # look expired to it.
            clock.now = started_at + dt.timedelta(seconds=time.monotonic() - started)
            answer = health(client)
        assert answer == (200, {"database": "ok", "redis": "ok", "workers": 1})
    finally:
        worker.terminate()
        worker.wait(timeout=20)
