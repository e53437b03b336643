"""Playwright fixtures for the browser journeys.

The journeys drive Debian's chromium (never a downloaded browser) against pytest-django's
``live_server``. Without a chromium binary the tests are skipped with a warning, so a plain
``pytest`` keeps working on machines without a browser.
"""

from __future__ import annotations

import base64
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
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
    "values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}, "
    # Details of every violating element, one example of passes and "needs review" (faster).
    "resultTypes: ['violations']})"
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


# --- The demo installation as a real server (role journeys, layout, radios) ------------------
#
# The role journeys need every demo account with its real roles, plans and figures. One demo is
# built per session (`regie migrate` + `regie demo` into a temporary REGIE_VAR_DIR, SQLite) and
# served by `regie serve` in a child process on a free port; the tests only read, so they share
# it. Each account logs in once per time step of its authenticator (django-otp refuses a code
# twice), so a second login of the same account in the same 30 s waits for the next code.

DEMO_PASSWORD = "Regie-demo-2026"
DEMO_START_TIMEOUT_S = 30


def _regie_command() -> list[str]:
    script = Path(sys.executable).with_name("regie")
    if script.is_file():
        return [str(script)]
    found = shutil.which("regie")
    if found:
        return [found]
    return [sys.executable, "-c", "import sys; from regie.cli import main; sys.exit(main())"]


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class DemoServer:
    """A `regie serve` of a freshly built demo, and the demo accounts' second factor."""

    url: str
    env: dict[str, str] = field(repr=False)
    _secrets: dict[str, bytes] = field(default_factory=dict, repr=False)
    _last_step: dict[str, int] = field(default_factory=dict, repr=False)
    _sessions: dict[str, Any] = field(default_factory=dict, repr=False)

    def regie(self, *args: str) -> str:
        result = subprocess.run(  # noqa: S603 - the project's own command, fixed arguments
            [*_regie_command(), *args],
            env=self.env,
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
        )
        return result.stdout

    def code(self, username: str) -> str:
        """A code the account's authenticator shows now, never one used before."""
        from django_otp.oath import totp

        if username not in self._secrets:
            secret = self.regie("demo-code", username, "--secret").strip().split()[-1]
            self._secrets[username] = base64.b32decode(secret)
        step = int(time.time()) // 30
        if step <= self._last_step.get(username, -1):
            # Wait for the authenticator's next code (a login of the same account just now).
            time.sleep((step + 1) * 30 - time.time() + 0.2)
            step = int(time.time()) // 30
        self._last_step[username] = step
        return f"{totp(self._secrets[username], step=30, t0=0, digits=6):06d}"


@pytest.fixture(scope="session")
def demo_server(
    tmp_path_factory: pytest.TempPathFactory, chromium_executable: str
) -> Iterator[DemoServer]:
    var_dir = tmp_path_factory.mktemp("demo-var")
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE", "PORT"}
    }
    env["REGIE_VAR_DIR"] = str(var_dir)
    port = _free_port()
    server = DemoServer(url=f"http://127.0.0.1:{port}", env=env)
    server.regie("migrate", "--noinput")
    server.regie("demo", "--no-build")  # no background builds competing with the journeys
    log = (var_dir / "serve.log").open("w")
    process = subprocess.Popen(  # noqa: S603 - the project's own command, fixed arguments
        [*_regie_command(), "serve", "--port", str(port)], env=env, stdout=log, stderr=log
    )
    try:
        deadline = time.monotonic() + DEMO_START_TIMEOUT_S
        while True:
            try:
                with urllib.request.urlopen(  # noqa: S310 - http://127.0.0.1 only
                    f"{server.url}/account/inloggen/", timeout=2
                ):
                    break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                if process.poll() is not None or time.monotonic() > deadline:
                    log.flush()
                    pytest.fail(
                        "the demo server did not start:\n"
                        + (var_dir / "serve.log").read_text(encoding="utf-8")[-3000:]
                    )
                time.sleep(0.2)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def new_demo_context(
    browser: Browser, server: DemoServer, width: int, height: int = 900
) -> BrowserContext:
    ctx = browser.new_context(
        base_url=server.url,
        locale="nl-NL",
        timezone_id="Europe/Amsterdam",
        viewport={"width": width, "height": height},
    )
    ctx.set_default_timeout(TIMEOUT_MS)
    ctx.set_default_navigation_timeout(TIMEOUT_MS)
    return ctx


def logged_in_context(
    browser: Browser, server: DemoServer, username: str, width: int, height: int = 900
) -> BrowserContext:
    """A context with the account's session: logged in once per test session, then reused."""
    if username not in server._sessions:
        first = new_demo_context(browser, server, width, height)
        try:
            demo_log_in(first.new_page(), server, username)
            server._sessions[username] = first.storage_state()
        finally:
            first.close()
    ctx = browser.new_context(
        base_url=server.url,
        locale="nl-NL",
        timezone_id="Europe/Amsterdam",
        viewport={"width": width, "height": height},
        storage_state=server._sessions[username],
    )
    ctx.set_default_timeout(TIMEOUT_MS)
    ctx.set_default_navigation_timeout(TIMEOUT_MS)
    return ctx


def demo_log_in(page: Page, server: DemoServer, username: str) -> None:
    """Password, then (for accounts with a second factor) the authenticator code."""
    page.goto("/account/inloggen/")
    page.get_by_label("Gebruikersnaam", exact=True).fill(username)
    page.get_by_label("Wachtwoord", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_load_state("load")
    if "/verificatie/" in page.url:
        page.get_by_label("Code uit uw authenticator-app").fill(server.code(username))
        page.get_by_role("button", name="Controleren", exact=True).click()
        page.wait_for_load_state("load")
        assert "/verificatie/" not in page.url, f"{username}: the second factor was refused"
    assert "/inloggen/" not in page.url, f"{username}: the password was refused"


#: The page scrolls sideways when its content is wider than the viewport.
PAGE_SCROLL_WIDTH = "() => [document.documentElement.scrollWidth, window.innerWidth]"
#: The innermost elements that stick out to the right of the viewport (outside scroll regions).
WIDE_ELEMENTS = """() => {
  const w = window.innerWidth;
  const over = (el) => {
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.right > w + 1;
  };
  const scrolls = (el) => {
    for (let p = el.parentElement; p; p = p.parentElement) {
      if (['auto', 'scroll', 'hidden', 'clip'].includes(getComputedStyle(p).overflowX)) return true;
    }
    return false;
  };
  return [...document.querySelectorAll('body *')]
    .filter((el) => over(el) && !scrolls(el) && ![...el.children].some(over))
    .slice(0, 5)
    .map((el) => `${el.tagName.toLowerCase()}.`
      + `${String(el.className).trim().split(/\\s+/).join('.')} `
      + `(right ${Math.round(el.getBoundingClientRect().right)} px): `
      + (el.textContent || '').trim().replace(/\\s+/g, ' ').slice(0, 60));
}"""


def side_scroll(page: Page) -> str | None:
    """None when the page fits its viewport, else what sticks out."""
    scroll_width, inner_width = page.evaluate(PAGE_SCROLL_WIDTH)
    if scroll_width <= inner_width:
        return None
    wide = page.evaluate(WIDE_ELEMENTS)
    return f"{page.url}: {scroll_width} px wide in a {inner_width} px viewport; {wide}"
