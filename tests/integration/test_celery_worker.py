"""A real Celery worker on Redis sends the order confirmation, once."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from marketplace.celery import app as celery_app
from marketplace.shop_setup import ensure_shop_basics
from tests.factories import ProducerFactory, UserFactory, open_slot_code, product_for

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(
        not settings.REDIS_URL or connection.vendor != "postgresql",
        reason="needs REDIS_URL and a PostgreSQL DATABASE_URL (CI sets both)",
    ),
]


@pytest.fixture
def worker(transactional_db, tmp_path):
    """A Celery worker process on the test database, writing emails to files, its clock
    started where the test's is."""
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(tmp_path / "mail"),
        "PINNED_NOW": str(timezone.now().timestamp()),
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.integration.pinned_celery",
            "-A",
            "marketplace",
            "worker",
            "--pool",
            "solo",
            "--loglevel",
            "WARNING",
            "--without-gossip",
            "--without-mingle",
        ],
        env=env,
        cwd=settings.BASE_DIR,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    celery_app.conf.task_always_eager = False
    try:
        yield tmp_path / "mail"
    finally:
        celery_app.conf.task_always_eager = True
        process.terminate()
        process.wait(timeout=20)


def wait_for_files(folder: Path, timeout: float = 60) -> list[Path]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        files = sorted(folder.glob("*.log")) if folder.exists() else []
        if files:
            time.sleep(1)  # a duplicate would arrive now
            return sorted(folder.glob("*.log"))
        time.sleep(0.2)
    return []


def test_worker_emails_the_order_confirmation_once(worker, client, open_day):
    ensure_shop_basics()
    member = UserFactory(email="camille@example.org")
    product = product_for(ProducerFactory(), title="Galettes de blé noir", stock=5)
    client.force_login(member)
    client.post(reverse("basket:add", kwargs={"pk": product.pk}), {"quantity": 2})
    client.get(reverse("checkout:index"), follow=True)
    client.post(reverse("checkout:shipping-method"), {"method_code": open_slot_code()})

    client.post(reverse("checkout:preview"), {"action": "place_order"})

    mails = wait_for_files(worker)
    assert len(mails) == 1
    text = mails[0].read_text()
    assert "camille@example.org" in text
    assert "Galettes de blé noir" in text


def test_worker_builds_and_emails_the_packing_list_after_the_cutoff(worker, client, open_day):
    from deliveries.distribution.tasks import close_distribution_days
    from deliveries.models import DistributionDay
    from producers.models import PackingList

    ensure_shop_basics()
    farmer = UserFactory(email="yann@example.org")
    producer = ProducerFactory(users=[farmer])
    product = product_for(producer, title="Poireaux", stock=20)
    client.force_login(UserFactory(email="awa@example.org"))
    client.post(reverse("basket:add", kwargs={"pk": product.pk}), {"quantity": 3})
    client.get(reverse("checkout:index"), follow=True)
    client.post(reverse("checkout:shipping-method"), {"method_code": open_slot_code()})
    client.post(reverse("checkout:preview"), {"action": "place_order"})
    assert wait_for_files(worker)  # the order confirmation
    for confirmation in worker.glob("*.log"):
        confirmation.unlink()
    DistributionDay.objects.filter(pk=open_day.pk).update(cutoff_at=timezone.now())

    close_distribution_days.delay()  # what beat sends every five minutes

    mails = wait_for_files(worker)
    assert len(mails) == 1
    text = mails[0].read_text()
    assert "yann@example.org" in text and "Poireaux" in text
    assert 'filename="colisage-' in text and "application/pdf" in text
    assert PackingList.objects.get(distribution_day=open_day).emailed_at is not None
