"""Personal data stays out of the logs: a filter on every handler (the web processes' through
settings.LOGGING, the worker's through marketplace/celery.py) that blanks email addresses, the
query strings of URLs (finder searches carry an address or a position: ``?q=…``, ``?lat=…``) and
coordinate pairs, in the message and its traceback, and the arguments of Celery tasks, which
its worker puts in the records of each task received, done or failed.

The access log of gunicorn is not Python logging of ours: gunicorn.conf.py gives it a format
without query string or referrer."""

import logging
import re

HIDDEN = "…"
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# A query string, whether in a full URL, a path or a request line: up to a space or a quote.
QUERY = re.compile(r"(?<=[\w/])\?[^\s\"'<>]+")
COORDINATES = re.compile(r"-?\d{1,3}\.\d{3,}\s*[,;/ ]\s*-?\d{1,3}\.\d{3,}")
# What Celery's worker puts in a task's records (celery.app.trace, celery.worker.strategy).
TASK_FIELDS = ("args", "kwargs", "argsrepr", "kwargsrepr", "return_value")


def redact(text: str) -> str:
    text = EMAIL.sub(HIDDEN, text)
    text = QUERY.sub("?" + HIDDEN, text)
    return COORDINATES.sub(HIDDEN, text)


class RedactPersonalData(logging.Filter):
    """Rewrites each record passing through a handler: it still passes, redacted."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, dict):
            record.args = {
                key: HIDDEN if key in TASK_FIELDS else value for key, value in record.args.items()
            }
        data = getattr(record, "data", None)
        if isinstance(data, dict):
            record.data = {key: HIDDEN if key in TASK_FIELDS else v for key, v in data.items()}
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # a malformed call: leave it to the formatter to say
            return True
        record.msg, record.args = redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            # The formatter prints exc_text; the exception itself, with its message, goes.
            record.exc_text, record.exc_info = redact(record.exc_text), None
        return True


def redact_handlers(logger: logging.Logger) -> None:
    """Puts the filter on a logger's handlers (once each): for the handlers Celery makes."""
    for handler in logger.handlers:
        if not any(isinstance(f, RedactPersonalData) for f in handler.filters):
            handler.addFilter(RedactPersonalData())
