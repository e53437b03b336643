"""Series, rates and comparisons for the veiligheidsbeeld: data from the selectors, statistics
from :mod:`regie.monitor.analysis`. Pages, exports, the API and the CLI all use these functions,
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

from django.db.models import Q
from django.utils.translation import gettext as _

from regie.areas.models import Area, AreaLevel, Population
from regie.core.models import Organisation
from regie.monitor import analysis, periods, selectors
from regie.monitor.models import DerivedComponent, Measure, ObservationStatus, Unit

#: Units whose values are counts: rates, Poisson intervals and tests apply only to these.
COUNT_UNITS = frozenset({Unit.COUNT})
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

    @property
    def source_line(self) -> str:
        tables = ", ".join(self.tables)
        vintage = f"{self.vintage:%d-%m-%Y}" if self.vintage else "–"
        text = _("%(tables)s, import of %(vintage)s, %(status)s") % {
            "tables": tables,
            "vintage": vintage,
            "status": status_label(self.status),
        }
        return f"{text} ({self.computed})" if self.computed else text


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
    def is_count(self) -> bool:
        return self.measure.unit in COUNT_UNITS

    def of_kind(self, *kinds: str) -> list[Point]:
        return [p for p in self.points if p.kind in kinds]

    def years(self) -> list[Point]:
        """Whole years: published ones, else the sum of twelve published months."""
        published = {p.year: p for p in self.of_kind(periods.PeriodKind.YEAR)}
        months: dict[int, list[Point]] = defaultdict(list)
        for point in self.of_kind(periods.PeriodKind.MONTH):
            months[point.year].append(point)
        for year, items in months.items():
            if year in published or len(items) != 12 or any(p.value is None for p in items):
                continue
            published[year] = _combine(
                [str(year)], items, computed=_("sum of 12 months"), kind=periods.PeriodKind.YEAR
            )
        return [published[y] for y in sorted(published)]

    def months(self) -> list[Point]:
        return sorted(self.of_kind(periods.PeriodKind.MONTH), key=lambda p: (p.year, p.month))

    def latest(self) -> Point | None:
        values = [p for p in self.points if p.value is not None]
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
        )
    )
    cells: dict[tuple[int, int, str], tuple[Point, bool]] = {}
    for area_id, measure_id, code, kind, start, value, status, owner, table, vintage in rows:
        key = (area_id, measure_id, code)
        # A gemeente's own figure comes before open data for the same cell.
        if key in cells and cells[key][1] and owner is None:
            continue
        cells[key] = (
            Point(
                period=code,
                label=periods.label(periods.parse(code)),
                kind=kind,
                year=start.year,
                month=start.month if kind == periods.PeriodKind.MONTH else None,
                value=value,
                status=status,
                tables=(table,),
                vintage=vintage,
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
                definition = " + ".join(c.code for c, _w in terms)
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
                series.points.extend(by_series.get((area.pk, measure.pk), {}).values())
            series.points.sort(
                key=lambda p: (periods.parse(p.period).start, -periods.parse(p.period).months)
            )
            result[(area.pk, measure.pk)] = series
    return result


def populations(areas: Iterable[Area], years: Iterable[int]) -> dict[tuple[int, int], int]:
    """Inhabitants on 1 January per (area id, year), one query."""
    return {
        (area_id, year): value
        for area_id, year, value in Population.objects.filter(
            area__in=[a.pk for a in areas], year__in=list(years)
        ).values_list("area_id", "year", "value")
    }


def rate(point: Point, population: int | None) -> analysis.Rate | None:
    """Per 1,000 inhabitants with an exact interval: whole years of counts only."""
    if point.value is None or not population or point.kind != periods.PeriodKind.YEAR:
        return None
    if not float(point.value).is_integer() or point.value < 0:
        return None
    return analysis.rate_per(point.value, population)


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
        published[year] = _combine(
            [str(year)],
            [p for _g, p in items],
            computed=_("sum of its %(count)d gemeenten, not published as such")
            % {"count": len(items)},
            kind=periods.PeriodKind.YEAR,
        )
    return [published[y] for y in sorted(published)]


# --- Comparing two periods --------------------------------------------------------------------


@dataclass(frozen=True)
class PeriodComparison:
    area: str
    measure: str
    measure_name: str
    unit: str
    first: selectors.Figure
    second: selectors.Figure
    difference: float | None
    percent_change: float | None
    test: analysis.CountComparison | None
    sentence: str

    def as_dict(self) -> dict[str, object]:
        test = self.test
        return {
            "area": self.area,
            "measure": self.measure,
            "unit": self.unit,
            "first": self.first.as_dict(),
            "second": self.second.as_dict(),
            "difference": selectors.number(self.difference),
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
            "sentence": self.sentence,
        }


def check_alike(first: periods.Period, second: periods.Period) -> None:
    """Raise :class:`NotAlike` with an explanation when the periods must not be compared."""
    if first.is_alike(second):
        return
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
        % {
            "a": first.code,
            "a_label": periods.label(first),
            "a_months": first.months,
            "b": second.code,
            "b_label": periods.label(second),
            "b_months": second.months,
        }
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
    """``first`` (earlier) against ``second`` (later) for one area and measure."""
    try:
        first_period = periods.parse(first_code)
        second_period = periods.parse(second_code)
    except periods.PeriodError as exc:
        raise InsightError(str(exc), code="period") from exc
    check_alike(first_period, second_period)
    try:
        first = selectors.figure(area_code, measure_code, first_code, organisation=organisation)
        second = selectors.figure(area_code, measure_code, second_code, organisation=organisation)
    except selectors.FigureNotFound as exc:
        raise InsightError(str(exc), code="not_found") from exc
    return _comparison(first, second)


def _comparison(first: selectors.Figure, second: selectors.Figure) -> PeriodComparison:
    from regie.monitor import wording

    test: analysis.CountComparison | None = None
    difference = percent = None
    if first.value is not None and second.value is not None:
        difference = second.value - first.value
        if first.unit in COUNT_UNITS and first.value >= 0 and second.value >= 0:
            test = analysis.compare_counts(first.value, second.value)
            percent = test.percent_change
        elif first.value:
            percent = 100.0 * difference / first.value
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
        sentence=wording.comparison(first, second, difference, percent, test),
    )


def latest_comparison(series: Series) -> tuple[Point, Point] | None:
    """The latest figure and the alike period before it (same months of an earlier year)."""
    latest = series.latest()
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
        if p.value is not None and p.period != latest.period and fits(periods.parse(p.period))
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
    rate: analysis.Rate
    population_year: int

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
    if figure.unit not in COUNT_UNITS:
        raise InsightError(
            _("%(measure)s is not a count: a rate per 1,000 inhabitants does not apply.")
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
    year = period.start.year
    population = (
        Population.objects.filter(area__code=figure.area, year=year)
        .values_list("value", flat=True)
        .first()
    )
    if not population:
        raise InsightError(
            _("No population of %(area)s on 1 January %(year)d.")
            % {"area": figure.area, "year": year},
            code="no_population",
        )
    return RateFigure(figure, analysis.rate_per(figure.value, population), year)


# --- Waterbed ------------------------------------------------------------------------------


@dataclass(frozen=True)
class WaterbedResult:
    measure: str
    before: analysis.Window
    after: analysis.Window
    groups: dict[str, list[str]]
    counts: analysis.WaterbedCounts
    wdd: analysis.WDD
    wdq: analysis.WDQ
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
            },
            "wdq": {
                "value": None if self.wdq.value is None else round(self.wdq.value, 4),
                "reading": str(self.wdq.reading),
            },
            "sentence": self.sentence,
            "sources": self.sources,
        }


def parse_window(text: str) -> analysis.Window:
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
    return analysis.Window(first.start, last.end)


def waterbed(
    measure_code: str,
    *,
    target: Sequence[str],
    displacement: Sequence[str],
    control_target: Sequence[str],
    control_displacement: Sequence[str] | None = None,
    before: analysis.Window,
    after: analysis.Window,
    organisation: Organisation | None,
) -> WaterbedResult:
    """WDD and WDQ from monthly counts; refuses windows that cannot be compared, and says why."""
    from regie.monitor import wording

    try:
        analysis.check_windows(before, after)
    except analysis.WindowError as exc:
        raise InsightError(wording.window_error(exc), code=exc.code) from exc
    measure = selectors.visible_measures(organisation).filter(code=measure_code.strip()).first()
    if measure is None:
        raise InsightError(_("Unknown measure %(code)s.") % {"code": measure_code}, code="measure")
    if measure.unit not in COUNT_UNITS:
        raise InsightError(
            _("%(measure)s is not a count: WDD and WDQ need counts.") % {"measure": measure.code},
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
        groups[name] = [c.strip().upper() for c in group]
    series = load_series(organisation, list(found.values()), [measure])
    monthly: dict[str, dict[tuple[int, int], float | None]] = {
        code: {(p.year, p.month or 0): p.value for p in series[(area.pk, measure.pk)].months()}
        for code, area in found.items()
    }

    def total(group: list[str], window: analysis.Window) -> float:
        result = 0.0
        for code in group:
            for month in window.months:
                value = monthly[code].get(month)
                if value is None:
                    raise InsightError(
                        _("No figure of %(measure)s for %(area)s in %(month)s.")
                        % {
                            "measure": measure.code,
                            "area": code,
                            "month": f"{month[0]}M{month[1]:02d}",
                        },
                        code="missing",
                    )
                result += value
        return result

    counts = analysis.WaterbedCounts(
        target_before=total(groups["target"], before),
        target_after=total(groups["target"], after),
        displacement_before=total(groups["displacement"], before),
        displacement_after=total(groups["displacement"], after),
        control_target_before=total(groups["control_target"], before),
        control_target_after=total(groups["control_target"], after),
        control_displacement_before=total(groups["control_displacement"], before),
        control_displacement_after=total(groups["control_displacement"], after),
    )
    wdd = analysis.wdd(counts)
    wdq = analysis.wdq(counts)
    used = set(before.months) | set(after.months)
    return WaterbedResult(
        measure=measure.code,
        before=before,
        after=after,
        groups=groups,
        counts=counts,
        wdd=wdd,
        wdq=wdq,
        sentence=wording.waterbed(wdd, wdq),
        sources=sorted(
            {
                f"{code}: {point.source_line}"
                for code, area in found.items()
                for point in series[(area.pk, measure.pk)].months()
                if (point.year, point.month or 0) in used
            }
        ),
    )


def measures_with_data(organisation: Organisation | None, area: Area) -> list[Measure]:
    """Measures that have at least one figure for ``area`` (derived ones whose parts do)."""
    ids = set(
        selectors.visible_observations(organisation)
        .filter(area=area)
        .values_list("measure_id", flat=True)
        .distinct()
    )
    measures = list(
        selectors.visible_measures(organisation)
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
