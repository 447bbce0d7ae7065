"""A Redis cache the site can lose: while Redis does not answer, reads miss and writes are
dropped, so every page renders from the database, only slower.

- Short socket timeouts (``OPTIONS``), and after a failure Redis is left alone for
  ``RETRY_AFTER`` seconds in this process: a dead or hung Redis costs one timeout per interval,
  not one per cache call.
- One warning per ``WARN_EVERY`` seconds in the log, not one per call.
- A write this process could not make (a catalogue version bump, a page dropped from the cache)
  would leave a stale copy behind once Redis answers again, with its data kept (persistence, a
  network cut). So the first time Redis answers after such a miss, this process removes every key
  under the cache's prefix (not ``FLUSHDB``: the broker's queues may share the database).

The state is per process and per location, shared by the threads that each hold their own
backend instance (Django makes one per thread).
"""

import logging
import re
import threading
import time
from contextlib import suppress
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# What Redis failing looks like: refused, reset or timed-out sockets, a Redis loading its data or
# out of memory, a proxy answering instead of it.
REDIS_FAILURES = (RedisError, OSError)

DEFAULT_OPTIONS = {
    "socket_connect_timeout": 0.25,
    "socket_timeout": 0.5,
}
DEFAULT_RETRY_AFTER = 5.0
DEFAULT_WARN_EVERY = 60.0


@dataclass
class RedisHealth:
    """What this process knows of one Redis."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    # time.monotonic() before which Redis is not tried again.
    resting_until: float = 0.0
    # A write was dropped: keys may be stale once Redis answers again.
    missed_writes: bool = False
    last_warning: float | None = None


_health: dict[tuple[str, str], RedisHealth] = {}
_health_lock = threading.Lock()


def health_of(location: str, key_prefix: str) -> RedisHealth:
    with _health_lock:
        return _health.setdefault((location, key_prefix), RedisHealth())


def forget_health() -> None:
    """For the tests: every Redis is tried again, nothing is known to have been missed."""
    with _health_lock:
        _health.clear()


def public_address(location: str) -> str:
    """Host and port of each server, without credentials, for the log."""
    return ",".join(urlsplit(url).netloc.rpartition("@")[2] for url in re.split("[;,]", location))


class _Unavailable(Exception):
    """Redis is resting after a failure: the call is not tried."""


class ReusedClientRedisCacheClient(RedisCacheClient):
    """One ``redis.Redis`` per connection pool, not one per cache call as Django makes them:
    redis-py fills some 170 response callbacks in each, which cost more than the call itself
    (a signed-in page reads the cache five times). A ``redis.Redis`` may be shared by threads;
    Django gives each thread its own cache object anyway."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class TolerantRedisCache(RedisCache):
    def __init__(self, server, params):
        params = dict(params)
        params["OPTIONS"] = {**DEFAULT_OPTIONS, **params.get("OPTIONS", {})}
        super().__init__(server, params)
        self._class = ReusedClientRedisCacheClient
        self.retry_after = float(params.get("RETRY_AFTER", DEFAULT_RETRY_AFTER))
        self.warn_every = float(params.get("WARN_EVERY", DEFAULT_WARN_EVERY))
        self.location = server if isinstance(server, str) else ",".join(server)
        self.health = health_of(self.location, self.key_prefix)

    # Calls through the breaker

    def _call(self, operation, *args, writes: bool):
        health = self.health
        if time.monotonic() < health.resting_until:
            if writes:
                health.missed_writes = True
            raise _Unavailable
        try:
            if health.missed_writes:
                self._remove_stale_keys()
            return operation(*args)
        except REDIS_FAILURES as error:
            with health.lock:
                health.resting_until = time.monotonic() + self.retry_after
                if writes:
                    health.missed_writes = True
            self._warn(error)
            raise _Unavailable from error

    def _remove_stale_keys(self) -> None:
        health = self.health
        with health.lock:
            if not health.missed_writes:
                return
            client = self._cache.get_client(write=True)
            pattern = _glob_escape(self.key_prefix) + ":*"
            removed = 0
            batch = []
            for key in client.scan_iter(match=pattern, count=1000):
                batch.append(key)
                if len(batch) == 1000:
                    removed += client.unlink(*batch)
                    batch = []
            if batch:
                removed += client.unlink(*batch)
            health.missed_writes = False
        logger.warning(
            "Redis cache at %s answers again: removed %d keys that may have gone stale while it "
            "did not",
            public_address(self.location),
            removed,
        )

    def _warn(self, error: Exception) -> None:
        health = self.health
        now = time.monotonic()
        with health.lock:
            if health.last_warning is not None and now - health.last_warning < self.warn_every:
                return
            health.last_warning = now
        logger.warning(
            "Redis cache at %s does not answer (%s: %s): pages are served without it; "
            "next try in %.0f s, next warning in %.0f s at the earliest",
            public_address(self.location),
            type(error).__name__,
            error,
            self.retry_after,
            self.warn_every,
        )

    # Reads: a miss

    def get(self, key, default=None, version=None):
        try:
            return self._call(super().get, key, default, version, writes=False)
        except _Unavailable:
            return default

    def get_many(self, keys, version=None):
        try:
            return self._call(super().get_many, keys, version, writes=False)
        except _Unavailable:
            return {}

    def has_key(self, key, version=None):
        try:
            return self._call(super().has_key, key, version, writes=False)
        except _Unavailable:
            return False

    # Writes: dropped

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return self._call(super().add, key, value, timeout, version, writes=True)
        except _Unavailable:
            return False

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        with suppress(_Unavailable):
            self._call(super().set, key, value, timeout, version, writes=True)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return self._call(super().set_many, data, timeout, version, writes=True)
        except _Unavailable:
            return list(data)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return self._call(super().touch, key, timeout, version, writes=True)
        except _Unavailable:
            return False

    def delete(self, key, version=None):
        try:
            return self._call(super().delete, key, version, writes=True)
        except _Unavailable:
            return False

    def delete_many(self, keys, version=None):
        with suppress(_Unavailable):
            self._call(super().delete_many, keys, version, writes=True)

    def incr(self, key, delta=1, version=None):
        """A missing key still raises ValueError; without Redis, the count starts again."""
        try:
            return self._call(super().incr, key, delta, version, writes=True)
        except _Unavailable:
            return delta

    def clear(self):
        try:
            return self._call(super().clear, writes=True)
        except _Unavailable:
            return False


def redis_answers(url: str) -> bool:
    """Whether the Redis at ``url`` answers a ping within the cache's timeouts."""
    import redis

    client = redis.Redis.from_url(url, **DEFAULT_OPTIONS)
    try:
        return bool(client.ping())
    except REDIS_FAILURES:
        return False
    finally:
        client.close()


def _glob_escape(text: str) -> str:
    return "".join(f"\\{c}" if c in "*?[]\\" else c for c in text)
