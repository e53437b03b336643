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

The module also holds the byte/text helpers the other text adapters share: gzip detection,
encoding detection (UTF-8 with or without BOM, else cp1252) and delimiter sniffing.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import re
import zipfile
import zlib
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO, Protocol

from regie.monitor.sources.base import (
    AmbiguousName,
    FormatError,
    Note,
    ReadContext,
    Row,
    RowError,
    Skip,
    SkipReason,
    Status,
    canonical_area,
    clean_label,
    gettext_noop,
    is_pseudo_region,
    lookup_area_name,
)
from regie.stats import periods

# --------------------------------------------------------------------------------------------
# Shared helpers for text formats (also used by ``statline_csv`` and ``incidents``)
# --------------------------------------------------------------------------------------------

GZIP_MAGIC = b"\x1f\x8b"
ZIP_MAGIC = b"PK\x03\x04"
#: The most a text adapter reads of a file (after unpacking a gzip file), unless
#: ``ReadContext.max_bytes`` says otherwise: national files read from the command line.
MAX_DECOMPRESSED_BYTES = 512 * 1024 * 1024
_PEEK_BYTES = 64 * 1024
_BLOCK = 1024 * 1024
TOO_LARGE = gettext_noop("the file is too large to import; split it into smaller files")
UNPACKED_TOO_LARGE = gettext_noop(
    "the file is too large to import once unpacked; split it into smaller files"
)
GZIP_DAMAGED = gettext_noop("the gzip file is damaged")
NOT_TEXT = gettext_noop(
    "the file is not text (neither UTF-8 nor Windows-1252); save it again as CSV (UTF-8)"
)
NOT_TEXT_NUL = gettext_noop("the file is not text (it contains NUL bytes); save it again as CSV")
CSV_UNREADABLE = gettext_noop(
    "the CSV file cannot be read near line %(line)d; check the quotes there or save it again as CSV"
)


class _Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


class _Prefixed:
    """A binary stream with ``head`` (already read) put back in front."""

    def __init__(self, head: bytes, rest: IO[bytes]) -> None:
        self._head = head
        self._rest = rest

    def read(self, size: int = -1, /) -> bytes:
        if not self._head:
            return self._rest.read(size)
        if size is None or size < 0:
            data, self._head = self._head + self._rest.read(), b""
            return data
        data, self._head = self._head[:size], self._head[size:]
        if len(data) < size:
            data += self._rest.read(size - len(data))
        return data

    def seek(self, offset: int, /) -> int:
        raise io.UnsupportedOperation("the stream is read once, from the start")


def _read_capped(stream: _Readable, max_bytes: int, message: str) -> bytes:
    """At most ``max_bytes`` of ``stream``, read block by block; more is a FormatError."""
    out = io.BytesIO()
    size = 0
    while True:
        block = stream.read(min(_BLOCK, max_bytes + 1 - size))
        if not block:
            return out.getvalue()
        size += len(block)
        if size > max_bytes:
            raise FormatError(message)
        out.write(block)


def read_all(stream: IO[bytes], max_bytes: int = MAX_DECOMPRESSED_BYTES) -> bytes:
    """The whole file, gunzipped when it starts with the gzip magic bytes.

    Never holds more than ``max_bytes`` (plus one block): compressed input is unpacked as it
    is read, so a small gzip file that unpacks to gigabytes is refused after ``max_bytes``.
    """
    head = stream.read(len(GZIP_MAGIC))
    if not isinstance(head, bytes):  # a text stream passed by mistake
        raise FormatError(gettext_noop("the file must be opened in binary mode"))
    source = _Prefixed(head, stream)
    if head != GZIP_MAGIC:
        return _read_capped(source, max_bytes, TOO_LARGE)
    try:
        with gzip.GzipFile(fileobj=source, mode="rb") as archive:
            return _read_capped(archive, max_bytes, UNPACKED_TOO_LARGE)
    except (OSError, EOFError, zlib.error):
        raise FormatError(GZIP_DAMAGED) from None


