"""Browser journey: a resident reports through the public Meldpunt form without JavaScript.

The form is filled and sent (with a photo) in a browser context with JavaScript switched off and
the receipt code is shown; the status lookup with that code shows the status only. axe-core needs
JavaScript, so the accessibility checks run in the ordinary (JavaScript) context of the
conftest, on the form, the form with errors, the received page and the status page.

Elements are found by id and role, not by their Dutch labels, so the journey runs before and
after the translations are compiled.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from playwright.sync_api import Browser, BrowserContext, Page, expect

from regie.cases.models import Attachment, Channel, ReporterType, Signal
from tests.browser.conftest import TIMEOUT_MS, A11yAudit, World

pytestmark = pytest.mark.browser

FORM = "/melden/gm0556/"
CODE = re.compile(r"^[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}$")


@pytest.fixture
def no_js_context(browser: Browser, live_server: Any) -> Iterator[BrowserContext]:
    """Like the conftest's ``context``, with JavaScript switched off."""
    ctx = browser.new_context(
        base_url=live_server.url,
        locale="nl-NL",
        timezone_id="Europe/Amsterdam",
        viewport={"width": 1280, "height": 900},
        java_script_enabled=False,
    )
    ctx.route("**/favicon.ico", lambda route: route.fulfill(status=204, body=""))
    ctx.set_default_timeout(TIMEOUT_MS)
    ctx.set_default_navigation_timeout(TIMEOUT_MS)
    try:
        yield ctx
    finally:
        ctx.close()


@pytest.fixture
def photo(tmp_path: Path) -> Path:
    exif = Image.Exif()
    exif[0x010F] = "SECRETCAM"
    out = io.BytesIO()
    Image.new("RGB", (60, 40), "blue").save(out, "JPEG", exif=exif)
    path = tmp_path / "foto.jpg"
    path.write_bytes(out.getvalue())
    return path


def submit(page: Page) -> None:
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state("load")


def test_a_resident_reports_without_javascript(
    no_js_context: BrowserContext, world: World, photo: Path
) -> None:
    page = no_js_context.new_page()
    page.goto(FORM)
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    expect(page.locator("#id_website")).to_be_hidden()  # the honeypot
    page.locator("#id_description").fill("Verzonnen: 's nachts veel verkeer bij een schuur.")
    page.locator("#id_street").fill("Verzonnenlaan")
    page.locator("#id_seen_on").fill("01-12-2026")
    page.locator("#id_attachments").set_input_files(str(photo))
    page.locator("#id_contact_1").check()
    page.locator("#id_reporter_type_1").check()
    page.locator("#id_name").fill("Verzonnen Ondernemer")
    page.locator("#id_email").fill("ondernemer.verzonnen@example.org")
    submit(page)

    expect(page).to_have_url(re.compile(r"/melden/gm0556/ontvangen/$"))
    code = page.locator("#receipt-code").inner_text().strip()
    assert CODE.match(code), code
    signal = Signal.objects.get()
    assert signal.channel == Channel.PUBLIC
    assert signal.reporter_type == ReporterType.ENTREPRENEUR
    attachment = Attachment.objects.get(signal=signal)
    assert b"SECRETCAM" not in bytes(attachment.content)
    assert signal.reference not in page.content()

    page.reload()  # the code is shown once
    expect(page.locator("#receipt-code")).to_have_count(0)

    page.goto("/melden/gm0556/status/")
    page.locator("#id_code").fill(code)
    submit(page)
    expect(page.locator("#status-result")).to_be_visible()
    assert "schuur" not in page.content()


def test_the_public_pages_pass_axe(page: Page, world: World, a11y: A11yAudit) -> None:
    page.goto(FORM)
    a11y.check(page, "public form")

    submit(page)  # nothing filled in: the error summary
    expect(page.locator("#error-summary")).to_be_visible()
    a11y.check(page, "public form with errors")

    page.locator("#id_description").fill("Verzonnen: overlast bij een verzonnen adres.")
    submit(page)
    expect(page.locator("#receipt-code")).to_be_visible()
    a11y.check(page, "received")
    code = page.locator("#receipt-code").inner_text().strip()

    page.goto("/melden/gm0556/status/")
    a11y.check(page, "status form")
    page.locator("#id_code").fill(code)
    submit(page)
    expect(page.locator("#status-result")).to_be_visible()
    a11y.check(page, "status")
    a11y.assert_clean()
