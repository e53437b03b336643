"""The target status engine: is an indicator's target (streefwaarde) met, and why?

Pure functions on frozen dataclasses: no models, no database. The monitor's exact Poisson
interval and exact conditional test (:mod:`regie.monitor.analysis`) do the statistics; every
verdict comes with ONE sentence (English msgid, Dutch through gettext) that carries the numbers
in the active language's format, so a council member can check it by hand.

Rules (DOMAIN.md §5; the first rule that matches wins; a manual override with a reason is kept
outside this module, in :mod:`regie.policy.status`):

Which measurement is judged
    * Whole-year targets (thresholds, trajectories, direction targets with a whole-year
      baseline) are judged on the latest **whole-year** measurement only. A part-year figure
      (``2024H1``, ``2024YTD06``, a quarter, a 12-month window) is never compared with a
      whole-year target or baseline: when only part-year figures exist the status is
      *geen nieuwe meting* and the sentence names the part-year figure and says why it is not
      used (``Evaluation.measurement`` is then None: nothing was judged).
    * A direction target whose baseline is itself a part year (``2023YTD06``) is judged on
      the latest figure for the same months of a later year
      (:meth:`regie.monitor.periods.Period.is_alike`).
    * Order is by the end of the period (then whole year after part year); with two figures
      for one period the later one in the input wins.
    * A direction target needs a measurement *after* its baseline period and a trajectory one
      *after* its start year; otherwise *geen nieuwe meting*.
    * ``since`` is the data period of the previous reporting moment: the latest comparable
      measurement must end strictly after it ends, else *geen nieuwe meting* (the sentence
      names the latest figure; ``previous_status`` tells what that figure was judged).

Margin (``Evaluation.margin``)
    The measurement's published 95% bounds (Veiligheidsmonitor) if given; else for a count
    the exact 95% Poisson (Garwood) interval of its mean; else none. Published bounds are
    taken to be 95% bounds.

Precision
    Thresholds, trajectories and margins are compared at ``decimals`` (the precision the plan
    shows): a difference that does not show in the sentence is no difference. Counts are
    whole numbers and shown without decimals. Differences of percentages are shown in
    percentage points, never as a percentage.

Thresholds (``at_least`` / ``at_most``; a standing norm, no target year)
    value meets the target → *gehaald* (the sentence adds that the margin still includes the
    target when it does); fails but the target lies inside the margin → *binnen marge*;
    otherwise → *niet gehaald*, also when no margin is known. §5 knows no *risico* for a
    threshold, so there is none.

Direction vs baseline (``not_up`` "afnemen of gelijk blijven" / ``not_down``)
    equal or moved the intended way → *gehaald*. A move the wrong way is *niet gehaald* only
    when it is beyond chance (§5), else *binnen marge*:

    * both are counts without published bounds: the monitor's exact conditional (binomial)
      test, equal exposures (periods of equal length), two-sided at 5%; the sentence shows
      the absolute difference (no % on counts);
    * otherwise the two 95% margins are turned into standard errors (half-width / 1.96 on the
      side facing the other value) and combined: beyond chance when
      |difference| > 1.96·√(se₁² + se₂²). A value without a margin counts as exact;
    * when neither has a margin, chance cannot be judged and a move the wrong way is
      *niet gehaald* (the sentence says no margin is known).

Trajectory (from B in y₀ to G in y₁, linear)
    expected T_y = B + (G - B)(y - y₀)/(y₁ - y₀), clamped to [y₀, y₁] (before the start the
    start value, after the goal year the goal value: a goal, once due, must keep holding).
    "Good" is the direction from B to G; a flat trajectory (B = G) is rejected (use a
    threshold). Share of the way = (value - B)/(T_y - B), floored to whole percents.

    1. at or beyond T_y in the good direction → *gehaald / op koers* (green);
    2. behind, but T_y inside the margin → *binnen marge*;
    3. in or after the goal year → *niet gehaald* (red): the deadline has passed, so a
       forward-looking *risico* would be a euphemism (the sentence still gives the share);
    4. before the goal year, ≥ 90% of the way → *risico* (amber);
    5. before the goal year, < 90% of the way → *niet gehaald* (red, §5 "red otherwise"):
       the sentence says it is this year's milestone that is not achieved.

Roll-up (action → goal → theme → priority → plan)
    the least favourable status counts: niet gehaald > risico > binnen marge > gehaald.
    *Geen nieuwe meting* is left out unless every status is (or there are none): one stale
    indicator does not hide a failing one, and the caller should say how many had no new
    measurement.

Caveats
    ``Evaluation.caveats`` holds short extra sentences, e.g. that 2020 or 2021 (COVID years,
    abnormal) is the measurement's, the baseline's or the trajectory's start year.

Malformed targets (a threshold without value, a direction target without baseline, an
incomplete, backwards or flat trajectory) raise :class:`TargetError` from :func:`evaluate`;
:func:`target_problems` lists the same messages for forms and importers to check first.
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from regie.monitor import periods
from regie.monitor.analysis import Verdict, compare_counts, is_covid_year, poisson_interval
from regie.monitor.formats import num as _num

#: Confidence of every margin: Veiligheidsmonitor bounds and Poisson intervals are 95%.
CONFIDENCE: Final = 0.95

#: A trajectory is amber (risico) from this share of the way to the expected value.
AMBER_SHARE: Final = 0.9

#: Two-sided normal quantile for CONFIDENCE (1.959964…).
_Z: Final = statistics.NormalDist().inv_cdf(1.0 - (1.0 - CONFIDENCE) / 2.0)

_MINUS: Final = "\u2212"  # the minus sign, not a hyphen


class TargetKind(StrEnum):
    AT_LEAST = "at_least"  # threshold: value ≥ target value (rapportcijfer 7,3 gelijk of hoger)
    AT_MOST = "at_most"  # threshold: value ≤ target value
    NOT_UP = "not_up"  # direction vs baseline: "afnemen of gelijk blijven"
    NOT_DOWN = "not_down"  # direction vs baseline: "stijgen of gelijk blijven"
    TRAJECTORY = "trajectory"  # start_value in start_year → end_value in end_year, linear


THRESHOLDS: Final = frozenset({TargetKind.AT_LEAST, TargetKind.AT_MOST})
DIRECTIONS: Final = frozenset({TargetKind.NOT_UP, TargetKind.NOT_DOWN})


class Status(StrEnum):
    """A target's status; declared from most to least favourable, then "no new measurement"."""

    ACHIEVED = "achieved"
    WITHIN_MARGIN = "within_margin"
    AT_RISK = "at_risk"
    NOT_ACHIEVED = "not_achieved"
    NO_MEASUREMENT = "no_measurement"


