"""Browser journey through the council reports of Alblasserdam.

An adviseur makes an evaluatie of 2024 (first with a period that does not fit, input kept),
writes its introduction, locks the figures, reads the preview, builds a PDF (an eager job) and
sees its download with size and SHA-256. Every page is checked with axe-core at 1366 px and at
390 px (a phone), and must not scroll sideways. Locators use ids, names and addresses, so the
journey holds in every language.
"""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from django.apps import apps as django_apps
from playwright.sync_api import Locator, Page, expect

from regie.accounts.models import Role
from regie.core.models import Organisation
from regie.demo import services as demo_services
from regie.reports.models import BuildState, Report, ReportBuild
from tests.browser.conftest import A11yAudit, side_scroll
from tests.browser.test_journeys import log_in, make_user, path_is, url
from tests.browser.test_veiligheidsbeeld_journey import demo  # noqa: F401 - fixture

pytestmark = pytest.mark.browser

WIDTHS = (1366, 390)


@pytest.fixture
def gemeente(demo: dict[str, Organisation], settings: Any) -> Organisation:  # noqa: F811
    settings.REGIE_TASKS_EAGER = True  # the build job runs in the request
    # live_server flushes the tables after each test, the KBV taxonomy of migration 0002 too.
    taxonomy = importlib.import_module("regie.policy.migrations.0002_kbv_taxonomy")
    taxonomy.load(django_apps, None)
    demo_services.load_plans()
    return demo["gm0482"]


def link(page: Page, name: str, **kwargs: object) -> Locator:
    """The link in the page's main content to the page ``name``."""
    return page.locator(f"main a[href='{url(name, **kwargs)}']")


def check(page: Page, a11y: A11yAudit, name: str) -> None:
    """axe-core and no sideways scrolling, at every width."""
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        a11y.check(page, f"{name} @{width}")
        assert side_scroll(page) is None, side_scroll(page)
    page.set_viewport_size({"width": WIDTHS[0], "height": 900})


def test_adviseur_writes_locks_and_builds_an_evaluation(
    page: Page, gemeente: Organisation, a11y: A11yAudit
) -> None:
    org = gemeente.slug
    log_in(page, make_user((gemeente, Role.ADVISEUR)))

    # The empty list explains the three kinds and offers a new report.
    page.goto(url("reports:index", org=org))
    check(page, a11y, "reports index (empty)")
    link(page, "reports:report_create", org=org).click()
    expect(page).to_have_url(path_is("reports:report_create", org=org))
    check(page, a11y, "new report")

    # A half year is no period for an evaluation: refused, input kept.
    page.locator("#id_kind").select_option("evaluatie")
    page.locator("#id_period").fill("2024H1")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("#id_period")).to_have_value("2024H1")
    expect(page.locator("#id_period")).to_have_attribute("aria-invalid", "true")
    check(page, a11y, "new report, error")
    page.locator("#id_period").fill("2024")
    page.locator("main form button[type=submit]").click()
    report = Report.objects.get(organisation=gemeente)
    expect(page).to_have_url(path_is("reports:report_detail", org=org, report_id=report.pk))
    check(page, a11y, "report (concept)")

    # The introduction.
    ids = {"org": org, "report_id": report.pk}
    texts = page.locator(f"main form[action='{url('reports:report_texts', **ids)}']")
    texts.locator("textarea[name=text_inleiding]").fill(
        "Dit jaar kwam de buurtpreventie op gang.\n\nDe inbraken daalden."
    )
    texts.locator("button[type=submit]").click()
    expect(page).to_have_url(path_is("reports:report_detail", **ids))
    expect(page.locator("main textarea[name=text_inleiding]")).to_have_value(
        "Dit jaar kwam de buurtpreventie op gang.\n\nDe inbraken daalden."
    )

    # Lock the figures: the preview appears, with the text.
    page.locator(f"main form[action='{url('reports:report_lock', **ids)}'] button").click()
    expect(page.locator("main .regie-report")).to_be_visible()
    expect(page.locator("main .regie-report")).to_contain_text("De inbraken daalden.")
    report.refresh_from_db()
    assert report.snapshot
    check(page, a11y, "report (locked, preview)")

    # Build the PDF: the job runs at once; its page offers the download.
    page.locator(
        f"main form[action='{url('reports:build_request', **ids)}'] button[value=pdf]"
    ).click()
    build = ReportBuild.objects.get(report=report, format="pdf")
    assert build.state == BuildState.DONE
    assert build.file is not None
    expect(page).to_have_url(path_is("reports:build_status", **ids, build_id=build.pk))
    download = link(page, "reports:file_download", **ids, file_id=build.file.pk)
    expect(download).to_be_visible()
    expect(page.locator("main")).to_contain_text(build.file.sha256)
    check(page, a11y, "build ready")
    with page.expect_download() as info:
        download.click()
    assert info.value.suggested_filename == "alblasserdam-evaluatie-2024.pdf"

    # Back on the report: the file with its size and hash, and the way to send it.
    page.goto(url("reports:report_detail", **ids))
    expect(link(page, "reports:file_download", **ids, file_id=build.file.pk)).to_be_visible()
    expect(page.locator("main")).to_contain_text(build.file.sha256)
    expect(link(page, "reports:report_send", **ids)).to_be_visible()
    link(page, "reports:report_send", **ids).click()
    check(page, a11y, "mark as sent")
    a11y.assert_clean()
