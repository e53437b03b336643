"""The report renderers (regie.reports.render): HTML, PDF (tagged, PDF/UA-1), Word and Excel
read back, with Dutch numbers, escaped user text, a table behind every chart and sources."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.utils import translation
from django.utils.translation import gettext as _

from regie.core.charts import Chart, ChartTable, Column, bar_by_year
from regie.reports.document import Document, Figure, Heading, Paragraph, Table
from regie.reports.render import (
    CONTENT_TYPES,
    RENDERERS,
    render_docx,
    render_html,
    render_pdf,
    render_xlsx,
)
from regie.reports.render.cells import cell_text, number_format
from regie.reports.render.pdf import RefusedURL, check_url, url_fetcher
from regie.reports.render.svg import safe_svg
from regie.reports.render.xlsx import sheet_name

USER_TEXT = 'Zie <script>alert("x")</script> en =1+1 <img src="http://example.invalid/p.png">'
CHART_DESCRIPTION = "Staafdiagram van de woninginbraken per jaar, 2022 tot en met 2024."


def figures_table() -> ChartTable:
    return ChartTable(
        key="inbraken",
        title="Woninginbraken per jaar",
        columns=[
            Column("year", "Jaar", "period"),
            Column("count", "Aantal", "integer"),
            Column("rate", "Per 1.000 woningen", "number", decimals=1),
            Column("share", "Opgehelderd", "percent", decimals=1),
        ],
        rows=[
            {"year": 2022, "count": 1234, "rate": 1234.5, "share": 24.55},
            {"year": 2023, "count": None, "rate": 36.55, "share": None},
            {"year": 2024, "count": -5, "rate": 0.25, "share": 100},
        ],
        sources=["CBS 83648NED, import 23 november 2026, voorlopig", "Politie, 47022NED"],
        note="2024 is voorlopig.",
    )


def actions_table() -> ChartTable:
    return ChartTable(
        key="acties",
        title="Acties: status / budget [2024]",
        columns=[
            Column("action", "Actie", "text"),
            Column("status", "Status", "text"),
            Column("budget", "Budget (€)", "number", decimals=2),
        ],
        rows=[
            {"action": "=1+1", "status": "loopt", "budget": 12000.5},
            {"action": "<b>Buurtpreventie</b>", "status": "gereed", "budget": None},
        ],
        sources=["Uitvoeringsprogramma 2024, vastgesteld 12-03-2024"],
    )


def build_document() -> Document:
    table = figures_table()
    spec = bar_by_year(table, x="year", y="count")
    doc = Document(
        title="Evaluatie integrale veiligheid 2024",
        subtitle="Gemeente Alblasserdam · Evaluatie 2024",
        organisation="Gemeente Alblasserdam",
        kind="evaluatie",
        period="2024",
        colophon=[("Momentopname", "06-12-2026 14:05"), ("Stand van de cijfers", "CBS 2024")],
    )
    doc.add(
        Heading("Inleiding", 2),
        Paragraph(USER_TEXT),
        Heading("Woninginbraak", 3),
        Figure(Chart(table, spec, CHART_DESCRIPTION)),
        Heading("Uitvoering", 2),
        Table(actions_table()),
    )
    return doc


EXPECTED_NUMBERS = ["1.234", "1.234,5", "24,6 %", "36,6", "\u22125", "0,3", "100,0 %", "12.000,50"]


@pytest.fixture(autouse=True)
def dutch():
    with translation.override("nl"):
        yield


@pytest.fixture(scope="module")
def rendered() -> dict[str, Any]:
    """Every format of the same document, rendered once for the module (Dutch active)."""
    with translation.override("nl"):
        doc = build_document()
        steps: list[tuple[int, str]] = []
        return {
            "doc": doc,
            "fragment": render_html(doc),
            "standalone": render_html(doc, standalone=True),
            "pdf": render_pdf(doc, progress=lambda percent, text: steps.append((percent, text))),
            "pdf_steps": steps,
            "docx": render_docx(doc),
            "xlsx": render_xlsx(doc),
        }


# --- cells -----------------------------------------------------------------------------------


def test_cells_are_dutch_half_up_and_dash_for_missing():
    number = Column("n", "N", "number", decimals=1)
    assert cell_text(36.55, number) == "36,6"
    assert cell_text(1234.5, number) == "1.234,5"
    assert cell_text(None, number) == "–"
    assert cell_text(float("nan"), number) == "–"
    assert cell_text(-5, Column("i", "I", "integer")) == "\u22125"
    assert cell_text(24.55, Column("p", "P", "percent", decimals=1)) == "24,6 %"
    assert cell_text(2024, Column("y", "Jaar", "period")) == "2024"
    assert cell_text(0.125, Column("x", "X", "number")) == "0,125"
    assert cell_text(True, Column("b", "B", "text")) == _("yes")
    assert number_format(1.5, Column("n", "N", "number", decimals=2)) == "#,##0.00"
    assert number_format(3, Column("p", "P", "percent", decimals=1)) == '#,##0.0" %"'
    assert number_format(2024, Column("y", "Jaar", "period")) == "0"


# --- HTML ------------------------------------------------------------------------------------


def test_html_fragment_escapes_user_text(rendered):
    html = rendered["fragment"]
    assert "<script" not in html
    assert "&lt;script&gt;" in html
    assert "<img" not in html
    assert "&lt;b&gt;Buurtpreventie&lt;/b&gt;" in html
    assert html.lstrip().startswith("<article")
    assert "<h2" in html
    assert "<h3" in html
    assert 'role="img"' in html
    assert f'aria-label="{CHART_DESCRIPTION}"' in html


def test_html_every_figure_is_followed_by_its_table(rendered):
    html = rendered["fragment"]
    figures = list(re.finditer(r"<figure\b.*?</figure>", html, re.S))
    assert len(figures) == 1
    for figure in figures:
        after = html[figure.end() :].lstrip()
        assert after.startswith('<div class="regie-table-wrap')
        table = after[: after.index("</table>")]
        assert "Woninginbraken per jaar" in table
        assert '<th class="utrecht-table__header-cell" scope="col">Jaar</th>' in table
        assert "1.234,5" in table
        assert _("Source: %(source)s") % {"source": "Politie, 47022NED"} in figure[0]
    assert html.count("<table") == 2
    assert html.count('scope="col"') == 4 + 3


def test_html_standalone_is_a_full_document(rendered):
    html = rendered["standalone"]
    assert html.startswith("<!DOCTYPE html>")
    assert '<html lang="nl">' in html
    assert "<title>Evaluatie integrale veiligheid 2024</title>" in html
    assert "counter(pages)" in html
    assert render_html(rendered["doc"], standalone=True) == html  # deterministic


def test_svg_is_cleaned_and_ids_prefixed():
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
        "<script>alert(1)</script><style>@import url(http://x/)</style>"
        '<defs><clipPath id="c1"><rect width="5" height="5"/></clipPath></defs>'
        '<a xlink:href="http://example.invalid/"><text>link</text></a>'
        '<image href="file:///etc/passwd"/><foreignObject><p>x</p></foreignObject>'
        '<g clip-path="url(#c1)" onclick="steal()"><text>a &lt; b</text></g>'
        '<rect fill="url(http://example.invalid/#x)"/></svg>'
    )
    cleaned = safe_svg(svg, label='Label "met" <tekens>', prefix="fig-1")
    forbidden_parts = (
        "<script",
        "<style",
        "<a",
        "<image",
        "foreignObject",
        "onclick",
        "example",
        "file:",
    )
    for forbidden in forbidden_parts:
        assert forbidden not in cleaned
    assert 'id="fig-1-c1"' in cleaned
    assert 'clip-path="url(#fig-1-c1)"' in cleaned
    assert "<text>a &lt; b</text>" in cleaned
    assert '<title>Label "met" &lt;tekens&gt;</title>' in cleaned
    assert 'aria-label="Label &quot;met&quot; &lt;tekens&gt;"' in cleaned


def test_chart_labels_cannot_break_out_of_the_svg():
    table = ChartTable(
        key="x",
        title="</svg><script>alert(1)</script>",
        columns=[Column("year", "Jaar", "period"), Column("n", "</svg><script>", "integer")],
        rows=[{"year": 2023, "n": 1}, {"year": 2024, "n": 2}],
    )
    doc = Document("T", "S", "O", "evaluatie", "2024")
    doc.add(Figure(Chart(table, bar_by_year(table, x="year", y="n"))))
    html = render_html(doc)
    assert "<script" not in html
    assert html.count("</svg>") == 1


# --- PDF -------------------------------------------------------------------------------------


def _struct_elements(node: Any, found: list[dict[str, Any]]) -> None:
    node = node.get_object() if hasattr(node, "get_object") else node
    if isinstance(node, list):
        for kid in node:
            _struct_elements(kid, found)
        return
    if not isinstance(node, dict):
        return
    if "/S" in node:
        found.append(node)
    if "/K" in node:
        _struct_elements(node["/K"], found)


def _pdf(rendered: dict[str, Any]) -> tuple[Any, str]:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(rendered["pdf"]))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return reader, text


def test_pdf_text_holds_headings_numbers_sources_and_tables(rendered):
    _reader, text = _pdf(rendered)
    flat = " ".join(text.split())
    for expected in ["Evaluatie integrale veiligheid 2024", "Inleiding", "Woninginbraak"]:
        assert expected in flat
    for number in EXPECTED_NUMBERS:
        assert number in flat, number
    assert "Bron: CBS 83648NED, import 23 november 2026, voorlopig" in flat
    assert "Bron: Uitvoeringsprogramma 2024" in flat
    assert "Woninginbraken per jaar" in flat
    assert "Acties: status / budget [2024]" in flat
    assert '<script>alert("x")</script>' in flat  # the user's text, printed literally
    assert "Momentopname" in flat
    assert "06-12-2026 14:05" in flat


def test_pdf_is_tagged_in_dutch_with_its_title(rendered):
    reader, _text = _pdf(rendered)
    root = reader.trailer["/Root"]
    assert str(root["/MarkInfo"]["/Marked"]).lower() == "true"
    assert "/StructTreeRoot" in root
    assert str(root["/Lang"]).startswith("nl")
    display = root["/ViewerPreferences"]["/DisplayDocTitle"]
    assert str(display).lower() == "true"
    assert reader.metadata.title == "Evaluatie integrale veiligheid 2024"
    elements: list[dict[str, Any]] = []
    _struct_elements(root["/StructTreeRoot"], elements)
    kinds = [str(element["/S"]) for element in elements]
    assert "/H1" in kinds
    assert "/H2" in kinds
    assert "/H3" in kinds
    assert kinds.count("/Table") == 2
    assert "/TH" in kinds
    assert "/TD" in kinds
    assert "/Caption" in kinds
    figures = [element for element in elements if element["/S"] == "/Figure"]
    assert len(figures) == 1
    assert [str(figure["/Alt"]) for figure in figures] == [CHART_DESCRIPTION]


def test_pdf_progress_goes_up_to_100(rendered):
    steps = rendered["pdf_steps"]
    percents = [percent for percent, _text in steps]
    assert percents == sorted(percents)
    assert percents[0] == 0
    assert percents[-1] == 100
    assert all(isinstance(text, str) and text for _percent, text in steps)


def test_url_fetcher_refuses_everything_but_data_uris(tmp_path):
    for url in [
        "http://example.invalid/x.png",
        "https://example.invalid/x.css",
        "file:///etc/passwd",
        "ftp://example.invalid/x",
        "//example.invalid/x",
        "/etc/passwd",
    ]:
        with pytest.raises(RefusedURL):
            check_url(url)
    fetcher = url_fetcher()
    assert fetcher("data:text/plain,hallo").read() == b"hallo"
    image = tmp_path / "pixel.png"
    image.write_bytes(_png())
    with pytest.raises(RefusedURL):
        fetcher(image.as_uri())
    with pytest.raises(RefusedURL):
        fetcher("http://example.invalid/x.png")


def _png() -> bytes:
    import base64

    return base64.b64decode(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg=="
    )


def _has_image(pdf: bytes) -> bool:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    for page in reader.pages:
        resources = page.get("/Resources") or {}
        xobjects = resources.get("/XObject") or {}
        if any(xobjects[name].get_object().get("/Subtype") == "/Image" for name in xobjects):
            return True
    return False


def test_pdf_never_fetches_a_file_or_url(tmp_path):
    import weasyprint

    image = tmp_path / "pixel.png"
    image.write_bytes(_png())
    html = f'<html lang="nl"><body><p>x</p><img src="{image.as_uri()}" alt="x"></body></html>'
    assert _has_image(weasyprint.HTML(string=html).write_pdf())  # the test can see an image
    assert not _has_image(weasyprint.HTML(string=html, url_fetcher=url_fetcher()).write_pdf())
    # and user text never becomes markup in the first place
    doc = Document("T", "", "", "briefing", "2024")
    doc.add(Paragraph(f'<img src="{image.as_uri()}" alt="x">'))
    assert not _has_image(render_pdf(doc))


# --- Word ------------------------------------------------------------------------------------


def _word(rendered: dict[str, Any]) -> Any:
    import docx

    return docx.Document(io.BytesIO(rendered["docx"]))


def test_docx_headings_captions_and_properties(rendered):
    word = _word(rendered)
    styles = {paragraph.text: paragraph.style.name for paragraph in word.paragraphs}
    assert styles["Evaluatie integrale veiligheid 2024"] == "Title"
    assert styles["Inleiding"] == "Heading 1"
    assert styles["Woninginbraak"] == "Heading 2"
    assert styles[USER_TEXT] == "Normal"  # escaped text kept literally, editable
    figure = _("Figure %(number)s. %(title)s") % {"number": 1, "title": "Woninginbraken per jaar"}
    table = _("Table %(number)s. %(title)s") % {
        "number": 2,
        "title": "Acties: status / budget [2024]",
    }
    assert styles[figure] == "Caption"
    assert styles[table] == "Caption"
    assert "Bron: Politie, 47022NED" in styles
    assert word.core_properties.title == "Evaluatie integrale veiligheid 2024"
    assert word.core_properties.language == "nl-NL"


def test_docx_tables_hold_dutch_numbers_and_one_image_per_chart(rendered):
    word = _word(rendered)
    assert len(word.inline_shapes) == 1
    assert word.inline_shapes[0]._inline.docPr.get("descr") == CHART_DESCRIPTION
    assert len(word.tables) == 2
    figures, actions = word.tables
    rows = [[cell.text for cell in row.cells] for row in figures.rows]
    assert rows == [
        ["Jaar", "Aantal", "Per 1.000 woningen", "Opgehelderd"],
        ["2022", "1.234", "1.234,5", "24,6 %"],
        ["2023", "–", "36,6", "–"],
        ["2024", "\u22125", "0,3", "100,0 %"],
    ]
    assert [cell.text for cell in actions.rows[1].cells] == ["=1+1", "loopt", "12.000,50"]
    assert actions.rows[2].cells[0].text == "<b>Buurtpreventie</b>"
    assert 'w:tblHeader w:val="true"' in actions._tbl.xml or "w:tblHeader" in actions._tbl.xml
    assert figures.style.name == "Table Grid"


# --- Excel -----------------------------------------------------------------------------------


def _workbook(rendered: dict[str, Any]) -> Any:
    from openpyxl import load_workbook

    return load_workbook(io.BytesIO(rendered["xlsx"]))


def test_xlsx_sheets_are_valid_and_unique(rendered):
    workbook = _workbook(rendered)
    names = workbook.sheetnames
    assert names[0] == _("Contents")
    assert names[-1] == _("Sources")
    assert len(names) == 2 + len(rendered["doc"].tables())
    assert len({name.lower() for name in names}) == len(names)
    for name in names:
        assert 0 < len(name) <= 31
        assert not re.search(r"[\[\]:*?/\\]", name)
    assert names[2] == "2 Acties status budget 2024"
    contents = [cell.value for row in workbook[names[0]].iter_rows() for cell in row if cell.value]
    assert "Evaluatie integrale veiligheid 2024" in contents
    assert "Momentopname" in contents
    assert names[1] in contents
    assert names[2] in contents


def test_xlsx_numbers_are_numbers_with_formats(rendered):
    workbook = _workbook(rendered)
    sheet = workbook[workbook.sheetnames[1]]
    assert [cell.value for cell in sheet[1]] == [
        "Jaar",
        "Aantal",
        "Per 1.000 woningen",
        "Opgehelderd",
    ]
    assert sheet.freeze_panes == "A2"
    assert sheet["A1"].font.bold
    year, count, rate, share = sheet[2]
    assert year.value == 2022
    assert year.number_format == "0"
    assert count.value == 1234
    assert count.data_type == "n"
    assert count.number_format == "#,##0"
    assert rate.value == 1234.5
    assert rate.number_format == "#,##0.0"
    assert share.value == 24.55
    assert share.number_format == '#,##0.0" %"'
    assert sheet["B3"].value is None
    assert sheet["D3"].value is None
    assert sheet["B4"].value == -5


def test_xlsx_text_is_never_a_formula(rendered):
    workbook = _workbook(rendered)
    sheet = workbook[workbook.sheetnames[2]]
    assert sheet["A2"].value == "=1+1"
    assert sheet["A2"].data_type == "s"
    assert sheet["C2"].value == 12000.5
    assert sheet["C2"].number_format == "#,##0.00"
    with zipfile.ZipFile(io.BytesIO(rendered["xlsx"])) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert "<f>" not in archive.read(name).decode()


def test_xlsx_sources_sheet_lists_every_source(rendered):
    workbook = _workbook(rendered)
    values = [
        cell.value for row in workbook[_("Sources")].iter_rows() for cell in row if cell.value
    ]
    doc = rendered["doc"]
    for table in doc.tables():
        assert table.title in values
        for line in table.sources:
            assert line in values
    assert "2024 is voorlopig." in values
    assert "06-12-2026 14:05" in values


def test_xlsx_is_deterministic_in_its_values(rendered):
    from openpyxl import load_workbook

    again = load_workbook(io.BytesIO(render_xlsx(rendered["doc"])))
    first = _workbook(rendered)
    for name in first.sheetnames:
        assert [[c.value for c in r] for r in first[name].iter_rows()] == [
            [c.value for c in r] for r in again[name].iter_rows()
        ]


def test_sheet_names_are_cut_cleaned_and_deduplicated():
    taken: set[str] = set()
    long = "Een heel lange titel: met [haken] en * sterren / streep"
    first = sheet_name(long, taken)
    second = sheet_name(long, taken)
    assert len(first) <= 31
    assert len(second) <= 31
    assert first != second
    assert second.endswith("(2)")
    assert sheet_name("History", set()) != "History"
    assert sheet_name("'quote'", set()) == "quote"


# --- shared ----------------------------------------------------------------------------------


def test_renderers_map_and_empty_document():
    assert set(RENDERERS) == set(CONTENT_TYPES) == {"pdf", "docx", "xlsx"}
    doc = Document("Leeg", "", "", "briefing", "2024H1")
    empty = ChartTable("leeg", "Geen cijfers", [Column("a", "A", "text")], [])
    doc.add(Table(empty), Figure(Chart(empty, None)))
    assert _("No figures published.") in render_html(doc)
    assert render_docx(doc).startswith(b"PK")
    assert render_xlsx(doc).startswith(b"PK")
    assert render_pdf(doc).startswith(b"%PDF")


def test_templates_exist():
    templates = Path(__file__).resolve().parents[1] / "templates" / "reports"
    assert (templates / "document.html").is_file()
    assert (templates / "_document.html").is_file()


def test_fragment_headings_can_sit_under_a_page_section():
    doc = build_document()
    doc.blocks = [block for block in doc.blocks if not isinstance(block, Figure)]
    html = render_html(doc, heading_offset=2)
    assert '<h3 class="utrecht-heading-3 regie-report__title"' in html
    assert ">Inleiding</h4>" in html
    assert ">Woninginbraak</h5>" in html
    assert "<h1" not in html
    assert "<h2" not in html


def test_many_charts_keep_their_order_in_every_format():
    doc = Document("Volgorde", "", "", "evaluatie", "2024")
    for number in range(1, 5):
        table = ChartTable(
            key=f"t{number}",
            title=f"Tabel nummer {number}",
            columns=[Column("year", "Jaar", "period"), Column("n", "Aantal", "integer")],
            rows=[{"year": 2023, "n": number}, {"year": 2024, "n": number * 10}],
        )
        spec = bar_by_year(table, x="year", y="n")
        doc.add(Figure(Chart(table, spec, f"Grafiek nummer {number}")))
    html = render_html(doc)
    labels = re.findall(r'aria-label="(Grafiek nummer \d)"', html)
    assert labels == [f"Grafiek nummer {number}" for number in range(1, 5)]
    import docx

    word = docx.Document(io.BytesIO(render_docx(doc)))
    descriptions = [shape._inline.docPr.get("descr") for shape in word.inline_shapes]
    assert descriptions == labels
    assert [table.rows[1].cells[1].text for table in word.tables] == ["1", "2", "3", "4"]
