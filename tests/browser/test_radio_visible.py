"""A selected radio button looks selected, and checkboxes are large enough to see and hit.

Issue 15: the veiligheidsbeeld's "Toon" radios (class ``utrecht-radio-button`` without the
``--html-input`` modifier) had their native look switched off by the Utrecht CSS and no checked
style instead, so the chosen option was invisible; checkboxes were 13 px. Element screenshots of
one radio before and after choosing it must differ clearly, on the measure page and on the
scenario calculator.
"""

from __future__ import annotations

import re
import struct
import zlib
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect

from tests.browser.conftest import DemoServer, logged_in_context

pytestmark = pytest.mark.browser

#: Share of the control's pixels that must change when it is chosen.
MIN_CHANGED_SHARE = 0.10
#: WCAG 2.5.8 asks 24 px targets or spacing; the controls themselves are at least 20 px.
MIN_CONTROL_PX = 20


def decode_png(data: bytes) -> tuple[int, int, list[bytes]]:
    """Width, height and RGBA rows of an 8-bit, non-interlaced PNG (as Chromium writes them)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, header = 8, b"", b""
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            idat += body
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", header)
    assert depth == 8, depth
    assert interlace == 0, interlace
    assert colour in (2, 6), colour
    channels = 4 if colour == 6 else 3
    stride = width * channels
    raw = zlib.decompress(idat)
    rows: list[bytes] = []
    previous = bytearray(stride)
    for y in range(height):
        kind = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        for x in range(stride):
            left = line[x - channels] if x >= channels else 0
            up = previous[x]
            up_left = previous[x - channels] if x >= channels else 0
            if kind == 1:
                line[x] = (line[x] + left) & 0xFF
            elif kind == 2:
                line[x] = (line[x] + up) & 0xFF
            elif kind == 3:
                line[x] = (line[x] + (left + up) // 2) & 0xFF
            elif kind == 4:
                p = left + up - up_left
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - up_left)
                predictor = left if pa <= pb and pa <= pc else up if pb <= pc else up_left
                line[x] = (line[x] + predictor) & 0xFF
        previous = line
        if channels == 3:
            line = bytearray(
                b"".join(bytes(line[i : i + 3]) + b"\xff" for i in range(0, stride, 3))
            )
        rows.append(bytes(line))
    return width, height, rows


def changed_share(before: bytes, after: bytes) -> float:
    """Share of pixels whose colour changed by more than a faint anti-aliasing difference."""
    w1, h1, rows1 = decode_png(before)
    w2, h2, rows2 = decode_png(after)
    assert (w1, h1) == (w2, h2), "the control changed size"
    changed = 0
    for row1, row2 in zip(rows1, rows2, strict=True):
        for x in range(0, len(row1), 4):
            if sum(abs(row1[x + c] - row2[x + c]) for c in range(3)) > 96:
                changed += 1
    return changed / (w1 * h1)


def assert_choosing_shows(page: Page, radio: Locator) -> None:
    expect(radio).not_to_be_checked()
    radio.scroll_into_view_if_needed()
    box = radio.bounding_box()
    assert box is not None
    assert min(box["width"], box["height"]) >= MIN_CONTROL_PX, f"radio is {box}"
    # The focus ring is no part of the checked look: compare without focus.
    before = radio.screenshot(animations="disabled")
    radio.check()
    page.locator("body").evaluate("body => document.activeElement && document.activeElement.blur()")
    expect(radio).to_be_checked()
    after = radio.screenshot(animations="disabled")
    share = changed_share(before, after)
    assert share >= MIN_CHANGED_SHARE, (
        f"choosing the radio changed {share:.0%} of its pixels; a chosen option must be visible"
    )


@pytest.fixture
def adviseur_page(browser: Browser, demo_server: DemoServer) -> Iterator[Page]:
    context: BrowserContext = logged_in_context(browser, demo_server, "adviseur.regio", 1366)
    try:
        yield context.new_page()
    finally:
        context.close()


def test_measure_page_radio_and_checkboxes(adviseur_page: Page) -> None:
    page = adviseur_page
    page.goto("/gm0556/veiligheidsbeeld/")
    hrefs = page.locator("main a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    measures = [
        h for h in hrefs if h and re.fullmatch(r"/gm0556/veiligheidsbeeld/[a-z]+:[^/]+/", h)
    ]
    assert measures, "the veiligheidsbeeld links to no measure"
    page.goto(measures[0])
    form = page.locator("main form.regie-filter")
    per_1000 = form.locator("input[type=radio][value=per1000]")
    if per_1000.count() == 0:
        pytest.skip("this measure has no per-1,000 view")
    assert_choosing_shows(page, per_1000)
    for checkbox in form.locator("input[type=checkbox]").all():
        box = checkbox.bounding_box()
        assert box is not None
        assert min(box["width"], box["height"]) >= MIN_CONTROL_PX, f"checkbox is {box}"


def test_scenario_calculator_radio(adviseur_page: Page) -> None:
    page = adviseur_page
    page.goto("/gm0482/beleid/")
    hrefs = page.locator("main a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    plan = next(h for h in hrefs if h and re.fullmatch(r"/gm0482/beleid/\d+/", h))
    page.goto(f"{plan}scenarios/")
    radios = page.locator("main .regie-scenario-radios input[type=radio]")
    expect(radios.first).to_be_visible()
    radio = next(r for r in radios.all() if not r.is_checked())
    assert_choosing_shows(page, radio)
