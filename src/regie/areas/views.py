from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext_lazy as _

from regie.accounts import navigation
from regie.accounts.permissions import ALL_ROLES, org_view
from regie.areas import selectors
from regie.areas.models import Area, AreaLevel
from regie.core.models import Organisation


@org_view(ALL_ROLES)
def overview(request: HttpRequest, organisation: Organisation) -> HttpResponse:
    """The organisation's start page: what the user's role may do here (a link and a sentence
    each), and the gemeente with its regions, wijken and population."""
    role: str = request.role  # type: ignore[attr-defined]
    area = selectors.area_of_organisation(organisation)
    context: dict[str, object] = {
        "organisation": organisation,
        "area": area,
        "role_summary": navigation.role_summary(role, organisation),
        "start_links": navigation.start_links(request.user, organisation, role),
        "nav": navigation.OVERVIEW,
    }
    if area is not None:
        series = list(selectors.population_series(area))
        context.update(
            {
                "population": series[-1] if series else None,
                "wijk_count": area.children.filter(level=AreaLevel.WIJK, active=True).count(),
                "buurt_count": Area.objects.filter(
                    level=AreaLevel.BUURT, active=True, parent__parent=area
                ).count(),
                "buurtindeling": selectors.newest_buurtindeling(),
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
        {
            "organisation": organisation,
            "area": area,
            "wijken": wijken,
            "buurtindeling": selectors.newest_buurtindeling(),
        },
    )


_INDEX_LEVELS = [
    AreaLevel.NL,
    AreaLevel.PROVINCIE,
    AreaLevel.POLITIE_EENHEID,
    AreaLevel.VEILIGHEIDSREGIO,
    AreaLevel.GEMEENTE,
    AreaLevel.WIJK,
    AreaLevel.BUURT,
]
_STATUSES = [
    (selectors.AREA_STATUS_CURRENT, _("Existing")),
    (selectors.AREA_STATUS_FORMER, _("No longer existing")),
    (selectors.AREA_STATUS_ALL, _("All")),
]
AREAS_PER_PAGE = 100


@login_required
def area_index(request: HttpRequest) -> HttpResponse:
    """Open data: every area from the Netherlands down to buurt, searchable, 100 per page."""
    level = request.GET.get("niveau") or AreaLevel.GEMEENTE
    if level not in _INDEX_LEVELS:
        level = AreaLevel.GEMEENTE
    status = request.GET.get("status") or selectors.AREA_STATUS_CURRENT
    if status not in dict(_STATUSES):
        status = selectors.AREA_STATUS_CURRENT
    search = (request.GET.get("zoek") or "").strip()[:100]
    areas = selectors.areas_by_level(level, search=search, status=status)
    page = Paginator(areas, AREAS_PER_PAGE).get_page(request.GET.get("pagina"))
    levels = [(lv.value, lv.label) for lv in _INDEX_LEVELS]
    query = urlencode({"niveau": level, "status": status, "zoek": search})
    return render(
        request,
        "areas/area_index.html",
        {
            "page": page,
            "areas": page.object_list,
            "level": level,
            "levels": levels,
            "status": status,
            "statuses": _STATUSES,
            "search": search,
            "query": query,
            "buurtindeling": selectors.newest_buurtindeling()
            if level in (AreaLevel.WIJK, AreaLevel.BUURT)
            else None,
        },
    )


@login_required
def area_detail(request: HttpRequest, code: str) -> HttpResponse:
    area = get_object_or_404(
        Area.objects.select_related("parent", "politie_eenheid", "veiligheidsregio"),
        code=code.strip().upper(),
    )
    successors = sorted(area.successors.all(), key=lambda a: a.name)
    return render(
        request,
        "areas/area_detail.html",
        {
            "area": area,
            "ancestors": selectors.ancestors(area),
            "children": selectors.children(area),
            "populations": selectors.population_series(area),
            "successors": successors,
            "predecessors": selectors.predecessors_with_successors(area),
            # for gemeenten the validity says it all (the shipped CBS lists cover some years
            # only, which reads as if the gemeente did not exist in the others)
            "indeling_years": selectors.indeling_years(area)
            if area.level in (AreaLevel.WIJK, AreaLevel.BUURT)
            else [],
            "names_per_year": selectors.names_per_year(area),
        },
    )
