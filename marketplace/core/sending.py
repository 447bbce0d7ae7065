"""Sending a message at most once, even when the worker dies mid-send.

``with send_once("order-confirmation:42") as sending: if sending: message.send()``

Before the message leaves, "sending" is recorded and committed under the key's row lock; the
send then runs in a transaction that holds that lock and records "sent" when it commits. So:

- a second run while the first sends waits for the lock, then finds "sent" and sends nothing;
- a failure that raises (a refused address, the mail server down) removes the record: the
  next run sends it;
- a run killed mid-send leaves "sending" without "sent". The message may or may not have left;
  sending it again could send it twice, so the next run does not, and logs a warning saying it
  may not have been sent, for a person to check.

Callers must not be inside a transaction (tasks are not): the "sending" mark has to be
committed before anything leaves. Keys are deterministic: what is sent, to whom, for what
(``"packing-list:<list id>"``, ``"shift-reminder:<shift id>"``).
"""

import logging
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager

from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.utils import timezone

from marketplace.core.models import SentMessage

logger = logging.getLogger(__name__)


@contextmanager
def send_once(key: str) -> Iterator[bool]:
    """Yield whether to send the message ``key`` (see the module's docstring)."""
    if not claim(key):
        yield False
        return
    try:
        with transaction.atomic():
            list(SentMessage.objects.select_for_update().filter(key=key).values_list("pk"))
            yield True
            SentMessage.objects.filter(key=key).update(sent_at=timezone.now())
    except Exception:
        release(key)
        raise


def send_each_once(messages_by_key: Mapping[str, Sequence[EmailMessage]]) -> set[str]:
    """``send_once`` for many keys in a constant number of queries: each key's messages over one
    connection, those a run already sent (or stopped while sending) left out. A failure marks
    the keys sent before it as sent and frees the others, then raises. Returns the keys sent."""
    claimed = claim_all(list(messages_by_key))
    if not claimed:
        return set()
    sent: list[str] = []
    try:
        with transaction.atomic():
            list(SentMessage.objects.select_for_update().filter(key__in=claimed).values_list("pk"))
            with get_connection() as connection:
                for key in claimed:
                    if messages_by_key[key]:
                        connection.send_messages(list(messages_by_key[key]))
                    sent.append(key)
            SentMessage.objects.filter(key__in=sent).update(sent_at=timezone.now())
    except Exception:
        SentMessage.objects.filter(key__in=sent).update(sent_at=timezone.now())
        SentMessage.objects.filter(key__in=claimed[len(sent) :], sent_at=None).delete()
        raise
    return set(sent)


def claim(key: str) -> bool:
    """Record "sending" for ``key`` and say whether the caller sends it: not if it was sent,
    nor if an earlier run stopped while sending it (logged)."""
    return bool(claim_all([key]))


def claim_all(keys: Sequence[str]) -> list[str]:
    """``claim`` for many keys in one transaction. Returns those the caller sends, in order."""
    with transaction.atomic():
        SentMessage.objects.bulk_create(
            [SentMessage(key=key) for key in keys], ignore_conflicts=True
        )
        records = SentMessage.objects.select_for_update().filter(key__in=keys).order_by("key")
        claimable = set()
        for record in records:
            if record.sent_at is not None:
                continue
            if record.sending_at is not None:
                logger.warning(
                    "%s may not have been sent: a run stopped while sending it at %s. "
                    "Not sent again, to avoid sending it twice; check with the recipient.",
                    record.key,
                    timezone.localtime(record.sending_at).isoformat(timespec="seconds"),
                )
                continue
            claimable.add(record.key)
        if claimable:
            SentMessage.objects.filter(key__in=claimable).update(sending_at=timezone.now())
    return [key for key in keys if key in claimable]


def release(key: str) -> None:
    """The send failed and said so: the next run may send it."""
    SentMessage.objects.filter(key=key, sent_at=None).delete()


def was_sent(key: str) -> bool:
    """Sent, or possibly sent by a run that stopped mid-way."""
    return SentMessage.objects.filter(key=key, sending_at__isnull=False).exists()


def times_sent(key_prefix: str) -> int:
    """How many messages whose key starts with ``key_prefix`` were sent (for a key numbered by
    occurrence, such as a day's n-th cancellation)."""
    return SentMessage.objects.filter(key__startswith=key_prefix, sent_at__isnull=False).count()
