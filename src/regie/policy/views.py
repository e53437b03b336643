"""The Beleid pages: the plan as a tree with statuses, goal and indicator pages, editing.

Thin views: look the plan up within the URL's organisation (and every item within that plan, so
another gemeente's ids are a 404), validate with :mod:`regie.policy.forms`, write through
:mod:`regie.policy.services`, render. Raadplegers read; beheerders and adviseurs edit.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Max, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods, require_POST

from regie.accounts.permissions import EDITOR_ROLES, STAFF_ROLES, org_view
from regie.core.concurrency import ConcurrencyFormMixin, StaleEditError
from regie.core.errors import ServiceError
from regie.core.models import Organisation
from regie.core.uploads import upload_limit
from regie.policy import diff, forms, plan_file, presentation, selectors, services, status
from regie.policy.engine import Status
from regie.policy.models import (
    BudgetLine,
    CapacityLine,
    Goal,
    Indicator,
    Plan,
    Priority,
    Scenario,
    StatedFigure,
    StatusOverride,
    StatusSnapshot,
    Theme,
)
from regie.stats import periods

# --- lookups ------------------------------------------------------------------------------------


def plan_in(organisation: Organisation, plan_id: int) -> Plan:
    """The plan ``plan_id`` of ``organisation``; 404 for another organisation's plan."""
    return get_object_or_404(
        Plan.objects.select_related("organisation", "predecessor"),
        pk=plan_id,
        organisation=organisation,
    )


def can_edit(request: HttpRequest, plan: Plan | None = None) -> bool:
    """May the user change this plan now (an editor role, and the plan is not adopted)?"""
    role = getattr(request, "role", None)
    return role in EDITOR_ROLES and (plan is None or not plan.is_frozen)


def _successor(plan: Plan) -> Plan | None:
    return Plan.objects.filter(predecessor=plan).first()


def plan_context(request: HttpRequest, organisation: Organisation, plan: Plan) -> dict[str, Any]:
    return {
        "organisation": organisation,
        "plan": plan,
        "can_edit": can_edit(request, plan),
        "is_editor": can_edit(request),
        "nav": "beleid",
    }


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


def _frozen(request: HttpRequest, plan: Plan) -> HttpResponse:
    messages.error(
        request,
        _(
            "This plan was adopted by the council and cannot be changed. Make a new version "
            "to change it."
        ),
    )
    return redirect("policy:plan_detail", org=plan.organisation.slug, plan_id=plan.pk)


def _saved(
    form: django_forms.Form,
    obj: Plan | services.PlanItem,
    fields: dict[str, Any],
    m2m: dict[str, Any] | None = None,
) -> bool:
    """Save through the services; a refusal becomes a form error (the input is kept).

    An existing object is saved only at the version the form showed (``form.token``).
    """
    version = form.token if obj.pk is not None and isinstance(form, ConcurrencyFormMixin) else None
    try:
        services.save(obj, version=version, m2m=m2m, **fields)
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            for name, problems in error.error_dict.items():
                target = name if name in form.fields else None
                for problem in problems:
                    form.add_error(target, problem)
        else:
            form.add_error(None, error)
        return False
    except ServiceError as error:
        form.add_error(None, str(error))
        return False
    return True


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


# --- snapshots ----------------------------------------------------------------------------------


def _snapshots(
    request: HttpRequest, organisation: Organisation, plan: Plan, form: forms.SnapshotForm
) -> HttpResponse:
    snapshots = plan.snapshots.select_related("taken_by").order_by("-taken_at", "-pk")
    return render(
        request,
        "policy/snapshot_list.html",
        {**plan_context(request, organisation, plan), "form": form, "snapshots": snapshots},
    )


@org_view(STAFF_ROLES)
def snapshot_list(request: HttpRequest, organisation: Organisation, plan_id: int) -> HttpResponse:
    return _snapshots(request, organisation, plan_in(organisation, plan_id), forms.SnapshotForm())


@require_POST
@org_view(EDITOR_ROLES)
def snapshot_take(request: HttpRequest, organisation: Organisation, plan_id: int) -> HttpResponse:
    plan = plan_in(organisation, plan_id)
    form = forms.SnapshotForm(request.POST)
    if form.is_valid():
        try:
            snapshot = services.take_snapshot(
                plan=plan, label=form.cleaned_data["label"], user=request.user
            )
        except ServiceError as error:
            form.add_error("label", str(error))
        else:
            messages.success(
                request, _("The statuses of %(label)s have been kept.") % {"label": snapshot.label}
            )
            return redirect(
                "policy:snapshot_detail",
                org=organisation.slug,
                plan_id=plan.pk,
                snapshot_id=snapshot.pk,
            )
    return _snapshots(request, organisation, plan, form)


