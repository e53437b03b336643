"""What the veiligheidsbeeld pages show: tiles, sections and charts, built from :mod:`insight`.

Views stay thin: they parse the request, call one function here and render (or export one of
the charts). Every chart carries its table, so the table alternative, the CSV/XLSX downloads and
the chart itself show the same numbers.

Overview sentences never pick the most striking of many measures (that is selection bias: of 40
crime types tested at 5%, two "change significantly" by chance alone). A section's sentence is
about a fixed measure: its **first measure in catalogue order** (source, catalogue position,
code). Beside it the section says **how many** of its counts of events changed beyond chance,
with the caveat that about 1 in 20 does so by chance alone. A change in a percentage is given in
procentpunt. An area is never compared with itself: a tile compares the area with the **rest**
of a region (the region minus the area), and leaves a region out when it is the area itself or
holds nothing else.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from regie.areas.models import Area, AreaLevel
from regie.core.models import Organisation
from regie.monitor import analysis, catalogue, charts, insight, wording
from regie.monitor.models import Measure, MeasureKind, Source, Unit


@dataclass
class Tile:
    key: str
    title: str
    value: str
    detail: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    measure: str = ""


@dataclass
class Section:
    key: str
    title: str
    sentence: str
    chart: charts.Chart | None
    measures: list[Measure]


@dataclass
class Overview:
    area: Area
    tiles: list[Tile]
    sections: list[Section]

    def charts(self) -> dict[str, charts.Chart]:
        return {s.chart.table.key: s.chart for s in self.sections if s.chart is not None}


# --- Sections -----


def _category(measure: Measure) -> str:
    return (measure.category or "").lower()


def _section_of(measure: Measure) -> str:
    if measure.unit in (Unit.GRADE, Unit.PERCENT) or measure.source == Source.VM:
        return "perception"
    if measure.source == Source.DERIVED or measure.key in ("high_impact_crimes",):
        return "hic"
    if "digit" in _category(measure) or "cyber" in measure.key:
        return "digital"
    if measure.source == Source.OVERLAST or _category(measure) == "leefbaarheid":
        return "overlast"
    if measure.source in (Source.POLITIE, Source.CBS) or _category(measure) == (
        "objectieve veiligheid"
    ):
        return "crime"
    return "local"


def section_titles() -> list[tuple[str, str]]:
    return [
        ("crime", _("Crime by type")),
        ("hic", _("High impact crimes")),
        ("digital", _("Digital crime")),
        ("overlast", _("Nuisance")),
        ("local", _("Local figures")),
        ("perception", _("Subjective safety")),
    ]


def _is_covid(year: int) -> bool:
    return analysis.is_covid_year(year)


def _year_rows(series: insight.Series) -> list[dict[str, Any]]:
    return [
        {
            "measure": series.measure.name,
            "code": series.measure.code,
            "year": point.year,
            "value": point.value,
            "status": insight.status_label(point.status),
            "source": point.source_line,
            "covid": _is_covid(point.year),
        }
        for point in series.years()
    ]


def _year_columns(unit: str) -> list[charts.Column]:
    kind = "integer" if unit == Unit.COUNT else "number"
    return [
        charts.Column("measure", _("Measure"), "text"),
        charts.Column("code", _("Code"), "text"),
        charts.Column("year", _("Year"), "period"),
        charts.Column("value", _("Value"), kind, None if kind == "integer" else 1),
        charts.Column("status", _("Status"), "text"),
        charts.Column("source", _("Source"), "text"),
        charts.Column("covid", _("COVID year"), "text"),
    ]


@dataclass(frozen=True)
class Latest:
    """The latest figure of a series against its alike predecessor, in one sentence."""

    sentence: str
    tested: bool = False  # a count of events, tested with the exact conditional test
    beyond_chance: bool = False


def _margins_differ(before: insight.Point, after: insight.Point) -> bool | None:
    """Beyond chance on the survey's published bounds; None when either has none."""
    if before.margin is None or after.margin is None or None in (before.value, after.value):
        return None
    return analysis.margins_differ(
        float(before.value or 0.0), before.margin, float(after.value or 0.0), after.margin
    )


