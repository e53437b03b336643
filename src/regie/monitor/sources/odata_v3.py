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
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import IO

from regie.monitor.sources.base import (
    STATUS_BY_CBS_TEXT,
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
    canonical_key,
    gettext_noop,
    is_pseudo_region,
    shorten,
)
from regie.stats import periods

NAME = "odata-v3"
DESCRIPTION = "CBS/politie OData v3 JSON (TypedDataSet or UntypedDataSet download)"

PERIOD_DIMENSION = "Perioden"
#: record id column of a data set; never imported and never reported
ID_COLUMNS = frozenset({"ID", "Id"})
#: untyped (or hand-edited) texts that mean "not published": value None, never 0.
#: CBS symbols: "." = figure unknown or not published, "x" = secret.
MISSING_TEXTS = frozenset({"", ".", "x", "X"})

#: row error messages (English msgids; the import service translates them)
MISSING_CODE = gettext_noop("missing code")
MISSING_AREA_CODE = gettext_noop("missing area code")
MISSING_PERIOD = gettext_noop("missing period")
UNKNOWN_CBS_PERIOD = gettext_noop("unknown CBS period")
MISSING_VALUE = gettext_noop("missing value")
NOT_AN_OBJECT = gettext_noop("record is not a JSON object")
NOT_A_NUMBER = gettext_noop("not a number")
NOT_FINITE = gettext_noop("not a finite number")
COLUMN_NOT_IMPORTED = gettext_noop("column %(column)r not imported")
ONLY_TOTALS = gettext_noop(
    "only the totals of %(dimension)s are imported; the other rows were passed over"
)
MONTHS_NOT_IMPORTED = gettext_noop(
    "only the population at the end of December is imported (as 1 January of the next year); "
    "other months were passed over"
)
NEXT_PAGE = gettext_noop(
    "the file is one page of a larger result (odata.nextLink): later pages were not downloaded"
)

_TABLE_IN_URL = re.compile(r"/([0-9]{5}[A-Za-z]{3})(?:/|$)")
_TABLE_ID = re.compile(r"(?<![0-9A-Za-z])([0-9]{5}(?:NED|ENG))(?![0-9A-Za-z])", re.IGNORECASE)
_NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$")


# --------------------------------------------------------------------------- tables and values


def table_from_url(url: str) -> str:
    """The table id in an OData URL (``…/ODataApi/OData/83648NED/$metadata#…`` → ``83648NED``)."""
    m = _TABLE_IN_URL.search(url)
    return m[1].upper() if m else ""


def table_from_text(text: str) -> str:
    """A table id mentioned in a text such as a file name (``data_47018NED_2023.csv``), or ""."""
    m = _TABLE_ID.search(text)
    return m[1].upper() if m else ""


def spec_for(table: str) -> TableSpec:
    """The :class:`TableSpec` of a table id; :class:`FormatError` when the table is unknown."""
    key = table.strip().upper()
    if not key:
        raise FormatError(TABLE_UNKNOWN, example="83648NED")
    try:
        return TABLES[key]
    except KeyError:
        raise FormatError(
            gettext_noop("table %(table)s is not supported; supported tables: %(tables)s"),
            table=key,
            tables=", ".join(sorted(TABLES)),
        ) from None


def describe(context: ReadContext, spec: TableSpec) -> None:
    """Fill ``context.info`` with source, table and title of a table."""
    context.info.source = "CBS" if spec.source == "cbs" else "Politie"
    context.info.table = spec.table
    context.info.title = spec.title


def measure_code(spec: TableSpec, key: str) -> str:
    if spec.fixed_measure:
        return spec.fixed_measure
    return f"{spec.source}:{canonical_key(key)}"


def find_count_topic(spec: TableSpec, columns: Iterable[str]) -> str | None:
    """The count topic among ``columns``: a ``count_topics`` key, or one without its ``_N``
    suffix, or (population tables) a key that starts like one (``…VanDePeriode_15``)."""
    names = list(columns)
    for topic in spec.count_topics:
        if topic in names:
            return topic
    for topic in spec.count_topics:
        bare = re.sub(r"_\d+$", "", topic)
        if bare in names:
            return bare
    if spec.fixed_measure:
        for topic in spec.count_topics:
            bare = re.sub(r"_\d+$", "", topic)
            found = next((n for n in names if n.startswith(bare)), None)
            if found:
                return found
    return None


def shifted_period(spec: TableSpec, key: str) -> str | None:
    """The period code of a CBS key for the table: the key's own period, or (``year_shift``)
    the year after the end of a year or of December; None for a month that is not imported.
    Raises :class:`periods.PeriodError` for an unknown key."""
    period = periods.from_cbs(key)
    if not spec.fixed_measure:
        return period.code
    if period.kind == periods.PeriodKind.MONTH:
        if spec.year_shift and period.start.month == 12:
            return str(period.start.year + spec.year_shift)
        if not spec.year_shift and period.start.month == 1:
            return str(period.start.year)
        return None
    if period.kind != periods.PeriodKind.YEAR:
        return None
    return str(period.start.year + spec.year_shift)


