"""Playwright fixtures for the browser journeys.

The journeys drive Debian's chromium (never a downloaded browser) against pytest-django's
``live_server``. Without a chromium binary the tests are skipped with a warning, so a plain
``pytest`` keeps working on machines without a browser.
"""

from __future__ import annotations

import os
import shutil
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright

from regie.core.models import Organisation
from regie.core.tests.factories import GemeenteFactory
from tests.conftest_matrix import AreaFixture, build_areas

BROWSER_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BROWSER_DIR.parents[1]
AXE_PATH = PROJECT_DIR / "node_modules" / "axe-core" / "axe.min.js"
DEFAULT_CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
#: WCAG 2.1 A and AA; "serious" and "critical" findings fail the test.
AXE_RUN = (
    "async () => await axe.run(document, {runOnly: {type: 'tag', "
    "values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"
)
#: Stylesheets linked from the page that did not load (absent, 404, or not CSS).
MISSING_STYLESHEETS = """() => {
  const loaded = new Set([...document.styleSheets].filter((sheet) => {
    try { return sheet.href && sheet.cssRules.length > 0; } catch (e) { return false; }
  }).map((sheet) => sheet.href));
  return [...document.querySelectorAll('link[rel="stylesheet"]')]
    .map((link) => link.href).filter((href) => !loaded.has(href));
}"""
BLOCKING_IMPACTS = frozenset({"serious", "critical"})
TIMEOUT_MS = 10_000


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark the browser tests and run them after all other tests.

    Runs after pytest-django's own reordering. Playwright's sync API keeps an event loop in the
    test thread for the rest of the session, so the browser tests go last: no other test then
    runs while that loop exists (Django would refuse its ORM calls as "async unsafe").
    """
    browser_items: list[pytest.Item] = []
    other_items: list[pytest.Item] = []
    for item in items:
        if BROWSER_DIR in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.browser)
            browser_items.append(item)
        else:
            other_items.append(item)
    items[:] = other_items + browser_items


# --- Browser ---------------------------------------------------------------------------------


def _chromium_path() -> str | None:
    candidate = os.environ.get("REGIE_CHROMIUM") or DEFAULT_CHROMIUM
    if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
        return candidate
    return shutil.which(candidate)


@pytest.fixture(scope="session")
def chromium_executable() -> str:
    path = _chromium_path()
    if path is None:
        message = (
            "!!! BROWSER TESTS SKIPPED: no chromium binary at "
            f"{os.environ.get('REGIE_CHROMIUM') or DEFAULT_CHROMIUM!r}. Install Debian's "
            "`chromium` package or set REGIE_CHROMIUM to a chromium executable. !!!"
        )
        warnings.warn(message, stacklevel=1)
        pytest.skip(message)
    return path


@pytest.fixture(scope="session")
def playwright(chromium_executable: str) -> Iterator[Playwright]:
    # Playwright's sync API runs an asyncio loop in this thread; Django then treats every ORM
    # call from the test (and from the live server sharing the in-memory database) as coming
    # from async code unless told otherwise.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    manager = sync_playwright().start()
    try:
        yield manager
    finally:
        manager.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="session")
def browser(playwright: Playwright, chromium_executable: str) -> Iterator[Browser]:
    instance = playwright.chromium.launch(executable_path=chromium_executable, args=CHROMIUM_ARGS)
    try:
        yield instance
    finally:
        instance.close()


@pytest.fixture
def context(browser: Browser, live_server: Any) -> Iterator[BrowserContext]:
    # Accept-Language decides the language (LocaleMiddleware); the site is Dutch first.
    ctx = browser.new_context(
        base_url=live_server.url,
        locale="nl-NL",
        timezone_id="Europe/Amsterdam",
        viewport={"width": 1280, "height": 900},
    )
    # Chromium asks for /favicon.ico on its own; the site has none, so answer without Django.
    ctx.route("**/favicon.ico", lambda route: route.fulfill(status=204, body=""))
    ctx.set_default_timeout(TIMEOUT_MS)
    ctx.set_default_navigation_timeout(TIMEOUT_MS)
    try:
        yield ctx
    finally:
        ctx.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


# --- Accessibility ---------------------------------------------------------------------------


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE_PATH.is_file():
        pytest.fail(f"axe-core is missing at {AXE_PATH}; run `npm install` in the project.")
    return AXE_PATH.read_text(encoding="utf-8")


@dataclass
class A11yAudit:
    """Runs axe-core on pages and collects serious and critical violations."""

    axe_source: str = field(repr=False)
    checked: list[str] = field(default_factory=list)
    findings: list[str] = field(default_factory=list)
    #: Moderate and minor findings: printed (see ``pytest -rP``), not failing.
    notes: list[str] = field(default_factory=list)

    def check(self, page: Page, name: str) -> None:
        page.wait_for_load_state("load")
        # Contrast checks mean nothing without the stylesheets: every <link> must have loaded.
        missing = page.evaluate(MISSING_STYLESHEETS)
        assert not missing, f"[{name}] {page.url}: stylesheets did not load: {missing}"
        # The site's CSP (script-src 'self') blocks an injected <script>; evaluate is allowed.
        if not page.evaluate("() => typeof window.axe !== 'undefined'"):
            page.evaluate(self.axe_source)
        result: dict[str, Any] = page.evaluate(AXE_RUN)
        self.checked.append(name)
        for unsure in result["incomplete"]:
            for node in unsure["nodes"][:3]:
                reason = " ".join(check.get("message", "") for check in node.get("any", []))
                self.notes.append(
                    f"[{name}] needs review: {unsure['id']} {node.get('target')}: {reason}"
                )
        for violation in result["violations"]:
            nodes = violation.get("nodes") or [{}]
            target = nodes[0].get("target", ["?"])
            if violation.get("impact") not in BLOCKING_IMPACTS:
                self.notes.append(
                    f"[{name}] {violation['id']} ({violation.get('impact')}): {target}"
                )
                continue
            self.findings.append(
                f"[{name}] {page.url}\n    {violation['id']} ({violation['impact']}): "
                f"{violation['help']}\n    first target: {target} "
                f"({len(nodes)} element(s))\n    html: {nodes[0].get('html', '')[:200]}"
            )

    def assert_clean(self) -> None:
        print(f"axe-core checked {len(self.checked)} pages: {', '.join(self.checked)}")
        for note in self.notes:
            print(f"  not blocking: {note}")
        assert not self.findings, (
            f"axe-core found serious/critical WCAG 2.1 AA violations on "
            f"{len({f.split(']')[0] for f in self.findings})} of {len(self.checked)} pages:\n"
            + "\n".join(self.findings)
        )


@pytest.fixture
def a11y(axe_source: str) -> A11yAudit:
    return A11yAudit(axe_source=axe_source)


# --- Data ------------------------------------------------------------------------------------


@dataclass
class World:
    areas: AreaFixture
    maassluis: Organisation
    alblasserdam: Organisation


@pytest.fixture
def world(live_server: Any) -> World:
    """The GM0556 area tree and two gemeenten; requesting live_server gives transactional_db."""
    return World(
        areas=build_areas(),
        maassluis=GemeenteFactory(name="Maassluis", slug="gm0556", cbs_code="GM0556"),
        alblasserdam=GemeenteFactory(name="Alblasserdam", slug="gm0482", cbs_code="GM0482"),
    )
