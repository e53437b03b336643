"""The goal and indicator pages, and a person's judgement over an indicator's status."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from regie.accounts.permissions import EDITOR_ROLES, STAFF_ROLES, org_view
from regie.core.concurrency import StaleEditError
from regie.core.errors import ServiceError
from regie.core.models import Organisation
from regie.policy import forms, presentation, services, status
from regie.policy.engine import Status
from regie.policy.models import (
    Goal,
    Indicator,
    Plan,
    StatusOverride,
)
from regie.policy.views.common import plan_context, plan_in

# --- goals and indicators -----------------------------------------------------------------------


@org_view(STAFF_ROLES)
def goal_detail(
    request: HttpRequest, organisation: Organisation, plan_id: int, goal_id: int
) -> HttpResponse:
    plan = plan_in(organisation, plan_id)
    goal = get_object_or_404(
        Goal.objects.select_related("theme__priority").prefetch_related("safety_themes"),
        pk=goal_id,
        theme__priority__plan=plan,
    )
    goal.theme.priority.plan = plan
    node = status.evaluate_goal(goal)
    return render(
        request,
        "policy/goal_detail.html",
        {
            **plan_context(request, organisation, plan),
            "goal": goal,
            "node": node,
            "targets": {
                i.indicator.pk: presentation.describe_target(i.indicator) for i in node.indicators
            },
        },
    )


def _indicator_in(plan: Plan, indicator_id: int) -> Indicator:
    indicator = get_object_or_404(
        Indicator.objects.select_related("measure", "area", "goal__theme__priority"),
        pk=indicator_id,
        goal__theme__priority__plan=plan,
    )
    indicator.goal.theme.priority.plan = plan
    return indicator


@org_view(STAFF_ROLES)
def indicator_detail(
    request: HttpRequest, organisation: Organisation, plan_id: int, indicator_id: int
) -> HttpResponse:
    plan = plan_in(organisation, plan_id)
    indicator = _indicator_in(plan, indicator_id)
    found = status.evaluate_indicators([indicator])[indicator.pk]
    series = found.series
    if series is None:  # pragma: no cover - evaluate_indicators keeps the series it judged
        raise Http404
    rows = presentation.year_rows(found, series, plan.years)
    sources = sorted({r.source for r in rows if r.source})
    chart = presentation.chart(found, series, rows, sources)
    if request.GET.get("download") == chart.table.key:
        from regie.core import exports

        return exports.download_response(
            chart, request.GET.get("format", "csv"), filename_stem=f"indicator-{indicator.key}"
        )
    history = StatusOverride.objects.filter(indicator=indicator).select_related("created_by")
    latest_part = [m for m in found.measurements if not m.whole_year]
    return render(
        request,
        "policy/indicator_detail.html",
        {
            **plan_context(request, organisation, plan),
            "indicator": indicator,
            "found": found,
            "target": presentation.describe_target(indicator),
            "rows": rows,
            "chart": chart,
            "download_base": f"{request.path}?",
            "history": history.order_by("-created_at", "-pk"),
            "part_years": latest_part,
            "is_trajectory": indicator.target_kind == "trajectory",
        },
    )


@org_view(EDITOR_ROLES)
@require_http_methods(["GET", "POST"])
def indicator_override(
    request: HttpRequest, organisation: Organisation, plan_id: int, indicator_id: int
) -> HttpResponse:
    plan = plan_in(organisation, plan_id)
    indicator = _indicator_in(plan, indicator_id)
    found = status.evaluate_indicators([indicator])[indicator.pk]
    current = found.override.status if found.override else ""
    form = forms.OverrideForm(
        request.POST or None,
        initial={"status": current, "edit_token": services.history_version(indicator)},
    )
    if request.method == "POST" and form.is_valid():
        chosen = form.cleaned_data["status"]
        try:
            services.override_status(
                indicator=indicator,
                status=Status(chosen) if chosen else None,
                reason=form.cleaned_data["reason"],
                user=request.user,
                version=form.cleaned_data["edit_token"],
            )
        except StaleEditError as error:  # someone recorded a status meanwhile
            form.add_error(None, str(error))
        except ServiceError as error:
            form.add_error("reason", str(error))
        else:
            messages.success(request, _("The status has been recorded with its reason."))
            return redirect(
                "policy:indicator_detail",
                org=organisation.slug,
                plan_id=plan.pk,
                indicator_id=indicator.pk,
            )
    return render(
        request,
        "policy/indicator_override.html",
        {
            **plan_context(request, organisation, plan),
            "indicator": indicator,
            "found": found,
            "form": form,
        },
    )
