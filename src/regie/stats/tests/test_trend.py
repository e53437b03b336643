"""Yearly trends by Poisson / negative-binomial regression with a population offset.

References are fitted a second way in the test: maximum likelihood with
scipy.optimize and standard errors from the Fisher information written out by
hand, and statsmodels' formula interface.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
import statsmodels.formula.api as smf
from scipy import optimize, special, stats

from regie.stats import (
    COVID_YEARS,
    InsufficientData,
    Trend,
    TrendVerdict,
    poisson_trend,
)
from regie.stats import trend as trend_module

YEARS = [2016, 2017, 2018, 2019, 2022, 2023]
POPULATION = [33_800.0, 33_900.0, 34_000.0, 34_110.0, 34_200.0, 34_300.0]
# Mild noise around a falling line: Pearson chi2/df stays below 1.5.
CALM = [1245.0, 1220.0, 1190.0, 1185.0, 1140.0, 1120.0]
# Strongly overdispersed around a flat line.
WILD = [1200.0, 900.0, 1300.0, 800.0, 1250.0, 700.0, 1100.0]
WILD_YEARS = [2013, 2014, 2015, 2016, 2017, 2018, 2019]
WILD_POPULATION = [34_000.0, 34_100.0, 34_200.0, 34_110.0, 34_300.0, 34_500.0, 34_600.0]


def _design(years: Sequence[int]) -> np.ndarray:
    x = np.asarray(years, dtype=float)
    return x - x.mean()


def _slope_summary(slope: float, se: float) -> tuple[float, float, float, float]:
    z = stats.norm.ppf(0.975)
    return (
        100 * (math.exp(slope) - 1),
        100 * (math.exp(slope - z * se) - 1),
        100 * (math.exp(slope + z * se) - 1),
        2 * stats.norm.sf(abs(slope / se)),
    )


def poisson_ml(
    years: Sequence[int], counts: Sequence[float], populations: Sequence[float]
) -> tuple[float, float, np.ndarray]:
    """Poisson ML by scipy.optimize; returns slope, its SE and the fitted means."""
    x = _design(years)
    y = np.asarray(counts, dtype=float)
    log_p = np.log(np.asarray(populations, dtype=float))

    def nll(theta: np.ndarray) -> float:
        eta = log_p + theta[0] + theta[1] * x
        return float(np.sum(np.exp(eta) - y * eta))

    start = np.array([math.log(y.sum() / np.exp(log_p).sum()), 0.0])
    fit = optimize.minimize(
        nll,
        start,
        method="Nelder-Mead",
        options={"xatol": 1e-12, "fatol": 1e-12, "maxiter": 20_000},
    )
    mu = np.exp(log_p + fit.x[0] + fit.x[1] * x)
    info = np.array([[mu.sum(), (mu * x).sum()], [(mu * x).sum(), (mu * x * x).sum()]])
    return float(fit.x[1]), float(math.sqrt(np.linalg.inv(info)[1, 1])), mu


def test_poisson_matches_scipy_maximum_likelihood() -> None:
    result = poisson_trend(YEARS, CALM, POPULATION)
    slope, se, mu = poisson_ml(YEARS, CALM, POPULATION)
    change, lower, upper, p_value = _slope_summary(slope, se)
    assert result.model == "poisson"
    assert result.yearly_change_pct == pytest.approx(change, abs=1e-5)
    assert result.lower_pct == pytest.approx(lower, abs=1e-5)
    assert result.upper_pct == pytest.approx(upper, abs=1e-5)
    assert result.p_value == pytest.approx(p_value, rel=1e-4)
    pearson = float(np.sum((np.asarray(CALM) - mu) ** 2 / mu)) / (len(CALM) - 2)
    assert result.dispersion == pytest.approx(pearson, rel=1e-4)
    assert result.dispersion <= 1.5
    assert result.years == tuple(YEARS)
    assert result.verdict is TrendVerdict.FALLING


def test_poisson_matches_statsmodels_formula_api() -> None:
    frame = pd.DataFrame({"year": YEARS, "count": CALM, "population": POPULATION})
    frame["t"] = frame["year"] - frame["year"].mean()
    fit = smf.glm(
        "count ~ t", data=frame, family=sm.families.Poisson(), offset=np.log(frame["population"])
    ).fit()
    low, high = fit.conf_int(alpha=0.10).loc["t"]
    result = poisson_trend(YEARS, CALM, POPULATION, alpha=0.10)
    assert result.yearly_change_pct == pytest.approx(100 * math.expm1(fit.params["t"]))
    assert result.lower_pct == pytest.approx(100 * math.expm1(low))
    assert result.upper_pct == pytest.approx(100 * math.expm1(high))


@pytest.mark.parametrize("growth", [0.95, 1.0, 1.08])
def test_exact_exponential_series(growth: float) -> None:
    # counts = P * r * g**t exactly (non-integral): the fit is perfect and the
    # yearly change is 100 * (g - 1) %, whatever the population does.
    years = [2012, 2013, 2014, 2015, 2016, 2017, 2018, 2019]
    populations = [30_000.0 + 700 * i for i in range(len(years))]
    counts = [p * 0.04 * growth**t for t, p in enumerate(populations)]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = poisson_trend(years, counts, populations)
    assert result.yearly_change_pct == pytest.approx(100 * (growth - 1), abs=1e-7)
    assert result.dispersion == pytest.approx(0.0, abs=1e-12)
    assert result.model == "poisson"
    expected = {0.95: TrendVerdict.FALLING, 1.0: TrendVerdict.NO_CLEAR_TREND}
    assert result.verdict is expected.get(growth, TrendVerdict.RISING)


def nb2_ml(
    years: Sequence[int], counts: Sequence[float], populations: Sequence[float]
) -> tuple[float, float, float]:
    """Joint NB2 ML of (a, b, alpha) by scipy.optimize; slope SE from the expected
    information of b at that alpha: sum mu / (1 + alpha mu) [1, x; x, x^2]."""
    x = _design(years)
    y = np.asarray(counts, dtype=float)
    log_p = np.log(np.asarray(populations, dtype=float))

    def nll(theta: np.ndarray) -> float:
        mu = np.exp(log_p + theta[0] + theta[1] * x)
        alpha = math.exp(theta[2])
        r = 1 / alpha
        ll = (
            special.gammaln(y + r)
            - special.gammaln(r)
            - special.gammaln(y + 1)
            + r * np.log(r / (r + mu))
            + y * np.log(mu / (r + mu))
        )
        return float(-np.sum(ll))

    start = np.array([math.log(y.sum() / np.exp(log_p).sum()), 0.0, math.log(0.05)])
    fit = optimize.minimize(
        nll,
        start,
        method="Nelder-Mead",
        options={"xatol": 1e-10, "fatol": 1e-12, "maxiter": 50_000},
    )
    alpha = math.exp(fit.x[2])
    mu = np.exp(log_p + fit.x[0] + fit.x[1] * x)
    w = mu / (1 + alpha * mu)
    info = np.array([[w.sum(), (w * x).sum()], [(w * x).sum(), (w * x * x).sum()]])
    return float(fit.x[1]), float(math.sqrt(np.linalg.inv(info)[1, 1])), alpha


def test_overdispersed_series_is_refitted_as_negative_binomial() -> None:
    result = poisson_trend(WILD_YEARS, WILD, WILD_POPULATION)
    slope, se, alpha = nb2_ml(WILD_YEARS, WILD, WILD_POPULATION)
    change, lower, upper, p_value = _slope_summary(slope, se)
    assert alpha > 0.01
    assert result.model == "negative_binomial"
    assert result.dispersion > 1.5
    assert result.yearly_change_pct == pytest.approx(change, abs=1e-4)
    assert result.lower_pct == pytest.approx(lower, abs=1e-4)
    assert result.upper_pct == pytest.approx(upper, abs=1e-4)
    assert result.p_value == pytest.approx(p_value, abs=1e-5)
    assert result.verdict is TrendVerdict.NO_CLEAR_TREND
    # The Poisson fit alone would have called this a clear fall.
    poisson_slope, poisson_se, _ = poisson_ml(WILD_YEARS, WILD, WILD_POPULATION)
    assert _slope_summary(poisson_slope, poisson_se)[2] < 0


def _quasi_poisson(
    years: Sequence[int], counts: Sequence[float], populations: Sequence[float]
) -> tuple[float, float, float, int]:
    """Reference: statsmodels' Poisson GLM with the Pearson scale (quasi-Poisson)."""
    fit = sm.GLM(
        np.asarray(counts),
        sm.add_constant(_design(years)),
        family=sm.families.Poisson(),
        offset=np.log(populations),
    ).fit(scale="X2")
    return float(fit.params[1]), float(fit.bse[1]), float(fit.scale), int(fit.df_resid)


