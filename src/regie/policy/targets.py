"""An indicator's target: its shape and every rule about it, in one place.

:class:`IndicatorSpec` declares the fields an indicator has (what a person types in the form,
what a plan file holds, what :mod:`regie.policy.services.indicators` stores);
:func:`problems` is the only home of the rules about a target:

* **kind**: a threshold (at least / at most) needs a target value; a direction target (not up /
  not down) needs the period of its baseline; a trajectory needs a start and a goal, year and
  value, the goal year after the start year and a goal value other than the start value;
* **plausibility**: a target, trajectory or baseline value must fit its measure's scale
  (:func:`scale_of`): a rapportcijfer lies between 1 and 10, a percentage between 0 and 100, a
  rate per 1,000 inhabitants and a count are never negative, and a count of events or a stock is
  a whole number. A target outside its scale is a typing error (75 for 7,5; 0,6 for 60 %) that
  would otherwise be judged for years;
* **rounding**: a target is judged as written, never rounded; ``decimals`` (0 to
  :data:`MAX_DECIMALS`) only sets how values are shown (see :mod:`regie.policy.engine`);
* **periods**: a baseline period is a period code (:func:`baseline_period`).

The indicator form (:mod:`regie.policy.forms`), the plan file reader
(:mod:`regie.policy.plan_file`) and the services all call :func:`problems`; each shows a problem
at its own place (a form field, a key in the file) with the same sentence. The engine's check
that a target can be judged at all is :func:`regie.policy.engine.target_problems`.

A trajectory's years are not bound to the plan period: a trajectory usually starts in the year
of its baseline, before the plan, and the engine judges only figures inside the period anyway.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import Any, Final

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from regie.areas.models import Area
from regie.core.numbers import format_number
from regie.monitor.models import Measure, MeasureKind, Unit
from regie.policy.engine import DIRECTIONS, THRESHOLDS, TargetKind
from regie.stats import periods

__all__ = [
    "MAX_DECIMALS",
    "TARGET_FIELDS",
    "TRAJECTORY_FIELDS",
    "VALUE_FIELDS",
    "IndicatorSpec",
    "Problem",
    "Scale",
    "baseline_period",
    "problems",
    "scale_of",
    "scale_problem",
]

#: The most decimals an indicator shows (values are judged unrounded whatever it shows).
MAX_DECIMALS: Final = 4

#: The fields of a trajectory target.
TRAJECTORY_FIELDS: Final = ("start_year", "start_value", "end_year", "end_value")

#: The stored fields of a target, in the order of the form.
TARGET_FIELDS: Final = (
    "target_kind",
    "target_value",
    "baseline_period",
    "baseline_value",
    *TRAJECTORY_FIELDS,
)

#: The fields that hold a value on the measure's scale.
VALUE_FIELDS: Final = ("target_value", "start_value", "end_value", "baseline_value")


# --- the shape of an indicator ------------------------------------------------------------------


@dataclass(frozen=True)
class IndicatorSpec:
    """What an indicator is, apart from its place in the plan (goal, key, position).

    The form's cleaned data, a plan file's indicator and the service's arguments are each turned
    into one; :meth:`model_fields` gives the model's fields. ``measure`` and ``area`` may be
    None while a plan file is only checked (an unknown code was reported already).
    """

    name: str
    measure: Measure | None
    area: Area | None
    target_kind: str
    target_value: float | None = None
    baseline_period: str = ""
    baseline_value: float | None = None
    start_year: int | None = None
    start_value: float | None = None
    end_year: int | None = None
    end_value: float | None = None
    decimals: int = 1

    @classmethod
    def field_names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls))

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> IndicatorSpec:
        """The spec from a mapping with (some of) its field names; the rest keep their default."""
        given = {name: data[name] for name in cls.field_names() if name in data}
        given["baseline_period"] = given.get("baseline_period") or ""
        if given.get("decimals") is None:
            given.pop("decimals", None)
        given.setdefault("name", "")
        given.setdefault("measure", None)
        given.setdefault("area", None)
        given.setdefault("target_kind", "")
        return cls(**given)

    def model_fields(self) -> dict[str, Any]:
        """The indicator's model fields (``measure`` and ``area`` as objects)."""
        return {name: getattr(self, name) for name in self.field_names()}

    @property
    def kind(self) -> TargetKind | None:
        try:
            return TargetKind(self.target_kind)
        except ValueError:
            return None

    def kept(self) -> IndicatorSpec:
        """Only what the kind uses: a switched kind leaves no stale numbers behind."""
        kind = self.kind
        spec = self
        if kind is not None and kind not in THRESHOLDS:
            spec = replace(spec, target_value=None)
        if kind is not None and kind != TargetKind.TRAJECTORY:
            spec = replace(spec, start_year=None, start_value=None, end_year=None, end_value=None)
        return spec


# --- rules ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """What is wrong with a target, and the field (of :class:`IndicatorSpec`) it is about."""

    field: str
    message: str


