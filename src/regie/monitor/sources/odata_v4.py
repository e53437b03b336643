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

from regie.monitor import periods
from regie.monitor.sources.base import (
    FILE_EMPTY,
    FormatError,
    ReadContext,
    Row,
    RowError,
    Status,
    TableSpec,
    canonical_area,
    gettext_noop,
)
from regie.monitor.sources.odata_csv import head_columns, parse_header, stream_name, text_stream
from regie.monitor.sources.odata_v3 import (
    PERIOD_DIMENSION,
    describe,
    load_json,
    measure_code,
    parse_value,
    resolve_table,
    shown,
    table_from_text,
    table_from_url,
)

NAME = "odata-v4"
DESCRIPTION = "CBS OData v4 Observations (long format: Measure, Value), as JSON or CSV"

MEASURE = "Measure"
VALUE = "Value"
VALUE_ATTRIBUTE = "ValueAttribute"
#: columns of an Observations record that are known and not imported (no note)
QUIET_COLUMNS = frozenset({"Id", "ID", VALUE_ATTRIBUTE, "StringValue"})


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


def _read_csv(stream: IO[bytes]) -> list[object]:
    text = text_stream(stream)
    try:
        first = text.readline()
        while first and not first.strip():
            first = text.readline()
        if not first:
            raise FormatError(FILE_EMPTY)
        delimiter, columns = parse_header(first)
        reader = csv.reader(itertools.chain((first,), text), delimiter=delimiter)
        next(reader)
        records: list[object] = []
        try:
            for fields in reader:
                if fields:
                    records.append(dict(zip(columns, fields, strict=False)))
        except csv.Error as exc:
            raise FormatError(
                gettext_noop("unreadable CSV record %(line)d"), line=len(records) + 2
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

    def read(self, stream: IO[bytes], context: ReadContext) -> Iterator[Row | RowError]:
        data = stream.read()  # held in memory anyway: the measure is chosen over all records
        if data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{"):
            records, context_url = _read_json(data)
            found_table = table_from_url(context_url)
        else:
            records = _read_csv(io.BytesIO(data))
            found_table = ""
        if not context.table.strip() and not found_table:
            found_table = table_from_text(stream_name(stream))
        spec = resolve_table(context, found_table)
        describe(context, spec)
        yield from _rows(records, spec, context)


def _rows(records: list[object], spec: TableSpec, context: ReadContext) -> Iterator[Row | RowError]:
    distinct: dict[str, None] = {}
    for record in records:
        if isinstance(record, Mapping):
            raw = record.get(MEASURE)
            if isinstance(raw, str) and raw.strip():
                distinct.setdefault(raw.strip(), None)
    chosen = choose_measure(spec, list(distinct))
    for code in distinct:
        if code != chosen:
            context.notes.append(f"measure {code!r} not imported")

    measure_column = spec.measure_dimension
    noted: set[str] = set()
    statuses = context.period_status
    for line, record in enumerate(records, 1):
        if not isinstance(record, Mapping):
            yield RowError(line, "", shown(record), "record is not a JSON object")
            continue
        area_column = next((c for c in spec.area_dimensions if c in record), None)
        missing = [c for c in (MEASURE, measure_column, PERIOD_DIMENSION) if c not in record]
        if area_column is None:
            missing.append(" or ".join(spec.area_dimensions))
        if missing or area_column is None:
            yield RowError(line, missing[0], "", "missing column")
            continue
        for column in record:
            if column in noted or column in QUIET_COLUMNS:
                continue
            if column not in (MEASURE, VALUE, measure_column, area_column, PERIOD_DIMENSION):
                noted.add(column)
                context.notes.append(f"column {column!r} not imported")

        raw_measure = record[MEASURE]
        if not isinstance(raw_measure, str) or not raw_measure.strip():
            yield RowError(line, MEASURE, shown(raw_measure), "missing code")
            continue
        if raw_measure.strip() != chosen:
            continue

        raw_key = record[measure_column]
        if not isinstance(raw_key, str) or not raw_key.strip():
            yield RowError(line, measure_column, shown(raw_key), "missing code")
            continue
        raw_area = record[area_column]
        if not isinstance(raw_area, str) or not raw_area.strip():
            yield RowError(line, area_column, shown(raw_area), "missing area code")
            continue
        raw_period = record[PERIOD_DIMENSION]
        if not isinstance(raw_period, str):
            yield RowError(line, PERIOD_DIMENSION, shown(raw_period), "missing period")
            continue
        key = raw_period.strip().upper()
        try:
            period = periods.from_cbs(key).code
        except periods.PeriodError:
            yield RowError(line, PERIOD_DIMENSION, raw_period, "unknown CBS period")
            continue
        raw_value = record.get(VALUE)
        try:
            value = parse_value(raw_value)
        except ValueError as exc:
            yield RowError(line, VALUE, shown(raw_value), str(exc))
            continue
        yield Row(
            line,
            canonical_area(raw_area),
            measure_code(spec, raw_key),
            period,
            value,
            statuses.get(key, Status.ONBEKEND),
        )


ADAPTER = ODataV4Adapter()
