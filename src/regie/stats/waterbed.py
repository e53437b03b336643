"""Waterbed effect (displacement): comparison windows, WDD and WDQ.

- WDD: Wheeler & Ratcliffe (2018), "A simple weighted displacement difference
  test to evaluate place based crime interventions", Crime Science 7:11.
- WDQ: Bowers & Johnson (2003), "Measuring the geographical displacement and
  diffusion of benefit effects of crime prevention activity", Journal of
  Quantitative Criminology 19(3), 275–301.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
from dataclasses import dataclass, fields
from enum import StrEnum

from ._checks import non_negative, probability
from .covid import COVID_YEARS


@dataclass(frozen=True)
class Window:
    """A period of whole months, ``start`` (1st of a month) to ``end`` (last day) inclusive."""

    start: dt.date
    end: dt.date

    @property
    def months(self) -> list[tuple[int, int]]:
        """The (year, month) pairs the window touches, in order."""
        first = self.start.year * 12 + self.start.month - 1
        last = self.end.year * 12 + self.end.month - 1
        return [(index // 12, index % 12 + 1) for index in range(first, last + 1)]

    @property
    def is_whole_months(self) -> bool:
        last_day = calendar.monthrange(self.end.year, self.end.month)[1]
        return self.start.day == 1 and self.end.day == last_day


class WindowError(ValueError):
    """Two windows cannot be compared; ``code`` says why."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def check_windows(before: Window, after: Window) -> None:
    """Raise WindowError unless ``before`` and ``after`` form a fair comparison.

    Codes, checked in this order: "not_whole_months", "order" (a window ends
    before it starts, or ``after`` does not start later than ``before``),
    "unequal_length", "overlap", "different_months" (``after`` must be
    ``before`` shifted by whole years) and "covid" (a month in 2020–2021).
    The first problem :func:`window_problems` finds is raised.
    """
    problems = window_problems(before, after)
    if problems:
        raise problems[0]


def window_problems(before: Window, after: Window) -> list[WindowError]:
    """Every reason why ``before`` and ``after`` are no fair comparison, in the order of
    :func:`check_windows` (one home for these rules), so that a form can show them all at once.

    A window that is not made of whole months or ends before it starts makes the other checks
    meaningless: only those problems are returned then. An ``after`` window that does not start
    later is not also reported as overlapping.
    """
    problems: list[WindowError] = []
    for window in (before, after):
        if not window.is_whole_months:
            problems.append(
                WindowError(
                    "not_whole_months",
                    f"Window {window.start}..{window.end} must run from the first day "
                    "of a month to the last day of a month.",
                )
            )
        if window.end < window.start:
            problems.append(
                WindowError("order", f"Window {window.start}..{window.end} ends before it starts.")
            )
    if problems:
        return problems
    in_order = after.start > before.start
    if not in_order:
        problems.append(
            WindowError("order", "The after window must start later than the before window.")
        )
    before_months, after_months = before.months, after.months
    if len(before_months) != len(after_months):
        problems.append(
            WindowError(
                "unequal_length",
                f"The windows differ in length ({len(before_months)} and "
                f"{len(after_months)} months).",
            )
        )
    if in_order and after.start <= before.end:
        problems.append(WindowError("overlap", "The windows overlap."))
    shift = (after.start.year - before.start.year) * 12 + after.start.month - before.start.month
    if shift % 12 != 0:
        problems.append(
            WindowError(
                "different_months",
                "The windows must cover the same calendar months in different years.",
            )
        )
    covid = sorted({year for year, _ in before_months + after_months} & COVID_YEARS)
    if covid:
        problems.append(
            WindowError(
                "covid",
                f"The windows include COVID year(s) {', '.join(map(str, covid))}, "
                "which are not comparable.",
            )
        )
    return problems


@dataclass(frozen=True)
class WaterbedCounts:
    """Crime counts before and after for four areas.

    target: where the intervention took place; displacement: the surrounding
    (buffer) area; control_target / control_displacement: the control areas for
    each. WDQ uses ``control_target`` as its single control area (C).
    """

    target_before: float
    target_after: float
    displacement_before: float
    displacement_after: float
    control_target_before: float
    control_target_after: float
    control_displacement_before: float
    control_displacement_after: float

    def __post_init__(self) -> None:
        for field in fields(self):
            # Store floats (counts may arrive as ints); frozen, hence object.__setattr__.
            object.__setattr__(
                self, field.name, non_negative(getattr(self, field.name), field.name)
            )


class NotComputable(ValueError):
    """WDD has no variance (every count is 0): there is nothing to test."""


@dataclass(frozen=True)
class WDD:
    """Weighted displacement difference with its normal-approximation test."""

    value: float
    variance: float
    se: float
    z: float
    p_value: float
    lower: float
    upper: float
    confidence: float
    shared_control: bool = False


