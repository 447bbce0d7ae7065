"""The load clients: wrk when it is installed (the issue's figures are wrk's), else a light one
of our own, a few threads each with its own keep-alive HTTP connection.

Our threads spend their time blocked on sockets, so 8 of them cost little CPU next to gunicorn
on a 2-core machine; wrk costs less still, and its latencies are not a Python client's.
"""

import http.client
import json
import math
import shutil
import subprocess
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

HOST = "127.0.0.1"
MAX_REQUESTS = 100_000
# wrk's own threads: 2, as in the runs (``wrk -t2 -c8``).
WRK_THREADS = 2
# Prints what wrk measured as one line of JSON (latencies in microseconds).
WRK_REPORT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "seconds": %f, "p50_us": %d, "p99_us": %d, "non_2xx_3xx": %d, '
    .. '"socket_errors": %d}\\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50), latency:percentile(99),
    e.status, e.connect + e.read + e.write + e.timeout))
end
"""


@dataclass
class LoadResult:
    seconds: float
    latencies_ms: list[float] = field(default_factory=list)
    statuses: Counter[str] = field(default_factory=Counter)

    @property
    def requests(self) -> int:
        return len(self.latencies_ms)

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def errors(self) -> int:
        """Responses that were not 2xx, and requests that got no response at all."""
        return sum(n for status, n in self.statuses.items() if not status.startswith("2"))

    def percentile(self, q: float) -> float:
        """Nearest-rank percentile, q in [0, 100]."""
        if not self.latencies_ms:
            return math.nan
        ordered = sorted(self.latencies_ms)
        rank = max(1, math.ceil(q / 100 * len(ordered)))
        return ordered[rank - 1]


@dataclass
class WrkResult:
    """What wrk reports: counts and two percentiles, not each request."""

    seconds: float
    requests: int
    p50_ms: float
    p99_ms: float
    non_2xx_3xx: int
    socket_errors: int

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def errors(self) -> int:
        """Responses other than 2xx and 3xx, and connections that failed (wrk's "Socket
        errors")."""
        return self.non_2xx_3xx + self.socket_errors

    @property
    def statuses(self) -> dict[str, int]:
        return {"2xx/3xx": self.requests - self.non_2xx_3xx, "other": self.non_2xx_3xx}

    def percentile(self, q: float) -> float:
        return {50: self.p50_ms, 99: self.p99_ms}[q]


def has_wrk() -> bool:
    return shutil.which("wrk") is not None


def client_name() -> str:
    return "wrk" if has_wrk() else "bench/load.py (Python threads; wrk is not on the PATH)"


def run_wrk(
    port: int, path: str, clients: int, seconds: float, headers: dict | None = None
) -> WrkResult:
    """``wrk -t2 -c<clients> -d<seconds>s`` on ``path``: keep-alive connections, each sending
    its next request as soon as the last one is answered."""
    with tempfile.TemporaryDirectory() as folder:
        script = Path(folder) / "report.lua"
        script.write_text(WRK_REPORT)
        command = ["wrk", f"-t{min(WRK_THREADS, clients)}", f"-c{clients}"]
        command += [f"-d{max(1, round(seconds))}s", "--timeout", "30s", "-s", str(script)]
        for name, value in (headers or {}).items():
            command += ["-H", f"{name}: {value}"]
        command.append(f"http://{HOST}:{port}{path}")
        done = subprocess.run(command, capture_output=True, text=True, check=False)
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        raise SystemExit(f"bench: wrk failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    report = json.loads(lines[-1])
    return WrkResult(
        seconds=report["seconds"],
        requests=report["requests"],
        p50_ms=report["p50_us"] / 1000,
        p99_ms=report["p99_us"] / 1000,
        non_2xx_3xx=report["non_2xx_3xx"],
        socket_errors=report["socket_errors"],
    )


def load(
    port: int, path: str, clients: int, seconds: float, headers: dict | None = None
) -> LoadResult | WrkResult:
    """``path`` under ``clients`` concurrent clients for ``seconds``: wrk if installed."""
    if has_wrk():
        return run_wrk(port, path, clients, seconds, headers)
    return hammer(port, path, clients, seconds, headers)


def _client(
    port: int, path: str, headers: dict, deadline: float, budget: int, out: list[LoadResult]
) -> None:
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    own = LoadResult(seconds=0.0)
    latencies, statuses = own.latencies_ms, own.statuses
    try:
        while len(latencies) < budget and time.perf_counter() < deadline:
            started = time.perf_counter()
            try:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
                status = str(response.status)
            except (OSError, http.client.HTTPException) as error:
                conn.close()
                status = type(error).__name__
                time.sleep(0.01)
            latencies.append((time.perf_counter() - started) * 1000)
            statuses[status] += 1
    finally:
        conn.close()
        out.append(own)


def hammer(
    port: int, path: str, clients: int, seconds: float, headers: dict | None = None
) -> LoadResult:
    """GET `path` from `clients` concurrent clients for `seconds` (or MAX_REQUESTS in all)."""
    parts: list[LoadResult] = []
    started = time.perf_counter()
    threads = [
        threading.Thread(
            target=_client,
            args=(port, path, headers or {}, started + seconds, MAX_REQUESTS // clients, parts),
            daemon=True,
        )
        for _ in range(clients)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + 60)
    result = LoadResult(seconds=time.perf_counter() - started)
    for part in parts:
        result.latencies_ms.extend(part.latencies_ms)
        result.statuses.update(part.statuses)
    return result
