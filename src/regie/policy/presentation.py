"""What the Beleid pages show about an indicator: its target in words, a chart, a table per year.

Built from :mod:`regie.policy.status` (the statuses) and the monitor's series, so that the page,
the chart and its download show the same figures with their sources.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from regie.core import charts
from regie.monitor import selectors
from regie.monitor.models import Unit
from regie.policy import engine
from regie.policy.engine import Status, TargetKind
from regie.policy.models import Indicator
from regie.policy.status import IndicatorStatus, target_of


def _with_unit(indicator: Indicator, text: str) -> str:
    return f"{text}%" if indicator.measure.unit == Unit.PERCENT else text


def shown(indicator: Indicator, value: float | None) -> str:
    """A measurement as the plan shows it: ``decimals``, rounded half up (7,25 → 7,3)."""
    if value is None:
        return "–"
    return engine.format_number(value, indicator.decimals)


def _value(indicator: Indicator, value: float | None) -> str:
    """A target value as written: never rounded away (7,3 stays 7,3 at 0 decimals)."""
    if value is None:
        return "–"
    places = engine.exact_decimals(value, indicator.decimals)
    return _with_unit(indicator, engine.format_number(value, places))


def describe_target(indicator: Indicator) -> str:
    """The target in one line, e.g. "at least 7,3" or "from 50% in 2022 to 58% in 2026"."""
    kind = TargetKind(indicator.target_kind)
    if kind == TargetKind.AT_LEAST:
        return _("at least %(value)s") % {"value": _value(indicator, indicator.target_value)}
    if kind == TargetKind.AT_MOST:
        return _("at most %(value)s") % {"value": _value(indicator, indicator.target_value)}
    if kind in (TargetKind.NOT_UP, TargetKind.NOT_DOWN):
        words = (
            _("decrease or stay the same")
            if kind == TargetKind.NOT_UP
            else _("increase or stay the same")
        )
        if not indicator.baseline_period:
            return _("%(words)s (baseline not yet set)") % {"words": words}
        return _("%(words)s compared with %(period)s (%(value)s)") % {
            "words": words,
            "period": indicator.baseline_period,
            "value": _value(indicator, indicator.baseline_value),
        }
    return _("from %(start)s in %(start_year)s to %(end)s in %(end_year)s") % {
        "start": _value(indicator, indicator.start_value),
        "start_year": indicator.start_year or "?",
        "end": _value(indicator, indicator.end_value),
        "end_year": indicator.end_year or "?",
    }


@dataclass(frozen=True)
class YearRow:
    """One year of an indicator's table: the figure, what the target asks, the status then."""

    year: int
    value: float | None
    target: float | None
    status: Status | None
    explanation: str
    source: str
    role: str = ""  # "baseline", "start of the trajectory", "plan year" or empty
    value_text: str = "–"  # the measurement, rounded half up at the plan's decimals
    target_text: str = "–"  # the target as written (a trajectory's expected value: decimals)


def _target_in(indicator: Indicator, target: engine.Target, year: int) -> float | None:
    kind = TargetKind(indicator.target_kind)
    if kind in engine.THRESHOLDS:
        return indicator.target_value
    if kind in engine.DIRECTIONS:
        return indicator.baseline_value
    if engine.target_problems(target):
        return None
    return engine.expected_on_trajectory(target, year)


def _role(indicator: Indicator, year: int, years: list[int]) -> str:
    if indicator.baseline_period == str(year):
        return _("baseline")
    if indicator.target_kind == TargetKind.TRAJECTORY and indicator.start_year == year:
        return _("start of the trajectory")
    if indicator.target_kind == TargetKind.TRAJECTORY and indicator.end_year == year:
        return _("goal year")
    return _("plan year") if year in years else ""


def year_rows(found: IndicatorStatus, series: selectors.Series, years: list[int]) -> list[YearRow]:
    """Every year of the plan and of the data: figure, target value and the status it had.

    The status of a year is what the engine says when that year's figure was the latest one,
    so the table shows how the indicator developed; years without a whole-year figure show
    none (a part year is never judged against a whole-year target).
    """
    indicator = found.indicator
    target = target_of(indicator)
    # the whole years as the veiligheidsbeeld and the status engine see them (a merged
    # gemeente's earlier years as the marked sum of its former gemeenten)
    organisation = indicator.goal.theme.priority.plan.organisation
    points = {
        p.year: p
        for p in selectors.area_years(organisation, indicator.area, indicator.measure, series)
    }
    measured = [m for m in found.measurements if m.whole_year]
    all_years = sorted(set(years) | set(points) | {m.year for m in measured})
    rows: list[YearRow] = []
    problems = engine.target_problems(target)
    for year in all_years:
        point = points.get(year)
        status: Status | None = None
        explanation = ""
        upto = [m for m in found.measurements if m.year <= year]
        if point is not None and point.value is not None and not problems:
            judged = engine.evaluate(target, upto, decimals=indicator.decimals)
            if (
                judged.measurement is not None
                and judged.measurement.year == year
                and judged.status != Status.NO_MEASUREMENT
            ):
                status, explanation = judged.status, judged.explanation
        value = None if point is None else point.value
        target_value = _target_in(indicator, target, year)
        rows.append(
            YearRow(
                year=year,
                value=value,
                target=target_value,
                status=status,
                explanation=explanation,
                source="" if point is None else point.source_line,
                role=_role(indicator, year, years),
                value_text=_shown_against(indicator, value, target_value),
                target_text=_target_text(indicator, target_value),
            )
        )
    return rows


def _target_text(indicator: Indicator, target: float | None) -> str:
    """The table's target column: a threshold or baseline as written, a trajectory's expected
    value at the plan's decimals."""
    if target is None:
        return "–"
    if TargetKind(indicator.target_kind) == TargetKind.TRAJECTORY:
        return shown(indicator, target)
    return engine.format_number(target, engine.exact_decimals(target, indicator.decimals))


def _shown_against(indicator: Indicator, value: float | None, target: float | None) -> str:
    """A measurement shown so that it never looks equal to a target it differs from."""
    if value is None:
        return "–"
    if target is None:
        return shown(indicator, value)
    base = max(indicator.decimals, engine.exact_decimals(target, indicator.decimals))
    if TargetKind(indicator.target_kind) == TargetKind.TRAJECTORY:
        base = indicator.decimals
    return engine.format_number(value, engine.apart_decimals(value, target, base))


def chart(
    found: IndicatorStatus, series: selectors.Series, rows: list[YearRow], sources: list[str]
) -> charts.Chart:
    """The measure's yearly figures with the target as a dashed line (a trajectory slopes)."""
    indicator = found.indicator
    decimals = indicator.decimals
    kind = "percent" if indicator.measure.unit == Unit.PERCENT else "number"
    table = charts.ChartTable(
        key=f"indicator-{indicator.pk}",
        title=_("%(name)s in %(area)s against the target")
        % {"name": indicator.name, "area": indicator.area.name},
        columns=[
            charts.Column("year", _("Year"), "period"),
            charts.Column("value", indicator.measure.name, kind, decimals),
            charts.Column("target", _("Target"), kind, decimals),
        ],
        rows=[{"year": r.year, "value": r.value, "target": r.target} for r in rows],
        sources=sources,
        note=describe_target(indicator),
    )
    spec = charts.line_series(
        table,
        x="year",
        y="value",
        target="target",
        description=_("%(name)s per year with the target (%(target)s); latest status: %(status)s.")
        % {
            "name": indicator.name,
            "target": describe_target(indicator),
            "status": found.label,
        },
    )
    return charts.Chart(table=table, spec=spec, description=str(spec.get("description", "")))
