"""``python -m bench``: build the bench database, serve it with gunicorn, load each page.

The load comes from wrk when it is on the PATH (``wrk -t2 -c8 -d8s``: the issue's figures),
else from bench/load.py's Python client; the run says which. gunicorn runs 2 sync workers
(steady figures, see the README); BENCH_WORKER_CLASS=gthread runs them as the README's "Running
it at scale" runs production, 4 threads each.

Environment: DATABASE_URL (PostgreSQL, else SQLite), REDIS_URL (the cache, as in production;
else each worker's local memory), BENCH_SECONDS (per page, default 8), BENCH_WARMUP (default
1.5; wrk: whole seconds), BENCH_CLIENTS (default 8), BENCH_PRODUCERS / BENCH_PRODUCTS (default
30 / 2000), BENCH_KEEP_DB=1 to reuse the bench database, BENCH_SQL=1 to print the queries of
each page, BENCH_PAGES=finder,finder_member to load only those pages (and nothing else;
results.json is then left as it is), BENCH_WORKER_CLASS=gthread for gunicorn's gthread
workers instead of sync ones, BENCH_CHARGES (default 10,000) for the instalments of the
nightly charging run (bench/charges.py), BENCH_SOLIDARITY_SUBSCRIPTIONS (default 5,000) for the
fund's rate review and the nightly settlement of its baskets (bench/solidarity_review.py).
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

from bench import baskets, calendar, charges, data, packing, pages, pickup_list, solidarity_review
from bench.load import HOST, LoadResult, WrkResult, client_name, has_wrk, load

RESULTS = Path(__file__).resolve().parent / "results.json"
WORKERS = 2
# BENCH_WORKER_CLASS=gthread: as README's "Running it at scale" runs production.
THREADS = 4
# Issue 12's target for every page, first-time visitor or signed in: at least 500 req/s with a
# p99 within 30 ms on this bench (2 workers, 8 clients, 2,000 products, a 2-core machine).
MIN_RPS, MAX_P99_MS, MAX_QUERIES = 500, 30, 8


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def worker_class() -> str:
    name = os.environ.get("BENCH_WORKER_CLASS", "sync")
    if name not in {"gthread", "sync"}:
        raise SystemExit(f"bench: BENCH_WORKER_CLASS must be gthread or sync, got {name!r}")
    return name


def workers_label() -> str:
    if worker_class() == "sync":
        return f"{WORKERS} sync gunicorn workers"
    return f"{WORKERS} gthread gunicorn workers of {THREADS} threads"


@contextmanager
def gunicorn(env: Mapping[str, str], var_dir: Path) -> Iterator[int]:
    """A running gunicorn on a free local port, stopped on the way out whatever happens."""
    port = free_port()
    log_path = var_dir / "gunicorn.log"
    command = [sys.executable, "-m", "gunicorn", "marketplace.wsgi", "-w", str(WORKERS)]
    command += ["--worker-class", worker_class()]
    if worker_class() == "gthread":
        command += ["--threads", str(THREADS)]
    command += ["-b", f"{HOST}:{port}", "--log-level", "warning", "--timeout", "60"]
    print(f"- gunicorn, {workers_label()}, on {HOST}:{port} (log: {log_path})", flush=True)
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


def records(
    page: pages.Page, result: LoadResult | WrkResult, queries: pages.QueryCount
) -> list[dict]:
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
        if v[2] > MAX_P99_MS:
            flags.append(f"p99 > {MAX_P99_MS} ms")
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
    print(f"Bench on {db.label}; load client: {client_name()}", flush=True)
    data.prepare(db, env, size, keep=os.environ.get("BENCH_KEEP_DB") == "1")

    pages.setup_django(env)
    scenarios = pages.find_pages()
    only = {name for name in os.environ.get("BENCH_PAGES", "").split(",") if name}
    if only:
        scenarios = [page for page in scenarios if page.name in only]
    context = {
        "products": size.products,
        "producers": size.producers,
        "database": db.engine,
        "gunicorn": workers_label(),
        "load_client": "wrk" if has_wrk() else "python",
    }
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
            load(port, path, clients, warmup, headers)
            result = load(port, path, clients, seconds, headers)
            print(f"  {result.requests} requests, statuses {dict(result.statuses)}", flush=True)
            rows += [{**row, **context} for row in records(page, result, queries)]

    if only:
        header = (
            f"{db.engine}, {workers_label()}, {clients} clients ({client_name()}), "
            f"{seconds:g} s per page"
        )
        print_table(rows, header + " (BENCH_PAGES: results.json unchanged)")
        return
    calendar_rows = [{**row, "database": db.engine} for row in calendar.run()]
    packing_rows = [{**row, "database": db.engine} for row in packing.run()]
    basket_rows = [{**row, "database": db.engine} for row in baskets.run()]
    pickup_rows = [{**row, "database": db.engine} for row in pickup_list.run()]
    charge_rows = [{**row, "database": db.engine} for row in charges.run()]
    review_rows = [{**row, "database": db.engine} for row in solidarity_review.run()]
    parts = calendar_rows + packing_rows + basket_rows + pickup_rows + charge_rows + review_rows
    rows += parts

    tmp = RESULTS.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(rows, indent=2, ensure_ascii=False) + "\n")
    tmp.replace(RESULTS)
    header = (
        f"{db.engine}, {size.products} products from {size.producers} producers, "
        f"{workers_label()}, {clients} clients ({client_name()}), {seconds:g} s per page"
    )
    print_table(
        [row for row in rows if row not in parts],
        header,
    )
    calendar.print_rows(calendar_rows)
    packing.print_rows(packing_rows)
    baskets.print_rows(basket_rows)
    pickup_list.print_rows(pickup_rows)
    charges.print_rows(charge_rows)
    solidarity_review.print_rows(review_rows)
    print(f"\nWritten to {RESULTS.relative_to(data.BASE_DIR)}")


if __name__ == "__main__":
    main()
