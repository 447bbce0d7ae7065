"""Where the demo's emails go while it is loaded: into files, counted, never printed or sent.

Loading the demo builds a closed day's packing lists (PDF and CSV attached) and passes baskets
between neighbours, which emails producers and members at made-up addresses; the console
backend would print whole emails, base64 PDFs included, before the demo accounts. The demo's
own tasks run in the command itself, so that none waits for the worker to print it later.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.filebased import EmailBackend

BACKEND = "marketplace.demo.mail.CountingFileBackend"


class CountingFileBackend(EmailBackend):
    """Django's file backend, counting the messages it writes (one process, one load)."""

    written = 0

    def send_messages(self, email_messages):
        count = super().send_messages(email_messages)
        CountingFileBackend.written += count
        return count


@contextmanager
def demo_emails_in(folder: Path) -> Iterator[type[CountingFileBackend]]:
    """Emails sent meanwhile, by the caller or by tasks it queues, written into `folder`."""
    from marketplace.celery import app

    saved = (settings.EMAIL_BACKEND, settings.EMAIL_FILE_PATH, app.conf.task_always_eager)
    settings.EMAIL_BACKEND, settings.EMAIL_FILE_PATH = BACKEND, str(folder)
    app.conf.task_always_eager = True
    CountingFileBackend.written = 0
    try:
        yield CountingFileBackend
    finally:
        settings.EMAIL_BACKEND, settings.EMAIL_FILE_PATH, app.conf.task_always_eager = saved
