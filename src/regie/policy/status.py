"""Every status of a plan, computed from the monitor's figures in a fixed number of queries.

``evaluate_plan`` reads the plan's tree (4 queries), the latest override of each indicator (1) and
every series the indicators need through :func:`regie.monitor.insight.load_series` (2 per area
the indicators name, however many indicators there are), then runs
:func:`regie.policy.engine.evaluate` per indicator and rolls the statuses up goal → theme →
priority → plan. Nothing is stored: a status follows the
data, and a snapshot (:func:`regie.policy.services.take_snapshot`) keeps one reporting moment.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field, replace
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from regie.areas.models import Area, AreaLevel
from regie.areas.selectors import merged_predecessors
from regie.core.models import Organisation
from regie.monitor import catalogue, insight
from regie.monitor.models import Measure, ObservationStatus, Source, Unit
from regie.policy import engine
from regie.policy.engine import Status, TargetKind
from regie.policy.models import Goal, Indicator, Plan, Priority, StatusOverride, Theme
from regie.stats import periods

#: The source named when a measure's figures are not official statistics.
UNOFFICIAL_SOURCE = "Misdaad in kaart"


def unofficial_source(measure: Measure) -> str:
    """ "Misdaad in kaart" when ``measure``'s figures are not official statistics
    (:func:`regie.monitor.catalogue.is_unofficial`: ``local:mik_*``), else ""."""
    return UNOFFICIAL_SOURCE if catalogue.is_unofficial(measure.code) else ""


def measure_kind(measure: Measure) -> engine.MeasureKind:
    """The kind of figure (``Measure.kind``, CONTRACT I4); from the unit and source when the
    field is not there or holds an unknown value."""
    kind = measure.kind
    if kind:
        try:
            return engine.MeasureKind(kind)
        except ValueError:
            pass
    if measure.unit in insight.COUNT_UNITS:
        return engine.MeasureKind.EVENT_COUNT
    if measure.unit == Unit.EURO:
        return engine.MeasureKind.AMOUNT
    if measure.source == Source.VM:
        return engine.MeasureKind.SURVEY
    return engine.MeasureKind.RATIO


@dataclass(frozen=True)
class IndicatorStatus:
    indicator: Indicator
    computed: engine.Evaluation
    status: Status  # the computed status, or the override's
    explanation: str
    override: StatusOverride | None = None
    measurements: tuple[engine.Measurement, ...] = ()
    series: insight.Series | None = None  # the figures judged, with their sources

    @property
    def label(self) -> str:
        return engine.status_label(self.status)

    @property
    def unofficial_source(self) -> str:
        """ "Misdaad in kaart" when the figures are not official statistics, else ""."""
        return unofficial_source(self.indicator.measure)

    @property
    def margin_text(self) -> str:
        """The margin used, rounded half up at the indicator's decimals ("7,0 – 7,4")."""
        margin = self.computed.margin
        if margin is None:
            return ""
        places = self.indicator.decimals
        return (
            f"{engine.format_number(margin[0], places)} – {engine.format_number(margin[1], places)}"
        )

    def as_dict(self) -> dict[str, Any]:
        m = self.computed.measurement
        test = self.computed.test
        return {
            "indicator": self.indicator.key,
            "name": self.indicator.name,
            "measure": self.indicator.measure.code,
            "area": self.indicator.area.code,
            "status": self.status.value,
            "label": self.label,
            "explanation": self.explanation,
            "computed_status": self.computed.status.value,
            "computed_explanation": self.computed.explanation,
            "measurement": None if m is None else {"period": m.period, "value": m.value},
            "expected": self.computed.expected,
            "margin": list(self.computed.margin) if self.computed.margin else None,
            "test": None if test is None else test.as_dict(),
            "official_statistics": not self.unofficial_source,
            "override": None
            if self.override is None
            else {
                "status": self.override.status,
                "reason": self.override.reason,
                "at": self.override.created_at.isoformat(timespec="seconds"),
            },
        }


