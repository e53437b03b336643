"""Layout on a phone and on paper, on the demo installation.

At 360 px no page of either gemeente may scroll sideways (tables scroll inside their own region);
printed, a page shows its content (tables and charts) without the menu and the tools.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import (
    DemoServer,
    logged_in_context,
    new_demo_context,
    side_scroll,
)

pytestmark = pytest.mark.browser

SMALLEST_PHONE = 360
RENDERED_CHART = ".regie-chart__canvas[data-chart-state=ready] svg"
GEMEENTEN = {"gm0556": "beheerder.maassluis", "gm0482": "beheerder.alblasserdam"}


def hrefs(page: Page, pattern: str) -> list[str]:
    """The links of <main> whose address matches ``pattern`` completely, in page order."""
    found: list[str] = page.locator("main a").evaluate_all(
        "links => links.map(a => a.getAttribute('href'))"
    )
    return [h for h in found if h and re.fullmatch(pattern, h)]


def first_href(page: Page, pattern: str, what: str) -> str:
    found = hrefs(page, pattern)
    assert found, f"{page.url} links to no {what}"
    return found[0]


@pytest.fixture(params=sorted(GEMEENTEN))
def beheerder_page(
    request: pytest.FixtureRequest, browser: Browser, demo_server: DemoServer
) -> Iterator[tuple[str, Page]]:
    slug: str = request.param
    context = logged_in_context(browser, demo_server, GEMEENTEN[slug], SMALLEST_PHONE, 740)
    try:
        yield slug, context.new_page()
    finally:
        context.close()


def test_main_pages_fit_a_phone(beheerder_page: tuple[str, Page]) -> None:
    slug, page = beheerder_page
    problems: list[str] = []
    visited: list[str] = []

    def visit(address: str) -> None:
        response = page.goto(address)
        assert response is not None
        assert response.status == 200, (address, response.status)
        page.wait_for_load_state("load")
        visited.append(address)
        wide = side_scroll(page)
        if wide:
            problems.append(wide)

    visit(f"/{slug}/")
    visit(f"/{slug}/veiligheidsbeeld/")
    measures = hrefs(page, rf"/{slug}/veiligheidsbeeld/[a-z]+:[^/]+/")
    assert measures, "the veiligheidsbeeld links to no measure"
    for measure in measures[:2]:
        visit(measure)
    visit(f"/{slug}/veiligheidsbeeld/waterbed/")
    visit(f"/{slug}/beleid/")
    plan = first_href(page, rf"/{slug}/beleid/\d+/", "plan")
    visit(plan)
    indicator = first_href(page, rf"{plan}indicator/\d+/", "indicator")
    goal = first_href(page, rf"{plan}doel/\d+/", "goal")
    visit(indicator)
    visit(goal)
    visit(f"{plan}scenarios/")
    visit(f"{plan}momentopnamen/")
    visit(f"/{slug}/bronnen/")
    visit(first_href(page, rf"/{slug}/bronnen/\d+/", "dataset"))
    visit(f"/{slug}/gebieden/")
    visit(f"/{slug}/beheer/")
    visit(f"/{slug}/beheer/audit/")
    visit(f"/{slug}/beheer/organisatie/")
    visit("/account/mijn-account/")
    visit(f"/gebieden/{slug.upper()}/")
    assert not problems, (
        f"{len(problems)} of {len(visited)} pages scroll sideways at {SMALLEST_PHONE} px:\n"
        + "\n".join(problems)
    )


def test_login_pages_fit_a_phone(browser: Browser, demo_server: DemoServer) -> None:
    context = new_demo_context(browser, demo_server, SMALLEST_PHONE, 740)
    try:
        page = context.new_page()
        problems = []
        for address in ("/account/inloggen/", "/account/wachtwoord/vergeten/"):
            page.goto(address)
            wide = side_scroll(page)
            if wide:
                problems.append(wide)
        assert not problems, "\n".join(problems)
    finally:
        context.close()


def test_favicon(browser: Browser, demo_server: DemoServer) -> None:
    context = new_demo_context(browser, demo_server, 1366)
    try:
        page = context.new_page()
        page.goto("/account/inloggen/")
        icon = page.locator("head link[rel=icon]").first.get_attribute("href")
        assert icon
        response = page.request.get(icon)
        assert response.status == 200
        assert "svg" in response.headers.get("content-type", "")
        assert b"<svg" in response.body()
    finally:
        context.close()


# --- Print -----------------------------------------------------------------------------------

HIDDEN_ON_PAPER = (
    "nav[aria-label=Hoofdmenu]",
    ".utrecht-skip-link",
    ".regie-header__tools",
    ".utrecht-breadcrumb-nav",
    "main button",
)


@pytest.fixture
def adviseur_print_page(browser: Browser, demo_server: DemoServer) -> Iterator[Page]:
    context = logged_in_context(browser, demo_server, "adviseur.regio", 1366)
    try:
        yield context.new_page()
    finally:
        context.close()


def assert_printed_without_tools(page: Page) -> None:
    for selector in HIDDEN_ON_PAPER:
        for element in page.locator(selector).all():
            expect(element, f"{selector} is printed").to_be_hidden()
    expect(page.locator("main h1").first).to_be_visible()
    colour = page.locator("main h1").first.evaluate("h => getComputedStyle(h).color")
    assert colour == "rgb(0, 0, 0)", colour


def test_plan_prints_without_menu_with_tables(adviseur_print_page: Page) -> None:
    page = adviseur_print_page
    page.goto("/gm0482/beleid/")
    plan = first_href(page, r"/gm0482/beleid/\d+/", "plan")
    page.goto(plan)
    expect(page.get_by_role("navigation", name="Hoofdmenu")).to_be_visible()
    page.emulate_media(media="print")
    assert_printed_without_tools(page)
    expect(page.locator(".regie-tree__priority").first).to_be_visible()
    tables = page.locator("main table")
    assert tables.count() > 0
    expect(tables.first).to_be_visible()
    # Every column is on paper: no table is cut off by a scroll region.
    clipped = page.locator("main .regie-table-wrap, main .regie-table-scroll").evaluate_all(
        "regions => regions.filter(r => r.scrollWidth > r.clientWidth + 1).length"
    )
    assert clipped == 0

    page.goto(f"{plan}scenarios/")
    assert_printed_without_tools(page)
    expect(page.locator("main table").first).to_be_visible()


def test_veiligheidsbeeld_prints_charts_and_tables(adviseur_print_page: Page) -> None:
    page = adviseur_print_page
    page.goto("/gm0556/veiligheidsbeeld/")
    expect(page.locator(RENDERED_CHART).first).to_be_visible()
    page.emulate_media(media="print")
    assert_printed_without_tools(page)
    charts = page.locator(RENDERED_CHART)
    expect(charts.first).to_be_visible()
    width = page.evaluate("() => document.documentElement.clientWidth")
    chart_width = charts.first.evaluate("svg => svg.getBoundingClientRect().width")
    assert chart_width <= width, (chart_width, width)
    # The data behind each chart is printed too (a closed disclosure prints its table).
    table = page.locator("main .regie-chart table").first
    expect(table).to_be_visible()
