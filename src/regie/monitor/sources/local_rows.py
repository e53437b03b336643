"""The data rows of the ``local`` template: number rule, area, measure, period and status of one
row, and the notes the rows leave (see :mod:`regie.monitor.sources.local` for the template)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

from regie.monitor.sources.area_lookup import AreaLookup
from regie.monitor.sources.base import (
    Note,
    ReadContext,
    Row,
    RowError,
    Status,
    clean_label,
    gettext_noop,
)
from regie.monitor.sources.xlsx import Cell
from regie.stats import periods

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
#: at most this many remarks (``toelichting``) are copied into the notes
MAX_REMARK_NOTES = 100
#: the longest cell in a used column; Excel itself stops at 32,767 characters
MAX_CELL_CHARS = 1_000
CELL_TOO_LONG = gettext_noop("the cell holds more than 1,000 characters")
NOT_OWN_AREA = gettext_noop(
    "the area does not belong to this gemeente; upload figures of the gemeente itself, its "
    "wijken and buurten only"
)
NOT_OWN_MEASURE = gettext_noop(
    "not a measure of the gemeente's own: figures of CBS and the police come from their open "
    "data; use a local measure such as huisverboden"
)


def cell_text(cell: Cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return str(cell)
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()


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


class RowReader:
    """Reads the data rows once the header is known; caches area and measure look-ups."""

    def __init__(self, columns: dict[str, int], header: Sequence[Cell], context: ReadContext):
        self.columns = columns
        self.titles = {name: cell_text(header[index]) for name, index in columns.items()}
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
        raw = cell_text(self.cell(cells, "gebied"))
        area, message = self.areas(raw)
        own = self.context.own_gemeente
        if area is not None and own is not None and not in_gemeente(area, own):
            area, message = None, NOT_OWN_AREA
        if area is None:
            errors.append(RowError(line, self.titles["gebied"], raw, message))
        return area

    def measure(self, line: int, cells: Sequence[Cell], errors: list[RowError]) -> str | None:
        raw = cell_text(self.cell(cells, "maatstaf"))
        if raw not in self.measures:
            code, message = read_measure(raw, self.context)
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
        raw = cell_text(self.cell(cells, "status"))
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
        raw_period = cell_text(self.cell(cells, "periode"))
        period, message = read_period(self.cell(cells, "periode"), raw_period)
        if period is None:
            errors.append(RowError(line, self.titles["periode"], raw_period, message))
        value = self.value(line, cells, errors)
        status = self.status(line, cells, errors)
        if errors or area is None or measure is None or period is None:
            return errors
        remark = cell_text(self.cell(cells, "toelichting"))
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


def read_measure(text: str, context: ReadContext) -> tuple[str | None, str]:
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


def read_period(cell: Cell, text: str) -> tuple[str | None, str]:
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