def peek_text(head: bytes) -> str:
    """The first bytes of a (possibly gzipped) file as text, leniently, for ``sniff``."""
    if head.startswith(GZIP_MAGIC):
        try:
            head = zlib.decompressobj(wbits=31).decompress(head, _PEEK_BYTES)
        except zlib.error:
            return ""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        even = head[: len(head) - len(head) % 2]
        return even.decode("utf-16", errors="replace")
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    try:
        return head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start >= len(head) - 3:  # a character cut off at the end of the head
            return head[: exc.start].decode("utf-8", errors="replace")
        return head.decode("cp1252", errors="replace")


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with a BOM (Excel's "Unicode text"), else cp1252;
    raises :class:`FormatError` for binary data."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise FormatError(NOT_TEXT) from None
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            raise FormatError(NOT_TEXT) from None
    if "\x00" in text:
        raise FormatError(NOT_TEXT_NUL)
    return text


def sniff_delimiter(text: str, candidates: str = ";,\t", *, lines: int = 10) -> str:
    """The delimiter that occurs most often outside quotes in the first ``lines`` non-empty
    lines."""
    counts = dict.fromkeys(candidates, 0)
    filled = [line for line in text.splitlines()[: 2 * lines] if line.strip()]
    for line in filled[:lines]:
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
    except csv.Error:
        raise FormatError(CSV_UNREADABLE, line=previous + 1) from None


def normalise_header(text: str) -> str:
    return clean_label(text).lower()


AMBIGUOUS_AREA = gettext_noop(
    "area name is ambiguous (a wijk and a buurt share it); use the area code instead"
)
UNKNOWN_AREA = gettext_noop("unknown area name")
AREA_EMPTY = gettext_noop("area is empty")
AREA_CODE = re.compile(
    r"^(GM\d{4}|WK\d{6}|BU\d{8}|NL0[01]|PV\d{2}|LD\d{2}|RE\d{2}|VR\d{2})$", re.IGNORECASE
)


_CANDIDATE_CODE = re.compile(
    r"\b(GM\d{4}|WK\d{6}|BU\d{8}|NL0[01]|PV\d{2}|LD\d{2}|RE\d{2}|VR\d{2})\b", re.IGNORECASE
)


class AreaLookup:
    """Area code or name → code, with a cache; returns ``(code, error message)``.

    ``level`` (the region level of the column, when the table says it) and ``year`` (the
    period's year) are passed to ``context.area_by_name`` (see :func:`lookup_area_name`). An
    ambiguous name gives the look-up's own message (it lists the candidates) and, once per
    name, a note.
    """

    def __init__(self, context: ReadContext, *, within_only: str | None = None) -> None:
        self._context = context
        #: local figures: the own gemeente (GM0556), whose areas win over same-named areas
        #: elsewhere ("Binnenstad" in Maassluis' own figures); only own areas are accepted
        self._within_only = within_only or None
        self._cache: dict[
            tuple[str, str | None, int | None, str | None], tuple[str | None, str]
        ] = {}
        #: the candidate codes of the ambiguous names met so far (name → codes)
        self.candidates: dict[str, tuple[str, ...]] = {}

    def __call__(
        self,
        text: str,
        level: str | None = None,
        year: int | None = None,
        within: str | None = None,
    ) -> tuple[str | None, str]:
        """``within``: the gemeente (GM0556) the name is read in, when the file says it (see
        ``areas.selectors.NameIndex.resolve``)."""
        key = (clean_label(text), level, year, self._within_only or within)
        if key not in self._cache:
            if len(self._cache) > 100_000:
                self._cache.clear()
            self._cache[key] = self._resolve(*key)
        return self._cache[key]

    def _resolve(
        self, key: str, level: str | None, year: int | None, within: str | None
    ) -> tuple[str | None, str]:
        if not key:
            return None, AREA_EMPTY
        if AREA_CODE.match(key):
            return canonical_area(key), ""
        try:
            code = lookup_area_name(
                self._context,
                key,
                level,
                year,
                within=within,
                within_only=self._within_only is not None,
            )
        except AmbiguousName as exc:
            self.candidates[key] = tuple(
                match[0].upper()
                for match in (_CANDIDATE_CODE.search(str(c)) for c in exc.candidates)
                if match
            )
            detail = str(exc)
            informative = bool(detail) and detail != key
            if not any(getattr(n, "params", {}).get("name") == key for n in self._noted()):
                if informative:
                    note = Note(
                        gettext_noop("ambiguous area name %(name)r: %(detail)s"),
                        name=key,
                        detail=detail,
                    )
                else:
                    note = Note(gettext_noop("ambiguous area name %(name)r"), name=key)
                self._context.notes.append(note)
            # the look-up's message names the candidates (already in the user's language)
            return None, detail if informative else AMBIGUOUS_AREA
        if code is None:
            return None, UNKNOWN_AREA
        return canonical_area(code), ""

    def _noted(self) -> list[Note]:
        return [n for n in self._context.notes if isinstance(n, Note)]


# --------------------------------------------------------------------------------------------
# Numbers
# --------------------------------------------------------------------------------------------


NOT_A_NUMBER = gettext_noop("not a number")
NUMBER_COMMA = gettext_noop("not a number (a comma is the decimal separator)")
NUMBER_GROUPED = gettext_noop("not a number (write 1245,5 or 1.245,5)")
UNKNOWN_STATUS = gettext_noop("unknown status (use definitief, voorlopig or nader voorlopig)")
MEASURE_EMPTY = gettext_noop("measure is empty")
NOT_A_MEASURE_CODE = gettext_noop("not a measure code (write e.g. local:huisverboden)")
NOT_A_LOCAL_KEY = gettext_noop("not a measure code (use letters, digits and _ , e.g. huisverboden)")
DATE_NOT_PERIOD = gettext_noop("a date is not a period; write a period code such as 2023M10")
PERIOD_EMPTY = gettext_noop("period is empty")
UNKNOWN_PERIOD = gettext_noop("unknown period (use e.g. 2022, 2022H1, 2023Q3, 2023M10, 2023YTD10)")


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
        raise NumberError(NOT_A_NUMBER)
    integer, comma, fraction = raw.partition(",")
    if comma:
        if not fraction.isdecimal() or not fraction.isascii():
            raise NumberError(NUMBER_COMMA)
        if _PLAIN.match(integer):
            return sign * float(f"{integer}.{fraction}"), False
        if _GROUPED.match(integer) or _SPACED.match(integer):
            digits = integer.replace(".", "").replace(" ", "")
            return sign * float(f"{digits}.{fraction}"), False
        raise NumberError(NUMBER_GROUPED)
    if _PLAIN.match(raw):
        return sign * float(raw), False
    if _SPACED.match(raw):
        return sign * float(raw.replace(" ", "")), False
    if _GROUPED.match(raw):
        return sign * float(raw.replace(".", "")), True
    if _DECIMAL_POINT.match(raw):
        return sign * float(raw), False
    raise NumberError(NOT_A_NUMBER)


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

# Limits of the template. A gemeente's own figures are a few hundred rows; these bound the work
# a file can cause (see docs/local-figures-template.md).
#: the most the adapter reads of a file, after unpacking (``ReadContext.max_bytes`` overrides)
LOCAL_MAX_BYTES = 50 * 1024 * 1024
#: physical rows (title and header rows included) and columns read
MAX_ROWS = 100_000
MAX_COLUMNS = 50
#: the longest cell in a used column; Excel itself stops at 32,767 characters
MAX_CELL_CHARS = 1_000
#: an XLSX workbook is checked with ``zipfile`` before openpyxl opens it
MAX_XLSX_PARTS = 200
#: a part that unpacks to more than this many times its packed size is refused …
MAX_XLSX_RATIO = 100
#: … when it unpacks to more than this
XLSX_RATIO_FROM_BYTES = 1024 * 1024

TOO_MANY_ROWS = gettext_noop(
    "the file has more than 100,000 rows; split the figures over several files"
)
CELL_TOO_LONG = gettext_noop("the cell holds more than 1,000 characters")
TOO_MANY_COLUMNS = gettext_noop(
    "row %(row)s has more than %(limit)s columns; download the table with fewer periods or "
    "regions in the columns"
)
XLSX_UNREADABLE = gettext_noop("the Excel file cannot be read; save it again as .xlsx or CSV")
XLSX_TOO_MANY_PARTS = gettext_noop(
    "the Excel file consists of too many parts; save it again as .xlsx or CSV"
)
XLSX_TOO_LARGE = gettext_noop(
    "the Excel file is too large once unpacked; split the figures over several files"
)
XLSX_PACKED_TOO_TIGHTLY = gettext_noop(
    "the Excel file is packed suspiciously tightly and is not read; save it again as .xlsx or CSV"
)
NOT_OWN_AREA = gettext_noop(
    "the area does not belong to this gemeente; upload figures of the gemeente itself, its "
    "wijken and buurten only"
)
NOT_OWN_MEASURE = gettext_noop(
    "not a measure of the gemeente's own: figures of CBS and the police come from their open "
    "data; use a local measure such as huisverboden"
)
NO_OWN_AREA = gettext_noop("only a gemeente can upload local figures")
#: also used by ``incidents``
COLUMN_MISSING = gettext_noop("required column missing: %(columns)s")

Cell = str | int | float | bool | dt.datetime | dt.date | dt.time | dt.timedelta | None


def _cell_text(cell: Cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return str(cell)
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()


def _is_empty(cells: Sequence[Cell]) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)


def _header_map(cells: Sequence[Cell]) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, cell in enumerate(cells):
        if isinstance(cell, str) and len(cell) > MAX_CELL_CHARS:
            continue
        name = ALIASES.get(normalise_header(_cell_text(cell)))
        if name is not None and name not in found:
            found[name] = index
    return found


def in_gemeente(code: str, gemeente: str) -> bool:
    """Whether area ``code`` is gemeente ``gemeente`` (``GM0556``) or one of its wijken
    (``WK0556xx``) or buurten (``BU0556xxxx``): CBS codes carry the gemeente's number."""
    if not gemeente.startswith("GM") or len(gemeente) != 6:
        return False
    number = gemeente[2:]
    return (
        code == gemeente
        or (len(code) == 8 and code.startswith(f"WK{number}"))
        or (len(code) == 10 and code.startswith(f"BU{number}"))
    )


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
            records: Iterable[tuple[int, Sequence[Cell]]] = _xlsx_records(data, max_bytes)
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


def check_xlsx(data: bytes, max_bytes: int) -> None:
    """Refuse a workbook whose zip directory promises too much work, before openpyxl opens it.

    The sizes are those the zip directory declares; :mod:`zipfile` never unpacks more than the
    declared size of a part (a part that holds more fails its CRC check), so their sum bounds
    what reading the workbook can unpack.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise FormatError(XLSX_UNREADABLE) from None
    if len(parts) > MAX_XLSX_PARTS:
        raise FormatError(XLSX_TOO_MANY_PARTS)
    if sum(part.file_size for part in parts) > max_bytes:
        raise FormatError(XLSX_TOO_LARGE)
    for part in parts:
        if part.file_size > XLSX_RATIO_FROM_BYTES and part.file_size > MAX_XLSX_RATIO * max(
            part.compress_size, 1
        ):
            raise FormatError(XLSX_PACKED_TOO_TIGHTLY)


def _xlsx_records(
    data: bytes,
    max_bytes: int,
    *,
    max_rows: int = MAX_ROWS,
    max_columns: int = MAX_COLUMNS,
    too_many_rows: str = TOO_MANY_ROWS,
    refuse_wider: bool = False,
) -> Iterator[tuple[int, Sequence[Cell]]]:
    """The rows of the first sheet, at most ``max_rows`` of ``max_columns`` cells. A row with
    a value beyond ``max_columns`` is refused when ``refuse_wider`` (a table view whose periods
    run on must not lose them), else cut (the template's own columns come first)."""
    import openpyxl  # imported here: only XLSX uploads need it

    check_xlsx(data, max_bytes)
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for damaged files (English texts)
        raise FormatError(XLSX_UNREADABLE) from None
    try:
        if not workbook.worksheets:
            raise FormatError(gettext_noop("the Excel file has no worksheet"))
        sheet = workbook.worksheets[0]
        declared = getattr(sheet, "max_row", None)
        if isinstance(declared, int) and declared > max_rows:
            raise FormatError(too_many_rows)
        # Read by our own bounds, not by the dimension the sheet declares: a declared
        # A1:XFD1048576 would otherwise pad every row to 16,384 cells.
        if hasattr(sheet, "reset_dimensions"):
            sheet.reset_dimensions()
        width = max_columns + 1 if refuse_wider else max_columns
        rows = sheet.iter_rows(min_row=1, max_col=width, values_only=True)
        number = 0
        while True:
            try:
                cells = next(rows)
            except StopIteration:
                break
            except Exception:
                raise FormatError(XLSX_UNREADABLE) from None
            number += 1
            if number > max_rows:
                raise FormatError(too_many_rows)
            if refuse_wider and len(cells) > max_columns:
                if any(c is not None and str(c).strip() for c in cells[max_columns:]):
                    raise FormatError(TOO_MANY_COLUMNS, limit=max_columns, row=number)
                cells = cells[:max_columns]
            yield number, cells
    finally:
        workbook.close()


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
        title = title or next((_cell_text(c) for c in cells if _cell_text(c)), "")
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
        _cell_text(cell)
        for index, cell in enumerate(header)
        if index not in columns.values() and _cell_text(cell)
    ]
    if ignored:
        context.notes.append(
            Note(gettext_noop("columns not imported: %(columns)s"), columns=", ".join(ignored))
        )
    return columns, header


class _RowReader:
    """Reads the data rows once the header is known; caches area and measure look-ups."""

    def __init__(self, columns: dict[str, int], header: Sequence[Cell], context: ReadContext):
        self.columns = columns
        self.titles = {name: _cell_text(header[index]) for name, index in columns.items()}
        self.context = context
        self.areas = AreaLookup(context, within_only=context.own_gemeente)
        self.measures: dict[str, tuple[str | None, str]] = {}
        self.thousands_lines: list[str] = []
        self.remarks = 0

    def cell(self, cells: Sequence[Cell], name: str) -> Cell:
        index = self.columns.get(name)
        if index is None or index >= len(cells):
            return None
        return cells[index]

    def too_long(self, line: int, cells: Sequence[Cell]) -> list[RowError]:
        """An error per used cell longer than :data:`MAX_CELL_CHARS` (checked before anything
        else looks at the text: one huge shared string may fill every row)."""
        errors: list[RowError] = []
        for name in self.columns:
            raw = self.cell(cells, name)
            if isinstance(raw, str) and len(raw) > MAX_CELL_CHARS:
                errors.append(RowError(line, self.titles[name], raw, CELL_TOO_LONG))
        return errors

    def area(self, line: int, cells: Sequence[Cell], errors: list[RowError]) -> str | None:
        raw = _cell_text(self.cell(cells, "gebied"))
        area, message = self.areas(raw)
        own = self.context.own_gemeente
        if area is not None and own is not None and not in_gemeente(area, own):
            area, message = None, NOT_OWN_AREA
        if area is None:
            errors.append(RowError(line, self.titles["gebied"], raw, message))
        return area

    def measure(self, line: int, cells: Sequence[Cell], errors: list[RowError]) -> str | None:
        raw = _cell_text(self.cell(cells, "maatstaf"))
        if raw not in self.measures:
            code, message = _measure(raw, self.context)
            own = self.context.own_gemeente
            if code is not None and own is not None and not code.startswith("local:"):
                code, message = None, NOT_OWN_MEASURE
            self.measures[raw] = (code, message)
        measure, message = self.measures[raw]
        if measure is None:
            errors.append(RowError(line, self.titles["maatstaf"], raw, message))
        return measure

    def value(self, line: int, cells: Sequence[Cell], errors: list[RowError]) -> float | None:
        raw = self.cell(cells, "waarde")
        column = self.titles["waarde"]
        if isinstance(raw, bool) or not isinstance(raw, int | float | str | None):
            errors.append(RowError(line, column, str(raw), NOT_A_NUMBER))
            return None
        if isinstance(raw, int | float):
            value = float(raw)
            if value != value or value in (float("inf"), float("-inf")):
                errors.append(RowError(line, column, str(raw), NOT_A_NUMBER))
            return value
        text = raw or ""
        try:
            parsed, grouped = parse_number(text)
        except NumberError as exc:
            errors.append(RowError(line, column, text.strip(), str(exc)))
            return None
        if grouped:
            self.thousands_lines.append(f"{line} ({text.strip()} → {parsed:g})")
        return parsed

    def status(self, line: int, cells: Sequence[Cell], errors: list[RowError]) -> Status:
        if "status" not in self.columns:
            return Status.ONBEKEND
        raw = _cell_text(self.cell(cells, "status"))
        found = STATUS_BY_TEXT.get(clean_label(raw).lower())
        if found is None:
            errors.append(
                RowError(
                    line,
                    self.titles["status"],
                    raw,
                    UNKNOWN_STATUS,
                )
            )
            return Status.ONBEKEND
        return found

    def read(self, line: int, cells: Sequence[Cell]) -> Row | list[RowError]:
        errors = self.too_long(line, cells)
        if errors:
            return errors
        area = self.area(line, cells, errors)
        measure = self.measure(line, cells, errors)
        raw_period = _cell_text(self.cell(cells, "periode"))
        period, message = _period(self.cell(cells, "periode"), raw_period)
        if period is None:
            errors.append(RowError(line, self.titles["periode"], raw_period, message))
        value = self.value(line, cells, errors)
        status = self.status(line, cells, errors)
        if errors or area is None or measure is None or period is None:
            return errors
        remark = _cell_text(self.cell(cells, "toelichting"))
        if remark:
            self.remarks += 1
            if self.remarks <= MAX_REMARK_NOTES:
                self.context.notes.append(
                    Note(
                        gettext_noop("line %(line)d (%(figure)s): %(remark)s"),
                        line=line,
                        figure=f"{measure} {area} {period}",
                        remark=remark,
                    )
                )
        return Row(line, area, measure, period, value, status)

    def finish(self) -> None:
        notes = self.context.notes
        if self.remarks > MAX_REMARK_NOTES:
            notes.append(
                Note(
                    gettext_noop("%(count)d more remarks not shown"),
                    count=self.remarks - MAX_REMARK_NOTES,
                )
            )
        if self.thousands_lines:
            notes.append(
                Note(
                    gettext_noop(
                        "a dot was read as thousands separator on line(s) %(lines)s; write "
                        "decimals with a comma"
                    ),
                    lines=", ".join(self.thousands_lines[:20])
                    + (" …" if len(self.thousands_lines) > 20 else ""),
                )
            )


def _read_records(
    records: Iterable[tuple[int, Sequence[Cell]]], context: ReadContext
) -> Iterator[Row | RowError | Skip]:
    iterator = iter(records)
    columns, header = _find_header(iterator, context)
    reader = _RowReader(columns, header, context)
    for line, cells in iterator:
        if _is_empty(cells):
            continue
        raw_area = _cell_text(reader.cell(cells, "gebied"))
        if raw_area and is_pseudo_region(raw_area):
            yield Skip(line, SkipReason.PSEUDO_REGION, reader.titles["gebied"], raw_area)
            continue
        result = reader.read(line, cells)
        if isinstance(result, Row):
            yield result
        else:
            yield from result
    reader.finish()


def _measure(text: str, context: ReadContext) -> tuple[str | None, str]:
    raw = clean_label(text)
    if not raw:
        return None, MEASURE_EMPTY
    lowered = raw.lower()
    if ":" in raw:
        prefix, _, rest = raw.partition(":")
        code = f"{prefix.strip().lower()}:{rest.strip()}"
        if _MEASURE_CODE.match(code):
            return code, ""
        return None, NOT_A_MEASURE_CODE
    known = context.measure_by_label("local", raw)
    if known:
        return known, ""
    if _LOCAL_SLUG.match(lowered):
        return f"local:{lowered}", ""
    return None, NOT_A_LOCAL_KEY


def _period(cell: Cell, text: str) -> tuple[str | None, str]:
    if isinstance(cell, dt.date | dt.datetime | dt.time | dt.timedelta):
        return None, DATE_NOT_PERIOD
    if not text:
        return None, PERIOD_EMPTY
    try:
        return periods.parse(text).code, ""
    except periods.PeriodError:
        pass
    try:
        return periods.from_cbs(text).code, ""
    except periods.PeriodError:
        return None, UNKNOWN_PERIOD


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
