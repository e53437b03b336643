"""Excel workbooks (XLSX): checked before openpyxl opens them, then read row by row within
bounds. Shared by ``local`` and ``statline-csv``."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Iterator, Sequence

from regie.monitor.sources.base import FormatError, gettext_noop

#: a cell of a CSV record (text) or of a worksheet (openpyxl's values)
Cell = str | int | float | bool | dt.datetime | dt.date | dt.time | dt.timedelta | None

#: an XLSX workbook is checked with ``zipfile`` before openpyxl opens it
MAX_XLSX_PARTS = 200
#: a part that unpacks to more than this many times its packed size is refused …
MAX_XLSX_RATIO = 100
#: … when it unpacks to more than this
XLSX_RATIO_FROM_BYTES = 1024 * 1024

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


def check_xlsx(data: bytes, max_bytes: int) -> None:
    """Refuse a workbook whose zip directory promises too much work, before openpyxl opens it.

    The sizes are those the zip directory declares; :mod:`zipfile` never unpacks more than the
    declared size of a part (a part that holds more fails its CRC check), so their sum bounds
    what reading the workbook can unpack.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        NotImplementedError,  # a zip directory of a newer version ("zip file version 6.4")
        OSError,
        ValueError,
        EOFError,
    ):
        raise FormatError(XLSX_UNREADABLE) from None
    if len(parts) > MAX_XLSX_PARTS:
        raise FormatError(XLSX_TOO_MANY_PARTS)
    # a part zipfile cannot open (a newer zip version, another compression) is a damaged file,
    # not a crash halfway through reading the sheet
    if any(
        part.extract_version > zipfile.MAX_EXTRACT_VERSION
        or part.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
        for part in parts
    ):
        raise FormatError(XLSX_UNREADABLE)
    if sum(part.file_size for part in parts) > max_bytes:
        raise FormatError(XLSX_TOO_LARGE)
    for part in parts:
        if part.file_size > XLSX_RATIO_FROM_BYTES and part.file_size > MAX_XLSX_RATIO * max(
            part.compress_size, 1
        ):
            raise FormatError(XLSX_PACKED_TOO_TIGHTLY)


def xlsx_records(
    data: bytes,
    max_bytes: int,
    *,
    max_rows: int,
    max_columns: int,
    too_many_rows: str,
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
        try:
            declared = getattr(sheet, "max_row", None)
            # Read by our own bounds, not by the dimension the sheet declares: a declared
            # A1:XFD1048576 would otherwise pad every row to 16,384 cells.
            if hasattr(sheet, "reset_dimensions"):
                sheet.reset_dimensions()
        except Exception:  # openpyxl reads the sheet's part here (damaged files: English texts)
            raise FormatError(XLSX_UNREADABLE) from None
        if isinstance(declared, int) and declared > max_rows:
            raise FormatError(too_many_rows)
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
