"""The engine: which measurement is judged, and the threshold rule."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from django.utils.translation import gettext as _

from regie.policy.engine.movement import _direction, _on_trajectory
from regie.policy.engine.target_rules import _check
from regie.policy.engine.types import (
    DIRECTIONS,
    THRESHOLDS,
    ChanceMethod,
    ChanceTest,
    Evaluation,
    MeasureKind,
    Measurement,
    Status,
    Target,
    TargetError,
    TargetKind,
)
from regie.policy.engine.wording import (
    _baseline_end,
    _baseline_label,
    _comparable,
    _covid_caveats,
    _end,
    _in_plan,
    _measured_label,
    _order,
    _period_label,
    _same,
    _unofficial,
    _with_test,
    _Words,
    exact_decimals,
)
from regie.stats import periods

# --- the engine -------------------------------------------------------------------------------


def evaluate(
    target: Target,
    measurements: Sequence[Measurement],
    *,
    since: str | None = None,
    decimals: int = 1,
) -> Evaluation:
    """The status of ``target`` on the latest measurement that counts (rules: module docstring).

    ``since`` is the period code of the previous reporting moment's data: without a
    measurement that ends after it, the status is *geen nieuwe meting*. ``decimals`` is for
    display only.
    """
    _check(target)
    if decimals < 0:
        raise ValueError(f"decimals must be >= 0, got {decimals!r}")
    return _unofficial(target, _evaluate(target, measurements, since, decimals))


def _evaluate(
    target: Target, measurements: Sequence[Measurement], since: str | None, decimals: int
) -> Evaluation:
    since_end = None if since is None else periods.parse(since).end
    ordered = sorted(measurements, key=_order)
    comparable = [m for m in ordered if _comparable(target, m)]
    kind = TargetKind(target.kind)

    if not comparable:
        return _nothing_comparable(target, ordered, decimals)
    in_plan = [m for m in comparable if _in_plan(target, m)]
    if not in_plan:
        newest = comparable[-1]
        words = _Words(decimals, target.unit, newest.is_count)
        first, last = target.plan_years or (0, 0)
        text = _(
            "No measurement in the plan period %(first)s–%(last)s yet (the latest is %(value)s "
            "in %(period)s)."
        ) % {
            "first": first,
            "last": last,
            "value": words.quantity(newest.value),
            "period": _measured_label(newest),
        }
        return Evaluation(Status.NO_MEASUREMENT, text, None)
    latest = in_plan[-1]
    words = _Words(decimals, target.unit, latest.is_count)
    values = {
        "value": words.quantity(latest.value),
        "period": _measured_label(latest),
    }
    baseline_end = _baseline_end(target)
    if baseline_end is not None and _end(latest) <= baseline_end:
        text = _(
            "No measurement after the baseline %(baseline_period)s yet (the latest is "
            "%(value)s in %(period)s)."
        ) % {**values, "baseline_period": _baseline_label(target)}
        return Evaluation(Status.NO_MEASUREMENT, text, latest)
    if (
        kind == TargetKind.TRAJECTORY
        and target.start_year is not None
        and latest.year <= target.start_year
    ):
        text = _(
            "No measurement after the start year %(start_year)s of the trajectory yet "
            "(the latest is %(value)s in %(period)s)."
        ) % {**values, "start_year": target.start_year}
        return Evaluation(Status.NO_MEASUREMENT, text, latest)
    if since is not None and since_end is not None and _end(latest) <= since_end:
        judged = _judge(target, latest, decimals)
        newer = [m for m in ordered if not m.whole_year and _order(m) > _order(latest)]
        values["since"] = _period_label(since)
        if newer and latest.whole_year:
            text = _(
                "No new comparable measurement since %(since)s: the latest is %(value)s in "
                "%(period)s; %(partial)s is a part-year figure and is not compared with a "
                "whole-year target."
            ) % {**values, "partial": _measured_label(newer[-1])}
        else:
            text = (
                _("No new measurement since %(since)s: the latest is %(value)s in %(period)s.")
                % values
            )
        return replace(
            judged, status=Status.NO_MEASUREMENT, explanation=text, previous_status=judged.status
        )
    return _judge(target, latest, decimals)


def _nothing_comparable(
    target: Target, ordered: Sequence[Measurement], decimals: int
) -> Evaluation:
    if not ordered:
        return Evaluation(Status.NO_MEASUREMENT, _("No measurement yet."), None)
    newest = ordered[-1]
    words = _Words(decimals, target.unit, newest.is_count)
    values = {"value": words.quantity(newest.value), "period": _measured_label(newest)}
    baseline = target.baseline
    if TargetKind(target.kind) in DIRECTIONS and baseline is not None and not baseline.whole_year:
        text = _(
            "No measurement for the same months as the baseline %(baseline_period)s yet: "
            "%(value)s in %(period)s covers other months and is not compared with it."
        ) % {**values, "baseline_period": _measured_label(baseline)}
    else:
        text = (
            _(
                "No whole-year measurement yet: %(value)s in %(period)s is a part-year figure, "
                "and a part year is never compared with a whole-year target."
            )
            % values
        )
    return Evaluation(Status.NO_MEASUREMENT, text, None)


def _judge(target: Target, measurement: Measurement, decimals: int) -> Evaluation:
    words = _Words(decimals, target.unit, measurement.is_count)
    kind = TargetKind(target.kind)
    if kind in THRESHOLDS:
        result = _threshold(target, measurement, words)
    elif kind in DIRECTIONS:
        result = _direction(target, measurement, words)
    else:
        result = _on_trajectory(target, measurement, words)
    caveats = _covid_caveats(target, measurement)
    return replace(result, caveats=caveats) if caveats else result


def _threshold(target: Target, m: Measurement, words: _Words) -> Evaluation:
    if target.value is None:
        raise TargetError("a threshold target needs a value")
    at_least = TargetKind(target.kind) == TargetKind.AT_LEAST
    goal = target.value
    goal_text = words.target(goal)
    goal_places = exact_decimals(goal, words.places(goal))
    # Shown so that a value that misses the target never looks equal to it.
    places = words.against(m.value, goal, goal_places)
    margin = m.source_margin  # a Poisson interval never excuses a threshold
    inside = margin is not None and margin[0] <= goal <= margin[1]
    test = ChanceTest(ChanceMethod.SOURCE_MARGIN) if margin is not None else None
    norm = (_("at least %(target)s") if at_least else _("at most %(target)s")) % {
        "target": goal_text
    }
    values = {
        "value": words.quantity(m.value, places),
        "period": _measured_label(m),
        "norm": norm,
        "margin": "" if margin is None else words.span(margin, places),
    }
    meets = _same(m.value, goal) or (m.value > goal if at_least else m.value < goal)
    if meets:
        if inside:
            text = (
                _(
                    "%(value)s in %(period)s, the target is %(norm)s: achieved, although the "
                    "margin (%(margin)s) still includes the target."
                )
                % values
            )
        else:
            text = _("%(value)s in %(period)s, the target is %(norm)s: achieved.") % values
        return Evaluation(Status.ACHIEVED, text, m, margin=margin)
    if inside:
        text = (
            _(
                "%(value)s in %(period)s, the target is %(norm)s: not reached, but the target lies "
                "within the margin (%(margin)s)."
            )
            % values
        )
        return Evaluation(Status.WITHIN_MARGIN, _with_test(text, test), m, margin=margin, test=test)
    if margin is not None:
        text = (
            _(
                "%(value)s in %(period)s, the target is %(norm)s: not achieved, also beyond the "
                "margin (%(margin)s)."
            )
            % values
        )
        return Evaluation(Status.NOT_ACHIEVED, _with_test(text, test), m, margin=margin, test=test)
    if m.is_count or m.measure_kind in (MeasureKind.EVENT_COUNT, MeasureKind.STOCK):
        text = (
            _(
                "%(value)s in %(period)s, the target is %(norm)s: not achieved (a count is "
                "judged as counted: no margin of chance excuses a threshold)."
            )
            % values
        )
    else:
        text = (
            _("%(value)s in %(period)s, the target is %(norm)s: not achieved (no margin known).")
            % values
        )
    return Evaluation(Status.NOT_ACHIEVED, text, m)
