"""CBS OData v4 ``Observations``: the long format, one value per record.

JSON as ``https://datasets.cbs.nl/odata/v1/CBS/<TABLE>/Observations`` returns it::

    {"@odata.context": "https://datasets.cbs.nl/odata/v1/CBS/83648NED/$metadata#Observations",
     "value": [{"Id": 1, "Measure": "M004200_2", "ValueAttribute": "None", "Value": 1245.0,
                "SoortMisdrijf": "T001161", "RegioS": "GM0556", "Perioden": "2022JJ00",
                "StringValue": null}, …]}

or the same columns in a CSV file (``,``, ``;`` or tab separated, UTF-8).

**Which measure is imported.** A v4 table has several measures (count, rate, cleared …) in the
``Measure`` column, and their codes (``M004200_2``) are not the v3 topic keys. This adapter imports
the records of one measure:

1. the ``Measure`` that equals one of the table's count topics (``TABLES[…].count_topics``), when
   the file has one (files converted from v3 names); otherwise
2. the only ``Measure`` of the file, when there is exactly one (filter the download with
   ``$filter=Measure eq 'M004200_2'`` to get such a file).

A file with several measures of which none is a count topic cannot be read (FormatError naming
them). Records of other measures are skipped with one note per measure code.

``Value`` null (``ValueAttribute`` ``Impossible``, ``Confidential``, ``Missing``, ``Unknown`` …)
or empty in CSV → ``value=None``, never 0. Keys are trimmed, ``NL00`` → ``NL01``, roll-up codes
(``T001161``, ``0.0.0``) stay their own measure codes.

Choosing the measure needs every record before the first row is yielded, so the whole file is
held in memory (JSON via :func:`json.load`; CSV as a list of records). That is fine for files
under about 100 MB; bulk data belongs in ``odata-csv``.
"""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Iterator, Mapping, Sequence
from typing import IO

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
)
from regie.monitor.sources.odata_common import (
    COLUMN_NOT_IMPORTED,
    MISSING_AREA_CODE,
    MISSING_CODE,
    MISSING_PERIOD,
    MONTHS_NOT_IMPORTED,
    NOT_AN_OBJECT,
    ONLY_TOTALS,
    PERIOD_DIMENSION,
    UNKNOWN_CBS_PERIOD,
    breakdown_total,
    describe,
    head_columns,
    load_json,
    measure_code,
    parse_header,
    parse_value,
    resolve_table,
    shifted_period,
    shown,
    stream_name,
    table_from_text,
    table_from_url,
    text_stream,
)
from regie.stats import periods

NAME = "odata-v4"
DESCRIPTION = "CBS OData v4 Observations (long format: Measure, Value), as JSON or CSV"

MEASURE = "Measure"
VALUE = "Value"
VALUE_ATTRIBUTE = "ValueAttribute"
#: columns of an Observations record that are known and not imported (no note)
QUIET_COLUMNS = frozenset({"Id", "ID", VALUE_ATTRIBUTE, "StringValue"})
MEASURE_NOT_IMPORTED = gettext_noop("measure %(measure)r not imported")
MISSING_COLUMN = gettext_noop("missing column")


def choose_measure(spec: TableSpec, found: Sequence[str]) -> str:
    """The Measure code to import among the distinct codes of a file (see the module docstring)."""
    for topic in spec.count_topics:
        if topic in found:
            return topic
    if len(found) == 1:
        return found[0]
    if not found:
        raise FormatError(gettext_noop("the file has no records with a Measure"))
    raise FormatError(
        gettext_noop(
            "the file has several measures (%(found)s) and none is the count of table "
            "%(table)s (%(topics)s); keep only the count measure (for example with "
            "$filter=Measure eq '…')"
        ),
        found=", ".join(found),
        table=spec.table,
        topics=", ".join(spec.count_topics),
    )


