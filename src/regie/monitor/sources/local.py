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

The module also holds the byte/text helpers the other text adapters share: gzip detection,
encoding detection (UTF-8 with or without BOM, else cp1252) and delimiter sniffing.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import re
import zlib
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO

from regie.monitor import periods
from regie.monitor.sources.base import (
    AmbiguousName,
    FormatError,
    ReadContext,
    Row,
    RowError,
    Status,
    canonical_area,
    clean_label,
)

# --------------------------------------------------------------------------------------------
# Shared helpers for text formats (also used by ``statline_csv`` and ``incidents``)
# --------------------------------------------------------------------------------------------

GZIP_MAGIC = b"\x1f\x8b"
ZIP_MAGIC = b"PK\x03\x04"
#: a decompressed upload larger than this is refused (protects against gzip bombs)
MAX_DECOMPRESSED_BYTES = 512 * 1024 * 1024
_PEEK_BYTES = 64 * 1024


def read_all(stream: IO[bytes]) -> bytes:
    """The whole file, gunzipped when it starts with the gzip magic bytes."""
    data = stream.read()
    if not isinstance(data, bytes):  # a text stream passed by mistake
        raise FormatError("the file must be opened in binary mode")
    if data.startswith(GZIP_MAGIC):
        return gunzip(data)
    return data


def gunzip(data: bytes) -> bytes:
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as archive:
            out = archive.read(MAX_DECOMPRESSED_BYTES + 1)
    except (OSError, EOFError, zlib.error) as exc:
        raise FormatError(f"the gzip file is damaged: {exc}") from None
    if len(out) > MAX_DECOMPRESSED_BYTES:
        raise FormatError("the unpacked file is too large")
    return out


def peek_text(head: bytes) -> str:
    """The first bytes of a (possibly gzipped) file as text, leniently, for ``sniff``."""
    if head.startswith(GZIP_MAGIC):
        try:
            head = zlib.decompressobj(wbits=31).decompress(head, _PEEK_BYTES)
        except zlib.error:
            return ""
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    try:
        return head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start >= len(head) - 3:  # a character cut off at the end of the head
            return head[: exc.start].decode("utf-8", errors="replace")
        return head.decode("cp1252", errors="replace")


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM), else cp1252; raises :class:`FormatError` for binary data."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            raise FormatError("the file is not text (neither UTF-8 nor Windows-1252)") from None
    if "\x00" in text:
        raise FormatError("the file is not text (it contains NUL bytes)")
    return text


def sniff_delimiter(text: str, candidates: str = ";,\t") -> str:
    """The delimiter that occurs most often outside quotes in the first non-empty lines."""
    counts = dict.fromkeys(candidates, 0)
    lines = [line for line in text.splitlines()[:20] if line.strip()]
    for line in lines[:10]:
        inside = False
        for char in line:
            if char == '"':
                inside = not inside
            elif not inside and char in counts:
                counts[char] += 1
    best = max(candidates, key=lambda c: counts[c])
    return best if counts[best] else candidates[0]


