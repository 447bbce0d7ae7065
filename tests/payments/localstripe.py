"""localstripe, a fake but stateful Stripe server, run for the tests as a process of its own (it is
GPL: nothing of ours imports it), behind a recording proxy that lives in the test process.

The official ``stripe`` client is pointed at the proxy (``api_base``), which:

- records every request the client sent (method, path, form parameters, headers such as
  ``Idempotency-Key`` and ``Stripe-Account``): localstripe has no Connect, so the tests assert on
  what the client sent (``on_behalf_of``, ``transfer_data[destination]``, ...);
- answers Connect's accounts and onboarding links itself, without forwarding them
  (``/v1/accounts``: POST opens one, GET retrieves it; ``/v1/account_links``: POST, a link to a
  stand-in onboarding page on the proxy's own host, ``<api_base>/connect/onboarding/<acct>``):
  tests/payments/localstripe_connect.py says how they behave;
- strips the parameters localstripe refuses (``UNSUPPORTED``: Connect's and a few others of the
  real API) before forwarding the rest;
- answers a request whose ``Idempotency-Key`` it has seen as Stripe does (localstripe ignores the
  header): the first answer again, or an ``idempotency_error`` when the parameters differ.

Webhooks: localstripe POSTs some events (``payment_intent.succeeded``,
``payment_intent.payment_failed``, ``customer.created``, ...) about a second after they happen
to the URLs registered at ``/_config/webhooks/<id>`` with a secret, signed as Stripe signs
(``Stripe-Signature: t=<created>,v1=<HMAC-SHA256 of "<created>.<body>">``); ``WebhookInbox``
receives them in the test process, ``sign_payload`` signs a payload the same way.

Its fake Stripe.js is at ``<api_base>/js.stripe.com/v3/`` (``js_url``): it talks to the address it
was loaded from, so through the proxy too. It knows ``confirmCardSetup`` (a card form, 3-D Secure
as a confirm/cancel dialog), ``confirmSepaDebitSetup``, ``createToken`` and ``confirmCardPayment``,
which only completes the authentication of a payment confirmed by the server.
"""

import ctypes
import hashlib
import hmac
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

import stripe

from tests.payments.localstripe_connect import FakeConnect

SECRET_KEY = "sk_test_localstripe"
PUBLISHABLE_KEY = "pk_test_localstripe"
WEBHOOK_SECRET = "whsec_localstripe"
# The webhook endpoint every test may (re)register: localstripe cannot forget one, so between
# tests it is pointed at no event at all.
WEBHOOK_ID = "tests"
START_TIMEOUT = 20
PR_SET_PDEATHSIG = 1

# Parameters of the real API that localstripe answers with "400 Unexpected ...": recorded, then
# left out of what is forwarded. Connect's first.
UNSUPPORTED = {
    "on_behalf_of",
    "transfer_data",
    "application_fee_amount",
    "transfer_group",
    "reverse_transfer",
    "refund_application_fee",
    # Not Connect, but unknown to localstripe all the same.
    "description",
    "statement_descriptor_suffix",
    "setup_future_usage",
    "mandate_data",
    "cancellation_reason",
    "reason",
    "error_on_requires_action",
    "return_url",
}


@dataclass
class RecordedRequest:
    method: str
    path: str
    params: dict[str, str]
    headers: dict[str, str]
    body: bytes = b""
    replayed: bool = False

    @property
    def idempotency_key(self) -> str:
        return self.headers.get("idempotency-key", "")

    @property
    def stripe_account(self) -> str:
        return self.headers.get("stripe-account", "")


@dataclass
class _Answer:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


