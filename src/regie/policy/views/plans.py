"""The pages of a plan: list, create, edit, detail, adopt, new version, differences, export and
import.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from regie.accounts.permissions import EDITOR_ROLES, STAFF_ROLES, org_view
from regie.core.errors import ServiceError
from regie.core.models import Organisation
from regie.core.uploads import upload_limit
from regie.policy import diff, forms, plan_file, presentation, selectors, services, status
from regie.policy.engine import Status
from regie.policy.models import (
    Plan,
)
from regie.policy.views.common import _frozen, _saved, _successor, can_edit, plan_context, plan_in
from regie.stats import periods

# --- plans --------------------------------------------------------------------------------------


@org_view(STAFF_ROLES)
def index(request: HttpRequest, organisation: Organisation) -> HttpResponse:
    plans = list(selectors.plans_of(organisation).select_related("predecessor"))
    return render(
        request,
        "policy/index.html",
        {
            "organisation": organisation,
            "plans": plans,
            "current": plans[0] if plans else None,
            "is_editor": can_edit(request),
            "nav": "beleid",
        },
    )


@org_view(EDITOR_ROLES)
@require_http_methods(["GET", "POST"])
def plan_create(request: HttpRequest, organisation: Organisation) -> HttpResponse:
    year = dt.date.today().year
    form = forms.without_token(
        forms.PlanForm(request.POST or None, initial={"start_year": year, "end_year": year + 3})
    )
    if request.method == "POST" and form.is_valid():
        plan = Plan(organisation=organisation)
        if _saved(form, plan, _plan_fields(form.cleaned_data)):
            messages.success(request, _("The plan has been created as a concept."))
            return redirect("policy:plan_detail", org=organisation.slug, plan_id=plan.pk)
    return render(
        request,
        "policy/plan_form.html",
        {"organisation": organisation, "form": form, "plan": None, "nav": "beleid"},
    )


def _plan_fields(cleaned: dict[str, Any]) -> dict[str, Any]:
    names = ("title", "summary", "start_year", "end_year", "costs_start", "decision_date")
    return {name: cleaned.get(name) for name in names}


@org_view(EDITOR_ROLES)
@require_http_methods(["GET", "POST"])
def plan_edit(request: HttpRequest, organisation: Organisation, plan_id: int) -> HttpResponse:
    plan = plan_in(organisation, plan_id)
    if plan.is_frozen:
        return _frozen(request, plan)
    form = forms.PlanForm(
        request.POST or None,
        initial={name: getattr(plan, name) for name in _plan_fields({})},
    )
    form.set_concurrency_object(plan)
    if (
        request.method == "POST"
        and form.is_valid()
        and _saved(form, plan, _plan_fields(form.cleaned_data))
    ):
        messages.success(request, _("The plan has been saved."))
        return redirect("policy:plan_detail", org=organisation.slug, plan_id=plan.pk)
    return render(
        request,
        "policy/plan_form.html",
        {**plan_context(request, organisation, plan), "form": form},
    )


@org_view(STAFF_ROLES)
def plan_detail(request: HttpRequest, organisation: Organisation, plan_id: int) -> HttpResponse:
    plan = plan_in(organisation, plan_id)
    since = (request.GET.get("sinds") or "").strip()
    since_code: str | None = None
    if since:
        try:
            since_code = periods.parse(since).code
        except ValueError:
            messages.error(
                request,
                _("%(code)s is not a period (examples: 2023, 2023H2); all data is used.")
                % {"code": since[:30]},
            )
    evaluation = status.evaluate_plan(plan, since=since_code)
    return render(
        request,
        "policy/plan_detail.html",
        {
            **plan_context(request, organisation, plan),
            "evaluation": evaluation,
            "counts": _counts(evaluation),
            "since": since_code or "",
            "successor": _successor(plan),
            "targets": {
                pk: presentation.describe_target(found.indicator)
                for pk, found in evaluation.by_indicator.items()
            },
        },
    )


@dataclass(frozen=True)
class StatusCount:
    status: Status
    count: int


def _counts(evaluation: status.PlanEvaluation) -> list[StatusCount]:
    found = [i.status for i in evaluation.by_indicator.values()]
    return [StatusCount(s, found.count(s)) for s in Status]


@org_view(EDITOR_ROLES)
@require_http_methods(["GET", "POST"])
def plan_adopt(request: HttpRequest, organisation: Organisation, plan_id: int) -> HttpResponse:
    plan = plan_in(organisation, plan_id)
    if plan.is_frozen:
        return _frozen(request, plan)
    form = forms.AdoptForm(request.POST or None)
    form.set_concurrency_object(plan)
    if request.method == "POST" and form.is_valid():
        try:
            services.adopt(
                plan=plan, adopted_on=form.cleaned_data["adopted_on"], version=form.token
            )
        except ServiceError as error:  # changed or adopted meanwhile
            form.add_error(None, str(error))
        else:
            adopted = _(
                "The plan is adopted. It can no longer be changed; a change makes a new version."
            )
            messages.success(request, adopted)
            return redirect("policy:plan_detail", org=organisation.slug, plan_id=plan.pk)
    return render(
        request,
        "policy/plan_adopt.html",
        {**plan_context(request, organisation, plan), "form": form},
    )


@org_view(EDITOR_ROLES)
@require_http_methods(["GET", "POST"])
def plan_new_version(
    request: HttpRequest, organisation: Organisation, plan_id: int
) -> HttpResponse:
    plan = plan_in(organisation, plan_id)
    successor = _successor(plan)
    error = ""
    form = forms.VersionForm(request.POST or None)
    form.set_concurrency_object(plan)
    if request.method == "POST":
        try:
            version = form.token if form.is_valid() else ""
            copy = services.new_version(plan=plan, version=version)
        except ServiceError as problem:
            error = str(problem)
            successor = _successor(plan)
            form = forms.VersionForm()
            form.set_concurrency_object(plan_in(organisation, plan.pk))
        else:
            messages.success(
                request,
                _("Version %(version)d has been made as a concept; change it here.")
                % {"version": copy.version},
            )
            return redirect("policy:plan_detail", org=organisation.slug, plan_id=copy.pk)
    return render(
        request,
        "policy/plan_new_version.html",
        {
            **plan_context(request, organisation, plan),
            "successor": successor,
            "error": error,
            "form": form,
        },
    )


_SECTIONS: dict[str, str | Promise] = {
    "plan": gettext_lazy("The plan"),
    "structure": gettext_lazy("Priorities, themes and goals"),
    "indicators": gettext_lazy("Indicators and targets"),
    "scenarios": gettext_lazy("Scenarios"),
    "budget": gettext_lazy("Budget and stated figures"),
}


@org_view(STAFF_ROLES)
def plan_diff(request: HttpRequest, organisation: Organisation, plan_id: int) -> HttpResponse:
    plan = plan_in(organisation, plan_id)
    if plan.predecessor is None:
        raise Http404(_("This plan has no previous version."))
    changes = diff.plan_changes(plan) or []
    sections: dict[str, list[diff.Change]] = {}
    for change in changes:
        sections.setdefault(change.section, []).append(change)
    return render(
        request,
        "policy/plan_diff.html",
        {
            **plan_context(request, organisation, plan),
            "previous": plan.predecessor,
            "changes": changes,
            "sections": [(_SECTIONS.get(key, key), items) for key, items in sections.items()],
        },
    )


@org_view(STAFF_ROLES)
def plan_export(request: HttpRequest, organisation: Organisation, plan_id: int) -> HttpResponse:
    plan = plan_in(organisation, plan_id)
    response = HttpResponse(
        plan_file.export_yaml(plan), content_type="application/yaml; charset=utf-8"
    )
    name = f"ivb-{organisation.cbs_code or organisation.slug}-{plan.start_year}-v{plan.version}"
    response["Content-Disposition"] = f'attachment; filename="{name.lower()}.yaml"'
    return response


@upload_limit(forms.MAX_PLAN_FILE)  # a larger file is stopped while it arrives
@org_view(EDITOR_ROLES)
@require_http_methods(["GET", "POST"])
def plan_import(request: HttpRequest, organisation: Organisation) -> HttpResponse:
    form = forms.ImportForm(request.POST or None, request.FILES or None)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():  # the size is checked before reading
        try:
            plan = services.import_plan(
                text=plan_file.read_text(form.cleaned_data["file"]),
                organisation=organisation,
                user=request.user,
            )
        except plan_file.PlanFileError as error:
            problems = error.problems
        else:
            messages.success(
                request,
                _("The plan file has been read as a new plan: %(plan)s.") % {"plan": plan},
            )
            return redirect("policy:plan_detail", org=organisation.slug, plan_id=plan.pk)
    return render(
        request,
        "policy/plan_import.html",
        {"organisation": organisation, "form": form, "problems": problems, "nav": "beleid"},
    )
