"""Two counts compared with the exact conditional test; Wheeler's Z."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from scipy import stats

from regie.stats import (
    SMALL_COUNT,
    WHEELER_THRESHOLD,
    CountComparison,
    Verdict,
    compare_counts,
    wheeler_signal,
    wheeler_z,
)


def reference_p_value(after: int, n: int, p: Fraction) -> float:
    """Two-sided exact binomial p-value by hand, in exact fractions.

    Sums the probabilities of all outcomes no more likely than the observed one
    (R's binom.test rule, with its relative tolerance 1 + 1e-7).
    """
    pmf = [math.comb(n, j) * p**j * (1 - p) ** (n - j) for j in range(n + 1)]
    limit = pmf[after] * Fraction(10_000_001, 10_000_000)
    return float(min(Fraction(1), sum(x for x in pmf if x <= limit)))


def test_matches_r_poisson_test_two_rates() -> None:
    # R documentation example, ?poisson.test:
    #   poisson.test(c(11, 6 + 8 + 7), c(800, 1083 + 1050 + 878))
    #   p-value = 0.07967; 95 % CI 0.8584264 4.2772659; rate ratio 1.971488
    # R's first arm (11 events / 800) is our "after".
    result = compare_counts(21.0, 11.0, exposure_before=3011.0, exposure_after=800.0)
    assert result.rate_ratio == pytest.approx(1.971488, abs=1e-6)
    assert result.ratio_lower == pytest.approx(0.8584264, abs=1e-7)
    assert result.ratio_upper == pytest.approx(4.2772659, abs=1e-7)
    assert result.p_value == pytest.approx(0.07967, abs=1e-5)
    assert result.verdict is Verdict.WITHIN_CHANCE
    assert result.small_counts is True
    assert result.percent_change is None
    assert result.difference == -10.0


def test_closed_form_when_before_is_zero() -> None:
    # Equal exposures, before = 0: P(all n in one period) = 2 * 0.5**n.
    five = compare_counts(0.0, 5.0)
    assert five.p_value == pytest.approx(2 * 0.5**5)
    assert five.verdict is Verdict.WITHIN_CHANCE
    assert five.rate_ratio is None
    assert five.ratio_upper is None
    # Clopper-Pearson lower bound for 5/5 is (alpha/2)**(1/5); ratio = pi / (1 - pi).
    pi_low = 0.025 ** (1 / 5)
    assert five.ratio_lower == pytest.approx(pi_low / (1 - pi_low))
    six = compare_counts(0.0, 6.0)
    assert six.p_value == pytest.approx(2 * 0.5**6)
    assert six.verdict is Verdict.HIGHER


def test_no_crimes_at_all() -> None:
    result = compare_counts(0.0, 0.0)
    assert result.p_value == 1.0
    assert result.verdict is Verdict.WITHIN_CHANCE
    assert (result.rate_ratio, result.ratio_lower, result.ratio_upper) == (None, None, None)
    assert result.difference == 0.0
    assert result.small_counts is True


def test_large_counts_give_a_percentage_and_a_verdict() -> None:
    up = compare_counts(120.0, 160.0)
    assert up.percent_change == pytest.approx(100 * (160 - 120) / 120)
    assert up.small_counts is False
    assert up.p_value == pytest.approx(reference_p_value(160, 280, Fraction(1, 2)), rel=1e-9)
    assert up.p_value < 0.05
    assert up.verdict is Verdict.HIGHER
    down = compare_counts(160.0, 120.0)
    assert down.verdict is Verdict.LOWER
    assert down.percent_change == pytest.approx(-25.0)
    same = compare_counts(140.0, 140.0)
    assert same.p_value == pytest.approx(1.0)
    assert same.verdict is Verdict.WITHIN_CHANCE


def test_exposures_turn_counts_into_rates() -> None:
    # Same rate per inhabitant (100 / 10,000 and 110 / 11,000): no change at all.
    result = compare_counts(100.0, 110.0, exposure_before=10_000.0, exposure_after=11_000.0)
    assert result.rate_ratio == pytest.approx(1.0)
    assert result.percent_change == pytest.approx(0.0)
    assert result.difference == 10.0
    assert result.p_value == pytest.approx(
        reference_p_value(110, 210, Fraction(11_000, 21_000)), rel=1e-9
    )
    assert result.verdict is Verdict.WITHIN_CHANCE


def test_small_count_boundary() -> None:
    assert compare_counts(SMALL_COUNT, SMALL_COUNT).percent_change == pytest.approx(0.0)
    assert compare_counts(SMALL_COUNT - 1, 40.0).percent_change is None
    assert compare_counts(40.0, SMALL_COUNT - 1).small_counts is True


@given(
    before=st.integers(min_value=0, max_value=150),
    after=st.integers(min_value=0, max_value=150),
    exposure_before=st.integers(min_value=1, max_value=50),
    exposure_after=st.integers(min_value=1, max_value=50),
)
def test_p_value_and_interval_match_their_definitions(
    before: int, after: int, exposure_before: int, exposure_after: int
) -> None:
    assume(before + after > 0)
    n = before + after
    p0 = Fraction(exposure_after, exposure_after + exposure_before)
    result = compare_counts(
        float(before),
        float(after),
        exposure_before=float(exposure_before),
        exposure_after=float(exposure_after),
    )
    assert result.p_value == pytest.approx(reference_p_value(after, n, p0), rel=1e-6, abs=1e-12)

    # Clopper-Pearson bounds, mapped back from the ratio to the proportion, solve
    # P(X >= after | pi_low) = 0.025 and P(X <= after | pi_high) = 0.025.
    def to_pi(ratio: float) -> float:
        return ratio * exposure_after / (ratio * exposure_after + exposure_before)

    assert result.ratio_lower is not None
    if after > 0:
        assert stats.binom.sf(after - 1, n, to_pi(result.ratio_lower)) == pytest.approx(0.025)
    else:
        assert result.ratio_lower == 0.0
    if before > 0:
        assert result.ratio_upper is not None
        assert stats.binom.cdf(after, n, to_pi(result.ratio_upper)) == pytest.approx(0.025)
        assert result.rate_ratio is not None
        assert result.ratio_lower <= result.rate_ratio <= result.ratio_upper
    else:
        assert result.ratio_upper is None


@given(
    before=st.integers(min_value=0, max_value=500),
    after=st.integers(min_value=0, max_value=500),
    exposure_before=st.floats(min_value=0.1, max_value=1e6),
    exposure_after=st.floats(min_value=0.1, max_value=1e6),
)
def test_symmetric_under_swapping_periods(
    before: int, after: int, exposure_before: float, exposure_after: float
) -> None:
    forward = compare_counts(
        float(before),
        float(after),
        exposure_before=exposure_before,
        exposure_after=exposure_after,
    )
    backward = compare_counts(
        float(after),
        float(before),
        exposure_before=exposure_after,
        exposure_after=exposure_before,
    )
    assert forward.p_value == pytest.approx(backward.p_value, rel=1e-6, abs=1e-12)
    assert forward.difference == -backward.difference
    assert forward.small_counts == backward.small_counts
    if before > 0 and after > 0:
        assert forward.rate_ratio is not None
        assert backward.rate_ratio is not None
        assert forward.rate_ratio == pytest.approx(1 / backward.rate_ratio)
        assert forward.ratio_lower is not None
        assert forward.ratio_upper is not None
        assert backward.ratio_lower is not None
        assert backward.ratio_upper is not None
        assert forward.ratio_lower == pytest.approx(1 / backward.ratio_upper)
        assert forward.ratio_upper == pytest.approx(1 / backward.ratio_lower)
    if abs(forward.p_value - 0.05) > 1e-6:
        flipped = {
            Verdict.HIGHER: Verdict.LOWER,
            Verdict.LOWER: Verdict.HIGHER,
            Verdict.WITHIN_CHANCE: Verdict.WITHIN_CHANCE,
        }
        assert backward.verdict is flipped[forward.verdict]


@given(
    before=st.integers(min_value=0, max_value=100), after=st.integers(min_value=0, max_value=100)
)
def test_percent_change_only_for_large_counts(before: int, after: int) -> None:
    result = compare_counts(float(before), float(after))
    expect_none = before < SMALL_COUNT or after < SMALL_COUNT or before == 0
    assert (result.percent_change is None) == expect_none
    assert result.small_counts == (min(before, after) < SMALL_COUNT)
    if not expect_none:
        assert result.percent_change == pytest.approx(100 * (after - before) / before)


@given(
    before=st.integers(min_value=0, max_value=200),
    after=st.integers(min_value=0, max_value=200),
    scale=st.floats(min_value=0.01, max_value=1000),
)
def test_common_exposure_scale_does_not_matter(before: int, after: int, scale: float) -> None:
    plain = compare_counts(float(before), float(after))
    scaled = compare_counts(
        float(before), float(after), exposure_before=scale, exposure_after=scale
    )
    assert scaled.p_value == pytest.approx(plain.p_value)
    assert scaled.verdict is plain.verdict


@pytest.mark.parametrize(
    ("before", "after", "kwargs"),
    [
        (-1.0, 5.0, {}),
        (5.0, 2.5, {}),
        (5.0, 5.0, {"exposure_before": 0.0}),
        (5.0, 5.0, {"exposure_after": -1.0}),
        (5.0, 5.0, {"alpha": 1.0}),
    ],
)
def test_compare_rejects_bad_input(before: float, after: float, kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError, match="must"):
        compare_counts(before, after, **kwargs)


def test_result_type() -> None:
    assert isinstance(compare_counts(3.0, 4.0), CountComparison)


# Wheeler's Z = 2 * (sqrt(current) - sqrt(mean of history)), values by hand.


def test_wheeler_z_by_hand() -> None:
    assert wheeler_z(36.0, [25.0, 25.0, 25.0]) == pytest.approx(2.0)
    assert wheeler_z(16.0, [36.0]) == pytest.approx(-4.0)
    assert wheeler_z(100.0, [64.0, 36.0]) == pytest.approx(2 * (10 - math.sqrt(50)))
    assert wheeler_z(0.0, [0.0, 0.0]) == 0.0


def test_wheeler_signal_threshold_is_strict() -> None:
    assert WHEELER_THRESHOLD == 3.0
    # 2 * (sqrt(42.25) - 5) = 2 * 1.5 = 3 exactly: on the threshold, not beyond.
    edge = wheeler_signal(42.25, [25.0])
    assert edge.z == pytest.approx(3.0)
    assert edge.beyond_chance is False
    assert edge.verdict is Verdict.WITHIN_CHANCE
    high = wheeler_signal(49.0, [25.0])  # Z = 4
    assert (high.beyond_chance, high.verdict) == (True, Verdict.HIGHER)
    low = wheeler_signal(4.0, [25.0, 25.0])  # Z = -6
    assert (low.beyond_chance, low.verdict) == (True, Verdict.LOWER)
    lenient = wheeler_signal(36.0, [25.0], threshold=1.5)  # Z = 2
    assert lenient.verdict is Verdict.HIGHER


def test_wheeler_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="history"):
        wheeler_z(10.0, [])
    with pytest.raises(ValueError, match="must"):
        wheeler_z(-1.0, [10.0])
    with pytest.raises(ValueError, match="must"):
        wheeler_z(10.0, [10.0, -2.0])


def test_overlapping_survey_bounds_can_still_differ_beyond_chance() -> None:
    """Overlap of two 95 % intervals is not a test: 20 (18-22) against 23 (21-25) overlaps, yet
    z = 3 / √(1.02² + 1.02²) ≈ 2.08 is beyond chance; 20 (17-23) against 21 (18-24) is not."""
    from regie.stats import margins_differ

    assert margins_differ(20.0, (18.0, 22.0), 23.0, (21.0, 25.0))
    assert not margins_differ(20.0, (17.0, 23.0), 21.0, (18.0, 24.0))
    assert margins_differ(23.0, (21.0, 25.0), 20.0, (18.0, 22.0))  # a fall alike
    assert not margins_differ(7.3, (7.1, 7.5), 7.3, (7.2, 7.4))
