"""A test-only email backend for killing a worker mid-send: it writes each message to a file like
Django's file backend, and around that blocks until the test kills the process.

``BLOCK_MAIL_DIR``: where it announces ``sending-<pid>`` and waits. ``BLOCK_MAIL_WHEN``:
``before`` (killed before the message leaves) or ``after`` (killed once it has left). Once the
test has written ``release`` in that folder, it no longer blocks."""

import os
import time
from pathlib import Path

from django.core.mail.backends.filebased import EmailBackend as FileBackend


class EmailBackend(FileBackend):
    def send_messages(self, email_messages):
        when = os.environ.get("BLOCK_MAIL_WHEN", "before")
        if when == "before":
            self._block()
        sent = super().send_messages(email_messages)
        if when == "after":
            self._block()
        return sent

    @staticmethod
    def _block() -> None:
        folder = Path(os.environ["BLOCK_MAIL_DIR"])
        if (folder / "release").exists():
            return
        (folder / f"sending-{os.getpid()}").touch()
        while not (folder / "release").exists():
            time.sleep(0.1)
