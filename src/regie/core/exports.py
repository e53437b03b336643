"""Downloads of one chart: its table as CSV/XLSX, its spec rendered to SVG/PNG with vl-convert.

CSV follows what Dutch Excel opens without an import wizard: UTF-8 with BOM, ``;`` between fields,
decimal comma, no thousands separator. XLSX holds real numbers with a display format per column.
Images are rendered with the Dutch d3 number and time locales, with the title and the sources
drawn into the image (a downloaded picture travels without the page around it).
"""

from __future__ import annotations

import copy
import csv
import functools
import io
import json
from typing import Any, Final

from django.http import Http404, HttpResponse
from django.utils.text import slugify
from django.utils.translation import gettext as _

from regie.core.charts import Chart, ChartTable, Column, round_half_up
from regie.core.formats import decimal_text

LOCALE: Final = "nl-NL"
#: Width used for ``width: "container"`` specs when there is no container (server rendering).
IMAGE_WIDTH: Final = 760
#: Drawings kept per process (a report of 50 indicators draws 50; a PNG is about 40 KB).
DRAWINGS_KEPT: Final = 256

CONTENT_TYPES: Final = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "png": "image/png",
    "svg": "image/svg+xml",
}
_FORMULA_START: Final = ("=", "+", "-", "@", "\t", "\r")


def _safe_text(text: str) -> str:
    """Text a spreadsheet will not run as a formula (CSV injection)."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def _csv_number(value: float | int, column: Column) -> str:
    if isinstance(value, int):
        return str(value)
    if column.decimals is not None:
        text = f"{round_half_up(value, column.decimals):f}"
    else:
        text = f"{value:.15g}"
        if "e" in text:
            text = f"{value:f}"
    return decimal_text(text)


def _csv_cell(value: Any, column: Column) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, int | float):
        return _csv_number(value, column)
    return _safe_text(str(value))


def to_csv(table: ChartTable) -> bytes:
    """The table as CSV: header = column labels, then the rows, nothing else."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([_safe_text(column.label) for column in table.columns])
    for row in table.rows:
        writer.writerow([_csv_cell(row.get(column.key), column) for column in table.columns])
    return buffer.getvalue().encode("utf-8-sig")


def _number_format(column: Column, value: Any) -> str | None:
    if column.kind == "period" and isinstance(value, int):
        return "0"
    if not column.is_numeric:
        return None
    if column.kind == "integer" or column.decimals == 0:
        base = "#,##0"
    elif column.decimals is not None:
        base = "#,##0." + "0" * column.decimals
    else:
        base = "#,##0.###"
    return base + '" %"' if column.kind == "percent" else base


def to_xlsx(table: ChartTable) -> bytes:
    """Sheet 1: the table with numeric cells; sheet 2 ("Source"): title, note and sources."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import TYPE_STRING
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    workbook.properties.title = table.title
    sheet = workbook.active
    sheet.title = _sheet_title(_("Table"))
    bold = Font(bold=True)
    for index, column in enumerate(table.columns, start=1):
        cell = sheet.cell(row=1, column=index, value=column.label)
        cell.data_type = TYPE_STRING
        cell.font = bold
        width = max(10, min(60, len(column.label) + 2))
        sheet.column_dimensions[get_column_letter(index)].width = width
    for row_index, row in enumerate(table.rows, start=2):
        for index, column in enumerate(table.columns, start=1):
            value = row.get(column.key)
            if isinstance(value, bool):
                value = _("yes") if value else _("no")
            cell = sheet.cell(row=row_index, column=index, value=value)
            if isinstance(value, str):
                cell.data_type = TYPE_STRING  # never a formula, whatever the text starts with
            elif value is not None:
                number_format = _number_format(column, value)
                if number_format:
                    cell.number_format = number_format
    sheet.freeze_panes = "A2"

    source = workbook.create_sheet(_sheet_title(_("Source")))
    lines: list[tuple[str, str]] = [(_("Title"), table.title)]
    if table.note:
        lines.append((_("Note"), table.note))
    lines.extend((_("Source"), line) for line in table.sources)
    for row_index, (label, text) in enumerate(lines, start=1):
        label_cell = source.cell(row=row_index, column=1, value=label)
        label_cell.data_type = TYPE_STRING
        label_cell.font = bold
        text_cell = source.cell(row=row_index, column=2, value=text)
        text_cell.data_type = TYPE_STRING
    source.column_dimensions["A"].width = 14
    source.column_dimensions["B"].width = 100

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _sheet_title(text: str) -> str:
    for char in "[]:*?/\\":
        text = text.replace(char, " ")
    return text[:31] or "Sheet"


def _fixed_width(spec: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``spec`` that vl-convert can lay out (it has no container to measure)."""
    spec = copy.copy(spec)
    if spec.get("width") == "container":
        spec["width"] = IMAGE_WIDTH
    return spec


@functools.lru_cache(maxsize=DRAWINGS_KEPT)
def _svg(spec_json: str) -> str:
    import vl_convert

    svg: str = vl_convert.vegalite_to_svg(
        json.loads(spec_json), format_locale=LOCALE, time_format_locale=LOCALE
    )
    return svg


@functools.lru_cache(maxsize=DRAWINGS_KEPT)
def _png(spec_json: str, scale: float) -> bytes:
    import vl_convert

    png: bytes = vl_convert.vegalite_to_png(
        json.loads(spec_json), scale=scale, format_locale=LOCALE, time_format_locale=LOCALE
    )
    return png


def _key(spec: dict[str, Any]) -> str:
    return json.dumps(_fixed_width(spec), sort_keys=True, ensure_ascii=False, allow_nan=False)


def to_svg(spec: dict[str, Any]) -> str:
    """The chart drawn as SVG. A drawing depends only on its spec, so the last
    :data:`DRAWINGS_KEPT` are kept in the process: a report's charts are drawn once for its page,
    its PDF and its rebuilds, not again for each."""
    return _svg(_key(spec))


def to_png(spec: dict[str, Any], *, scale: float = 2) -> bytes:
    """The chart drawn as PNG (kept like :func:`to_svg`)."""
    return _png(_key(spec), scale)


def image_spec(chart: Chart) -> dict[str, Any]:
    """The chart's spec with the table title and the sources as the image's title and subtitle."""
    if chart.spec is None:
        raise ValueError("A table-only chart has no image")
    spec = copy.copy(chart.spec)
    title: dict[str, Any] = {"text": chart.table.title, "anchor": "start", "fontSize": 15}
    subtitle = [_("Source: %(source)s") % {"source": line} for line in chart.table.sources]
    if subtitle:
        title.update({"subtitle": subtitle, "subtitleColor": "#333333", "subtitleFontSize": 11})
    spec["title"] = title
    return spec


def download_response(chart: Chart, fmt: str, *, filename_stem: str) -> HttpResponse:
    """An attachment ``<stem>-<table key>.<fmt>`` of the chart in ``fmt`` (csv, xlsx, png, svg)."""
    if fmt not in CONTENT_TYPES:
        raise Http404(f"Unknown download format {fmt!r}")
    content: bytes | str
    if fmt == "csv":
        content = to_csv(chart.table)
    elif fmt == "xlsx":
        content = to_xlsx(chart.table)
    elif chart.spec is None:
        raise Http404("This chart is a table only")
    elif fmt == "png":
        content = to_png(image_spec(chart))
    else:
        content = to_svg(image_spec(chart))
    stem = slugify(filename_stem) or "chart"
    key = slugify(chart.table.key) or "table"
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{stem}-{key}.{fmt}"'
    return response
