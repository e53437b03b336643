"""Rates per 1,000 inhabitants and trends over whole years (DOMAIN.md §5).

Rates use the population on 1 January of the year, with an exact Poisson interval, and exist only
for counts of events over a whole, complete year; a trend needs at least three such years.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

from regie import stats
from regie.areas.models import Area
from regie.core.models import Organisation
from regie.monitor import selectors
from regie.monitor.models import MeasureKind, is_event_count
from regie.monitor.selectors.areas import population_figures
from regie.monitor.selectors.series import Point, Series
from regie.stats import periods
from regie.veiligheidsbeeld import wording
from regie.veiligheidsbeeld.insight.errors import InsightError


def rate(
    point: Point, population: int | None, *, kind: str = MeasureKind.EVENT_COUNT
) -> stats.Rate | None:
    """Per 1,000 inhabitants with an exact interval: whole, complete years of counts of events
    only (pass the series' ``kind``: a stock or an amount has no Poisson interval)."""
    if kind != MeasureKind.EVENT_COUNT or point.incomplete:
        return None
    if point.value is None or not population or point.kind != periods.PeriodKind.YEAR:
        return None
    if not float(point.value).is_integer() or point.value < 0:
        return None
    return stats.rate_per(point.value, population)


@dataclass(frozen=True)
class YearTrend:
    """A trend over whole years with its sentence; ``result`` None when none can be given."""

    result: stats.Trend | None
    sentence: str


def year_trend(
    series: Series,
    years: Sequence[Point],
    people: dict[tuple[int, int], int],
    *,
    exclude_covid: bool = False,
) -> YearTrend:
    """The Poisson / negative-binomial / quasi-Poisson trend of complete whole years of counts
    of events with a population offset; refused (with the reason) for other kinds of measure."""
    if not series.is_count:
        return YearTrend(
            None,
            _(
                "No trend with a chance margin: %(measure)s is not a count of events (a stock, "
                "an amount or a percentage changes without chance)."
            )
            % {"measure": series.measure.name},
        )
    usable = [
        p
        for p in years
        if p.value is not None and not p.incomplete and people.get((series.area.pk, p.year))
    ]
    try:
        result = stats.poisson_trend(
            [p.year for p in usable],
            [p.value or 0.0 for p in usable],
            [float(people[(series.area.pk, p.year)]) for p in usable],
            exclude=stats.COVID_YEARS if exclude_covid else (),
        )
    except stats.InsufficientData:
        return YearTrend(
            None, _("Too few whole years with figures for a trend (at least three are needed).")
        )
    except ValueError:
        return YearTrend(None, _("These figures are not whole counts: no trend is estimated."))
    return YearTrend(result, wording.trend(result))


# --- Per 1,000 for one figure ---------------------------------------------------------------------


@dataclass(frozen=True)
class RateFigure:
    figure: selectors.Figure
    rate: stats.Rate
    population_year: int
    population_source: str = "reference"
    population_description: str = ""

    def as_dict(self) -> dict[str, object]:
        return {
            **self.figure.as_dict(),
            "per_1000": {
                "value": round(self.rate.value, 4),
                "lower": round(self.rate.lower, 4),
                "upper": round(self.rate.upper, 4),
                "confidence": self.rate.confidence,
                "population": self.rate.population,
                "population_date": f"{self.population_year}-01-01",
                "population_source": self.population_source,
                "population_lineage": self.population_description,
                "method": "exact Poisson interval (chi-squared)",
            },
        }


def rate_figure(
    area_code: str, measure_code: str, period_code: str, *, organisation: Organisation | None
) -> RateFigure:
    """The figure and its rate per 1,000 inhabitants on 1 January of its year."""
    try:
        figure = selectors.figure(area_code, measure_code, period_code, organisation=organisation)
    except selectors.FigureNotFound as exc:
        raise InsightError(str(exc), code="not_found") from exc
    period = periods.parse(figure.period)
    if not is_event_count(figure.unit, figure.kind):
        raise InsightError(
            _(
                "%(measure)s is not a count of events: a rate per 1,000 inhabitants with a "
                "chance interval does not apply."
            )
            % {"measure": figure.measure},
            code="not_a_count",
        )
    if not period.is_whole_year:
        raise InsightError(
            _("A rate per 1,000 inhabitants is given for whole years only, not for %(period)s.")
            % {"period": figure.period},
            code="not_a_year",
        )
    if figure.value is None:
        raise InsightError(_("The figure was not published."), code="not_published")
    if not float(figure.value).is_integer() or figure.value < 0:
        raise InsightError(
            _("%(value)s is not a whole count: no exact interval.") % {"value": figure.value},
            code="not_a_count",
        )
    year = period.start.year
    area = Area.objects.get(code=figure.area)
    found = population_figures([area], [year], organisation=organisation).get((area.pk, year))
    if found is None:
        raise InsightError(
            _("No population of %(area)s on 1 January %(year)d.")
            % {"area": figure.area, "year": year},
            code="no_population",
        )
    return RateFigure(
        figure,
        stats.rate_per(figure.value, found.value),
        year,
        population_source=found.source,
        population_description=found.description,
    )
