"""The scenario page of a plan: scenarios A/B/C per theme side by side, and the cost calculator.

Thin views: the plan and its scenarios are read within the URL's organisation (another gemeente's
ids are a 404), what the page shows is built by :mod:`regie.policy.scenario_page` (the arithmetic
is :mod:`regie.policy.costs`, the same as ``regie scenario-costs``), the council's choice is
written by :func:`regie.policy.services.choose_scenario`. The calculator is a GET form: choosing
other letters, another start date or no caps changes nothing stored.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from regie.accounts.permissions import EDITOR_ROLES, STAFF_ROLES, org_view
from regie.core.errors import ServiceError
from regie.core.models import Organisation
from regie.policy import scenario_page, services
from regie.policy.models import Plan, Scenario
from regie.policy.views import plan_context, plan_in


def _page(
    request: HttpRequest,
    organisation: Organisation,
    plan: Plan,
    *,
    choose: tuple[Scenario, scenario_page.ChooseForm] | None = None,
) -> HttpResponse:
    page = scenario_page.build(plan, request.GET, choose=choose)
    url = reverse("policy:scenarios", kwargs={"org": organisation.slug, "plan_id": plan.pk})
    return render(
        request,
        "policy/scenarios.html",
        {**plan_context(request, organisation, plan), **page.context(), "page_url": url},
    )


@org_view(STAFF_ROLES)
@require_safe
def scenarios(request: HttpRequest, organisation: Organisation, plan_id: int) -> HttpResponse:
    """Scenarios A/B/C per theme side by side, the calculator, the budget and stated figures."""
    return _page(request, organisation, plan_in(organisation, plan_id))


@require_POST
@org_view(EDITOR_ROLES)
def scenario_choose(
    request: HttpRequest, organisation: Organisation, plan_id: int, scenario_id: int
) -> HttpResponse:
    """Record the council's choice of a scenario for its theme (and the decision date)."""
    plan = plan_in(organisation, plan_id)
    scenario = get_object_or_404(
        Scenario.objects.select_related("theme__priority__plan"),
        pk=scenario_id,
        theme__priority__plan=plan,
    )
    form = scenario_page.choose_form(scenario, request.POST)
    if not form.is_valid():
        return _page(request, organisation, plan, choose=(scenario, form))
    decided_on = form.cleaned_data["decided_on"]
    try:
        services.choose_scenario(
            scenario=scenario, decided_on=decided_on, version=form.cleaned_data["edit_token"]
        )
    except ServiceError as error:  # PlanFrozen: the plan was adopted; or chosen meanwhile
        messages.error(request, str(error))
    else:
        message = scenario_page.choice_message(scenario, decided_on or plan.decision_date)
        messages.success(request, message)
    response = redirect("policy:scenarios", org=organisation.slug, plan_id=plan.pk)
    response["Location"] += f"#thema-{scenario.theme.pk}"
    return response
