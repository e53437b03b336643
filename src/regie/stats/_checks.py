"""Argument checks shared by the analysis modules."""

from __future__ import annotations

import math


def whole_count(count: float, name: str = "count") -> float:
    """Return ``count`` as a float; ValueError unless it is a finite whole number >= 0."""
    value = float(count)
    if not math.isfinite(value) or value < 0 or not value.is_integer():
        raise ValueError(f"{name} must be a whole number >= 0, got {count!r}")
    return value


def non_negative(value: float, name: str) -> float:
    """Return ``value`` as a float; ValueError unless it is finite and >= 0."""
    result = float(value)
    if not math.isfinite(result) or result < 0:
        raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")
    return result


def positive(value: float, name: str) -> float:
    """Return ``value`` as a float; ValueError unless it is finite and > 0."""
    result = float(value)
    if not math.isfinite(result) or result <= 0:
        raise ValueError(f"{name} must be a finite number > 0, got {value!r}")
    return result


def probability(value: float, name: str) -> float:
    """Return ``value``; ValueError unless 0 < value < 1."""
    result = float(value)
    if not 0.0 < result < 1.0:
        raise ValueError(f"{name} must lie strictly between 0 and 1, got {value!r}")
    return result
