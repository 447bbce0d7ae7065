import pytest
import time_machine
from django.core.cache import cache

from marketplace.celery import app as celery_app
from tests.clock import Clock, in_paris, parse_instant, suite_instant
from tests.factories import ProducerFactory, UserFactory


@pytest.fixture(autouse=True)
def clock(request):
    """Every test runs on a stopped clock at a pinned instant (see tests/clock.py): the test's
    ``now`` marker, else ``TEST_NOW``, else the suite's default."""
    marker = request.node.get_closest_marker("now")
    instant = parse_instant(marker.args[0]) if marker else suite_instant()
    with time_machine.travel(in_paris(instant), tick=False) as traveller:
        yield Clock(traveller)


@pytest.fixture(autouse=True)
def _isolated_cache_and_eager_tasks(settings):
    """Each test starts with an empty cache; Celery tasks run in-process unless a test starts a
    real worker (tests/integration)."""
    cache.clear()
    celery_app.conf.task_always_eager = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    yield
    cache.clear()


@pytest.fixture
def member(db):
    return UserFactory(email="membre@example.org")


@pytest.fixture
def producer_user(db):
    return UserFactory(email="paysan@example.org")


@pytest.fixture
def producer(producer_user):
    return ProducerFactory(users=[producer_user])


@pytest.fixture
def other_producer(db):
    return ProducerFactory(users=[UserFactory(email="autre-paysan@example.org")])


@pytest.fixture
def open_day(db):
    """One distribution day open for orders: checkout picks it without asking."""
    from tests.factories import DistributionDayFactory

    return DistributionDayFactory()
