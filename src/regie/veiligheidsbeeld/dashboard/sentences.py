"""The sentences of a section: the latest figure against its alike predecessor, in a fixed
order (:func:`lead_order`), never the most striking of many."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from regie import stats
from regie.monitor import selectors
from regie.monitor.models import MeasureKind, ObservationStatus
from regie.stats import periods
from regie.veiligheidsbeeld import insight, wording


@dataclass(frozen=True)
class Latest:
    """The latest figure of a series against its alike predecessor, in one sentence."""

    sentence: str
    tested: bool = False  # a count of events, tested with the exact conditional test
    beyond_chance: bool = False


def _margins_differ(before: selectors.Point, after: selectors.Point) -> bool | None:
    """Beyond chance on the survey's published bounds; None when either has none."""
    if before.margin is None or after.margin is None or None in (before.value, after.value):
        return None
    return stats.margins_differ(
        float(before.value or 0.0), before.margin, float(after.value or 0.0), after.margin
    )


def whole_years(series: selectors.Series) -> selectors.Series:
    """The series' whole years only: what the overview's tables and charts show, so that its
    sentences are about the same figures."""
    return selectors.Series(series.area, series.measure, list(series.years()))


def _named(point: selectors.Point) -> str:
    """A period in a sentence, marked when its figure is provisional (never read as final)."""
    if point.status in (ObservationStatus.VOORLOPIG, ObservationStatus.NADER_VOORLOPIG):
        return _("%(period)s (provisional)") % {"period": point.label}
    return point.label


def _latest(series: selectors.Series) -> Latest | None:
    """The latest figure against its alike predecessor (never chosen for being striking).

    A whole year is compared with the year right before it only: when that year has no figure
    the sentence says so and gives no change (never "2022 against 2016" without a word). A
    survey (held every two years) is compared with its previous edition.
    """
    pair = insight.latest_comparison(series)
    if pair is not None and series.kind != MeasureKind.SURVEY:
        before, after = pair
        whole = before.kind == after.kind == periods.PeriodKind.YEAR
        if whole and after.year - before.year > 1:
            assert after.value is not None  # noqa: S101 - latest_comparison pairs values
            return Latest(
                _(
                    "%(measure)s: %(value)s in %(period)s. There is no figure for %(previous)s, "
                    "the year before, so no change is given; the latest earlier figure is from "
                    "%(earlier)s."
                )
                % {
                    "measure": series.measure.name,
                    "value": wording.num(after.value),
                    "period": _named(after),
                    "previous": str(after.year - 1),
                    "earlier": _named(before),
                }
            )
    if pair is None:
        # the latest period counted whole: an incomplete month is never shown as the latest
        latest = series.latest(complete=True)
        if latest is None or latest.value is None:
            return None
        return Latest(
            _("%(measure)s: %(value)s in %(period)s; no alike earlier period to compare with.")
            % {
                "measure": series.measure.name,
                "value": wording.num(latest.value),
                "period": _named(latest),
            }
        )
    before, after = pair
    if before.value is None or after.value is None:  # latest_comparison only pairs values
        return None
    difference = after.value - before.value
    test = None
    percent = None  # a relative change only for counts of events, and not on small counts
    if series.is_count:
        test = stats.compare_counts(before.value, after.value)
        percent = test.percent_change
    sentence = wording.change(
        series.measure.name,
        (before.value, _named(before)),
        (after.value, _named(after)),
        difference,
        percent,
        test,
        unit=series.measure.unit,
        kind=series.kind,
        beyond=None if test else _margins_differ(before, after),
    )
    beyond = test is not None and test.verdict != stats.Verdict.WITHIN_CHANCE
    return Latest(sentence, tested=test is not None, beyond_chance=beyond)


def lead_order(members: Sequence[selectors.Series]) -> list[selectors.Series]:
    """The members in the order a section names them, by a fixed rule (never "the most
    striking"): the series with the **most recent whole year** first, then the one with the
    **most whole years**, then catalogue order (the order of ``members``). Series without a
    whole year come last. The first one leads the section's sentence and its comparison."""

    def key(item: tuple[int, selectors.Series]) -> tuple[int, int, int]:
        index, series = item
        years = [p.year for p in series.years() if p.value is not None]
        return (-max(years, default=0), -len(years), index)

    return [series for _i, series in sorted(enumerate(members), key=key)]


def section_sentence(members: Sequence[selectors.Series]) -> str:
    """The sentence of a section: its first measure with a figure, in the order of
    :func:`lead_order` (a fixed choice, never the most striking one) and, with several counts of
    events, how many changed beyond chance with the multiple-testing caveat."""
    found = [(series, _latest(series)) for series in members]
    lead = next((latest for _series, latest in found if latest is not None), None)
    if lead is None:
        return _("No figures yet.")
    tested = [latest for _series, latest in found if latest is not None and latest.tested]
    if len(tested) < 2:
        return lead.sentence
    beyond = sum(1 for latest in tested if latest.beyond_chance)
    # the verb agrees with the first number ("1 van de 4 aantallen veranderde")
    count = ngettext(
        "%(beyond)d of the %(tested)d counts changed more than chance explains since the alike "
        "earlier period; with this many comparisons about 1 in 20 does so by chance alone.",
        "%(beyond)d of the %(tested)d counts changed more than chance explains since the alike "
        "earlier period; with this many comparisons about 1 in 20 does so by chance alone.",
        beyond,
    ) % {"beyond": beyond, "tested": len(tested)}
    return f"{lead.sentence} {count}"


def _later_parts(series: selectors.Series) -> str:
    """A sentence on figures for parts of a year after the last whole year (shown on the
    measure page, not in the overview's yearly table), or ""."""
    years = [p for p in series.years() if p.value is not None]
    last_year = years[-1].year if years else None
    later = [
        p
        for p in series.points
        if p.kind != periods.PeriodKind.YEAR
        and p.value is not None
        and not p.incomplete
        and (last_year is None or p.year > last_year)
    ]
    if not later:
        return ""
    latest = max(later, key=lambda p: periods.parse(p.period).end)
    if not years:
        return _(
            "%(measure)s has no whole years yet, only figures for parts of a year (latest: "
            "%(period)s); they are on its own page."
        ) % {"measure": series.measure.name, "period": latest.label}
    return _(
        "%(measure)s also has figures for part of a later year (latest: %(period)s); a part of "
        "a year is only compared with the same months of a year before, on its own page."
    ) % {"measure": series.measure.name, "period": latest.label}


def _series_label(series: selectors.Series) -> str:
    """A series named with its source, where two series of one thing stand side by side."""
    tables = ", ".join(dict.fromkeys(t for p in series.points for t in p.tables))
    return _("%(measure)s – %(source)s, table %(tables)s") % {
        "measure": series.measure.name,
        "source": series.measure.get_source_display(),
        "tables": tables or "–",
    }
