"""Chart downloads (exports.py): CSV, XLSX, SVG, PNG and the download response."""

from __future__ import annotations

import csv
import io

import altair as alt
import pytest
from django.http import Http404
from django.utils import translation
from openpyxl import load_workbook

from regie.core import charts, exports
from regie.core.charts import Chart, ChartTable, Column


@pytest.fixture(autouse=True)
def dutch():
    with translation.override("nl"):
        yield


def table() -> ChartTable:
    return ChartTable(
        key="misdrijven-per-jaar",
        title="Geregistreerde misdrijven, Maassluis",
        columns=[
            Column("year", "Jaar", "period"),
            Column("area", "Gebied", "text"),
            Column("count", "Aantal misdrijven", "integer"),
            Column("rate", "Per 1.000 inwoners", "number", decimals=1),
            Column("solved", "Opgehelderd", "percent", decimals=1),
        ],
        rows=[
            {"year": 2022, "area": "Maassluis", "count": 1245, "rate": 36.5, "solved": 24.6},
            {"year": 2023, "area": "=HYPERLINK(1)", "count": None, "rate": None, "solved": 0.125},
            {"year": 2024, "area": "Zuid; west", "count": 0, "rate": 1234.25, "solved": None},
        ],
        sources=["CBS 83648NED, import 23 november 2026, voorlopig", "Politie, 47022NED"],
        note="2023 nog niet gepubliceerd.",
    )


def chart(spec: bool = True) -> Chart:
    t = table()
    return Chart(t, charts.bar_by_year(t, x="year", y="rate") if spec else None)


def test_csv_round_trip() -> None:
    data = exports.to_csv(table())
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0] == ["Jaar", "Gebied", "Aantal misdrijven", "Per 1.000 inwoners", "Opgehelderd"]
    assert rows[1] == ["2022", "Maassluis", "1245", "36,5", "24,6"]
    assert rows[2] == ["2023", "'=HYPERLINK(1)", "", "", "0,1"]  # no formula, None is empty
    assert rows[3] == ["2024", "Zuid; west", "0", "1234,3", ""]  # quoted separator, no grouping
    assert len(rows) == 4  # nothing after the rows
    assert text.endswith("\r\n")


def test_csv_without_decimals_keeps_the_value() -> None:
    t = ChartTable("t", "T", [Column("v", "Waarde", "number")], [{"v": 0.1 + 0.2}, {"v": 3}])
    rows = list(csv.reader(io.StringIO(exports.to_csv(t).decode("utf-8-sig")), delimiter=";"))
    assert rows[1:] == [["0,3"], ["3"]]


def test_xlsx_round_trip() -> None:
    workbook = load_workbook(io.BytesIO(exports.to_xlsx(table())))
    assert workbook.properties.title == "Geregistreerde misdrijven, Maassluis"
    sheet, source = workbook.worksheets
    assert [c.value for c in sheet[1]] == [
        "Jaar",
        "Gebied",
        "Aantal misdrijven",
        "Per 1.000 inwoners",
        "Opgehelderd",
    ]
    assert all(c.font.bold for c in sheet[1])
    values = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    assert values == [
        [2022, "Maassluis", 1245, 36.5, 24.6],
        [2023, "=HYPERLINK(1)", None, None, 0.125],
        [2024, "Zuid; west", 0, 1234.25, None],
    ]
    assert sheet["B3"].data_type == "s"  # text, not a formula
    assert sheet["C2"].data_type == "n"
    assert sheet["C2"].number_format == "#,##0"
    assert sheet["D2"].number_format == "#,##0.0"
    assert sheet["E2"].number_format == '#,##0.0" %"'
    assert sheet["A2"].number_format == "0"  # a year without a thousands separator
    lines = [[c.value for c in row] for row in source.iter_rows()]
    texts = [line[1] for line in lines]
    assert texts[0] == "Geregistreerde misdrijven, Maassluis"
    assert "2023 nog niet gepubliceerd." in texts
    assert "CBS 83648NED, import 23 november 2026, voorlopig" in texts
    assert "Politie, 47022NED" in texts


def test_svg_has_dutch_numbers() -> None:
    data = alt.InlineData(values=[{"label": "a", "v": 36.5}, {"label": "b", "v": 1245.25}])
    base = alt.Chart(data).encode(y=alt.Y("label:N"), x=alt.X("v:Q"))
    spec = (
        base.mark_bar() + base.mark_text(align="left").encode(text=alt.Text("v:Q", format=",.1f"))
    ).to_dict()
    svg = exports.to_svg(spec)
    assert svg.startswith("<svg")
    assert ">36,5<" in svg
    assert ">1.245,3<" in svg  # half up, as round_half_up does for the table and the CSV


def test_svg_of_a_container_width_spec_gets_a_fixed_width() -> None:
    spec = chart().spec
    assert spec is not None
    assert spec["width"] == "container"
    svg = exports.to_svg(spec)
    assert spec["width"] == "container"  # the caller's spec is not changed
    width = int(svg.split('width="', 1)[1].split('"', 1)[0])
    assert exports.IMAGE_WIDTH - 10 <= width <= exports.IMAGE_WIDTH + 10


def test_png_signature() -> None:
    png = exports.to_png(chart().spec, scale=1)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")


@pytest.mark.parametrize(
    ("fmt", "content_type", "magic"),
    [
        ("csv", "text/csv; charset=utf-8", b"\xef\xbb\xbf"),
        ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", b"PK"),
        ("png", "image/png", b"\x89PNG"),
        ("svg", "image/svg+xml", b"<svg"),
    ],
)
def test_download_response(fmt, content_type, magic) -> None:
    response = exports.download_response(chart(), fmt, filename_stem="Maassluis – veiligheidsbeeld")
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"] == (
        f'attachment; filename="maassluis-veiligheidsbeeld-misdrijven-per-jaar.{fmt}"'
    )
    assert response.content.startswith(magic)


def test_downloaded_images_carry_title_and_sources() -> None:
    svg = exports.download_response(chart(), "svg", filename_stem="x").content.decode()
    assert "Geregistreerde misdrijven, Maassluis" in svg
    assert "CBS 83648NED, import 23 november 2026, voorlopig" in svg


def test_download_response_filename_is_ascii_safe() -> None:
    response = exports.download_response(chart(), "csv", filename_stem='é"\r\n/../')
    disposition = response["Content-Disposition"]
    assert disposition.isascii()
    assert disposition == 'attachment; filename="e-misdrijven-per-jaar.csv"'
    empty = exports.download_response(chart(), "csv", filename_stem="€")
    assert empty["Content-Disposition"] == 'attachment; filename="chart-misdrijven-per-jaar.csv"'


def test_download_response_404s() -> None:
    with pytest.raises(Http404):
        exports.download_response(chart(), "pdf", filename_stem="x")
    for fmt in ("png", "svg"):
        with pytest.raises(Http404):
            exports.download_response(chart(spec=False), fmt, filename_stem="x")
    assert exports.download_response(chart(spec=False), "csv", filename_stem="x").status_code == 200