def csv_records(text: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """``(physical line number where the record starts, cells)``; raises FormatError on bad CSV."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quotechar='"')
    previous = 0
    try:
        for cells in reader:
            start = previous + 1
            previous = reader.line_num
            yield start, cells
    except csv.Error as exc:
        raise FormatError(f"the CSV file cannot be read near line {previous + 1}: {exc}") from None


def normalise_header(text: str) -> str:
    return clean_label(text).lower()


AMBIGUOUS_AREA = "area name is ambiguous (a wijk and a buurt share it); use the area code instead"
UNKNOWN_AREA = "unknown area name"
AREA_CODE = re.compile(
    r"^(GM\d{4}|WK\d{6}|BU\d{8}|NL0[01]|PV\d{2}|LD\d{2}|RE\d{2})$", re.IGNORECASE
)


class AreaLookup:
    """Area code or name → code, with a cache; returns ``(code, error message)``."""

    def __init__(self, context: ReadContext) -> None:
        self._context = context
        self._cache: dict[str, tuple[str | None, str]] = {}

    def __call__(self, text: str) -> tuple[str | None, str]:
        key = clean_label(text)
        if key not in self._cache:
            self._cache[key] = self._resolve(key)
        return self._cache[key]

    def _resolve(self, key: str) -> tuple[str | None, str]:
        if not key:
            return None, "area is empty"
        if AREA_CODE.match(key):
            return canonical_area(key), ""
        try:
            code = self._context.area_by_name(key)
        except AmbiguousName as exc:
            # The row errors carry a fixed (translatable) message; the details go in a note once.
            detail = str(exc)
            self._context.notes.append(
                f"ambiguous area name {key!r}" + (f": {detail}" if detail and detail != key else "")
            )
            return None, AMBIGUOUS_AREA
        if code is None:
            return None, UNKNOWN_AREA
        return canonical_area(code), ""


# --------------------------------------------------------------------------------------------
# Numbers
# --------------------------------------------------------------------------------------------


class NumberError(ValueError):
    pass


_PLAIN = re.compile(r"^[0-9]+$")
_GROUPED = re.compile(r"^[1-9][0-9]{0,2}(\.[0-9]{3})+$")
_SPACED = re.compile(r"^[1-9][0-9]{0,2}( [0-9]{3})+$")
_DECIMAL_POINT = re.compile(r"^[0-9]+\.[0-9]+$")
_SPACES = str.maketrans({"\u00a0": " ", "\u202f": " ", "\u2009": " "})


def parse_number(text: str) -> tuple[float | None, bool]:
    """Parse a text value by the rule in the module docstring.

    Returns ``(value, thousands_dot_used)``; ``(None, False)`` for empty or ``.``; raises
    :class:`NumberError` for anything else.
    """
    raw = text.translate(_SPACES).strip()
    if raw in ("", "."):
        return None, False
    sign = 1.0
    if raw[0] in "+-":
        sign = -1.0 if raw[0] == "-" else 1.0
        raw = raw[1:].strip()
    if not raw:
        raise NumberError("not a number")
    integer, comma, fraction = raw.partition(",")
    if comma:
        if not fraction.isdecimal() or not fraction.isascii():
            raise NumberError("not a number (a comma is the decimal separator)")
        if _PLAIN.match(integer):
            return sign * float(f"{integer}.{fraction}"), False
        if _GROUPED.match(integer) or _SPACED.match(integer):
            digits = integer.replace(".", "").replace(" ", "")
            return sign * float(f"{digits}.{fraction}"), False
        raise NumberError("not a number (write 1245,5 or 1.245,5)")
    if _PLAIN.match(raw):
        return sign * float(raw), False
    if _SPACED.match(raw):
        return sign * float(raw.replace(" ", "")), False
    if _GROUPED.match(raw):
        return sign * float(raw.replace(".", "")), True
    if _DECIMAL_POINT.match(raw):
        return sign * float(raw), False
    raise NumberError("not a number")


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
STATUS_BY_TEXT: dict[str, Status] = {
    "": Status.ONBEKEND,
    "onbekend": Status.ONBEKEND,
    "definitief": Status.DEFINITIEF,
    "voorlopig": Status.VOORLOPIG,
    "*": Status.VOORLOPIG,
    "nader voorlopig": Status.NADER_VOORLOPIG,
    "nader_voorlopig": Status.NADER_VOORLOPIG,
    "**": Status.NADER_VOORLOPIG,
}
_MEASURE_CODE = re.compile(r"^[a-z][a-z0-9_]*:\S+$")
_LOCAL_SLUG = re.compile(r"^[a-z0-9][a-z0-9_.\-]*$")
#: header rows are looked for in this many rows at the top of the file or sheet
HEADER_SEARCH_ROWS = 30
#: at most this many remarks (``toelichting``) are copied into the notes
MAX_REMARK_NOTES = 100

Cell = str | int | float | bool | dt.datetime | dt.date | dt.time | dt.timedelta | None


def _cell_text(cell: Cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return str(cell)
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()


def _header_map(cells: Sequence[Cell]) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, cell in enumerate(cells):
        name = ALIASES.get(normalise_header(_cell_text(cell)))
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

    def read(self, stream: IO[bytes], context: ReadContext) -> Iterator[Row | RowError]:
        data = read_all(stream)
        context.info.source = context.info.source or "gemeente"
        if data.startswith(ZIP_MAGIC):
            records: Iterable[tuple[int, Sequence[Cell]]] = _xlsx_records(data)
        else:
            text = decode_text(data)
            records = csv_records(text, sniff_delimiter(text))
        yield from _read_records(records, context)


def _xlsx_records(data: bytes) -> Iterator[tuple[int, Sequence[Cell]]]:
    import openpyxl  # imported here: only XLSX uploads need it

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for damaged files
        raise FormatError(f"the Excel file cannot be read: {exc}") from None
    try:
        if not workbook.worksheets:
            raise FormatError("the Excel file has no worksheet")
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(min_row=1, values_only=True)
        number = 0
        while True:
            try:
                cells = next(rows)
            except StopIteration:
                break
            except Exception as exc:
                raise FormatError(f"the Excel file cannot be read: {exc}") from None
            number += 1
            yield number, cells
    finally:
        workbook.close()


def _read_records(
    records: Iterable[tuple[int, Sequence[Cell]]], context: ReadContext
) -> Iterator[Row | RowError]:
    iterator = iter(records)
    columns: dict[str, int] = {}
    header: Sequence[Cell] = ()
    title = ""
    for line, cells in iterator:
        found = _header_map(cells)
        if sum(name in found for name in REQUIRED) >= 2:
            columns, header = found, cells
            break
        title = title or next((_cell_text(c) for c in cells if _cell_text(c)), "")
        if line >= HEADER_SEARCH_ROWS:
            break
    missing = [name for name in REQUIRED if name not in columns]
    if not columns:
        raise FormatError(
            "no header row with the columns gebied, maatstaf, periode and waarde was found"
        )
    if missing:
        raise FormatError(f"required column missing: {', '.join(missing)}")
    if title and not context.info.title:
        context.info.title = title[:200]
    titles = {name: _cell_text(header[index]) for name, index in columns.items()}
    ignored = [
        _cell_text(cell)
        for index, cell in enumerate(header)
        if index not in columns.values() and _cell_text(cell)
    ]
    if ignored:
        context.notes.append(f"columns not imported: {', '.join(ignored)}")

    areas = AreaLookup(context)
    measures: dict[str, tuple[str | None, str]] = {}
    thousands_lines: list[str] = []
    remarks = 0

    def cell(cells: Sequence[Cell], name: str) -> Cell:
        index = columns.get(name)
        if index is None or index >= len(cells):
            return None
        return cells[index]

    for line, cells in iterator:
        if all(_cell_text(c) == "" for c in cells):
            continue
        errors: list[RowError] = []

        raw_area = _cell_text(cell(cells, "gebied"))
        area, message = areas(raw_area)
        if area is None:
            errors.append(RowError(line, titles["gebied"], raw_area, message))

        raw_measure = _cell_text(cell(cells, "maatstaf"))
        if raw_measure not in measures:
            measures[raw_measure] = _measure(raw_measure, context)
        measure, message = measures[raw_measure]
        if measure is None:
            errors.append(RowError(line, titles["maatstaf"], raw_measure, message))

        raw_period = _cell_text(cell(cells, "periode"))
        period, message = _period(cell(cells, "periode"), raw_period)
        if period is None:
            errors.append(RowError(line, titles["periode"], raw_period, message))

        raw_value = cell(cells, "waarde")
        value: float | None = None
        if isinstance(raw_value, bool):
            errors.append(RowError(line, titles["waarde"], str(raw_value), "not a number"))
        elif isinstance(raw_value, int | float):
            value = float(raw_value)
            if value != value or value in (float("inf"), float("-inf")):
                errors.append(RowError(line, titles["waarde"], str(raw_value), "not a number"))
        elif isinstance(raw_value, str) or raw_value is None:
            text = raw_value or ""
            try:
                value, grouped = parse_number(text)
            except NumberError as exc:
                errors.append(RowError(line, titles["waarde"], text.strip(), str(exc)))
            else:
                if grouped:
                    thousands_lines.append(f"{line} ({text.strip()} → {value:g})")
        else:
            errors.append(RowError(line, titles["waarde"], str(raw_value), "not a number"))

        status = Status.ONBEKEND
        if "status" in columns:
            raw_status = _cell_text(cell(cells, "status"))
            found_status = STATUS_BY_TEXT.get(clean_label(raw_status).lower())
            if found_status is None:
                errors.append(
                    RowError(
                        line,
                        titles["status"],
                        raw_status,
                        "unknown status (use definitief, voorlopig or nader voorlopig)",
                    )
                )
            else:
                status = found_status

        if errors or area is None or measure is None or period is None:
            yield from errors
            continue
        remark = _cell_text(cell(cells, "toelichting"))
        if remark:
            remarks += 1
            if remarks <= MAX_REMARK_NOTES:
                context.notes.append(f"line {line} ({measure} {area} {period}): {remark}")
        yield Row(line, area, measure, period, value, status)

    if remarks > MAX_REMARK_NOTES:
        context.notes.append(f"{remarks - MAX_REMARK_NOTES} more remarks not shown")
    if thousands_lines:
        context.notes.append(
            "a dot was read as thousands separator on line(s) "
            + ", ".join(thousands_lines[:20])
            + (" …" if len(thousands_lines) > 20 else "")
            + "; write decimals with a comma"
        )


def _measure(text: str, context: ReadContext) -> tuple[str | None, str]:
    raw = clean_label(text)
    if not raw:
        return None, "measure is empty"
    lowered = raw.lower()
    if ":" in raw:
        prefix, _, rest = raw.partition(":")
        code = f"{prefix.strip().lower()}:{rest.strip()}"
        if _MEASURE_CODE.match(code):
            return code, ""
        return None, "not a measure code (write e.g. local:huisverboden)"
    known = context.measure_by_label("local", raw)
    if known:
        return known, ""
    if _LOCAL_SLUG.match(lowered):
        return f"local:{lowered}", ""
    return None, "not a measure code (use letters, digits and _ , e.g. huisverboden)"


def _period(cell: Cell, text: str) -> tuple[str | None, str]:
    if isinstance(cell, dt.date | dt.datetime | dt.time | dt.timedelta):
        return None, "a date is not a period; write a period code such as 2023M10"
    if not text:
        return None, "period is empty"
    try:
        return periods.parse(text).code, ""
    except periods.PeriodError:
        pass
    try:
        return periods.from_cbs(text).code, ""
    except periods.PeriodError:
        return None, "unknown period (use e.g. 2022, 2022H1, 2023Q3, 2023M10, 2023YTD10)"


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
