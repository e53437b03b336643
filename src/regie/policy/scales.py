"""Which values a target can take on its measure's scale: one home for the plausibility rule.

A target is written in the measure's unit (``Measure.unit``): a rapportcijfer (``grade_1_10``)
lies between 1 and 10, a percentage between 0 and 100, a rate per 1,000 inhabitants and a count
are never negative, and a count of events or a stock is a whole number. A target outside its
scale is a typing error (75 for 7,5; 0,6 for 60 %) that would otherwise be judged for years.

The indicator form (:mod:`regie.policy.forms`) and the plan file import
(:mod:`regie.policy.plan_file`) both call :func:`scale_problem`; the engine's own rules about a
target's shape are :func:`regie.policy.engine.target_problems`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from regie.core.numbers import format_number
from regie.monitor.models import Measure, MeasureKind, Unit

__all__ = ["Scale", "scale_of", "scale_problem"]


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
    if value is None or not math.isfinite(value):  # not a number: the other rules say so
        return None
    scale = scale_of(measure)
    if scale is None or scale.contains(value):
        return None
    return _("%(value)s does not fit the scale of “%(measure)s”: %(scale)s.") % {
        "value": format_number(value),
        "measure": measure.name,
        "scale": scale.name,
    }
