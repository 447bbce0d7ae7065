"""The suite's one clock: every test runs at a pinned instant, whatever the machine's date.

Python's clocks (the ``time`` module's, ``datetime``'s "now" and "today", and so Django's
``timezone.now`` and ``localdate``) are stopped at the instant the test runs at (time-machine
patches them at the C level). A test says "in two days" from that instant (``timezone.now()`` or ``clock.now``), never
from the wall clock.

Which instant:

- ``@pytest.mark.now("2026-11-23 10:00")`` on a test, a class or a module (``pytestmark``) pins
  it there: for tests whose calendar is written out in dates. A naive value is a Paris wall-clock
  time.
- Otherwise ``TEST_NOW`` from the environment (same format), so that the whole suite can be run
  at another date: CI runs it once more 16 months on, in the night of the spring DST change.
- Otherwise ``DEFAULT_NOW``.

A test moves the clock with ``clock.now = ...`` or ``clock.now += timedelta(...)``.
"""

import datetime as dt
import os
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")
# A Monday morning in Paris, the week before a season's first distribution.
DEFAULT_NOW = "2026-11-23 10:00"
ENVIRONMENT_VARIABLE = "TEST_NOW"


def parse_instant(text: str | dt.datetime) -> dt.datetime:
    """An ISO 8601 date and time (or a datetime); without an offset, a Paris wall-clock time."""
    if isinstance(text, dt.datetime):
        return text if text.tzinfo else text.replace(tzinfo=PARIS)
    try:
        instant = dt.datetime.fromisoformat(text.strip())
    except ValueError as error:
        raise ValueError(
            f"{text!r} is not a date and time such as '2026-11-23 10:00' or "
            f"'2028-03-26T01:30:00+01:00'"
        ) from error
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=PARIS)
    return instant


def suite_instant() -> dt.datetime:
    """The instant tests run at unless they state their own: ``TEST_NOW`` or the default."""
    return parse_instant(os.environ.get(ENVIRONMENT_VARIABLE) or DEFAULT_NOW)


class Clock:
    """The stopped clock of one test; ``clock.now`` reads it, assigning to it moves it."""

    def __init__(self, traveller):
        self._traveller = traveller

    @property
    def now(self) -> dt.datetime:
        from django.utils import timezone

        return timezone.now()

    @now.setter
    def now(self, instant: dt.datetime) -> None:
        if instant.tzinfo is None:
            raise ValueError("The clock takes aware datetimes only.")
        self._traveller.move_to(in_paris(instant), tick=False)


def in_paris(instant: dt.datetime) -> dt.datetime:
    """The instant on the Paris clock: time-machine sets the process's ``TZ`` from the
    destination's zone, and Django's is Europe/Paris."""
    return instant.astimezone(PARIS)
