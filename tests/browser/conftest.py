"""Browser tests: a real Chromium (the system's, never a downloaded one) driven by Playwright
against pytest-django's live server, with axe-core checking every page visited.

Run with ``uv run pytest tests/browser -v``. Needs ``/usr/bin/chromium`` (``apt-get install
chromium``); without it these tests are skipped. ``AXE_REPORT_ONLY=1`` prints accessibility
violations instead of failing on them, to see every page's problems in one run.
"""

import os
import re
from pathlib import Path

import pytest
from django.utils import timezone

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
AXE_JS = Path(__file__).parent / "vendor" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING_IMPACTS = {"serious", "critical"}

PHONE = {"width": 360, "height": 740}
NARROWEST_PHONE_WIDTH = 320  # every page of ours fits it (WCAG 1.4.10)
DESKTOP = {"width": 1280, "height": 800}
TIMEOUT_MS = 10_000


@pytest.fixture(scope="session")
def chromium():
    """One headless Chromium for the whole session."""
    if not CHROMIUM.exists():
        pytest.skip("Chromium not installed: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an asyncio loop running in this thread; Django would otherwise
    # refuse the ORM calls the tests make while the browser is open (SynchronousOnlyOperation).
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()
    if previous is None:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def new_page(chromium, live_server):
    """Open a page in a fresh browser context (its own cookies: a separate person).

    ``new_page(phone=True)`` gives a 360×740 touch screen. The browser is in Paris, and its
    JavaScript clock shows the test's pinned instant, as the server's does. Uncaught JavaScript errors and failed
    requests to the site (4xx/5xx) are kept on ``page.page_errors`` for ``assert_no_page_errors``.
    """
    contexts = []

    def open_page(*, phone: bool = False):
        context = chromium.new_context(
            base_url=live_server.url,
            locale="fr-FR",
            timezone_id="Europe/Paris",
            viewport=PHONE if phone else DESKTOP,
            is_mobile=phone,
            has_touch=phone,
        )
        # The phone's clock reads the site's pinned "now" (its timers keep running).
        context.clock.set_fixed_time(timezone.now())
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        page.page_errors = []
        page.on("pageerror", lambda error: page.page_errors.append(f"{page.url}: {error}"))
        page.on(
            "response",
            lambda response: (
                page.page_errors.append(f"{page.url}: HTTP {response.status} for {response.url}")
                if response.status >= 400 and response.url.startswith(live_server.url)
                else None
            ),
        )
        return page

    yield open_page
    for context in contexts:
        context.close()


def assert_no_page_errors(page) -> None:
    assert not page.page_errors, "JavaScript errors or failed requests:\n" + "\n".join(
        page.page_errors
    )


def is_phone(page) -> bool:
    return page.viewport_size["width"] <= PHONE["width"]


def assert_fits_width(page) -> None:
    """WCAG 1.4.10 (reflow): on a phone nothing needs horizontal scrolling, down to the
    narrowest phones (320 CSS px): the page is measured at its width, then at 320 px, and put
    back as it was."""
    viewport = dict(page.viewport_size)
    try:
        for width in sorted({viewport["width"], NARROWEST_PHONE_WIDTH}, reverse=True):
            if page.viewport_size["width"] != width:
                page.set_viewport_size({"width": width, "height": viewport["height"]})
            _assert_no_sideways_scroll(page)
    finally:
        if page.viewport_size != viewport:
            page.set_viewport_size(viewport)


def _assert_no_sideways_scroll(page) -> None:
    # The screen's width is clientWidth: a phone's innerWidth grows with content wider than
    # the screen (the browser zooms out), so scrollWidth <= innerWidth would always hold there.
    overflow = page.evaluate(
        """() => {
            const width = document.documentElement.clientWidth;
            const wide = [...document.querySelectorAll("body *")]
                .filter((el) => el.getBoundingClientRect().right > width + 1)
                .filter((el) => getComputedStyle(el).position !== "absolute")
                .slice(0, 5)
                .map((el) => el.outerHTML.slice(0, 160));
            return {scroll: document.documentElement.scrollWidth, width, wide};
        }"""
    )
    assert overflow["scroll"] <= overflow["width"], (
        f"{page.url} scrolls horizontally at {overflow['width']}px "
        f"(content {overflow['scroll']}px wide); widest elements:\n" + "\n".join(overflow["wide"])
    )


def _format_violation(violation: dict) -> str:
    lines = [f"[{violation['impact']}] {violation['id']}: {violation['help']}"]
    lines.append(f"    {violation['helpUrl']}")
    for node in violation["nodes"][:10]:
        target = " ".join(str(part) for part in node["target"])
        lines.append(f"    - {target}")
        lines.append(f"      {node['html'][:200]}")
        summary = (node.get("failureSummary") or "").replace("\n", " ")
        if summary:
            lines.append(f"      {summary[:300]}")
    if len(violation["nodes"]) > 10:
        lines.append(f"    … and {len(violation['nodes']) - 10} more")
    return "\n".join(lines)


def check_accessibility(page, *, exclude: list[str] | None = None) -> list[dict]:
    """Run axe-core (WCAG 2.0 and 2.1, levels A and AA) on the page as it is now.

    Fails on any violation of impact "serious" or "critical", listing rule, help and the nodes
    concerned; milder ones are returned (and printed) without failing. ``exclude`` takes CSS
    selectors of regions not to check (for third-party widgets only, with a reason in the test).
    """
    page.wait_for_load_state("load")
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_JS))
    results = page.evaluate(
        """async ([exclude, tags]) => {
            const context = exclude.length ? {exclude: exclude.map((s) => [s])} : document;
            return await axe.run(context, {
                runOnly: {type: "tag", values: tags},
                resultTypes: ["violations"],
            });
        }""",
        [exclude or [], AXE_TAGS],
    )
    violations = results["violations"]
    blocking = [v for v in violations if v["impact"] in BLOCKING_IMPACTS]
    milder = [v for v in violations if v["impact"] not in BLOCKING_IMPACTS]
    where = f"{page.url} (viewport {page.viewport_size['width']}×{page.viewport_size['height']})"
    if milder:
        print(f"\naxe, milder issues on {where}:\n" + "\n".join(map(_format_violation, milder)))
    if blocking:
        report = f"axe found {len(blocking)} serious/critical violation(s) on {where}:\n" + (
            "\n".join(map(_format_violation, blocking))
        )
        if os.environ.get("AXE_REPORT_ONLY"):
            print("\n" + report)
        else:
            pytest.fail(report, pytrace=False)
    return violations


def either(*texts: str) -> re.Pattern:
    """A pattern matching any of the texts: the English source string or its French translation."""
    return re.compile("|".join(re.escape(text) for text in texts), re.IGNORECASE)


@pytest.fixture(autouse=True)
def _no_map_tiles(settings):
    """Nothing reaches the internet in tests: maps are drawn without tiles."""
    settings.MAP_TILE_URL = ""