def wdd(counts: WaterbedCounts, *, confidence: float = 0.95, shared_control: bool = False) -> WDD:
    """WDD = ΔT - ΔC_T + ΔD - ΔC_D (Δ = after - before).

    With four distinct areas Var = the sum of the eight counts. When one control area serves
    both the target and the displacement area (``shared_control``; its counts are then given as
    both controls) WDD = ΔT + ΔD - 2ΔC and Var = T_b + T_a + D_b + D_a + 4(C_b + C_a): the
    control's counts enter twice, so their variance four times (DOMAIN §5).

    Negative values mean crime fell in the target (and displacement) area relative
    to the controls. Z = WDD / √Var, two-sided p-value and interval from the normal.
    Raises :class:`NotComputable` when every count is 0.
    """
    from scipy import stats  # here, not at the top: see the package's docstring

    level = probability(confidence, "confidence")
    c = counts
    if shared_control and (
        c.control_target_before != c.control_displacement_before
        or c.control_target_after != c.control_displacement_after
    ):
        raise ValueError("a shared control has the same counts in both control roles")
    value = (
        (c.target_after - c.target_before)
        - (c.control_target_after - c.control_target_before)
        + (c.displacement_after - c.displacement_before)
        - (c.control_displacement_after - c.control_displacement_before)
    )
    if shared_control:
        variance = math.fsum(
            [
                c.target_before,
                c.target_after,
                c.displacement_before,
                c.displacement_after,
                4.0 * (c.control_target_before + c.control_target_after),
            ]
        )
    else:
        variance = math.fsum(float(getattr(c, field.name)) for field in fields(c))
    if variance <= 0:
        raise NotComputable("Every count is 0: WDD cannot be computed.")
    se = math.sqrt(variance)
    z = value / se
    p_value = float(2.0 * stats.norm.sf(abs(z)))
    half_width = float(stats.norm.ppf(0.5 + level / 2)) * se
    return WDD(
        value=value,
        variance=variance,
        se=se,
        z=z,
        p_value=p_value,
        lower=value - half_width,
        upper=value + half_width,
        confidence=level,
        shared_control=shared_control,
    )


class WdqReading(StrEnum):
    """How to read a WDQ, after Bowers & Johnson (2003)."""

    NO_SUCCESS_IN_TARGET = "no_success_in_target"
    DIFFUSION_GREATER_THAN_EFFECT = "diffusion_greater_than_effect"
    DIFFUSION = "diffusion"
    NO_DISPLACEMENT = "no_displacement"
    DISPLACEMENT_SMALLER_THAN_EFFECT = "displacement_smaller_than_effect"
    DISPLACEMENT_GREATER_THAN_EFFECT = "displacement_greater_than_effect"


#: |WDQ| at or below this counts as "no displacement or diffusion".
WDQ_TOLERANCE = 1e-9


@dataclass(frozen=True)
class WDQ:
    """Weighted displacement quotient; ``value`` is None when it is not meaningful."""

    value: float | None
    reading: WdqReading


def wdq(counts: WaterbedCounts) -> WDQ:
    """WDQ = (D_a/C_a - D_b/C_b) / (R_a/C_a - R_b/C_b), Bowers & Johnson (2003).

    R = target, D = displacement area, C = ``control_target``. The quotient only
    means something when the target fell relative to the control (success
    measure < 0); otherwise, and when a control count is 0 (no success can be
    measured), ``value`` is None and the reading is NO_SUCCESS_IN_TARGET.
    """
    c_b, c_a = counts.control_target_before, counts.control_target_after
    if c_b == 0 or c_a == 0:
        return WDQ(value=None, reading=WdqReading.NO_SUCCESS_IN_TARGET)
    # Both measures multiplied by C_a·C_b > 0: same signs and quotient, but exact
    # for whole counts, so an unchanged target never shows as a tiny "success".
    success = counts.target_after * c_b - counts.target_before * c_a
    if success >= 0:
        return WDQ(value=None, reading=WdqReading.NO_SUCCESS_IN_TARGET)
    buffer = counts.displacement_after * c_b - counts.displacement_before * c_a
    value = buffer / success
    if abs(value) <= WDQ_TOLERANCE:
        reading = WdqReading.NO_DISPLACEMENT
    elif value > 1:
        reading = WdqReading.DIFFUSION_GREATER_THAN_EFFECT
    elif value > 0:
        reading = WdqReading.DIFFUSION
    elif value >= -1:
        reading = WdqReading.DISPLACEMENT_SMALLER_THAN_EFFECT
    else:
        reading = WdqReading.DISPLACEMENT_GREATER_THAN_EFFECT
    return WDQ(value=value, reading=reading)
