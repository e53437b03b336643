"""Numbers and periods in the engine's sentences, and the helpers every rule shares."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, replace
from decimal import Decimal

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from regie.core import formats
from regie.core.formats import half_up
from regie.policy.engine.types import (
    _MAX_DECIMALS,
    _MINUS,
    CONFIDENCE,
    DIRECTIONS,
    ChanceTest,
    Evaluation,
    MeasureKind,
    Measurement,
    Target,
    TargetKind,
)
from regie.stats import is_covid_year, periods, poisson_interval

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
            return formats.points(text)
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
