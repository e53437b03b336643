"""Issue 17's acceptance on the demo: the evaluation of Alblasserdam 2024 as PDF, Word and Excel
holds every status and value of its status momentopname (as ``regie plan status --snapshot``
prints it) and every action with its status; a sent report rebuilt after new figures arrive
shows the numbers of its snapshot; the PDF is tagged, in Dutch, and has a table for each chart.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from pathlib import Path
from typing import Any

import openpyxl
import pypdf
import pytest
from django.core.management import call_command
from django.utils import translation
from docx import Document as DocxDocument

from regie.core import formats
from regie.core.concurrency import edit_token
from regie.core.models import Organisation
from regie.demo import services as demo_services
from regie.monitor.tests import factories
from regie.policy import selectors as policy_selectors
from regie.policy.models import Indicator
from regie.programme.models import Action
from regie.reports import services
from regie.reports.models import Report, ReportKind
from tests.test_monitor_cli import demo_figures  # noqa: F401 - the module fixture

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(demo_figures: Any) -> None:  # noqa: F811 - the fixture imported above
    demo_services.load_plans()
    demo_services.load_programmes()


#: The demo's evaluations: Alblasserdam 2024 (the acceptance's own command; its indicators wait
#: for new figures) and Maassluis 2023 (most indicators judged on figures, so values are checked).
EVALUATIONS = [("GM0482", "2024"), ("GM0556", "2023")]


def _build(tmp_path: Path, fmt: str, code: str = "GM0482", year: str = "2024") -> Path:
    out = tmp_path / f"evaluatie-{code}.{fmt}"
    call_command(
        "report", "build", code, "--kind", "evaluatie", "--period", year,
        "--format", fmt, "--out", str(out),
    )  # fmt: skip
    return out


def _report(code: str, year: str) -> Report:
    return Report.objects.get(organisation__cbs_code=code, kind="evaluatie", period=year)


def _snapshot_statuses(report: Report) -> dict[str, Any]:
    assert report.status_snapshot is not None
    out = io.StringIO()
    code = report.organisation.cbs_code
    call_command(
        "plan", "status", code, "--snapshot", report.status_snapshot.label, "--json", stdout=out
    )
    data: dict[str, Any] = json.loads(out.getvalue())
    return data


def _indicators(node: dict[str, Any]) -> list[dict[str, Any]]:
    found = list(node.get("indicators", []))
    for child in node.get("priorities", []) + node.get("children", []):
        found += _indicators(child)
    return found


def _expected(report: Report) -> tuple[list[str], list[tuple[str, str]]]:
    """Every status label and shown value of the momentopname, and every action with its status."""
    payload = _snapshot_statuses(report)
    texts: list[str] = []
    indicators = _indicators(payload)
    assert indicators, "the demo plans have indicators"
    with translation.override("nl"):
        for item in indicators:
            texts.append(item["label"])
            if item["measurement"] is not None:
                indicator = Indicator.objects.get(
                    goal__theme__priority__plan=report.plan, key=item["indicator"]
                )
                value = item["measurement"]["value"]
                texts.append(policy_selectors.shown_value(indicator, value))
        actions = [
            (a.title, str(a.get_status_display()))
            for a in Action.objects.filter(programme=report.programme)
        ]
    assert actions, "the demo programmes have actions"
    return texts, actions


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def test_the_evaluation_pdf_holds_every_status_value_and_action(demo: None, tmp_path: Path) -> None:
    path = _build(tmp_path, "pdf")
    report = Report.objects.get(organisation__slug="gm0482", kind="evaluatie", period="2024")
    texts, actions = _expected(report)
    reader = pypdf.PdfReader(path)
    text = _flat(" ".join(page.extract_text() for page in reader.pages))
    for expected in texts:
        assert expected in text
    for title, status in actions:
        assert title in text
        assert status in text
    # tagged, in Dutch, titled (PDF/UA-oriented), and a table behind every chart
    root = reader.trailer["/Root"]
    assert str(root["/Lang"]).startswith("nl")
    assert root["/MarkInfo"]["/Marked"]
    assert "/StructTreeRoot" in root
    assert root["/ViewerPreferences"]["/DisplayDocTitle"]
    assert reader.metadata is not None
    assert reader.metadata.title == report.title
    assert report.snapshot is not None
    for item in report.snapshot["indicators"]:
        if item.get("chart"):
            assert _flat(item["chart"]["title"]) in text


@pytest.mark.parametrize(("code", "year"), EVALUATIONS)
def test_word_and_excel_hold_the_same_numbers(
    demo: None, tmp_path: Path, code: str, year: str
) -> None:
    docx_path = _build(tmp_path, "docx", code, year)
    xlsx_path = _build(tmp_path, "xlsx", code, year)
    report = _report(code, year)
    texts, actions = _expected(report)
    document = DocxDocument(str(docx_path))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts += [cell.text for cell in row.cells]
    docx_text = _flat(" ".join(parts))
    for expected in texts:
        assert expected in docx_text
    for title, status in actions:
        assert title in docx_text
        assert status in docx_text
    assert any(
        p.style is not None and p.style.name.startswith("Heading") for p in document.paragraphs
    )

    book = openpyxl.load_workbook(xlsx_path)
    cells = [cell.value for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]
    strings = {str(v) for v in cells if isinstance(v, str)}
    numbers = [float(v) for v in cells if isinstance(v, int | float) and not isinstance(v, bool)]
    payload = _snapshot_statuses(report)
    for item in _indicators(payload):
        assert item["label"] in strings
        if item["measurement"] is not None:
            indicator = Indicator.objects.get(
                goal__theme__priority__plan=report.plan, key=item["indicator"]
            )
            shown = float(formats.half_up(item["measurement"]["value"], indicator.decimals))
            assert any(abs(n - shown) < 1e-9 for n in numbers)  # a number, not text
    for title, status in actions:
        assert title in strings
        assert status in strings


def test_a_sent_report_rebuilt_after_new_figures_shows_its_snapshot(
    demo: None, tmp_path: Path
) -> None:
    _build(tmp_path, "pdf")
    report = Report.objects.get(organisation__slug="gm0482", kind="evaluatie", period="2024")
    report = services.mark_sent(report, version=edit_token(report), sent_on=dt.date(2025, 3, 1))
    assert report.snapshot is not None
    before = json.dumps(report.snapshot, sort_keys=True)
    first = services.build_now(report, "xlsx")
    # new figures arrive for every indicator's measure and area, for a later year
    indicators = Indicator.objects.filter(goal__theme__priority__plan=report.plan).select_related(
        "measure", "area"
    )
    later = [(i.area.code, i.measure.code, "2025", 999_999) for i in indicators]
    factories.load(*[row for row in later if not row[1].startswith("derived:")], table="LATER")
    fresh = Report.objects.get(pk=report.pk)
    assert json.dumps(fresh.snapshot, sort_keys=True) == before
    again = services.build_now(fresh, "xlsx")
    assert again.sent
    book = openpyxl.load_workbook(io.BytesIO(bytes(again.content)))
    values = [c.value for s in book.worksheets for r in s.iter_rows() for c in r]
    assert 999_999 not in values
    first_book = openpyxl.load_workbook(io.BytesIO(bytes(first.content)))
    first_values = [c.value for s in first_book.worksheets for r in s.iter_rows() for c in r]
    assert [v for v in values if isinstance(v, int | float)] == [
        v for v in first_values if isinstance(v, int | float)
    ]
    with pytest.raises(services.ReportFrozen):
        services.lock(fresh, version=edit_token(fresh))


def test_effort_and_effect_are_never_one_status(demo: None) -> None:
    report = services.create_report(
        organisation=Organisation.objects.get(slug="gm0556"),
        kind=ReportKind.EVALUATIE,
        period="2023",
    )
    report = services.lock(report, version=edit_token(report))
    assert report.snapshot is not None
    for goal in report.snapshot["goals"]:
        effect = goal["effect"]
        assert set(effect) >= {"status", "label"}
        if "effort" in goal:
            assert goal["effort"]["effort"] not in {"achieved", "not_achieved", "at_risk"}
            assert "status" not in goal["effort"]
        assert "effort" not in effect


def test_a_briefing_compares_whole_months_with_the_same_months_a_year_before(demo: None) -> None:
    """February 2025 against December 2023 – February 2024: across New Year, counts only."""
    organisation = Organisation.objects.get(slug="gm0482")
    report = services.create_report(
        organisation=organisation, kind=ReportKind.BRIEFING, period="2025-02"
    )
    report = services.lock(report, version=edit_token(report))
    assert report.snapshot is not None
    rows = {row["measure"]: row for row in report.snapshot["briefing"]["months"]}
    row = rows["local:mik_poging_woninginbraak"]
    assert row["months"] == ["2024M12", "2025M01", "2025M02"]
    assert row["months_before"] == ["2023M12", "2024M01", "2024M02"]
    assert (row["now"], row["before"]) == (1.0, 2.0)  # the demo's monthly counts, summed
    assert report.snapshot["briefing"]["changed"]["previous"] is None  # the first briefing
    later = services.create_report(
        organisation=organisation, kind=ReportKind.BRIEFING, period="2025-03"
    )
    later = services.lock(later, version=edit_token(later))
    assert later.snapshot is not None
    assert later.snapshot["briefing"]["changed"]["previous"] == "2025-02"