def _read_json(data: bytes) -> tuple[list[object], str]:
    parsed = load_json(data)
    if not isinstance(parsed, Mapping) or not isinstance(parsed.get("value"), list):
        raise FormatError(
            gettext_noop("not OData v4 Observations: expected a JSON object with a 'value' list")
        )
    context_url = parsed.get("@odata.context")
    return parsed["value"], context_url if isinstance(context_url, str) else ""


def _read_csv(stream: IO[bytes]) -> list[tuple[int, object]]:
    text = text_stream(stream)
    try:
        first = text.readline()
        skipped_lines = 0
        while first and not first.strip():
            skipped_lines += 1
            first = text.readline()
        if not first:
            raise FormatError(FILE_EMPTY)
        delimiter, columns = parse_header(first)
        reader = csv.reader(itertools.chain((first,), text), delimiter=delimiter)
        next(reader)
        # the header's own line: blank lines above it count (a record's number is its line)
        offset = skipped_lines
        records: list[tuple[int, object]] = []
        previous = reader.line_num
        try:
            for fields in reader:
                start = previous + 1
                previous = reader.line_num
                if fields:
                    records.append((start + offset, dict(zip(columns, fields, strict=False))))
        except csv.Error as exc:
            raise FormatError(
                gettext_noop("unreadable CSV record %(line)d"), line=previous + offset + 1
            ) from exc
        return records
    finally:
        text.detach()


