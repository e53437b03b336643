"""One create / edit / delete for every part of a plan; writes go through the services."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.db import models
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods

from regie.accounts.permissions import EDITOR_ROLES, org_view
from regie.core.concurrency import StaleEditError
from regie.core.errors import ServiceError
from regie.core.models import Organisation
from regie.policy import forms, services
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
    Theme,
)
from regie.policy.views.common import _frozen, form_write, plan_context, plan_in

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


def _store(kind: Kind, form: Any, obj: Any) -> Any:
    """Add or change ``obj`` through its aggregate's service: the stored item, or None when the
    service refused (the refusal is a form error; the input is kept)."""
    cleaned = form.cleaned_data
    version: str | None = form.token if obj.pk is not None else None
    key = cleaned.get("key") or None
    position = cleaned.get("position")
    if isinstance(obj, Indicator):
        if obj.pk is None:
            return form_write(
                form,
                lambda: services.add_indicator(obj.goal, form.spec(), key=key, position=position),
            )
        return form_write(
            form,
            lambda: services.update_indicator(
                obj, form.spec(), version=form.token, key=key, position=position
            ),
        )
    fields = {name: cleaned.get(name) for name in kind.fields}
    m2m = {"safety_themes": cleaned["safety_themes"]} if "safety_themes" in cleaned else None
    return form_write(
        form,
        lambda: services.store_item(
            obj,
            fields,
            version=version,
            key=key,
            key_text=str(cleaned.get(kind.title_field) or ""),
            position=position,
            m2m=m2m,
        ),
    )


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
    stored = _store(spec, form, obj) if request.method == "POST" and form.is_valid() else None
    if stored is not None:
        messages.success(request, _("The %(kind)s has been added.") % {"kind": spec.label})
        return _back(organisation, plan, kind, stored)
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
    if request.method == "POST" and form.is_valid() and _store(spec, form, obj) is not None:
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
