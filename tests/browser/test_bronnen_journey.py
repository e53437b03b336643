"""Browser journey through Bronnen: an adviseur uploads local figures, checks them and imports.

An upload goes to its check page, which shows the preview when the check (a background job) is
done. The jobs run eagerly here: the live server shares pytest's in-memory SQLite database, where
locking is per table and a worker thread's write makes the server's own writes fail at once with
"database table is locked" (a file database waits instead, with its busy timeout). The workers,
the polling pages and another gemeente working during a slow check are covered by
src/regie/monitor/tests/test_bronnen_views.py and tests/security/test_import_locking.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from regie.accounts.models import Role
from regie.monitor import services
from regie.monitor.models import Dataset, ImportBatch, Observation
from tests.browser.conftest import A11yAudit, World
from tests.browser.test_journeys import h1, log_in, make_user, path_is, url

pytestmark = pytest.mark.browser

VALID = (
    "gebied;maatstaf;periode;waarde;status\n"
    "GM0556;huisverboden;2021;14;definitief\n"
    "GM0556;huisverboden;2022;12;voorlopig\n"
)
MALFORMED = "gebied;maatstaf;periode;waarde;status\nGM0556;huisverboden;2021;veertien;\n"


def choose_and_check(page: Page, name: str, text: str) -> None:
    page.locator("main input[type=file]").set_input_files(
        files=[{"name": name, "mimeType": "text/csv", "buffer": text.encode("utf-8")}]
    )
    page.locator("main form button[type=submit]").click()


def test_adviseur_uploads_checks_and_imports_local_figures(
    page: Page, world: World, a11y: A11yAudit, settings: Any, tmp_path: Path
) -> None:
    settings.VAR_DIR = tmp_path
    settings.REGIE_TASKS_EAGER = True
    services.load_catalogue()
    adviseur = make_user((world.maassluis, Role.ADVISEUR))
    log_in(page, adviseur)

    page.goto(url("monitor:dataset_list", org="gm0556"))
    expect(page.locator(f"main a[href='{url('monitor:upload', org='gm0556')}']")).to_be_visible()
    a11y.check(page, "bronnen, empty")
    page.goto(url("monitor:upload", org="gm0556"))
    a11y.check(page, "upload form")

    # A file with an error: its check page lists it and offers no import.
    choose_and_check(page, "fout.csv", MALFORMED)
    refused = ImportBatch.objects.get(filename="fout.csv")
    assert refused.dry_run
    expect(page).to_have_url(path_is("monitor:upload_check", org="gm0556", batch_id=refused.pk))
    expect(h1(page)).to_contain_text("fout.csv")
    expect(page.locator("main table").last).to_contain_text("veertien")
    expect(
        page.locator(f"form[action='{url('monitor:upload_confirm', org='gm0556')}']")
    ).to_have_count(0)
    a11y.check(page, "preview, refused")

    # A valid file: preview, then import.
    page.get_by_role("link", name="Verbeterd bestand uploaden").click()
    expect(page).to_have_url(path_is("monitor:upload", org="gm0556"))
    choose_and_check(page, "cijfers.csv", VALID)
    checked = ImportBatch.objects.get(filename="cijfers.csv", dry_run=True)
    expect(page).to_have_url(path_is("monitor:upload_check", org="gm0556", batch_id=checked.pk))
    expect(page.locator("#check-status progress")).to_have_count(0)
    confirm = page.locator(f"form[action='{url('monitor:upload_confirm', org='gm0556')}'] button")
    expect(confirm).to_be_visible()
    assert Observation.objects.count() == 0
    a11y.check(page, "preview, valid")
    confirm.click()

    batch = ImportBatch.objects.order_by("-id").first()  # the confirmed import
    assert batch is not None
    expect(page).to_have_url(path_is("monitor:import_status", org="gm0556", batch_id=batch.pk))
    dataset_url = url("monitor:dataset_detail", org="gm0556", dataset_id=batch.dataset_id)
    expect(page.locator(f"#import-status a[href='{dataset_url}']")).to_be_visible()
    expect(page.locator("#import-status progress")).to_have_count(0)
    a11y.check(page, "import report")
    assert Observation.objects.filter(owner=world.maassluis).count() == 2

    page.locator(f"#import-status a[href='{dataset_url}']").click()
    expect(h1(page)).to_have_text(Dataset.objects.get(organisation=world.maassluis).title)
    a11y.check(page, "dataset detail")

    a11y.assert_clean()
