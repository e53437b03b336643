"""Format ``incidents``: incident lists, one row per incident, counted per month × area × type.

Typical input is the politie.nl "Misdaad in kaart" feed as scraped weekly::

    Postcode,Datum,Soort
    3144,29-07-2023,Woninginbraak
    3147,20-09-2023,Poging tot woninginbraak

Columns (headers compared case-insensitively, order free; CSV with ``,``, ``;`` or tab, UTF-8 or
cp1252, optionally gzipped):

- a **date**: ``Datum`` (also ``Date``, ``Pleegdatum``, ``Incidentdatum``, ``Meldingsdatum``),
  written ``dd-mm-yyyy``, ``d-m-yyyy``, ``dd/mm/yyyy`` or ``yyyy-mm-dd``, optionally followed by a
  time; an unreadable date is a :class:`RowError`;
- a **place**: ``Postcode`` (``PC4``, ``PC6``; the first four digits are used and mapped with
  ``context.area_by_postcode``) and/or an area column (``Gebied``, ``Gebiedscode``, ``Wijk``,
  ``Buurt``: an area code or name). When both are present the area column wins;
- a **type**: ``Soort`` (also ``Type``, ``Categorie``, ``Soort incident``), mapped with
  ``context.measure_by_label("incidents", soort)``; an unknown type is a :class:`RowError` on the
  first row that has it (later rows with it are counted in a note, not repeated).

Choices (each reported in ``context.notes``):

- **Outside the gemeente.** A national feed covers all of the Netherlands; incidents whose
  postcode maps to no area are skipped and counted, not reported as errors.
- **Duplicates.** The same place, date and type appearing more than once is counted **once**.
  The Misdaad-in-kaart scraper stores the *queried* PC4 and re-lists incidents from a radius
  around it, so exact repeats are far more likely scrape artefacts than real second incidents.
  The cost: two real incidents of the same type on the same day in the same postcode are
  counted as one, since the feed cannot tell them apart. Counts are therefore a lower bound.
- **Incomplete months.** The newest month in the file is still being filled: its rows get
  :attr:`Status.VOORLOPIG`; all other rows :attr:`Status.ONBEKEND` (the feed is not an official
  statistic). When the first date in the file is not the 1st, the first month is incomplete as
  well: it is VOORLOPIG too, and a note says so. Incomplete months are never judged as whole
  months (``veiligheidsbeeld.insight``).

- **Months without incidents.** Every area and type that occurs in the file gets a row for
  every month from the first to the last date of the file; a month without an incident is 0
  (line 1), not a gap, so that year and rolling twelve-month sums stay complete.

Rows come out after the whole file is read (aggregation needs it): first any row errors in file
order, then one :class:`Row` per (area, type, month) in order of first appearance, carrying the
line of the first incident counted in it, then the zero months. Line numbers are physical
lines (header = line 1).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

from regie.monitor.sources.area_lookup import AMBIGUOUS_AREA, AreaLookup
from regie.monitor.sources.base import (
    FILE_EMPTY,
    FormatError,
    Note,
    ReadContext,
    Row,
    RowError,
    Status,
    clean_label,
    gettext_noop,
)
from regie.monitor.sources.files import (
    MAX_DECOMPRESSED_BYTES,
    csv_records,
    decode_text,
    normalise_header,
    peek_text,
    read_all,
    sniff_delimiter,
)
from regie.monitor.sources.local import COLUMN_MISSING

DATE_HEADERS = frozenset(
    {"datum", "date", "pleegdatum", "incidentdatum", "meldingsdatum", "datum incident"}
)
POSTCODE_HEADERS = frozenset({"postcode", "pc4", "pc6", "postcode (pc4)"})
AREA_HEADERS = frozenset({"gebied", "gebiedscode", "wijk", "buurt", "wijkcode", "buurtcode"})
TYPE_HEADERS = frozenset({"soort", "type", "categorie", "soort incident", "incidenttype"})
MEASURE_SOURCE = "incidents"

_DMY = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})(?:[ T].*)?$")
_YMD = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T].*)?$")
_PC4 = re.compile(r"^([1-9][0-9]{3})(?:\s*[A-Za-z]{2})?$")


def parse_date(text: str) -> dt.date:
    """``dd-mm-yyyy`` (also ``/`` or ``.``) or ``yyyy-mm-dd``; raises ValueError."""
    raw = text.strip()
    if m := _DMY.match(raw):
        day, month, year = int(m[1]), int(m[2]), int(m[3])
    elif m := _YMD.match(raw):
        year, month, day = int(m[1]), int(m[2]), int(m[3])
    else:
        raise ValueError(raw)
    if not 1900 <= year <= 2100:
        raise ValueError(raw)
    return dt.date(year, month, day)


def _months_between(first: dt.date, last: dt.date) -> list[str]:
    """Month codes from the month of ``first`` up to and including that of ``last``."""
    codes: list[str] = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        codes.append(month_code(dt.date(year, month, 1)))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return codes


def month_code(day: dt.date) -> str:
    return f"{day.year}M{day.month:02d}"


@dataclass
class _Count:
    line: int
    count: int = 0


@dataclass
class _Columns:
    date: int
    type: int
    postcode: int | None
    area: int | None
    headers: list[str]


def _columns(header: list[str]) -> _Columns:
    names = [normalise_header(cell) for cell in header]

    def find(options: frozenset[str]) -> int | None:
        return next((i for i, name in enumerate(names) if name in options), None)

    date, kind = find(DATE_HEADERS), find(TYPE_HEADERS)
    postcode, area = find(POSTCODE_HEADERS), find(AREA_HEADERS)
    if date is None:
        raise FormatError(COLUMN_MISSING, columns="Datum")
    if kind is None:
        raise FormatError(COLUMN_MISSING, columns="Soort")
    if postcode is None and area is None:
        raise FormatError(gettext_noop("required column missing: Postcode (or Gebied)"))
    return _Columns(date, kind, postcode, area, [clean_label(cell) for cell in header])


class IncidentsAdapter:
    name = "incidents"
    description = "Incident lists (date, postcode or area, type), counted per month"

    def sniff(self, head: bytes, filename: str) -> bool:
        text = peek_text(head)
        lines = [line for line in text.splitlines()[:5] if line.strip()]
        if not lines:
            return False
        delimiter = sniff_delimiter(lines[0])
        names = {normalise_header(c.strip().strip('"')) for c in lines[0].split(delimiter)}
        has_date = bool(names & DATE_HEADERS)
        has_place = bool(names & (POSTCODE_HEADERS | AREA_HEADERS))
        has_type = bool(names & TYPE_HEADERS)
        return has_date and (has_place or has_type) and "perioden" not in names

    def read(self, stream: IO[bytes], context: ReadContext) -> Iterator[Row | RowError]:
        text = decode_text(read_all(stream, context.max_bytes or MAX_DECOMPRESSED_BYTES))
        records = csv_records(text, sniff_delimiter(text))
        first = next(records, None)
        while first is not None and not any(cell.strip() for cell in first[1]):
            first = next(records, None)
        if first is None:
            raise FormatError(FILE_EMPTY)
        columns = _columns(first[1])
        context.info.source = context.info.source or "incidentenlijst"
        yield from _read(records, columns, context)


UNKNOWN_DATE = gettext_noop("unknown date (write dd-mm-yyyy)")
NOT_A_POSTCODE = gettext_noop("not a postcode")
UNKNOWN_TYPE = gettext_noop("unknown incident type")
TYPE_EMPTY = gettext_noop("incident type is empty")
NO_INCIDENTS = gettext_noop("the file holds no incidents")
ZERO_MONTHS = gettext_noop(
    "%(count)d months without incidents in the file's range (%(first)s–%(last)s) were stored as 0"
)
DUPLICATES = gettext_noop(
    "%(count)d duplicate incidents (same place, date and type) were counted once; the feed "
    "cannot tell two real incidents on the same day apart, so counts are a lower bound"
)
OUTSIDE = gettext_noop("%(count)d incidents outside the gemeente's areas were skipped")
NO_PLACE = gettext_noop("%(count)d incidents without postcode or area were skipped")
UNKNOWN_TYPES = gettext_noop("%(count)d incidents have the unknown type %(type)r")
LAST_MONTH = gettext_noop(
    "the last month in the file (%(month)s, up to %(day)s) is incomplete and marked provisional"
)
FIRST_MONTH = gettext_noop("the file starts on %(day)s: month %(month)s may be incomplete")


def _read(
    records: Iterator[tuple[int, list[str]]], columns: _Columns, context: ReadContext
) -> Iterator[Row | RowError]:
    tally = _Tally(columns, context)
    for line, cells in records:
        if not any(c.strip() for c in cells):
            continue
        error = tally.add(line, cells)
        if error is not None:
            yield error
    yield from tally.rows()
    tally.note()


def _cell(cells: list[str], index: int | None) -> str:
    return cells[index].strip() if index is not None and index < len(cells) else ""


class _Tally:
    """Counts incidents per area × type × month (see the module docstring)."""

    def __init__(self, columns: _Columns, context: ReadContext) -> None:
        self.columns = columns
        self.headers = columns.headers
        self.context = context
        self.areas = AreaLookup(context)
        self.postcode_cache: dict[str, str | None] = {}
        self.measure_cache: dict[str, str | None] = {}
        self.unknown_types: dict[str, int] = {}
        self.counts: dict[tuple[str, str, str], _Count] = {}
        self.seen: set[tuple[str, dt.date, str]] = set()
        self.duplicates = self.outside = self.no_place = self.total = 0
        self.first_day: dt.date | None = None
        self.last_day: dt.date | None = None

    def add(self, line: int, cells: list[str]) -> RowError | None:
        """Counts one incident; its error, if any."""
        columns = self.columns
        self.total += 1
        raw_date = _cell(cells, columns.date)
        try:
            day = parse_date(raw_date)
        except ValueError:
            return RowError(line, self.headers[columns.date], raw_date, UNKNOWN_DATE)
        self.first_day = day if self.first_day is None else min(self.first_day, day)
        self.last_day = day if self.last_day is None else max(self.last_day, day)
        found = self._place(line, cells)
        if not isinstance(found, tuple):
            return found
        area, place = found
        measure = self._measure(line, cells)
        if not isinstance(measure, tuple):
            return measure
        measure_code, key_type = measure
        identity = (place, day, key_type)
        if identity in self.seen:
            self.duplicates += 1
            return None
        self.seen.add(identity)
        counter = self.counts.setdefault((area, measure_code, month_code(day)), _Count(line))
        counter.count += 1
        return None

    def _place(self, line: int, cells: list[str]) -> tuple[str, str] | RowError | None:
        """(area, place as written) of an incident; None when it is passed over (counted)."""
        columns = self.columns
        area: str | None = None
        place = ""
        raw_area = _cell(cells, columns.area)
        raw_postcode = _cell(cells, columns.postcode)
        if raw_area:
            area, message = self.areas(raw_area)
            ambiguous = message == AMBIGUOUS_AREA or clean_label(raw_area) in self.areas.candidates
            if ambiguous and columns.area is not None:
                return RowError(line, self.headers[columns.area], raw_area, message)
            if area is None and columns.postcode is None:
                self.outside += 1
                return None
            place = area or ""
        if area is None and raw_postcode and columns.postcode is not None:
            match = _PC4.match(raw_postcode)
            if match is None:
                return RowError(line, self.headers[columns.postcode], raw_postcode, NOT_A_POSTCODE)
            pc4 = match[1]
            if pc4 not in self.postcode_cache:
                self.postcode_cache[pc4] = self.context.area_by_postcode(pc4)
            area = self.postcode_cache[pc4]
            place = pc4
        if area is None:
            if raw_area or raw_postcode:
                self.outside += 1
            else:
                self.no_place += 1
            return None
        return area, place

    def _measure(self, line: int, cells: list[str]) -> tuple[str, str] | RowError | None:
        """(measure, type in lower case) of an incident; an unknown type is an error on its
        first row and counted after that (None)."""
        raw_type = clean_label(_cell(cells, self.columns.type))
        key_type = raw_type.lower()
        if key_type not in self.measure_cache:
            self.measure_cache[key_type] = (
                self.context.measure_by_label(MEASURE_SOURCE, raw_type) if raw_type else None
            )
        measure = self.measure_cache[key_type]
        if measure is not None:
            return measure, key_type
        self.unknown_types[key_type] = self.unknown_types.get(key_type, 0) + 1
        if self.unknown_types[key_type] == 1:
            return RowError(
                line,
                self.headers[self.columns.type],
                raw_type,
                UNKNOWN_TYPE if raw_type else TYPE_EMPTY,
            )
        return None

    def _partial(self) -> set[str]:
        """Incomplete months: the newest (still being filled) and a first month that does not
        start on the 1st. VOORLOPIG marks them, so they are never judged as whole months."""
        partial = {month_code(self.last_day) if self.last_day else ""}
        if self.first_day is not None and self.first_day.day != 1:
            partial.add(month_code(self.first_day))
        return partial

    def rows(self) -> Iterator[Row]:
        """The counts, then the months without incidents (0); notes how many zeros."""
        if self.total == 0:
            self.context.notes.append(Note(NO_INCIDENTS))
        partial = self._partial()
        for (area, measure, period), counter in self.counts.items():
            status = Status.VOORLOPIG if period in partial else Status.ONBEKEND
            yield Row(counter.line, area, measure, period, float(counter.count), status)
        if self.first_day is None or self.last_day is None:
            return
        # A month in the file's range without an incident is a count of 0, not a gap.
        zeros = 0
        months = _months_between(self.first_day, self.last_day)
        seen_areas = dict.fromkeys(area for area, _m, _p in self.counts)
        kinds = dict.fromkeys(measure for _a, measure, _p in self.counts)
        for area in seen_areas:
            for measure in kinds:
                for period in months:
                    if (area, measure, period) not in self.counts:
                        zeros += 1
                        status = Status.VOORLOPIG if period in partial else Status.ONBEKEND
                        yield Row(1, area, measure, period, 0.0, status)
        if zeros:
            self.context.notes.append(
                Note(
                    ZERO_MONTHS,
                    count=zeros,
                    first=month_code(self.first_day),
                    last=month_code(self.last_day),
                )
            )

    def note(self) -> None:
        """The notes on what was counted once, skipped or incomplete."""
        notes = self.context.notes
        if self.duplicates:
            notes.append(Note(DUPLICATES, count=self.duplicates))
        if self.outside:
            notes.append(Note(OUTSIDE, count=self.outside))
        if self.no_place:
            notes.append(Note(NO_PLACE, count=self.no_place))
        for key_type, number in self.unknown_types.items():
            if number > 1:
                notes.append(Note(UNKNOWN_TYPES, count=number, type=key_type))
        if self.last_day is not None:
            notes.append(
                Note(LAST_MONTH, month=month_code(self.last_day), day=f"{self.last_day:%d-%m-%Y}")
            )
        if self.first_day is not None and self.first_day.day != 1:
            notes.append(
                Note(
                    FIRST_MONTH, day=f"{self.first_day:%d-%m-%Y}", month=month_code(self.first_day)
                )
            )


ADAPTER = IncidentsAdapter()