@dataclass(frozen=True)
class Node:
    """A goal, theme or priority with the roll-up of what is under it."""

    kind: str
    key: str
    title: str
    status: Status
    explanation: str
    obj: Priority | Theme | Goal
    children: tuple[Node, ...] = ()
    indicators: tuple[IndicatorStatus, ...] = ()
    statuses: tuple[Status, ...] = ()  # of every indicator under it

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "kind": self.kind,
            "key": self.key,
            "title": self.title,
            "status": self.status.value,
            "label": engine.status_label(self.status),
            "explanation": self.explanation,
            "counts": counts_dict(list(self.statuses)),
            "not_judged": engine.count_statuses(self.statuses)[Status.NO_MEASUREMENT],
        }
        if self.children:
            data["children"] = [c.as_dict() for c in self.children]
        if self.indicators:
            data["indicators"] = [i.as_dict() for i in self.indicators]
        return data


@dataclass(frozen=True)
class PlanEvaluation:
    plan: Plan
    status: Status
    explanation: str
    priorities: tuple[Node, ...]
    by_indicator: dict[int, IndicatorStatus] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        statuses = [i.status for i in self.by_indicator.values()]
        return {
            "plan": self.plan.title,
            "gemeente": self.plan.organisation.cbs_code,
            "version": self.plan.version,
            "status": self.status.value,
            "label": engine.status_label(self.status),
            "explanation": self.explanation,
            "counts": counts_dict(statuses),
            "not_judged": engine.count_statuses(statuses)[Status.NO_MEASUREMENT],
            "priorities": [p.as_dict() for p in self.priorities],
        }


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
    return indicator.measure.unit in insight.COUNT_UNITS


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


def _provisional(point: insight.Point) -> bool:
    return point.status in (ObservationStatus.VOORLOPIG, ObservationStatus.NADER_VOORLOPIG)


def _margin(point: insight.Point) -> tuple[float, float] | None:
    """The published survey bounds of ``point`` (``Point.margin``, CONTRACT I4), if any."""
    margin = point.margin
    if margin is None:
        return None
    return float(margin[0]), float(margin[1])