#: Roll-up order, most favourable first (NO_MEASUREMENT is outside it).
SEVERITY: Final = (Status.ACHIEVED, Status.WITHIN_MARGIN, Status.AT_RISK, Status.NOT_ACHIEVED)

STATUS_LABELS: Final[Mapping[Status, Promise]] = {
    Status.ACHIEVED: gettext_lazy("achieved / on track"),
    Status.WITHIN_MARGIN: gettext_lazy("within the margin"),
    Status.AT_RISK: gettext_lazy("at risk"),
    Status.NOT_ACHIEVED: gettext_lazy("not achieved"),
    Status.NO_MEASUREMENT: gettext_lazy("no new measurement"),
}


class TargetError(ValueError):
    """A target that cannot be judged as entered (see :func:`target_problems`)."""


@dataclass(frozen=True)
class Measurement:
    """One figure of an indicator.

    ``period`` is a canonical period code (:mod:`regie.monitor.periods`); ``year`` must be the
    year it ends in and ``whole_year`` must say whether it is a calendar year. ``lower`` and
    ``upper`` are published 95% bounds (both or neither, enclosing ``value``). A count
    (``is_count``) is a whole number ≥ 0.
    """

    period: str
    year: int
    value: float
    lower: float | None = None
    upper: float | None = None
    is_count: bool = False
    whole_year: bool = True

    def __post_init__(self) -> None:
        if not math.isfinite(self.value):
            raise ValueError(f"value must be finite, got {self.value!r}")
        if (self.lower is None) != (self.upper is None):
            raise ValueError("give both bounds or neither")
        if self.lower is not None and self.upper is not None:
            if not (math.isfinite(self.lower) and math.isfinite(self.upper)):
                raise ValueError("bounds must be finite")
            if not self.lower <= self.value <= self.upper:
                raise ValueError(
                    f"bounds {self.lower!r}–{self.upper!r} do not enclose {self.value!r}"
                )
        if self.is_count and (self.value < 0 or not float(self.value).is_integer()):
            raise ValueError(f"a count must be a whole number >= 0, got {self.value!r}")
        period = periods.parse(self.period)
        if period.end.year != self.year:
            raise ValueError(f"period {self.period!r} ends in {period.end.year}, not {self.year}")
        if period.is_whole_year != self.whole_year:
            raise ValueError(f"whole_year={self.whole_year} contradicts period {self.period!r}")


