from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from regie.accounts.permissions import ALL_ROLES, org_view
from regie.areas import selectors
from regie.areas.models import Area, AreaLevel
from regie.core.models import Organisation


@org_view(ALL_ROLES)
def overview(request: HttpRequest, organisation: Organisation) -> HttpResponse:
    """The organisation's start page: the gemeente with its regions, wijken and population."""
    area = selectors.area_of_organisation(organisation)
    context: dict[str, object] = {"organisation": organisation, "area": area}
    if area is not None:
        series = list(selectors.population_series(area))
        context.update(
            {
                "population": series[-1] if series else None,
                "wijk_count": area.children.filter(level=AreaLevel.WIJK).count(),
                "buurt_count": Area.objects.filter(
                    level=AreaLevel.BUURT, parent__parent=area
                ).count(),
            }
        )
    return render(request, "areas/overview.html", context)


@org_view(ALL_ROLES)
def gemeente_areas(request: HttpRequest, organisation: Organisation) -> HttpResponse:
    area = selectors.area_of_organisation(organisation)
    wijken = selectors.wijken_with_buurten(area) if area is not None else []
    return render(
        request,
        "areas/gemeente_areas.html",
        {"organisation": organisation, "area": area, "wijken": wijken},
    )


_INDEX_LEVELS = [
    AreaLevel.NL,
    AreaLevel.PROVINCIE,
    AreaLevel.POLITIE_EENHEID,
    AreaLevel.VEILIGHEIDSREGIO,
    AreaLevel.GEMEENTE,
]


@login_required
def area_index(request: HttpRequest) -> HttpResponse:
    """Open data: every region and gemeente, searchable."""
    level = request.GET.get("niveau") or AreaLevel.GEMEENTE
    if level not in _INDEX_LEVELS:
        level = AreaLevel.GEMEENTE
    search = (request.GET.get("zoek") or "").strip()[:100]
    areas = selectors.areas_by_level(level, search=search)
    levels = [(lv.value, lv.label) for lv in _INDEX_LEVELS]
    return render(
        request,
        "areas/area_index.html",
        {"areas": areas, "level": level, "levels": levels, "search": search},
    )


@login_required
def area_detail(request: HttpRequest, code: str) -> HttpResponse:
    area = get_object_or_404(
        Area.objects.select_related("parent", "politie_eenheid", "veiligheidsregio"),
        code=code.strip().upper(),
    )
    return render(
        request,
        "areas/area_detail.html",
        {
            "area": area,
            "ancestors": selectors.ancestors(area),
            "children": selectors.children(area),
            "populations": selectors.population_series(area),
        },
    )
