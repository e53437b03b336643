"""Canonical period codes and their calendar extent.

Codes (used alike in the UI, API and CLI):

- ``2022``            a whole year
- ``2022H1``          a half year (H1 = January–June, H2 = July–December)
- ``2023Q3``          a quarter
- ``2023M10``         a month
- ``2023YTD10``       January up to and including month 10 of 2023 (a partial year)
- ``2021-03/2022-03`` a twelve-month window, March 2021 up to and including February 2022

CBS/politie codes (``2022JJ00``, ``2023MM10``, ``2023KW03``) and StatLine labels
(``2023 januari``, ``2022*``) are translated by :func:`from_cbs` and :func:`from_label`.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import re
from dataclasses import dataclass
from enum import StrEnum


class PeriodKind(StrEnum):
    YEAR = "year"
    HALF = "half"
    QUARTER = "quarter"
    MONTH = "month"
    YEAR_TO_DATE = "ytd"
    WINDOW = "window"


class PeriodError(ValueError):
    """A text is not a period this product knows."""


@dataclass(frozen=True, order=True)
class Period:
    start: dt.date
    end: dt.date  # inclusive: the last day of the period
    kind: PeriodKind
    code: str

    @property
    def months(self) -> int:
        return (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1

    @property
    def is_whole_year(self) -> bool:
        return self.kind == PeriodKind.YEAR

    def is_alike(self, other: Period) -> bool:
        """Whether two periods may be compared as like with like: the same length and the same
        months of the year (a month with the same month, a quarter with the same quarter, a half
        with the same half), and not overlapping (:meth:`overlaps`)."""
        if self.months != other.months or self.overlaps(other):
            return False
        # Seasons differ: parts of a year compare only with the same months of another year.
        return (self.start.month, self.end.month) == (other.start.month, other.end.month)

    def overlaps(self, other: Period) -> bool:
        """Whether the two periods share a day (a period overlaps itself)."""
        return self.start <= other.end and other.start <= self.end

    def is_incomplete(self, today: dt.date | None = None) -> bool:
        """Whether the period has not ended yet on ``today`` (the current month is incomplete)."""
        return self.end >= (today or dt.date.today())

    def __str__(self) -> str:
        return self.code


def _last_day(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _add_months(year: int, month: int, delta: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + delta
    return index // 12, index % 12 + 1


def _check_year(year: int, text: str) -> None:
    if not 1900 <= year <= 2100:
        raise PeriodError(f"year out of range in period {text!r}")


def _check_month(month: int, text: str) -> None:
    if not 1 <= month <= 12:
        raise PeriodError(f"month out of range in period {text!r}")


_YEAR = re.compile(r"^(\d{4})$")
_HALF = re.compile(r"^(\d{4})H([12])$")
_QUARTER = re.compile(r"^(\d{4})Q([1-4])$")
_MONTH = re.compile(r"^(\d{4})M(\d{1,2})$")
_YTD = re.compile(r"^(\d{4})YTD(\d{1,2})$")
_WINDOW = re.compile(r"^(\d{4})-(\d{2})/(\d{4})-(\d{2})$")


@functools.lru_cache(maxsize=4096)
def parse(text: str) -> Period:
    """Parse a canonical period code (see the module docstring); raises :class:`PeriodError`."""
    code = text.strip().upper()
    if m := _YEAR.match(code):
        year = int(m[1])
        _check_year(year, text)
        return Period(dt.date(year, 1, 1), dt.date(year, 12, 31), PeriodKind.YEAR, f"{year}")
    if m := _HALF.match(code):
        year, half = int(m[1]), int(m[2])
        _check_year(year, text)
        first = 1 if half == 1 else 7
        return Period(
            dt.date(year, first, 1), _last_day(year, first + 5), PeriodKind.HALF, f"{year}H{half}"
        )
    if m := _QUARTER.match(code):
        year, quarter = int(m[1]), int(m[2])
        _check_year(year, text)
        first = 3 * quarter - 2
        return Period(
            dt.date(year, first, 1),
            _last_day(year, first + 2),
            PeriodKind.QUARTER,
            f"{year}Q{quarter}",
        )
    if m := _MONTH.match(code):
        year, month = int(m[1]), int(m[2])
        _check_year(year, text)
        _check_month(month, text)
        return Period(
            dt.date(year, month, 1), _last_day(year, month), PeriodKind.MONTH, f"{year}M{month:02d}"
        )
    if m := _YTD.match(code):
        year, month = int(m[1]), int(m[2])
        _check_year(year, text)
        _check_month(month, text)
        if month == 12:
            return parse(str(year))
        return Period(
            dt.date(year, 1, 1),
            _last_day(year, month),
            PeriodKind.YEAR_TO_DATE,
            f"{year}YTD{month:02d}",
        )
    if m := _WINDOW.match(code):
        y0, m0, y1, m1 = (int(g) for g in m.groups())
        _check_year(y0, text)
        _check_year(y1, text)
        _check_month(m0, text)
        _check_month(m1, text)
        if (y1, m1) <= (y0, m0):
            raise PeriodError(f"a window must end after it starts: {text!r}")
        end_year, end_month = _add_months(y1, m1, -1)
        return Period(
            dt.date(y0, m0, 1),
            _last_day(end_year, end_month),
            PeriodKind.WINDOW,
            f"{y0}-{m0:02d}/{y1}-{m1:02d}",
        )
    raise PeriodError(f"unknown period {text!r}")


_CBS = re.compile(r"^(\d{4})(JJ|MM|KW|HJ|X)(\d{2})$")


@functools.lru_cache(maxsize=4096)
def from_cbs(text: str) -> Period:
    """Translate a CBS/politie period key (``2022JJ00``, ``2023MM10``, ``2023KW03``)."""
    code = text.strip().upper()
    m = _CBS.match(code)
    if m is None:
        raise PeriodError(f"unknown CBS period {text!r}")
    year, kind, number = int(m[1]), m[2], int(m[3])
    if kind == "JJ" and number == 0:
        return parse(f"{year}")
    if kind == "MM":
        return parse(f"{year}M{number}")
    if kind == "KW" and 1 <= number <= 4:
        return parse(f"{year}Q{number}")
    if kind == "HJ" and number in (1, 2):
        return parse(f"{year}H{number}")
    raise PeriodError(f"unknown CBS period {text!r}")


MONTH_NAMES_NL = (
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
)
_LABEL = re.compile(r"^(\d{4})(?:\s+(\S+?))?(?:\s+(\d)e\s+kwartaal)?\s*(\*{0,2})$")


@dataclass(frozen=True)
class LabelledPeriod:
    period: Period
    #: ``""`` definitief, ``"*"`` voorlopig, ``"**"`` nader voorlopig (StatLine markers)
    marker: str


@functools.lru_cache(maxsize=4096)
def from_label(text: str) -> LabelledPeriod:
    """Translate a StatLine label: ``2022``, ``2022*``, ``2023 januari``, ``2023 3e kwartaal``."""
    raw = text.strip().lower()
    m = _LABEL.match(raw)
    if m is None:
        raise PeriodError(f"unknown period label {text!r}")
    year, word, quarter, marker = m[1], m[2], m[3], m[4]
    if quarter:
        return LabelledPeriod(parse(f"{year}Q{quarter}"), marker)
    if word is None:
        return LabelledPeriod(parse(year), marker)
    if word in MONTH_NAMES_NL:
        return LabelledPeriod(parse(f"{year}M{MONTH_NAMES_NL.index(word) + 1}"), marker)
    raise PeriodError(f"unknown period label {text!r}")


@functools.lru_cache(maxsize=4096)
def label(period: Period) -> str:
    """A Dutch label for people: ``2022``, ``1e halfjaar 2022``, ``oktober 2023`` …"""
    s, e = period.start, period.end
    if period.kind == PeriodKind.YEAR:
        return str(s.year)
    if period.kind == PeriodKind.HALF:
        return f"{1 if s.month == 1 else 2}e halfjaar {s.year}"
    if period.kind == PeriodKind.QUARTER:
        return f"{(s.month + 2) // 3}e kwartaal {s.year}"
    if period.kind == PeriodKind.MONTH:
        return f"{MONTH_NAMES_NL[s.month - 1]} {s.year}"
    if period.kind == PeriodKind.YEAR_TO_DATE:
        return f"{s.year} t/m {MONTH_NAMES_NL[e.month - 1]}"
    return f"{MONTH_NAMES_NL[s.month - 1]} {s.year} t/m {MONTH_NAMES_NL[e.month - 1]} {e.year}"
