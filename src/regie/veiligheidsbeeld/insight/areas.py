"""The areas a gemeente is compared with, why a region has no summed figure, and which measures
have figures for an area.

A region without a published figure gets the sum of its gemeenten only when every gemeente of
the region has a figure (:func:`regie.monitor.selectors.region_years`); :func:`region_gap` says
why it has none.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import Q

from regie.areas.models import Area, AreaLevel, Population
from regie.core.models import Organisation
from regie.monitor import selectors
from regie.monitor.models import Measure, summed_over_gemeenten
from regie.monitor.selectors.areas import members, populations
from regie.monitor.selectors.series import load_series

#: How many gemeenten of similar population a gemeente is compared with.
PEERS = 5


def comparison_areas(gemeente: Area, peer_codes: Sequence[str] | None = None) -> list[Area]:
    """Politie-eenheid, veiligheidsregio, NL and five gemeenten of similar population."""
    regions = [a for a in (gemeente.politie_eenheid, gemeente.veiligheidsregio) if a is not None]
    nl = Area.objects.filter(level=AreaLevel.NL).first()
    if nl is not None:
        regions.append(nl)
    return regions + peers(gemeente, peer_codes)


def peers(gemeente: Area, codes: Sequence[str] | None = None) -> list[Area]:
    """``codes`` when given (unknown ones ignored), else the five nearest in population."""
    qs = Area.objects.filter(level=AreaLevel.GEMEENTE, active=True).exclude(pk=gemeente.pk)
    if codes:
        by_code = {a.code: a for a in qs.filter(code__in=[c.strip().upper() for c in codes])}
        return [by_code[c.strip().upper()] for c in codes if c.strip().upper() in by_code]
    latest = Population.objects.filter(area=gemeente).order_by("-year").first()
    if latest is None:
        return []
    sizes = dict(
        Population.objects.filter(area__in=qs, year=latest.year).values_list("area_id", "value")
    )
    nearest = sorted(sizes, key=lambda pk: (abs(sizes[pk] - latest.value), pk))[:PEERS]
    found = Area.objects.in_bulk(nearest)
    return [found[pk] for pk in nearest if pk in found]


def region_gap(organisation: Organisation | None, region: Area, measure: Measure, year: int) -> str:
    """Why :func:`region_years` gives ``region`` no figure for ``year`` (it has none published):

    ``"no_figures"`` none of its gemeenten has one (or regions are not summed for the measure);
    ``"region_population"`` the region's population on 1 January is not known;
    ``"gemeente_population"`` a gemeente with a figure has no population that year;
    ``"missing_gemeenten"`` not every gemeente has a figure; ``""`` the sum exists."""
    gemeenten = members(region, former=True) if summed_over_gemeenten(measure) else []
    if not gemeenten:
        return "no_figures"
    loaded = load_series(organisation, gemeenten, [measure], years=[year])
    with_figure = [
        g
        for g in gemeenten
        if any(p.year == year and p.value is not None for p in loaded[(g.pk, measure.pk)].years())
    ]
    if not with_figure:
        return "no_figures"
    people = populations([region, *with_figure], [year])
    total = people.get((region.pk, year))
    if not total:
        return "region_population"
    if any((g.pk, year) not in people for g in with_figure):
        return "gemeente_population"
    if sum(people[(g.pk, year)] for g in with_figure) != total:
        return "missing_gemeenten"
    return ""


def measures_with_data(organisation: Organisation | None, area: Area) -> list[Measure]:
    """Measures that have at least one figure for ``area`` (derived ones whose parts do)."""
    ids = set(
        selectors.visible_observations(organisation)
        .filter(area=area)
        .values_list("measure_id", flat=True)
        .distinct()
    )
    measures = list(
        selectors.pickable_measures(organisation)
        .filter(Q(pk__in=ids) | Q(source="derived"))
        .order_by("source", "sort_order", "code")
    )
    terms = selectors.derived_terms(measures)
    derived_ok = {pk for pk, parts in terms.items() if parts and {c.pk for c, _w in parts} <= ids}
    return [m for m in measures if not m.is_derived or m.pk in derived_ok]
