"""The broker down, a worker killed mid-send, two sweeps or two beats at once: on real
PostgreSQL, real Redis servers and real worker processes.

- Broker down: orders and endings are saved and answered as usual; their emails wait in the
  outbox, and once the broker is back the sweep hands them over and each is sent once.
- A worker's pool process killed while it sends: the task runs again, and the email is sent at
  most once (exactly once when it had left), the log saying when it may not have been sent.
- Two sweeps at once hand each queued task over once; two beats' copies of a tick run once.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from marketplace.celery import app as celery_app
from marketplace.core.models import OutboxTask
from marketplace.core.outbox import relay_pending
from marketplace.core.tasks import relay_outbox
from marketplace.shop_setup import ensure_shop_basics
from tests.brokers import unused_port, use_broker
from tests.factories import ProducerFactory, UserFactory, open_slot_code, product_for

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(
        not settings.REDIS_URL
        or connection.vendor != "postgresql"
        or not shutil.which("redis-server"),
        reason="needs REDIS_URL, a PostgreSQL DATABASE_URL and redis-server (CI has all three)",
    ),
]

CONFIRMATION = "marketplace.checkout.tasks.send_order_confirmation"


class Broker:
    """A Redis server of the test's own, on a port of its own, that the test stops and starts
    (the machine's Redis is never touched)."""

    def __init__(self, folder: Path):
        self.port = unused_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.folder = folder
        self.process = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
            + ["--appendonly", "no", "--dir", str(self.folder)],
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.1)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=20)
            self.process = None


class Worker:
    """A Celery worker process on the test database and ``broker_url``, writing emails to files,
    its clock started where the test's is; its log in ``log``."""

    def __init__(self, tmp_path: Path, broker_url: str, *, pool="solo", concurrency=1, env=None):
        db = connection.settings_dict
        self.mail = tmp_path / "mail"
        self.log = tmp_path / f"worker-{time.monotonic_ns()}.log"
        environment = {
            **os.environ,
            "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
            "CELERY_BROKER_URL": broker_url,
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(self.mail),
            "PINNED_NOW": str(timezone.now().timestamp()),
            **(env or {}),
        }
        command = [sys.executable, "-m", "tests.integration.pinned_celery", "-A", "marketplace"]
        command += ["worker", "--pool", pool, "--concurrency", str(concurrency)]
        command += ["--loglevel", "WARNING", "--without-gossip", "--without-mingle"]
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                command,
                env=environment,
                cwd=settings.BASE_DIR,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def said(self, words: str) -> int:
        return self.log.read_text(errors="replace").count(words)

    def mails(self) -> list[Path]:
        return sorted(self.mail.glob("*.log")) if self.mail.exists() else []


def wait_until(condition, timeout: float = 60) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def settle(worker: Worker, count: int) -> list[Path]:
    """The worker's emails once ``count`` have arrived, and a little longer for a duplicate."""
    wait_until(lambda: len(worker.mails()) >= count)
    time.sleep(2)
    return worker.mails()


@pytest.fixture
def real_celery(transactional_db):
    """Celery publishes for real (not eagerly) for the test; put back afterwards."""
    celery_app.conf.task_always_eager = False
    workers: list[Worker] = []
    yield workers
    for worker in workers:
        worker.stop()
    celery_app.conf.task_always_eager = True
    use_broker(settings.CELERY_BROKER_URL)


@pytest.fixture
def broker(tmp_path, real_celery):
    server = Broker(tmp_path)
    use_broker(server.url)
    yield server
    server.stop()


def place_order(client, product, quantity=1):
    client.post(reverse("basket:add", kwargs={"pk": product.pk}), {"quantity": quantity})
    client.get(reverse("checkout:index"), follow=True)
    client.post(reverse("checkout:shipping-method"), {"method_code": open_slot_code()})
    return client.post(reverse("checkout:preview"), {"action": "place_order"}, follow=True)