def _latest(series: insight.Series) -> Latest | None:
    """The latest figure against its alike predecessor (never chosen for being striking)."""
    pair = insight.latest_comparison(series)
    if pair is None:
        # the latest period counted whole: an incomplete month is never shown as the latest
        latest = series.latest(complete=True)
        if latest is None or latest.value is None:
            return None
        return Latest(
            _("%(measure)s: %(value)s in %(period)s; no alike earlier period to compare with.")
            % {
                "measure": series.measure.name,
                "value": wording.num(latest.value),
                "period": latest.label,
            }
        )
    before, after = pair
    if before.value is None or after.value is None:  # latest_comparison only pairs values
        return None
    difference = after.value - before.value
    test = None
    percent = None  # a relative change only for counts of events, and not on small counts
    if series.is_count:
        test = analysis.compare_counts(before.value, after.value)
        percent = test.percent_change
    sentence = wording.change(
        series.measure.name,
        (before.value, before.label),
        (after.value, after.label),
        difference,
        percent,
        test,
        unit=series.measure.unit,
        kind=series.kind,
        beyond=None if test else _margins_differ(before, after),
    )
    beyond = test is not None and test.verdict != analysis.Verdict.WITHIN_CHANCE
    return Latest(sentence, tested=test is not None, beyond_chance=beyond)


def section_sentence(members: Sequence[insight.Series]) -> str:
    """The sentence of a section: its first measure in catalogue order (a fixed choice, never
    the most striking one) and, with several counts of events, how many changed beyond chance
    with the multiple-testing caveat."""
    found = [(series, _latest(series)) for series in members]
    lead = next((latest for _series, latest in found if latest is not None), None)
    if lead is None:
        return _("No figures yet.")
    tested = [latest for _series, latest in found if latest is not None and latest.tested]
    if len(tested) < 2:
        return lead.sentence
    beyond = sum(1 for latest in tested if latest.beyond_chance)
    count = ngettext(
        "%(beyond)d of %(tested)d count changed more than chance explains since the alike "
        "earlier period; with this many comparisons about 1 in 20 does so by chance alone.",
        "%(beyond)d of %(tested)d counts changed more than chance explains since the alike "
        "earlier period; with this many comparisons about 1 in 20 does so by chance alone.",
        len(tested),
    ) % {"beyond": beyond, "tested": len(tested)}
    return f"{lead.sentence} {count}"


def overview(organisation: Organisation, area: Area) -> Overview:
    """Tiles and sections for a gemeente (or wijk/buurt) from every measure with figures."""
    measures = insight.measures_with_data(organisation, area)
    loaded = insight.load_series(organisation, [area], measures)
    by_section: dict[str, list[insight.Series]] = {}
    for measure in measures:
        series = loaded[(area.pk, measure.pk)]
        if not series.points:
            continue
        by_section.setdefault(_section_of(measure), []).append(series)
    sections: list[Section] = []
    for key, title in section_titles():
        members = by_section.get(key, [])
        if not members:
            continue
        sentence = section_sentence(members)
        rows = [row for series in members for row in _year_rows(series)]
        units = {m.measure.unit for m in members}
        unit = units.pop() if len(units) == 1 else ""
        table = charts.ChartTable(
            key=f"sectie-{key}",
            title=title,
            columns=_year_columns(unit),
            rows=rows,
            sources=_sources(members),
            note=sentence,
        )
        spec = (
            charts.bar_by_year(table, x="year", y="value", facet="measure", highlight="covid")
            if rows
            else None
        )
        sections.append(
            Section(
                key=key,
                title=title,
                sentence=sentence,
                chart=charts.Chart(table, spec, description=sentence),
                measures=[m.measure for m in members],
            )
        )
    return Overview(
        area=area, tiles=_tiles(organisation, area, loaded, measures), sections=sections
    )


def _sources(members: Sequence[insight.Series]) -> list[str]:
    lines: list[str] = []
    for series in members:
        tables = dict.fromkeys(t for p in series.points for t in p.tables)
        latest = max((p.vintage for p in series.points if p.vintage), default=None)
        statuses = sorted({insight.status_label(p.status) for p in series.points})
        line = _("%(measure)s (%(code)s): %(tables)s; latest import %(vintage)s; %(status)s") % {
            "measure": series.measure.name,
            "code": series.measure.code,
            "tables": ", ".join(tables),
            "vintage": f"{latest:%d-%m-%Y}" if latest else "–",
            "status": ", ".join(statuses),
        }
        if series.measure.is_derived:
            line += " " + _("(computed on read from its parts)")
        lines.append(line)
    return lines


# --- Tiles -----


