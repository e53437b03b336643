"""The target status engine: is an indicator's target (streefwaarde) met, and why?

Pure functions on frozen dataclasses: no models, no database. Every verdict comes with an
explanation (English msgid, Dutch through gettext) that carries the numbers in the active
language's format and names the test used, so a council member can check it by hand.

Rules (DOMAIN.md §5; the first rule that matches wins; a manual override with a reason is kept
outside this module, in :mod:`regie.policy.status`):

Which measurement is judged
    * Only measurements **inside the plan period** (``Target.plan_years``: the period lies
      within those calendar years) and **after the baseline** (``Target.baseline`` or
      ``Target.baseline_period``: the period ends after the baseline's) count, for every kind
      of target. Without one in the plan period the status is *geen nieuwe meting* and the
      sentence names the latest figure.
    * Whole-year targets are judged on the latest **whole-year** measurement only. A part-year
      figure (``2024H1``, ``2024YTD06``) is never compared with a whole-year target or
      baseline (*geen nieuwe meting*, the sentence names the part-year figure). A direction
      target whose baseline is itself a part year is judged on the same months of a later year.
    * A trajectory needs a measurement after its start year.
    * ``since`` is the data period of the previous reporting moment: the latest measurement
      must end strictly after it, else *geen nieuwe meting* (``previous_status`` tells what the
      latest figure was judged).

Targets are never rounded
    A value is judged against the target **as written**: 7,25 against "at least 7,3" is not
    achieved, whatever ``decimals`` the plan shows. ``decimals`` only sets how numbers are
    shown, rounded half up (7,25 → 7,3); when a value and the target it is compared with would
    look equal, both are shown with as many more decimals as it takes to see the difference
    (never "7,3 < 7,3"). The target itself is always shown as written.

Kinds of measure (``MeasureKind``, the values of ``regie.monitor.models.MeasureKind``)
    *Event counts* (crimes, meldingen in a period) are Poisson: the exact conditional test
    and the exact Poisson interval apply. *Stocks* (a count at a moment) and *amounts*
    (hours, euros) have no chance margin: a rise is a rise. *Survey percentages* carry the
    source's published 95% bounds (``Measurement.lower``/``upper``). Other percentages and
    ratios have no margin unless the source gives one. Differences of percentages are shown
    in percentage points.

Thresholds (``at_least`` / ``at_most``; a standing norm)
    meets the target as written → *gehaald*; fails, but the measurement has a **source
    margin** (published survey bounds) that includes the target → *binnen marge* (the
    published 95% margin, two-sided, 5%); otherwise → *niet gehaald*. A Poisson interval never
    excuses a threshold: "at most 0 incidents" with 1 incident is not achieved, and so is any
    count above its threshold. No *risico* for a threshold.

Direction vs baseline (``not_up`` "afnemen of gelijk blijven" / ``not_down`` "stijgen of
gelijk blijven"; both treated alike)
    equal or moved the intended way → *gehaald*. A move the wrong way is *niet gehaald* only
    when it is beyond chance, tested **one-sided at 5%**, else *binnen marge*:

    * event counts: the exact conditional (binomial) test of two Poisson counts with equal
      exposures (alike periods), one-sided in the wrong direction;
    * measurements with published bounds (surveys): the bounds' half-widths on the facing
      sides / 1.96 as standard errors, combined; beyond chance when the wrong-way difference
      exceeds 1.645·√(se₁² + se₂²) (normal approximation, one-sided, 5%);
    * stocks and amounts: every rise (fall) counts, no chance margin;
    * other percentages and ratios without a margin: every rise (fall) counts (the sentence
      says no margin is known).

    The test is named in the explanation and in ``Evaluation.test``.

Trajectory (from B in y₀ to G in y₁, linear)
    expected T_y = B + (G - B)(y - y₀)/(y₁ - y₀), clamped to [y₀, y₁] (after the goal year the
    goal must keep holding). "Good" is the direction from B to G.

    1. at or beyond T_y in the good direction → *gehaald / op koers* (green);
    2. behind, but T_y inside the margin (source bounds; for event counts the exact 95%
       Poisson interval) → *binnen marge*;
    3. **the 90% rule**, the same in every year (goal year included): the measurement has
       covered at least 90% of the distance from B to T_y (:data:`AMBER_SHARE`,
       :func:`covered_share`, :func:`is_amber`) → *risico* (amber);
    4. otherwise → *niet gehaald* (red).

Roll-up (action → goal → theme → priority → plan)
    the least favourable status counts: niet gehaald > risico > binnen marge > gehaald;
    *geen nieuwe meting* is left out unless every status is. Many indicators tested at 5% give
    false alarms, so callers show the counts per status (:func:`count_statuses`) and how many
    indicators could not be judged next to the one verdict.

Unofficial sources
    ``Target.unofficial_source`` (e.g. "Misdaad in kaart") adds to every explanation that the
    figures are not official statistics.

Malformed targets raise :class:`TargetError` from :func:`evaluate`; :func:`target_problems`
lists the same messages for forms and importers to check first.
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from enum import StrEnum
from typing import Any, Final

from django.utils.formats import number_format
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from regie.core.formats import half_up
from regie.stats import is_covid_year, periods, poisson_interval

#: Confidence of every margin: Veiligheidsmonitor bounds and Poisson intervals are 95%.
CONFIDENCE: Final = 0.95

#: Significance level of the one-sided direction tests.
LEVEL: Final = 0.05

#: A trajectory is amber (risico) from this share of the distance from B to T_y: the 90% rule.
AMBER_SHARE: Final = 0.9

#: Two-sided normal quantile for CONFIDENCE (1.959964…): bounds → standard errors.
_Z: Final = statistics.NormalDist().inv_cdf(1.0 - (1.0 - CONFIDENCE) / 2.0)

#: One-sided normal quantile for LEVEL (1.644854…).
_Z_ONE_SIDED: Final = statistics.NormalDist().inv_cdf(1.0 - LEVEL)

#: Most decimals ever shown to make a value and a target look different.
_MAX_DECIMALS: Final = 6

_MINUS: Final = "\u2212"  # the minus sign, not a hyphen


class TargetKind(StrEnum):
    AT_LEAST = "at_least"  # threshold: value ≥ target value (rapportcijfer 7,3 gelijk of hoger)
    AT_MOST = "at_most"  # threshold: value ≤ target value
    NOT_UP = "not_up"  # direction vs baseline: "afnemen of gelijk blijven"
    NOT_DOWN = "not_down"  # direction vs baseline: "stijgen of gelijk blijven"
    TRAJECTORY = "trajectory"  # start_value in start_year → end_value in end_year, linear


THRESHOLDS: Final = frozenset({TargetKind.AT_LEAST, TargetKind.AT_MOST})
DIRECTIONS: Final = frozenset({TargetKind.NOT_UP, TargetKind.NOT_DOWN})


class MeasureKind(StrEnum):
    """The kind of figure; the values of ``regie.monitor.models.MeasureKind`` (CONTRACT I4)."""

    EVENT_COUNT = "event_count"
    STOCK = "stock"
    AMOUNT = "amount"
    SURVEY = "survey_pct"
    RATIO = "ratio"


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


class ChanceMethod(StrEnum):
    """How chance was judged (``ChanceTest.method``; stable codes for the JSON)."""

    EXACT_CONDITIONAL = "exact_conditional_binomial"
    SURVEY_MARGINS = "survey_margins_normal"
    SOURCE_MARGIN = "source_margin"
    POISSON_INTERVAL = "poisson_interval"


_TEST_NAMES: Final[Mapping[ChanceMethod, Promise]] = {
    ChanceMethod.EXACT_CONDITIONAL: gettext_lazy(
        "exact conditional (binomial) test, one-sided, 5%"
    ),
    ChanceMethod.SURVEY_MARGINS: gettext_lazy(
        "test on the published 95% margins (normal approximation), one-sided, 5%"
    ),
    ChanceMethod.SOURCE_MARGIN: gettext_lazy("published 95% margin of the source, two-sided, 5%"),
    ChanceMethod.POISSON_INTERVAL: gettext_lazy("exact 95% Poisson interval, two-sided, 5%"),
}

_ONE_SIDED: Final = frozenset({ChanceMethod.EXACT_CONDITIONAL, ChanceMethod.SURVEY_MARGINS})


@dataclass(frozen=True)
class ChanceTest:
    """The test (or margin) that judged chance: its method, sides, level and p-value."""

    method: ChanceMethod
    p_value: float | None = None

    @property
    def sides(self) -> int:
        return 1 if self.method in _ONE_SIDED else 2

    @property
    def level(self) -> float:
        return LEVEL

    @property
    def name(self) -> str:
        """The test in words, in the active language (names sides and level)."""
        return str(_TEST_NAMES[self.method])

    def as_dict(self) -> dict[str, Any]:
        return {
            "method": self.method.value,
            "name": self.name,
            "sides": "one-sided" if self.sides == 1 else "two-sided",
            "level": self.level,
            "p_value": self.p_value,
        }


class TargetError(ValueError):
    """A target that cannot be judged as entered (see :func:`target_problems`)."""


@dataclass(frozen=True)
class Measurement:
    """One figure of an indicator.

    ``period`` is a canonical period code (:mod:`regie.stats.periods`); ``year`` must be the
    year it ends in and ``whole_year`` must say whether it is a calendar year. ``lower`` and
    ``upper`` are the source's published 95% bounds (both or neither, enclosing ``value``). A
    count (``is_count``) is a whole number ≥ 0. ``kind`` is the kind of figure; left empty it
    is an event count for a count, a survey percentage when bounds are given, else a ratio.
    """

    period: str
    year: int
    value: float
    lower: float | None = None
    upper: float | None = None
    is_count: bool = False
    whole_year: bool = True
    kind: MeasureKind | None = None
    #: the source marks the figure voorlopig (said next to its period in every sentence)
    provisional: bool = False

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
        if self.kind is not None:
            object.__setattr__(self, "kind", MeasureKind(self.kind))
        period = periods.parse(self.period)
        if period.end.year != self.year:
            raise ValueError(f"period {self.period!r} ends in {period.end.year}, not {self.year}")
        if period.is_whole_year != self.whole_year:
            raise ValueError(f"whole_year={self.whole_year} contradicts period {self.period!r}")

    @property
    def measure_kind(self) -> MeasureKind:
        if self.kind is not None:
            return MeasureKind(self.kind)
        if self.is_count:
            return MeasureKind.EVENT_COUNT
        if self.lower is not None:
            return MeasureKind.SURVEY
        return MeasureKind.RATIO

    @property
    def source_margin(self) -> tuple[float, float] | None:
        """The published 95% bounds, or None."""
        if self.lower is not None and self.upper is not None:
            return self.lower, self.upper
        return None


@dataclass(frozen=True)
class Target:
    """A streefwaarde. Which fields count depends on ``kind`` (see :func:`target_problems`).

    ``unit`` is shown after values ("%" without a space, anything else with one).
    ``plan_years`` (first, last) limits the measurements judged to the plan period;
    ``baseline_period`` (when ``baseline`` is not given) still means "only after it".
    ``unofficial_source`` names a source of figures that are not official statistics.
    """

    kind: TargetKind
    value: float | None = None
    baseline: Measurement | None = None
    start_year: int | None = None
    start_value: float | None = None
    end_year: int | None = None
    end_value: float | None = None
    unit: str = ""
    plan_years: tuple[int, int] | None = None
    baseline_period: str | None = None
    unofficial_source: str = ""


@dataclass(frozen=True)
class Evaluation:
    """A status with the explanation.

    ``measurement`` is the figure the sentence is about (None when nothing comparable exists);
    ``expected`` the trajectory's value for its year; ``margin`` the 95% margin that was used
    (source bounds, or a Poisson interval for an event count on a trajectory); ``test`` how
    chance was judged (None when it was not: a stock, no margin); ``p_value`` the exact test's
    p-value; ``share`` the share of the way on a trajectory; ``previous_status`` what the
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
    test: ChanceTest | None = None


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


