"""`make run`'s processes (Procfile.dev under honcho) stop cleanly on one Ctrl-C."""

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings

from marketplace.dev_processes import STOP_WITHIN_SECONDS

# Past its allowance honcho kills what still runs, which the output below would show.
STOPPED_WITHIN_SECONDS = STOP_WITHIN_SECONDS + 10


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def read_until(process: subprocess.Popen, marks: list[str], timeout: float) -> str:
    output, deadline = "", time.monotonic() + timeout
    os.set_blocking(process.stdout.fileno(), False)
    while time.monotonic() < deadline and not all(mark in output for mark in marks):
        chunk = process.stdout.read()
        output += chunk.decode(errors="replace") if chunk else ""
        time.sleep(0.2)
    return output


def test_ctrl_c_stops_the_web_server_and_the_worker_without_errors(tmp_path: Path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(VAR_DIR=str(tmp_path), PORT=str(free_port()), PYTHONUNBUFFERED="1")
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    honcho = subprocess.Popen(
        [sys.executable, "-m", "marketplace.dev_processes"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group, as in a terminal
    )
    try:
        started = read_until(honcho, ["Quit the server", "ready."], timeout=120)
        assert "ready." in started and "Quit the server" in started, started[-3000:]

        os.killpg(honcho.pid, signal.SIGINT)  # Ctrl-C reaches the terminal's process group
        stopping_since = time.monotonic()
        returncode = honcho.wait(timeout=60)
        stopped_after = time.monotonic() - stopping_since
        rest = honcho.stdout.read() or b""
    finally:
        if honcho.poll() is None:
            os.killpg(honcho.pid, signal.SIGKILL)
            honcho.wait()
    output = rest.decode(errors="replace")

    assert returncode == 130  # honcho's exit on Ctrl-C, which `make run` takes as success
    assert stopped_after < STOPPED_WITHIN_SECONDS, output
    assert "SIGKILL" not in output and not re.search(r"signal 15|exited with", output), output
    assert re.search(r"worker\.1 stopped \(rc=0\)", output), output