def breakdown_total(spec: TableSpec, record: Mapping[str, object]) -> str | None:
    """The first breakdown dimension (``spec.totals``) whose key in ``record`` is not its
    total, or None when the record is a total in every breakdown."""
    for dimension, totals in spec.totals:
        raw = record.get(dimension)
        if isinstance(raw, str) and raw.strip() and raw.strip() not in totals:
            return dimension
    return None


def parse_text_value(text: str) -> float | None:
    """An untyped OData value: padded number text, or a not-published marker (→ None).

    Raises :class:`ValueError` with an English message for anything else.
    """
    stripped = text.strip()
    if stripped in MISSING_TEXTS:
        return None
    if not _NUMBER.match(stripped):
        raise ValueError(NOT_A_NUMBER)
    return float(stripped)


def parse_value(raw: object) -> float | None:
    """A typed or untyped OData value → float, or None when not published (never 0)."""
    if raw is None:
        return None
    if isinstance(raw, bool):
        raise ValueError(NOT_A_NUMBER)
    if isinstance(raw, int | float):
        value = float(raw)
        if not math.isfinite(value):
            raise ValueError(NOT_FINITE)
        return value
    if isinstance(raw, str):
        return parse_text_value(raw)
    raise ValueError(NOT_A_NUMBER)


def shown(raw: object, limit: int = 100) -> str:
    """A raw value as text for :class:`RowError` (strings verbatim, other JSON as JSON)."""
    if isinstance(raw, str):
        text = raw
    else:
        try:
            text = json.dumps(raw, ensure_ascii=False)
        except (TypeError, ValueError):
            text = repr(raw)
    return shorten(text, limit)


# --------------------------------------------------------------------------- dimension resources


@dataclass(frozen=True, slots=True)
class DimensionItem:
    """One entry of a dimension resource (``/SoortMisdrijf``, ``/RegioS``, ``/Perioden`` …)."""

    key: str  # trimmed: "1.1.1", "GM0556", "2022JJ00"
    title: str
    description: str = ""
    #: only for ``/Perioden``: Definitief / Voorlopig / Nader voorlopig
    status: Status | None = None
    category_group: int | None = None


@dataclass(frozen=True, slots=True)
class DataProperty:
    """One entry of ``/DataProperties``: a dimension or a topic column of the table."""

    key: str  # "SoortMisdrijf", "GeregistreerdeMisdrijven_1"; "" for topic groups
    type: str  # "Dimension", "GeoDimension", "GeoDetail", "TimeDimension", "Topic", "TopicGroup"
    title: str
    description: str = ""
    unit: str = ""
    datatype: str = ""
    decimals: int | None = None

    @property
    def is_topic(self) -> bool:
        return self.type == "Topic"

    @property
    def is_area_dimension(self) -> bool:
        return self.type in ("GeoDimension", "GeoDetail")


def load_json(data: bytes | str | IO[bytes]) -> object:
    """Parse JSON from bytes, text or a binary stream; :class:`FormatError` when it is not JSON."""
    try:
        if isinstance(data, bytes | str):
            return json.loads(data)
        return json.load(data)
    except (ValueError, RecursionError) as exc:  # JSONDecodeError and UnicodeDecodeError
        raise FormatError(gettext_noop("the file is not valid JSON")) from exc


def _records(data: object, what: str) -> list[object]:
    if isinstance(data, bytes | str):
        data = load_json(data)
    if isinstance(data, Mapping):
        data = data.get("value")
    if not isinstance(data, list):
        raise FormatError(
            gettext_noop("%(what)s: expected a JSON object with a 'value' list"), what=what
        )
    return data


def _text(record: Mapping[str, object], name: str) -> str:
    raw = record.get(name)
    return raw.strip() if isinstance(raw, str) else ""


def _int_or_none(raw: object) -> int | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw
    if isinstance(raw, str) and raw.strip().isdigit():
        return int(raw.strip())
    return None


def parse_status(text: str) -> Status:
    """``"Definitief"``/``"Voorlopig"``/``"Nader voorlopig"`` → :class:`Status` (else ONBEKEND)."""
    return STATUS_BY_CBS_TEXT.get(" ".join(text.split()).lower(), Status.ONBEKEND)