def covered_share(start_value: float, expected: float, value: float) -> float | None:
    """The share of the distance from B (``start_value``) to T_y (``expected``) that
    ``value`` has covered: 1.0 = on T_y, 0 = still at B, negative = moved away. None when
    T_y = B (nothing to cover yet)."""
    way = expected - start_value
    if way == 0:
        return None
    return (value - start_value) / way


def is_amber(share: float | None) -> bool:
    """The 90% rule (DOMAIN §5), the same in every year: amber from :data:`AMBER_SHARE`."""
    return share is not None and share >= AMBER_SHARE - 1e-12


# --- wording ----------------------------------------------------------------------------------


def _period_label(code: str) -> str:
    return periods.label(periods.parse(code))


def _measured_label(measurement: Measurement) -> str:
    """The period of a measurement in a sentence, marked when its figure is provisional."""
    label = _period_label(measurement.period)
    if measurement.provisional:
        return _("%(period)s (provisional)") % {"period": label}
    return label


def format_number(value: float, decimals: int) -> str:
    """A number in the active language's format, rounded half up (display only)."""
    return number_format(half_up(value, decimals), decimals, use_l10n=True, force_grouping=True)


def exact_decimals(value: float, at_least: int = 0) -> int:
    """The decimals needed to write ``value`` as it is (at least ``at_least``, at most 6)."""
    places = at_least
    while places < _MAX_DECIMALS and half_up(value, places) != Decimal(repr(float(value))):
        places += 1
    return places


