"""An OData v3 ``TypedDataSet`` saved as CSV or TSV (by cbsodataR, pandas, or by hand).

The header names the columns with their OData keys::

    "ID","SoortMisdrijf","WijkenEnBuurten","Perioden","GeregistreerdeMisdrijven_1",…
    1859,"0.0.0 ","BU04820101","2023JJ00",12,…

``ID`` is optional (an unnamed pandas index column is ignored too). The measure dimension of the
table (``SoortMisdrijf``/``SoortOverlast``), an area dimension (``RegioS`` or
``WijkenEnBuurten``), ``Perioden`` and the table's count topic are required; the count topic may
lack its ``_1`` suffix (``GeregistreerdeMisdrijven``), as some tools drop it. Every other column
is ignored, with one note per column. The delimiter (``,``, ``;`` or tab) is taken from the
header line. Text is UTF-8 (a BOM is allowed); undecodable bytes become U+FFFD, which only matters
in a column that is imported, where the code then is unknown to the import service.

The table comes from ``--table`` (``context.table``) or else from a table id in the file name
(``…_47018NED_….csv``); without either the file cannot be read.

Values: ``""``, ``"."`` (also padded) or ``"x"`` mean *not published* → ``None``, never 0.
Keys are trimmed, ``NL00`` → ``NL01``, and roll-up codes stay their own measure codes.

Bulk files of millions of rows go through :meth:`ODataCsvAdapter.read_columns` first (pyarrow's
CSV reader; :mod:`regie.monitor.bulk` checks each distinct text once, ADR 0010). :meth:`read`, the
row reader, is what every file the bulk path declines goes through: it uses :func:`csv.reader`
directly and caches the canonical area, measure code, period and value per distinct raw text, so
that the work per record is four dictionary look-ups and one :class:`Row`.
"""

from __future__ import annotations

import contextlib
import csv
import io
import itertools
import operator
from collections.abc import Iterable, Iterator
from typing import IO, TYPE_CHECKING

