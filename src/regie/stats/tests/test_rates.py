"""Rates per 1,000 with the exact Poisson (Garwood) interval."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from regie.stats import Rate, poisson_interval, rate_per


def test_maassluis_2022_acceptance_figure() -> None:
    # Product acceptance figure: CBS table 83648NED, cbs:T001161 (total crimes),
    # Maassluis 2022 = 1245; population on 1 January 2022 = 34,110.
    # By hand: 1000 * 1245 / 34110 = 36.4996 -> "36,5" per 1,000.
    rate = rate_per(1245.0, 34110)
    assert rate.value == pytest.approx(36.49956, abs=1e-5)
    assert f"{rate.value:.1f}" == "36.5"
    assert f"{rate.value:.2f}" == "36.50"
    assert (rate.count, rate.population, rate.per, rate.confidence) == (1245.0, 34110, 1000, 0.95)
    # The bounds solve P(X >= 1245 | lower) = 0.025 and P(X <= 1245 | upper) = 0.025.
    assert stats.poisson.sf(1244, rate.lower * 34.110) == pytest.approx(0.025, rel=1e-6)
    assert stats.poisson.cdf(1245, rate.upper * 34.110) == pytest.approx(0.025, rel=1e-6)


@pytest.mark.parametrize(
    ("count", "lower", "upper"),
    [
        # R: poisson.test(10)$conf.int
        (10, 4.795389, 18.390356),
        # R: qchisq(0.025, 2 * k) / 2 and qchisq(0.975, 2 * k + 2) / 2 for k = 0 and 1
        (0, 0.0, 3.688879),
        (1, 0.025318, 5.571643),
    ],
)
def test_matches_published_exact_intervals(count: int, lower: float, upper: float) -> None:
    rate = rate_per(float(count), 1, per=1)
    assert rate.value == count
    assert rate.lower == pytest.approx(lower, abs=1e-6)
    assert rate.upper == pytest.approx(upper, abs=1e-5)


def test_closed_forms_for_zero_and_one() -> None:
    # chi2 with 2 df is exponential with mean 2, so for k = 0 the upper bound is
    # -ln(alpha/2) and for k = 1 the lower bound is -ln(1 - alpha/2).
    assert poisson_interval(0.0) == (0.0, pytest.approx(math.log(40)))
    assert poisson_interval(0.0, 0.90)[1] == pytest.approx(math.log(20))
    assert poisson_interval(1.0)[0] == pytest.approx(-math.log(0.975))
    zero = rate_per(0.0, 2000)
    assert zero.value == 0.0
    assert zero.lower == 0.0
    assert zero.upper == pytest.approx(math.log(40) / 2)


def test_per_scales_the_rate() -> None:
    per_1000 = rate_per(50.0, 20000)
    per_100k = rate_per(50.0, 20000, per=100_000)
    assert per_1000.value == pytest.approx(2.5)
    assert per_100k.value == pytest.approx(250.0)
    assert per_100k.lower == pytest.approx(per_1000.lower * 100)
    assert per_100k.upper == pytest.approx(per_1000.upper * 100)


@given(
    count=st.integers(min_value=0, max_value=20_000),
    population=st.integers(min_value=1, max_value=10_000_000),
    confidence=st.floats(min_value=0.5, max_value=0.999),
)
def test_interval_contains_the_estimate(count: int, population: int, confidence: float) -> None:
    rate = rate_per(float(count), population, confidence=confidence)
    assert isinstance(rate, Rate)
    assert 0.0 <= rate.lower <= rate.value <= rate.upper
    assert rate.lower < rate.upper


@given(
    count=st.integers(min_value=0, max_value=5000),
    confidence=st.sampled_from([0.8, 0.9, 0.95, 0.99]),
)
def test_bounds_solve_the_poisson_tail_equations(count: int, confidence: float) -> None:
    # Independent route: the Garwood bounds are where the Poisson tails equal alpha/2.
    half = (1 - confidence) / 2
    lower, upper = poisson_interval(float(count), confidence)
    assert stats.poisson.cdf(count, upper) == pytest.approx(half, rel=1e-6)
    if count == 0:
        assert lower == 0.0
    else:
        assert stats.poisson.sf(count - 1, lower) == pytest.approx(half, rel=1e-6)


@pytest.mark.parametrize(
    ("count", "population", "kwargs"),
    [
        (10.0, 0, {}),
        (10.0, -5, {}),
        (-1.0, 1000, {}),
        (2.5, 1000, {}),
        (math.nan, 1000, {}),
        (math.inf, 1000, {}),
        (10.0, 1000, {"confidence": 1.0}),
        (10.0, 1000, {"confidence": 0.0}),
        (10.0, 1000, {"per": 0}),
    ],
)
def test_rejects_bad_input(count: float, population: int, kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError, match="must"):
        rate_per(count, population, **kwargs)


def test_whole_float_counts_are_accepted() -> None:
    assert rate_per(34.0, 1000).value == pytest.approx(34.0)