_TOTALS = ("cbs:T001161", "politie:0.0.0")
_HIC = ("derived:hic-kern", "local:high_impact_crimes")


def _pick(
    area: Area,
    loaded: dict[tuple[int, int], insight.Series],
    measures: list[Measure],
    codes: Sequence[str],
) -> insight.Series | None:
    by_code = {m.code: m for m in measures}
    for code in codes:
        measure = by_code.get(code)
        if measure is not None:
            series = loaded[(area.pk, measure.pk)]
            if any(p.value is not None for p in series.years()):
                return series
    return None


def _tiles(
    organisation: Organisation,
    area: Area,
    loaded: dict[tuple[int, int], insight.Series],
    measures: list[Measure],
) -> list[Tile]:
    tiles: list[Tile] = []
    total = _pick(area, loaded, measures, _TOTALS)
    if total is not None:
        tiles.append(_count_tile(organisation, "totaal", _("Total registered crime"), total))
    hic = _pick(area, loaded, measures, _HIC)
    if hic is not None:
        tiles.append(_count_tile(organisation, "hic", _("High impact crimes"), hic))
    perception = [m for m in measures if m.unit == Unit.GRADE]
    for measure in perception[:1]:
        series = loaded[(area.pk, measure.pk)]
        latest = series.latest()
        if latest is None:
            continue
        margin = latest.margin
        tiles.append(
            Tile(
                key="beleving",
                title=measure.name,
                value=wording.num(latest.value, 1),
                detail=[
                    latest.label,
                    _("95%% margin of the survey: %(low)s–%(high)s")
                    % {"low": wording.num(margin[0], 1), "high": wording.num(margin[1], 1)}
                    if margin is not None
                    else _(
                        "The survey's margin is not in the data: small differences may be chance."
                    ),
                ],
                sources=[latest.source_line],
                measure=measure.code,
            )
        )
    return tiles


def _count_tile(organisation: Organisation, key: str, title: str, series: insight.Series) -> Tile:
    years = [p for p in series.years() if p.value is not None]
    latest = years[-1]
    area = series.area
    detail: list[str] = [latest.label]
    sources = [latest.source_line]
    people = insight.populations([area], [latest.year], organisation=organisation)
    own_rate = insight.rate(latest, people.get((area.pk, latest.year)), kind=series.kind)
    if own_rate is not None:
        detail.append(
            _("%(rate)s per 1,000 inhabitants (95%% interval %(low)s–%(high)s)")
            % {
                "rate": wording.num(own_rate.value, 1),
                "low": wording.num(own_rate.lower, 1),
                "high": wording.num(own_rate.upper, 1),
            }
        )
        for region in _regions(area):
            region_series = insight.load_series(organisation, [region], [series.measure])[
                (region.pk, series.measure.pk)
            ]
            point = next(
                (
                    p
                    for p in insight.area_years(
                        organisation, region, series.measure, region_series, years=[latest.year]
                    )
                    if p.year == latest.year
                ),
                None,
            )
            region_people = insight.populations(
                [region], [latest.year], organisation=organisation
            ).get((region.pk, latest.year))
            region_rate = (
                insight.rate(point, region_people, kind=series.kind) if point is not None else None
            )
            if region_rate is None or point is None:
                continue
            rest = _rest_of_region(point.value, region_rate.population, latest.value, own_rate)
            if rest is None:
                continue  # the region is this area itself: nothing to compare with
            rest_count, rest_people = rest
            test = analysis.compare_counts(
                rest_count,
                latest.value or 0.0,
                exposure_before=float(rest_people),
                exposure_after=float(own_rate.population),
            )
            detail.append(
                _(
                    "%(region)s: %(rate)s per 1,000; %(area)s against the rest of the region "
                    "(%(rest)s per 1,000): %(verdict)s"
                )
                % {
                    "region": region.name
                    if region.level == AreaLevel.NL
                    else f"{region.get_level_display()} {region.name}",
                    "rate": wording.num(region_rate.value, 1),
                    "area": area.name,
                    "rest": wording.num(1000.0 * rest_count / rest_people, 1),
                    "verdict": _relative(test),
                }
            )
            sources.append(f"{region.name}: {point.source_line}")
    pair = insight.latest_comparison(series)
    if pair is not None:
        before, after = pair
        if before.value is not None and after.value is not None:
            change: analysis.CountComparison | None = (
                analysis.compare_counts(before.value, after.value) if series.is_count else None
            )
            detail.append(
                wording.change(
                    _("Change"),
                    (before.value, before.label),
                    (after.value, after.label),
                    after.value - before.value,
                    change.percent_change if change else None,
                    change,
                    unit=series.measure.unit,
                    kind=series.kind,
                )
            )
    return Tile(
        key=key,
        title=title,
        value=wording.num(latest.value),
        detail=detail,
        sources=sources,
        measure=series.measure.code,
    )


