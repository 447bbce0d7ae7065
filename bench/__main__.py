"""``python -m bench``: build the bench database, serve it with gunicorn, load each page.

Environment: DATABASE_URL (PostgreSQL, else SQLite), BENCH_SECONDS (per page, default 8),
BENCH_WARMUP (default 1.5), BENCH_CLIENTS (default 8), BENCH_PRODUCERS / BENCH_PRODUCTS
(default 30 / 2000), BENCH_KEEP_DB=1 to reuse the bench database, BENCH_SQL=1 to print the
queries of each page, BENCH_PAGES=finder,finder_member to load only those pages (and nothing
else; results.json is then left as it is).
"""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from bench import baskets, calendar, data, packing, pages, pickup_list
from bench.load import HOST, LoadResult, hammer

RESULTS = Path(__file__).resolve().parent / "results.json"
WORKERS = 2
MIN_RPS, MAX_QUERIES = 200, 8


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


@contextmanager
def gunicorn(env: Mapping[str, str], var_dir: Path) -> Iterator[int]:
    """A running gunicorn on a free local port, stopped on the way out whatever happens."""
    port = free_port()
    log_path = var_dir / "gunicorn.log"
    command = [sys.executable, "-m", "gunicorn", "marketplace.wsgi", "-w", str(WORKERS)]
    command += ["--worker-class", "gthread", "--threads", "4"]
    command += ["-b", f"{HOST}:{port}", "--log-level", "warning", "--timeout", "60"]
    print(f"- gunicorn, {WORKERS} workers, on {HOST}:{port} (log: {log_path})", flush=True)
    with open(log_path, "w") as log:
        server = subprocess.Popen(
            command, cwd=data.BASE_DIR, env=dict(env), stdout=log, stderr=subprocess.STDOUT
        )
    try:
        wait_healthy(server, port, log_path)
        yield port
    finally:
        server.terminate()  # SIGTERM: graceful shutdown
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def wait_healthy(server: subprocess.Popen, port: int, log_path: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"bench: gunicorn exited:\n{log_path.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"http://{HOST}:{port}/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"bench: gunicorn not healthy after {timeout:.0f} s")


def records(page: pages.Page, result: LoadResult, queries: pages.QueryCount) -> list[dict]:
    return [
        {"name": f"{page.name}.rps", "value": round(result.rps, 1), "unit": "req/s"},
        {"name": f"{page.name}.p50_ms", "value": round(result.percentile(50), 1), "unit": "ms"},
        {"name": f"{page.name}.p99_ms", "value": round(result.percentile(99), 1), "unit": "ms"},
        {"name": f"{page.name}.queries", "value": queries.cold, "unit": "queries"},
        {"name": f"{page.name}.queries_warm", "value": queries.warm, "unit": "queries"},
        {"name": f"{page.name}.errors", "value": result.errors, "unit": "responses"},
    ]


def print_table(rows: list[dict], header: str) -> None:
    values = {row["name"]: row["value"] for row in rows}
    names = list(dict.fromkeys(row["name"].split(".")[0] for row in rows))
    print(f"\n{header}")
    print(
        f"{'page':<18}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}"
        f"{'queries':>9}{'(warm)':>8}{'errors':>8}"
    )
    for name in names:
        v = [
            values[f"{name}.{m}"]
            for m in ("rps", "p50_ms", "p99_ms", "queries", "errors", "queries_warm")
        ]
        flags = []
        if v[0] < MIN_RPS:
            flags.append(f"< {MIN_RPS} req/s")
        if v[3] > MAX_QUERIES:
            flags.append(f"> {MAX_QUERIES} queries")
        if v[4]:
            flags.append("errors")
        note = f"  <- {', '.join(flags)}" if flags else ""
        print(f"{name:<18}{v[0]:>9.1f}{v[1]:>9.1f}{v[2]:>9.1f}{v[3]:>9}{v[5]:>8}{v[4]:>8}{note}")


def main() -> None:
    seconds = float(os.environ.get("BENCH_SECONDS", "8"))
    warmup = float(os.environ.get("BENCH_WARMUP", "1.5"))
    clients = int(os.environ.get("BENCH_CLIENTS", "8"))
    size = data.Size(
        int(os.environ.get("BENCH_PRODUCERS", data.Size.producers)),
        int(os.environ.get("BENCH_PRODUCTS", data.Size.products)),
    )
    db = data.choose_database(os.environ)
    env = data.bench_env(db)
    print(f"Bench on {db.label}", flush=True)
    data.prepare(db, env, size, keep=os.environ.get("BENCH_KEEP_DB") == "1")

    pages.setup_django(env)
    scenarios = pages.find_pages()
    only = {name for name in os.environ.get("BENCH_PAGES", "").split(",") if name}
    if only:
        scenarios = [page for page in scenarios if page.name in only]
    context = {"products": size.products, "producers": size.producers, "database": db.engine}
    rows: list[dict] = []
    cookie = pages.member_cookie()
    with gunicorn(env, db.var_dir) as port:
        for page in scenarios:
            path = pages.ascii_path(page.path)
            headers = {"Cookie": cookie} if page.as_member else {}
            queries = pages.count_queries(page.path, headers.get("Cookie", ""))
            print(
                f"- {page.name} {path}: {queries.cold} queries after a change, {queries.warm} warm",
                flush=True,
            )
            if queries.status != 200:
                print(f"  warning: status {queries.status} in-process", flush=True)
            if os.environ.get("BENCH_SQL") == "1":
                for statement in queries.sql:
                    print(f"    {statement[:300]}")
            hammer(port, path, clients, warmup, headers)
            result = hammer(port, path, clients, seconds, headers)
            print(f"  {result.requests} requests, statuses {dict(result.statuses)}", flush=True)
            rows += [{**row, **context} for row in records(page, result, queries)]

    if only:
        header = (
            f"{db.engine}, {WORKERS} gunicorn workers, {clients} clients, {seconds:g} s per page"
        )
        print_table(rows, header + " (BENCH_PAGES: results.json unchanged)")
        return
    calendar_rows = [{**row, "database": db.engine} for row in calendar.run()]
    packing_rows = [{**row, "database": db.engine} for row in packing.run()]
    basket_rows = [{**row, "database": db.engine} for row in baskets.run()]
    pickup_rows = [{**row, "database": db.engine} for row in pickup_list.run()]
    rows += calendar_rows + packing_rows + basket_rows + pickup_rows

    tmp = RESULTS.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(rows, indent=2, ensure_ascii=False) + "\n")
    tmp.replace(RESULTS)
    header = (
        f"{db.engine}, {size.products} products from {size.producers} producers, "
        f"{WORKERS} gunicorn workers, {clients} clients, {seconds:g} s per page"
    )
    print_table(
        [
            row
            for row in rows
            if row not in calendar_rows + packing_rows + basket_rows + pickup_rows
        ],
        header,
    )
    calendar.print_rows(calendar_rows)
    packing.print_rows(packing_rows)
    baskets.print_rows(basket_rows)
    pickup_list.print_rows(pickup_rows)
    print(f"\nWritten to {RESULTS.relative_to(data.BASE_DIR)}")


if __name__ == "__main__":
    main()
