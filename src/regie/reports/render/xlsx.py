"""A :class:`~regie.reports.document.Document` as an Excel workbook (XlsxWriter, in memory).

Sheets: "Inhoud" (title, colophon and a linked list of the sheets), then one sheet per table in
document order (a chart's table included), then "Bronnen" (per sheet its title, note and
sources). A table sheet is data only: the header row (bold, frozen, with a filter) and the rows,
numbers as numbers with a number format by column kind and decimals (Excel shows them with the
separators of the reader's locale: 1.234,5 in Dutch), ``None`` as an empty cell, text always as
text, never a formula (even when a user's text starts with "=").
"""

from __future__ import annotations

import io
import re
from typing import Any, Final

from django.utils.translation import gettext as _

from regie.core.charts import ChartTable
from regie.reports.document import Document
from regie.reports.render.cells import (
    Progress,
    cell_text,
    number_format,
    number_value,
    step,
)

SHEET_NAME_LENGTH: Final = 31
_FORBIDDEN: Final = re.compile(r"[\[\]:*?/\\']")
_MIN_WIDTH: Final = 8
_MAX_WIDTH: Final = 50
#: Options that keep every string a string (no formulas, URLs or numbers guessed from text).
WORKBOOK_OPTIONS: Final = {
    "in_memory": True,
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
}


def sheet_name(text: str, taken: set[str]) -> str:
    """``text`` as a valid sheet name (≤ 31 characters, none of []:*?/\\'), unique in
    ``taken`` (case-insensitively, as Excel compares them); added to ``taken``."""
    base = " ".join(_FORBIDDEN.sub(" ", text).split())[:SHEET_NAME_LENGTH].strip() or "Blad"
    if base.lower() == "history":  # reserved by Excel
        base = f"{base} 1"
    name, counter = base, 1
    while name.lower() in taken:
        counter += 1
        suffix = f" ({counter})"
        name = base[: SHEET_NAME_LENGTH - len(suffix)].rstrip() + suffix
    taken.add(name.lower())
    return name


def table_sheet_names(tables: list[ChartTable], reserved: list[str]) -> list[str]:
    """One name per table: "1 Woninginbraken per jaar", "2 …" (number and title)."""
    taken = {name.lower() for name in reserved}
    return [
        sheet_name(f"{index} {table.title}", taken) for index, table in enumerate(tables, start=1)
    ]


class _Formats:
    """The workbook's cell formats, each made once."""

    def __init__(self, workbook: Any) -> None:
        self.workbook = workbook
        self.bold = workbook.add_format({"bold": True})
        self.header = workbook.add_format(
            {"bold": True, "text_wrap": True, "valign": "bottom", "bottom": 1}
        )
        self.title = workbook.add_format({"bold": True, "font_size": 14})
        self.wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
        self.link = workbook.add_format({"font_color": "#0563C1", "underline": 1})
        self._numbers: dict[str, Any] = {}

    def number(self, pattern: str) -> Any:
        if pattern not in self._numbers:
            self._numbers[pattern] = self.workbook.add_format({"num_format": pattern})
        return self._numbers[pattern]


def _width(texts: list[str], label: str) -> int:
    longest = max((len(text) for text in texts), default=0)
    return max(_MIN_WIDTH, min(_MAX_WIDTH, max(longest, min(len(label), 30)) + 2))


def _write_table(sheet: Any, table: ChartTable, formats: _Formats) -> None:
    columns = table.columns
    for index, column in enumerate(columns):
        sheet.write_string(0, index, column.label, formats.header)
    for row_index, row in enumerate(table.rows, start=1):
        for index, column in enumerate(columns):
            value = row.get(column.key)
            if value is None:
                continue
            number = number_value(value, column)
            if number is not None:
                sheet.write_number(
                    row_index, index, number, formats.number(number_format(value, column))
                )
            elif isinstance(value, bool) or not isinstance(value, str):
                sheet.write_string(row_index, index, cell_text(value, column))
            else:
                sheet.write_string(row_index, index, value)
    for index, column in enumerate(columns):
        texts = [cell_text(row.get(column.key), column) for row in table.rows]
        sheet.set_column(index, index, _width(texts, column.label))
    sheet.freeze_panes(1, 0)
    if table.rows and columns:
        sheet.autofilter(0, 0, len(table.rows), len(columns) - 1)