def _rest_of_region(
    region_count: float | None,
    region_people: int,
    own_count: float | None,
    own_rate: analysis.Rate,
) -> tuple[float, int] | None:
    """The region without the area (count, inhabitants); None when nothing else is left (the
    region is the area itself) or the figures do not add up."""
    if region_count is None or own_count is None:
        return None
    rest_count = region_count - own_count
    rest_people = region_people - own_rate.population
    if rest_people <= 0 or rest_count < 0 or not float(rest_count).is_integer():
        return None
    return rest_count, rest_people


def _relative(test: analysis.CountComparison) -> str:
    if test.verdict == analysis.Verdict.HIGHER:
        return _("higher, beyond chance")
    if test.verdict == analysis.Verdict.LOWER:
        return _("lower, beyond chance")
    return _("no difference beyond chance")


def _regions(area: Area) -> list[Area]:
    """The politie-eenheid and the Netherlands: each once, never the area itself."""
    regions = [a for a in (area.politie_eenheid,) if a is not None]
    nl = Area.objects.filter(level=AreaLevel.NL).first()
    if nl is not None:
        regions.append(nl)
    return list({a.pk: a for a in regions if a.pk != area.pk}.values())


# --- Geometry -----


@functools.cache
def gemeente_boundaries() -> dict[str, Any]:
    """The shipped gemeente boundaries (CBS 2022, see PROVENANCE.md)."""
    path = catalogue.DATA / "cbs" / "gemeenten_2022_83648NED_2022.geojson"
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def boundaries_of(codes: set[str]) -> dict[str, Any]:
    data = gemeente_boundaries()
    return {
        **data,
        "features": [
            f for f in data.get("features", []) if f.get("properties", {}).get("statcode") in codes
        ],
    }


# --- The measure page -----


@dataclass
class MeasurePage:
    area: Area
    measure: Measure
    per_1000: bool
    baseline: analysis.Baseline
    exclude_covid: bool
    compare_with: list[Area]
    charts: dict[str, charts.Chart]
    sentences: list[str]
    trend: str
    ranking_note: str = ""
    small_areas: list[dict[str, Any]] = field(default_factory=list)

    @property
    def can_rate(self) -> bool:
        """Rates per 1,000 with an interval: counts of events only (not stocks or amounts)."""
        return self.measure.kind == MeasureKind.EVENT_COUNT


def _value_column(per_1000: bool, unit: str) -> charts.Column:
    if per_1000:
        return charts.Column("value", _("Per 1,000 inhabitants"), "number", 1)
    if unit == Unit.COUNT:
        return charts.Column("value", _("Number"), "integer")
    return charts.Column("value", _("Value"), "number", 1)