def test_orders_placed_while_the_broker_is_down_are_confirmed_once_it_is_back(
    broker, real_celery, tmp_path, client, open_day
):
    from oscar.core.loading import get_model

    Order = get_model("order", "Order")
    ensure_shop_basics()
    member = UserFactory(email="camille@example.org")
    producer = ProducerFactory()
    bread = product_for(producer, title="Galettes de blé noir", stock=5)
    honey = product_for(producer, title="Miel de bruyère", stock=5)
    client.force_login(member)
    # Nothing listens on the broker's port.

    first = place_order(client, bread, 2)
    second = place_order(client, honey, 1)  # the basket is usable again

    for page in (first, second):
        assert page.status_code == 200
        assert page.request["PATH_INFO"] == reverse("checkout:thank-you")
        assert "commande avec le numéro" not in page.content.decode()
    assert Order.objects.count() == 2
    waiting = OutboxTask.objects.filter(task_name=CONFIRMATION, sent_at=None)
    assert waiting.count() == 2
    assert all(row.last_error for row in waiting)

    broker.start()
    worker = Worker(tmp_path, broker.url)
    real_celery.append(worker)
    assert relay_outbox() == 2  # beat's sweep, every minute
    assert relay_outbox() == 0  # the next minute's finds nothing left

    mails = settle(worker, 2)
    assert len(mails) == 2
    texts = sorted(mail.read_text() for mail in mails)
    assert (
        "Galettes de blé noir" in texts[0] + texts[1] and "Miel de bruyère" in texts[0] + texts[1]
    )
    assert all("camille@example.org" in text for text in texts)
    assert not OutboxTask.objects.filter(sent_at=None).exists()


def test_a_commitment_ended_while_the_broker_is_down_is_told_once_it_is_back(
    broker, real_celery, tmp_path, client
):
    from baskets.models import SubscriptionState
    from baskets.services import subscribe
    from deliveries.network.services import materialise_distribution_days
    from tests.factories import PickupPointFactory, ScheduleFactory, contract_at

    ensure_shop_basics()
    coordinator = UserFactory(email="referente@example.org")
    point = PickupPointFactory(name="Maison du Thabor")
    point.coordinators.add(coordinator)
    ScheduleFactory(pickup_point=point, weekday=3)
    materialise_distribution_days()
    contract = contract_at(point, capacity=1)
    holder = subscribe(UserFactory(email="lea@example.org"), contract, point, agreed=True)
    subscribe(UserFactory(email="hugo@example.org"), contract, point, agreed=True)
    client.force_login(coordinator)

    response = client.post(
        reverse("baskets:end-commitment", kwargs={"pk": holder.pk}), {"confirm": "1"}
    )

    assert response.status_code == 302
    holder.refresh_from_db()
    assert holder.state in (SubscriptionState.ENDED, SubscriptionState.CANCELLED)
    assert OutboxTask.objects.filter(sent_at=None).count() == 2  # the ending, the free place

    broker.start()
    worker = Worker(tmp_path, broker.url)
    real_celery.append(worker)
    assert relay_outbox() == 2

    mails = settle(worker, 2)
    recipients = sorted(
        "lea@example.org" if "lea@example.org" in mail.read_text() else "hugo@example.org"
        for mail in mails
    )
    assert recipients == ["hugo@example.org", "lea@example.org"]


@pytest.mark.parametrize("killed", ["before", "after"])
def test_a_pool_process_killed_mid_send_sends_the_confirmation_at_most_once(
    killed, tmp_path, real_celery, client, open_day
):
    """The kill lands before the message leaves (it is then never sent: the log says it may
    not have been) or after (it is sent once, not again)."""
    redis_url = settings.REDIS_URL
    use_broker(redis_url)
    celery_app.control.purge()
    blocking = tmp_path / "blocking"
    blocking.mkdir()
    worker = Worker(
        tmp_path,
        redis_url,
        pool="prefork",
        env={
            "EMAIL_BACKEND": "tests.integration.blocking_mail.EmailBackend",
            "BLOCK_MAIL_DIR": str(blocking),
            "BLOCK_MAIL_WHEN": killed,
        },
    )
    real_celery.append(worker)
    ensure_shop_basics()
    client.force_login(UserFactory(email="camille@example.org"))

    place_order(client, product_for(ProducerFactory(), title="Poireaux", stock=5), 2)

    assert wait_until(lambda: list(blocking.glob("sending-*"))), worker.log.read_text()
    (marker,) = blocking.glob("sending-*")
    (blocking / "release").touch()  # the next run would not block
    os.kill(int(marker.name.removeprefix("sending-")), signal.SIGKILL)

    assert wait_until(lambda: worker.said("may not have been sent")), worker.log.read_text()
    time.sleep(2)  # a duplicate would arrive now
    assert len(worker.mails()) == (1 if killed == "after" else 0)
    assert worker.said("order-confirmation:") == 1