def measurements(
    series: insight.Series,
    *,
    is_count: bool,
    kind: engine.MeasureKind | None = None,
    years: list[insight.Point] | None = None,
) -> list[engine.Measurement]:
    """Whole years (published or summed from 12 months) plus the sub-year figures, in time order,
    each with the survey bounds its source published (``Point.margin``).

    ``years`` are the whole years as the veiligheidsbeeld shows them (``insight.area_years``:
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
    loaded: dict[tuple[int, int], insight.Series] = {}
    for area_id, area in areas.items():
        loaded |= insight.load_series(organisation, [area], list(measures[area_id].values()))
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
            years=insight.area_years(organisation, indicator.area, indicator.measure, series)
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


def roll(kind: str, statuses: list[Status]) -> tuple[Status, str]:
    """The status of a goal, theme, priority or plan (``kind``, in words) from its indicators'.

    The least favourable counts (:func:`regie.policy.engine.roll_up`), but never alone: the
    sentence gives the number of indicators per status and how many could not be judged (many
    indicators tested at 5% give false alarms, so one verdict alone would mislead). No
    indicators: no measurement, and a sentence saying so.
    """
    if not statuses:
        return Status.NO_MEASUREMENT, _(
            "Nothing to measure yet: no indicators under this %(kind)s."
        ) % {"kind": kind}
    status = engine.roll_up(statuses)
    counts = engine.count_statuses(statuses)
    total = len(statuses)
    unjudged = counts[Status.NO_MEASUREMENT]
    if unjudged == total:
        return status, ngettext(
            "The indicator could not be judged: no new measurement.",
            "None of the %(total)d indicators could be judged: no new measurement.",
            total,
        ) % {"total": total}
    per_status = ", ".join(
        f"{engine.status_label(s)}: {counts[s]}" for s in engine.SEVERITY if counts[s]
    )
    head = _("%(label)s, the least favourable status counts (%(counts)s).") % {
        "label": engine.status_label(status),
        "counts": per_status,
    }
    if unjudged:
        tail = ngettext(
            "%(unjudged)d of %(total)d indicator could not be judged (no new measurement).",
            "%(unjudged)d of %(total)d indicators could not be judged (no new measurement).",
            total,
        ) % {"unjudged": unjudged, "total": total}
    else:
        tail = ngettext(
            "The indicator could be judged.", "All %(total)d indicators could be judged.", total
        ) % {"total": total}
    return status, f"{head} {tail}"


def counts_dict(statuses: list[Status]) -> dict[str, int]:
    """Indicators per status (every status, 0 or not) for the JSON; ``no_measurement`` is the
    number that could not be judged."""
    return {s.value: n for s, n in engine.count_statuses(statuses).items()}


def _goal_node(goal: Goal, items: list[IndicatorStatus]) -> Node:
    statuses = tuple(i.status for i in items)
    status, text = roll(_("goal"), list(statuses))
    return Node("goal", goal.key, goal.aim, status, text, goal, (), tuple(items), statuses)


def evaluate_goal(goal: Goal) -> Node:
    """One goal with its indicators' statuses and the roll-up, as in :func:`evaluate_plan`.

    ``goal`` must have its theme → priority → plan → organisation loaded.
    """
    indicators = list(goal.indicators.select_related("measure", "area"))
    for indicator in indicators:
        indicator.goal = goal  # the chain up to the organisation, without a query each
    statuses = evaluate_indicators(indicators)
    return _goal_node(goal, [statuses[i.pk] for i in indicators])


def evaluate_plan(plan: Plan, *, since: str | None = None) -> PlanEvaluation:
    """Every status of ``plan``, rolled up; a fixed number of queries for any plan size."""
    priorities = list(plan.priorities.all())
    themes = list(Theme.objects.filter(priority__plan=plan))
    goals = list(Goal.objects.filter(theme__priority__plan=plan))
    indicators = list(
        Indicator.objects.filter(goal__theme__priority__plan=plan).select_related("measure", "area")
    )
    # The tree is already in memory: give each object its parent without more queries.
    by_priority: dict[int, list[Theme]] = defaultdict(list)
    by_theme: dict[int, list[Goal]] = defaultdict(list)
    by_goal: dict[int, list[Indicator]] = defaultdict(list)
    priority_of = {p.pk: p for p in priorities}
    theme_of = {t.pk: t for t in themes}
    goal_of = {g.pk: g for g in goals}
    for priority in priorities:
        priority.plan = plan
    for theme in themes:
        theme.priority = priority_of[theme.priority_id]
        by_priority[theme.priority_id].append(theme)
    for goal in goals:
        goal.theme = theme_of[goal.theme_id]
        by_theme[goal.theme_id].append(goal)
    for indicator in indicators:
        indicator.goal = goal_of[indicator.goal_id]
        by_goal[indicator.goal_id].append(indicator)
    statuses = evaluate_indicators(indicators, since=since)
    priority_nodes = []
    all_statuses: list[Status] = []
    for priority in priorities:
        theme_nodes = []
        p_statuses: list[Status] = []
        for theme in by_priority[priority.pk]:
            goal_nodes = []
            t_statuses: list[Status] = []
            for goal in by_theme[theme.pk]:
                node = _goal_node(goal, [statuses[i.pk] for i in by_goal[goal.pk]])
                goal_nodes.append(node)
                t_statuses += [i.status for i in node.indicators]
            status, text = roll(_("theme"), t_statuses)
            theme_nodes.append(
                Node(
                    "theme",
                    theme.key,
                    theme.title,
                    status,
                    text,
                    theme,
                    tuple(goal_nodes),
                    statuses=tuple(t_statuses),
                )
            )
            p_statuses += t_statuses
        status, text = roll(_("priority"), p_statuses)
        priority_nodes.append(
            Node(
                "priority",
                priority.key,
                priority.title,
                status,
                text,
                priority,
                tuple(theme_nodes),
                statuses=tuple(p_statuses),
            )
        )
        all_statuses += p_statuses
    status, text = roll(_("plan"), all_statuses)
    return PlanEvaluation(plan, status, text, tuple(priority_nodes), statuses)


def value_in_data(
    organisation: Organisation, area: Area, measure: Measure, period_code: str
) -> float | None:
    """``measure`` for ``area`` in ``period_code`` from the figures ``organisation`` may see.

    A whole year may be the sum of its twelve months (as the veiligheidsbeeld shows it).
    """
    period = periods.parse(period_code)
    series = insight.load_series(
        organisation, [area], [measure], years=range(period.start.year, period.end.year + 1)
    )[(area.pk, measure.pk)]
    for point in [*series.years(), *series.points]:
        if point.period == period.code:
            return point.value
    return None