def _same(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12)


def apart_decimals(value: float, other: float, at_least: int) -> int:
    """The decimals at which ``value`` and ``other`` look different (at least ``at_least``).

    Equal values keep ``at_least``; at most 6 decimals.
    """
    places = at_least
    if _same(value, other):
        return places
    while places < _MAX_DECIMALS and half_up(value, places) == half_up(other, places):
        places += 1
    return places


@dataclass(frozen=True)
class _Words:
    """Formats the numbers of one evaluation alike: precision, unit, whole counts."""

    decimals: int
    unit: str
    count: bool

    def places(self, value: float) -> int:
        """The display decimals of ``value``: whole counts without decimals."""
        return 0 if self.count and float(value).is_integer() else self.decimals

    def num(self, value: float, places: int | None = None) -> str:
        return format_number(value, self.places(value) if places is None else places)

    def _with_unit(self, text: str) -> str:
        if not self.unit:
            return text
        return f"{text}{self.unit}" if self.unit == "%" else f"{text} {self.unit}"

    def quantity(self, value: float, places: int | None = None) -> str:
        return self._with_unit(self.num(value, places))

    def target(self, value: float) -> str:
        """A target value as written, never rounded away (7,3 stays 7,3 at 0 decimals)."""
        return self.quantity(value, exact_decimals(value, self.places(value)))

    def against(self, value: float, other: float, other_places: int | None = None) -> int:
        """Decimals for ``value`` so that it does not look equal to ``other`` unless it is."""
        return apart_decimals(value, other, max(self.places(value), other_places or 0))

    def span(self, margin: tuple[float, float], places: int | None = None) -> str:
        """A margin; a count's Poisson bounds keep the plan's decimals (41,4–71,6)."""
        low, high = (
            (self.num(bound) if self.count else self.num(bound, places)) for bound in margin
        )
        return self._with_unit(f"{low}–{high}")

    def difference(self, value: float, places: int | None = None) -> str:
        shown = self.places(value) if places is None else places
        text = format_number(abs(value), shown)
        if half_up(value, shown) > 0:
            text = f"+{text}"
        elif half_up(value, shown) < 0:
            text = f"{_MINUS}{text}"
        if self.unit == "%":
            return _("%(difference)s percentage points") % {"difference": text}
        return f"{text} {self.unit}" if self.unit else text