def measure_page(
    organisation: Organisation,
    area: Area,
    measure: Measure,
    *,
    per_1000: bool = False,
    compare_codes: Sequence[str] = (),
    baseline: analysis.Baseline = analysis.Baseline.Y2019,
    exclude_covid: bool = False,
) -> MeasurePage:
    # Rates, intervals and trends are for counts of events only (not stocks or amounts).
    is_count = measure.kind == MeasureKind.EVENT_COUNT
    per_1000 = per_1000 and is_count
    extra = list(Area.objects.filter(code__in=[c.strip().upper() for c in compare_codes]))
    areas = [area, *{a.pk: a for a in extra if a.pk != area.pk}.values()]
    loaded = insight.load_series(organisation, areas, [measure])
    own = loaded[(area.pk, measure.pk)]
    years_by_area = {
        a.pk: insight.area_years(organisation, a, measure, loaded[(a.pk, measure.pk)])
        for a in areas
    }
    all_years = {p.year for points in years_by_area.values() for p in points}
    people = insight.populations(areas, all_years, organisation=organisation)
    built: dict[str, charts.Chart] = {}

    # 1. Whole years, per area (own area first), as counts or per 1,000 with intervals.
    rows: list[dict[str, Any]] = []
    for a in areas:
        for point in years_by_area[a.pk]:
            row: dict[str, Any] = {
                "area": a.name,
                "year": point.year,
                "count": point.value,
                "population": people.get((a.pk, point.year)),
                "value": point.value,
                "lower": None,
                "upper": None,
                "status": insight.status_label(point.status),
                "source": point.source_line,
                "covid": _is_covid(point.year),
            }
            if per_1000:
                found = insight.rate(point, people.get((a.pk, point.year)), kind=measure.kind)
                row["value"] = found.value if found else None
                row["lower"] = found.lower if found else None
                row["upper"] = found.upper if found else None
            rows.append(row)
    columns = [
        charts.Column("area", _("Area"), "text"),
        charts.Column("year", _("Year"), "period"),
        _value_column(per_1000, measure.unit),
    ]
    if per_1000:
        columns += [
            charts.Column("lower", _("Lower bound (95%)"), "number", 1),
            charts.Column("upper", _("Upper bound (95%)"), "number", 1),
            charts.Column("count", _("Number"), "integer"),
            charts.Column("population", _("Inhabitants on 1 January"), "integer"),
        ]
    columns += [
        charts.Column("status", _("Status"), "text"),
        charts.Column("source", _("Source"), "text"),
        charts.Column("covid", _("COVID year"), "text"),
    ]
    year_table = charts.ChartTable(
        key="per-jaar",
        title=_("%(measure)s per year") % {"measure": measure.name}
        + (" – " + _("per 1,000 inhabitants") if per_1000 else ""),
        columns=columns,
        rows=rows,
        sources=sorted({str(r["source"]) for r in rows}),
        note=_("COVID years 2020 and 2021 are marked: they were abnormal.") if rows else "",
    )
    if rows:
        built["per-jaar"] = charts.Chart(
            year_table,
            charts.line_series(
                year_table,
                x="year",
                y="value",
                color="area" if len(areas) > 1 else None,
                lower="lower" if per_1000 else None,
                upper="upper" if per_1000 else None,
                highlight="covid",
            ),
            description=year_table.title,
        )

    # 2. Months with the rolling twelve-month sum.
    months = own.months()
    if months:
        monthly = {(p.year, p.month or 0): p.value for p in months}
        rolling = dict(analysis.rolling_12(monthly))
        month_rows = [
            {
                "month": f"{p.year}-{p.month:02d}",
                "label": p.label,
                "value": p.value,
                "rolling": rolling.get((p.year, p.month or 0)),
                "status": insight.status_label(p.status),
                "source": p.source_line,
            }
            for p in months
        ]
        month_table = charts.ChartTable(
            key="per-maand",
            title=_("%(measure)s per month") % {"measure": measure.name},
            columns=[
                charts.Column("month", _("Month"), "period"),
                charts.Column("label", _("Period"), "text"),
                _value_column(False, measure.unit),
                charts.Column("rolling", _("Rolling 12 months"), "integer"),
                charts.Column("status", _("Status"), "text"),
                charts.Column("source", _("Source"), "text"),
            ],
            rows=month_rows,
            sources=sorted({str(r["source"]) for r in month_rows}),
            note=_("The rolling sum covers the twelve months up to and including each month."),
        )
        built["per-maand"] = charts.Chart(
            month_table,
            charts.line_series(month_table, x="month", y="value"),
            description=month_table.title,
        )
        if any(r["rolling"] is not None for r in month_rows):
            rolling_table = charts.ChartTable(
                key="twaalf-maanden",
                title=_("%(measure)s, rolling twelve months") % {"measure": measure.name},
                columns=month_table.columns,
                rows=[r for r in month_rows if r["rolling"] is not None],
                sources=month_table.sources,
                note=month_table.note,
            )
            built["twaalf-maanden"] = charts.Chart(
                rolling_table,
                charts.line_series(rolling_table, x="month", y="rolling"),
                description=rolling_table.title,
            )

    # 3. Sentences: latest against its alike predecessor, and against the baseline.
    sentences: list[str] = []
    latest = _latest(own)
    if latest is not None:
        sentences.append(latest.sentence)
    own_years = {p.year: p.value for p in years_by_area[area.pk]}
    base = analysis.baseline_value(own_years, baseline)
    whole = [p for p in years_by_area[area.pk] if p.value is not None]
    if base is not None and whole and whole[-1].year > max(analysis.baseline_years(baseline)):
        last = whole[-1]
        n = len(analysis.baseline_years(baseline))
        label = _("the mean of %(years)s") % {"years": baseline.value} if n > 1 else baseline.value
        assert last.value is not None  # noqa: S101 - filtered above
        test = (
            analysis.compare_counts(base * n, last.value, exposure_before=float(n))
            if own.is_count and float(base * n).is_integer()
            else None
        )
        sentences.append(
            wording.change(
                measure.name,
                (base, str(label)),
                (last.value, last.label),
                last.value - base,
                test.percent_change if test else None,
                test,
                unit=measure.unit,
                kind=own.kind,
            )
        )

    # 4. Trend over whole years with a population offset.
    trend_text = ""
    if is_count:
        trend_text = insight.year_trend(
            own, years_by_area[area.pk], people, exclude_covid=exclude_covid
        ).sentence

    page = MeasurePage(
        area=area,
        measure=measure,
        per_1000=per_1000,
        baseline=baseline,
        exclude_covid=exclude_covid,
        compare_with=areas[1:],
        charts=built,
        sentences=sentences,
        trend=trend_text,
    )
    if is_count and area.level == AreaLevel.GEMEENTE:
        _add_comparisons(organisation, page, compare_codes, years_by_area[area.pk])
    return page


