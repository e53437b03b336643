"""Handhaving en capaciteit: meldingen openbare ruimte per category against the formation of the
chosen scenario, per published period (the same table the evaluation report shows)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from regie.accounts.permissions import STAFF_ROLES, org_view
from regie.core import exports
from regie.core.charts import Chart
from regie.core.models import Organisation
from regie.policy import selectors as policy_selectors
from regie.programme import selectors
from regie.programme.views.common import NAV


@org_view(STAFF_ROLES)
def capacity(request: HttpRequest, organisation: Organisation) -> HttpResponse:
    plan = policy_selectors.current_plan(organisation)
    overview = selectors.capacity_overview(plan, until=timezone.localdate().year) if plan else None
    chart = Chart(table=selectors.capacity_table(overview), spec=None) if overview else None
    if chart is not None and request.GET.get("download") == chart.table.key:
        fmt = request.GET.get("format", "csv")
        return exports.download_response(
            chart, fmt, filename_stem=f"{organisation.slug}-handhaving-en-capaciteit"
        )
    return render(
        request,
        "programme/capacity.html",
        {
            "organisation": organisation,
            "plan": plan,
            "overview": overview,
            "chart": chart,
            "download_base": f"{request.path}?",
            "nav": NAV,
        },
    )