@org_view(STAFF_ROLES)
def snapshot_detail(
    request: HttpRequest, organisation: Organisation, plan_id: int, snapshot_id: int
) -> HttpResponse:
    plan = plan_in(organisation, plan_id)
    snapshot = get_object_or_404(StatusSnapshot, pk=snapshot_id, plan=plan)
    return render(
        request,
        "policy/snapshot_detail.html",
        {**plan_context(request, organisation, plan), "snapshot": snapshot},
    )


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


# --- items: one create / edit / delete for every part of a plan ---------------------------------


@dataclass(frozen=True)
class Kind:
    """A part of a plan as the URL names it (``/beleid/3/thema/12/bewerken/``)."""

    model: type[models.Model]
    form: type[django_forms.Form]
    label: str | Promise
    parent: str | None  # the kind of the parent item; None: the plan itself
    parent_field: str  # the model's foreign key to its parent
    in_plan: str  # lookup from the model to its plan
    title_field: str  # the field a key is made from
    fields: tuple[str, ...]  # the form fields stored on the model as they are
    has_key: bool = True


KINDS: dict[str, Kind] = {
    "prioriteit": Kind(
        Priority,
        forms.PriorityForm,
        gettext_lazy("priority"),
        None,
        "plan",
        "plan",
        "title",
        ("title", "kind", "aim", "description"),
    ),
    "thema": Kind(
        Theme,
        forms.ThemeForm,
        gettext_lazy("theme"),
        "prioriteit",
        "priority",
        "priority__plan",
        "title",
        ("title", "description"),
    ),
    "doel": Kind(
        Goal,
        forms.GoalForm,
        gettext_lazy("goal"),
        "thema",
        "theme",
        "theme__priority__plan",
        "aim",
        ("aim",),
    ),
    "indicator": Kind(
        Indicator,
        forms.IndicatorForm,
        gettext_lazy("indicator"),
        "doel",
        "goal",
        "goal__theme__priority__plan",
        "name",
        (
            "name",
            "measure",
            "area",
            "target_kind",
            "target_value",
            "baseline_period",
            "baseline_value",
            "start_year",
            "start_value",
            "end_year",
            "end_value",
            "decimals",
        ),
    ),
    "scenario": Kind(
        Scenario,
        forms.ScenarioForm,
        gettext_lazy("scenario"),
        "thema",
        "theme",
        "theme__priority__plan",
        "title",
        ("letter", "title", "description"),
        has_key=False,
    ),
    "capaciteit": Kind(
        CapacityLine,
        forms.CapacityLineForm,
        gettext_lazy("capacity line"),
        "scenario",
        "scenario",
        "scenario__theme__priority__plan",
        "label",
        ("label", "fte_extra", "fte_total", "amount", "cap", "note"),
        has_key=False,
    ),
    "budget": Kind(
        BudgetLine,
        forms.BudgetLineForm,
        gettext_lazy("budget line"),
        None,
        "plan",
        "plan",
        "label",
        ("label", "year", "recurring", "amount", "note"),
        has_key=False,
    ),
    "bedrag": Kind(
        StatedFigure,
        forms.StatedFigureForm,
        gettext_lazy("stated figure"),
        None,
        "plan",
        "plan",
        "label",
        ("label", "year", "through_end", "amount", "note"),
        has_key=False,
    ),
}

#: Kinds whose items are shown on the scenario page rather than in the plan tree.
_ON_SCENARIO_PAGE = frozenset({"scenario", "capaciteit", "budget", "bedrag"})


def _kind(slug: str) -> Kind:
    kind = KINDS.get(slug)
    if kind is None:
        raise Http404(_("Unknown kind of item."))
    return kind


def _items(kind: Kind, plan: Plan) -> QuerySet[Any]:
    return kind.model._default_manager.filter(**{kind.in_plan: plan})


def _form(kind: Kind, organisation: Organisation, data: Any, initial: dict[str, Any]) -> Any:
    if kind.form is forms.IndicatorForm:
        return forms.IndicatorForm(data, initial=initial, organisation=organisation)
    return kind.form(data, initial=initial)


