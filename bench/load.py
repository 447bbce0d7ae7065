"""A light load client: a few threads, each with its own keep-alive HTTP connection.

Threads spend their time blocked on sockets, so 8 of them cost little CPU next to gunicorn on a
2-core machine. gunicorn runs gthread workers, which keep connections alive as browsers do.
"""

import http.client
import math
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

HOST = "127.0.0.1"
MAX_REQUESTS = 100_000


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