#: Buurten and wijken with fewer inhabitants than this give unreliable rates.
SMALL_POPULATION = 500


def _add_comparisons(
    organisation: Organisation,
    page: MeasurePage,
    peer_codes: Sequence[str],
    own: Sequence[insight.Point],
) -> None:
    """Ranking against regions and peers, a map of the politie-eenheid, and wijken/buurten."""
    area, measure = page.area, page.measure
    own_years = [p for p in own if p.value is not None]
    if not own_years:
        return
    year = own_years[-1].year
    others = insight.comparison_areas(area, [c for c in peer_codes if c.upper().startswith("GM")])
    # Never the area itself (as its own region or in the peer list), each other area once.
    others = list({a.pk: a for a in others if a.pk != area.pk and a.code != area.code}.values())
    everyone = [area, *others]
    loaded = insight.load_series(organisation, everyone, [measure])
    people = insight.populations(everyone, [year], organisation=organisation)
    rows: list[dict[str, Any]] = []
    for a in everyone:
        series = loaded[(a.pk, measure.pk)]
        points = insight.area_years(organisation, a, measure, series, years=[year])
        point = next((p for p in points if p.year == year), None)
        if point is None:
            continue
        found = insight.rate(point, people.get((a.pk, year)), kind=measure.kind)
        if found is None:
            continue
        rows.append(
            {
                "area": a.name,
                "code": a.code,
                "value": found.value,
                "lower": found.lower,
                "upper": found.upper,
                "count": point.value,
                "population": found.population,
                "own": a.pk == area.pk,
                "source": point.source_line,
            }
        )
    if len(rows) > 1:
        table = charts.ChartTable(
            key="vergelijking",
            title=_("%(measure)s per 1,000 inhabitants in %(year)d: comparison")
            % {"measure": measure.name, "year": year},
            columns=[
                charts.Column("area", _("Area"), "text"),
                charts.Column("code", _("Code"), "text"),
                charts.Column("value", _("Per 1,000 inhabitants"), "number", 1),
                charts.Column("lower", _("Lower bound (95%)"), "number", 1),
                charts.Column("upper", _("Upper bound (95%)"), "number", 1),
                charts.Column("count", _("Number"), "integer"),
                charts.Column("population", _("Inhabitants on 1 January"), "integer"),
                charts.Column("own", _("Own gemeente"), "text"),
                charts.Column("source", _("Source"), "text"),
            ],
            rows=sorted(rows, key=lambda r: -r["value"]),
            sources=sorted({str(r["source"]) for r in rows}),
            note=_(
                "The politie-eenheid, the veiligheidsregio, the Netherlands and five gemeenten of "
                "similar population; intervals are exact 95%% Poisson intervals."
            ),
        )
        page.charts["vergelijking"] = charts.Chart(
            table,
            charts.ranking(
                table, label="area", value="value", lower="lower", upper="upper", highlight="own"
            ),
            description=table.title,
        )
    # The map: every gemeente of the politie-eenheid with a figure that year.
    region = area.politie_eenheid
    if region is not None:
        gemeenten = insight.members(region, former=False)
        series_map = insight.load_series(organisation, gemeenten, [measure])
        people_map = insight.populations(gemeenten, [year], organisation=organisation)
        map_rows = []
        for g in gemeenten:
            point = next(
                (p for p in series_map[(g.pk, measure.pk)].years() if p.year == year), None
            )
            found = (
                insight.rate(point, people_map.get((g.pk, year)), kind=measure.kind)
                if point
                else None
            )
            if found is None or point is None:
                continue
            map_rows.append(
                {
                    "code": g.code,
                    "area": g.name,
                    "value": found.value,
                    "count": point.value,
                    "population": found.population,
                    "small": found.population < SMALL_POPULATION,
                    "source": point.source_line,
                }
            )
        if len(map_rows) > 1:
            map_table = charts.ChartTable(
                key="kaart",
                title=_("%(measure)s per 1,000 inhabitants in %(year)d: gemeenten of %(region)s")
                % {"measure": measure.name, "year": year, "region": region.name},
                columns=[
                    charts.Column("code", _("Code"), "text"),
                    charts.Column("area", _("Area"), "text"),
                    charts.Column("value", _("Per 1,000 inhabitants"), "number", 1),
                    charts.Column("count", _("Number"), "integer"),
                    charts.Column("population", _("Inhabitants on 1 January"), "integer"),
                    charts.Column("small", _("Small population (unreliable)"), "text"),
                    charts.Column("source", _("Source"), "text"),
                ],
                rows=map_rows,
                sources=sorted({str(r["source"]) for r in map_rows}),
                note=_("Boundaries: CBS gemeenten 2022."),
            )
            geo = boundaries_of({str(r["code"]) for r in map_rows})
            page.charts["kaart"] = charts.Chart(
                map_table,
                charts.choropleth(map_table, geojson=geo, key="code", value="value", flag="small")
                if geo["features"]
                else None,
                description=map_table.title,
            )
    # Wijken and buurten of the gemeente.
    parts = list(Area.objects.filter(parent=area, level=AreaLevel.WIJK, active=True)) + list(
        Area.objects.filter(parent__parent=area, level=AreaLevel.BUURT, active=True)
    )
    if parts:
        series_parts = insight.load_series(organisation, parts, [measure])
        latest_parts = {
            part.pk: points[-1]
            for part in parts
            if (
                points := [
                    p for p in series_parts[(part.pk, measure.pk)].years() if p.value is not None
                ]
            )
        }
        people_parts = insight.populations(
            parts, {p.year for p in latest_parts.values()}, organisation=organisation
        )
        small_rows = []
        for part in sorted(parts, key=lambda a: a.code):
            last = latest_parts.get(part.pk)
            if last is None:
                continue
            people_part = people_parts.get((part.pk, last.year))
            found = insight.rate(last, people_part, kind=measure.kind)
            small_rows.append(
                {
                    "code": part.code,
                    "area": part.name,
                    "level": part.get_level_display(),
                    "year": last.year,
                    "count": last.value,
                    "population": people_part,
                    "value": found.value if found else None,
                    "lower": found.lower if found else None,
                    "upper": found.upper if found else None,
                    "small": bool(people_part is None or people_part < SMALL_POPULATION),
                    "source": last.source_line,
                }
            )
        if small_rows:
            table = charts.ChartTable(
                key="wijken-buurten",
                title=_("%(measure)s in wijken and buurten") % {"measure": measure.name},
                columns=[
                    charts.Column("code", _("Code"), "text"),
                    charts.Column("area", _("Area"), "text"),
                    charts.Column("level", _("Level"), "text"),
                    charts.Column("year", _("Year"), "period"),
                    charts.Column("count", _("Number"), "integer"),
                    charts.Column("population", _("Inhabitants on 1 January"), "integer"),
                    charts.Column("value", _("Per 1,000 inhabitants"), "number", 1),
                    charts.Column("lower", _("Lower bound (95%)"), "number", 1),
                    charts.Column("upper", _("Upper bound (95%)"), "number", 1),
                    charts.Column("small", _("Small population (unreliable)"), "text"),
                    charts.Column("source", _("Source"), "text"),
                ],
                rows=small_rows,
                sources=sorted({str(r["source"]) for r in small_rows}),
                note=_(
                    "Areas with fewer than %(n)d inhabitants are flagged: their rates are "
                    "unreliable."
                )
                % {"n": SMALL_POPULATION},
            )
            page.charts["wijken-buurten"] = charts.Chart(table, None, description=table.title)
