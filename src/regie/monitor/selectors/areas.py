"""Years of areas that are sums of others: a region from its gemeenten, a gemeente from the
former gemeenten it merged from.

The one home of the roll-up rules: a region without a published figure gets the sum of its
gemeenten only when every gemeente of the region has a figure, and says so; a merged gemeente's
years before the merger are the sum of its predecessors; a sum is never counted twice.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import json
from collections import defaultdict
from collections.abc import Collection, Hashable, Iterable, Iterator, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, replace
from typing import Any

from django.db.models import CharField, F, FloatField, IntegerField, Value
from django.db.models.functions import Cast, ExtractYear
from django.utils.translation import gettext as _

from regie.areas.models import Area, AreaLevel, Population
from regie.core.models import Organisation
from regie.monitor import catalogue
from regie.monitor.models import Measure, MeasureKind, summed_over_gemeenten
from regie.monitor.selectors import figures as selectors
from regie.monitor.selectors.series import Point, Series, combine_points, load_series
from regie.stats import periods


@dataclass(frozen=True)
class PopulationFigure:
    """Inhabitants on 1 January of a year, and where that number came from."""

    value: int
    source: str  # "import" (a cbs:bevolking figure a user imported) or "reference"
    description: str


def population_figures(
    areas: Iterable[Area], years: Iterable[int], *, organisation: Organisation | None = None
) -> dict[tuple[int, int], PopulationFigure]:
    """Inhabitants on 1 January per (area id, year): an imported ``cbs:bevolking`` figure (its
    newest vintage; a gemeente's own import first) before the population shipped with the areas.
    One query (the shipped and the imported numbers as one union)."""
    area_ids = [a.pk for a in areas]
    wanted = sorted(set(years))
    result: dict[tuple[int, int], PopulationFigure] = {}
    if not wanted or not area_ids:
        return result
    shipped = (
        Population.objects.filter(area__in=area_ids, year__in=wanted)
        .annotate(
            a_=F("area_id"),
            y_=F("year"),
            v_=Cast("value", FloatField()),
            s_=Value(0, output_field=IntegerField()),
            o_=Value(None, output_field=IntegerField()),
            t_=Value("", output_field=CharField()),
            b_=Value(0, output_field=IntegerField()),
        )
        .order_by()
        .values_list("a_", "y_", "v_", "s_", "o_", "t_", "b_")
    )
    imported = (
        selectors.visible_observations(organisation)
        .filter(
            measure__code=catalogue.POPULATION_MEASURE,
            area__in=area_ids,
            period_kind=periods.PeriodKind.YEAR,
            period_start__gte=dt.date(wanted[0], 1, 1),
            period_start__lte=dt.date(wanted[-1], 12, 31),
            value__isnull=False,
        )
        .annotate(
            a_=F("area_id"),
            y_=ExtractYear("period_start"),
            v_=F("value"),
            s_=Value(1, output_field=IntegerField()),
            o_=F("owner_id"),
            t_=F("batch__dataset__table"),
            b_=F("batch_id"),
        )
        .order_by()
        .values_list("a_", "y_", "v_", "s_", "o_", "t_", "b_")
    )
    rows = list(shipped.union(imported, all=True))
    for area_id, year, value, imported_, _owner, _table, _batch in rows:
        if not imported_ and value is not None:
            result[(area_id, year)] = PopulationFigure(
                round(value),
                "reference",
                _("population on 1 January from the shipped area data (CBS)"),
            )
    own: set[tuple[int, int]] = set()
    # A gemeente's own import first, then open data; each series holds its newest vintage.
    for area_id, year, value, _imported, owner, table, batch in sorted(
        (r for r in rows if r[3]), key=lambda r: r[4] is None
    ):
        key = (area_id, year)
        if year not in wanted or key in own or value is None or value <= 0:
            continue
        if owner is not None:
            own.add(key)
        elif key in result and result[key].source == "import":
            continue
        result[key] = PopulationFigure(
            round(value),
            "import",
            _(
                "population on 1 January from an imported figure "
                "(%(measure)s, %(table)s, import %(batch)s)"
            )
            % {"measure": catalogue.POPULATION_MEASURE, "table": table, "batch": batch},
        )
    return result


def populations(
    areas: Iterable[Area], years: Iterable[int], *, organisation: Organisation | None = None
) -> dict[tuple[int, int], int]:
    """Inhabitants on 1 January per (area id, year) (:func:`population_figures`)."""
    return {
        key: found.value
        for key, found in population_figures(areas, years, organisation=organisation).items()
    }


def members(region: Area, *, former: bool = False) -> list[Area]:
    """The gemeenten of a region (politie-eenheid, veiligheidsregio, provincie, NL); with
    ``former`` also gemeenten that have since merged (they hold the figures of earlier years)."""
    qs = Area.objects.filter(level=AreaLevel.GEMEENTE)
    if not former:
        qs = qs.filter(active=True)
    if region.level == AreaLevel.POLITIE_EENHEID:
        qs = qs.filter(politie_eenheid=region)
    elif region.level == AreaLevel.VEILIGHEIDSREGIO:
        qs = qs.filter(veiligheidsregio=region)
    elif region.level == AreaLevel.PROVINCIE:
        qs = qs.filter(parent=region)
    elif region.level != AreaLevel.NL:
        return []
    return list(qs.order_by("code"))


#: Sums of regions already worked out inside :func:`reusing_sums` (None: outside it).
_SUMS: ContextVar[dict[tuple[Hashable, ...], list[Point]] | None] = ContextVar(
    "regie_region_sums", default=None
)


@contextlib.contextmanager
def reusing_sums() -> Iterator[None]:
    """Inside the block a region's years for the same measure, years and figures are worked out
    once: a page asks for the same sum of hundreds of gemeenten in a tile and in a comparison."""
    if _SUMS.get() is not None:
        yield
        return
    token = _SUMS.set({})
    try:
        yield
    finally:
        _SUMS.reset(token)


def region_years(
    organisation: Organisation | None,
    region: Area,
    measure: Measure,
    series: Series,
    *,
    years: Collection[int] | None = None,
) -> list[Point]:
    """Whole years of ``region``: published, or else the sum of its gemeenten when complete.

    ``years`` limits the answer (and the figures read) to those years.

    Complete means: the gemeenten with a figure for that year together have exactly the
    region's population on 1 January (so a gemeente formed by a later merger is covered by the
    gemeenten it was formed from, and a missing gemeente makes the year incomplete).
    """
    done = _SUMS.get()
    if done is None:
        return _region_years(organisation, region, measure, series, years=years)
    key = (
        None if organisation is None else organisation.pk,
        region.pk,
        measure.pk,
        None if years is None else tuple(sorted(set(years))),
        tuple(series.points),
    )
    if key not in done:
        done[key] = _region_years(organisation, region, measure, series, years=years)
    return list(done[key])


def _region_years(
    organisation: Organisation | None,
    region: Area,
    measure: Measure,
    series: Series,
    *,
    years: Collection[int] | None = None,
) -> list[Point]:
    published = {p.year: p for p in series.years() if years is None or p.year in years}
    gemeenten = members(region, former=True) if summed_over_gemeenten(measure) else []
    if not gemeenten:
        return [published[y] for y in sorted(published)]
    wanted = None if years is None else [y for y in years if y not in published]
    if wanted == []:
        return [published[y] for y in sorted(published)]
    loaded = load_series(organisation, gemeenten, [measure], years=wanted)
    per_year: dict[int, list[tuple[Area, Point]]] = defaultdict(list)
    for gemeente in gemeenten:
        for point in loaded[(gemeente.pk, measure.pk)].years():
            if point.value is not None and (wanted is None or point.year in wanted):
                per_year[point.year].append((gemeente, point))
    years = [y for y in per_year if y not in published]
    people = populations([region, *gemeenten], years)
    for year in years:
        items = per_year[year]
        total = people.get((region.pk, year))
        covered = sum(people.get((g.pk, year), 0) for g, _p in items)
        if not total or covered != total:
            continue
        published[year] = sum_of_parts(
            year,
            items,
            computed=_(
                "sum of its %(count)d gemeenten, not published as such; crimes of an unknown "
                "gemeente are not in it"
            )
            % {"count": len(items)},
        )
    return [published[y] for y in sorted(published)]


def sum_of_parts(
    year: int, items: Sequence[tuple[Area, Point]], *, computed: str, marked: bool = False
) -> Point:
    """The one rule for a year of an area that was not published for it: the sum of the whole
    areas it consists of (a region: its gemeenten; a merged gemeente: the former gemeenten it was
    formed from), marked ``computed``. Callers check first that the parts are complete."""
    point = combine_points(
        [str(year)], [p for _a, p in items], computed=computed, kind=periods.PeriodKind.YEAR
    )
    if marked:
        point = replace(point, predecessors=tuple(a.code for a, _p in items))
    return point


def area_years(
    organisation: Organisation | None,
    area: Area,
    measure: Measure,
    series: Series,
    *,
    years: Collection[int] | None = None,
) -> list[Point]:
    """Whole years of any area: a region's (:func:`region_years`), or a gemeente's with the years
    before a merger as the sum of its former gemeenten (:func:`predecessor_years`)."""
    if area.level == AreaLevel.GEMEENTE:
        return predecessor_years(organisation, area, measure, series, years=years)
    if area.level in (
        AreaLevel.NL,
        AreaLevel.PROVINCIE,
        AreaLevel.POLITIE_EENHEID,
        AreaLevel.VEILIGHEIDSREGIO,
    ):
        return region_years(organisation, area, measure, series, years=years)
    return [p for p in series.years() if years is None or p.year in years]


def predecessor_years(
    organisation: Organisation | None,
    gemeente: Area,
    measure: Measure,
    series: Series,
    *,
    years: Collection[int] | None = None,
) -> list[Point]:
    """Whole years of ``gemeente``; a year it has no figure for and that lies before a whole
    merger (n → 1) is the sum of the former gemeenten that existed that whole year, marked with
    their codes — only when every one of them has a figure, and never across a split (a year in
    which part of the gemeente belonged to a gemeente that was divided over several)."""
    from regie.areas.selectors import merged_predecessors

    published = {p.year: p for p in series.years() if years is None or p.year in years}
    if measure.organisation_id is not None or measure.kind not in (
        MeasureKind.EVENT_COUNT,
        MeasureKind.STOCK,
        MeasureKind.AMOUNT,
    ):
        # Own measures belong to today's gemeente; percentages and grades do not add up.
        return [published[y] for y in sorted(published)]
    whole = merged_predecessors(gemeente)
    if not whole:
        return [published[y] for y in sorted(published)]
    former = {a.code: a for a in Area.objects.filter(code__in=[p.code for p in whole])}
    split_until = _split_until(gemeente, list(former.values()))
    loaded = load_series(organisation, list(former.values()), [measure], years=years)
    by_year: dict[int, dict[str, Point]] = defaultdict(dict)
    for area in former.values():
        for point in loaded[(area.pk, measure.pk)].years():
            by_year[point.year][area.code] = point
    first = min(by_year, default=None)
    last = max((p.valid_to.year for p in whole), default=None)
    if first is None or last is None:
        return [published[y] for y in sorted(published)]
    for year in range(first, last):
        if year in published or (years is not None and year not in years):
            continue
        if split_until is not None and year < split_until:
            continue
        start, end = dt.date(year, 1, 1), dt.date(year + 1, 1, 1)
        existing = [
            a
            for a in former.values()
            if (a.valid_from is None or a.valid_from <= start)
            and a.valid_to is not None
            and a.valid_to >= end
        ]
        if gemeente.valid_from is not None and gemeente.valid_from <= start:
            continue  # the gemeente existed that year; its own figure is missing, not summed
        if not existing or any(
            a.code not in by_year[year] or by_year[year][a.code].value is None for a in existing
        ):
            continue
        codes = sorted(a.code for a in existing)
        published[year] = sum_of_parts(
            year,
            [(a, by_year[year][a.code]) for a in sorted(existing, key=lambda a: a.code)],
            computed=_("sum of the former gemeenten %(codes)s, not published for %(area)s")
            % {"codes": ", ".join(codes), "area": gemeente.code},
            marked=True,
        )
    return [published[y] for y in sorted(published)]


def _split_until(gemeente: Area, former: Sequence[Area]) -> int | None:
    """The year from which no part of ``gemeente`` (or of its former gemeenten) came from a
    gemeente divided over several successors; None when there is no such split."""
    through = Area.successors.through
    receivers = [gemeente.pk, *[a.pk for a in former]]
    givers = set(
        through.objects.filter(to_area_id__in=receivers).values_list("from_area_id", flat=True)
    )
    if not givers:
        return None
    counts: dict[int, int] = defaultdict(int)
    for from_id in through.objects.filter(from_area_id__in=givers).values_list(
        "from_area_id", flat=True
    ):
        counts[from_id] += 1
    split = [pk for pk, n in counts.items() if n > 1]
    if not split:
        return None
    ends = Area.objects.filter(pk__in=split, valid_to__isnull=False).values_list(
        "valid_to", flat=True
    )
    return max(
        (d.year if (d.month, d.day) == (1, 1) else d.year + 1 for d in ends if d is not None),
        default=None,
    )


# --- Comparing two periods --------------------------------------------------------------------


@functools.cache
def gemeente_boundaries() -> dict[str, Any]:
    """The shipped gemeente boundaries (CBS 2022, see PROVENANCE.md)."""
    path = catalogue.DATA / "cbs" / "gemeenten_2022_83648NED_2022.geojson"
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data