@dataclass(frozen=True)
class Target:
    """A streefwaarde. Which fields count depends on ``kind`` (see :func:`target_problems`).

    ``unit`` is shown after values ("%" without a space, anything else with one).
    """

    kind: TargetKind
    value: float | None = None
    baseline: Measurement | None = None
    start_year: int | None = None
    start_value: float | None = None
    end_year: int | None = None
    end_value: float | None = None
    unit: str = ""


@dataclass(frozen=True)
class Evaluation:
    """A status with the one sentence that explains it.

    ``measurement`` is the figure the sentence is about (None when nothing comparable exists);
    ``expected`` the trajectory's value for its year; ``margin`` its 95% margin;
    ``p_value`` the exact test's p-value (direction targets on counts); ``share`` the share
    of the way on a trajectory (1.0 = on the expected value); ``previous_status`` what the
    latest figure was judged when there is no newer one than ``since``.
    """

    status: Status
    explanation: str
    measurement: Measurement | None
    expected: float | None = None
    margin: tuple[float, float] | None = None
    p_value: float | None = None
    share: float | None = None
    previous_status: Status | None = None
    caveats: tuple[str, ...] = ()


# --- targets ----------------------------------------------------------------------------------


def target_problems(target: Target) -> tuple[str, ...]:
    """Why ``target`` cannot be judged, as translated sentences; empty when it is complete."""
    problems: list[str] = []
    kind = TargetKind(target.kind)
    if kind in THRESHOLDS:
        if target.value is None:
            problems.append(_("A threshold target needs a target value."))
        elif not math.isfinite(target.value):
            problems.append(_("The target value must be a number."))
    elif kind in DIRECTIONS:
        if target.baseline is None:
            problems.append(_("A direction target needs a baseline measurement."))
    else:
        fields = (target.start_year, target.start_value, target.end_year, target.end_value)
        if any(field is None for field in fields):
            problems.append(
                _("A trajectory needs a start year and value and a goal year and value.")
            )
        else:
            if (
                target.end_year is not None
                and target.start_year is not None
                and target.end_year <= target.start_year
            ):
                problems.append(_("The goal year must come after the start year."))
            if target.start_value is not None and target.end_value is not None:
                if not (math.isfinite(target.start_value) and math.isfinite(target.end_value)):
                    problems.append(_("The start and goal values must be numbers."))
                elif target.start_value == target.end_value:
                    problems.append(
                        _(
                            "A trajectory must change the value; to hold a level, use an "
                            "at-least or at-most target."
                        )
                    )
    return tuple(problems)


def _check(target: Target) -> None:
    problems = target_problems(target)
    if problems:
        raise TargetError(" ".join(problems))


def _trajectory(target: Target) -> tuple[int, float, int, float]:
    if TargetKind(target.kind) != TargetKind.TRAJECTORY:
        raise TargetError(f"not a trajectory target: {target.kind!r}")
    _check(target)
    start_year, start_value = target.start_year, target.start_value
    end_year, end_value = target.end_year, target.end_value
    if start_year is None or start_value is None or end_year is None or end_value is None:
        raise TargetError("incomplete trajectory")  # unreachable after _check; narrows types
    return start_year, start_value, end_year, end_value


def expected_on_trajectory(target: Target, year: int) -> float:
    """The trajectory's value in ``year``: B + (G - B)(y - y₀)/(y₁ - y₀), unrounded.

    Clamped: before the start year it is the start value, after the goal year the goal value.
    Raises :class:`TargetError` for a target that is not a complete trajectory.
    """
    start_year, start_value, end_year, end_value = _trajectory(target)
    y = min(max(year, start_year), end_year)
    return start_value + (end_value - start_value) * (y - start_year) / (end_year - start_year)


# --- wording ----------------------------------------------------------------------------------


def _period_label(code: str) -> str:
    return periods.label(periods.parse(code))