def _p(p_value: float) -> str:
    """A p-value for the sentence: three decimals, "< 0,001" below that."""
    if p_value < 0.001:
        return "< " + format_number(0.001, 3)
    return format_number(p_value, 3)


def _with_test(text: str, test: ChanceTest | None) -> str:
    if test is None:
        return text
    if test.p_value is None:
        return f"{text} " + _("Test: %(test)s.") % {"test": test.name}
    return f"{text} " + _("Test: %(test)s (p = %(p)s).") % {
        "test": test.name,
        "p": _p(test.p_value),
    }


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


def _in_plan(target: Target, measurement: Measurement) -> bool:
    if target.plan_years is None:
        return True
    first, last = target.plan_years
    period = periods.parse(measurement.period)
    return period.start >= dt.date(first, 1, 1) and period.end <= dt.date(last, 12, 31)


def _baseline_end(target: Target) -> dt.date | None:
    if target.baseline is not None:
        return _end(target.baseline)
    if target.baseline_period:
        return periods.parse(target.baseline_period).end
    return None


def _baseline_label(target: Target) -> str:
    if target.baseline is not None:
        return _measured_label(target.baseline)
    return _period_label(target.baseline_period or "")


def margin_of(measurement: Measurement) -> tuple[float, float] | None:
    """Published bounds, else the exact 95% Poisson interval of an event count, else None.

    Stocks, amounts and ratios have no chance margin. A threshold uses only the published
    bounds (:attr:`Measurement.source_margin`): a Poisson interval never excuses it.
    """
    if measurement.source_margin is not None:
        return measurement.source_margin
    if measurement.is_count and measurement.measure_kind == MeasureKind.EVENT_COUNT:
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


