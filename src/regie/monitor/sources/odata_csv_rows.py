"""The row reader of ``odata-csv``: every record of the CSV data set becomes a :class:`Row`, a
:class:`RowError` or a :class:`Skip` (see :mod:`regie.monitor.sources.odata_csv`). The canonical
area, measure code, period and value are cached per distinct raw text, so that the work per
record is a few dictionary look-ups and one :class:`Row`."""

from __future__ import annotations

import csv
import io
import itertools
import operator
from collections.abc import Iterable, Iterator

from regie.monitor.sources.base import (
    FILE_EMPTY,
    FormatError,
    Note,
    ReadContext,
    Row,
    RowError,
    Skip,
    SkipReason,
    Status,
    TableSpec,
    canonical_area,
    gettext_noop,
    is_pseudo_region,
    shorten,
)
from regie.monitor.sources.odata_common import (
    COLUMN_NOT_IMPORTED,
    ID_COLUMNS,
    MISSING_AREA_CODE,
    MISSING_CODE,
    MONTHS_NOT_IMPORTED,
    ONLY_TOTALS,
    PERIOD_DIMENSION,
    UNKNOWN_CBS_PERIOD,
    describe,
    find_count_topic,
    measure_code,
    parse_header,
    parse_text_value,
    shifted_period,
)
from regie.stats import periods

#: columns a pandas/R export adds without a name: ignored without a note
INDEX_COLUMNS = frozenset({"", "Unnamed: 0", "X", "..1"})
#: after this many unreadable CSV records the file is rejected as a whole
MAX_CSV_ERRORS = 100
#: values cached per distinct raw text (counts repeat a lot); beyond this, values are parsed
VALUE_CACHE_SIZE = 1 << 16

RECORD_FIELDS = gettext_noop("record has %(fields)d fields, the header %(columns)d")
UNREADABLE_RECORD = gettext_noop("unreadable CSV record")


def read_records(
    text: io.TextIOWrapper, spec: TableSpec, context: ReadContext
) -> Iterator[Row | RowError | Skip]:
    """The rows of a CSV data set; up to :data:`MAX_CSV_ERRORS` unreadable records are row
    errors, more reject the file."""
    header_line, first = _header(text)
    delimiter, columns = parse_header(first)
    used = used_columns(spec, columns)
    describe(context, spec)
    note_unused(context, columns, used, (d for d, _ in spec.totals))
    records = RecordParser(spec, context, columns, used, delimiter)
    reader = csv.reader(itertools.chain((first,), text), delimiter=delimiter)
    next(reader)  # the header, parsed above
    # a record's number is its physical line: the header is line 1 (after blank lines)
    line = header_line  # after a csv.Error: the last record read before it
    csv_errors = 0
    while True:
        start = line + 1
        try:
            for line, fields in enumerate(reader, start):  # line survives a csv.Error
                item = records.row(line, fields)
                if item is not None:
                    yield item
            return
        except csv.Error as exc:
            line += 1
            csv_errors += 1
            if csv_errors > MAX_CSV_ERRORS:
                raise FormatError(
                    gettext_noop("more than %(count)d unreadable CSV records"),
                    count=MAX_CSV_ERRORS,
                ) from None
            yield RowError(line, "", shorten(str(exc)), UNREADABLE_RECORD)


def _header(text: io.TextIOWrapper) -> tuple[int, str]:
    """(line number, text) of the header line: the first line that is not blank."""
    first = text.readline()
    header_line = 1
    while first and not first.strip():
        header_line += 1
        first = text.readline()
    if not first:
        raise FormatError(FILE_EMPTY)
    return header_line, first


