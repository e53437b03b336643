"""CBS/politie OData v3 JSON: ``TypedDataSet`` and ``UntypedDataSet`` downloads.

A data set is what ``https://opendata.cbs.nl/ODataApi/OData/<TABLE>/TypedDataSet`` (CBS) or
``https://dataderden.cbs.nl/ODataApi/OData/<TABLE>/TypedDataSet`` (politie) returns::

    {"odata.metadata": "https://…/ODataApi/OData/83648NED/$metadata#Cbs.OData.WebAPI.TypedDataSet",
     "value": [{"ID": 0, "SoortMisdrijf": "T001161", "RegioS": "GM0556", "Perioden": "2022JJ00",
                "TotaalGeregistreerdeMisdrijven_1": 1245, …}, …]}

Each record becomes one :class:`Row`: the area dimension (``RegioS`` or ``WijkenEnBuurten``) gives
the area, the measure dimension of the table (``SoortMisdrijf``, ``SoortOverlast``) the measure
(``politie:1.1.1``, ``cbs:T001161``), ``Perioden`` the period, and the count topic of the table
(see :data:`~regie.monitor.sources.base.TABLES`) the value. Other topic columns are not imported;
the report says so once per column.

Pitfalls handled here: keys are space-padded (``"1.1.1 "``, ``"GM0556    "``) and are trimmed;
``NL00`` becomes ``NL01``; ``null`` (typed) and ``"."``, ``""`` or ``"       ."`` (untyped) mean
*not published* and give ``value=None``, never 0; roll-up codes (``0.0.0``, ``T001161``, ``CRI…``)
are kept as their own measure codes (the import service keeps them apart from their parts).

The file is read with :func:`json.load` as a whole. That is fine for the files people download
(a ``TypedDataSet`` page is at most 10,000 records; even a full 47018NED year is well under
100 MB); larger bulk data belongs in the CSV adapter (``odata-csv``), which streams.

The module also parses the dimension resources (``/SoortMisdrijf``, ``/RegioS``, ``/Perioden``)
and ``/DataProperties``; :func:`period_statuses` gives the publication status per period for
:attr:`ReadContext.period_status`. :class:`RecordReader` holds the row logic; the live API client
(:mod:`regie.monitor.sources.odata_api`) feeds its pages through it as well.

The shared tables and values live in :mod:`~regie.monitor.sources.odata_common`, the dimension
resources in :mod:`~regie.monitor.sources.odata_resources`; their names are imported here too.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import IO

from regie.monitor.sources.base import (
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
from regie.monitor.sources.odata_common import COLUMN_NOT_IMPORTED as COLUMN_NOT_IMPORTED
from regie.monitor.sources.odata_common import ID_COLUMNS as ID_COLUMNS
from regie.monitor.sources.odata_common import MISSING_AREA_CODE as MISSING_AREA_CODE
from regie.monitor.sources.odata_common import MISSING_CODE as MISSING_CODE
from regie.monitor.sources.odata_common import MISSING_PERIOD as MISSING_PERIOD
from regie.monitor.sources.odata_common import MISSING_TEXTS as MISSING_TEXTS
from regie.monitor.sources.odata_common import MISSING_VALUE as MISSING_VALUE
from regie.monitor.sources.odata_common import MONTHS_NOT_IMPORTED as MONTHS_NOT_IMPORTED
from regie.monitor.sources.odata_common import NEXT_PAGE as NEXT_PAGE
from regie.monitor.sources.odata_common import NOT_A_NUMBER as NOT_A_NUMBER
from regie.monitor.sources.odata_common import NOT_AN_OBJECT as NOT_AN_OBJECT
from regie.monitor.sources.odata_common import NOT_FINITE as NOT_FINITE
from regie.monitor.sources.odata_common import ONLY_TOTALS as ONLY_TOTALS
from regie.monitor.sources.odata_common import PERIOD_DIMENSION as PERIOD_DIMENSION
from regie.monitor.sources.odata_common import UNKNOWN_CBS_PERIOD as UNKNOWN_CBS_PERIOD
from regie.monitor.sources.odata_common import breakdown_total as breakdown_total
from regie.monitor.sources.odata_common import describe as describe
from regie.monitor.sources.odata_common import find_count_topic as find_count_topic
from regie.monitor.sources.odata_common import load_json as load_json
from regie.monitor.sources.odata_common import measure_code as measure_code
from regie.monitor.sources.odata_common import parse_text_value as parse_text_value
from regie.monitor.sources.odata_common import parse_value as parse_value
from regie.monitor.sources.odata_common import resolve_table as resolve_table
from regie.monitor.sources.odata_common import shifted_period as shifted_period
from regie.monitor.sources.odata_common import shown as shown
from regie.monitor.sources.odata_common import spec_for as spec_for
from regie.monitor.sources.odata_common import table_from_text as table_from_text
from regie.monitor.sources.odata_common import table_from_url as table_from_url
from regie.monitor.sources.odata_common import unwrap as unwrap
from regie.monitor.sources.odata_resources import DataProperty as DataProperty
from regie.monitor.sources.odata_resources import DimensionItem as DimensionItem
from regie.monitor.sources.odata_resources import parse_data_properties as parse_data_properties
from regie.monitor.sources.odata_resources import parse_dimension as parse_dimension
from regie.monitor.sources.odata_resources import parse_status as parse_status
from regie.monitor.sources.odata_resources import period_statuses as period_statuses
from regie.stats import periods

NAME = "odata-v3"
DESCRIPTION = "CBS/politie OData v3 JSON (TypedDataSet or UntypedDataSet download)"


# --------------------------------------------------------------------------- rows


@dataclass(frozen=True, slots=True)
class _Layout:
    measure: str  # "" for a table without a measure dimension (population)
    area: str
    topic: str
    columns: frozenset[str]  # every column of the first record


class RecordReader:
    """Turns data set records (JSON objects) of one table into rows.

    :meth:`read` may be called once per page; record numbers continue across calls. The column
    layout (area dimension, count topic) is taken from the first record. Pseudo-regions
    (``RE99``, ``GM0998`` …) give :class:`Skip`; of breakdown dimensions (``spec.totals``) only
    the totals are read.
    """

    def __init__(self, spec: TableSpec, context: ReadContext) -> None:
        self.spec = spec
        self.context = context
        self.line = 0
        self._layout: _Layout | None = None
        self._noted: set[str] = set()
        self._measures: dict[str, str] = {}
        self._areas: dict[str, str] = {}
        self._periods: dict[str, tuple[str | None, Status] | str] = {}

    def _note_once(self, key: str, note: Note) -> None:
        if key not in self._noted:
            self._noted.add(key)
            self.context.notes.append(note)

    def _note_columns(self, columns: Iterable[str], layout: _Layout) -> None:
        used = {layout.measure, layout.area, PERIOD_DIMENSION, layout.topic}
        used |= {dimension for dimension, _ in self.spec.totals}
        for column in columns:
            if column in used or column in ID_COLUMNS:
                continue
            self._note_once(column, Note(COLUMN_NOT_IMPORTED, column=column))

    def _make_layout(self, record: Mapping[str, object]) -> _Layout:
        spec = self.spec
        columns = list(record)
        wanted = [c for c in (spec.measure_dimension, PERIOD_DIMENSION) if c]
        missing = [c for c in wanted if c not in record]
        area = next((c for c in spec.area_dimensions if c in record), None)
        if area is None:
            missing.append(" or ".join(spec.area_dimensions))
        if missing or area is None:
            raise FormatError(
                gettext_noop(
                    "table %(table)s: the records lack %(missing)s (columns: %(columns)s)"
                ),
                table=spec.table,
                missing=", ".join(missing),
                columns=", ".join(columns),
            )
        topic = find_count_topic(spec, columns)
        if topic is None:
            raise FormatError(
                gettext_noop(
                    "table %(table)s: none of the count columns %(topics)s is in the file "
                    "(columns: %(columns)s)"
                ),
                table=spec.table,
                topics=", ".join(spec.count_topics),
                columns=", ".join(columns),
            )
        layout = _Layout(spec.measure_dimension, area, topic, frozenset(columns))
        self._note_columns(columns, layout)
        return layout

    def _period(self, raw: str) -> tuple[str | None, Status] | str:
        cached = self._periods.get(raw)
        if cached is None:
            key = raw.strip().upper()
            try:
                code = shifted_period(self.spec, key)
            except periods.PeriodError:
                cached = UNKNOWN_CBS_PERIOD
            else:
                cached = (code, self.context.period_status.get(key, Status.ONBEKEND))
            self._periods[raw] = cached
        return cached

    def read(self, records: Iterable[object]) -> Iterator[Row | RowError | Skip]:
        for record in records:
            self.line += 1
            line = self.line
            if not isinstance(record, Mapping):
                yield RowError(line, "", shown(record), NOT_AN_OBJECT)
                continue
            item = self._record(line, record)
            if item is not None:
                yield item

    def _record(self, line: int, record: Mapping[str, object]) -> Row | RowError | Skip | None:
        """The row of one record; None when it is passed over (not a total, another month)."""
        layout = self._layout
        if layout is None:
            layout = self._layout = self._make_layout(record)
        elif record.keys() != layout.columns:
            self._note_columns(record, layout)
        if self.spec.totals:
            dimension = breakdown_total(self.spec, record)
            if dimension is not None:
                self._note_once(f"totals {dimension}", Note(ONLY_TOTALS, dimension=dimension))
                return None
        measure = self._measure(line, record, layout)
        if isinstance(measure, RowError):
            return measure
        area = self._area(line, record, layout)
        if not isinstance(area, str):
            return area
        period = self._record_period(line, record)
        if not isinstance(period, tuple):
            return period
        if layout.topic not in record:
            return RowError(line, layout.topic, "", MISSING_VALUE)
        raw_value = record[layout.topic]
        try:
            value = parse_value(raw_value)
        except ValueError as exc:
            return RowError(line, layout.topic, shown(raw_value), str(exc))
        return Row(line, area, measure, period[0], value, period[1])

    def _measure(self, line: int, record: Mapping[str, object], layout: _Layout) -> str | RowError:
        if not layout.measure:
            return self.spec.fixed_measure
        raw_measure = record.get(layout.measure)
        if not isinstance(raw_measure, str) or not raw_measure.strip():
            return RowError(line, layout.measure, shown(raw_measure), MISSING_CODE)
        measure = self._measures.get(raw_measure)
        if measure is None:
            measure = self._measures[raw_measure] = measure_code(self.spec, raw_measure)
        return measure

    def _area(
        self, line: int, record: Mapping[str, object], layout: _Layout
    ) -> str | RowError | Skip:
        raw_area = record.get(layout.area)
        if not isinstance(raw_area, str) or not raw_area.strip():
            return RowError(line, layout.area, shown(raw_area), MISSING_AREA_CODE)
        area = self._areas.get(raw_area)
        if area is None:
            area = self._areas[raw_area] = canonical_area(raw_area)
        if is_pseudo_region(area):
            return Skip(line, SkipReason.PSEUDO_REGION, layout.area, raw_area.strip())
        return area

    def _record_period(
        self, line: int, record: Mapping[str, object]
    ) -> tuple[str, Status] | RowError | None:
        """(period code, status) of a record; None for a month that is not imported (noted)."""
        raw_period = record.get(PERIOD_DIMENSION)
        if not isinstance(raw_period, str):
            return RowError(line, PERIOD_DIMENSION, shown(raw_period), MISSING_PERIOD)
        period = self._period(raw_period)
        if isinstance(period, str):
            return RowError(line, PERIOD_DIMENSION, raw_period, period)
        code, status = period
        if code is None:
            self._note_once("months", Note(MONTHS_NOT_IMPORTED))
            return None
        return code, status


# --------------------------------------------------------------------------- the adapter


class ODataV3Adapter:
    name = NAME
    description = DESCRIPTION

    def sniff(self, head: bytes, filename: str) -> bool:
        text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
        if not text.startswith((b"{", b"[")):
            return False
        if b'"odata.metadata"' in text:
            return b"DataSet" in text  # TypedDataSet / UntypedDataSet, not a dimension resource
        if b'"@odata.context"' in text or b'"Measure"' in text:
            return False  # OData v4
        return b'"Perioden"' in text and (b'"RegioS"' in text or b'"WijkenEnBuurten"' in text)

    def read(self, stream: IO[bytes], context: ReadContext) -> Iterator[Row | RowError | Skip]:
        records, metadata, next_link = unwrap(load_json(stream))
        spec = resolve_table(context, table_from_url(metadata))
        describe(context, spec)
        if next_link:
            context.notes.append(Note(NEXT_PAGE))
        yield from RecordReader(spec, context).read(records)


ADAPTER = ODataV3Adapter()
