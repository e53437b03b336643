"""Format ``local``: a gemeente's own figures in the documented template (CSV or XLSX).

The template is described for users in ``docs/local-figures-template.md``; an example ships as
``monitor/data/templates/lokale-cijfers-sjabloon.csv`` and :func:`write_template_xlsx` writes the
same rows as an Excel workbook.

Columns (header names compared case-insensitively, order free, title rows above the header are
skipped; English aliases accepted):

============  ========  ===========================================================================
column        required  content
============  ========  ===========================================================================
gebied        yes       area code (``GM0556``, ``WK055601``, ``BU05560101``) or an area name
maatstaf      yes       ``local:huisverboden``, ``huisverboden`` (→ ``local:huisverboden``),
                        another prefix such as ``politie:1.1.1``, or a label the catalogue knows
periode       yes       canonical period code: ``2022``, ``2022H1``, ``2023Q3``, ``2023M10``,
                        ``2023YTD10``, ``2021-03/2022-03`` (CBS keys like ``2022JJ00`` also work)
waarde        yes       a number; empty or ``.`` = not available (``None``, never 0)
status        no        ``definitief``, ``voorlopig``, ``nader voorlopig`` (empty = unknown)
toelichting   no        free text, passed to the import report as a note
============  ========  ===========================================================================

Number rule for text values (numeric spreadsheet cells are used as they are):

- a comma is always the decimal separator: ``3,5`` → 3.5 and ``1,245`` → 1.245;
- dots together with a comma are thousands separators and must group by three: ``1.245,5`` →
  1245.5 (``1,245.5`` is refused: a comma never groups thousands);
- without a comma, a dot followed by exactly three digits, after a first group of 1–3 digits that
  does not start with 0, is a thousands separator: ``1.245`` → 1245, ``12.500`` → 12500,
  ``1.245.000`` → 1245000 (each such value is listed in a note so that a misread ``36.500`` is
  noticed); any other single dot is a decimal point: ``7.3``, ``36.75``, ``0.245``, ``1.2345``;
- spaces between groups of three digits are thousands separators: ``1 245`` → 1245;
- anything else (``1,245,000``, ``12.34.5``, ``5%``, ``1e3``) is an error.

Line numbers in errors are the physical row numbers a spreadsheet shows: the header row counts,
so in a CSV without title rows the first data row is line 2.

Local figures belong to an organisation (``ReadContext.own_gemeente``): then only the gemeente
itself, its wijken and buurten, and ``local:`` measures are accepted; other areas and measures
(another gemeente's, CBS's, the police's) are row errors. Without an organisation (open data an
administrator imports) any area and prefix is read.

Limits (issue 13): at most :data:`LOCAL_MAX_BYTES` read after unpacking, :data:`MAX_ROWS` rows of
:data:`MAX_COLUMNS` columns, :data:`MAX_CELL_CHARS` characters in a used cell (longer: a row
error), and an XLSX workbook is checked with :func:`check_xlsx` before openpyxl opens it.

The byte and text helpers the text formats share live in :mod:`~regie.monitor.sources.files`, the
area look-up in :mod:`~regie.monitor.sources.area_lookup`, the workbook reader in
:mod:`~regie.monitor.sources.xlsx` and the row rules in :mod:`~regie.monitor.sources.local_rows`;
the names this module used to define are imported here as well.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO

from regie.monitor.sources.area_lookup import AMBIGUOUS_AREA as AMBIGUOUS_AREA
from regie.monitor.sources.area_lookup import AreaLookup as AreaLookup
from regie.monitor.sources.base import (
    FormatError,
    Note,
    ReadContext,
    Row,
    RowError,
    Skip,
    SkipReason,
    gettext_noop,
    is_pseudo_region,
)
from regie.monitor.sources.files import CSV_UNREADABLE as CSV_UNREADABLE
from regie.monitor.sources.files import GZIP_MAGIC as GZIP_MAGIC
from regie.monitor.sources.files import MAX_DECOMPRESSED_BYTES as MAX_DECOMPRESSED_BYTES
from regie.monitor.sources.files import UNPACKED_TOO_LARGE as UNPACKED_TOO_LARGE
from regie.monitor.sources.files import ZIP_MAGIC as ZIP_MAGIC
from regie.monitor.sources.files import csv_records as csv_records
from regie.monitor.sources.files import decode_text as decode_text
from regie.monitor.sources.files import normalise_header as normalise_header
from regie.monitor.sources.files import peek_text as peek_text
from regie.monitor.sources.files import read_all as read_all
from regie.monitor.sources.files import sniff_delimiter as sniff_delimiter
from regie.monitor.sources.local_rows import CELL_TOO_LONG as CELL_TOO_LONG
from regie.monitor.sources.local_rows import MAX_CELL_CHARS as MAX_CELL_CHARS
from regie.monitor.sources.local_rows import NOT_A_NUMBER as NOT_A_NUMBER
from regie.monitor.sources.local_rows import NOT_OWN_AREA as NOT_OWN_AREA
from regie.monitor.sources.local_rows import NOT_OWN_MEASURE as NOT_OWN_MEASURE
from regie.monitor.sources.local_rows import NumberError as NumberError
from regie.monitor.sources.local_rows import RowReader as RowReader
from regie.monitor.sources.local_rows import cell_text as cell_text
from regie.monitor.sources.local_rows import in_gemeente as in_gemeente
from regie.monitor.sources.local_rows import parse_number as parse_number
from regie.monitor.sources.xlsx import TOO_MANY_COLUMNS as TOO_MANY_COLUMNS
from regie.monitor.sources.xlsx import XLSX_PACKED_TOO_TIGHTLY as XLSX_PACKED_TOO_TIGHTLY
from regie.monitor.sources.xlsx import XLSX_TOO_LARGE as XLSX_TOO_LARGE
from regie.monitor.sources.xlsx import XLSX_TOO_MANY_PARTS as XLSX_TOO_MANY_PARTS
from regie.monitor.sources.xlsx import XLSX_UNREADABLE as XLSX_UNREADABLE
from regie.monitor.sources.xlsx import Cell as Cell
from regie.monitor.sources.xlsx import check_xlsx as check_xlsx
from regie.monitor.sources.xlsx import xlsx_records as xlsx_records

# --------------------------------------------------------------------------------------------
# The adapter
# --------------------------------------------------------------------------------------------

REQUIRED = ("gebied", "maatstaf", "periode", "waarde")
OPTIONAL = ("status", "toelichting")
ALIASES: dict[str, str] = {
    "gebied": "gebied",
    "gebiedscode": "gebied",
    "area": "gebied",
    "maatstaf": "maatstaf",
    "measure": "maatstaf",
    "indicator": "maatstaf",
    "periode": "periode",
    "period": "periode",
    "waarde": "waarde",
    "value": "waarde",
    "status": "status",
    "toelichting": "toelichting",
    "opmerking": "toelichting",
    "note": "toelichting",
}
#: header rows are looked for in this many rows at the top of the file or sheet
HEADER_SEARCH_ROWS = 30

# Limits of the template. A gemeente's own figures are a few hundred rows; these bound the work
# a file can cause (see docs/local-figures-template.md).
#: the most the adapter reads of a file, after unpacking (``ReadContext.max_bytes`` overrides)
LOCAL_MAX_BYTES = 50 * 1024 * 1024
#: physical rows (title and header rows included) and columns read
MAX_ROWS = 100_000
MAX_COLUMNS = 50

TOO_MANY_ROWS = gettext_noop(
    "the file has more than 100,000 rows; split the figures over several files"
)
NO_OWN_AREA = gettext_noop("only a gemeente can upload local figures")
#: also used by ``incidents``
COLUMN_MISSING = gettext_noop("required column missing: %(columns)s")


def _is_empty(cells: Sequence[Cell]) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)


def _header_map(cells: Sequence[Cell]) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, cell in enumerate(cells):
        if isinstance(cell, str) and len(cell) > MAX_CELL_CHARS:
            continue
        name = ALIASES.get(normalise_header(cell_text(cell)))
        if name is not None and name not in found:
            found[name] = index
    return found


class LocalAdapter:
    name = "local"
    description = (
        "Local figures of the gemeente in the template (gebied, maatstaf, periode, waarde)"
    )

    def sniff(self, head: bytes, filename: str) -> bool:
        if head.startswith(ZIP_MAGIC):
            return filename.lower().endswith(".xlsx") or b"xl/" in head
        text = peek_text(head)
        if not text:
            return False
        delimiter = sniff_delimiter(text)
        for line in text.splitlines()[:HEADER_SEARCH_ROWS]:
            cells = [normalise_header(c) for c in next(csv.reader([line], delimiter=delimiter), [])]
            aliased = {ALIASES.get(cell) for cell in cells}
            # All four columns (English aliases allowed), or three of the Dutch names: a Dutch
            # template with one column missing is still recognised so that read() can say which.
            if all(name in aliased for name in REQUIRED) or (
                sum(name in cells for name in REQUIRED) >= 3
            ):
                return True
        return False

    def read(self, stream: IO[bytes], context: ReadContext) -> Iterator[Row | RowError | Skip]:
        if context.own_gemeente == "":
            raise FormatError(NO_OWN_AREA)
        max_bytes = context.max_bytes or LOCAL_MAX_BYTES
        data = read_all(stream, max_bytes)
        context.info.source = context.info.source or "gemeente"
        if data.startswith(ZIP_MAGIC):
            records: Iterable[tuple[int, Sequence[Cell]]] = xlsx_records(
                data,
                max_bytes,
                max_rows=MAX_ROWS,
                max_columns=MAX_COLUMNS,
                too_many_rows=TOO_MANY_ROWS,
            )
        else:
            text = decode_text(data)
            records = csv_records(text, sniff_delimiter(text))
        yield from _read_records(_bounded(records), context)


def _bounded(
    records: Iterable[tuple[int, Sequence[Cell]]],
) -> Iterator[tuple[int, Sequence[Cell]]]:
    """At most :data:`MAX_ROWS` rows of at most :data:`MAX_COLUMNS` cells."""
    for line, cells in records:
        if line > MAX_ROWS:
            raise FormatError(TOO_MANY_ROWS)
        yield line, cells[:MAX_COLUMNS]


def _find_header(
    iterator: Iterator[tuple[int, Sequence[Cell]]], context: ReadContext
) -> tuple[dict[str, int], Sequence[Cell]]:
    """The template's columns (name → index) and the header row; title rows above it are
    skipped (the first one becomes the dataset's title)."""
    columns: dict[str, int] = {}
    header: Sequence[Cell] = ()
    title = ""
    for line, cells in iterator:
        found = _header_map(cells)
        if sum(name in found for name in REQUIRED) >= 2:
            columns, header = found, cells
            break
        title = title or next((cell_text(c) for c in cells if cell_text(c)), "")
        if line >= HEADER_SEARCH_ROWS:
            break
    missing = [name for name in REQUIRED if name not in columns]
    if not columns:
        raise FormatError(
            gettext_noop(
                "no header row with the columns gebied, maatstaf, periode and waarde was found"
            )
        )
    if missing:
        raise FormatError(COLUMN_MISSING, columns=", ".join(missing))
    if title and not context.info.title:
        context.info.title = title[:200]
    ignored = [
        cell_text(cell)
        for index, cell in enumerate(header)
        if index not in columns.values() and cell_text(cell)
    ]
    if ignored:
        context.notes.append(
            Note(gettext_noop("columns not imported: %(columns)s"), columns=", ".join(ignored))
        )
    return columns, header


def _read_records(
    records: Iterable[tuple[int, Sequence[Cell]]], context: ReadContext
) -> Iterator[Row | RowError | Skip]:
    iterator = iter(records)
    columns, header = _find_header(iterator, context)
    reader = RowReader(columns, header, context)
    for line, cells in iterator:
        if _is_empty(cells):
            continue
        raw_area = cell_text(reader.cell(cells, "gebied"))
        if raw_area and is_pseudo_region(raw_area):
            yield Skip(line, SkipReason.PSEUDO_REGION, reader.titles["gebied"], raw_area)
            continue
        result = reader.read(line, cells)
        if isinstance(result, Row):
            yield result
        else:
            yield from result
    reader.finish()


ADAPTER = LocalAdapter()

# --------------------------------------------------------------------------------------------
# The template
# --------------------------------------------------------------------------------------------

TEMPLATE_HEADER = ("gebied", "maatstaf", "periode", "waarde", "status", "toelichting")
TEMPLATE_ROWS: tuple[tuple[str, str, str, float | None, str, str], ...] = (
    ("GM0556", "huisverboden", "2019", 19, "definitief", "registratie gemeente"),
    ("GM0556", "huisverboden", "2020", 19, "definitief", ""),
    ("GM0556", "huisverboden", "2021", 14, "definitief", ""),
    ("GM0556", "huisverboden", "2022H1", 14, "voorlopig", "eerste halfjaar"),
    ("GM0556", "local:bibob_onderzoeken", "2022", 7, "definitief", ""),
    ("GM0556", "local:cameratoezicht_uren", "2022", 1245.5, "definitief", "uren live uitgekeken"),
    ("GM0556", "local:sluitingen_drugspanden", "2023YTD10", None, "", "nog niet bekend"),
)
TEMPLATE_TITLE = "Lokale cijfers Veiligheidsregie (sjabloon)"


def write_template_xlsx(path: str | Path) -> None:
    """Write the example template as an XLSX workbook (one title row, then the header)."""
    import openpyxl
    from openpyxl.styles import Font

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Lokale cijfers"
    sheet.append([TEMPLATE_TITLE])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([])
    sheet.append(list(TEMPLATE_HEADER))
    for cell in sheet[3]:
        cell.font = Font(bold=True)
    for row in TEMPLATE_ROWS:
        sheet.append(list(row))
    for letter, width in zip("ABCDEF", (12, 32, 12, 10, 16, 30), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A4"
    workbook.save(str(path))
