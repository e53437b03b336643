"""Comparing two counts (two periods) and a count against its history."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from ._checks import non_negative, positive, probability, whole_count

#: Below this count a percentage change is not shown; the absolute difference is.
SMALL_COUNT = 20

#: Wheeler's rule of thumb: a Poisson Z-score beyond ±3 is worth a look.
WHEELER_THRESHOLD = 3.0


class Verdict(StrEnum):
    HIGHER = "higher"
    LOWER = "lower"
    WITHIN_CHANCE = "within_chance"


@dataclass(frozen=True)
class CountComparison:
    """Two counts compared with the exact conditional (binomial) test.

    ``difference`` is ``after - before`` in counts. ``percent_change`` and
    ``rate_ratio`` compare rates (count / exposure); with equal exposures they
    compare the counts themselves. ``ratio_upper`` is None when unbounded
    (``before == 0``).
    """

    before: float
    after: float
    difference: float
    percent_change: float | None
    small_counts: bool
    rate_ratio: float | None
    ratio_lower: float | None
    ratio_upper: float | None
    p_value: float
    verdict: Verdict


def compare_counts(
    before: float,
    after: float,
    *,
    exposure_before: float = 1.0,
    exposure_after: float = 1.0,
    alpha: float = 0.05,
    interval: bool = True,
) -> CountComparison:
    """Compare two Poisson counts with the exact conditional test.

    ``interval=False`` skips the rate-ratio interval (``ratio_lower``/``ratio_upper`` None), for
    callers that only need the p-value and the verdict: it is most of the cost.

    Given n = before + after, under H0 (equal rates) ``after`` is
    Binomial(n, e_a / (e_a + e_b)). The two-sided p-value is scipy's
    ``binomtest``; the rate-ratio interval maps the Clopper–Pearson interval
    of that proportion π onto θ = π / (1 - π) · e_b / e_a.
    """
    b = whole_count(before, "before")
    a = whole_count(after, "after")
    e_b = positive(exposure_before, "exposure_before")
    e_a = positive(exposure_after, "exposure_after")
    alpha = probability(alpha, "alpha")

    small = min(a, b) < SMALL_COUNT
    rate_ratio = None if b == 0 else (a / e_a) / (b / e_b)
    percent_change = None if small or rate_ratio is None else 100.0 * (rate_ratio - 1.0)

    n = a + b
    if n == 0:
        return CountComparison(
            before=b,
            after=a,
            difference=0.0,
            percent_change=None,
            small_counts=small,
            rate_ratio=None,
            ratio_lower=None,
            ratio_upper=None,
            p_value=1.0,
            verdict=Verdict.WITHIN_CHANCE,
        )

    from scipy import stats  # here, not at the top: see the package's docstring

    result = stats.binomtest(int(a), int(n), e_a / (e_a + e_b), alternative="two-sided")
    p_value = min(1.0, float(result.pvalue))
    ratio_lower: float | None = None
    ratio_upper: float | None = None
    if interval:
        ci = result.proportion_ci(confidence_level=1.0 - alpha, method="exact")
        factor = e_b / e_a
        low_p, high_p = float(ci.low), float(ci.high)
        ratio_lower = low_p / (1.0 - low_p) * factor
        ratio_upper = None if high_p >= 1.0 else high_p / (1.0 - high_p) * factor

    verdict = Verdict.WITHIN_CHANCE
    if p_value < alpha:
        verdict = Verdict.HIGHER if a / e_a > b / e_b else Verdict.LOWER
    return CountComparison(
        before=b,
        after=a,
        difference=a - b,
        percent_change=percent_change,
        small_counts=small,
        rate_ratio=rate_ratio,
        ratio_lower=ratio_lower,
        ratio_upper=ratio_upper,
        p_value=p_value,
        verdict=verdict,
    )


def wheeler_z(current: float, history: Sequence[float]) -> float:
    """Wheeler's Poisson Z-score: 2·(√current - √mean(history)).

    The square root stabilises Poisson variance (Var 2√X ≈ 1), so Z reads
    roughly as a standard normal score.
    """
    now = non_negative(current, "current")
    if len(history) == 0:
        raise ValueError("history must hold at least one value")
    values = [non_negative(value, "history") for value in history]
    mean = math.fsum(values) / len(values)
    return 2.0 * (math.sqrt(now) - math.sqrt(mean))


@dataclass(frozen=True)
class WheelerSignal:
    """A Wheeler Z-score and whether it is beyond the threshold (|Z| > threshold)."""

    z: float
    threshold: float
    beyond_chance: bool
    verdict: Verdict


def wheeler_signal(
    current: float, history: Sequence[float], *, threshold: float = WHEELER_THRESHOLD
) -> WheelerSignal:
    """Flag ``current`` against the mean of ``history`` when |Z| > ``threshold`` (default 3).

    3 is Wheeler's rule of thumb (A. P. Wheeler, 2016, "Tables and graphs for
    monitoring temporal crime trends", Int. J. Police Sci. Manag. 18(3)): with
    Z ≈ N(0, 1), P(|Z| > 3) ≈ 0.27 %, so scanning many series raises few false alarms.
    """
    limit = positive(threshold, "threshold")
    z = wheeler_z(current, history)
    beyond = abs(z) > limit
    verdict = Verdict.WITHIN_CHANCE
    if beyond:
        verdict = Verdict.HIGHER if z > 0 else Verdict.LOWER
    return WheelerSignal(z=z, threshold=limit, beyond_chance=beyond, verdict=verdict)


#: two-sided 95 %: the z a difference must pass
Z_95 = 1.959963984540054


def margins_differ(
    before: float,
    before_bounds: tuple[float, float],
    after: float,
    after_bounds: tuple[float, float],
) -> bool:
    """Whether two survey figures differ beyond chance, from the 95 % bounds the source
    published: each side's standard error is the half-width facing the other figure / 1.96,
    z = (after - before) / √(se_before² + se_after²), two-sided at 5 %. Overlapping bounds do
    not mean "no difference" (20 (18–22) against 23 (21–25) differs beyond chance)."""
    if after == before:
        return False
    up = after > before
    se_before = ((before_bounds[1] - before) if up else (before - before_bounds[0])) / Z_95
    se_after = ((after - after_bounds[0]) if up else (after_bounds[1] - after)) / Z_95
    spread = math.hypot(se_before, se_after)
    if spread <= 0:
        return True  # bounds without width: the source says the figures are exact
    return abs(after - before) / spread > Z_95
