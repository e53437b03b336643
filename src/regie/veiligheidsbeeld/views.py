"""The veiligheidsbeeld pages: overview and measure page (waterbed: :mod:`.waterbed_views`).

Thin views: parse the request, ask :mod:`.dashboard` / :mod:`.insight`, render. A
``?download=<chart>&format=csv|xlsx|png|svg`` on a page returns that chart's figures, built by
the same code as the page, so that page and download cannot disagree.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _

from regie import stats
from regie.accounts.permissions import EDITOR_ROLES, STAFF_ROLES, org_view
from regie.areas.models import Area, AreaLevel
from regie.areas.selectors import area_of_organisation
from regie.core import cache, charts, exports
from regie.core.models import Organisation
from regie.monitor import selectors
from regie.veiligheidsbeeld import dashboard


def _gemeente(organisation: Organisation) -> Area:
    area = area_of_organisation(organisation)
    if area is None:
        raise Http404(_("This organisation has no gemeente area."))
    return area


def _area(request: HttpRequest, gemeente: Area) -> Area:
    """``?gebied=`` narrows to a wijk or buurt of the gemeente; anything else is the gemeente."""
    code = (request.GET.get("gebied") or "").strip().upper()[:12]
    if not code or code == gemeente.code:
        return gemeente
    area = Area.objects.filter(code=code).first()
    if area is None or not (
        area.parent_id == gemeente.pk
        or (area.level == AreaLevel.BUURT and area.parent and area.parent.parent_id == gemeente.pk)
    ):
        raise Http404(_("Unknown area for this gemeente."))
    return area


def _download(
    request: HttpRequest, found: dict[str, charts.Chart], stem: str
) -> HttpResponse | None:
    key = request.GET.get("download")
    if not key:
        return None
    chart = found.get(key)
    if chart is None:
        raise Http404(_("Unknown chart."))
    return exports.download_response(chart, request.GET.get("format", "csv"), filename_stem=stem)


#: A chart whose table has more rows than this is not in the overview itself: the page holds its
#: title, note and sources and a link, and the chart with its table comes in its own request
#: (``?figuur=<chart>``; charts.js fetches it when it scrolls near). It keeps the overview small
#: (a national file gives "Other crime types" some 800 rows, two thirds of the page).
DEFER_ROWS = 100


def _download_base(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("download", None)
    query.pop("format", None)
    query.pop("figuur", None)
    encoded = query.urlencode()
    return f"{request.path}?{encoded}&" if encoded else f"{request.path}?"


@org_view(STAFF_ROLES)
def overview(request: HttpRequest, organisation: Organisation) -> HttpResponse:
    version = selectors.data_version()
    gemeente = cache.remember(
        ("gemeente", organisation.pk), lambda: _gemeente(organisation), version=version
    )
    area = _area(request, gemeente)

    def build() -> dashboard.Overview:
        return cache.remember(
            ("overview", organisation.pk, area.pk),
            lambda: dashboard.overview(organisation, area),
            version=version,
        )

    if "download" in request.GET:
        response = _download(request, build().charts(), f"veiligheidsbeeld-{area.code}")
        if response is not None:
            return response
    context: dict[str, object] = {
        "organisation": organisation,
        "area": area,
        "gemeente": gemeente,
        "download_base": _download_base(request),
        "nav": "veiligheidsbeeld",
        # the hint to upload missing figures is for roles that may upload (not a raadpleger)
        "can_upload": getattr(request, "role", None) in EDITOR_ROLES,
        "defer_rows": DEFER_ROWS,
    }
    if "figuur" in request.GET:
        return _figure(request, context, build, (organisation.pk, area.pk, version))

    def sections() -> tuple[list[dashboard.Tile], str]:
        # The sections (charts and their tables) are most of the page and hold nothing per
        # user, so they are kept as HTML; the tiles are rendered with the page.
        page = build()
        html = render_to_string(
            "veiligheidsbeeld/_overview_sections.html", {**context, "page": page}
        )
        return page.tiles, html

    context["tiles"], context["sections_html"] = cache.remember(
        # the HTML holds the upload hint or not: kept per permission, never shared across it
        (
            "overview-html",
            organisation.pk,
            area.pk,
            context["download_base"],
            context["can_upload"],
        ),
        sections,
        version=version,
    )
    return render(request, "veiligheidsbeeld/overview.html", context)


def _figure(
    request: HttpRequest,
    context: dict[str, object],
    build: Callable[[], dashboard.Overview],
    scope: tuple[int, int, str],
) -> HttpResponse:
    """One chart of the overview with its table: the fragment charts.js puts in the page (asked
    with ``X-Regie-Fragment``), or a page of its own (a link followed without JavaScript)."""
    key = request.GET.get("figuur", "")
    chart = build().charts().get(key)
    if chart is None:
        raise Http404(_("Unknown chart."))
    fragment = request.headers.get("X-Regie-Fragment") == "1"
    organisation_pk, area_pk, version = scope
    html = cache.remember(
        (
            "overview-figure",
            organisation_pk,
            area_pk,
            key,
            context["download_base"],
        ),
        lambda: render_to_string(
            "core/_chart.html", {"chart": chart, "download_base": context["download_base"]}
        ),
        version=version,
    )
    if fragment:
        response = HttpResponse(html)
    else:
        response = render(
            request,
            "veiligheidsbeeld/figure.html",
            {**context, "chart_html": html, "title": chart.table.title},
        )
    patch_vary_headers(response, ["X-Regie-Fragment"])  # one address, two answers
    return response


@org_view(STAFF_ROLES)
def measure(request: HttpRequest, organisation: Organisation, code: str) -> HttpResponse:
    version = selectors.data_version()
    gemeente = cache.remember(
        ("gemeente", organisation.pk), lambda: _gemeente(organisation), version=version
    )
    area = _area(request, gemeente)
    found = selectors.visible_measures(organisation).filter(code=code).first()
    if found is None:
        raise Http404(_("Unknown measure."))
    compare = [c for c in request.GET.getlist("vergelijk") if c.strip()][:6]
    try:
        baseline = stats.Baseline(request.GET.get("basis") or stats.Baseline.Y2019)
    except ValueError:
        baseline = stats.Baseline.Y2019
    per_1000 = request.GET.get("weergave") == "per1000"
    exclude_covid = request.GET.get("zonder_covid") == "1"
    options = (per_1000, tuple(compare), baseline, exclude_covid)
    key = ("measure", organisation.pk, area.pk, found.pk, *options)

    def build() -> dashboard.MeasurePage:
        return cache.remember(
            key,
            lambda: dashboard.measure_page(
                organisation,
                area,
                found,
                per_1000=per_1000,
                compare_codes=compare,
                baseline=baseline,
                exclude_covid=exclude_covid,
            ),
            version=version,
        )

    if "download" in request.GET:
        stem = f"{found.code.replace(':', '-')}-{area.code}"
        response = _download(request, build().charts, stem)
        if response is not None:
            return response
    context: dict[str, object] = {
        "organisation": organisation,
        "area": area,
        "gemeente": gemeente,
        "measure": found,
        "download_base": _download_base(request),
        "nav": "veiligheidsbeeld",
    }

    def body() -> str:
        regions = [a for a in (gemeente.politie_eenheid, gemeente.veiligheidsregio) if a]
        return render_to_string(
            "veiligheidsbeeld/_measure_body.html",
            {
                **context,
                "page": build(),
                "compare": compare,
                "regions": regions,
                "nl": Area.objects.filter(level=AreaLevel.NL).first(),
                "baselines": [(b.value, b.value) for b in stats.Baseline],
            },
        )

    # Everything below the breadcrumbs holds nothing per user (its form is a GET form).
    context["body_html"] = cache.remember((*key, context["download_base"]), body, version=version)
    return render(request, "veiligheidsbeeld/measure.html", context)