@dataclass(frozen=True)
class _Words:
    """Formats the numbers of one evaluation alike: precision, unit, whole counts."""

    decimals: int
    unit: str
    count: bool

    def round(self, value: float) -> float:
        return round(value, self.decimals) + 0.0

    def num(self, value: float) -> str:
        whole = self.count and float(self.round(value)).is_integer()
        return _num(value, 0 if whole else self.decimals)

    def _with_unit(self, text: str) -> str:
        if not self.unit:
            return text
        return f"{text}{self.unit}" if self.unit == "%" else f"{text} {self.unit}"

    def quantity(self, value: float) -> str:
        return self._with_unit(self.num(value))

    def span(self, margin: tuple[float, float]) -> str:
        return self._with_unit(f"{self.num(margin[0])}–{self.num(margin[1])}")

    def difference(self, value: float) -> str:
        text = self.num(abs(value))
        if self.round(value) > 0:
            text = f"+{text}"
        elif self.round(value) < 0:
            text = f"{_MINUS}{text}"
        if self.unit == "%":
            return _("%(difference)s percentage points") % {"difference": text}
        return f"{text} {self.unit}" if self.unit else text


# --- helpers ----------------------------------------------------------------------------------


def _order(measurement: Measurement) -> tuple[dt.date, bool]:
    return (periods.parse(measurement.period).end, measurement.whole_year)


def _end(measurement: Measurement) -> dt.date:
    return periods.parse(measurement.period).end


def _comparable(target: Target, measurement: Measurement) -> bool:
    """Whether ``measurement`` may be judged against ``target`` at all (see the rules)."""
    baseline = target.baseline
    if TargetKind(target.kind) in DIRECTIONS and baseline is not None and not baseline.whole_year:
        mine = periods.parse(measurement.period)
        return not measurement.whole_year and mine.is_alike(periods.parse(baseline.period))
    return measurement.whole_year


def margin_of(measurement: Measurement) -> tuple[float, float] | None:
    """Published bounds, else the exact 95% Poisson interval of a count, else None."""
    if measurement.lower is not None and measurement.upper is not None:
        return measurement.lower, measurement.upper
    if measurement.is_count:
        return poisson_interval(measurement.value, CONFIDENCE)
    return None


def _covid_caveats(target: Target, measurement: Measurement) -> tuple[str, ...]:
    notes: list[str] = []
    if is_covid_year(measurement.year):
        notes.append(
            _("%(year)s was a COVID year: its figures were abnormal.") % {"year": measurement.year}
        )
    reference: int | None = None
    kind = TargetKind(target.kind)
    if kind in DIRECTIONS and target.baseline is not None:
        reference = target.baseline.year
    elif kind == TargetKind.TRAJECTORY:
        reference = target.start_year
    if reference is not None and reference != measurement.year and is_covid_year(reference):
        notes.append(
            _(
                "The starting point %(year)s was a COVID year (abnormal figures); 2019 is a "
                "fairer baseline."
            )
            % {"year": reference}
        )
    return tuple(notes)


# --- the engine -------------------------------------------------------------------------------


def evaluate(
    target: Target,
    measurements: Sequence[Measurement],
    *,
    since: str | None = None,
    decimals: int = 1,
) -> Evaluation:
    """The status of ``target`` on the latest comparable measurement (rules: module docstring).

    ``since`` is the period code of the previous reporting moment's data: without a
    comparable measurement that ends after it, the status is *geen nieuwe meting*.
    """
    _check(target)
    if decimals < 0:
        raise ValueError(f"decimals must be >= 0, got {decimals!r}")
    since_end = None if since is None else periods.parse(since).end
    ordered = sorted(measurements, key=_order)
    comparable = [m for m in ordered if _comparable(target, m)]
    kind = TargetKind(target.kind)

    if not comparable:
        return _nothing_comparable(target, ordered, decimals)
    latest = comparable[-1]
    words = _Words(decimals, target.unit, latest.is_count)
    values = {
        "value": words.quantity(latest.value),
        "period": _period_label(latest.period),
    }
    if kind in DIRECTIONS and target.baseline is not None and _end(latest) <= _end(target.baseline):
        text = _(
            "No measurement after the baseline %(baseline_period)s yet (the latest is "
            "%(value)s in %(period)s)."
        ) % {**values, "baseline_period": _period_label(target.baseline.period)}
        return Evaluation(Status.NO_MEASUREMENT, text, latest, margin=margin_of(latest))
    if (
        kind == TargetKind.TRAJECTORY
        and target.start_year is not None
        and latest.year <= target.start_year
    ):
        text = _(
            "No measurement after the start year %(start_year)s of the trajectory yet "
            "(the latest is %(value)s in %(period)s)."
        ) % {**values, "start_year": target.start_year}
        return Evaluation(Status.NO_MEASUREMENT, text, latest, margin=margin_of(latest))
    if since is not None and since_end is not None and _end(latest) <= since_end:
        judged = _judge(target, latest, decimals)
        newer = [m for m in ordered if not m.whole_year and _order(m) > _order(latest)]
        values["since"] = _period_label(since)
        if newer and latest.whole_year:
            text = _(
                "No new comparable measurement since %(since)s: the latest is %(value)s in "
                "%(period)s; %(partial)s is a part-year figure and is not compared with a "
                "whole-year target."
            ) % {**values, "partial": _period_label(newer[-1].period)}
        else:
            text = (
                _("No new measurement since %(since)s: the latest is %(value)s in %(period)s.")
                % values
            )
        return Evaluation(
            Status.NO_MEASUREMENT,
            text,
            latest,
            expected=judged.expected,
            margin=judged.margin,
            p_value=judged.p_value,
            share=judged.share,
            previous_status=judged.status,
            caveats=judged.caveats,
        )
    return _judge(target, latest, decimals)


