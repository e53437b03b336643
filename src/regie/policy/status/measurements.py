"""The engine's input from the models: an indicator's target and the measurements of its series."""

from __future__ import annotations

from regie.areas.models import Area
from regie.core.models import Organisation
from regie.monitor import selectors
from regie.monitor.models import Measure, ObservationStatus, Source, Unit
from regie.policy import engine
from regie.policy.engine import TargetKind
from regie.policy.models import Indicator
from regie.policy.status.results import unofficial_source
from regie.stats import periods


def measure_kind(measure: Measure) -> engine.MeasureKind:
    """The kind of figure (``Measure.kind``, CONTRACT I4); from the unit and source when the
    field is not there or holds an unknown value."""
    kind = measure.kind
    if kind:
        try:
            return engine.MeasureKind(kind)
        except ValueError:
            pass
    if measure.unit in selectors.COUNT_UNITS:
        return engine.MeasureKind.EVENT_COUNT
    if measure.unit == Unit.EURO:
        return engine.MeasureKind.AMOUNT
    if measure.source == Source.VM:
        return engine.MeasureKind.SURVEY
    return engine.MeasureKind.RATIO


def target_of(indicator: Indicator, *, plan_years: tuple[int, int] | None = None) -> engine.Target:
    """The engine's target for ``indicator``; ``plan_years`` (first, last) is its plan period
    (only measurements inside it are judged), taken from the loaded plan when not given."""
    kind = measure_kind(indicator.measure)
    baseline = None
    if indicator.baseline_period and indicator.baseline_value is not None:
        baseline = _measurement(
            indicator.baseline_period,
            indicator.baseline_value,
            is_count=_is_count(indicator),
            kind=kind,
        )
    if plan_years is None:
        plan_years = _plan_years(indicator)
    return engine.Target(
        kind=TargetKind(indicator.target_kind),
        value=indicator.target_value,
        baseline=baseline,
        start_year=indicator.start_year,
        start_value=indicator.start_value,
        end_year=indicator.end_year,
        end_value=indicator.end_value,
        unit="%" if indicator.measure.unit == Unit.PERCENT else "",
        plan_years=plan_years,
        baseline_period=indicator.baseline_period or None,
        unofficial_source=unofficial_source(indicator.measure),
    )


def _plan_years(indicator: Indicator) -> tuple[int, int]:
    """The plan period of ``indicator`` (the goal → plan chain is loaded by every caller)."""
    plan = indicator.goal.theme.priority.plan
    return (plan.start_year, plan.end_year)


def _is_count(indicator: Indicator) -> bool:
    return indicator.measure.unit in selectors.COUNT_UNITS


def _measurement(
    period_code: str,
    value: float,
    *,
    is_count: bool,
    kind: engine.MeasureKind | None = None,
    margin: tuple[float, float] | None = None,
    provisional: bool = False,
) -> engine.Measurement:
    period = periods.parse(period_code)
    lower = upper = None
    if margin is not None:
        low, high = float(margin[0]), float(margin[1])
        if low <= value <= high:  # bounds that do not enclose the value are not used
            lower, upper = low, high
    return engine.Measurement(
        period=period.code,
        year=period.end.year,
        value=value,
        lower=lower,
        upper=upper,
        is_count=is_count and float(value).is_integer() and value >= 0,
        whole_year=period.is_whole_year,
        kind=kind,
        provisional=provisional,
    )


def _provisional(point: selectors.Point) -> bool:
    return point.status in (ObservationStatus.VOORLOPIG, ObservationStatus.NADER_VOORLOPIG)


def _margin(point: selectors.Point) -> tuple[float, float] | None:
    """The published survey bounds of ``point`` (``Point.margin``, CONTRACT I4), if any."""
    margin = point.margin
    if margin is None:
        return None
    return float(margin[0]), float(margin[1])


def measurements(
    series: selectors.Series,
    *,
    is_count: bool,
    kind: engine.MeasureKind | None = None,
    years: list[selectors.Point] | None = None,
) -> list[engine.Measurement]:
    """Whole years (published or summed from 12 months) plus the sub-year figures, in time order,
    each with the survey bounds its source published (``Point.margin``).

    ``years`` are the whole years as the veiligheidsbeeld shows them (``selectors.area_years``:
    a merged gemeente's earlier years as the marked sum of its former gemeenten); default: the
    series' own whole years.

    Sub-year figures are marked ``whole_year=False``: the engine never judges them against a
    whole-year target or baseline, but names them ("the latest figure is 2022H1").
    """
    found: dict[str, engine.Measurement] = {}
    for point in series.years() if years is None else years:
        if point.value is not None and not point.incomplete:
            found[point.period] = _measurement(
                point.period,
                point.value,
                is_count=is_count,
                kind=kind,
                margin=_margin(point),
                provisional=_provisional(point),
            )
    for point in series.points:
        if point.value is None or point.period in found or point.incomplete:
            continue  # an incomplete period is named by the monitor, never judged
        if point.kind in (periods.PeriodKind.HALF, periods.PeriodKind.YEAR_TO_DATE):
            found[point.period] = _measurement(
                point.period,
                point.value,
                is_count=is_count,
                kind=kind,
                margin=_margin(point),
                provisional=_provisional(point),
            )
    return sorted(found.values(), key=lambda m: (periods.parse(m.period).end, m.whole_year))


def value_in_data(
    organisation: Organisation, area: Area, measure: Measure, period_code: str
) -> float | None:
    """``measure`` for ``area`` in ``period_code`` from the figures ``organisation`` may see.

    A whole year may be the sum of its twelve months (as the veiligheidsbeeld shows it).
    """
    period = periods.parse(period_code)
    series = selectors.load_series(
        organisation, [area], [measure], years=range(period.start.year, period.end.year + 1)
    )[(area.pk, measure.pk)]
    for point in [*series.years(), *series.points]:
        if point.period == period.code:
            return point.value
    return None
