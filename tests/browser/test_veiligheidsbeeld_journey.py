"""Browser journey through the veiligheidsbeeld on the demo data.

An adviseur of Alblasserdam opens the veiligheidsbeeld, opens woninginbraak, switches to per
1,000 inhabitants, compares with the veiligheidsregio RE07 and downloads the year chart as Excel.
Every page is checked with axe-core; the vega charts must render (from the bundle that
``make assets`` writes into ``regie/static/regie/vendor/``, served by WhiteNoise's finders) and no
Content Security Policy violation may be logged.
"""

from __future__ import annotations

import io
from typing import Any
from urllib.parse import parse_qs, urlsplit

import openpyxl
import pytest
from playwright.sync_api import ConsoleMessage, Page, expect

from regie.accounts.models import Role
from regie.areas.services import load_reference_data
from regie.core.models import Organisation
from regie.demo import services as demo_services
from tests.browser.conftest import PROJECT_DIR, A11yAudit
from tests.browser.test_journeys import log_in, make_user, path_is, url

pytestmark = pytest.mark.browser

MEASURE = "local:mik_woninginbraak"
VEGA_BUNDLE = PROJECT_DIR / "src" / "regie" / "static" / "regie" / "vendor" / "vega-bundle.js"
RENDERED_CHART = ".regie-chart__canvas[data-chart-state=ready] svg[role=img]"


@pytest.fixture
def demo(live_server: Any) -> dict[str, Organisation]:
    """The demo's reference data and figures, committed (live_server gives transactional_db)."""
    load_reference_data()
    orgs = {}
    for slug, name, code in (
        ("gm0556", "Maassluis", "GM0556"),
        ("gm0482", "Alblasserdam", "GM0482"),
    ):
        orgs[slug], _ = Organisation.objects.get_or_create(
            slug=slug, defaults={"name": name, "kind": "gemeente", "cbs_code": code}
        )
    demo_services.load_figures()
    return orgs


def expect_chart_rendered(page: Page) -> None:
    expect(page.locator(RENDERED_CHART).first).to_be_visible()
    expect(page.locator(".regie-chart__canvas[data-chart-state=failed]")).to_have_count(0)


def test_adviseur_compares_woninginbraak_and_downloads_excel(
    page: Page, demo: dict[str, Organisation], a11y: A11yAudit
) -> None:
    if not VEGA_BUNDLE.is_file():
        pytest.fail(f"{VEGA_BUNDLE} is missing; run `make assets`.")
    csp: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            csp.append(f"{page.url}: {message.text}")

    page.on("console", on_console)
    adviseur = make_user((demo["gm0482"], Role.ADVISEUR))
    log_in(page, adviseur)

    # The nav link leads to the overview, with a rendered chart. The first visitor of a data
    # version computes every theme (and loads scipy), so that click may take longer.
    overview_url = url("veiligheidsbeeld:overview", org="gm0482")
    page.locator(f"nav a[href='{overview_url}']").first.click(timeout=60_000)
    expect(page).to_have_url(path_is("veiligheidsbeeld:overview", org="gm0482"))
    expect(page.locator("main h1")).to_contain_text("Alblasserdam")
    expect_chart_rendered(page)
    # One heading per theme; themes without figures say why.
    for key in ("total", "hic", "ondermijning", "digital"):
        expect(page.locator(f"main section[aria-labelledby='section-{key}'] h2")).to_have_count(1)
    # Alblasserdam has its own cybercrime figures: the theme shows them and no missing-types line
    digital = page.locator("main section[aria-labelledby='section-digital']")
    expect(digital).to_contain_text("Cybercrime (politie-opgave)")
    expect(digital.locator(".regie-beeld-missing")).to_have_count(0)
    a11y.check(page, "veiligheidsbeeld")

    # Woninginbraak, linked from the crime-by-type section.
    measure_url = url("veiligheidsbeeld:measure", org="gm0482", code=MEASURE)
    page.locator(f"section[aria-labelledby='section-crime'] a[href='{measure_url}']").click()
    expect(page).to_have_url(path_is("veiligheidsbeeld:measure", org="gm0482", code=MEASURE))
    expect(page.locator("main h1")).to_contain_text("Woninginbraken")
    expect_chart_rendered(page)
    a11y.check(page, "woninginbraak")

    form = page.locator("main form.regie-filter")
    form.locator("input[name=weergave][value=per1000]").check()
    form.locator("button[type=submit]").click()
    expect(page).to_have_url(path_is("veiligheidsbeeld:measure", org="gm0482", code=MEASURE))
    assert parse_qs(urlsplit(page.url).query).get("weergave") == ["per1000"]
    expect(form.locator("input[name=weergave][value=per1000]")).to_be_checked()
    expect_chart_rendered(page)
    a11y.check(page, "woninginbraak per 1.000")

    form.locator("input[name=vergelijk][value=RE07]").check()
    form.locator("button[type=submit]").click()
    query = parse_qs(urlsplit(page.url).query)
    assert query.get("vergelijk") == ["RE07"]
    assert query.get("weergave") == ["per1000"]
    expect(form.locator("input[name=vergelijk][value=RE07]")).to_be_checked()
    expect_chart_rendered(page)
    # The measure code is only in the technical details.
    expect(page.locator("main details.regie-technical code")).to_have_text(MEASURE)
    a11y.check(page, "woninginbraak vs RE07")

    # The year chart's Excel download.
    xlsx_link = page.locator(
        "#chart-per-jaar .regie-chart__downloads a[href*='download=per-jaar'][href*='format=xlsx']"
    )
    expect(xlsx_link).to_have_count(1)
    with page.expect_download() as info:
        xlsx_link.click()
    download = info.value
    assert download.suggested_filename.endswith(".xlsx")
    with open(download.path(), "rb") as fh:
        workbook = openpyxl.load_workbook(io.BytesIO(fh.read()), read_only=True)
    sheets = workbook.sheetnames
    assert any(name in ("Bron", "Source") for name in sheets), sheets
    data = workbook[next(n for n in sheets if n not in ("Bron", "Source"))]
    rows = list(data.iter_rows(values_only=True))
    assert rows, sheets
    assert all(isinstance(cell, str) for cell in rows[0] if cell is not None), rows[:1]
    assert any(
        isinstance(cell, int | float) and not isinstance(cell, bool)
        for row in rows[1:]
        for cell in row
    ), rows[:5]
    source = workbook[next(n for n in sheets if n in ("Bron", "Source"))]
    assert any(any(cell for cell in row) for row in source.iter_rows(values_only=True))

    # The waterbed analysis page.
    page.goto(url("veiligheidsbeeld:waterbed", org="gm0482"))
    expect(page.locator("main h1")).to_be_visible()
    a11y.check(page, "waterbed")

    assert not csp, "Content Security Policy violations:\n" + "\n".join(csp)
    a11y.assert_clean()
