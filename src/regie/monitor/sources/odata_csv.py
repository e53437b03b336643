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
row reader (:mod:`~regie.monitor.sources.odata_csv_rows`), is what every file the bulk path
declines goes through: it uses :func:`csv.reader` directly and caches the canonical area, measure
code, period and value per distinct raw text, so that the work per record is four dictionary
look-ups and one :class:`Row`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import IO, TYPE_CHECKING

from regie.monitor.sources.base import (
    TABLE_UNKNOWN,
    TABLES,
    FormatError,
    ReadContext,
    Row,
    RowError,
    Skip,
    Status,
    TableSpec,
    canonical_area,
)
from regie.monitor.sources.odata_common import DELIMITERS as DELIMITERS
from regie.monitor.sources.odata_common import (
    PERIOD_DIMENSION,
    describe,
    find_count_topic,
    measure_code,
    parse_text_value,
    spec_for,
    table_from_text,
)
from regie.monitor.sources.odata_common import detect_delimiter as detect_delimiter
from regie.monitor.sources.odata_common import head_columns as head_columns
from regie.monitor.sources.odata_common import parse_header as parse_header
from regie.monitor.sources.odata_common import stream_name as stream_name
from regie.monitor.sources.odata_common import text_stream as text_stream
from regie.monitor.sources.odata_csv_rows import INDEX_COLUMNS as INDEX_COLUMNS
from regie.monitor.sources.odata_csv_rows import MAX_CSV_ERRORS as MAX_CSV_ERRORS
from regie.monitor.sources.odata_csv_rows import RECORD_FIELDS as RECORD_FIELDS
from regie.monitor.sources.odata_csv_rows import UNREADABLE_RECORD as UNREADABLE_RECORD
from regie.monitor.sources.odata_csv_rows import VALUE_CACHE_SIZE as VALUE_CACHE_SIZE
from regie.monitor.sources.odata_csv_rows import note_unused, read_records, used_columns
from regie.stats import periods

if TYPE_CHECKING:
    from regie.monitor.bulk import Columns

NAME = "odata-csv"
DESCRIPTION = "CBS/politie OData data set saved as CSV or TSV (codes, e.g. from cbsodataR/pandas)"

_MEASURE_DIMENSIONS = frozenset(
    spec.measure_dimension for spec in TABLES.values() if spec.measure_dimension
)
_AREA_DIMENSIONS = frozenset(d for spec in TABLES.values() for d in spec.area_dimensions)


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
            yield from read_records(text, spec, context)
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
            used = used_columns(spec, columns)
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
        note_unused(context, columns, used)
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


ADAPTER = ODataCsvAdapter()