def test_a_pool_process_killed_mid_send_sends_the_packing_list_at_most_once(
    tmp_path, real_celery, client, open_day
):
    from deliveries.distribution.tasks import close_distribution_days
    from deliveries.models import DistributionDay

    redis_url = settings.REDIS_URL
    use_broker(redis_url)
    celery_app.control.purge()
    blocking = tmp_path / "blocking"
    blocking.mkdir()
    (blocking / "release").touch()  # the order confirmation goes through
    worker = Worker(
        tmp_path,
        redis_url,
        pool="prefork",
        env={
            "EMAIL_BACKEND": "tests.integration.blocking_mail.EmailBackend",
            "BLOCK_MAIL_DIR": str(blocking),
            "BLOCK_MAIL_WHEN": "after",
        },
    )
    real_celery.append(worker)
    ensure_shop_basics()
    producer = ProducerFactory(users=[UserFactory(email="yann@example.org")])
    client.force_login(UserFactory(email="awa@example.org"))
    place_order(client, product_for(producer, title="Poireaux", stock=20), 3)
    assert settle(worker, 1)
    for confirmation in worker.mails():
        confirmation.unlink()
    (blocking / "release").unlink()
    DistributionDay.objects.filter(pk=open_day.pk).update(cutoff_at=timezone.now())

    close_distribution_days.delay()

    assert wait_until(lambda: list(blocking.glob("sending-*"))), worker.log.read_text()
    (marker,) = blocking.glob("sending-*")
    (blocking / "release").touch()
    os.kill(int(marker.name.removeprefix("sending-")), signal.SIGKILL)

    assert wait_until(lambda: worker.said("may not have been sent")), worker.log.read_text()
    close_distribution_days.delay()  # beat's next tick
    time.sleep(3)
    mails = worker.mails()
    assert len(mails) == 1
    assert "yann@example.org" in mails[0].read_text()


def test_two_sweeps_at_once_hand_each_task_over_once(real_celery):
    use_broker(settings.REDIS_URL)
    OutboxTask.objects.bulk_create(
        OutboxTask(task_name="baskets.tasks.offer_free_places", args=[[]]) for _ in range(300)
    )
    counts = []

    def sweep():
        try:
            counts.append(relay_pending())
        finally:
            connection.close()  # the thread's own

    sweeps = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in sweeps:
        thread.start()
    for thread in sweeps:
        thread.join()

    try:
        assert sum(counts) == 300
        assert not OutboxTask.objects.filter(sent_at=None).exists()
        assert set(OutboxTask.objects.values_list("attempts", flat=True)) == {1}
    finally:
        celery_app.control.purge()


def test_two_beats_sending_the_same_tick_run_it_once(tmp_path, real_celery, client, open_day):
    from deliveries.distribution.tasks import close_distribution_days
    from deliveries.models import DistributionDay

    redis_url = settings.REDIS_URL
    use_broker(redis_url)
    celery_app.control.purge()
    worker = Worker(tmp_path, redis_url, pool="prefork", concurrency=2)
    real_celery.append(worker)
    ensure_shop_basics()
    producer = ProducerFactory(users=[UserFactory(email="yann@example.org")])
    client.force_login(UserFactory(email="awa@example.org"))
    place_order(client, product_for(producer, title="Poireaux", stock=20), 3)
    assert settle(worker, 1)
    for confirmation in worker.mails():
        confirmation.unlink()
    DistributionDay.objects.filter(pk=open_day.pk).update(cutoff_at=timezone.now())

    for _beat in range(2):  # what each beat sends at the same minute
        close_distribution_days.apply_async(headers={"celery_beat_task": True})

    assert wait_until(lambda: worker.said("this beat tick already ran")), worker.log.read_text()
    mails = settle(worker, 1)
    assert len(mails) == 1 and "yann@example.org" in mails[0].read_text()
    packing = OutboxTask.objects.filter(task_name="producers.tasks.build_packing_lists")
    assert packing.count() == 1
    assert worker.said("this beat tick already ran") == 1