def _nothing_comparable(
    target: Target, ordered: Sequence[Measurement], decimals: int
) -> Evaluation:
    if not ordered:
        return Evaluation(Status.NO_MEASUREMENT, _("No measurement yet."), None)
    newest = ordered[-1]
    words = _Words(decimals, target.unit, newest.is_count)
    values = {"value": words.quantity(newest.value), "period": _period_label(newest.period)}
    baseline = target.baseline
    if TargetKind(target.kind) in DIRECTIONS and baseline is not None and not baseline.whole_year:
        text = _(
            "No measurement for the same months as the baseline %(baseline_period)s yet: "
            "%(value)s in %(period)s covers other months and is not compared with it."
        ) % {**values, "baseline_period": _period_label(baseline.period)}
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
    if caveats:
        result = Evaluation(
            result.status,
            result.explanation,
            result.measurement,
            expected=result.expected,
            margin=result.margin,
            p_value=result.p_value,
            share=result.share,
            caveats=caveats,
        )
    return result


def _threshold(target: Target, m: Measurement, words: _Words) -> Evaluation:
    if target.value is None:
        raise TargetError("a threshold target needs a value")
    at_least = TargetKind(target.kind) == TargetKind.AT_LEAST
    value, goal = words.round(m.value), words.round(target.value)
    margin = margin_of(m)
    inside = margin is not None and words.round(margin[0]) <= goal <= words.round(margin[1])
    norm = (_("at least %(target)s") if at_least else _("at most %(target)s")) % {
        "target": words.quantity(target.value)
    }
    values = {
        "value": words.quantity(m.value),
        "period": _period_label(m.period),
        "norm": norm,
        "margin": "" if margin is None else words.span(margin),
    }
    meets = value >= goal if at_least else value <= goal
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
        return Evaluation(Status.WITHIN_MARGIN, text, m, margin=margin)
    if margin is None:
        text = (
            _("%(value)s in %(period)s, the target is %(norm)s: not achieved (no margin known).")
            % values
        )
    else:
        text = (
            _(
                "%(value)s in %(period)s, the target is %(norm)s: not achieved, also beyond the "
                "margin (%(margin)s)."
            )
            % values
        )
    return Evaluation(Status.NOT_ACHIEVED, text, m, margin=margin)


def _standard_error(measurement: Measurement, towards: float) -> float | None:
    """Half-width of the 95% margin on the side facing ``towards``, divided by 1.96."""
    margin = margin_of(measurement)
    if margin is None:
        return None
    lower, upper = margin
    width = upper - measurement.value if towards > measurement.value else measurement.value - lower
    return width / _Z


