"""Rates per N inhabitants with an exact Poisson (Garwood) confidence interval."""

from __future__ import annotations

from dataclasses import dataclass

from ._checks import probability, whole_count


@dataclass(frozen=True)
class Rate:
    """A count expressed per ``per`` inhabitants, with its exact interval."""

    count: float
    population: int
    per: int
    value: float
    lower: float
    upper: float
    confidence: float


def poisson_interval(count: float, confidence: float = 0.95) -> tuple[float, float]:
    """Exact (Garwood) interval for the mean of a Poisson count.

    lower = ½·χ²(alpha/2; 2k), upper = ½·χ²(1-alpha/2; 2k+2); lower = 0 when k = 0.
    """
    from scipy import stats  # here, not at the top: see the package's docstring

    k = whole_count(count)
    alpha = 1.0 - probability(confidence, "confidence")
    lower = 0.0 if k == 0 else float(stats.chi2.ppf(alpha / 2, 2 * k)) / 2
    upper = float(stats.chi2.ppf(1 - alpha / 2, 2 * k + 2)) / 2
    return lower, upper


def rate_per(count: float, population: int, *, per: int = 1000, confidence: float = 0.95) -> Rate:
    """Rate per ``per`` inhabitants: per·count/population with an exact Poisson interval."""
    if population <= 0:
        raise ValueError(f"population must be positive, got {population!r}")
    if per <= 0:
        raise ValueError(f"per must be positive, got {per!r}")
    k = whole_count(count)
    lower, upper = poisson_interval(k, confidence)
    scale = per / population
    return Rate(
        count=k,
        population=population,
        per=per,
        value=k * scale,
        lower=lower * scale,
        upper=upper * scale,
        confidence=confidence,
    )