@dataclass
class RecordingProxy:
    """An HTTP server on a free loopback port, in a thread, in front of localstripe."""

    upstream: str
    requests: list[RecordedRequest] = field(default_factory=list)

    port: int = 0

    def __post_init__(self):
        self._lock = threading.Lock()
        self._answers: dict[str, tuple[str, _Answer]] = {}
        self._in_flight: set[str] = set()
        self.connect = FakeConnect(lambda: self.url)
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def reset(self) -> None:
        with self._lock:
            self.requests.clear()
            self._answers.clear()
        self.connect.reset()

    def sent(self, method: str, path: str) -> list[RecordedRequest]:
        """What the client sent to ``path`` (a path, or its beginning when it ends with ``/``)."""
        return [
            request
            for request in self.requests
            if request.method == method
            and (request.path == path or (path.endswith("/") and request.path.startswith(path)))
        ]

    def _handler(self):
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body leave in two writes: without this, the client's delayed ACK
            # holds every answer 40 ms.
            disable_nagle_algorithm = True

            def do_GET(self):
                proxy._forward(self)

            do_POST = do_DELETE = do_OPTIONS = do_GET

            def log_message(self, format, *args):
                pass

        return Handler

    def _forward(self, handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else b""
        parts = urlsplit(handler.path)
        is_form = handler.headers.get("Content-Type", "").startswith(
            "application/x-www-form-urlencoded"
        )
        params = dict(parse_qsl(body.decode() if is_form else parts.query, keep_blank_values=True))
        request = RecordedRequest(
            method=handler.command,
            path=parts.path,
            params=params,
            headers={name.lower(): value for name, value in handler.headers.items()},
            body=body,
        )
        with self._lock:
            self.requests.append(request)
        if is_form:
            body = urlencode(
                [(name, value) for name, value in params.items() if _top(name) not in UNSUPPORTED]
            ).encode()
        key = request.idempotency_key
        if handler.command != "POST" or not key:
            _reply(handler, self._answer(handler, request, body))
            return
        fingerprint = f"{handler.command} {parts.path} {sorted(params.items())}"
        with self._lock:
            seen = self._answers.get(key)
            busy = key in self._in_flight
            if seen is None and not busy:
                self._in_flight.add(key)
        if busy:
            _reply(handler, _stripe_error(409, "idempotency_key_in_use", "invalid_request_error"))
        elif seen is not None:
            request.replayed = True
            first, answer = seen
            if first != fingerprint:
                answer = _stripe_error(400, "", "idempotency_error")
            else:
                answer = _Answer(
                    answer.status, [*answer.headers, ("Idempotent-Replayed", "true")], answer.body
                )
            _reply(handler, answer)
        else:
            try:
                answer = self._answer(handler, request, body)
                with self._lock:
                    if answer.status < 500:
                        self._answers[key] = (fingerprint, answer)
            finally:
                with self._lock:
                    self._in_flight.discard(key)
            _reply(handler, answer)

    def _answer(
        self, handler: BaseHTTPRequestHandler, request: RecordedRequest, body: bytes
    ) -> _Answer:
        """Connect's answer from the proxy itself; localstripe's for the rest."""
        own = self.connect.answer(request.method, request.path, request.params, request.headers)
        if own is not None:
            return _Answer(*own)
        return self._upstream(handler, body)

    def _upstream(self, handler: BaseHTTPRequestHandler, body: bytes) -> _Answer:
        target = urlsplit(self.upstream)
        connection = http.client.HTTPConnection(target.hostname, target.port, timeout=30)
        headers = {
            name: value
            for name, value in handler.headers.items()
            if name.lower() not in {"host", "content-length", "connection", "accept-encoding"}
        }
        headers["Content-Length"] = str(len(body))
        try:
            connection.request(handler.command, handler.path, body=body, headers=headers)
            response = connection.getresponse()
            answer = _Answer(
                response.status,
                [
                    (name, value)
                    for name, value in response.getheaders()
                    if name.lower() not in {"content-length", "transfer-encoding", "connection"}
                ],
                response.read(),
            )
        finally:
            connection.close()
        return answer


def _top(name: str) -> str:
    """``transfer_data[destination]`` → ``transfer_data``."""
    return name.split("[", 1)[0]


def _reply(handler: BaseHTTPRequestHandler, answer: _Answer) -> None:
    handler.send_response(answer.status)
    for name, value in answer.headers:
        handler.send_header(name, value)
    handler.send_header("Content-Length", str(len(answer.body)))
    handler.end_headers()
    handler.wfile.write(answer.body)


def _stripe_error(status: int, code: str, kind: str) -> _Answer:
    messages = {
        "idempotency_error": "Keys for idempotent requests can only be used with the same "
        "parameters they were first used with.",
        "invalid_request_error": "There is currently another in-progress request using this "
        "Idempotent Key.",
    }
    error = {"type": kind, "message": messages[kind]}
    if code:
        error["code"] = code
    return _Answer(
        status, [("Content-Type", "application/json")], json.dumps({"error": error}).encode()
    )


@dataclass
class Delivery:
    headers: dict[str, str]
    body: bytes

    @property
    def signature(self) -> str:
        return self.headers.get("stripe-signature", "")

    @property
    def event(self) -> dict:
        return json.loads(self.body)


class WebhookInbox:
    """A loopback endpoint in a thread that takes the webhooks localstripe sends."""

    def __init__(self):
        self.deliveries: list[Delivery] = []
        self._arrived = threading.Condition()
        inbox = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                delivery = Delivery(
                    {name.lower(): value for name, value in self.headers.items()},
                    self.rfile.read(length),
                )
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()
                with inbox._arrived:
                    inbox.deliveries.append(delivery)
                    inbox._arrived.notify_all()

            def log_message(self, format, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/webhook"

    def wait_for(self, event_type: str, object_id: str, *, timeout: float = 10) -> Delivery:
        """The first delivery of this event about this object (localstripe waits a second to
        send, and sends the events of an earlier test to the endpoint registered by then)."""
        deadline = time.monotonic() + timeout
        with self._arrived:
            while True:
                for delivery in self.deliveries:
                    event = delivery.event
                    if event.get("type") == event_type and event["data"]["object"].get("id") == (
                        object_id
                    ):
                        return delivery
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"No {event_type} webhook within {timeout} s.")
                self._arrived.wait(left)

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def sign_payload(payload: bytes | str, secret: str, timestamp: int | None = None) -> str:
    """A ``Stripe-Signature`` header for ``payload``, as Stripe (and localstripe) sign it; at the
    test's clock unless ``timestamp`` is given."""
    if isinstance(payload, bytes):
        payload = payload.decode()
    timestamp = int(time.time()) if timestamp is None else timestamp
    signature = hmac.new(
        secret.encode(), f"{timestamp}.{payload}".encode(), hashlib.sha256
    ).hexdigest()
    return f"t={timestamp},v1={signature}"


@dataclass
class LocalStripe:
    """A running localstripe and its proxy; ``api_base`` is what STRIPE_API_BASE points at."""

    process: subprocess.Popen
    upstream: str
    proxy: RecordingProxy

    @property
    def api_base(self) -> str:
        return self.proxy.url

    @property
    def js_url(self) -> str:
        return f"{self.proxy.url}/js.stripe.com/v3/"

    @property
    def requests(self) -> list[RecordedRequest]:
        return self.proxy.requests

    def sent(self, method: str, path: str) -> list[RecordedRequest]:
        return self.proxy.sent(method, path)

    @property
    def client(self) -> stripe.StripeClient:
        """The official client, straight to localstripe: for what the browser or the bank would
        do in a test (a card typed in, an IBAN), never for what the site does."""
        return stripe.StripeClient(SECRET_KEY, base_addresses={"api": self.upstream})

    def reset(self) -> None:
        """Forgets every object, recorded request and webhook endpoint: a test starts clean."""
        self._config("DELETE", "/_config/data")
        self.register_webhook("http://127.0.0.1:9/unused", events=[])
        self.proxy.reset()

    def register_webhook(self, url: str, *, secret: str = WEBHOOK_SECRET, events=None) -> None:
        """localstripe POSTs its events to ``url`` signed with ``secret`` (only ``events`` if
        given: an empty list sends none)."""
        payload = {"url": url, "secret": secret}
        if events is not None:
            payload["events"] = events
        self._config("POST", f"/_config/webhooks/{WEBHOOK_ID}", json.dumps(payload).encode())

    def card(self, number: str = "4242424242424242") -> str:
        """A card typed in by the member (a PaymentMethod id); localstripe's test numbers:
        4242424242424242 pays, 4000000000000002 is declined when saved (SetupIntent, attach),
        4000000000000341 is declined when charged, 4000002500003155 and 4000002760003184 ask
        for 3-D Secure."""
        method = self.client.v1.payment_methods.create(
            {
                "type": "card",
                "card": {"number": number, "exp_month": 12, "exp_year": 2034, "cvc": "123"},
            }
        )
        return method.id

    def iban(self, iban: str = "FR1420041010050500013M02606", name: str = "Camille Membre") -> str:
        """An IBAN typed in by the member (a PaymentMethod id); DE62370400440532013001 is
        refused when debited, a moment after the debit was accepted."""
        method = self.client.v1.payment_methods.create(
            {
                "type": "sepa_debit",
                "sepa_debit": {"iban": iban},
                "billing_details": {"name": name, "email": "membre@example.org"},
            }
        )
        return method.id

    def authenticate(self, client_secret: str, *, success: bool = True) -> None:
        """What the fake Stripe.js does when the member answers the 3-D Secure dialog of a payment
        (``confirmCardPayment``): with the publishable key, as a browser."""
        intent = client_secret.split("_secret_")[0]
        self._config(
            "POST",
            f"/v1/payment_intents/{intent}/_authenticate?success={'true' if success else 'false'}",
            json.dumps({"key": PUBLISHABLE_KEY, "client_secret": client_secret}).encode(),
            via_proxy=True,
        )

    def _config(self, method: str, path: str, body: bytes = b"", *, via_proxy=False) -> bytes:
        target = urlsplit(self.api_base if via_proxy else self.upstream)
        connection = http.client.HTTPConnection(target.hostname, target.port, timeout=10)
        try:
            connection.request(method, path, body=body, headers={"Content-Length": str(len(body))})
            response = connection.getresponse()
            answer = response.read()
        finally:
            connection.close()
        if response.status >= 300:
            raise RuntimeError(f"localstripe: {method} {path} → {response.status} {answer[:200]}")
        return answer


def executable() -> str:
    """localstripe's command, from the dev dependencies (``uv sync`` installs it)."""
    beside = Path(sys.executable).with_name("localstripe")
    return str(beside) if beside.exists() else (shutil.which("localstripe") or "")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def running(log_path: Path, *, proxy_port: int = 0) -> Iterator[LocalStripe]:
    """Starts localstripe on a free port (from scratch: it would otherwise reload the objects it
    pickles to /tmp/localstripe.pickle) and its proxy (on ``proxy_port``, or a free one); stops
    both at the end."""
    command = executable()
    if not command:
        raise RuntimeError("localstripe is not installed: run `uv sync` (a dev dependency).")
    port = free_port()
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "ab") as log:
        process = subprocess.Popen(
            [command, "--port", str(port), "--from-scratch"],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
            preexec_fn=_stop_with_parent,
        )
    upstream = f"http://127.0.0.1:{port}"
    try:
        _wait_until_it_answers(process, upstream, log_path)
        proxy = RecordingProxy(upstream, port=proxy_port)
        proxy.start()
        try:
            yield LocalStripe(process, upstream, proxy)
        finally:
            proxy.stop()
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _stop_with_parent() -> None:
    """In the child, before localstripe starts: Linux ends it when the thread that started it
    ends, the test process killed included, so that no localstripe outlives its session."""
    with suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def _wait_until_it_answers(process: subprocess.Popen, upstream: str, log_path: Path) -> None:
    target = urlsplit(upstream)
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"localstripe stopped at once (see {log_path}).")
        try:
            connection = http.client.HTTPConnection(target.hostname, target.port, timeout=1)
            connection.request("GET", "/js.stripe.com/v3/")
            if connection.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.1)
        finally:
            connection.close()
    raise RuntimeError(f"localstripe did not answer within {START_TIMEOUT} s (see {log_path}).")


def main() -> None:
    """``python -m tests.payments.localstripe --port 8420``: localstripe behind the proxy for the
    demo site (bare localstripe refuses the Connect parameters every payment carries), until
    Ctrl-C; ``--webhook URL`` has its events sent to the site, signed with
    ``STRIPE_WEBHOOK_SECRET``."""
    import argparse

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--port", type=int, default=8420)
    parser.add_argument("--webhook", default="")
    arguments = parser.parse_args()
    log = Path(os.environ.get("VAR_DIR", "var")) / "localstripe.log"
    with running(log, proxy_port=arguments.port) as server:
        if arguments.webhook:
            secret = os.environ.get("STRIPE_WEBHOOK_SECRET") or WEBHOOK_SECRET
            server.register_webhook(arguments.webhook, secret=secret)
        print(
            f"localstripe at {server.api_base} (log: {log}); STRIPE_API_BASE={server.api_base} "
            f"STRIPE_JS_URL={server.js_url}",
            flush=True,
        )
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        with suppress(KeyboardInterrupt, SystemExit):
            signal.pause()


if __name__ == "__main__":
    main()