def _initial(kind: Kind, obj: Any) -> dict[str, Any]:
    initial = {name: getattr(obj, name) for name in kind.fields}
    for name in ("key", "position"):
        if hasattr(obj, name) and name in kind.form.base_fields:
            initial[name] = getattr(obj, name)
    if "safety_themes" in kind.form.base_fields and obj.pk:
        initial["safety_themes"] = list(obj.safety_themes.all())
    return initial


def _store(
    organisation: Organisation,
    kind: Kind,
    form: Any,
    obj: Any,
    parent: models.Model | Plan,
    siblings: QuerySet[Any],
) -> bool:
    cleaned = form.cleaned_data
    fields = {name: cleaned.get(name) for name in kind.fields}
    if (
        kind.form is forms.IndicatorForm
        and fields["baseline_period"]
        and (fields["baseline_value"] is None)
    ):
        value = status.value_in_data(
            organisation, fields["area"], fields["measure"], fields["baseline_period"]
        )
        if value is None:
            form.add_error(
                "baseline_value",
                _(
                    "There is no figure for %(period)s of this measure and area in the data; "
                    "enter the baseline value."
                )
                % {"period": fields["baseline_period"]},
            )
            return False
        fields["baseline_value"] = value
    if kind.has_key:
        fields["key"] = cleaned.get("key") or services.free_key(
            siblings, str(cleaned.get(kind.title_field) or ""), exclude=obj.pk
        )
    if "position" in form.fields:
        position = cleaned.get("position")
        if position is None:
            position = obj.position if obj.pk else _next_position(siblings)
        fields["position"] = position
    if obj.pk is None:
        fields[kind.parent_field] = parent
    m2m = {"safety_themes": cleaned["safety_themes"]} if "safety_themes" in cleaned else None
    return _saved(form, obj, fields, m2m)


def _next_position(siblings: QuerySet[Any]) -> int:
    highest = siblings.aggregate(highest=Max("position"))["highest"]
    return 0 if highest is None else int(highest) + 1


def _back(organisation: Organisation, plan: Plan, slug: str, obj: Any) -> HttpResponse:
    if slug in _ON_SCENARIO_PAGE:
        return redirect("policy:scenarios", org=organisation.slug, plan_id=plan.pk)
    if slug == "indicator":
        return redirect(
            "policy:indicator_detail", org=organisation.slug, plan_id=plan.pk, indicator_id=obj.pk
        )
    if slug == "doel":
        return redirect(
            "policy:goal_detail", org=organisation.slug, plan_id=plan.pk, goal_id=obj.pk
        )
    response = redirect("policy:plan_detail", org=organisation.slug, plan_id=plan.pk)
    response["Location"] += f"#{slug}-{obj.pk}"
    return response


def _siblings(kind: Kind, parent: models.Model) -> QuerySet[Any]:
    return kind.model._default_manager.filter(**{kind.parent_field: parent})


@org_view(EDITOR_ROLES)
@require_http_methods(["GET", "POST"])
def item_create(
    request: HttpRequest, organisation: Organisation, plan_id: int, kind: str
) -> HttpResponse:
    spec = _kind(kind)
    plan = plan_in(organisation, plan_id)
    if plan.is_frozen:
        return _frozen(request, plan)
    parent: models.Model = plan
    if spec.parent is not None:
        parent_kind = KINDS[spec.parent]
        try:
            parent_id = int(request.GET.get("onder", ""))
        except ValueError as error:
            raise Http404(_("Say under which item the new one goes.")) from error
        parent = get_object_or_404(_items(parent_kind, plan), pk=parent_id)
    obj = spec.model(**{spec.parent_field: parent})
    form = forms.without_token(_form(spec, organisation, request.POST or None, {}))
    if (
        request.method == "POST"
        and form.is_valid()
        and _store(organisation, spec, form, obj, parent, _siblings(spec, parent))
    ):
        messages.success(request, _("The %(kind)s has been added.") % {"kind": spec.label})
        return _back(organisation, plan, kind, obj)
    return render(
        request,
        "policy/item_form.html",
        {
            **plan_context(request, organisation, plan),
            "form": form,
            "kind": spec,
            "slug": kind,
            "obj": None,
            "parent": parent if parent is not plan else None,
        },
    )


