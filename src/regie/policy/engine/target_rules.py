"""Whether a target can be judged as entered, and a trajectory's expected value and share."""

from __future__ import annotations

import math

from django.utils.translation import gettext as _

from regie.policy.engine.types import (
    AMBER_SHARE,
    DIRECTIONS,
    THRESHOLDS,
    Target,
    TargetError,
    TargetKind,
)

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
