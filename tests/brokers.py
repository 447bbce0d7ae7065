"""Pointing the test process's Celery at another broker (one that is down, or a Redis server of
the test's own), and back."""

import socket

from marketplace.celery import app as celery_app


def unused_port() -> int:
    """A local port where nothing listens."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def use_broker(url: str) -> None:
    """Point this process's Celery at ``url``, dropping its pooled connections."""
    celery_app.conf.broker_url = url
    celery_app.conf.broker_write_url = None
    # Not closed: kombu keeps one pool per broker for the whole process, and gives it back when
    # the test points here again.
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
