"""Comparisons of two periods of one area and measure (DOMAIN.md §5).

Two periods are compared only when they are alike (:meth:`Period.is_alike`): a partial year is
never put next to a whole year, a month only next to the same month of another year. On small
counts the percentage is left out.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from regie import stats
from regie.core.models import Organisation
from regie.monitor import selectors
from regie.monitor.models import MeasureKind, Unit, is_event_count
from regie.monitor.selectors.series import Point, Series
from regie.stats import periods
from regie.veiligheidsbeeld import wording
from regie.veiligheidsbeeld.insight.errors import InsightError, NotAlike


@dataclass(frozen=True)
class PeriodComparison:
    """Two alike periods in time order: ``first`` is the earlier one, whatever the order asked."""

    area: str
    measure: str
    measure_name: str
    unit: str
    first: selectors.Figure
    second: selectors.Figure
    difference: float | None
    percent_change: float | None
    test: stats.CountComparison | None
    sentence: str
    kind: str = MeasureKind.EVENT_COUNT
    #: for survey figures with published bounds: whether the two 95 % margins overlap
    margins_overlap: bool | None = None

    @property
    def difference_unit(self) -> str:
        """``percentage_points`` for a change in a percentage, else the measure's unit."""
        return "percentage_points" if self.unit == Unit.PERCENT else self.unit

    def as_dict(self) -> dict[str, object]:
        test = self.test
        return {
            "area": self.area,
            "measure": self.measure,
            "unit": self.unit,
            "kind": self.kind,
            "first": self.first.as_dict(),
            "second": self.second.as_dict(),
            "difference": selectors.number(self.difference),
            "difference_unit": self.difference_unit,
            "percent_change": None
            if self.percent_change is None
            else round(self.percent_change, 1),
            "test": None
            if test is None
            else {
                "method": "exact conditional binomial test (two Poisson counts)",
                "p_value": test.p_value,
                "small_counts": test.small_counts,
                "verdict": str(test.verdict),
            },
            "margins_overlap": self.margins_overlap,
            "sentence": self.sentence,
        }


def check_alike(first: periods.Period, second: periods.Period) -> None:
    """Raise :class:`NotAlike` with an explanation when the periods must not be compared:
    overlapping periods, a part of a year against a whole year or another part, and parts of a
    year that are not the same months (a month only with the same month of another year)."""
    if first.is_alike(second):
        return
    values = {
        "a": first.code,
        "a_label": periods.label(first),
        "a_months": first.months,
        "b": second.code,
        "b_label": periods.label(second),
        "b_months": second.months,
    }
    if first.overlaps(second):
        raise NotAlike(
            _(
                "%(a)s (%(a_label)s) and %(b)s (%(b_label)s) overlap: a period is compared only "
                "with a period that shares no day with it."
            )
            % values,
            code="not_alike",
        )
    if first.months == second.months:
        earlier, later = sorted((first, second))
        year = earlier.start.year
        same = _same_part(later, year if year != later.start.year else year - 1)
        suggestion = (
            " " + _("Compare %(a)s with %(b)s instead.") % {"a": same, "b": later.code}
            if same
            else ""
        )
        raise NotAlike(
            _(
                "%(a)s (%(a_label)s) and %(b)s (%(b_label)s) are not the same months of the year: "
                "a month is compared only with the same month of another year, a quarter with "
                "the same quarter and a half year with the same half (seasons differ)."
            )
            % values
            + suggestion,
            code="not_alike",
        )
    partial, whole = (first, second) if first.months < second.months else (second, first)
    suggestion = ""
    if whole.is_whole_year and partial.start.year != whole.start.year:
        same = _same_part(partial, whole.start.year)
        if same:
            suggestion = " " + _("Compare %(a)s with %(b)s instead.") % {
                "a": partial.code,
                "b": same,
            }
    raise NotAlike(
        _(
            "%(a)s (%(a_label)s, %(a_months)d months) and %(b)s (%(b_label)s, %(b_months)d months) "
            "are not alike: a part of a year cannot be compared with a whole year or with another "
            "part."
        )
        % values
        + suggestion,
        code="not_alike",
    )