def _link(name: str) -> str:
    return f"internal:'{name}'!A1"


def _write_contents(
    sheet: Any,
    doc: Document,
    entries: list[tuple[str, str]],
    formats: _Formats,
) -> None:
    """Title, subtitle, colophon and the list of sheets (each linked)."""
    row = 0
    sheet.write_string(row, 0, doc.title, formats.title)
    row += 1
    for line in (doc.subtitle, doc.organisation if doc.organisation not in doc.subtitle else ""):
        if line:
            sheet.write_string(row, 0, line)
            row += 1
    row += 1
    for label, value in doc.colophon:
        sheet.write_string(row, 0, label, formats.bold)
        sheet.write_string(row, 1, value)
        row += 1
    row += 1
    sheet.write_string(row, 0, _("Sheet"), formats.header)
    sheet.write_string(row, 1, _("Title"), formats.header)
    for name, title in entries:
        row += 1
        sheet.write_url(row, 0, _link(name), formats.link, string=name)
        sheet.write_string(row, 1, title, formats.wrap)
    sheet.set_column(0, 0, 34)
    sheet.set_column(1, 1, 80)


def _write_sources(
    sheet: Any,
    doc: Document,
    tables: list[ChartTable],
    names: list[str],
    formats: _Formats,
) -> None:
    """The colophon, then per table sheet one row per source line: sheet, title, note, source."""
    row = 0
    for label, value in doc.colophon:
        sheet.write_string(row, 0, label, formats.bold)
        sheet.write_string(row, 1, value)
        row += 1
    if doc.colophon:
        row += 1
    headers = (_("Sheet"), _("Title"), _("Note"), _("Sources"))
    for index, header in enumerate(headers):
        sheet.write_string(row, index, header, formats.header)
    sheet.freeze_panes(row + 1, 0)
    for name, table in zip(names, tables, strict=True):
        for line in table.sources or [""]:
            row += 1
            sheet.write_url(row, 0, _link(name), formats.link, string=name)
            sheet.write_string(row, 1, table.title, formats.wrap)
            if table.note:
                sheet.write_string(row, 2, table.note, formats.wrap)
            if line:
                sheet.write_string(row, 3, line, formats.wrap)
    for index, width in enumerate((34, 50, 50, 80)):
        sheet.set_column(index, index, width)


def render_xlsx(doc: Document, progress: Progress | None = None) -> bytes:
    """``doc`` as an .xlsx workbook: "Inhoud", one sheet per table, "Bronnen"."""
    import xlsxwriter  # type: ignore[import-untyped, unused-ignore]

    step(progress, 0, _("Preparing the document"))
    tables = doc.tables()
    contents_name = sheet_name(_("Contents"), set())
    sources_name = sheet_name(_("Sources"), {contents_name.lower()})
    names = table_sheet_names(tables, [contents_name, sources_name])
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, WORKBOOK_OPTIONS)
    workbook.set_properties(
        {
            "title": doc.title,
            "subject": doc.subtitle,
            "author": doc.organisation,
            "company": doc.organisation,
            "keywords": doc.kind,
        }
    )
    formats = _Formats(workbook)
    contents = workbook.add_worksheet(contents_name)
    entries = [(name, table.title) for name, table in zip(names, tables, strict=True)]
    _write_contents(contents, doc, [*entries, (sources_name, _("Sources"))], formats)
    for number, (name, table) in enumerate(zip(names, tables, strict=True), start=1):
        step(
            progress,
            5 + 80 * (number - 1) // max(len(tables), 1),
            _("Writing table %(number)s of %(total)s") % {"number": number, "total": len(tables)},
        )
        _write_table(workbook.add_worksheet(name), table, formats)
    _write_sources(workbook.add_worksheet(sources_name), doc, tables, names, formats)
    step(progress, 90, _("Writing the Excel file"))
    workbook.close()
    step(progress, 100, _("Done"))
    return buffer.getvalue()
