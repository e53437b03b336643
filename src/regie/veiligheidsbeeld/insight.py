"""Series, rates and comparisons for the veiligheidsbeeld: data from the selectors, statistics
from :mod:`regie.stats`. Pages, exports, the API and the CLI all use these functions,
so that they show the same numbers.

Rules kept here (DOMAIN.md §5):

- a whole year is either published, or the sum of its twelve published months (marked as
  computed); a partial year is never put next to a whole year;
- rates per 1,000 use the population on 1 January of the year, with an exact Poisson interval,
  and exist only for counts over a whole year;
- two periods are compared only when they are alike (:meth:`Period.is_alike`); on small counts
  the percentage is left out;
- a region without a published figure gets the sum of its gemeenten, only when every gemeente
  of the region has a figure, and it says so.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field, replace

from django.db.models import CharField, F, FloatField, IntegerField, Q, Value
from django.db.models.functions import Cast, ExtractYear
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from regie import stats
from regie.areas.models import Area, AreaLevel, Population
from regie.core.models import Organisation
from regie.monitor import catalogue, selectors
from regie.monitor.models import (
    BOUND_SUFFIXES,
    DerivedComponent,
    Measure,
    MeasureKind,
    ObservationStatus,
    Unit,
    table_label,
)
from regie.stats import periods

#: Units whose values are counts. Poisson intervals and tests need more: the measure's kind must
#: be :attr:`MeasureKind.EVENT_COUNT` (a stock or an amount is a count without chance margin).
COUNT_UNITS = frozenset({Unit.COUNT})
#: The measure whose imported figures come before the shipped population (CONTRACT I3).
PEERS = 5


class InsightError(ValueError):
    """A request that cannot be answered honestly; the message says why (Dutch, for users)."""

    def __init__(self, message: str, *, code: str = "invalid") -> None:
        super().__init__(message)
        self.code = code


class NotAlike(InsightError):
    """Two periods that must not be compared (a partial year against a whole year)."""


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
        vintage = f"{self.vintage:%d-%m-%Y}" if self.vintage else "–"
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

    @property
    def kind(self) -> str:
        """The measure's kind (:class:`MeasureKind`): which statistics apply (CONTRACT I4)."""
        return str(self.measure.kind)

    @property
    def is_count(self) -> bool:
        """Counts of events: Poisson intervals and tests apply (not stocks or amounts)."""
        return self.measure.unit in COUNT_UNITS and self.kind == MeasureKind.EVENT_COUNT

    def of_kind(self, *kinds: str) -> list[Point]:
        return [p for p in self.points if p.kind in kinds]

    def years(self) -> list[Point]:
        """Whole years: published ones, else the sum of twelve published, complete months
        (:func:`selectors.year_from_months`, the rule ``regie figure`` and the API use too)."""
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
            published[year] = _combine(
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


def _combine(codes: list[str], items: Sequence[Point], *, computed: str, kind: str) -> Point:
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
    """Every series of ``measures`` × ``areas`` in two queries (derived measures included).

    ``years`` keeps only the periods that start in those years.
    """
    derived = [m for m in measures if m.is_derived]
    parts: dict[int, list[tuple[Measure, float]]] = defaultdict(list)
    if derived:
        for term in DerivedComponent.objects.filter(derived__in=derived).select_related(
            "component"
        ):
            parts[term.derived_id].append((term.component, term.weight))
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
    rows = (
        selectors.visible_observations(organisation)
        .filter(area__in=[a.pk for a in areas], measure_id__in=wanted)
        .filter(
            **(
                {}
                if years is None
                else {
                    "period_start__gte": dt.date(min(years), 1, 1),
                    "period_start__lte": dt.date(max(years), 12, 31),
                }
            )
        )
        .values_list(
            "area_id",
            "measure_id",
            "period",
            "period_kind",
            "period_start",
            "value",
            "status",
            "owner_id",
            "batch__dataset__table",
            "batch__finished_at",
            "batch__format",
        )
    )
    unofficial = {m.pk for m in measures if catalogue.is_unofficial(m.code)}
    unofficial |= {
        c.pk for terms in parts.values() for c, _w in terms if catalogue.is_unofficial(c.code)
    }
    cells: dict[tuple[int, int, str], tuple[Point, bool]] = {}
    for area_id, measure_id, code, kind, start, value, status, owner, table, vintage, fmt in rows:
        key = (area_id, measure_id, code)
        # A gemeente's own figure comes before open data for the same cell.
        if key in cells and cells[key][1] and owner is None:
            continue
        period = periods.parse(code)
        cells[key] = (
            Point(
                period=code,
                label=periods.label(period),
                kind=kind,
                year=start.year,
                month=start.month if kind == periods.PeriodKind.MONTH else None,
                value=value,
                status=status,
                tables=(table_label(table or ""),),
                vintage=vintage,
                incomplete=selectors.is_incomplete(period, status, fmt or "", today=today),
                note=(
                    selectors.unofficial_note()
                    if measure_id in unofficial
                    else selectors.table_note(table or "")
                ),
            ),
            owner is not None,
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
                    point = _combine([code], items, computed=definition, kind=items[0].kind)
                    weights = [w for _c, w in terms]
                    if point.value is not None and any(w != 1 for w in weights):
                        weighted = sum(
                            (p.value or 0.0) * w for p, w in zip(items, weights, strict=True)
                        )
                        point = replace(point, value=weighted)
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
            series.points.sort(
                key=lambda p: (periods.parse(p.period).start, -periods.parse(p.period).months)
            )
            result[(area.pk, measure.pk)] = series
    return result


def _with_margin(point: Point, low: Point | None, high: Point | None) -> Point:
    if low is None or high is None or low.value is None or high.value is None:
        return point
    return replace(point, margin=(min(low.value, high.value), max(low.value, high.value)))


@dataclass(frozen=True)
class PopulationFigure:
    """Inhabitants on 1 January of a year, and where that number came from."""

    value: int
    source: str  # "import" (a cbs:bevolking figure a user imported) or "reference"
    description: str


def population_figures(
    areas: Iterable[Area], years: Iterable[int], *, organisation: Organisation | None = None
) -> dict[tuple[int, int], PopulationFigure]:
    """Inhabitants on 1 January per (area id, year): an imported ``cbs:bevolking`` figure (its
    newest vintage; a gemeente's own import first) before the population shipped with the areas.
    One query (the shipped and the imported numbers as one union)."""
    area_ids = [a.pk for a in areas]
    wanted = sorted(set(years))
    result: dict[tuple[int, int], PopulationFigure] = {}
    if not wanted or not area_ids:
        return result
    shipped = (
        Population.objects.filter(area__in=area_ids, year__in=wanted)
        .annotate(
            a_=F("area_id"),
            y_=F("year"),
            v_=Cast("value", FloatField()),
            s_=Value(0, output_field=IntegerField()),
            o_=Value(None, output_field=IntegerField()),
            t_=Value("", output_field=CharField()),
            b_=Value(0, output_field=IntegerField()),
        )
        .order_by()
        .values_list("a_", "y_", "v_", "s_", "o_", "t_", "b_")
    )
    imported = (
        selectors.visible_observations(organisation)
        .filter(
            measure__code=catalogue.POPULATION_MEASURE,
            area__in=area_ids,
            period_kind=periods.PeriodKind.YEAR,
            period_start__gte=dt.date(wanted[0], 1, 1),
            period_start__lte=dt.date(wanted[-1], 12, 31),
            value__isnull=False,
        )
        .annotate(
            a_=F("area_id"),
            y_=ExtractYear("period_start"),
            v_=F("value"),
            s_=Value(1, output_field=IntegerField()),
            o_=F("owner_id"),
            t_=F("batch__dataset__table"),
            b_=F("batch_id"),
        )
        .order_by()
        .values_list("a_", "y_", "v_", "s_", "o_", "t_", "b_")
    )
    rows = list(shipped.union(imported, all=True))
    for area_id, year, value, imported_, _owner, _table, _batch in rows:
        if not imported_ and value is not None:
            result[(area_id, year)] = PopulationFigure(
                round(value),
                "reference",
                _("population on 1 January from the shipped area data (CBS)"),
            )
    own: set[tuple[int, int]] = set()
    # A gemeente's own import first, then open data; each series holds its newest vintage.
    for area_id, year, value, _imported, owner, table, batch in sorted(
        (r for r in rows if r[3]), key=lambda r: r[4] is None
    ):
        key = (area_id, year)
        if year not in wanted or key in own or value is None or value <= 0:
            continue
        if owner is not None:
            own.add(key)
        elif key in result and result[key].source == "import":
            continue
        result[key] = PopulationFigure(
            round(value),
            "import",
            _(
                "population on 1 January from an imported figure "
                "(%(measure)s, %(table)s, import %(batch)s)"
            )
            % {"measure": catalogue.POPULATION_MEASURE, "table": table, "batch": batch},
        )
    return result


def populations(
    areas: Iterable[Area], years: Iterable[int], *, organisation: Organisation | None = None
) -> dict[tuple[int, int], int]:
    """Inhabitants on 1 January per (area id, year) (:func:`population_figures`)."""
    return {
        key: found.value
        for key, found in population_figures(areas, years, organisation=organisation).items()
    }


def rate(
    point: Point, population: int | None, *, kind: str = MeasureKind.EVENT_COUNT
) -> stats.Rate | None:
    """Per 1,000 inhabitants with an exact interval: whole, complete years of counts of events
    only (pass the series' ``kind``: a stock or an amount has no Poisson interval)."""
    if kind != MeasureKind.EVENT_COUNT or point.incomplete:
        return None
    if point.value is None or not population or point.kind != periods.PeriodKind.YEAR:
        return None
    if not float(point.value).is_integer() or point.value < 0:
        return None
    return stats.rate_per(point.value, population)


@dataclass(frozen=True)
class YearTrend:
    """A trend over whole years with its sentence; ``result`` None when none can be given."""

    result: stats.Trend | None
    sentence: str


def year_trend(
    series: Series,
    years: Sequence[Point],
    people: dict[tuple[int, int], int],
    *,
    exclude_covid: bool = False,
) -> YearTrend:
    """The Poisson / negative-binomial / quasi-Poisson trend of complete whole years of counts
    of events with a population offset; refused (with the reason) for other kinds of measure."""
    from regie.monitor import wording

    if not series.is_count:
        return YearTrend(
            None,
            _(
                "No trend with a chance margin: %(measure)s is not a count of events (a stock, "
                "an amount or a percentage changes without chance)."
            )
            % {"measure": series.measure.name},
        )
    usable = [
        p
        for p in years
        if p.value is not None and not p.incomplete and people.get((series.area.pk, p.year))
    ]
    try:
        result = stats.poisson_trend(
            [p.year for p in usable],
            [p.value or 0.0 for p in usable],
            [float(people[(series.area.pk, p.year)]) for p in usable],
            exclude=stats.COVID_YEARS if exclude_covid else (),
        )
    except stats.InsufficientData:
        return YearTrend(
            None, _("Too few whole years with figures for a trend (at least three are needed).")
        )
    except ValueError:
        return YearTrend(None, _("These figures are not whole counts: no trend is estimated."))
    return YearTrend(result, wording.trend(result))


# --- Areas to compare with ------------------------------------------------------------------------


def comparison_areas(gemeente: Area, peer_codes: Sequence[str] | None = None) -> list[Area]:
    """Politie-eenheid, veiligheidsregio, NL and five gemeenten of similar population."""
    regions = [a for a in (gemeente.politie_eenheid, gemeente.veiligheidsregio) if a is not None]
    nl = Area.objects.filter(level=AreaLevel.NL).first()
    if nl is not None:
        regions.append(nl)
    return regions + peers(gemeente, peer_codes)


def peers(gemeente: Area, codes: Sequence[str] | None = None) -> list[Area]:
    """``codes`` when given (unknown ones ignored), else the five nearest in population."""
    qs = Area.objects.filter(level=AreaLevel.GEMEENTE, active=True).exclude(pk=gemeente.pk)
    if codes:
        by_code = {a.code: a for a in qs.filter(code__in=[c.strip().upper() for c in codes])}
        return [by_code[c.strip().upper()] for c in codes if c.strip().upper() in by_code]
    latest = Population.objects.filter(area=gemeente).order_by("-year").first()
    if latest is None:
        return []
    sizes = dict(
        Population.objects.filter(area__in=qs, year=latest.year).values_list("area_id", "value")
    )
    nearest = sorted(sizes, key=lambda pk: (abs(sizes[pk] - latest.value), pk))[:PEERS]
    found = Area.objects.in_bulk(nearest)
    return [found[pk] for pk in nearest if pk in found]


def members(region: Area, *, former: bool = False) -> list[Area]:
    """The gemeenten of a region (politie-eenheid, veiligheidsregio, provincie, NL); with
    ``former`` also gemeenten that have since merged (they hold the figures of earlier years)."""
    qs = Area.objects.filter(level=AreaLevel.GEMEENTE)
    if not former:
        qs = qs.filter(active=True)
    if region.level == AreaLevel.POLITIE_EENHEID:
        qs = qs.filter(politie_eenheid=region)
    elif region.level == AreaLevel.VEILIGHEIDSREGIO:
        qs = qs.filter(veiligheidsregio=region)
    elif region.level == AreaLevel.PROVINCIE:
        qs = qs.filter(parent=region)
    elif region.level != AreaLevel.NL:
        return []
    return list(qs.order_by("code"))


def region_years(
    organisation: Organisation | None,
    region: Area,
    measure: Measure,
    series: Series,
    *,
    years: Collection[int] | None = None,
) -> list[Point]:
    """Whole years of ``region``: published, or else the sum of its gemeenten when complete.

    ``years`` limits the answer (and the figures read) to those years.

    Complete means: the gemeenten with a figure for that year together have exactly the
    region's population on 1 January (so a gemeente formed by a later merger is covered by the
    gemeenten it was formed from, and a missing gemeente makes the year incomplete).
    """
    published = {p.year: p for p in series.years() if years is None or p.year in years}
    gemeenten = (
        members(region, former=True)
        if measure.organisation_id is None and measure.unit in COUNT_UNITS
        else []
    )
    if not gemeenten:
        return [published[y] for y in sorted(published)]
    wanted = None if years is None else [y for y in years if y not in published]
    if wanted == []:
        return [published[y] for y in sorted(published)]
    loaded = load_series(organisation, gemeenten, [measure], years=wanted)
    per_year: dict[int, list[tuple[Area, Point]]] = defaultdict(list)
    for gemeente in gemeenten:
        for point in loaded[(gemeente.pk, measure.pk)].years():
            if point.value is not None and (wanted is None or point.year in wanted):
                per_year[point.year].append((gemeente, point))
    years = [y for y in per_year if y not in published]
    people = populations([region, *gemeenten], years)
    for year in years:
        items = per_year[year]
        total = people.get((region.pk, year))
        covered = sum(people.get((g.pk, year), 0) for g, _p in items)
        if not total or covered != total:
            continue
        published[year] = sum_of_parts(
            year,
            items,
            computed=_(
                "sum of its %(count)d gemeenten, not published as such; crimes of an unknown "
                "gemeente are not in it"
            )
            % {"count": len(items)},
        )
    return [published[y] for y in sorted(published)]


def region_gap(organisation: Organisation | None, region: Area, measure: Measure, year: int) -> str:
    """Why :func:`region_years` gives ``region`` no figure for ``year`` (it has none published):

    ``"no_figures"`` none of its gemeenten has one (or regions are not summed for the measure);
    ``"region_population"`` the region's population on 1 January is not known;
    ``"gemeente_population"`` a gemeente with a figure has no population that year;
    ``"missing_gemeenten"`` not every gemeente has a figure; ``""`` the sum exists."""
    gemeenten = (
        members(region, former=True)
        if measure.organisation_id is None and measure.unit in COUNT_UNITS
        else []
    )
    if not gemeenten:
        return "no_figures"
    loaded = load_series(organisation, gemeenten, [measure], years=[year])
    with_figure = [
        g
        for g in gemeenten
        if any(p.year == year and p.value is not None for p in loaded[(g.pk, measure.pk)].years())
    ]
    if not with_figure:
        return "no_figures"
    people = populations([region, *with_figure], [year])
    total = people.get((region.pk, year))
    if not total:
        return "region_population"
    if any((g.pk, year) not in people for g in with_figure):
        return "gemeente_population"
    if sum(people[(g.pk, year)] for g in with_figure) != total:
        return "missing_gemeenten"
    return ""


def sum_of_parts(
    year: int, items: Sequence[tuple[Area, Point]], *, computed: str, marked: bool = False
) -> Point:
    """The one rule for a year of an area that was not published for it: the sum of the whole
    areas it consists of (a region: its gemeenten; a merged gemeente: the former gemeenten it was
    formed from), marked ``computed``. Callers check first that the parts are complete."""
    point = _combine(
        [str(year)], [p for _a, p in items], computed=computed, kind=periods.PeriodKind.YEAR
    )
    if marked:
        point = replace(point, predecessors=tuple(a.code for a, _p in items))
    return point


def area_years(
    organisation: Organisation | None,
    area: Area,
    measure: Measure,
    series: Series,
    *,
    years: Collection[int] | None = None,
) -> list[Point]:
    """Whole years of any area: a region's (:func:`region_years`), or a gemeente's with the years
    before a merger as the sum of its former gemeenten (:func:`predecessor_years`)."""
    if area.level == AreaLevel.GEMEENTE:
        return predecessor_years(organisation, area, measure, series, years=years)
    if area.level in (
        AreaLevel.NL,
        AreaLevel.PROVINCIE,
        AreaLevel.POLITIE_EENHEID,
        AreaLevel.VEILIGHEIDSREGIO,
    ):
        return region_years(organisation, area, measure, series, years=years)
    return [p for p in series.years() if years is None or p.year in years]


def predecessor_years(
    organisation: Organisation | None,
    gemeente: Area,
    measure: Measure,
    series: Series,
    *,
    years: Collection[int] | None = None,
) -> list[Point]:
    """Whole years of ``gemeente``; a year it has no figure for and that lies before a whole
    merger (n → 1) is the sum of the former gemeenten that existed that whole year, marked with
    their codes — only when every one of them has a figure, and never across a split (a year in
    which part of the gemeente belonged to a gemeente that was divided over several)."""
    from regie.areas.selectors import merged_predecessors

    published = {p.year: p for p in series.years() if years is None or p.year in years}
    if measure.organisation_id is not None or measure.kind not in (
        MeasureKind.EVENT_COUNT,
        MeasureKind.STOCK,
        MeasureKind.AMOUNT,
    ):
        # Own measures belong to today's gemeente; percentages and grades do not add up.
        return [published[y] for y in sorted(published)]
    whole = merged_predecessors(gemeente)
    if not whole:
        return [published[y] for y in sorted(published)]
    former = {a.code: a for a in Area.objects.filter(code__in=[p.code for p in whole])}
    split_until = _split_until(gemeente, list(former.values()))
    loaded = load_series(organisation, list(former.values()), [measure], years=years)
    by_year: dict[int, dict[str, Point]] = defaultdict(dict)
    for area in former.values():
        for point in loaded[(area.pk, measure.pk)].years():
            by_year[point.year][area.code] = point
    first = min(by_year, default=None)
    last = max((p.valid_to.year for p in whole), default=None)
    if first is None or last is None:
        return [published[y] for y in sorted(published)]
    for year in range(first, last):
        if year in published or (years is not None and year not in years):
            continue
        if split_until is not None and year < split_until:
            continue
        start, end = dt.date(year, 1, 1), dt.date(year + 1, 1, 1)
        existing = [
            a
            for a in former.values()
            if (a.valid_from is None or a.valid_from <= start)
            and a.valid_to is not None
            and a.valid_to >= end
        ]
        if gemeente.valid_from is not None and gemeente.valid_from <= start:
            continue  # the gemeente existed that year; its own figure is missing, not summed
        if not existing or any(
            a.code not in by_year[year] or by_year[year][a.code].value is None for a in existing
        ):
            continue
        codes = sorted(a.code for a in existing)
        published[year] = sum_of_parts(
            year,
            [(a, by_year[year][a.code]) for a in sorted(existing, key=lambda a: a.code)],
            computed=_("sum of the former gemeenten %(codes)s, not published for %(area)s")
            % {"codes": ", ".join(codes), "area": gemeente.code},
            marked=True,
        )
    return [published[y] for y in sorted(published)]


def _split_until(gemeente: Area, former: Sequence[Area]) -> int | None:
    """The year from which no part of ``gemeente`` (or of its former gemeenten) came from a
    gemeente divided over several successors; None when there is no such split."""
    through = Area.successors.through
    receivers = [gemeente.pk, *[a.pk for a in former]]
    givers = set(
        through.objects.filter(to_area_id__in=receivers).values_list("from_area_id", flat=True)
    )
    if not givers:
        return None
    counts: dict[int, int] = defaultdict(int)
    for from_id in through.objects.filter(from_area_id__in=givers).values_list(
        "from_area_id", flat=True
    ):
        counts[from_id] += 1
    split = [pk for pk, n in counts.items() if n > 1]
    if not split:
        return None
    ends = Area.objects.filter(pk__in=split, valid_to__isnull=False).values_list(
        "valid_to", flat=True
    )
    return max(
        (d.year if (d.month, d.day) == (1, 1) else d.year + 1 for d in ends if d is not None),
        default=None,
    )


# --- Comparing two periods --------------------------------------------------------------------


@dataclass(frozen=True)
class PeriodComparison:
    """Two alike periods in time order: ``first`` is the earlier one, whatever the order asked."""

    area: str
    measure: str
    measure_name: str
    unit: str
    first: selectors.Figure
    second: selectors.Figure
    difference: float | None
    percent_change: float | None
    test: stats.CountComparison | None
    sentence: str
    kind: str = MeasureKind.EVENT_COUNT
    #: for survey figures with published bounds: whether the two 95 % margins overlap
    margins_overlap: bool | None = None

    @property
    def difference_unit(self) -> str:
        """``percentage_points`` for a change in a percentage, else the measure's unit."""
        return "percentage_points" if self.unit == Unit.PERCENT else self.unit

    def as_dict(self) -> dict[str, object]:
        test = self.test
        return {
            "area": self.area,
            "measure": self.measure,
            "unit": self.unit,
            "kind": self.kind,
            "first": self.first.as_dict(),
            "second": self.second.as_dict(),
            "difference": selectors.number(self.difference),
            "difference_unit": self.difference_unit,
            "percent_change": None
            if self.percent_change is None
            else round(self.percent_change, 1),
            "test": None
            if test is None
            else {
                "method": "exact conditional binomial test (two Poisson counts)",
                "p_value": test.p_value,
                "small_counts": test.small_counts,
                "verdict": str(test.verdict),
            },
            "margins_overlap": self.margins_overlap,
            "sentence": self.sentence,
        }


def check_alike(first: periods.Period, second: periods.Period) -> None:
    """Raise :class:`NotAlike` with an explanation when the periods must not be compared:
    overlapping periods, a part of a year against a whole year or another part, and parts of a
    year that are not the same months (a month only with the same month of another year)."""
    if first.is_alike(second):
        return
    values = {
        "a": first.code,
        "a_label": periods.label(first),
        "a_months": first.months,
        "b": second.code,
        "b_label": periods.label(second),
        "b_months": second.months,
    }
    if first.overlaps(second):
        raise NotAlike(
            _(
                "%(a)s (%(a_label)s) and %(b)s (%(b_label)s) overlap: a period is compared only "
                "with a period that shares no day with it."
            )
            % values,
            code="not_alike",
        )
    if first.months == second.months:
        earlier, later = sorted((first, second))
        year = earlier.start.year
        same = _same_part(later, year if year != later.start.year else year - 1)
        suggestion = (
            " " + _("Compare %(a)s with %(b)s instead.") % {"a": same, "b": later.code}
            if same
            else ""
        )
        raise NotAlike(
            _(
                "%(a)s (%(a_label)s) and %(b)s (%(b_label)s) are not the same months of the year: "
                "a month is compared only with the same month of another year, a quarter with "
                "the same quarter and a half year with the same half (seasons differ)."
            )
            % values
            + suggestion,
            code="not_alike",
        )
    partial, whole = (first, second) if first.months < second.months else (second, first)
    suggestion = ""
    if whole.is_whole_year and partial.start.year != whole.start.year:
        same = _same_part(partial, whole.start.year)
        if same:
            suggestion = " " + _("Compare %(a)s with %(b)s instead.") % {
                "a": partial.code,
                "b": same,
            }
    raise NotAlike(
        _(
            "%(a)s (%(a_label)s, %(a_months)d months) and %(b)s (%(b_label)s, %(b_months)d months) "
            "are not alike: a part of a year cannot be compared with a whole year or with another "
            "part."
        )
        % values
        + suggestion,
        code="not_alike",
    )


def _same_part(partial: periods.Period, year: int) -> str:
    code = partial.code
    prefix = str(partial.start.year)
    if code.startswith(prefix):
        candidate = f"{year}{code[len(prefix) :]}"
        try:
            periods.parse(candidate)
        except periods.PeriodError:
            return ""
        return candidate
    return ""


def compare_periods(
    area_code: str,
    measure_code: str,
    first_code: str,
    second_code: str,
    *,
    organisation: Organisation | None = None,
) -> PeriodComparison:
    """Two alike periods of one area and measure, in time order (earlier → later) whatever the
    order of the arguments; incomplete periods are refused with their name."""
    try:
        first_period = periods.parse(first_code)
        second_period = periods.parse(second_code)
    except periods.PeriodError as exc:
        raise InsightError(str(exc), code="period") from exc
    check_alike(first_period, second_period)
    if second_period.start < first_period.start:
        first_period, second_period = second_period, first_period
    try:
        first = selectors.figure(
            area_code, measure_code, first_period.code, organisation=organisation
        )
        second = selectors.figure(
            area_code, measure_code, second_period.code, organisation=organisation
        )
    except selectors.FigureNotFound as exc:
        raise InsightError(str(exc), code="not_found") from exc
    for fig in (first, second):
        if fig.incomplete:
            raise InsightError(
                _(
                    "%(period)s is incomplete (%(label)s has not been counted whole): it is not "
                    "compared as a whole period."
                )
                % {"period": fig.period, "label": fig.period_label},
                code="incomplete",
            )
    return _comparison(first, second)


def _comparison(first: selectors.Figure, second: selectors.Figure) -> PeriodComparison:
    """``first`` is the earlier figure. Which statistics apply follows the measure's kind."""
    from regie.monitor import wording

    test: stats.CountComparison | None = None
    difference = percent = None
    overlap: bool | None = None  # the published bounds overlap (a fact, not a test)
    beyond: bool | None = None  # the difference is beyond chance, tested on those bounds
    if first.value is not None and second.value is not None:
        difference = second.value - first.value
        whole = all(float(v).is_integer() and v >= 0 for v in (first.value, second.value))
        if first.kind == MeasureKind.EVENT_COUNT and first.unit in COUNT_UNITS and whole:
            test = stats.compare_counts(first.value, second.value)
            percent = test.percent_change
        elif (
            first.kind in (MeasureKind.STOCK, MeasureKind.AMOUNT)
            and min(first.value, second.value) >= stats.SMALL_COUNT
        ):
            # a relative change of a stock or an amount, not on small numbers (3 → 5 is
            # "+2", not "+67 %"); never of a percentage (procentpunt), a grade or a ratio
            percent = 100.0 * difference / first.value
        if first.margin is not None and second.margin is not None:
            overlap = first.margin[0] <= second.margin[1] and second.margin[0] <= first.margin[1]
            beyond = stats.margins_differ(first.value, first.margin, second.value, second.margin)
    return PeriodComparison(
        area=first.area,
        measure=first.measure,
        measure_name=first.measure_name,
        unit=first.unit,
        first=first,
        second=second,
        difference=difference,
        percent_change=percent,
        test=test,
        sentence=wording.comparison(first, second, difference, percent, test, beyond=beyond),
        kind=first.kind,
        margins_overlap=overlap,
    )


def latest_comparison(series: Series) -> tuple[Point, Point] | None:
    """The latest complete figure and the alike period before it (same months of an earlier
    year). An incomplete period (the current month) is never compared as a whole one."""
    latest = series.latest(complete=True)
    if latest is None:
        return None
    period = periods.parse(latest.period)
    # Parts of a year are compared with the same part of the year before (seasons).
    same_part = not period.is_whole_year

    def fits(other: periods.Period) -> bool:
        if not other.is_alike(period) or other.end >= period.start:
            return False
        if same_part:
            return (other.start.year + 1, other.start.month) == (
                period.start.year,
                period.start.month,
            )
        return True

    candidates = [
        p
        for p in series.points
        if p.value is not None
        and not p.incomplete
        and p.period != latest.period
        and fits(periods.parse(p.period))
    ]
    if latest.kind == periods.PeriodKind.YEAR:
        candidates += [
            p for p in series.years() if p.computed and p.year < latest.year and p.value is not None
        ]
    if not candidates:
        return None
    previous = max(candidates, key=lambda p: periods.parse(p.period).end)
    return previous, latest


# --- Per 1,000 for one figure ---------------------------------------------------------------------


@dataclass(frozen=True)
class RateFigure:
    figure: selectors.Figure
    rate: stats.Rate
    population_year: int
    population_source: str = "reference"
    population_description: str = ""

    def as_dict(self) -> dict[str, object]:
        return {
            **self.figure.as_dict(),
            "per_1000": {
                "value": round(self.rate.value, 4),
                "lower": round(self.rate.lower, 4),
                "upper": round(self.rate.upper, 4),
                "confidence": self.rate.confidence,
                "population": self.rate.population,
                "population_date": f"{self.population_year}-01-01",
                "population_source": self.population_source,
                "population_lineage": self.population_description,
                "method": "exact Poisson interval (chi-squared)",
            },
        }


def rate_figure(
    area_code: str, measure_code: str, period_code: str, *, organisation: Organisation | None
) -> RateFigure:
    """The figure and its rate per 1,000 inhabitants on 1 January of its year."""
    try:
        figure = selectors.figure(area_code, measure_code, period_code, organisation=organisation)
    except selectors.FigureNotFound as exc:
        raise InsightError(str(exc), code="not_found") from exc
    period = periods.parse(figure.period)
    if figure.unit not in COUNT_UNITS or figure.kind != MeasureKind.EVENT_COUNT:
        raise InsightError(
            _(
                "%(measure)s is not a count of events: a rate per 1,000 inhabitants with a "
                "chance interval does not apply."
            )
            % {"measure": figure.measure},
            code="not_a_count",
        )
    if not period.is_whole_year:
        raise InsightError(
            _("A rate per 1,000 inhabitants is given for whole years only, not for %(period)s.")
            % {"period": figure.period},
            code="not_a_year",
        )
    if figure.value is None:
        raise InsightError(_("The figure was not published."), code="not_published")
    if not float(figure.value).is_integer() or figure.value < 0:
        raise InsightError(
            _("%(value)s is not a whole count: no exact interval.") % {"value": figure.value},
            code="not_a_count",
        )
    year = period.start.year
    area = Area.objects.get(code=figure.area)
    found = population_figures([area], [year], organisation=organisation).get((area.pk, year))
    if found is None:
        raise InsightError(
            _("No population of %(area)s on 1 January %(year)d.")
            % {"area": figure.area, "year": year},
            code="no_population",
        )
    return RateFigure(
        figure,
        stats.rate_per(figure.value, found.value),
        year,
        population_source=found.source,
        population_description=found.description,
    )


# --- Waterbed ------------------------------------------------------------------------------


@dataclass(frozen=True)
class WaterbedResult:
    measure: str
    before: stats.Window
    after: stats.Window
    groups: dict[str, list[str]]
    counts: stats.WaterbedCounts
    wdd: stats.WDD
    wdq: stats.WDQ
    sentence: str
    sources: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {
            "measure": self.measure,
            "before": [self.before.start.isoformat(), self.before.end.isoformat()],
            "after": [self.after.start.isoformat(), self.after.end.isoformat()],
            "areas": self.groups,
            "counts": {k: selectors.number(v) for k, v in vars(self.counts).items()},
            "wdd": {
                "value": selectors.number(self.wdd.value),
                "variance": selectors.number(self.wdd.variance),
                "se": round(self.wdd.se, 4),
                "z": round(self.wdd.z, 4),
                "p_value": self.wdd.p_value,
                "lower": round(self.wdd.lower, 4),
                "upper": round(self.wdd.upper, 4),
                "shared_control": self.wdd.shared_control,
            },
            "wdq": {
                "value": None if self.wdq.value is None else round(self.wdq.value, 4),
                "reading": str(self.wdq.reading),
            },
            "sentence": self.sentence,
            "sources": self.sources,
        }


def parse_window(text: str) -> stats.Window:
    """``2023M01:2023M12`` (first and last month, inclusive) → a window."""
    first_code, _sep, last_code = text.partition(":")
    try:
        first, last = periods.parse(first_code.strip()), periods.parse(last_code.strip())
        ok = {first.kind, last.kind} == {periods.PeriodKind.MONTH}
    except periods.PeriodError:
        ok = False
    if not ok:
        raise InsightError(
            _("Write a window as first and last month: 2023M01:2023M12 (not %(text)s).")
            % {"text": text},
            code="window",
        )
    return stats.Window(first.start, last.end)


def waterbed(
    measure_code: str,
    *,
    target: Sequence[str],
    displacement: Sequence[str],
    control_target: Sequence[str],
    control_displacement: Sequence[str] | None = None,
    before: stats.Window,
    after: stats.Window,
    organisation: Organisation | None,
) -> WaterbedResult:
    """WDD and WDQ from monthly counts; refuses windows that cannot be compared, and says why."""
    from regie.monitor import wording

    try:
        stats.check_windows(before, after)
    except stats.WindowError as exc:
        raise InsightError(wording.window_error(exc), code=exc.code) from exc
    measure = selectors.visible_measures(organisation).filter(code=measure_code.strip()).first()
    if measure is None:
        raise InsightError(_("Unknown measure %(code)s.") % {"code": measure_code}, code="measure")
    if measure.unit not in COUNT_UNITS or measure.kind != MeasureKind.EVENT_COUNT:
        raise InsightError(
            _("%(measure)s is not a count of events: WDD and WDQ need counts of events.")
            % {"measure": measure.code},
            code="not_a_count",
        )
    groups = {
        "target": list(target),
        "displacement": list(displacement),
        "control_target": list(control_target),
        "control_displacement": list(control_displacement or control_target),
    }
    codes = {c.strip().upper() for group in groups.values() for c in group}
    found = {a.code: a for a in Area.objects.filter(code__in=codes)}
    for name, group in groups.items():
        if not group:
            raise InsightError(_("Choose at least one area for every role."), code="areas")
        for code in group:
            if code.strip().upper() not in found:
                raise InsightError(_("Unknown area %(code)s.") % {"code": code}, code="areas")
        groups[name] = list(dict.fromkeys(c.strip().upper() for c in group))
    shared_control = _check_roles(groups)
    series = load_series(organisation, list(found.values()), [measure])
    monthly: dict[str, dict[tuple[int, int], Point]] = {
        code: {(p.year, p.month or 0): p for p in series[(area.pk, measure.pk)].months()}
        for code, area in found.items()
    }

    def total(group: list[str], window: stats.Window) -> float:
        result = 0.0
        for code in group:
            for month in window.months:
                point = monthly[code].get(month)
                month_code = f"{month[0]}M{month[1]:02d}"
                if point is None or point.value is None:
                    raise InsightError(
                        _("No figure of %(measure)s for %(area)s in %(month)s.")
                        % {"measure": measure.code, "area": code, "month": month_code},
                        code="missing",
                    )
                if point.incomplete:
                    raise InsightError(
                        _(
                            "%(month)s of %(area)s is incomplete (%(label)s has not been counted "
                            "whole): choose windows of complete months."
                        )
                        % {"month": month_code, "area": code, "label": point.label},
                        code="incomplete",
                    )
                result += point.value
        return result

    counts = stats.WaterbedCounts(
        target_before=total(groups["target"], before),
        target_after=total(groups["target"], after),
        displacement_before=total(groups["displacement"], before),
        displacement_after=total(groups["displacement"], after),
        control_target_before=total(groups["control_target"], before),
        control_target_after=total(groups["control_target"], after),
        control_displacement_before=total(groups["control_displacement"], before),
        control_displacement_after=total(groups["control_displacement"], after),
    )
    try:
        wdd = stats.wdd(counts, shared_control=shared_control)
    except stats.NotComputable as exc:
        raise InsightError(
            _("WDD cannot be computed: every count in both windows is 0."),
            code="not_computable",
        ) from exc
    wdq = stats.wdq(counts)
    used = set(before.months) | set(after.months)
    return WaterbedResult(
        measure=measure.code,
        before=before,
        after=after,
        groups=groups,
        counts=counts,
        wdd=wdd,
        wdq=wdq,
        sentence=wording.waterbed(wdd, wdq, small=min(vars(counts).values()) < stats.SMALL_COUNT),
        sources=sorted(
            {
                f"{code}: {point.source_line}"
                for code, area in found.items()
                for point in series[(area.pk, measure.pk)].months()
                if (point.year, point.month or 0) in used
            }
        ),
    )


_ROLE_NAMES = {
    "target": gettext_noop("target area"),
    "displacement": gettext_noop("displacement area"),
    "control_target": gettext_noop("control area (target)"),
    "control_displacement": gettext_noop("control area (displacement)"),
}


def _check_roles(groups: dict[str, list[str]]) -> bool:
    """Refuse an area in two roles; True when one control (set of areas) serves both target and
    displacement area (the variance then counts the control four times, DOMAIN §5)."""
    control_t, control_d = set(groups["control_target"]), set(groups["control_displacement"])
    shared = control_t == control_d
    roles = ["target", "displacement", "control_target"] + (
        [] if shared else ["control_displacement"]
    )
    seen: dict[str, str] = {}
    for role in roles:
        for code in groups[role]:
            if code in seen:
                raise InsightError(
                    _(
                        "%(area)s is both %(first)s and %(second)s: an area can have one role "
                        "only (one control area may serve both the target and the displacement "
                        "area, as the same areas in both control roles)."
                    )
                    % {
                        "area": code,
                        "first": _(_ROLE_NAMES[seen[code]]),
                        "second": _(_ROLE_NAMES[role]),
                    },
                    code="roles",
                )
            seen[code] = role
    return shared


def measures_with_data(organisation: Organisation | None, area: Area) -> list[Measure]:
    """Measures that have at least one figure for ``area`` (derived ones whose parts do)."""
    ids = set(
        selectors.visible_observations(organisation)
        .filter(area=area)
        .values_list("measure_id", flat=True)
        .distinct()
    )
    measures = list(
        selectors.pickable_measures(organisation)
        .filter(Q(pk__in=ids) | Q(source="derived"))
        .order_by("source", "sort_order", "code")
    )
    derived_ok: set[int] = set()
    terms: dict[int, set[int]] = defaultdict(set)
    for derived_id, component_id in DerivedComponent.objects.filter(
        derived__in=[m.pk for m in measures if m.is_derived]
    ).values_list("derived_id", "component_id"):
        terms[derived_id].add(component_id)
    for derived_id, components in terms.items():
        if components and components <= ids:
            derived_ok.add(derived_id)
    return [m for m in measures if not m.is_derived or m.pk in derived_ok]
