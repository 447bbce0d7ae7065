"""What the browser tests that need production's behaviour share: production's settings, read in
a process of their own, and a live server on its own thread with the middleware they name."""

import json
import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.conf import settings
from django.db import connections
from django.test.testcases import LiveServerThread

from tests.browser.conftest import CHROMIUM

SCRIPT = """
import json
import django
from django.conf import settings
from django.core.management import call_command

django.setup()
if {collect}:
    call_command("collectstatic", interactive=False, verbosity=0)
print(json.dumps({{name: getattr(settings, name) for name in {names!r}}}, default=str))
"""


def production_settings(names: list[str], *, collect_static: bool = False, **env: str) -> dict:
    """The settings ``names`` as a production process reads them, with ``env`` added to this
    one's environment (its static files collected first if asked, about 20 s)."""
    if not CHROMIUM.exists():
        pytest.skip("Chromium not installed: apt-get install chromium")
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT.format(collect=collect_static, names=names)],
        cwd=settings.BASE_DIR,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "marketplace.settings.production",
            "SECRET_KEY": secrets.token_urlsafe(50),
            **env,
        },
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


@contextmanager
def live_server(**thread_options) -> Iterator[str]:
    """A live server on its own thread (the shared live server's middleware is fixed when it is
    built once), sharing the test's in-memory SQLite database; yields its URL."""
    shared = {
        connection.alias: connection
        for connection in connections.all()
        if connection.vendor == "sqlite" and connection.is_in_memory_db()
    }
    thread = LiveServerThread("127.0.0.1", connections_override=shared, **thread_options)
    thread.daemon = True
    for connection in shared.values():
        connection.inc_thread_sharing()
    thread.start()
    thread.is_ready.wait()
    try:
        if thread.error:
            raise thread.error
        yield f"http://{thread.host}:{thread.port}"
    finally:
        thread.terminate()
        for connection in shared.values():
            connection.dec_thread_sharing()
