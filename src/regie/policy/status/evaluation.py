"""The statuses of indicators: their series loaded per area, judged by the engine, overrides kept
above the computed status."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import replace

from django.utils.translation import gettext as _

from regie.areas.models import Area, AreaLevel
from regie.areas.selectors import merged_predecessors
from regie.monitor import selectors
from regie.monitor.models import Measure
from regie.policy import engine
from regie.policy.engine import Status
from regie.policy.models import Indicator, StatusOverride
from regie.policy.status.measurements import _is_count, measure_kind, measurements, target_of
from regie.policy.status.results import IndicatorStatus


def evaluate_indicators(
    indicators: list[Indicator], *, since: str | None = None
) -> dict[int, IndicatorStatus]:
    """Statuses of ``indicators`` (with measure and area loaded).

    One query for the overrides and two per area the indicators name, however many indicators.
    """
    if not indicators:
        return {}
    organisation = indicators[0].goal.theme.priority.plan.organisation
    # Per area only the measures its indicators use: loading every area × every measure reads
    # (and builds series for) far more figures than the plan needs. Queries: two per area.
    areas: dict[int, Area] = {i.area_id: i.area for i in indicators}
    measures: dict[int, dict[int, Measure]] = defaultdict(dict)
    for indicator in indicators:
        measures[indicator.area_id][indicator.measure_id] = indicator.measure
    loaded: dict[tuple[int, int], selectors.Series] = {}
    for area_id, area in areas.items():
        loaded |= selectors.load_series(organisation, [area], list(measures[area_id].values()))
    latest: dict[int, StatusOverride] = {}
    for row in (
        StatusOverride.objects.filter(indicator__in=[i.pk for i in indicators])
        .select_related("created_by")
        .order_by("indicator_id", "-created_at", "-pk")
    ):
        latest.setdefault(row.indicator_id, row)
    # A gemeente formed by a merger: its years before the merger as the page shows them (the
    # marked sum of its former gemeenten). One look-up per area, not per indicator.
    merged = {
        area_id
        for area_id, area in areas.items()
        if area.level == AreaLevel.GEMEENTE and merged_predecessors(area)
    }
    result: dict[int, IndicatorStatus] = {}
    for indicator in indicators:
        series = loaded[(indicator.area_id, indicator.measure_id)]
        found = measurements(
            series,
            is_count=_is_count(indicator),
            kind=measure_kind(indicator.measure),
            years=selectors.area_years(organisation, indicator.area, indicator.measure, series)
            if indicator.area_id in merged
            else None,
        )
        computed = evaluate_indicator(indicator, found, since)
        override: StatusOverride | None = latest.get(indicator.pk)
        if override is not None and override.status:
            status = Status(override.status)
            explanation = _("Set by hand to “%(status)s”: %(reason)s (computed: %(computed)s)") % {
                "status": engine.status_label(status),
                "reason": override.reason,
                "computed": computed.explanation,
            }
        else:
            status, explanation, override = computed.status, computed.explanation, None
        result[indicator.pk] = IndicatorStatus(
            indicator, computed, status, explanation, override, tuple(found), series
        )
    return result


def evaluate_indicator(
    indicator: Indicator, found: list[engine.Measurement], since: str | None = None
) -> engine.Evaluation:
    """The computed status of one indicator on its measurements (no override)."""
    target = target_of(indicator)
    problems = engine.target_problems(target)
    if problems:
        return engine.Evaluation(
            Status.NO_MEASUREMENT,
            _("This target cannot be judged yet: %(problems)s")
            % {"problems": "; ".join(p[:1].lower() + p[1:] for p in problems)},
            None,
        )
    return engine.evaluate(
        _baseline_with_bounds(target, found), found, since=since, decimals=indicator.decimals
    )


def _baseline_with_bounds(target: engine.Target, found: list[engine.Measurement]) -> engine.Target:
    """The baseline with the survey bounds the data publishes for it (same period and value):
    a survey's direction test then weighs both margins, not only the new measurement's."""
    baseline = target.baseline
    if baseline is None or baseline.source_margin is not None:
        return target
    for measurement in found:
        if (
            measurement.period == baseline.period
            and measurement.source_margin is not None
            and math.isclose(measurement.value, baseline.value, rel_tol=1e-9, abs_tol=1e-9)
        ):
            return replace(target, baseline=measurement)
    return target