class ODataV4Adapter:
    name = NAME
    description = DESCRIPTION

    def sniff(self, head: bytes, filename: str) -> bool:
        text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
        if text.startswith(b"{"):
            return b'"@odata.context"' in text or (
                b'"Measure"' in text and b'"ValueAttribute"' in text
            )
        columns = set(head_columns(head))
        return {MEASURE, VALUE, PERIOD_DIMENSION} <= columns

    def read(self, stream: IO[bytes], context: ReadContext) -> Iterator[Row | RowError | Skip]:
        data = stream.read()  # held in memory anyway: the measure is chosen over all records
        records: list[tuple[int, object]]
        if data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{"):
            values, context_url = _read_json(data)
            records = list(enumerate(values, 1))  # JSON: the 1-based record number
            found_table = table_from_url(context_url)
        else:
            records = _read_csv(io.BytesIO(data))
            found_table = ""
        if not context.table.strip() and not found_table:
            found_table = table_from_text(stream_name(stream))
        spec = resolve_table(context, found_table)
        describe(context, spec)
        yield from _rows(records, spec, context)


def _rows(
    records: list[tuple[int, object]], spec: TableSpec, context: ReadContext
) -> Iterator[Row | RowError | Skip]:
    reader = _Observations(spec, context, _chosen_measure(records, spec, context))
    for line, record in records:
        item = reader.row(line, record)
        if item is not None:
            yield item


def _chosen_measure(
    records: list[tuple[int, object]], spec: TableSpec, context: ReadContext
) -> str:
    """The Measure code imported (:func:`choose_measure`); the others are noted."""
    distinct: dict[str, None] = {}
    for _line, record in records:
        if isinstance(record, Mapping):
            raw = record.get(MEASURE)
            if isinstance(raw, str) and raw.strip():
                distinct.setdefault(raw.strip(), None)
    chosen = choose_measure(spec, list(distinct))
    for code in distinct:
        if code != chosen:
            context.notes.append(Note(MEASURE_NOT_IMPORTED, measure=code))
    return chosen


class _Observations:
    """One record of the chosen measure → :class:`Row`, :class:`RowError` or :class:`Skip`;
    None for a record that is passed over (another measure, not a total, another month)."""

    def __init__(self, spec: TableSpec, context: ReadContext, chosen: str) -> None:
        self.spec = spec
        self.context = context
        self.chosen = chosen
        self.breakdowns = {dimension for dimension, _ in spec.totals}
        self.noted: set[str] = set()
        self.periods: dict[str, tuple[str | None, Status] | str] = {}

    def row(self, line: int, record: object) -> Row | RowError | Skip | None:
        if not isinstance(record, Mapping):
            return RowError(line, "", shown(record), NOT_AN_OBJECT)
        area_column = self._area_column(line, record)
        if isinstance(area_column, RowError):
            return area_column
        raw_measure = record[MEASURE]
        if not isinstance(raw_measure, str) or not raw_measure.strip():
            return RowError(line, MEASURE, shown(raw_measure), MISSING_CODE)
        if raw_measure.strip() != self.chosen:
            return None
        if self.spec.totals:
            dimension = breakdown_total(self.spec, record)
            if dimension is not None:
                self._note_once(f"totals {dimension}", Note(ONLY_TOTALS, dimension=dimension))
                return None
        measure = self._measure(line, record)
        if isinstance(measure, RowError):
            return measure
        area = self._area(line, record, area_column)
        if not isinstance(area, str):
            return area
        period = self._period(line, record)
        if not isinstance(period, tuple):
            return period
        raw_value = record.get(VALUE)
        try:
            value = parse_value(raw_value)
        except ValueError as exc:
            return RowError(line, VALUE, shown(raw_value), str(exc))
        return Row(line, area, measure, period[0], value, period[1])

    def _note_once(self, key: str, note: Note) -> None:
        if key not in self.noted:
            self.noted.add(key)
            self.context.notes.append(note)

    def _area_column(self, line: int, record: Mapping[str, object]) -> str | RowError:
        """The record's area column; a column that is not imported is noted once."""
        spec = self.spec
        measure_column = spec.measure_dimension
        area_column = next((c for c in spec.area_dimensions if c in record), None)
        wanted = [c for c in (MEASURE, measure_column, PERIOD_DIMENSION) if c]
        missing = [c for c in wanted if c not in record]
        if area_column is None:
            missing.append(" or ".join(spec.area_dimensions))
        if missing or area_column is None:
            return RowError(line, missing[0], "", MISSING_COLUMN)
        used = {MEASURE, VALUE, measure_column, area_column, PERIOD_DIMENSION, *self.breakdowns}
        for column in record:
            if column in self.noted or column in QUIET_COLUMNS or column in used:
                continue
            self._note_once(column, Note(COLUMN_NOT_IMPORTED, column=column))
        return area_column

    def _measure(self, line: int, record: Mapping[str, object]) -> str | RowError:
        measure_column = self.spec.measure_dimension
        if not measure_column:
            return self.spec.fixed_measure
        raw_key = record[measure_column]
        if not isinstance(raw_key, str) or not raw_key.strip():
            return RowError(line, measure_column, shown(raw_key), MISSING_CODE)
        return measure_code(self.spec, raw_key)

    def _area(self, line: int, record: Mapping[str, object], column: str) -> str | RowError | Skip:
        raw_area = record[column]
        if not isinstance(raw_area, str) or not raw_area.strip():
            return RowError(line, column, shown(raw_area), MISSING_AREA_CODE)
        area = canonical_area(raw_area)
        if is_pseudo_region(area):
            return Skip(line, SkipReason.PSEUDO_REGION, column, raw_area.strip())
        return area

    def _period(
        self, line: int, record: Mapping[str, object]
    ) -> tuple[str, Status] | RowError | None:
        """(period code, status); None for a month that is not imported (noted once)."""
        raw_period = record[PERIOD_DIMENSION]
        if not isinstance(raw_period, str):
            return RowError(line, PERIOD_DIMENSION, shown(raw_period), MISSING_PERIOD)
        key = raw_period.strip().upper()
        cached = self.periods.get(key)
        if cached is None:
            try:
                statuses = self.context.period_status
                cached = (shifted_period(self.spec, key), statuses.get(key, Status.ONBEKEND))
            except periods.PeriodError:
                cached = UNKNOWN_CBS_PERIOD
            self.periods[key] = cached
        if isinstance(cached, str):
            return RowError(line, PERIOD_DIMENSION, raw_period, cached)
        period, status = cached
        if period is None:
            self._note_once("months", Note(MONTHS_NOT_IMPORTED))
            return None
        return period, status


ADAPTER = ODataV4Adapter()