@org_view(EDITOR_ROLES)
@require_http_methods(["GET", "POST"])
def item_edit(
    request: HttpRequest, organisation: Organisation, plan_id: int, kind: str, item_id: int
) -> HttpResponse:
    spec = _kind(kind)
    plan = plan_in(organisation, plan_id)
    obj = get_object_or_404(_items(spec, plan), pk=item_id)
    if plan.is_frozen:
        return _frozen(request, plan)
    form = _form(spec, organisation, request.POST or None, _initial(spec, obj))
    form.set_concurrency_object(obj)
    parent = getattr(obj, spec.parent_field)
    if (
        request.method == "POST"
        and form.is_valid()
        and _store(organisation, spec, form, obj, parent, _siblings(spec, parent))
    ):
        messages.success(request, _("The %(kind)s has been saved.") % {"kind": spec.label})
        return _back(organisation, plan, kind, obj)
    return render(
        request,
        "policy/item_form.html",
        {
            **plan_context(request, organisation, plan),
            "form": form,
            "kind": spec,
            "slug": kind,
            "obj": obj,
            "parent": parent if spec.parent else None,
        },
    )


def _consequences(slug: str, obj: Any) -> list[str]:
    """What goes with the item, in words, for the confirmation page."""
    lines: list[str] = []

    def say(text: str, count: int) -> None:
        lines.append(text % {"n": count})

    if slug == "prioriteit":
        n = Theme.objects.filter(priority=obj).count()
        say(ngettext("%(n)d theme", "%(n)d themes", n), n)
        n = Goal.objects.filter(theme__priority=obj).count()
        say(ngettext("%(n)d goal", "%(n)d goals", n), n)
    if slug == "thema":
        n = Goal.objects.filter(theme=obj).count()
        say(ngettext("%(n)d goal", "%(n)d goals", n), n)
        n = Scenario.objects.filter(theme=obj).count()
        say(ngettext("%(n)d scenario", "%(n)d scenarios", n), n)
    if slug in {"prioriteit", "thema", "doel"}:
        lookup = {"prioriteit": "goal__theme__priority", "thema": "goal__theme", "doel": "goal"}
        n = Indicator.objects.filter(**{lookup[slug]: obj}).count()
        say(
            ngettext(
                "%(n)d indicator with its status history",
                "%(n)d indicators with their status history",
                n,
            ),
            n,
        )
    if slug == "indicator":
        n = StatusOverride.objects.filter(indicator=obj).count()
        say(ngettext("%(n)d status override", "%(n)d status overrides", n), n)
    if slug == "scenario":
        n = CapacityLine.objects.filter(scenario=obj).count()
        say(ngettext("%(n)d capacity line", "%(n)d capacity lines", n), n)
    return lines


@org_view(EDITOR_ROLES)
@require_http_methods(["GET", "POST"])
def item_delete(
    request: HttpRequest, organisation: Organisation, plan_id: int, kind: str, item_id: int
) -> HttpResponse:
    """Confirm, then delete: the page carries the item's version, so that a delete of something
    changed meanwhile (or a delete without the confirmation page) is refused and nothing goes."""
    spec = _kind(kind)
    plan = plan_in(organisation, plan_id)
    obj = get_object_or_404(_items(spec, plan), pk=item_id)
    if plan.is_frozen:
        return _frozen(request, plan)
    back = "policy:scenarios" if kind in _ON_SCENARIO_PAGE else "policy:plan_detail"
    error = ""
    if request.method == "POST":
        form = forms.VersionForm(request.POST)
        version = form.token if form.is_valid() else ""
        title = getattr(obj, spec.title_field)
        try:
            services.delete(obj, version=version)
        except StaleEditError as stale:
            error = str(stale)
            fresh = _items(spec, plan).filter(pk=item_id).first()
            if fresh is None:  # deleted by someone else meanwhile
                messages.error(request, error)
                return redirect(back, org=organisation.slug, plan_id=plan.pk)
            obj = fresh  # show what it is now, with its new version
        except ServiceError as refused:
            messages.error(request, str(refused))
            return redirect(back, org=organisation.slug, plan_id=plan.pk)
        else:
            messages.success(
                request,
                _(
                    "The %(kind)s “%(title)s” has been deleted. The previous state is kept in "
                    "the audit log."
                )
                % {"kind": spec.label, "title": title},
            )
            return redirect(back, org=organisation.slug, plan_id=plan.pk)
    form = forms.VersionForm()
    form.set_concurrency_object(obj)
    return render(
        request,
        "policy/item_delete.html",
        {
            **plan_context(request, organisation, plan),
            "kind": spec,
            "slug": kind,
            "obj": obj,
            "title": getattr(obj, spec.title_field),
            "consequences": _consequences(kind, obj),
            "form": form,
            "error": error,
        },
    )
