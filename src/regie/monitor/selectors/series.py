"""Series of figures: every period of a measure for an area, with where each value came from.

The one home of the rules every series follows: own figures before open data for the same cell
(:func:`.figures.own_first`), derived measures computed on read from their components
(:func:`.figures.derived_terms`, :func:`.figures.derived_value`), survey bounds as margins, and
a whole year as published or as the sum of its twelve complete months
(:func:`.figures.year_from_months`).
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field, replace

from django.db.models import TextField
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast
from django.utils.translation import gettext as _

from regie.areas.models import Area
from regie.core import formats
from regie.core.models import Organisation
from regie.monitor import catalogue
from regie.monitor.models import (
    BOUND_SUFFIXES,
    ImportBatch,
    Measure,
    MeasureKind,
    ObservationStatus,
    Unit,
    open_or_own,
    table_label,
)
from regie.monitor.models import Series as StoredSeries
from regie.monitor.selectors import figures as selectors
from regie.stats import periods

#: Units whose values are counts. Poisson intervals and tests need more: the measure's kind must
#: be :attr:`MeasureKind.EVENT_COUNT` (a stock or an amount is a count without chance margin).
COUNT_UNITS = frozenset({Unit.COUNT})


@dataclass(frozen=True)
class Point:
    """One value of a series with where it came from."""

    period: str
    label: str
    kind: str
    year: int
    month: int | None
    value: float | None
    status: str
    tables: tuple[str, ...]
    vintage: dt.datetime | None
    computed: str = ""  # empty: as published; otherwise how it was computed
    #: the published 95 % bounds of a survey figure (CONTRACT I4); None for anything else
    margin: tuple[float, float] | None = None
    #: covers only part of its period (the current month; a month an incident list did not
    #: see whole): named, never judged or summed as a whole period
    incomplete: bool = False
    #: the codes of the former gemeenten summed when ``computed`` is a sum of predecessors
    predecessors: tuple[str, ...] = ()
    note: str = ""  # e.g. "not an official statistic" (Misdaad in kaart)

    @property
    def source_line(self) -> str:
        tables = ", ".join(self.tables)
        vintage = formats.date(self.vintage)
        text = _("%(tables)s, import of %(vintage)s, %(status)s") % {
            "tables": tables,
            "vintage": vintage,
            "status": status_label(self.status),
        }
        extra = [x for x in (self.computed, self.note) if x]
        if self.incomplete:
            extra.append(selectors.incomplete_note(self.label))
        return f"{text} ({'; '.join(extra)})" if extra else text


def status_label(status: str) -> str:
    try:
        return str(ObservationStatus(status).label)
    except ValueError:
        return status


@dataclass
class Series:
    area: Area
    measure: Measure
    points: list[Point] = field(default_factory=list)
    #: the whole years, kept with the points they were computed from (see :meth:`years`)
    _years: tuple[tuple[int, ...], list[Point]] | None = field(
        default=None, init=False, repr=False, compare=False
    )

    @property
    def kind(self) -> str:
        """The measure's kind (:class:`MeasureKind`): which statistics apply (CONTRACT I4)."""
        return str(self.measure.kind)

    @property
    def is_count(self) -> bool:
        """Counts of events: Poisson intervals and tests apply (not stocks or amounts)."""
        return self.measure.is_event_count

    def of_kind(self, *kinds: str) -> list[Point]:
        return [p for p in self.points if p.kind in kinds]

    def years(self) -> list[Point]:
        """Whole years: published ones, else the sum of twelve published, complete months
        (:func:`selectors.year_from_months`, the rule ``regie figure`` and the API use too).

        Computed once for the same points (pages ask a series for its years many times)."""
        key = tuple(map(id, self.points))
        if self._years is None or self._years[0] != key:
            self._years = (key, self._whole_years())
        return list(self._years[1])

    def _whole_years(self) -> list[Point]:
        published = {p.year: p for p in self.of_kind(periods.PeriodKind.YEAR)}
        months: dict[int, list[Point]] = defaultdict(list)
        for point in self.of_kind(periods.PeriodKind.MONTH):
            months[point.year].append(point)
        for year, items in months.items():
            if year in published:
                continue
            _value, reason = selectors.year_from_months(
                year,
                [selectors.MonthPart(p.month or 0, p.value, p.incomplete) for p in items],
            )
            if reason:
                continue
            published[year] = combine_points(
                [str(year)],
                sorted(items, key=lambda p: p.month or 0),
                computed=selectors.year_from_months_note(),
                kind=periods.PeriodKind.YEAR,
            )
        return [published[y] for y in sorted(published)]

    def months(self) -> list[Point]:
        return sorted(self.of_kind(periods.PeriodKind.MONTH), key=lambda p: (p.year, p.month))

    def latest(self, *, complete: bool = False) -> Point | None:
        """The figure that ends last; with ``complete`` only periods counted whole."""
        values = [p for p in self.points if p.value is not None and not (complete and p.incomplete)]
        return max(values, key=_end_key) if values else None


