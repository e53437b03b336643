"""The veiligheidsbeeld pages: overview, measure page and the waterbed analysis.

Thin views: parse the request, ask :mod:`regie.monitor.dashboard` / :mod:`insight`, render. A
``?download=<chart>&format=csv|xlsx|png|svg`` on a page returns that chart's figures, built by
the same code as the page, so that page and download cannot disagree.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from regie.accounts.permissions import STAFF_ROLES, org_view
from regie.areas.models import Area, AreaLevel
from regie.areas.selectors import area_of_organisation
from regie.core.models import Organisation
from regie.monitor import analysis, charts, dashboard, exports, insight, selectors
from regie.monitor.forms import WaterbedForm


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


def _download_base(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("download", None)
    query.pop("format", None)
    encoded = query.urlencode()
    return f"{request.path}?{encoded}&" if encoded else f"{request.path}?"


@org_view(STAFF_ROLES)
def overview(request: HttpRequest, organisation: Organisation) -> HttpResponse:
    gemeente = _gemeente(organisation)
    area = _area(request, gemeente)
    page = dashboard.overview(organisation, area)
    response = _download(request, page.charts(), f"veiligheidsbeeld-{area.code}")
    if response is not None:
        return response
    return render(
        request,
        "monitor/beeld/overview.html",
        {
            "organisation": organisation,
            "area": area,
            "gemeente": gemeente,
            "page": page,
            "download_base": _download_base(request),
            "nav": "veiligheidsbeeld",
        },
    )


@org_view(STAFF_ROLES)
def measure(request: HttpRequest, organisation: Organisation, code: str) -> HttpResponse:
    gemeente = _gemeente(organisation)
    area = _area(request, gemeente)
    found = selectors.visible_measures(organisation).filter(code=code).first()
    if found is None:
        raise Http404(_("Unknown measure."))
    compare = [c for c in request.GET.getlist("vergelijk") if c.strip()][:6]
    try:
        baseline = analysis.Baseline(request.GET.get("basis") or analysis.Baseline.Y2019)
    except ValueError:
        baseline = analysis.Baseline.Y2019
    page = dashboard.measure_page(
        organisation,
        area,
        found,
        per_1000=request.GET.get("weergave") == "per1000",
        compare_codes=compare,
        baseline=baseline,
        exclude_covid=request.GET.get("zonder_covid") == "1",
    )
    response = _download(request, page.charts, f"{found.code.replace(':', '-')}-{area.code}")
    if response is not None:
        return response
    regions = [a for a in (gemeente.politie_eenheid, gemeente.veiligheidsregio) if a is not None]
    return render(
        request,
        "monitor/beeld/measure.html",
        {
            "organisation": organisation,
            "area": area,
            "gemeente": gemeente,
            "page": page,
            "measure": found,
            "compare": compare,
            "regions": regions,
            "nl": Area.objects.filter(level=AreaLevel.NL).first(),
            "baselines": [(b.value, b.value) for b in analysis.Baseline],
            "download_base": _download_base(request),
            "nav": "veiligheidsbeeld",
        },
    )


@org_view(STAFF_ROLES)
def waterbed(request: HttpRequest, organisation: Organisation) -> HttpResponse:
    gemeente = _gemeente(organisation)
    measures = [m for m in insight.measures_with_data(organisation, gemeente) if m.unit == "count"]
    form = WaterbedForm(
        request.GET or None,
        measures=[(m.code, f"{m.name} ({m.code})") for m in measures],
        initial={"target": gemeente.code},
    )
    result = None
    error = ""
    if form.is_valid():
        data = form.cleaned_data
        try:
            result = insight.waterbed(
                data["measure"],
                target=data["target"],
                displacement=data["displacement"],
                control_target=data["control"],
                control_displacement=data["control_displacement"] or None,
                before=insight.parse_window(data["before"]),
                after=insight.parse_window(data["after"]),
                organisation=organisation,
            )
        except insight.InsightError as exc:
            error = str(exc)
    return render(
        request,
        "monitor/beeld/waterbed.html",
        {
            "organisation": organisation,
            "gemeente": gemeente,
            "form": form,
            "result": result,
            "error": error,
            "nav": "veiligheidsbeeld",
        },
    )
