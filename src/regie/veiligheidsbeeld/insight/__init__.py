"""Series, rates and comparisons for the veiligheidsbeeld: data from the selectors, statistics
from :mod:`regie.stats`. Pages, exports, the API and the CLI all use these functions,
so that they show the same numbers.

Rules kept here (DOMAIN.md §5):

- a whole year is either published, or the sum of its twelve published months (marked as
  computed); a partial year is never put next to a whole year;
- rates per 1,000 use the population on 1 January of the year, with an exact Poisson interval,
  and exist only for counts over a whole year (:mod:`.rates`);
- two periods are compared only when they are alike (:meth:`Period.is_alike`); on small counts
  the percentage is left out (:mod:`.comparisons`);
- a region without a published figure gets the sum of its gemeenten, only when every gemeente
  of the region has a figure, and it says so (:mod:`.areas`);
- the waterbed (displacement) figures WDD and WDQ come from complete monthly counts
  (:mod:`.displacement`).

Callers use the names of this package (``insight.compare_periods``), not its modules.
"""

from regie.veiligheidsbeeld.insight.areas import (
    PEERS,
    comparison_areas,
    measures_with_data,
    peers,
    region_gap,
)
from regie.veiligheidsbeeld.insight.comparisons import (
    PeriodComparison,
    check_alike,
    compare_periods,
    latest_comparison,
)
from regie.veiligheidsbeeld.insight.displacement import WaterbedResult, parse_window, waterbed
from regie.veiligheidsbeeld.insight.errors import InsightError, NotAlike
from regie.veiligheidsbeeld.insight.rates import (
    RateFigure,
    YearTrend,
    rate,
    rate_figure,
    year_trend,
)

__all__ = [
    "PEERS",
    "InsightError",
    "NotAlike",
    "PeriodComparison",
    "RateFigure",
    "WaterbedResult",
    "YearTrend",
    "check_alike",
    "compare_periods",
    "comparison_areas",
    "latest_comparison",
    "measures_with_data",
    "parse_window",
    "peers",
    "rate",
    "rate_figure",
    "region_gap",
    "waterbed",
    "year_trend",
]