def problems(spec: IndicatorSpec, *, skip: frozenset[str] = frozenset()) -> list[Problem]:
    """Every rule a target breaks, one problem per field at most; none when it is sound.

    ``skip`` names fields whose input was unclear (the caller has said so already): nothing more
    is said about them.
    """
    found: list[Problem] = []

    def say(name: str, message: str) -> None:
        if name not in skip and all(p.field != name for p in found):
            found.append(Problem(name, message))

    kind = spec.kind
    if kind in THRESHOLDS and spec.target_value is None:
        say("target_value", _("A threshold needs a target value."))
    if kind == TargetKind.TRAJECTORY:
        _trajectory_problems(spec, say)
    if kind in DIRECTIONS and not spec.baseline_period:
        say("baseline_period", _("A direction target needs the period of its baseline."))
    for name in VALUE_FIELDS:
        value = getattr(spec, name)
        if value is not None and not math.isfinite(value):
            say(name, _("The target value must be a number."))
    if spec.measure is not None:
        for name in VALUE_FIELDS:
            problem = scale_problem(spec.measure, getattr(spec, name))
            if problem:
                say(name, problem)
    if not 0 <= spec.decimals <= MAX_DECIMALS:
        say(
            "decimals",
            _("Show from 0 to %(most)d decimals; values are judged unrounded anyway.")
            % {"most": MAX_DECIMALS},
        )
    return found


def _trajectory_problems(spec: IndicatorSpec, say: Any) -> None:
    for name in TRAJECTORY_FIELDS:
        if getattr(spec, name) is None:
            say(name, _("A trajectory needs a start and a goal (year and value)."))
    if (
        spec.start_year is not None
        and spec.end_year is not None
        and spec.end_year <= spec.start_year
    ):
        say("end_year", _("The goal year must come after the start year."))
    if spec.start_value is not None and spec.start_value == spec.end_value:
        say(
            "end_value",
            _("A trajectory must go somewhere; for a value that must hold, use a threshold."),
        )


def baseline_period(code: str) -> str:
    """The canonical code of a baseline period (``2023h1`` → ``2023H1``); ``""`` for none.

    Raises :class:`ValueError` with the sentence to show when ``code`` is no period.
    """
    code = code.strip()
    if not code:
        return ""
    try:
        return periods.parse(code).code
    except ValueError as error:
        raise ValueError(
            _("%(code)s is not a period (examples: 2022, 2023H1, 2023Q3, 2023M10).")
            % {"code": code}
        ) from error


# --- the measure's scale --------------------------------------------------------------------------


@dataclass(frozen=True)
class Scale:
    """The values a measure's figures can take. ``name`` names the scale in a sentence."""

    name: str
    lowest: float | None = None
    highest: float | None = None
    whole: bool = False

    def contains(self, value: float) -> bool:
        if self.lowest is not None and value < self.lowest:
            return False
        if self.highest is not None and value > self.highest:
            return False
        return not (self.whole and not float(value).is_integer())


_NAMES = {
    Unit.GRADE: gettext_lazy("a rapportcijfer from 1 to 10"),
    Unit.PERCENT: gettext_lazy("a percentage from 0 to 100"),
    Unit.RATE: gettext_lazy("a number per 1,000 inhabitants, 0 or more"),
    Unit.COUNT: gettext_lazy("a number, 0 or more"),
}
_WHOLE_NAME = gettext_lazy("a count: a whole number, 0 or more")

#: Kinds of figures counted in whole units (an amount of hours may have decimals).
_WHOLE_KINDS = frozenset({MeasureKind.EVENT_COUNT, MeasureKind.STOCK})


def scale_of(measure: Measure) -> Scale | None:
    """The scale of ``measure``'s figures, or None when any value can occur (euros)."""
    unit = measure.unit
    if unit == Unit.GRADE:
        return Scale(str(_NAMES[Unit.GRADE]), 1, 10)
    if unit == Unit.PERCENT:
        return Scale(str(_NAMES[Unit.PERCENT]), 0, 100)
    if unit == Unit.RATE:
        return Scale(str(_NAMES[Unit.RATE]), 0)
    if unit == Unit.COUNT:
        if measure.kind in _WHOLE_KINDS:
            return Scale(str(_WHOLE_NAME), 0, whole=True)
        return Scale(str(_NAMES[Unit.COUNT]), 0)
    return None


def scale_problem(measure: Measure, value: float | None) -> str | None:
    """Why ``value`` cannot be a target or baseline of ``measure``, in a sentence; None if it
    can (or is not given)."""
    if value is None or not math.isfinite(value):  # not a number: problems() says so
        return None
    scale = scale_of(measure)
    if scale is None or scale.contains(value):
        return None
    return _("%(value)s does not fit the scale of “%(measure)s”: %(scale)s.") % {
        "value": format_number(value),
        "measure": measure.name,
        "scale": scale.name,
    }
