"""What a page costs to download, as the browser tests see it.

Budgets (issue 12): a first visit to a page transfers under 150 KiB, the next visit under 20 KiB.

``assert_page_weight(page)``, called by ``visit()`` on every page a journey visits, estimates the
first visit of the page just loaded as production would serve it. The tests' live server sends
everything uncompressed and without cache headers, so measuring its bytes would say nothing of
production: each static file counts as the gzip file collectstatic stores for it (WhiteNoise
serves that), the page as its HTML gzipped (GZipMiddleware), photos and JSON as they came, plus
the response headers. ``NetworkLog`` measures the real thing through Chromium's network events;
test_page_weight.py uses it against a server with production's static handling, where the second
visit can be measured too.
"""

from functools import cache
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from whitenoise.compress import Compressor

KIB = 1024
FIRST_VISIT_BUDGET = 150 * KIB
SECOND_VISIT_BUDGET = 20 * KIB
HEADER_BYTES = 400  # a response's status line and headers, about

_compressor = Compressor(use_brotli=False, quiet=True)

RESOURCES_JS = """() => [
    ...performance.getEntriesByType("navigation"),
    ...performance.getEntriesByType("resource"),
].map((entry) => ({url: entry.name, size: entry.decodedBodySize, type: entry.initiatorType}))"""


@cache
def static_file_bytes(path: str) -> int | None:
    """What WhiteNoise sends for this static file: its gzip copy if collectstatic keeps one."""
    found = finders.find(path)
    if not found:
        return None
    with open(found, "rb") as file:
        data = file.read()
    if _compressor.should_compress(found):
        compressed = _compressor.compress_gzip(data)
        if len(compressed) <= 0.95 * len(data):
            return len(compressed)
    return len(data)


def estimated_first_visit(page) -> list[tuple[int, str]]:
    """(bytes, url) of each response a first visit to the page would transfer in production,
    largest first."""
    static_prefix = urlsplit(settings.STATIC_URL).path
    sizes: dict[str, int] = {}
    for entry in page.evaluate(RESOURCES_JS):
        url = entry["url"].split("#")[0]
        path = unquote(urlsplit(url).path)
        if entry["type"] == "navigation":
            html = page.content().encode()
            size = len(_compressor.compress_gzip(html))
        elif path.startswith(static_prefix):
            size = static_file_bytes(path.removeprefix(static_prefix))
            size = entry["size"] if size is None else size
        else:
            size = entry["size"]
        sizes[url] = size + HEADER_BYTES
    return sorted(((size, url) for url, size in sizes.items()), reverse=True)


def describe(responses: list[tuple[int, str]]) -> str:
    return "\n".join(f"    {size / KIB:7.1f} KiB  {url}" for size, url in responses)


def assert_page_weight(page, budget: int = FIRST_VISIT_BUDGET) -> None:
    """The page, as a first visit in production would download it, stays under the budget."""
    responses = estimated_first_visit(page)
    total = sum(size for size, _ in responses)
    assert total <= budget, (
        f"{page.url} would weigh {total / KIB:.0f} KiB on a first visit in production "
        f"(budget {budget / KIB:.0f} KiB), {len(responses)} requests:\n{describe(responses)}"
    )


class NetworkLog:
    """Bytes Chromium really received for each request of a page (headers included, as
    compressed on the wire; 0 for what came from its cache), from its DevTools protocol."""

    def __init__(self, page):
        self.page = page
        self.session = page.context.new_cdp_session(page)
        self.session.send("Network.enable")
        self.requests: dict[str, dict] = {}
        self.session.on("Network.requestWillBeSent", self._sent)
        self.session.on("Network.responseReceived", self._received)
        self.session.on("Network.loadingFinished", self._finished)

    def _sent(self, event):
        self.requests.setdefault(event["requestId"], {"bytes": 0})["url"] = event["request"]["url"]

    def _received(self, event):
        headers = {name.lower(): value for name, value in event["response"]["headers"].items()}
        self.requests.setdefault(event["requestId"], {"bytes": 0}).update(
            url=event["response"]["url"],
            status=event["response"]["status"],
            type=event["type"],
            headers=headers,
            from_cache=event["response"].get("fromDiskCache", False),
        )

    def _finished(self, event):
        self.requests.setdefault(event["requestId"], {})["bytes"] = event["encodedDataLength"]

    def visit(self, url: str) -> list[dict]:
        """Open the page, wait until the network is quiet, and return its requests."""
        self.requests = {}
        self.page.goto(url)
        self.page.wait_for_load_state("networkidle")
        return sorted(self.requests.values(), key=lambda request: -request.get("bytes", 0))


def total_bytes(requests: list[dict]) -> int:
    return sum(request.get("bytes", 0) for request in requests)


def describe_requests(requests: list[dict]) -> str:
    return "\n".join(
        f"    {request.get('bytes', 0) / KIB:7.1f} KiB  {request.get('status', '…')}  "
        f"{request.get('headers', {}).get('content-encoding', '-'):5}  {request.get('url', '?')}"
        for request in requests
    )
