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
from regie.monitor.sources.odata_csv import head_columns, parse_header, stream_name, text_stream
from regie.monitor.sources.odata_v3 import (
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
    load_json,
    measure_code,
    parse_value,
    resolve_table,
    shifted_period,
    shown,
    table_from_text,
    table_from_url,
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

    measure_column = spec.measure_dimension
    breakdowns = {dimension for dimension, _ in spec.totals}
    noted: set[str] = set()
    statuses = context.period_status
    periods_cache: dict[str, tuple[str | None, Status] | str] = {}
    for line, record in records:
        if not isinstance(record, Mapping):
            yield RowError(line, "", shown(record), NOT_AN_OBJECT)
            continue
        area_column = next((c for c in spec.area_dimensions if c in record), None)
        wanted = [c for c in (MEASURE, measure_column, PERIOD_DIMENSION) if c]
        missing = [c for c in wanted if c not in record]
        if area_column is None:
            missing.append(" or ".join(spec.area_dimensions))
        if missing or area_column is None:
            yield RowError(line, missing[0], "", MISSING_COLUMN)
            continue
        used = {MEASURE, VALUE, measure_column, area_column, PERIOD_DIMENSION, *breakdowns}
        for column in record:
            if column in noted or column in QUIET_COLUMNS or column in used:
                continue
            noted.add(column)
            context.notes.append(Note(COLUMN_NOT_IMPORTED, column=column))

        raw_measure = record[MEASURE]
        if not isinstance(raw_measure, str) or not raw_measure.strip():
            yield RowError(line, MEASURE, shown(raw_measure), MISSING_CODE)
            continue
        if raw_measure.strip() != chosen:
            continue
        if spec.totals:
            dimension = breakdown_total(spec, record)
            if dimension is not None:
                if f"totals {dimension}" not in noted:
                    noted.add(f"totals {dimension}")
                    context.notes.append(Note(ONLY_TOTALS, dimension=dimension))
                continue

        if measure_column:
            raw_key = record[measure_column]
            if not isinstance(raw_key, str) or not raw_key.strip():
                yield RowError(line, measure_column, shown(raw_key), MISSING_CODE)
                continue
            measure = measure_code(spec, raw_key)
        else:
            measure = spec.fixed_measure
        raw_area = record[area_column]
        if not isinstance(raw_area, str) or not raw_area.strip():
            yield RowError(line, area_column, shown(raw_area), MISSING_AREA_CODE)
            continue
        area = canonical_area(raw_area)
        if is_pseudo_region(area):
            yield Skip(line, SkipReason.PSEUDO_REGION, area_column, raw_area.strip())
            continue
        raw_period = record[PERIOD_DIMENSION]
        if not isinstance(raw_period, str):
            yield RowError(line, PERIOD_DIMENSION, shown(raw_period), MISSING_PERIOD)
            continue
        key = raw_period.strip().upper()
        cached = periods_cache.get(key)
        if cached is None:
            try:
                cached = (shifted_period(spec, key), statuses.get(key, Status.ONBEKEND))
            except periods.PeriodError:
                cached = UNKNOWN_CBS_PERIOD
            periods_cache[key] = cached
        if isinstance(cached, str):
            yield RowError(line, PERIOD_DIMENSION, raw_period, cached)
            continue
        period, status = cached
        if period is None:
            if "months" not in noted:
                noted.add("months")
                context.notes.append(Note(MONTHS_NOT_IMPORTED))
            continue
        raw_value = record.get(VALUE)
        try:
            value = parse_value(raw_value)
        except ValueError as exc:
            yield RowError(line, VALUE, shown(raw_value), str(exc))
            continue
        yield Row(line, area, measure, period, value, status)


ADAPTER = ODataV4Adapter()
