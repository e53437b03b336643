"""The columnar import path: a whole national file checked and stored as arrays (ADR 0010).

A file that an adapter can read as columns (:class:`Columns`, from pyarrow's CSV reader) is
checked here value by value *per distinct text*, not per row: a national police file of
3.7 million rows holds 59 measures, 342 areas, 183 periods and a few thousand distinct counts.
:func:`prepare` maps those to ids, finds repeated rows with one sort, and orders the points by
series; :func:`store` writes each series that does not exist yet as one row whose JSON text is
cut from one buffer, and hands the points of series that do exist to the import service's
writer, which merges them (unchanged, revised) as it does for any other file.

Rows of pseudo-regions (Buitenland, GM0999, RE99 …) are left out and counted (the report says
how many were skipped), as the row reader does. A figure of a former gemeente for a period after
its herindeling sends the file to the row reader, which names it. Whenever anything else is
unusual — an unknown code, a value that is no number, a repeated row, no
rows — :func:`prepare` returns ``None`` and the import service reads the file again row by row,
which names every error with its row, column and value. The two paths store the same figures
(tests compare them).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from django.db import connection

from regie.monitor.models import Series
from regie.monitor.sources.base import RowError, Status, clean_label, is_pseudo_region
from regie.stats import periods

#: The texts of skipped pseudo-regions a report names.
SKIPPED_SHOWN = 4

#: Points per slice of :func:`store` (memory: a few hundred bytes per point while it is written).
SLICE_POINTS = 100_000

if TYPE_CHECKING:
    import numpy as np
    import pyarrow as pa


class Lookup(Protocol):
    """What :func:`prepare` reads of the catalogue (the import service's ``CatalogueLookup``):
    this module does not import the service, which imports it."""

    measure_ids: dict[str, int]
    derived: set[str]

    @property
    def figure_area_ids(self) -> dict[str, int]: ...

    @property
    def ceased(self) -> dict[int, dt.date]: ...


class Writer(Protocol):
    """What :func:`store` uses of the import service's writer of series (``_SeriesWriter``)."""

    batch_id: int
    owner_id: int | None
    stored: int
    size: int

    @property
    def writes(self) -> bool: ...

    def period(self, code: str, start: str, end: str, kind: str) -> None: ...

    def save_periods(self) -> None: ...

    def existing(
        self, keys: Iterable[tuple[int, int]]
    ) -> dict[tuple[int, int], tuple[int, Any]]: ...

    def add(
        self, area_id: int, measure_id: int, code: str, value: float | None, status: str, line: int
    ) -> None: ...

    def flush(self) -> list[RowError]: ...


#: Per point: index into the distinct measures, areas, periods and values of its file.
Indices = tuple[
    "np.ndarray[Any, Any]", "np.ndarray[Any, Any]", "np.ndarray[Any, Any]", "np.ndarray[Any, Any]"
]
#: The distinct periods: canonical code → (period, status); the codes in time order.
Periods = tuple[dict[str, tuple[periods.Period, Status]], list[str]]


@dataclass
class Columns:
    """The four imported columns of a file as pyarrow dictionary arrays (raw texts).

    ``measure_code``, ``area_code``, ``period_code`` and ``value`` turn one raw text into the
    canonical code or value, or raise :class:`ValueError` (the row reader then names the error).
    """

    measure: pa.DictionaryArray
    area: pa.DictionaryArray
    period: pa.DictionaryArray
    value: pa.DictionaryArray
    measure_code: Callable[[str], str]
    area_code: Callable[[str], str]
    period_code: Callable[[str], tuple[str, Status]]
    parse_value: Callable[[str], float | None]


@dataclass
class Prepared:
    """Checked points, sorted by series and period, ready for :func:`store`."""

    count: int
    first: dt.date
    last: dt.date
    #: per point: index into ``heads`` (its period), ``values`` (its value text)
    period_index: np.ndarray[Any, Any]
    value_index: np.ndarray[Any, Any]
    #: ``["2023M10",`` per period, JSON text of each distinct value, status per period
    heads: list[str]
    values: list[str]
    statuses: list[str]
    periods: list[tuple[str, str, str, str]]  # (code, start, end, kind)
    #: per series: (measure id, area id) and the first point; ``bounds[-1]`` is ``count``
    keys: list[tuple[int, int]]
    bounds: list[int]
    #: rows of pseudo-regions (Buitenland, GM0999 …) left out, and their first area texts
    skipped: int = 0
    skipped_areas: list[str] = field(default_factory=list)


def _number(value: float) -> str:
    """JSON text of a value: whole numbers without ``.0`` (the view reads every value as real)."""
    return str(int(value)) if value.is_integer() and abs(value) < 2**53 else json.dumps(value)


def _codes(array: pa.DictionaryArray, convert: Callable[[str], Any]) -> list[Any] | None:
    """``convert`` of every distinct raw text, or None when one of them fails."""
    out: list[Any] = []
    for raw in array.dictionary.to_pylist():
        try:
            out.append(convert(raw))
        except (ValueError, KeyError, periods.PeriodError):
            return None
    return out


def _indices(array: pa.DictionaryArray) -> np.ndarray[Any, Any]:
    """The dictionary indices as a numpy view (no copy; ``to_numpy`` would import pandas)."""
    import numpy as np

    indices = array.indices
    if indices.null_count:
        raise ValueError("null in a dictionary column")  # the reader is told to keep texts
    buffer = indices.buffers()[1]
    dtype = np.dtype(indices.type.to_pandas_dtype())
    return np.frombuffer(buffer, dtype=dtype)[indices.offset : indices.offset + len(indices)]


def prepare(columns: Columns, lookup: Lookup) -> Prepared | None:
    """Check and sort the points of ``columns``; None when the row reader must do it."""
    import numpy as np

    count = len(columns.measure)
    if count == 0:
        return None
    distinct = _distinct(columns, lookup)
    if distinct is None:
        return None
    measures, areas, raw_periods, values = distinct
    indices: Indices = (
        _indices(columns.measure),
        _indices(columns.area),
        _indices(columns.period),
        _indices(columns.value),
    )
    skipped = 0
    skipped_areas: list[str] = []
    if -1 in areas:
        indices, skipped, skipped_areas = _without_pseudo(columns, areas, indices)
        count -= skipped
        if count == 0:
            return None  # nothing but pseudo-regions: the row reader reports it
    measure_index, area_index, period_index, value_index = indices

    found = _periods(raw_periods)
    if found is None:
        return None  # one period with two statuses: let the row reader decide
    parsed, order = found
    rank = {code: i for i, code in enumerate(order)}
    m = np.asarray(measures, dtype=np.int64)[measure_index]
    a = np.asarray(areas, dtype=np.int64)[area_index]
    p = np.asarray([rank[code] for code, _s in raw_periods], dtype=np.int64)[period_index]
    width = len(order)
    if _outside_validity(a, p, order, parsed, lookup.ceased):
        return None  # a figure of a former gemeente after it ceased: the row reader names it
    area_span = int(a.max()) + 1
    series_key = m * area_span + a
    del m, a
    sorted_series = _series_order(series_key, p, width)
    if sorted_series is None:
        return None  # repeated rows: the row reader names them
    sort, series_key, starts = sorted_series
    keys = [(int(k) // area_span, int(k) % area_span) for k in series_key[starts]]
    used = np.flatnonzero(np.bincount(p, minlength=width))
    entries = [parsed[order[i]][0] for i in used]
    return Prepared(
        count=count,
        first=min(e.start for e in entries),
        last=max(e.end for e in entries),
        period_index=p[sort].astype(np.int32),
        value_index=value_index[sort],
        heads=[f"[{json.dumps(code)}," for code in order],
        values=["null" if x is None else _number(x) for x in values],
        statuses=[Status(parsed[code][1]).value for code in order],
        periods=[
            (
                code,
                parsed[code][0].start.isoformat(),
                parsed[code][0].end.isoformat(),
                parsed[code][0].kind.value,
            )
            for code in order
        ],
        keys=keys,
        bounds=[*starts.tolist(), count],
        skipped=skipped,
        skipped_areas=skipped_areas,
    )


def _distinct(
    columns: Columns, lookup: Lookup
) -> tuple[list[int], list[int], list[tuple[str, Status]], list[float | None]] | None:
    """The measure id, area id (-1: a pseudo-region), period and value of every distinct raw
    text of ``columns``; None when one of them is unknown or no finite number."""
    measure_ids = {c: pk for c, pk in lookup.measure_ids.items() if c not in lookup.derived}
    area_ids = lookup.figure_area_ids

    def measure_id(raw: str) -> int:
        return measure_ids[columns.measure_code(raw)]

    def area_id(raw: str) -> int:
        if not raw.strip():
            raise ValueError("missing area code")
        if is_pseudo_region(raw):
            return -1  # skipped: not an area
        return area_ids[columns.area_code(raw)]

    measures = _codes(columns.measure, measure_id)
    areas = _codes(columns.area, area_id)
    raw_periods = _codes(columns.period, columns.period_code)
    values = _codes(columns.value, columns.parse_value)
    if measures is None or areas is None or raw_periods is None or values is None:
        return None
    if any(v is not None and not -float("inf") < v < float("inf") for v in values):
        return None
    return measures, areas, raw_periods, values


def _without_pseudo(
    columns: Columns, areas: list[int], indices: Indices
) -> tuple[Indices, int, list[str]]:
    """The points of ``indices`` without those of pseudo-regions (area id -1), how many those
    were, and the first of their area texts."""
    import numpy as np

    measure_index, area_index, period_index, value_index = indices
    pseudo = np.asarray([pk == -1 for pk in areas], dtype=bool)[area_index]
    skipped = int(pseudo.sum())
    keep = ~pseudo
    kept: Indices = (
        measure_index[keep],
        area_index[keep],
        period_index[keep],
        value_index[keep],
    )
    raw_areas = columns.area.dictionary.to_pylist()
    used_pseudo = np.flatnonzero(np.bincount(area_index[pseudo], minlength=len(areas)))
    skipped_areas: list[str] = []
    for i in used_pseudo.tolist()[:SKIPPED_SHOWN]:
        text = clean_label(str(raw_areas[i]))
        if text not in skipped_areas:
            skipped_areas.append(text)
    return kept, skipped, skipped_areas


def _periods(raw_periods: list[tuple[str, Status]]) -> Periods | None:
    """Distinct canonical periods (two raw texts may name one period) and their codes in time
    order; None when one period comes with two statuses."""
    parsed: dict[str, tuple[periods.Period, Status]] = {}
    for code, status in raw_periods:
        parsed.setdefault(code, (periods.parse(code), status))
    order = sorted(parsed, key=lambda c: (parsed[c][0].start, parsed[c][0].end))
    if any(parsed[code][1] != status for code, status in raw_periods):
        return None
    return parsed, order


def _series_order(
    series_key: np.ndarray[Any, Any], p: np.ndarray[Any, Any], width: int
) -> tuple[Any, np.ndarray[Any, Any], np.ndarray[Any, Any]] | None:
    """How to sort the points by series and period (``sort``), the series key of each point
    in that order, and where each series starts; None when a point repeats another."""
    import numpy as np

    changes = np.flatnonzero(series_key[1:] != series_key[:-1]) + 1
    starts = np.concatenate(([0], changes))
    same = np.ones(len(series_key) - 1, dtype=bool)
    same[changes - 1] = False
    if len(np.unique(series_key[starts])) == len(starts) and bool(
        (p[1:][same] > p[:-1][same]).all()
    ):
        # Each series in one run of rows, its periods in time order (how national files come):
        # no row repeats another, and nothing needs sorting.
        return slice(None), series_key, starts
    del same, changes
    key = series_key * width + p
    sort = np.argsort(key, kind="stable")
    key = key[sort]
    if bool((key[1:] == key[:-1]).any()):
        return None
    del key
    series_key = series_key[sort]
    starts = np.flatnonzero(np.concatenate(([True], series_key[1:] != series_key[:-1])))
    return sort, series_key, starts


def _outside_validity(
    a: np.ndarray[Any, Any],
    p: np.ndarray[Any, Any],
    order: list[str],
    parsed: dict[str, tuple[periods.Period, Status]],
    ceased: dict[int, dt.date],
) -> bool:
    """Whether a point is of an area for a period that starts on or after the day the area
    ceased to exist (``ceased``: area id → that day)."""
    import numpy as np

    if not ceased:
        return False
    present = np.unique(a)
    ended = {int(pk): ceased[int(pk)] for pk in present if int(pk) in ceased}
    if not ended:
        return False
    starts = [parsed[code][0].start for code in order]
    for pk, day in ended.items():
        first_after = next((i for i, start in enumerate(starts) if start >= day), None)
        if first_after is not None and bool((p[a == pk] >= first_after).any()):
            return True
    return False


def _texts(prepared: Prepared, batch_id: int, first: int, last: int) -> list[str]:
    """The JSON text of series ``first`` to ``last`` (exclusive), cut from one buffer."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    bounds = prepared.bounds
    begin, end = bounds[first], bounds[last]
    period_index = pa.array(prepared.period_index[begin:end])
    points = pc.binary_join_element_wise(
        pa.array(prepared.heads, pa.large_string()).take(period_index),
        pa.array(prepared.values, pa.large_string()).take(
            pa.array(prepared.value_index[begin:end])
        ),
        pa.array(
            [f",{json.dumps(status)},{batch_id}]," for status in prepared.statuses],
            pa.large_string(),
        ).take(period_index),
        pa.scalar("", pa.large_string()),
    )
    _validity, offsets_buffer, data_buffer = points.buffers()
    offsets = np.frombuffer(offsets_buffer, dtype=np.int64)[points.offset :]
    data = data_buffer.to_pybytes()
    texts: list[str] = []
    for i in range(first, last):
        start, stop = int(offsets[bounds[i] - begin]), int(offsets[bounds[i + 1] - begin])
        # Every point ends with a comma: drop the last one.
        texts.append("[" + data[start : stop - 1].decode("ascii") + "]")
    return texts


def store(prepared: Prepared, writer: Writer, slice_points: int = SLICE_POINTS) -> None:
    """Write the series of ``prepared``; points of series that exist go through ``writer``.

    Series go in slices of about ``slice_points`` points, so that memory stays flat.
    """
    for code, start, end, kind in prepared.periods:
        writer.period(code, start, end, kind)
    writer.save_periods()
    bounds = prepared.bounds
    first = 0
    while first < len(prepared.keys):
        last = first + 1
        while last < len(prepared.keys) and bounds[last + 1] - bounds[first] <= slice_points:
            last += 1
        keys = prepared.keys[first:last]
        existing = writer.existing(keys)
        rows: list[tuple[int, int, int | None, str]] = []
        for (measure_id, area_id), text in zip(
            keys, _texts(prepared, writer.batch_id, first, last), strict=True
        ):
            if (measure_id, area_id) in existing:
                for code, value, status, _batch in json.loads(text):
                    writer.add(area_id, measure_id, code, value, status, 0)
            else:
                rows.append((area_id, measure_id, writer.owner_id, text))
        writer.stored += sum(
            bounds[i + 1] - bounds[i]
            for i in range(first, last)
            if prepared.keys[i] not in existing
        )
        if writer.writes:
            _insert(rows)  # a check (dry run) only counts them
        if writer.size >= slice_points:
            writer.flush()  # no row can repeat another: prepare() found none
        first = last


def _insert(rows: list[tuple[int, int, int | None, str]]) -> None:
    """Insert new series rows (JSON text as it is) on the driver's own cursor."""
    if not rows:
        return
    table = Series._meta.db_table
    connection.ensure_connection()
    cursor = connection.connection.cursor()
    try:
        if connection.vendor == "postgresql":
            with cursor.copy(
                f"COPY {table} (area_id, measure_id, owner_id, points) FROM STDIN"
            ) as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            cursor.executemany(
                f"INSERT INTO {table} (area_id, measure_id, owner_id, points) "  # noqa: S608 - table name from the model
                "VALUES (?, ?, ?, ?)",
                rows,
            )
    finally:
        cursor.close()