def _end_key(point: Point) -> tuple[dt.date, int]:
    period = periods.parse(point.period)
    return period.end, -period.months


def combine_points(codes: list[str], items: Sequence[Point], *, computed: str, kind: str) -> Point:
    values = [p.value for p in items]
    value = None if any(v is None for v in values) else float(sum(v or 0.0 for v in values))
    tables = tuple(dict.fromkeys(t for p in items for t in p.tables))
    vintages = [p.vintage for p in items if p.vintage is not None]
    code = codes[0]
    period = periods.parse(code)
    return Point(
        period=code,
        label=periods.label(period),
        kind=kind,
        year=period.start.year,
        month=period.start.month if kind == periods.PeriodKind.MONTH else None,
        value=value,
        status=max(
            (p.status for p in items), key=lambda s: selectors.STATUS_RANK.get(s, 3), default=""
        ),
        tables=tables,
        vintage=max(vintages) if vintages else None,
        computed=computed,
        incomplete=any(p.incomplete for p in items),
        note=next((p.note for p in items if p.note), ""),
    )


# --- Loading ------------------------------------------------------------------------------------


def load_series(
    organisation: Organisation | None,
    areas: Sequence[Area],
    measures: Sequence[Measure],
    *,
    years: Collection[int] | None = None,
) -> dict[tuple[int, int], Series]:
    """Every series of ``measures`` × ``areas`` in a few queries (derived measures included).

    ``years`` keeps only the periods that start in those years.
    """
    parts = selectors.derived_terms(measures)
    wanted = {m.pk for m in measures if not m.is_derived}
    wanted |= {c.pk for terms in parts.values() for c, _w in terms}
    # The published bounds of survey measures are read along and become the points' margins.
    surveys = [m for m in measures if m.kind == MeasureKind.SURVEY and not m.is_bound]
    bounds: dict[str, Measure] = {}
    if surveys:
        bound_codes = [f"{m.code}{suffix}" for m in surveys for suffix in BOUND_SUFFIXES]
        bounds = {m.code: m for m in Measure.objects.filter(code__in=bound_codes)}
        wanted |= {m.pk for m in bounds.values()}
    today = dt.date.today()
    rows, fingerprint = _stored_points(organisation, areas, wanted, years)
    batches = _batches({row[6] for row in rows}, fingerprint)
    unofficial = {m.pk for m in measures if catalogue.is_unofficial(m.code)}
    unofficial |= {
        c.pk for terms in parts.values() for c, _w in terms if catalogue.is_unofficial(c.code)
    }
    note_unofficial = selectors.unofficial_note() if unofficial else ""
    cells: dict[tuple[int, int, str], tuple[Point, int | None]] = {}
    for area_id, measure_id, owner, code, value, status, batch_id in rows:
        batch = batches.get(batch_id)
        if batch is None:
            continue  # as the observation view: a figure only with its import
        key = (area_id, measure_id, code)
        # A gemeente's own figure comes before open data for the same cell.
        if key in cells and not selectors.own_first(cells[key][1]) and selectors.own_first(owner):
            continue
        table, vintage, fmt, note = batch
        period, label = _period(code)
        kind = str(period.kind)
        cells[key] = (
            Point(
                period=code,
                label=label,
                kind=kind,
                year=period.start.year,
                month=period.start.month if kind == periods.PeriodKind.MONTH else None,
                value=value,
                status=status,
                tables=(table,),
                vintage=vintage,
                incomplete=selectors.is_incomplete(period, status, fmt, today=today),
                note=note_unofficial if measure_id in unofficial else note,
            ),
            owner,
        )
    by_series: dict[tuple[int, int], dict[str, Point]] = defaultdict(dict)
    for (area_id, measure_id, code), (point, _own) in cells.items():
        by_series[(area_id, measure_id)][code] = point
    result: dict[tuple[int, int], Series] = {}
    for area in areas:
        for measure in measures:
            series = Series(area, measure)
            if measure.is_derived:
                terms = parts.get(measure.pk, [])
                definition = " + ".join(c.name for c, _w in terms)  # words, not codes
                maps = [by_series.get((area.pk, c.pk), {}) for c, _w in terms]
                common = set.intersection(*(set(m) for m in maps)) if maps else set()
                for code in common:
                    items = [m[code] for m in maps]
                    point = combine_points([code], items, computed=definition, kind=items[0].kind)
                    value = selectors.derived_value(
                        [p.value for p in items], [w for _c, w in terms]
                    )
                    point = replace(point, value=value)
                    series.points.append(point)
            else:
                held = by_series.get((area.pk, measure.pk), {})
                if measure in surveys:
                    low = bounds.get(f"{measure.code}{BOUND_SUFFIXES[0]}")
                    high = bounds.get(f"{measure.code}{BOUND_SUFFIXES[1]}")
                    lows = by_series.get((area.pk, low.pk), {}) if low else {}
                    highs = by_series.get((area.pk, high.pk), {}) if high else {}
                    held = {
                        code: _with_margin(point, lows.get(code), highs.get(code))
                        for code, point in held.items()
                    }
                series.points.extend(held.values())
            series.points.sort(key=_start_key)
            result[(area.pk, measure.pk)] = series
    return result


