"""How many Celery workers answer a ping, asked in bounded time.

Celery's own ``control.ping`` publishes through the app's producer pool with retries that never
give up: if the broker goes away between two calls, the request asking waits until it is back.
This asks over a connection of its own, tried once.
"""

from contextlib import contextmanager

from kombu import Connection, Producer, pidbox

CONNECT_SECONDS = 0.5


class _OneTryProducer(Producer):
    def publish(self, body, *args, **kwargs):
        kwargs["retry"] = False
        return super().publish(body, *args, **kwargs)


class _OneTryMailbox(pidbox.Mailbox):
    @contextmanager
    def producer_or_acquire(self, producer=None, channel=None):
        yield _OneTryProducer(channel, auto_declare=False)


def answering_workers(broker_url: str, *, namespace: str = "celery", timeout: float = 1.0) -> int:
    """The number of workers on ``broker_url`` answering within ``timeout`` seconds; raises
    kombu's or the transport's error if the broker cannot be reached."""
    mailbox = _OneTryMailbox(namespace, type="fanout", accept=["json"], serializer="json")
    with Connection(
        broker_url,
        connect_timeout=CONNECT_SECONDS,
        transport_options={"max_retries": 0, "socket_timeout": timeout + CONNECT_SECONDS},
    ) as connection:
        replies = mailbox(connection)._broadcast("ping", {}, reply=True, timeout=timeout)
    return len(replies or [])