class RecordParser:
    """One record → :class:`Row`, :class:`RowError`, :class:`Skip` or None (passed over: not a
    total, a month that is not imported); caches what it works out per distinct raw text."""

    def __init__(
        self,
        spec: TableSpec,
        context: ReadContext,
        columns: list[str],
        used: tuple[str, str, str, str],
        delimiter: str,
    ) -> None:
        self.spec = spec
        self.context = context
        self.columns = columns
        self.used = used
        self.delimiter = delimiter
        self.measure_column, self.area_column, _period, self.topic = used
        # no measure dimension (population): the period column stands in for it, the measure
        # being fixed
        mi = columns.index(self.measure_column or PERIOD_DIMENSION)
        ai, pi, vi = (columns.index(c) for c in used[1:])
        self.get = operator.itemgetter(mi, ai, pi, vi)
        self.totals = [
            (columns.index(dimension), set(keys), dimension)
            for dimension, keys in spec.totals
            if dimension in columns
        ]
        self.noted: set[str] = set()
        self.measures: dict[str, str] = {}
        self.areas: dict[str, str] = {}
        self.periods: dict[str, tuple[str, Status]] = {}
        self.values: dict[str, float | None] = {}
        self.pseudo: set[str] = set()
        self.real: set[str] = set()
        #: raw area text → its area, once it is known not to be a pseudo-region
        self.real_areas: dict[str, str] = {}

    def row(self, line: int, fields: list[str]) -> Row | RowError | Skip | None:
        try:
            raw_measure, raw_area, raw_period, raw_value = self.get(fields)
        except IndexError:
            # blank lines are skipped
            return (
                short_record(line, fields, self.used, self.columns, self.delimiter)
                if fields
                else None
            )
        if self.totals and self._not_a_total(fields):
            return None
        measure = self.measures.get(raw_measure) or self._measure(line, raw_measure)
        if isinstance(measure, RowError):
            return measure
        area = self.real_areas.get(raw_area) or self._area(line, raw_area)
        if not isinstance(area, str):
            return area
        period = self.periods.get(raw_period) or self._period(line, raw_period)
        if not isinstance(period, tuple):
            return period
        if not period[0]:
            self._note_once("months", Note(MONTHS_NOT_IMPORTED))
            return None
        values = self.values
        value = values[raw_value] if raw_value in values else self._value(line, raw_value)
        if isinstance(value, RowError):
            return value
        return Row(line, area, measure, period[0], value, period[1])

    def _note_once(self, key: str, note: Note) -> None:
        if key not in self.noted:
            self.noted.add(key)
            self.context.notes.append(note)

    def _not_a_total(self, fields: list[str]) -> bool:
        """Whether a record is of a breakdown other than its total (noted once)."""
        other = next(
            (
                name
                for index, keys, name in self.totals
                if index < len(fields) and fields[index].strip() not in keys
            ),
            None,
        )
        if other is None:
            return False
        self._note_once(other, Note(ONLY_TOTALS, dimension=other))
        return True

    def _measure(self, line: int, raw: str) -> str | RowError:
        if not raw.strip():
            return RowError(line, self.measure_column, raw, MISSING_CODE)
        measure = self.measures[raw] = measure_code(self.spec, raw)
        return measure

    def _area(self, line: int, raw: str) -> str | RowError | Skip:
        area = self.areas.get(raw)
        if area is None:
            if not raw.strip():
                return RowError(line, self.area_column, raw, MISSING_AREA_CODE)
            area = self.areas[raw] = canonical_area(raw)
        if area in self.pseudo or (area not in self.real and is_pseudo_region(area)):
            self.pseudo.add(area)
            return Skip(line, SkipReason.PSEUDO_REGION, self.area_column, raw.strip())
        self.real.add(area)
        self.real_areas[raw] = area
        return area

    def _period(self, line: int, raw: str) -> tuple[str, Status] | RowError:
        key = raw.strip().upper()
        try:
            shifted = shifted_period(self.spec, key)
        except periods.PeriodError:
            return RowError(line, PERIOD_DIMENSION, raw, UNKNOWN_CBS_PERIOD)
        status = self.context.period_status.get(key, Status.ONBEKEND)
        period = self.periods[raw] = (shifted or "", status)
        return period

    def _value(self, line: int, raw: str) -> float | RowError | None:
        try:
            value = parse_text_value(raw)
        except ValueError as exc:
            return RowError(line, self.topic, raw, str(exc))
        if len(self.values) < VALUE_CACHE_SIZE:
            self.values[raw] = value
        return value


def used_columns(spec: TableSpec, columns: list[str]) -> tuple[str, str, str, str]:
    """Measure, area, period and count column of a header; FormatError when one lacks."""
    measure_column = spec.measure_dimension
    area_column = next((c for c in spec.area_dimensions if c in columns), None)
    topic = find_count_topic(spec, columns)
    missing = [c for c in (measure_column, PERIOD_DIMENSION) if c and c not in columns]
    if area_column is None:
        missing.append(" or ".join(spec.area_dimensions))
    if topic is None:
        missing.append(" or ".join(spec.count_topics))
    if missing or area_column is None or topic is None:
        raise FormatError(
            gettext_noop("table %(table)s: the header lacks %(missing)s (columns: %(columns)s)"),
            table=spec.table,
            missing=", ".join(missing),
            columns=", ".join(columns),
        )
    return measure_column, area_column, PERIOD_DIMENSION, topic


def note_unused(
    context: ReadContext, columns: list[str], used: tuple[str, ...], quiet: Iterable[str] = ()
) -> None:
    quiet = set(quiet)
    for column in columns:
        if column in used or column in ID_COLUMNS or column in INDEX_COLUMNS or column in quiet:
            continue
        context.notes.append(Note(COLUMN_NOT_IMPORTED, column=column))


def short_record(
    line: int, fields: list[str], used: tuple[str, ...], columns: list[str], delimiter: str
) -> RowError:
    absent = next((c for c in used if columns.index(c) >= len(fields)), "")
    return RowError.of(
        line,
        absent,
        delimiter.join(fields)[:100],
        RECORD_FIELDS,
        fields=len(fields),
        columns=len(columns),
    )