def _same_part(partial: periods.Period, year: int) -> str:
    code = partial.code
    prefix = str(partial.start.year)
    if code.startswith(prefix):
        candidate = f"{year}{code[len(prefix) :]}"
        try:
            periods.parse(candidate)
        except periods.PeriodError:
            return ""
        return candidate
    return ""


def compare_periods(
    area_code: str,
    measure_code: str,
    first_code: str,
    second_code: str,
    *,
    organisation: Organisation | None = None,
) -> PeriodComparison:
    """Two alike periods of one area and measure, in time order (earlier → later) whatever the
    order of the arguments; incomplete periods are refused with their name."""
    try:
        first_period = periods.parse(first_code)
        second_period = periods.parse(second_code)
    except periods.PeriodError as exc:
        raise InsightError(str(exc), code="period") from exc
    check_alike(first_period, second_period)
    if second_period.start < first_period.start:
        first_period, second_period = second_period, first_period
    try:
        first = selectors.figure(
            area_code, measure_code, first_period.code, organisation=organisation
        )
        second = selectors.figure(
            area_code, measure_code, second_period.code, organisation=organisation
        )
    except selectors.FigureNotFound as exc:
        raise InsightError(str(exc), code="not_found") from exc
    for fig in (first, second):
        if fig.incomplete:
            raise InsightError(
                _(
                    "%(period)s is incomplete (%(label)s has not been counted whole): it is not "
                    "compared as a whole period."
                )
                % {"period": fig.period, "label": fig.period_label},
                code="incomplete",
            )
    return _comparison(first, second)


def _comparison(first: selectors.Figure, second: selectors.Figure) -> PeriodComparison:
    """``first`` is the earlier figure. Which statistics apply follows the measure's kind."""
    test: stats.CountComparison | None = None
    difference = percent = None
    overlap: bool | None = None  # the published bounds overlap (a fact, not a test)
    beyond: bool | None = None  # the difference is beyond chance, tested on those bounds
    if first.value is not None and second.value is not None:
        difference = second.value - first.value
        whole = all(float(v).is_integer() and v >= 0 for v in (first.value, second.value))
        if is_event_count(first.unit, first.kind) and whole:
            test = stats.compare_counts(first.value, second.value)
            percent = test.percent_change
        elif (
            first.kind in (MeasureKind.STOCK, MeasureKind.AMOUNT)
            and min(first.value, second.value) >= stats.SMALL_COUNT
        ):
            # a relative change of a stock or an amount, not on small numbers (3 → 5 is
            # "+2", not "+67 %"); never of a percentage (procentpunt), a grade or a ratio
            percent = 100.0 * difference / first.value
        if first.margin is not None and second.margin is not None:
            overlap = first.margin[0] <= second.margin[1] and second.margin[0] <= first.margin[1]
            beyond = stats.margins_differ(first.value, first.margin, second.value, second.margin)
    return PeriodComparison(
        area=first.area,
        measure=first.measure,
        measure_name=first.measure_name,
        unit=first.unit,
        first=first,
        second=second,
        difference=difference,
        percent_change=percent,
        test=test,
        sentence=wording.comparison(first, second, difference, percent, test, beyond=beyond),
        kind=first.kind,
        margins_overlap=overlap,
    )


def latest_comparison(series: Series) -> tuple[Point, Point] | None:
    """The latest complete figure and the alike period before it (same months of an earlier
    year). An incomplete period (the current month) is never compared as a whole one."""
    latest = series.latest(complete=True)
    if latest is None:
        return None
    period = periods.parse(latest.period)
    # Parts of a year are compared with the same part of the year before (seasons).
    same_part = not period.is_whole_year

    def fits(other: periods.Period) -> bool:
        if not other.is_alike(period) or other.end >= period.start:
            return False
        if same_part:
            return (other.start.year + 1, other.start.month) == (
                period.start.year,
                period.start.month,
            )
        return True

    candidates = [
        p
        for p in series.points
        if p.value is not None
        and not p.incomplete
        and p.period != latest.period
        and fits(periods.parse(p.period))
    ]
    if latest.kind == periods.PeriodKind.YEAR:
        candidates += [
            p for p in series.years() if p.computed and p.year < latest.year and p.value is not None
        ]
    if not candidates:
        return None
    previous = max(candidates, key=lambda p: periods.parse(p.period).end)
    return previous, latest