def _direction(target: Target, m: Measurement, words: _Words) -> Evaluation:
    baseline = target.baseline
    if baseline is None:
        raise TargetError("a direction target needs a baseline")
    not_up = TargetKind(target.kind) == TargetKind.NOT_UP
    aim = _("decrease or stay equal") if not_up else _("increase or stay equal")
    value, base = words.round(m.value), words.round(baseline.value)
    base_words = _Words(words.decimals, words.unit, baseline.is_count)
    values = {
        "value": words.quantity(m.value),
        "period": _period_label(m.period),
        "baseline": base_words.quantity(baseline.value),
        "baseline_period": _period_label(baseline.period),
        "difference": words.difference(m.value - baseline.value),
        "aim": aim,
    }
    margin = margin_of(m)
    if (value <= base) if not_up else (value >= base):
        text = (
            _(
                "%(value)s in %(period)s against %(baseline)s in %(baseline_period)s "
                "(%(difference)s): the target “%(aim)s” is achieved."
            )
            % values
        )
        return Evaluation(Status.ACHIEVED, text, m, margin=margin)

    p_value: float | None = None
    known = True
    exact_counts = m.is_count and baseline.is_count and m.lower is None and baseline.lower is None
    if exact_counts:
        test = compare_counts(baseline.value, m.value, alpha=1.0 - CONFIDENCE, interval=False)
        p_value = test.p_value
        beyond = test.verdict == (Verdict.HIGHER if not_up else Verdict.LOWER)
    else:
        errors = [
            se
            for se in (
                _standard_error(m, baseline.value),
                _standard_error(baseline, m.value),
            )
            if se is not None
        ]
        known = bool(errors)
        combined = math.sqrt(math.fsum(se * se for se in errors))
        beyond = combined == 0.0 or abs(m.value - baseline.value) > _Z * combined

    if not known:
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
        return Evaluation(Status.NOT_ACHIEVED, text, m, margin=margin)
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
        return Evaluation(Status.NOT_ACHIEVED, text, m, margin=margin, p_value=p_value)
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
    return Evaluation(Status.WITHIN_MARGIN, text, m, margin=margin, p_value=p_value)


def _on_trajectory(target: Target, m: Measurement, words: _Words) -> Evaluation:
    start_year, start_value, end_year, end_value = _trajectory(target)
    rising = end_value > start_value
    expected = expected_on_trajectory(target, m.year)
    value, goal, start = words.round(m.value), words.round(expected), words.round(start_value)
    margin = margin_of(m)
    due = m.year >= end_year
    way = goal - start
    share = None if way == 0 else (value - start) / way
    percent = None if share is None else math.floor(100.0 * share + 1e-9)
    values: dict[str, object] = {
        "value": words.quantity(m.value),
        "period": _period_label(m.period),
        "expected": words.quantity(expected),
        "end_year": end_year,
        "year": m.year,
        "start": words.quantity(start_value),
        "start_year": start_year,
        "share": "" if percent is None else _num(percent, 0),
        "margin": "" if margin is None else words.span(margin),
    }

    def result(status: Status, text: str) -> Evaluation:
        return Evaluation(status, text, m, expected=expected, margin=margin, share=share)

    if (value >= goal) if rising else (value <= goal):
        if due:
            text = _(
                "%(value)s in %(period)s, the goal for %(end_year)s is %(expected)s: achieved."
            )
        else:
            text = _("%(value)s in %(period)s, expected on the trajectory %(expected)s: on track.")
        return result(Status.ACHIEVED, text % values)
    if margin is not None and words.round(margin[0]) <= goal <= words.round(margin[1]):
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
        return result(Status.WITHIN_MARGIN, text % values)
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
        return result(Status.NOT_ACHIEVED, text % values)
    if percent is not None and percent >= 100.0 * AMBER_SHARE:
        text = _(
            "%(value)s in %(period)s, expected on the trajectory %(expected)s: behind, at "
            "%(share)s%% of the way from %(start)s in %(start_year)s, so at risk."
        )
        return result(Status.AT_RISK, text % values)
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
    return result(Status.NOT_ACHIEVED, text % values)


# --- roll-up and labels -----------------------------------------------------------------------


def roll_up(statuses: Sequence[Status]) -> Status:
    """The least favourable status (see :data:`SEVERITY`), leaving out "no new measurement".

    NO_MEASUREMENT only when every status is NO_MEASUREMENT, or there are none.
    """
    measured = [Status(s) for s in statuses if Status(s) != Status.NO_MEASUREMENT]
    if not measured:
        return Status.NO_MEASUREMENT
    return max(measured, key=SEVERITY.index)


def status_label(status: Status) -> str:
    """The council's word for ``status`` in the active language (Dutch by default)."""
    return str(STATUS_LABELS[Status(status)])


__all__ = [
    "AMBER_SHARE",
    "CONFIDENCE",
    "DIRECTIONS",
    "SEVERITY",
    "STATUS_LABELS",
    "THRESHOLDS",
    "Evaluation",
    "Measurement",
    "Status",
    "Target",
    "TargetError",
    "TargetKind",
    "evaluate",
    "expected_on_trajectory",
    "margin_of",
    "roll_up",
    "status_label",
    "target_problems",
]