_Row = tuple[int, int, int | None, str, float | None, str, int]


def _stored_points(
    organisation: Organisation | None,
    areas: Sequence[Area],
    wanted: Collection[int],
    years: Collection[int] | None,
) -> tuple[list[_Row], str]:
    """(area id, measure id, owner id, period, value, status, import id) of every stored point
    of ``wanted`` × ``areas`` (with ``years``: of the periods that start from the first to the
    last of them), read from the series rows themselves: one row per series, decoded here,
    instead of one row per figure from the observation view. With them the fingerprint of the
    import batches (:func:`_batches`), read along in the same query."""
    low = None if years is None else dt.date(min(years), 1, 1)
    high = None if years is None else dt.date(max(years), 12, 31)
    inside: dict[str, bool] = {}
    found: list[_Row] = []
    fingerprint = ""
    stored = (
        StoredSeries.objects.filter(open_or_own("owner", organisation))
        .filter(area_id__in=[a.pk for a in areas], measure_id__in=list(wanted))
        .annotate(
            text=Cast("points", output_field=TextField()),
            batches=RawSQL(_BATCH_FINGERPRINT, ()),  # noqa: S611 - fixed text, no parameters
        )
        .order_by()
        .values_list("area_id", "measure_id", "owner_id", "text", "batches")
    )
    for area_id, measure_id, owner, text, batches in stored:
        fingerprint = batches or fingerprint
        for code, value, status, batch in json.loads(text) if text else ():
            if low is not None and high is not None:
                keep = inside.get(code)
                if keep is None:
                    start = _period(code)[0].start
                    keep = inside[code] = low <= start <= high
                if not keep:
                    continue
            found.append(
                (
                    area_id,
                    measure_id,
                    owner,
                    code,
                    None if value is None else float(value),
                    status,
                    batch,
                )
            )
    return found, fingerprint or ""


#: What the import batches are now, in one value: their number, newest id, number finished and
#: latest start and finish. A new, finished or removed batch changes it.
_BATCH_FINGERPRINT = (
    "SELECT CAST(COUNT(*) AS TEXT) || ':' || CAST(COALESCE(MAX(id), 0) AS TEXT) || ':' ||"  # noqa: S608 - the table name from the model
    " CAST(COUNT(finished_at) AS TEXT) || ':' || COALESCE(CAST(MAX(started_at) AS TEXT), '')"
    " || ':' || COALESCE(CAST(MAX(finished_at) AS TEXT), '')"
    f" FROM {ImportBatch._meta.db_table}"
)

#: (table, finished, format, note) per import id, for one fingerprint of the batches: a page
#: reads series dozens of times, and their imports are the same few each time.
_BATCH_CACHE: dict[str, dict[int, tuple[str, dt.datetime | None, str, str]]] = {}


def _batches(
    ids: set[int], fingerprint: str
) -> dict[int, tuple[str, dt.datetime | None, str, str]]:
    """(table as people read it, finished, format, note) of the import ids; one query for those
    not yet known under this fingerprint of the batches (none when all are)."""
    known = _BATCH_CACHE.get(fingerprint, {}) if fingerprint else {}
    missing = ids - known.keys()
    if missing:
        known = {
            **known,
            **{
                pk: (
                    table_label(table or ""),
                    finished,
                    fmt or "",
                    selectors.table_note(table or ""),
                )
                for pk, table, finished, fmt in ImportBatch.objects.filter(
                    pk__in=missing
                ).values_list("pk", "dataset__table", "finished_at", "format")
            },
        }
        if fingerprint:
            _BATCH_CACHE.clear()  # only the batches as they are now are kept
            _BATCH_CACHE[fingerprint] = known
    return known


@functools.lru_cache(maxsize=8192)
def _period(code: str) -> tuple[periods.Period, str]:
    period = periods.parse(code)
    return period, periods.label(period)


def _start_key(point: Point) -> tuple[dt.date, int]:
    period = _period(point.period)[0]
    return period.start, -period.months


def _with_margin(point: Point, low: Point | None, high: Point | None) -> Point:
    if low is None or high is None or low.value is None or high.value is None:
        return point
    return replace(point, margin=(min(low.value, high.value), max(low.value, high.value)))
