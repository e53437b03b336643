"""The direction and trajectory rules, with their chance tests."""

from __future__ import annotations

import math
import statistics

from django.utils.translation import gettext as _

from regie.policy.engine.target_rules import (
    _trajectory,
    covered_share,
    expected_on_trajectory,
    is_amber,
)
from regie.policy.engine.types import (
    _Z,
    _Z_ONE_SIDED,
    LEVEL,
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
    _measured_label,
    _same,
    _with_test,
    _Words,
    apart_decimals,
    format_number,
    margin_of,
)


def _standard_error(measurement: Measurement, towards: float) -> float | None:
    """Half-width of the published 95% bounds on the side facing ``towards``, / 1.96."""
    margin = measurement.source_margin
    if margin is None:
        return None
    lower, upper = margin
    width = upper - measurement.value if towards > measurement.value else measurement.value - lower
    return width / _Z


def _exact_one_sided(before: float, after: float, *, rise: bool) -> float:
    """One-sided p-value of the exact conditional (binomial) test of two Poisson counts with
    equal exposures: given n = before + after, ``after`` ~ Binomial(n, ½) under "no change";
    ``rise`` tests after > before, else after < before."""
    n = int(before) + int(after)
    if n == 0:
        return 1.0
    from scipy import stats  # here, not at the top: see regie.stats

    result = stats.binomtest(int(after), n, 0.5, alternative="greater" if rise else "less")
    return min(1.0, float(result.pvalue))


def _direction(target: Target, m: Measurement, words: _Words) -> Evaluation:
    baseline = target.baseline
    if baseline is None:
        raise TargetError("a direction target needs a baseline")
    not_up = TargetKind(target.kind) == TargetKind.NOT_UP
    aim = _("decrease or stay equal") if not_up else _("increase or stay equal")
    base_words = _Words(words.decimals, words.unit, baseline.is_count)
    base_places = base_words.places(baseline.value)
    places = words.against(m.value, baseline.value, base_places)
    base_places = max(base_places, apart_decimals(baseline.value, m.value, base_places))
    diff_places = max(places, base_places) if not (m.is_count and baseline.is_count) else 0
    values = {
        "value": words.quantity(m.value, places),
        "period": _measured_label(m),
        "baseline": base_words.quantity(baseline.value, base_places),
        "baseline_period": _measured_label(baseline),
        "difference": words.difference(m.value - baseline.value, diff_places),
        "aim": aim,
    }
    if _same(m.value, baseline.value) or ((m.value < baseline.value) == not_up):
        text = (
            _(
                "%(value)s in %(period)s against %(baseline)s in %(baseline_period)s "
                "(%(difference)s): the target “%(aim)s” is achieved."
            )
            % values
        )
        return Evaluation(Status.ACHIEVED, text, m, margin=m.source_margin)

    kind = m.measure_kind
    exact_counts = (
        kind == MeasureKind.EVENT_COUNT
        and m.is_count
        and baseline.is_count
        and m.source_margin is None
        and baseline.source_margin is None
    )
    if exact_counts:
        p_value = _exact_one_sided(baseline.value, m.value, rise=not_up)
        test = ChanceTest(ChanceMethod.EXACT_CONDITIONAL, p_value)
        beyond = p_value < LEVEL
    elif m.source_margin is not None or baseline.source_margin is not None:
        errors = [
            se
            for se in (
                _standard_error(m, baseline.value),
                _standard_error(baseline, m.value),
            )
            if se is not None
        ]
        combined = math.sqrt(math.fsum(se * se for se in errors))
        distance = abs(m.value - baseline.value)
        p_value = 0.0 if combined == 0.0 else 1.0 - statistics.NormalDist().cdf(distance / combined)
        test = ChanceTest(ChanceMethod.SURVEY_MARGINS, p_value)
        beyond = combined == 0.0 or distance > _Z_ONE_SIDED * combined
    else:
        if kind in (MeasureKind.STOCK, MeasureKind.AMOUNT):
            text = (
                _(
                    "%(value)s in %(period)s against %(baseline)s in %(baseline_period)s "
                    "(%(difference)s): a rise; this figure has no margin of chance (a count "
                    "at a moment or an amount), so every rise counts and the target “%(aim)s” "
                    "is not achieved."
                )
                if not_up
                else _(
                    "%(value)s in %(period)s against %(baseline)s in %(baseline_period)s "
                    "(%(difference)s): a fall; this figure has no margin of chance (a count "
                    "at a moment or an amount), so every fall counts and the target “%(aim)s” "
                    "is not achieved."
                )
            ) % values
        else:
            text = (
                _(
                    "%(value)s in %(period)s against %(baseline)s in %(baseline_period)s "
                    "(%(difference)s): a rise, and without a known margin the target “%(aim)s” "
                    "is not achieved."
                )
                if not_up
                else _(
                    "%(value)s in %(period)s against %(baseline)s in %(baseline_period)s "
                    "(%(difference)s): a fall, and without a known margin the target “%(aim)s” "
                    "is not achieved."
                )
            ) % values
        return Evaluation(Status.NOT_ACHIEVED, text, m)

    margin = m.source_margin
    if beyond:
        text = (
            _(
                "%(value)s in %(period)s against %(baseline)s in %(baseline_period)s "
                "(%(difference)s): a rise beyond the margin of chance, so the target "
                "“%(aim)s” is not achieved."
            )
            if not_up
            else _(
                "%(value)s in %(period)s against %(baseline)s in %(baseline_period)s "
                "(%(difference)s): a fall beyond the margin of chance, so the target "
                "“%(aim)s” is not achieved."
            )
        ) % values
        return Evaluation(
            Status.NOT_ACHIEVED,
            _with_test(text, test),
            m,
            margin=margin,
            p_value=test.p_value,
            test=test,
        )
    text = (
        _(
            "%(value)s in %(period)s against %(baseline)s in %(baseline_period)s "
            "(%(difference)s): a rise, but within the margin of chance."
        )
        if not_up
        else _(
            "%(value)s in %(period)s against %(baseline)s in %(baseline_period)s "
            "(%(difference)s): a fall, but within the margin of chance."
        )
    ) % values
    return Evaluation(
        Status.WITHIN_MARGIN,
        _with_test(text, test),
        m,
        margin=margin,
        p_value=test.p_value,
        test=test,
    )


