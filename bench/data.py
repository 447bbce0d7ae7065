"""The benchmark's own database, never the developer's: created fresh, migrated, then filled.

PostgreSQL when DATABASE_URL is set (database ``<name>_bench``, dropped and created through the
``postgres`` maintenance database), otherwise SQLite in a dedicated VAR_DIR (``var/bench/``).
"""

import os
import secrets
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

BASE_DIR = Path(__file__).resolve().parent.parent
POSTGRES_SCHEMES = {"postgres", "postgresql", "pgsql", "postgis"}


@dataclass(frozen=True)
class Size:
    producers: int = 30
    products: int = 2000


@dataclass(frozen=True)
class BenchDatabase:
    engine: str  # "postgresql" or "sqlite"
    url: str | None  # None: SQLite, in var_dir
    var_dir: Path

    @property
    def label(self) -> str:
        if self.url is None:
            return f"sqlite {self.var_dir / 'db.sqlite3'}"
        return f"postgresql database {urlsplit(self.url).path.lstrip('/')}"


def choose_database(environ: Mapping[str, str]) -> BenchDatabase:
    var_dir = Path(environ.get("VAR_DIR", BASE_DIR / "var")) / "bench"
    source = environ.get("DATABASE_URL", "").strip()
    if not source:
        return BenchDatabase("sqlite", None, var_dir)
    parts = urlsplit(source)
    name = parts.path.lstrip("/")
    if parts.scheme not in POSTGRES_SCHEMES or not name:
        raise SystemExit(f"bench: DATABASE_URL must name a PostgreSQL database, got {source!r}")
    url = urlunsplit(parts._replace(path=f"/{name}_bench"))
    return BenchDatabase("postgresql", url, var_dir)


def bench_env(db: BenchDatabase) -> dict[str, str]:
    """The environment of every bench process: the bench database, production-like settings."""
    env = dict(os.environ)
    env.pop("DATABASE_URL", None)
    if db.url:
        env["DATABASE_URL"] = db.url
    env.update(
        DJANGO_SETTINGS_MODULE="marketplace.settings",
        VAR_DIR=str(db.var_dir),
        DEBUG="false",
        ALLOWED_HOSTS="127.0.0.1",
        SECRET_KEY="bench-" + secrets.token_urlsafe(40),
        # With REDIS_URL set, keep out of the developer's cache keys.
        CACHE_KEY_PREFIX="cc-bench",
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    return env


def recreate(db: BenchDatabase) -> None:
    db.var_dir.mkdir(parents=True, exist_ok=True)
    if db.url is None:
        for suffix in ("", "-wal", "-shm"):
            (db.var_dir / f"db.sqlite3{suffix}").unlink(missing_ok=True)
        return
    parts = urlsplit(db.url)
    name = parts.path.lstrip("/")
    maintenance = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as conn:
        ident = sql.Identifier(name)
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(ident))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(ident))


def manage(env: Mapping[str, str], *args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env, check=True)


def prepare(db: BenchDatabase, env: Mapping[str, str], size: Size, keep: bool = False) -> None:
    """Fresh database (unless `keep`: load_demo is idempotent), migrated, shop set up, demo data."""
    steps = [
        ("migrate", ["migrate", "--noinput", "--verbosity", "0"]),
        ("setup_shop", ["setup_shop"]),
        (
            f"load_demo ({size.producers} producers, {size.products} products)",
            ["load_demo", "--producers", str(size.producers), "--products", str(size.products)],
        ),
    ]
    if not keep:
        print(f"- recreating {db.label}", flush=True)
        recreate(db)
    db.var_dir.mkdir(parents=True, exist_ok=True)
    for title, args in steps:
        print(f"- {title}", flush=True)
        started = time.perf_counter()
        manage(env, *args)
        print(f"  done in {time.perf_counter() - started:.1f} s", flush=True)
