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
  months (``monitor.insight``).

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
from regie.monitor.sources.local import (
    AMBIGUOUS_AREA,
    COLUMN_MISSING,
    MAX_DECOMPRESSED_BYTES,
    AreaLookup,
    csv_records,
    decode_text,
    normalise_header,
    peek_text,
    read_all,
    sniff_delimiter,
)

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
    headers = columns.headers
    areas = AreaLookup(context)
    postcode_cache: dict[str, str | None] = {}
    measure_cache: dict[str, str | None] = {}
    unknown_types: dict[str, int] = {}
    counts: dict[tuple[str, str, str], _Count] = {}
    seen: set[tuple[str, dt.date, str]] = set()
    duplicates = outside = no_place = total = 0
    first_day: dt.date | None = None
    last_day: dt.date | None = None

    def cell(cells: list[str], index: int | None) -> str:
        return cells[index].strip() if index is not None and index < len(cells) else ""

    for line, cells in records:
        if not any(c.strip() for c in cells):
            continue
        total += 1
        raw_date = cell(cells, columns.date)
        try:
            day = parse_date(raw_date)
        except ValueError:
            yield RowError(line, headers[columns.date], raw_date, UNKNOWN_DATE)
            continue
        first_day = day if first_day is None else min(first_day, day)
        last_day = day if last_day is None else max(last_day, day)

        area: str | None = None
        place = ""
        raw_area = cell(cells, columns.area)
        raw_postcode = cell(cells, columns.postcode)
        if raw_area:
            area, message = areas(raw_area)
            ambiguous = message == AMBIGUOUS_AREA or clean_label(raw_area) in areas.candidates
            if ambiguous and columns.area is not None:
                yield RowError(line, headers[columns.area], raw_area, message)
                continue
            if area is None and columns.postcode is None:
                outside += 1
                continue
            place = area or ""
        if area is None and raw_postcode and columns.postcode is not None:
            match = _PC4.match(raw_postcode)
            if match is None:
                yield RowError(line, headers[columns.postcode], raw_postcode, NOT_A_POSTCODE)
                continue
            pc4 = match[1]
            if pc4 not in postcode_cache:
                postcode_cache[pc4] = context.area_by_postcode(pc4)
            area = postcode_cache[pc4]
            place = pc4
        if area is None:
            if raw_area or raw_postcode:
                outside += 1
            else:
                no_place += 1
            continue

        raw_type = clean_label(cell(cells, columns.type))
        key_type = raw_type.lower()
        if key_type not in measure_cache:
            measure_cache[key_type] = (
                context.measure_by_label(MEASURE_SOURCE, raw_type) if raw_type else None
            )
        measure = measure_cache[key_type]
        if measure is None:
            unknown_types[key_type] = unknown_types.get(key_type, 0) + 1
            if unknown_types[key_type] == 1:
                yield RowError(
                    line,
                    headers[columns.type],
                    raw_type,
                    UNKNOWN_TYPE if raw_type else TYPE_EMPTY,
                )
            continue

        identity = (place, day, key_type)
        if identity in seen:
            duplicates += 1
            continue
        seen.add(identity)
        counter = counts.setdefault((area, measure, month_code(day)), _Count(line))
        counter.count += 1

    if total == 0:
        context.notes.append(Note(NO_INCIDENTS))
    last_month = month_code(last_day) if last_day else ""
    # Incomplete months: the newest (still being filled) and a first month that does not start
    # on the 1st. VOORLOPIG marks them, so they are never judged as whole months.
    partial = {last_month}
    if first_day is not None and first_day.day != 1:
        partial.add(month_code(first_day))
    for (area, measure, period), counter in counts.items():
        status = Status.VOORLOPIG if period in partial else Status.ONBEKEND
        yield Row(counter.line, area, measure, period, float(counter.count), status)
    zeros = 0
    if first_day is not None and last_day is not None:
        # A month in the file's range without an incident is a count of 0, not a gap.
        months = _months_between(first_day, last_day)
        seen_areas = dict.fromkeys(area for area, _m, _p in counts)
        kinds = dict.fromkeys(measure for _a, measure, _p in counts)
        for area in seen_areas:
            for measure in kinds:
                for period in months:
                    if (area, measure, period) not in counts:
                        zeros += 1
                        status = Status.VOORLOPIG if period in partial else Status.ONBEKEND
                        yield Row(1, area, measure, period, 0.0, status)
    if zeros:
        context.notes.append(
            Note(
                ZERO_MONTHS,
                count=zeros,
                first=month_code(first_day),  # type: ignore[arg-type]
                last=last_month,
            )
        )

    if duplicates:
        context.notes.append(Note(DUPLICATES, count=duplicates))
    if outside:
        context.notes.append(Note(OUTSIDE, count=outside))
    if no_place:
        context.notes.append(Note(NO_PLACE, count=no_place))
    for key_type, number in unknown_types.items():
        if number > 1:
            context.notes.append(Note(UNKNOWN_TYPES, count=number, type=key_type))
    if last_day is not None:
        context.notes.append(Note(LAST_MONTH, month=last_month, day=f"{last_day:%d-%m-%Y}"))
    if first_day is not None and first_day.day != 1:
        context.notes.append(
            Note(FIRST_MONTH, day=f"{first_day:%d-%m-%Y}", month=month_code(first_day))
        )


ADAPTER = IncidentsAdapter()
