"""URL map of the JSON API, mounted at ``/api/v1/`` (schema: ``docs/api/openapi.yaml``)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.urls import Resolver404, path, register_converter, resolve
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.views import SpectacularAPIView

from regie.areas import api as areas_api
from regie.cases.api import urls as cases_api
from regie.monitor.api import views as monitor_api
from regie.policy.api import views as policy_api
from regie.programme.api import urls as programme_api
from regie.reports.api import views as reports_api
from regie.veiligheidsbeeld.api import views as analysis_api


class MeasureCodeConverter:
    """``politie:1.1.1``, ``cbs:T001161``, ``derived:hic-kern``: a source, a colon, a key."""

    regex = r"[a-z_]+:[^/]+"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


class PeriodCodeConverter:
    """A canonical period code, including twelve-month windows with a slash (2021-03/2022-03)."""

    regex = r"(?:\d{4}-\d{2}/\d{4}-\d{2}|[0-9A-Za-z]+)"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(MeasureCodeConverter, "measure")
register_converter(PeriodCodeConverter, "period")

app_name = "api"


@csrf_exempt
def not_found(request: HttpRequest) -> HttpResponse:
    """Any address under ``/api/`` that no endpoint matches, whatever the method: JSON 404 as the
    endpoints answer it (never the HTML page, never a login redirect). ``regie.urls`` routes
    every such address here. A GET without its trailing slash is sent on, as ``APPEND_SLASH``
    would have done."""
    path_info = request.path_info
    if request.method in ("GET", "HEAD") and not path_info.endswith("/"):
        try:
            match = resolve(path_info + "/")
        except Resolver404:
            match = None
        if match is not None and match.func is not not_found:
            query = request.META.get("QUERY_STRING", "")
            return HttpResponsePermanentRedirect(
                request.path + "/" + (f"?{query}" if query else "")
            )
    return JsonResponse({"detail": _("Not found."), "code": "not_found"}, status=404)


urlpatterns = [
    path("areas/", areas_api.AreaList.as_view(), name="area_list"),
    path("areas/<str:code>/", areas_api.AreaDetail.as_view(), name="area_detail"),
    path("measures/", monitor_api.MeasureList.as_view(), name="measure_list"),
    path("measures/<measure:code>/", monitor_api.MeasureDetail.as_view(), name="measure_detail"),
    path("observations/", monitor_api.ObservationList.as_view(), name="observation_list"),
    path(
        "figures/<str:area>/<measure:measure>/<period:period>/",
        analysis_api.FigureDetail.as_view(),
        name="figure",
    ),
    path(
        "compare/<str:area>/<measure:measure>/<period:first>/<period:second>/",
        analysis_api.ComparisonDetail.as_view(),
        name="compare",
    ),
    path("waterbed/", analysis_api.Waterbed.as_view(), name="waterbed"),
    path("plans/", policy_api.PlanList.as_view(), name="plan_list"),
    path("plans/<int:pk>/", policy_api.PlanDetail.as_view(), name="plan_detail"),
    path("plans/<int:pk>/statuses/", policy_api.PlanStatuses.as_view(), name="plan_statuses"),
    path("goals/<int:pk>/", policy_api.GoalDetail.as_view(), name="goal_detail"),
    path("indicators/<int:pk>/", policy_api.IndicatorDetail.as_view(), name="indicator_detail"),
    path("reports/", reports_api.ReportList.as_view(), name="report_list"),
    path("reports/<int:pk>/", reports_api.ReportDetail.as_view(), name="report_detail"),
    *programme_api.urlpatterns,
    *cases_api.urlpatterns,
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
]