def test_quasi_poisson_when_the_negative_binomial_cannot_be_fitted(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(trend_module, "_nb_alpha_mle", lambda *args: None)
    result = poisson_trend(WILD_YEARS, WILD, WILD_POPULATION)
    slope, se, scale, df = _quasi_poisson(WILD_YEARS, WILD, WILD_POPULATION)
    assert result.model == "quasi_poisson"
    assert result.dispersion == pytest.approx(scale)
    t = stats.t.ppf(0.975, df)
    assert result.yearly_change_pct == pytest.approx(100 * math.expm1(slope), abs=1e-6)
    assert result.lower_pct == pytest.approx(100 * math.expm1(slope - t * se), abs=1e-6)
    assert result.upper_pct == pytest.approx(100 * math.expm1(slope + t * se), abs=1e-6)
    assert result.p_value == pytest.approx(2 * stats.t.sf(abs(slope / se), df), abs=1e-8)


def test_overdispersion_with_three_points_is_handled_by_quasi_poisson() -> None:
    # Before: with one degree of freedom the overdispersion was ignored (plain Poisson), so
    # 100, 300, 120 looked like a firm trend. Quasi-Poisson widens the interval by sqrt(chi2/df)
    # and uses t with 1 degree of freedom.
    years, counts, people = [2017, 2018, 2019], [100.0, 300.0, 120.0], [10_000.0] * 3
    result = poisson_trend(years, counts, people)
    assert result.dispersion > 1.5
    assert result.model == "quasi_poisson"
    slope, se, _scale, df = _quasi_poisson(years, counts, people)
    assert df == 1
    t = stats.t.ppf(0.975, 1)
    assert result.lower_pct == pytest.approx(100 * math.expm1(slope - t * se), abs=1e-6)
    assert result.verdict is TrendVerdict.NO_CLEAR_TREND
    assert result.few_points is True


def test_the_trend_names_its_covid_years_and_few_points() -> None:
    years = [2018, 2019, 2020, 2021, 2022, 2023]
    counts = [1300.0, 1250.0, 1000.0, 1050.0, 1150.0, 1100.0]
    result = poisson_trend(years, counts, [34_000.0] * 6)
    assert result.covid_years == (2020, 2021)
    assert result.few_points is False
    without = poisson_trend(years, counts, [34_000.0] * 6, exclude=COVID_YEARS)
    assert without.covid_years == ()
    assert without.few_points is True  # four years left


def test_covid_years_can_be_left_out() -> None:
    years = [2017, 2018, 2019, 2020, 2021, 2022, 2023]
    counts = [1300.0, 1250.0, 1200.0, 600.0, 650.0, 1150.0, 1100.0]
    populations = [34_000.0] * 7
    result = poisson_trend(years, counts, populations, exclude=COVID_YEARS)
    assert result.years == (2017, 2018, 2019, 2022, 2023)
    keep = [i for i, year in enumerate(years) if year not in COVID_YEARS]
    reference = poisson_trend(
        [years[i] for i in keep], [counts[i] for i in keep], [populations[i] for i in keep]
    )
    assert result == reference


def test_input_order_does_not_matter() -> None:
    order = [3, 0, 5, 1, 4, 2]
    shuffled = poisson_trend(
        [YEARS[i] for i in order], [CALM[i] for i in order], [POPULATION[i] for i in order]
    )
    assert shuffled == poisson_trend(YEARS, CALM, POPULATION)
    assert isinstance(shuffled, Trend)


def test_zero_counts_in_the_middle_are_fine() -> None:
    result = poisson_trend([2016, 2017, 2018, 2019], [0.0, 5.0, 0.0, 0.0], [1000.0] * 4)
    assert math.isfinite(result.yearly_change_pct)


@pytest.mark.parametrize(
    ("years", "counts", "exclude"),
    [
        ([2018, 2019], [10.0, 12.0], ()),
        ([2018, 2019, 2020, 2021], [10.0, 12.0, 5.0, 6.0], COVID_YEARS),
        ([2016, 2017, 2018, 2019], [0.0, 0.0, 0.0, 0.0], ()),
        # Every crime in the last (or first) year: the ML slope is infinite.
        ([2016, 2017, 2018, 2019], [0.0, 0.0, 0.0, 5.0], ()),
        ([2016, 2017, 2018, 2019], [5.0, 0.0, 0.0, 0.0], ()),
    ],
)
def test_insufficient_data(
    years: list[int], counts: list[float], exclude: frozenset[int] | tuple[()]
) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(InsufficientData):
            poisson_trend(years, counts, [1000.0] * len(years), exclude=exclude)


@pytest.mark.parametrize(
    ("years", "counts", "populations"),
    [
        ([2017, 2018, 2019], [1.0, 2.0], [1.0, 1.0, 1.0]),
        ([2017, 2017, 2019], [1.0, 2.0, 3.0], [1.0, 1.0, 1.0]),
        ([2017, 2018, 2019], [1.0, -2.0, 3.0], [1.0, 1.0, 1.0]),
        ([2017, 2018, 2019], [1.0, 2.0, 3.0], [1.0, 0.0, 1.0]),
    ],
)
def test_rejects_bad_input(years: list[int], counts: list[float], populations: list[float]) -> None:
    with pytest.raises(ValueError, match="must") as caught:
        poisson_trend(years, counts, populations)
    assert not isinstance(caught.value, InsufficientData)