def _on_trajectory(target: Target, m: Measurement, words: _Words) -> Evaluation:
    start_year, start_value, end_year, end_value = _trajectory(target)
    rising = end_value > start_value
    expected = expected_on_trajectory(target, m.year)
    margin = margin_of(m)
    test: ChanceTest | None = None
    if margin is not None:
        method = (
            ChanceMethod.SOURCE_MARGIN
            if m.source_margin is not None
            else ChanceMethod.POISSON_INTERVAL
        )
        test = ChanceTest(method)
    due = m.year >= end_year
    share = covered_share(start_value, expected, m.value)
    percent = None if share is None else math.floor(100.0 * share + 1e-9)
    expected_places = words.places(expected)
    places = words.against(m.value, expected, expected_places)
    values: dict[str, object] = {
        "value": words.quantity(m.value, places),
        "period": _measured_label(m),
        "expected": words.quantity(expected, max(expected_places, places)),
        "end_year": end_year,
        "year": m.year,
        "start": words.target(start_value),
        "start_year": start_year,
        "share": "" if percent is None else format_number(percent, 0),
        "margin": "" if margin is None else words.span(margin, places),
    }

    def result(status: Status, text: str, chance: ChanceTest | None = None) -> Evaluation:
        return Evaluation(
            status,
            _with_test(text, chance),
            m,
            expected=expected,
            margin=margin,
            share=share,
            test=chance,
        )

    if _same(m.value, expected) or ((m.value > expected) == rising):
        if due:
            text = _(
                "%(value)s in %(period)s, the goal for %(end_year)s is %(expected)s: achieved."
            )
        else:
            text = _("%(value)s in %(period)s, expected on the trajectory %(expected)s: on track.")
        return result(Status.ACHIEVED, text % values)
    if margin is not None and margin[0] <= expected <= margin[1]:
        if due:
            text = _(
                "%(value)s in %(period)s, the goal for %(end_year)s is %(expected)s; the "
                "difference is within the margin (%(margin)s)."
            )
        else:
            text = _(
                "%(value)s in %(period)s, expected on the trajectory %(expected)s; the "
                "difference is within the margin (%(margin)s)."
            )
        return result(Status.WITHIN_MARGIN, text % values, test)
    if is_amber(share):
        if due:
            text = _(
                "%(value)s in %(period)s, the goal for %(end_year)s is %(expected)s: behind, at "
                "%(share)s%% of the way from %(start)s in %(start_year)s (90%% or more), so at "
                "risk."
            )
        else:
            text = _(
                "%(value)s in %(period)s, expected on the trajectory %(expected)s: behind, at "
                "%(share)s%% of the way from %(start)s in %(start_year)s (90%% or more), so at "
                "risk."
            )
        return result(Status.AT_RISK, text % values, test)
    progressed = percent is not None and percent > 0
    if due:
        if progressed:
            text = _(
                "%(value)s in %(period)s, the goal for %(end_year)s is %(expected)s: not "
                "achieved (%(share)s%% of the way from %(start)s in %(start_year)s)."
            )
        else:
            text = _(
                "%(value)s in %(period)s, the goal for %(end_year)s is %(expected)s: not "
                "achieved (no progress from %(start)s in %(start_year)s)."
            )
        return result(Status.NOT_ACHIEVED, text % values, test)
    if progressed:
        text = _(
            "%(value)s in %(period)s, expected on the trajectory %(expected)s: only "
            "%(share)s%% of the way from %(start)s in %(start_year)s, so the milestone for "
            "%(year)s is not achieved."
        )
    else:
        text = _(
            "%(value)s in %(period)s, expected on the trajectory %(expected)s: no progress "
            "from %(start)s in %(start_year)s, so the milestone for %(year)s is not achieved."
        )
    return result(Status.NOT_ACHIEVED, text % values, test)