from regie.monitor.sources.base import (
    FILE_EMPTY,
    TABLE_UNKNOWN,
    TABLES,
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
from regie.monitor.sources.odata_v3 import (
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
    parse_text_value,
    shifted_period,
    spec_for,
    table_from_text,
)
from regie.stats import periods

if TYPE_CHECKING:
    from regie.monitor.bulk import Columns

NAME = "odata-csv"
DESCRIPTION = "CBS/politie OData data set saved as CSV or TSV (codes, e.g. from cbsodataR/pandas)"

DELIMITERS = (",", ";", "\t")
#: columns a pandas/R export adds without a name: ignored without a note
INDEX_COLUMNS = frozenset({"", "Unnamed: 0", "X", "..1"})
#: after this many unreadable CSV records the file is rejected as a whole
MAX_CSV_ERRORS = 100
#: values cached per distinct raw text (counts repeat a lot); beyond this, values are parsed
VALUE_CACHE_SIZE = 1 << 16

RECORD_FIELDS = gettext_noop("record has %(fields)d fields, the header %(columns)d")
UNREADABLE_RECORD = gettext_noop("unreadable CSV record")
_MEASURE_DIMENSIONS = frozenset(
    spec.measure_dimension for spec in TABLES.values() if spec.measure_dimension
)
_AREA_DIMENSIONS = frozenset(d for spec in TABLES.values() for d in spec.area_dimensions)


def text_stream(stream: IO[bytes]) -> io.TextIOWrapper:
    """Decode a binary stream as UTF-8 (BOM allowed, bad bytes → U+FFFD), for :mod:`csv`.

    Call ``detach()`` on the result when done, so that the caller's stream stays open.
    """
    try:
        return io.TextIOWrapper(stream, encoding="utf-8-sig", errors="replace", newline="")
    except (AttributeError, TypeError, ValueError, OSError):
        # Not a buffered binary file (e.g. a file-like object without readable()): read it.
        return io.TextIOWrapper(
            io.BytesIO(stream.read()), encoding="utf-8-sig", errors="replace", newline=""
        )


def detect_delimiter(header: str) -> str:
    """The delimiter of a header line: the most frequent of ``,`` ``;`` and tab."""
    counts = [(header.count(d), -i, d) for i, d in enumerate(DELIMITERS)]
    count, _, delimiter = max(counts)
    if count == 0:
        raise FormatError(gettext_noop("the first line is not a CSV header (no ',', ';' or tab)"))
    return delimiter


def parse_header(line: str) -> tuple[str, list[str]]:
    """(delimiter, column names) of a header line; names are trimmed."""
    delimiter = detect_delimiter(line)
    try:
        names = next(csv.reader([line.lstrip("\ufeff").rstrip("\r\n")], delimiter=delimiter))
    except (csv.Error, StopIteration) as exc:
        raise FormatError(gettext_noop("the CSV header cannot be read")) from exc
    return delimiter, [name.strip() for name in names]


def head_columns(head: bytes) -> list[str]:
    """Column names in the first line of ``head``, or [] when it is no CSV header (for sniffing)."""
    first = head.split(b"\n", 1)[0].decode("utf-8", "replace")
    try:
        return parse_header(first)[1]
    except FormatError:
        return []


def stream_name(stream: IO[bytes]) -> str:
    """The file name of a stream when it has one (open files, Django uploads), else ""."""
    name = getattr(stream, "name", "")
    return name if isinstance(name, str) else ""


def find_topic(spec: TableSpec, columns: list[str]) -> str | None:
    """The count topic column: a ``count_topics`` key, or such a key without its ``_N`` suffix."""
    return find_count_topic(spec, columns)


def _has_population_topic(columns: set[str]) -> bool:
    """Whether the columns hold the count topic of a population table (no measure dimension)."""
    return any(
        find_count_topic(spec, columns) is not None
        for spec in TABLES.values()
        if spec.fixed_measure
    )


class ODataCsvAdapter:
    name = NAME
    description = DESCRIPTION

    def sniff(self, head: bytes, filename: str) -> bool:
        columns = set(head_columns(head))
        return (
            PERIOD_DIMENSION in columns
            and (bool(columns & _MEASURE_DIMENSIONS) or _has_population_topic(columns))
            and bool(columns & _AREA_DIMENSIONS)
            and "Measure" not in columns
        )

    def read(self, stream: IO[bytes], context: ReadContext) -> Iterator[Row | RowError | Skip]:
        table = context.table.strip().upper() or table_from_text(stream_name(stream))
        if not table:
            raise FormatError(TABLE_UNKNOWN, example="47018NED")
        spec = spec_for(table)
        text = text_stream(stream)
        try:
            yield from self._read(text, spec, context)
        finally:
            with contextlib.suppress(ValueError):  # already detached or closed
                text.detach()

    def read_columns(self, stream: IO[bytes], context: ReadContext) -> Columns | None:
        """The file as columns for the bulk path (pyarrow's CSV reader, ADR 0010).

        None when anything is unusual (no table, a header that :meth:`read` would refuse,
        bytes that are no UTF-8, a record with too many or too few fields, a line break inside
        a value): :meth:`read` then reads the file and names what is wrong.
        """
        import pyarrow as pa
        import pyarrow.csv as pcsv

        from regie.monitor.bulk import Columns

        table = context.table.strip().upper() or table_from_text(stream_name(stream))
        try:
            spec = spec_for(table)
            if spec.fixed_measure or spec.totals:
                return None  # population tables: the row reader picks totals and shifts years
            stream.seek(0)
            header = stream.readline().decode("utf-8-sig")
            delimiter, columns = parse_header(header)
            used = _used_columns(spec, columns)
        except (FormatError, UnicodeDecodeError, OSError, AttributeError):
            return None
        if len(set(columns)) != len(columns):
            return None
        try:
            stream.seek(0)
            data = pcsv.read_csv(
                stream,
                read_options=pcsv.ReadOptions(column_names=columns, skip_rows=1),
                parse_options=pcsv.ParseOptions(delimiter=delimiter),
                convert_options=pcsv.ConvertOptions(
                    include_columns=list(used),
                    column_types={c: pa.dictionary(pa.int32(), pa.string()) for c in used},
                    null_values=[],
                    strings_can_be_null=False,
                    quoted_strings_can_be_null=False,
                ),
            )
        except (pa.ArrowException, ValueError, OSError):
            return None
        describe(context, spec)
        _note_unused(context, columns, used)
        statuses = context.period_status

        def period_code(raw: str) -> tuple[str, Status]:
            key = raw.strip().upper()
            return periods.from_cbs(key).code, statuses.get(key, Status.ONBEKEND)

        def column(name: str) -> pa.DictionaryArray:
            return data[name].unify_dictionaries().combine_chunks()

        measure_column, area_column, period_column, topic = used
        return Columns(
            measure=column(measure_column),
            area=column(area_column),
            period=column(period_column),
            value=column(topic),
            measure_code=lambda raw: measure_code(spec, raw),
            area_code=canonical_area,
            period_code=period_code,
            parse_value=parse_text_value,
        )

    def _read(
        self, text: io.TextIOWrapper, spec: TableSpec, context: ReadContext
    ) -> Iterator[Row | RowError | Skip]:
        first = text.readline()
        header_line = 1
        while first and not first.strip():
            header_line += 1
            first = text.readline()
        if not first:
            raise FormatError(FILE_EMPTY)
        delimiter, columns = parse_header(first)
        used = _used_columns(spec, columns)
        measure_column, area_column, _period, topic = used
        describe(context, spec)
        _note_unused(context, columns, used, (d for d, _ in spec.totals))

        # no measure dimension (population): the period column stands in for it, the measure
        # being fixed
        mi = columns.index(measure_column or PERIOD_DIMENSION)
        ai, pi, vi = (columns.index(c) for c in used[1:])
        get = operator.itemgetter(mi, ai, pi, vi)
        totals = [
            (columns.index(dimension), set(keys), dimension)
            for dimension, keys in spec.totals
            if dimension in columns
        ]
        noted: set[str] = set()
        statuses = context.period_status
        measures: dict[str, str] = {}
        areas: dict[str, str] = {}
        period_cache: dict[str, tuple[str, Status]] = {}
        values: dict[str, float | None] = {}
        pseudo: set[str] = set()
        real: set[str] = set()

        reader = csv.reader(itertools.chain((first,), text), delimiter=delimiter)
        next(reader)  # the header, parsed above
        # a record's number is its physical line: the header is line 1 (after blank lines)
        line = header_line  # after a csv.Error: the last record read before it
        csv_errors = 0
        while True:
            start = line + 1
            try:
                for line, fields in enumerate(reader, start):  # line survives a csv.Error
                    try:
                        raw_measure, raw_area, raw_period, raw_value = get(fields)
                    except IndexError:
                        if fields:  # blank lines are skipped
                            yield _short_record(line, fields, used, columns, delimiter)
                        continue

                    if totals:
                        other = next(
                            (
                                name
                                for index, keys, name in totals
                                if index < len(fields) and fields[index].strip() not in keys
                            ),
                            None,
                        )
                        if other is not None:
                            if other not in noted:
                                noted.add(other)
                                context.notes.append(Note(ONLY_TOTALS, dimension=other))
                            continue

                    try:
                        measure = measures[raw_measure]
                    except KeyError:
                        if not raw_measure.strip():
                            yield RowError(line, measure_column, raw_measure, MISSING_CODE)
                            continue
                        measure = measures[raw_measure] = measure_code(spec, raw_measure)

                    try:
                        area = areas[raw_area]
                    except KeyError:
                        if not raw_area.strip():
                            yield RowError(line, area_column, raw_area, MISSING_AREA_CODE)
                            continue
                        area = areas[raw_area] = canonical_area(raw_area)
                    if area in pseudo or (area not in real and is_pseudo_region(area)):
                        pseudo.add(area)
                        yield Skip(line, SkipReason.PSEUDO_REGION, area_column, raw_area.strip())
                        continue
                    real.add(area)

                    try:
                        period, status = period_cache[raw_period]
                    except KeyError:
                        key = raw_period.strip().upper()
                        try:
                            shifted = shifted_period(spec, key)
                        except periods.PeriodError:
                            yield RowError(line, PERIOD_DIMENSION, raw_period, UNKNOWN_CBS_PERIOD)
                            continue
                        status = statuses.get(key, Status.ONBEKEND)
                        period = shifted or ""
                        period_cache[raw_period] = (period, status)
                    if not period:
                        if "months" not in noted:
                            noted.add("months")
                            context.notes.append(Note(MONTHS_NOT_IMPORTED))
                        continue

                    try:
                        value = values[raw_value]
                    except KeyError:
                        try:
                            value = parse_text_value(raw_value)
                        except ValueError as exc:
                            yield RowError(line, topic, raw_value, str(exc))
                            continue
                        if len(values) < VALUE_CACHE_SIZE:
                            values[raw_value] = value

                    yield Row(line, area, measure, period, value, status)
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


def _used_columns(spec: TableSpec, columns: list[str]) -> tuple[str, str, str, str]:
    """Measure, area, period and count column of a header; FormatError when one lacks."""
    measure_column = spec.measure_dimension
    area_column = next((c for c in spec.area_dimensions if c in columns), None)
    topic = find_topic(spec, columns)
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


def _note_unused(
    context: ReadContext, columns: list[str], used: tuple[str, ...], quiet: Iterable[str] = ()
) -> None:
    quiet = set(quiet)
    for column in columns:
        if column in used or column in ID_COLUMNS or column in INDEX_COLUMNS or column in quiet:
            continue
        context.notes.append(Note(COLUMN_NOT_IMPORTED, column=column))


def _short_record(
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


ADAPTER = ODataCsvAdapter()