def parse_dimension(data: object) -> list[DimensionItem]:
    """Parse a dimension resource: ``{"value": [{"Key": "1.1.1 ", "Title": …}, …]}``.

    ``data`` is parsed JSON, or JSON bytes/text. Keys are trimmed. Entries without a key are
    skipped. Raises :class:`FormatError` when the layout is not a dimension resource.
    """
    items = []
    for record in _records(data, "dimension resource"):
        if not isinstance(record, Mapping):
            continue
        key = _text(record, "Key")
        if not key:
            continue
        status_text = _text(record, "Status")
        items.append(
            DimensionItem(
                key=canonical_key(key),
                title=_text(record, "Title"),
                description=_text(record, "Description"),
                status=parse_status(status_text) if status_text else None,
                category_group=_int_or_none(record.get("CategoryGroupID")),
            )
        )
    return items


def period_statuses(data: object) -> dict[str, Status]:
    """A ``/Perioden`` resource → ``{"2022JJ00": Status.VOORLOPIG, …}`` for ``period_status``."""
    return {item.key: item.status for item in parse_dimension(data) if item.status is not None}


def parse_data_properties(data: object) -> list[DataProperty]:
    """Parse ``/DataProperties``: the dimensions and topics of a table, in table order."""
    properties = []
    for record in _records(data, "DataProperties"):
        if not isinstance(record, Mapping):
            continue
        kind = _text(record, "Type")
        if not kind:
            continue
        properties.append(
            DataProperty(
                key=_text(record, "Key"),
                type=kind,
                title=_text(record, "Title"),
                description=_text(record, "Description"),
                unit=_text(record, "Unit"),
                datatype=_text(record, "Datatype"),
                decimals=_int_or_none(record.get("Decimals")),
            )
        )
    return properties


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
        spec = self.spec
        measures, areas = self._measures, self._areas
        for record in records:
            self.line += 1
            line = self.line
            if not isinstance(record, Mapping):
                yield RowError(line, "", shown(record), NOT_AN_OBJECT)
                continue
            layout = self._layout
            if layout is None:
                layout = self._layout = self._make_layout(record)
            elif record.keys() != layout.columns:
                self._note_columns(record, layout)

            if spec.totals:
                dimension = breakdown_total(spec, record)
                if dimension is not None:
                    self._note_once(f"totals {dimension}", Note(ONLY_TOTALS, dimension=dimension))
                    continue

            if layout.measure:
                raw_measure = record.get(layout.measure)
                if not isinstance(raw_measure, str) or not raw_measure.strip():
                    yield RowError(line, layout.measure, shown(raw_measure), MISSING_CODE)
                    continue
                measure = measures.get(raw_measure)
                if measure is None:
                    measure = measures[raw_measure] = measure_code(spec, raw_measure)
            else:
                measure = spec.fixed_measure

            raw_area = record.get(layout.area)
            if not isinstance(raw_area, str) or not raw_area.strip():
                yield RowError(line, layout.area, shown(raw_area), MISSING_AREA_CODE)
                continue
            area = areas.get(raw_area)
            if area is None:
                area = areas[raw_area] = canonical_area(raw_area)
            if is_pseudo_region(area):
                yield Skip(line, SkipReason.PSEUDO_REGION, layout.area, raw_area.strip())
                continue

            raw_period = record.get(PERIOD_DIMENSION)
            if not isinstance(raw_period, str):
                yield RowError(line, PERIOD_DIMENSION, shown(raw_period), MISSING_PERIOD)
                continue
            period = self._period(raw_period)
            if isinstance(period, str):
                yield RowError(line, PERIOD_DIMENSION, raw_period, period)
                continue
            if period[0] is None:
                self._note_once("months", Note(MONTHS_NOT_IMPORTED))
                continue

            if layout.topic not in record:
                yield RowError(line, layout.topic, "", MISSING_VALUE)
                continue
            raw_value = record[layout.topic]
            try:
                value = parse_value(raw_value)
            except ValueError as exc:
                yield RowError(line, layout.topic, shown(raw_value), str(exc))
                continue
            yield Row(line, area, measure, period[0], value, period[1])


# --------------------------------------------------------------------------- the adapter


def unwrap(data: object) -> tuple[list[object], str, str]:
    """A parsed data set → (records, ``odata.metadata`` URL, ``odata.nextLink`` URL).

    Also accepts a bare list of records (``pandas.DataFrame.to_json(orient="records")``).
    """
    if isinstance(data, list):
        return data, "", ""
    if not isinstance(data, Mapping) or not isinstance(data.get("value"), list):
        raise FormatError(
            gettext_noop("not an OData v3 data set: expected a JSON object with a 'value' list")
        )
    metadata = data.get("odata.metadata")
    next_link = data.get("odata.nextLink")
    return (
        data["value"],
        metadata if isinstance(metadata, str) else "",
        next_link if isinstance(next_link, str) else "",
    )


def resolve_table(context: ReadContext, found: str) -> TableSpec:
    """The table named by ``--table``, else the one found in the file; they must agree."""
    given = context.table.strip().upper()
    if given and found and given != found:
        raise FormatError(
            gettext_noop("the file holds table %(found)s, not %(given)s as given with --table"),
            found=found,
            given=given,
        )
    return spec_for(given or found)


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
