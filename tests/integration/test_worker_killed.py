"""A whole worker killed mid-send (its main process and its pool at once, as when its machine
dies): on real PostgreSQL, Redis and worker processes.

Nobody is left to give the task back to the queue: it waits in Redis, taken, until the
visibility timeout (``CELERY_VISIBILITY_TIMEOUT``: minutes in production, 10 s here), and the
next look of a live worker then hands it out again. The email still goes out at most once
(exactly once when it had left), the log saying when it may not have been sent.
"""

import datetime as dt
import os
import signal
import subprocess
import time
from functools import partial
from unittest import mock

import pytest
import redis
from django.conf import settings
from django.db import connection

from marketplace.celery import app as celery_app
from marketplace.core.models import OutboxTask
from marketplace.shop_setup import ensure_shop_basics
from tests.brokers import use_broker
from tests.factories import ProducerFactory, UserFactory, product_for
from tests.integration.test_outbox_and_dying_workers import (
    CONFIRMATION,
    Worker,
    place_order,
    real_celery,  # noqa: F401 (a fixture)
    wait_until,
)

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(
        not settings.REDIS_URL or connection.vendor != "postgresql",
        reason="needs REDIS_URL and a PostgreSQL DATABASE_URL (CI sets both)",
    ),
]

# Longer than the second worker takes to start, so that the task is found by a live worker's
# periodic look, as when the other workers of a site outlive the dead one.
VISIBILITY_TIMEOUT = 10


class WholeWorker(Worker):
    """A worker whose main process and pool form a process group of their own (never the
    test's), which the test kills at once."""

    def __init__(self, *args, **kwargs):
        with mock.patch("subprocess.Popen", partial(subprocess.Popen, start_new_session=True)):
            super().__init__(*args, **kwargs)

    def kill(self) -> None:
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()


def is_parked(redis_url: str, task_name: str) -> bool:
    """Whether a ``task_name`` task was taken by a worker and not yet acknowledged (kombu keeps
    such messages in the broker's ``unacked`` hash)."""
    with redis.Redis.from_url(redis_url) as broker:
        return any(task_name.encode() in message for message in broker.hvals("unacked"))


@pytest.mark.parametrize("killed", ["before", "after"])
def test_a_task_whose_whole_worker_was_killed_is_handed_out_again_within_seconds(
    killed,
    tmp_path,
    real_celery,  # noqa: F811
    client,
    clock,
    open_day,
    record_property,
):
    """Killed before the confirmation leaves: never sent, the log says it may not have been;
    after: sent once, not again."""
    redis_url = settings.REDIS_URL
    use_broker(redis_url)
    celery_app.control.purge()
    blocking = tmp_path / "blocking"
    blocking.mkdir()
    timeout = {"CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT)}
    started = time.monotonic()
    first = WholeWorker(
        tmp_path,
        redis_url,
        pool="prefork",
        env={
            **timeout,
            "EMAIL_BACKEND": "tests.integration.blocking_mail.EmailBackend",
            "BLOCK_MAIL_DIR": str(blocking),
            "BLOCK_MAIL_WHEN": killed,
        },
    )
    real_celery.append(first)
    ensure_shop_basics()
    client.force_login(UserFactory(email="camille@example.org"))

    place_order(client, product_for(ProducerFactory(), title="Poireaux", stock=5), 2)

    assert wait_until(lambda: list(blocking.glob("sending-*"))), (
        first.log.read_text(),
        list(OutboxTask.objects.values("task_name", "sent_at", "last_error")),
    )
    (blocking / "release").touch()  # the next run would not block
    first.kill()
    killed_at = time.monotonic()
    assert first.process.returncode == -signal.SIGKILL
    assert is_parked(redis_url, CONFIRMATION)  # taken, and nobody left to give it back
    # The second worker's clock runs on from the first's, as two machines' clocks would.
    clock.now += dt.timedelta(seconds=time.monotonic() - started)
    second = Worker(tmp_path, redis_url, pool="prefork", env=timeout)
    real_celery.append(second)

    assert wait_until(lambda: second.said("may not have been sent")), second.log.read_text()
    handed_out_after = time.monotonic() - killed_at
    record_property("seconds_before_handed_out_again", round(handed_out_after, 1))
    # Seconds, however slow the machine: not kombu's hour, nor its 100 s between looks.
    assert handed_out_after < VISIBILITY_TIMEOUT + 40, f"{handed_out_after:.1f} s"
    time.sleep(2)  # a duplicate would arrive now
    assert not is_parked(redis_url, CONFIRMATION)
    mails = second.mails()
    assert len(mails) == (1 if killed == "after" else 0)
    assert all("camille@example.org" in mail.read_text() for mail in mails)
    assert second.said("order-confirmation:") == 1
