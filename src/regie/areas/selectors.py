"""Reads of areas and population that views and other apps use."""

from __future__ import annotations

from django.db.models import OuterRef, QuerySet, Subquery

from regie.areas.models import Area, AreaLevel, Population
from regie.core.models import Organisation


def area_of_organisation(organisation: Organisation) -> Area | None:
    """The CBS area of a gemeente organisation (None for partner organisations)."""
    if not organisation.cbs_code:
        return None
    return (
        Area.objects.select_related("parent", "politie_eenheid", "veiligheidsregio")
        .filter(code=organisation.cbs_code)
        .first()
    )


def with_latest_population(qs: QuerySet[Area]) -> QuerySet[Area]:
    """Annotate ``population_value`` and ``population_year`` (latest year) in one query."""
    latest = Population.objects.filter(area=OuterRef("pk")).order_by("-year")
    return qs.annotate(
        population_value=Subquery(latest.values("value")[:1]),
        population_year=Subquery(latest.values("year")[:1]),
    )


def children(area: Area) -> QuerySet[Area]:
    return with_latest_population(area.children.all()).order_by("code")


def population_series(area: Area) -> QuerySet[Population]:
    return area.populations.order_by("year")


def ancestors(area: Area) -> list[Area]:
    """The chain from NL down to (not including) ``area``."""
    chain: list[Area] = []
    node = area.parent
    while node is not None and len(chain) < 10:
        chain.append(node)
        node = node.parent
    return list(reversed(chain))


def wijken_with_buurten(gemeente: Area) -> list[tuple[Area, list[Area]]]:
    """Every wijk of a gemeente with its buurten, each with its latest population (two queries)."""
    wijken = list(with_latest_population(gemeente.children.filter(level=AreaLevel.WIJK)))
    buurten = with_latest_population(
        Area.objects.filter(level=AreaLevel.BUURT, parent__parent=gemeente)
    ).order_by("code")
    by_wijk: dict[int, list[Area]] = {w.pk: [] for w in wijken}
    for buurt in buurten:
        if buurt.parent_id is not None:
            by_wijk.setdefault(buurt.parent_id, []).append(buurt)
    return [(w, by_wijk.get(w.pk, [])) for w in sorted(wijken, key=lambda a: a.code)]


def areas_by_level(level: str, *, search: str = "") -> QuerySet[Area]:
    qs = Area.objects.filter(level=level)
    if search:
        qs = qs.filter(name__icontains=search) | qs.filter(code__icontains=search)
    return with_latest_population(qs).order_by("name")
