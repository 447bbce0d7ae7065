"""No personal data in the logs: no email address, searched address or position in what the
web processes and the worker write, no task arguments, and no query string in gunicorn's
access log."""

import io
import logging
import runpy
import sys
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from celery.signals import after_setup_logger
from django.conf import settings
from django.urls import reverse
from gunicorn.config import Config
from gunicorn.glogging import Logger, SafeAtoms

from marketplace.core.log_redaction import RedactPersonalData
from tests.factories import PickupPointFactory

EMAIL = "zoe.bouvier@example.org"
ADDRESS = "12 rue de la Paix"


@pytest.fixture
def console():
    """What the web process's console handler writes, everything from DEBUG up."""
    root = logging.getLogger()
    [handler] = [h for h in root.handlers if isinstance(h, logging.StreamHandler)][:1]
    written = io.StringIO()
    previous_stream, previous_level = handler.setStream(written), root.level
    root.setLevel(logging.DEBUG)
    yield written
    root.setLevel(previous_level)
    handler.setStream(previous_stream or sys.stderr)


@pytest.mark.django_db
def test_a_finder_search_and_a_sign_up_leave_no_address_or_email_in_the_log(
    client, console, caplog
):
    caplog.set_level(logging.DEBUG)
    PickupPointFactory(name="Maison du Thabor")
    client.get(reverse("deliveries:finder"), {"q": f"{ADDRESS} 35000 Rennes"})
    client.get(reverse("deliveries:finder"), {"lat": "48.112345", "lon": "-1.681234"})
    client.post(
        reverse("customer:register"),
        {
            "first_name": "Zoé",
            "last_name": "Bouvier",
            "email": EMAIL,
            "password1": "a-long-pass-phrase-9",
            "password2": "a-long-pass-phrase-9",
        },
    )
    # A library that logs the URL it calls, and one of our warnings naming a member.
    logging.getLogger("geopy").debug(
        "BANFrance._call_geocoder: https://api-adresse.data.gouv.fr/search/?q=12+rue+de+la+Paix"
    )
    logging.getLogger("marketplace.core.sending").warning("Could not send to %s", EMAIL)
    logged = console.getvalue() + "\n".join(record.getMessage() for record in caplog.records)
    assert "Could not send to" in logged
    for private in (EMAIL, "zoe.bouvier", ADDRESS, "rue+de+la+Paix", "48.112345"):
        assert private not in logged


def test_tracebacks_and_task_records_are_redacted_too():
    try:
        raise ValueError(f"SMTP refused {EMAIL} at 48.1123, -1.6812")
    except ValueError:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", None, sys.exc_info())
    # How Celery's worker logs a task received and a task failed: its arguments in the record.
    received = logging.LogRecord(
        "celery.worker.strategy",
        logging.INFO,
        __file__,
        1,
        "Task %(name)s[%(id)s] received",
        None,
        None,
    )
    received.args = {"name": "send", "id": "1", "args": f"('{EMAIL}',)", "kwargs": "{}"}
    received.data = dict(received.args)
    for item in (record, received):
        RedactPersonalData().filter(item)
        text = logging.Formatter().format(item) + repr(item.__dict__)
        assert EMAIL not in text and "48.1123" not in text
    assert "Task send[1] received" in received.getMessage()


def test_the_worker_s_own_log_handlers_get_the_filter():
    import marketplace.celery  # noqa: F401 (connects the worker's logging signals)

    logger = logging.getLogger("test.worker")
    handler = logging.StreamHandler(io.StringIO())
    logger.addHandler(handler)
    try:
        after_setup_logger.send(
            sender=None,
            logger=logger,
            loglevel=logging.INFO,
            logfile=None,
            format="",
            colorize=False,
        )
        logger.warning("Task received for %s", EMAIL)
        assert EMAIL not in handler.stream.getvalue()
        assert "Task received for" in handler.stream.getvalue()
    finally:
        logger.removeHandler(handler)


def test_gunicorn_s_access_log_has_no_query_string_or_referrer():
    config_file = Path(settings.BASE_DIR) / "gunicorn.conf.py"
    access_format = runpy.run_path(str(config_file))["access_log_format"]
    config = Config()
    config.set("access_log_format", access_format)
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/lieux-de-distribution/?q=12+rue+de+la+Paix&email={EMAIL}",
        "PATH_INFO": "/lieux-de-distribution/",
        "QUERY_STRING": f"q=12+rue+de+la+Paix&email={EMAIL}",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_REFERER": "https://example.org/?lat=48.11&lon=-1.68",
        "REMOTE_ADDR": "203.0.113.9",
    }
    response = SimpleNamespace(status="200 OK", sent=512, headers=[])
    request = SimpleNamespace(headers=[])
    atoms = Logger(config).atoms(response, request, environ, timedelta(milliseconds=12))
    line = access_format % SafeAtoms(atoms)
    assert '"GET /lieux-de-distribution/" 200 512 12ms' in line
    for private in ("?", "rue", EMAIL, "lat=", "203.0.113.9"):
        assert private not in line
