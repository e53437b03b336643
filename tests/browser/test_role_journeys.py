"""Every demo role finds its way: log in, land on the start page, reach each main page in one click.

On the demo installation (one server per session, see ``demo_server`` in conftest.py), for every
demo account at a laptop (1366×900) and a phone (390×844) width: log in (with the authenticator
code where the account has one), land on the role's start page, and from the main menu ("Hoofdmenu")
open each of its pages in one click. Every page is checked with axe-core (serious or critical
findings fail, as in the other journeys) and, on the phone, must not scroll sideways.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Locator, Page, Response, expect

from tests.browser.conftest import (
    A11yAudit,
    DemoServer,
    demo_log_in,
    new_demo_context,
    side_scroll,
)

pytestmark = pytest.mark.browser

LAPTOP = (1366, 900)
PHONE = (390, 844)
#: Gemeente staff find the veiligheidsbeeld and the plan in the menu (issue 15, acceptance).
GEMEENTE_PAGES = ("Veiligheidsbeeld", "Beleid")


@dataclass(frozen=True)
class Role:
    username: str
    #: The organisation whose pages the account lands on (None: not one gemeente's pages).
    org: str | None
    #: Menu links this role must have (Dutch names).
    menu: tuple[str, ...]


ROLES = [
    Role("adviseur.maassluis", "gm0556", GEMEENTE_PAGES),
    Role("adviseur.alblasserdam", "gm0482", GEMEENTE_PAGES),
    Role("beheerder.maassluis", "gm0556", (*GEMEENTE_PAGES, "Beheer")),
    Role("beheerder.alblasserdam", "gm0482", (*GEMEENTE_PAGES, "Beheer")),
    Role("raadpleger.maassluis", "gm0556", GEMEENTE_PAGES),
    Role("raadpleger.alblasserdam", "gm0482", GEMEENTE_PAGES),
    Role("handhaver.maassluis", "gm0556", ()),
    Role("politie.rotterdam", None, ()),
    Role("installatiebeheer", None, ("Installatiebeheer",)),
]


def main_nav(page: Page) -> Locator:
    return page.get_by_role("navigation", name="Hoofdmenu")


def open_main_menu(page: Page) -> None:
    """On a narrow screen the menu may be folded behind a button; open it when it is."""
    nav = main_nav(page)
    if nav.locator("a").first.is_visible():
        return
    toggle = nav.locator("summary, button[aria-expanded]")
    if toggle.count() == 0:
        controls = nav.get_attribute("id")
        toggle = page.locator(f"[aria-controls='{controls}']") if controls else toggle
    assert toggle.count() > 0, f"{page.url}: the main menu is hidden and has no button to open it"
    toggle.first.click()
    expect(nav.locator("a").first).to_be_visible()


def menu_links(page: Page) -> list[tuple[str, str]]:
    """(name, href) of each link of the main menu, in menu order."""
    links: list[tuple[str, str]] = (
        main_nav(page)
        .locator("a")
        .evaluate_all(
            "links => links.map(a => [a.textContent.trim().replace(/\\s+/g, ' '), "
            "a.getAttribute('href')])"
        )
    )
    return links


#: Pages outside any organisation (the areas, installation management) look the same to every
#: role; axe checks each of them once per width in a session.
_SHARED_PAGES_CHECKED: set[tuple[str, int]] = set()
_SHARED_PREFIXES = ("/gebieden/", "/beheer/", "/account/")


def check_page(
    page: Page, a11y: A11yAudit, name: str, width: int, problems: list[str], seen: set[str]
) -> None:
    expect(page.locator("main h1").first).to_be_visible()
    path = urlsplit(page.url).path
    shared = path.startswith(_SHARED_PREFIXES)
    if path not in seen and not (shared and (path, width) in _SHARED_PAGES_CHECKED):
        a11y.check(page, name)
    seen.add(path)
    if shared:
        _SHARED_PAGES_CHECKED.add((path, width))
    if width <= PHONE[0]:
        wide = side_scroll(page)
        if wide:
            problems.append(f"[{name}] scrolls sideways: {wide}")


# The role varies fastest: two logins of one account are then more than one authenticator step
# (30 s) apart, and the second need not wait for a new code.
@pytest.mark.parametrize("role", ROLES, ids=[r.username for r in ROLES])
@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["1366", "390"])
def test_role_reaches_its_pages_from_the_menu(
    browser: Browser,
    demo_server: DemoServer,
    a11y: A11yAudit,
    role: Role,
    viewport: tuple[int, int],
) -> None:
    width, height = viewport
    context = new_demo_context(browser, demo_server, width, height)
    try:
        page = context.new_page()
        statuses: list[tuple[str, int]] = []

        def on_response(response: Response) -> None:
            if (
                response.request.is_navigation_request()
                and response.request.frame == page.main_frame
            ):
                statuses.append((response.url, response.status))

        page.on("response", on_response)
        problems: list[str] = []
        seen: set[str] = set()

        demo_log_in(page, demo_server, role.username)

        # The start page of the role.
        if role.org:
            assert re.search(rf"/{role.org}/", page.url), f"{role.username} landed on {page.url}"
        check_page(page, a11y, f"{role.username} start", width, problems, seen)
        expect(main_nav(page), f"{role.username} has no main menu").to_have_count(1)
        links = menu_links(page)
        names = [name for name, _ in links]
        missing = [name for name in role.menu if name not in names]
        assert not missing, f"{role.username}: the main menu {names} lacks {missing}"
        assert links, f"{role.username}: the main menu is empty"

        # Each page of the menu, one click away from the page before.
        for name, href in links:
            open_main_menu(page)
            statuses.clear()
            main_nav(page).locator(
                "a", has_text=re.compile(rf"^\s*{re.escape(name)}\s*$")
            ).first.click()
            expect(page).to_have_url(re.compile(rf"{re.escape(href)}(\?.*)?$"))
            page.wait_for_load_state("load")
            bad = [(url, status) for url, status in statuses if status >= 400]
            assert not bad, f"{role.username}: menu link {name!r} answered {bad}"
            check_page(page, a11y, f"{role.username} {name}", width, problems, seen)

        assert not problems, "\n".join(problems)
        a11y.assert_clean()
    finally:
        context.close()
