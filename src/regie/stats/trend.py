"""Trends in yearly counts: Poisson (or negative-binomial) regression with a population offset.

log E[count] = log(population) + a + b·(year - mean year); the yearly change is
100·(e^b - 1) % with a Wald interval. When the Poisson fit is overdispersed
(Pearson χ²/df > 1.5, with df >= 2) the model is refitted as a negative binomial
(NB2, Var = μ + alpha·μ²): alpha is estimated by maximum likelihood with
``statsmodels.discrete.discrete_model.NegativeBinomial`` and the slope is then
taken from a GLM ``families.NegativeBinomial`` with that alpha fixed. When the
negative binomial cannot be fitted — too few points (df < 2: three years) or the ML
estimate fails — the overdispersion is still taken into account with a quasi-Poisson
fit: the Poisson slope with its standard error scaled by √(χ²/df) and a t interval
on df degrees of freedom (wide on few points, as it should be).

The result says which COVID years (2020–2021) it holds and whether it rests on fewer
than :data:`FEW_POINTS` years, so that every sentence can say so.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import numpy as np

from ._checks import non_negative, positive, probability
from .covid import COVID_YEARS

#: Pearson χ²/df above which the Poisson model counts as overdispersed.
OVERDISPERSION = 1.5

MIN_POINTS = 3
#: Below this many years a trend is shaky; the sentence says so.
FEW_POINTS = 5


class TrendVerdict(StrEnum):
    RISING = "rising"
    FALLING = "falling"
    NO_CLEAR_TREND = "no_clear_trend"


@dataclass(frozen=True)
class Trend:
    """Estimated yearly change of the rate, in percent, with its interval."""

    years: tuple[int, ...]
    yearly_change_pct: float
    lower_pct: float
    upper_pct: float
    p_value: float
    model: str
    dispersion: float
    verdict: TrendVerdict
    #: COVID years (2020, 2021) among ``years``: they carry the trend too
    covid_years: tuple[int, ...] = ()

    @property
    def few_points(self) -> bool:
        """Fewer than :data:`FEW_POINTS` years: say so next to the trend."""
        return len(self.years) < FEW_POINTS


class InsufficientData(ValueError):
    """Too few usable points (or no information) to estimate a trend."""


def _fit_glm(y: Any, x: Any, offset: Any, family: Any) -> Any:
    # statsmodels and scipy are imported here, not at the top: see the package's docstring.
    import statsmodels.api as sm
    from statsmodels.tools.sm_exceptions import ConvergenceWarning, PerfectSeparationWarning

    with warnings.catch_warnings():
        # Non-convergence is checked below. A perfect fit of an exact series is fine;
        # real separation (all crimes in an end year) was rejected before fitting.
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("ignore", PerfectSeparationWarning)
        warnings.simplefilter("ignore", RuntimeWarning)
        result = sm.GLM(y, x, family=family, offset=offset).fit()
    params = np.asarray(result.params)
    bse = np.asarray(result.bse)
    if not result.converged or not np.all(np.isfinite(params)) or not np.all(np.isfinite(bse)):
        raise InsufficientData("The regression did not converge.")
    return result


def _nb_alpha_mle(y: Any, x: Any, offset: Any) -> float | None:
    """Maximum-likelihood NB2 alpha, or None when the fit fails."""
    from statsmodels.discrete.discrete_model import NegativeBinomial  # see _fit_glm

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = NegativeBinomial(y, x, offset=offset).fit(disp=0, maxiter=200)
    except (ValueError, np.linalg.LinAlgError):
        return None
    alpha = float(np.asarray(result.params)[-1])
    converged = bool(result.mle_retvals.get("converged", False))
    if not converged or not math.isfinite(alpha) or alpha <= 0:
        return None
    return alpha


def poisson_trend(
    years: Sequence[int],
    counts: Sequence[float],
    populations: Sequence[float],
    *,
    alpha: float = 0.05,
    exclude: Collection[int] = (),
) -> Trend:
    """Fit the yearly trend of ``counts`` per ``populations``, leaving out ``exclude`` years.

    Raises InsufficientData with fewer than 3 points left, when all counts are 0
    or when all crimes fall in the first or last year only (no finite estimate).
    """
    alpha = probability(alpha, "alpha")
    if not len(years) == len(counts) == len(populations):
        raise ValueError("years, counts and populations must have the same length")
    if len(set(years)) != len(years):
        raise ValueError("years must not repeat")
    rows = sorted(
        (int(year), non_negative(count, "count"), positive(population, "population"))
        for year, count, population in zip(years, counts, populations, strict=True)
        if year not in exclude
    )
    if len(rows) < MIN_POINTS:
        raise InsufficientData(f"A trend needs at least {MIN_POINTS} years, got {len(rows)}.")
    kept = tuple(row[0] for row in rows)
    y = np.array([row[1] for row in rows])
    population = np.array([row[2] for row in rows])
    positive_at = np.flatnonzero(y > 0)
    if positive_at.size == 0:
        raise InsufficientData("All counts are 0.")
    if positive_at.size == 1 and positive_at[0] in (0, len(rows) - 1):
        raise InsufficientData("All crimes fall in the first or the last year.")

    year_array = np.array(kept, dtype=float)
    x = np.column_stack([np.ones(len(rows)), year_array - year_array.mean()])
    offset = np.log(population)

    import statsmodels.api as sm  # see _fit_glm
    from scipy import stats

    poisson = _fit_glm(y, x, offset, sm.families.Poisson())
    df = int(poisson.df_resid)
    dispersion = float(poisson.pearson_chi2) / df
    result, model = poisson, "poisson"
    scale = 1.0
    if dispersion > OVERDISPERSION:
        nb_alpha = _nb_alpha_mle(y, x, offset) if df >= 2 else None
        if nb_alpha is not None:
            result = _fit_glm(y, x, offset, sm.families.NegativeBinomial(alpha=nb_alpha))
            model = "negative_binomial"
        else:
            model, scale = "quasi_poisson", dispersion

    slope = float(np.asarray(result.params)[1])
    se = float(np.asarray(result.bse)[1]) * math.sqrt(scale)
    if se <= 0:
        raise InsufficientData("The slope has no standard error.")
    if model == "quasi_poisson":
        z_crit = float(stats.t.ppf(1 - alpha / 2, df))
        p_value = float(2 * stats.t.sf(abs(slope / se), df))
    else:
        z_crit = float(stats.norm.ppf(1 - alpha / 2))
        p_value = float(2 * stats.norm.sf(abs(slope / se)))
    lower_pct = 100.0 * math.expm1(slope - z_crit * se)
    upper_pct = 100.0 * math.expm1(slope + z_crit * se)
    if lower_pct > 0:
        verdict = TrendVerdict.RISING
    elif upper_pct < 0:
        verdict = TrendVerdict.FALLING
    else:
        verdict = TrendVerdict.NO_CLEAR_TREND
    return Trend(
        years=kept,
        yearly_change_pct=100.0 * math.expm1(slope),
        lower_pct=lower_pct,
        upper_pct=upper_pct,
        p_value=p_value,
        model=model,
        dispersion=dispersion,
        verdict=verdict,
        covid_years=tuple(year for year in kept if year in COVID_YEARS),
    )