def _unofficial(target: Target, result: Evaluation) -> Evaluation:
    if not target.unofficial_source:
        return result
    note = _("%(source)s figures are not official statistics.") % {
        "source": target.unofficial_source
    }
    return replace(result, explanation=f"{result.explanation} {note}")


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


# --- roll-up and labels -----------------------------------------------------------------------


def roll_up(statuses: Sequence[Status]) -> Status:
    """The least favourable status (see :data:`SEVERITY`), leaving out "no new measurement".

    NO_MEASUREMENT only when every status is NO_MEASUREMENT, or there are none. Show it with
    :func:`count_statuses`: one verdict alone hides how many indicators have it.
    """
    measured = [Status(s) for s in statuses if Status(s) != Status.NO_MEASUREMENT]
    if not measured:
        return Status.NO_MEASUREMENT
    return max(measured, key=SEVERITY.index)


def count_statuses(statuses: Sequence[Status]) -> dict[Status, int]:
    """How many of ``statuses`` have each status, in :data:`SEVERITY` order, then "no new
    measurement" (the indicators that could not be judged); every status present, 0 or not."""
    counts = dict.fromkeys((*SEVERITY, Status.NO_MEASUREMENT), 0)
    for status in statuses:
        counts[Status(status)] += 1
    return counts


def status_label(status: Status) -> str:
    """The council's word for ``status`` in the active language (Dutch by default)."""
    return str(STATUS_LABELS[Status(status)])


__all__ = [
    "AMBER_SHARE",
    "CONFIDENCE",
    "DIRECTIONS",
    "LEVEL",
    "SEVERITY",
    "STATUS_LABELS",
    "THRESHOLDS",
    "ChanceMethod",
    "ChanceTest",
    "Evaluation",
    "MeasureKind",
    "Measurement",
    "Status",
    "Target",
    "TargetError",
    "TargetKind",
    "apart_decimals",
    "count_statuses",
    "covered_share",
    "evaluate",
    "exact_decimals",
    "expected_on_trajectory",
    "format_number",
    "half_up",
    "is_amber",
    "margin_of",
    "roll_up",
    "status_label",
    "target_problems",
]
