"""Reading a register file (CSV or XLSX) into rows of cells, within bounds.

- at most :data:`MAX_BYTES` on disk and :data:`MAX_ROWS` data rows;
- CSV: UTF-8 with or without BOM, else Windows-1252; the separator (``;`` or ``,``) sniffed
  from the header line;
- XLSX: the first sheet, values only (openpyxl ``read_only`` and ``data_only``: a formula is
  never evaluated, its text never run); before openpyxl opens it the zip directory is checked, so
  a small file that unpacks to gigabytes (a zip bomb) is refused without unpacking it.

Row numbers are those a spreadsheet shows: the header is row 1.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext as _

#: A cell as read: text from a CSV file, or openpyxl's value from a worksheet.
Cell = str | int | float | bool | dt.datetime | dt.date | dt.time | dt.timedelta | None

MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 50_000
MAX_COLUMNS = 60
#: The most an XLSX workbook may unpack to, all parts together (the sheet XML mostly).
MAX_UNPACKED = 200 * 1024 * 1024
MAX_PARTS = 200
#: A part that unpacks to more than this many times its packed size (above 1 MB) is refused.
MAX_RATIO = 200
_RATIO_FROM = 1024 * 1024

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"


class FileRefused(Exception):
    """The file as a whole cannot be read; the message is Dutch and fit to show."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Table:
    header: list[str]
    #: (row number as a spreadsheet shows it, cells), empty rows left out
    rows: list[tuple[int, Sequence[Cell]]]


def _too_many_rows() -> FileRefused:
    return FileRefused(
        _("The file has more than %(max)s rows; split it into smaller files.")
        % {"max": f"{MAX_ROWS:,}".replace(",", ".")}
    )


def _blank(cells: Sequence[Cell]) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)


def _table(records: Iterator[tuple[int, Sequence[Cell]]]) -> Table:
    header: list[str] | None = None
    rows: list[tuple[int, Sequence[Cell]]] = []
    for number, cells in records:
        if _blank(cells):
            continue
        if header is None:
            header = ["" if c is None else str(c) for c in cells]
            continue
        if len(rows) >= MAX_ROWS:
            raise _too_many_rows()
        rows.append((number, cells))
    if header is None:
        raise FileRefused(_("The file is empty."))
    return Table(header=header, rows=rows)


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1252 (Excel's "CSV" on Windows)."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            raise FileRefused(_("The file is not text; save it again as CSV (UTF-8).")) from None
    if "\x00" in text:
        raise FileRefused(_("The file is not text; save it again as CSV (UTF-8)."))
    return text


def sniff_separator(text: str) -> str:
    """``;`` or ``,`` (or a tab): the one that occurs most outside quotes in the first line."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    counts = dict.fromkeys(";,\t", 0)
    inside = False
    for char in first:
        if char == '"':
            inside = not inside
        elif not inside and char in counts:
            counts[char] += 1
    best = max(counts, key=lambda c: counts[c])
    return best if counts[best] else ";"


def csv_table(data: bytes) -> Table:
    text = decode(data)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_separator(text))

    def records() -> Iterator[tuple[int, Sequence[Cell]]]:
        try:
            for number, cells in enumerate(reader, start=1):
                if len(cells) > MAX_COLUMNS:
                    raise FileRefused(
                        _("Row %(row)s has more than %(max)s columns.")
                        % {"row": number, "max": MAX_COLUMNS}
                    )
                yield number, cells
        except csv.Error:
            raise FileRefused(
                _("The CSV file cannot be read near row %(row)s; check the quotes there.")
                % {"row": reader.line_num}
            ) from None

    return _table(records())


def check_zip(data: bytes) -> None:
    """Refuse a workbook whose zip directory promises too much, before anything is unpacked.

    :mod:`zipfile` never unpacks more than the size a part declares (more fails its CRC check),
    so the sum of the declared sizes bounds what reading the workbook can unpack.
    """
    unreadable = FileRefused(_("The Excel file cannot be read; save it again as .xlsx or CSV."))
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, OSError, ValueError):
        raise unreadable from None
    if len(parts) > MAX_PARTS or any(
        p.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED) for p in parts
    ):
        raise unreadable
    too_large = FileRefused(
        _("The Excel file is too large once unpacked; split it into smaller files.")
    )
    if sum(p.file_size for p in parts) > MAX_UNPACKED:
        raise too_large
    for part in parts:
        if part.file_size > _RATIO_FROM and part.file_size > MAX_RATIO * max(part.compress_size, 1):
            raise too_large


def _sheet_records(data: bytes) -> Iterator[tuple[int, Sequence[Cell]]]:
    import openpyxl  # only XLSX files need it

    unreadable = FileRefused(_("The Excel file cannot be read; save it again as .xlsx or CSV."))
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for damaged files
        raise unreadable from None
    try:
        if not workbook.worksheets:
            raise FileRefused(_("The Excel file has no worksheet."))
        sheet = workbook.worksheets[0]
        try:
            if hasattr(sheet, "reset_dimensions"):
                sheet.reset_dimensions()  # read by our bounds, not by the declared dimension
            rows = sheet.iter_rows(min_row=1, max_col=MAX_COLUMNS, values_only=True)
            for number, cells in enumerate(rows, start=1):
                if number > MAX_ROWS + 1 + 1000:  # blank rows too: never read on forever
                    raise _too_many_rows()
                yield number, cells
        except FileRefused:
            raise
        except Exception:
            raise unreadable from None
    finally:
        workbook.close()


def xlsx_table(data: bytes) -> Table:
    check_zip(data)
    return _table(_sheet_records(data))


def read(path: Path) -> Table:
    """The rows of the register at ``path`` (CSV or XLSX, recognised by content)."""
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise FileRefused(
                _("The file is larger than %(max)s MB; split it into smaller files.")
                % {"max": MAX_BYTES // (1024 * 1024)}
            )
        with path.open("rb") as stream:
            data = stream.read(MAX_BYTES + 1)
    except OSError as exc:
        raise FileRefused(
            _("Cannot read %(file)s: %(error)s") % {"file": path.name, "error": exc.strerror}
        ) from exc
    if len(data) > MAX_BYTES:
        raise FileRefused(
            _("The file is larger than %(max)s MB; split it into smaller files.")
            % {"max": MAX_BYTES // (1024 * 1024)}
        )
    if data.startswith(OLE_MAGIC):
        raise FileRefused(_("This is an old Excel file (.xls); save it again as .xlsx or CSV."))
    if data.startswith(ZIP_MAGIC):
        return xlsx_table(data)
    return csv_table(data)
