"""The page of one measure: whole years, months with the rolling sum, sentences and trend."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from regie import stats
from regie.areas.models import Area, AreaLevel
from regie.core import charts
from regie.core.models import Organisation
from regie.monitor import selectors
from regie.monitor.models import Measure
from regie.veiligheidsbeeld import insight, wording
from regie.veiligheidsbeeld.dashboard.maps import _add_comparisons
from regie.veiligheidsbeeld.dashboard.model import _area_name, _is_covid, value_column
from regie.veiligheidsbeeld.dashboard.sentences import _latest, _named


@dataclass
class MeasurePage:
    area: Area
    measure: Measure
    per_1000: bool
    baseline: stats.Baseline
    exclude_covid: bool
    compare_with: list[Area]
    charts: dict[str, charts.Chart]
    sentences: list[str]
    trend: str
    ranking_note: str = ""
    small_areas: list[dict[str, Any]] = field(default_factory=list)

    @property
    def has_provisional(self) -> bool:
        """Whether a figure on the page is voorlopig (its explanation then goes beside it)."""
        provisional = {
            selectors.status_label("voorlopig"),
            selectors.status_label("nader_voorlopig"),
        }
        return any(
            str(row.get("status", "")) in provisional
            for chart in self.charts.values()
            for row in chart.table.rows
        )

    @property
    def description(self) -> str:
        return plain_description(self.measure)

    @property
    def source_description(self) -> str:
        return technical_description(self.measure)

    @property
    def can_rate(self) -> bool:
        """Rates per 1,000 with an interval: counts of events only (not stocks or amounts)."""
        return self.measure.is_event_count


#: What makes a source's description technical: incident codes of the police classification
#: ("A20", "F5293"), police type codes ("1.4.6"), stored measure codes and web addresses.
_TECHNICAL = re.compile(
    r"\b[A-Z]{1,2}\d{2,5}\b|\b\d+\.\d+\.\d+\b|https?://|www\.|"
    r"\b(?:politie|cbs|local|vm|overlast|derived):"
)


def plain_description(measure: Measure) -> str:
    """The measure's description as one plain Dutch line for the top of its page, or "" when
    the source's text is a classification list (incident codes, addresses): that text is for
    the technical details (:func:`technical_description`)."""
    text = " ".join((measure.description or "").split())
    if not text or text == '"NA"' or _TECHNICAL.search(text):
        return ""
    first = text.split(". ", 1)[0].rstrip(".")
    return f"{first}." if len(first) <= 200 else ""


def technical_description(measure: Measure) -> str:
    """The source's full description when it is not shown as the plain line, else ""."""
    text = " ".join((measure.description or "").split())
    if not text or text == '"NA"' or plain_description(measure) == text:
        return ""
    return text


def _value_column(per_1000: bool, unit: str, source: str = "") -> charts.Column:
    return value_column(unit, source, per_1000=per_1000)


def measure_page(
    organisation: Organisation,
    area: Area,
    measure: Measure,
    *,
    per_1000: bool = False,
    compare_codes: Sequence[str] = (),
    baseline: stats.Baseline = stats.Baseline.Y2019,
    exclude_covid: bool = False,
) -> MeasurePage:
    # Rates, intervals and trends are for counts of events only (not stocks or amounts).
    is_count = measure.is_event_count
    per_1000 = per_1000 and is_count
    extra = list(Area.objects.filter(code__in=[c.strip().upper() for c in compare_codes]))
    areas = [area, *{a.pk: a for a in extra if a.pk != area.pk}.values()]
    loaded = selectors.load_series(organisation, areas, [measure])
    own = loaded[(area.pk, measure.pk)]
    years_by_area = {
        a.pk: selectors.area_years(organisation, a, measure, loaded[(a.pk, measure.pk)])
        for a in areas
    }
    all_years = {p.year for points in years_by_area.values() for p in points}
    people = selectors.populations(areas, all_years, organisation=organisation)
    built: dict[str, charts.Chart] = {}

    # 1. Whole years, per area (own area first), as counts or per 1,000 with intervals.
    rows: list[dict[str, Any]] = []
    for a in areas:
        for point in years_by_area[a.pk]:
            row: dict[str, Any] = {
                "area": _area_name(a),
                "year": point.year,
                "count": point.value,
                "population": people.get((a.pk, point.year)),
                "value": point.value,
                "lower": None,
                "upper": None,
                "status": selectors.status_label(point.status),
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
        _value_column(per_1000, measure.unit, measure.source),
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
        note=" ".join(
            [
                _("COVID years 2020 and 2021 are marked: they were abnormal.") if rows else "",
                *[
                    _("%(area)s has no figures for this measure in the loaded sources.")
                    % {"area": _area_name(a)}
                    for a in areas[1:]
                    if not any(p.value is not None for p in years_by_area[a.pk])
                ],
            ]
        ).strip(),
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
        rolling = dict(stats.rolling_12(monthly))
        month_rows = [
            {
                "month": f"{p.year}-{p.month:02d}",
                "label": p.label,
                "value": p.value,
                "rolling": rolling.get((p.year, p.month or 0)),
                "status": selectors.status_label(p.status),
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
                _value_column(False, measure.unit, measure.source),
                charts.Column("rolling", _("Sum of the last twelve months (number)"), "integer"),
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
    base = stats.baseline_value(own_years, baseline)
    whole = [p for p in years_by_area[area.pk] if p.value is not None]
    if base is not None and whole and whole[-1].year > max(stats.baseline_years(baseline)):
        last = whole[-1]
        n = len(stats.baseline_years(baseline))
        label = _("the mean of %(years)s") % {"years": baseline.value} if n > 1 else baseline.value
        assert last.value is not None  # noqa: S101 - filtered above
        test = (
            stats.compare_counts(base * n, last.value, exposure_before=float(n))
            if own.is_count and float(base * n).is_integer()
            else None
        )
        sentences.append(
            wording.change(
                measure.name,
                (base, str(label)),
                (last.value, _named(last)),
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
