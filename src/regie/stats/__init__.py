"""Statistics for the crime-statistics dashboard: pure functions, no Django.

Verdicts are StrEnum codes; the web layer words them (in Dutch) via gettext.

scipy and statsmodels are imported inside the functions that use them, not at module level:
the policy engine imports this package, so every process (the CLI, an import, a test) would
otherwise pay about two seconds and 150 MB to load them, whether it computes statistics or not.
"""

from __future__ import annotations

from .compare import (
    SMALL_COUNT,
    WHEELER_THRESHOLD,
    CountComparison,
    Verdict,
    WheelerSignal,
    compare_counts,
    margins_differ,
    wheeler_signal,
    wheeler_z,
)
from .covid import COVID_YEARS, Baseline, baseline_value, baseline_years, is_covid_year
from .partial import full_year_estimate, rolling_12, same_months_previous_year, seasonal_share
from .rates import Rate, poisson_interval, rate_per
from .trend import (
    FEW_POINTS,
    MIN_POINTS,
    OVERDISPERSION,
    InsufficientData,
    Trend,
    TrendVerdict,
    poisson_trend,
)
from .waterbed import (
    WDD,
    WDQ,
    WDQ_TOLERANCE,
    NotComputable,
    WaterbedCounts,
    WdqReading,
    Window,
    WindowError,
    check_windows,
    wdd,
    wdq,
)

__all__ = [
    "COVID_YEARS",
    "FEW_POINTS",
    "MIN_POINTS",
    "OVERDISPERSION",
    "SMALL_COUNT",
    "WDD",
    "WDQ",
    "WDQ_TOLERANCE",
    "WHEELER_THRESHOLD",
    "Baseline",
    "CountComparison",
    "InsufficientData",
    "NotComputable",
    "Rate",
    "Trend",
    "TrendVerdict",
    "Verdict",
    "WaterbedCounts",
    "WdqReading",
    "WheelerSignal",
    "Window",
    "WindowError",
    "baseline_value",
    "baseline_years",
    "check_windows",
    "compare_counts",
    "full_year_estimate",
    "is_covid_year",
    "margins_differ",
    "poisson_interval",
    "poisson_trend",
    "rate_per",
    "rolling_12",
    "same_months_previous_year",
    "seasonal_share",
    "wdd",
    "wdq",
    "wheeler_signal",
    "wheeler_z",
]
