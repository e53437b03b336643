"""An action's page, create / edit / delete, and its progress notes.

In an adopted programme only what happens during the year can change (status, spending, result,
lessons, progress notes); the edit form then shows only those fields and says why.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from regie.accounts.permissions import EDITOR_ROLES, STAFF_ROLES, org_view
from regie.core.concurrency import StaleEditError, VersionForm, without_token
from regie.core.errors import ServiceError
from regie.core.models import Organisation
from regie.programme import forms, selectors, services
from regie.programme.models import Action, ActionStatus, Programme
from regie.programme.views.common import (
    action_in,
    form_write,
    frozen,
    page_context,
    programme_in,
)


def _to_programme(programme: Programme) -> HttpResponse:
    return redirect(
        "programme:programme_detail", org=programme.organisation.slug, programme_id=programme.pk
    )


def _to_action(programme: Programme, action: Action) -> HttpResponse:
    return redirect(
        "programme:action_detail",
        org=programme.organisation.slug,
        programme_id=programme.pk,
        action_id=action.pk,
    )


@org_view(STAFF_ROLES)
def action_detail(
    request: HttpRequest, organisation: Organisation, programme_id: int, action_id: int
) -> HttpResponse:
    programme = programme_in(organisation, programme_id)
    action = action_in(programme, action_id)
    return render(
        request,
        "programme/action_detail.html",
        {
            **page_context(request, organisation, programme),
            "action": action,
            "notes": list(action.notes.all()),
            "goals": list(action.goals.all()),
            "carried_to": list(action.carried_to.select_related("programme")),
        },
    )


def _initial(action: Action) -> dict[str, Any]:
    names = (
        "title",
        "key",
        "description",
        "owner",
        "partners",
        "start",
        "end",
        "budget",
        "capacity_line",
        "status",
        "spent",
        "result",
        "lessons",
    )
    initial: dict[str, Any] = {name: getattr(action, name) for name in names}
    initial["capacity_line"] = action.capacity_line_id
    initial["goals"] = [g.pk for g in action.goals.all()]
    initial["quarters"] = list(action.quarters or "")
    return initial


def _save(form: forms.ActionForm, programme: Programme, action: Action | None) -> Action | None:
    fields = form.fields_for_service()
    goals = None if form.frozen else list(form.cleaned_data.get("goals") or [])
    if action is None:
        return form_write(form, lambda: services.save_action(programme, goals=goals, **fields))
    return form_write(
        form,
        lambda: services.save_action(
            programme, action=action, version=form.token, goals=goals, **fields
        ),
    )


@org_view(EDITOR_ROLES)
@require_http_methods(["GET", "POST"])
def action_create(
    request: HttpRequest, organisation: Organisation, programme_id: int
) -> HttpResponse:
    programme = programme_in(organisation, programme_id)
    if programme.is_frozen:
        return frozen(request, programme)
    form = forms.ActionForm(
        request.POST or None, plan=programme.plan, initial={"status": ActionStatus.NOT_STARTED}
    )
    without_token(form)
    if request.method == "POST" and form.is_valid():
        action = _save(form, programme, None)
        if action is not None:
            messages.success(request, _("The action has been added."))
            return _to_action(programme, action)
    return render(
        request,
        "programme/action_form.html",
        {**page_context(request, organisation, programme), "form": form, "action": None},
    )


@org_view(EDITOR_ROLES)
@require_http_methods(["GET", "POST"])
def action_edit(
    request: HttpRequest, organisation: Organisation, programme_id: int, action_id: int
) -> HttpResponse:
    programme = programme_in(organisation, programme_id)
    action = action_in(programme, action_id)
    form = forms.ActionForm(
        request.POST or None,
        plan=programme.plan,
        frozen=programme.is_frozen,
        initial=_initial(action),
    )
    form.set_concurrency_object(action)
    if request.method == "POST" and form.is_valid() and _save(form, programme, action):
        messages.success(request, _("The action has been saved."))
        return _to_action(programme, action)
    return render(
        request,
        "programme/action_form.html",
        {**page_context(request, organisation, programme), "form": form, "action": action},
    )


@org_view(EDITOR_ROLES)
@require_http_methods(["GET", "POST"])
def action_delete(
    request: HttpRequest, organisation: Organisation, programme_id: int, action_id: int
) -> HttpResponse:
    """Confirm, then delete: the page carries the action's version, so that a delete of an
    action changed meanwhile (or without the confirmation page) is refused and nothing goes."""
    programme = programme_in(organisation, programme_id)
    action = action_in(programme, action_id)
    if programme.is_frozen:
        return frozen(request, programme)
    error = ""
    if request.method == "POST":
        form = VersionForm(request.POST)
        version = form.token if form.is_valid() else ""
        title = action.title
        try:
            services.delete_action(action, version=version)
        except StaleEditError as stale:
            error = str(stale)
            fresh = selectors.actions_of(programme).filter(pk=action_id).first()
            if fresh is None:  # deleted by someone else meanwhile
                messages.error(request, error)
                return _to_programme(programme)
            action = fresh
        except ServiceError as refused:
            messages.error(request, str(refused))
            return _to_programme(programme)
        else:
            messages.success(
                request,
                _(
                    "The action “%(title)s” has been deleted. The previous state is kept in the "
                    "audit log."
                )
                % {"title": title},
            )
            return _to_programme(programme)
    form = VersionForm()
    form.set_concurrency_object(action)
    return render(
        request,
        "programme/action_delete.html",
        {
            **page_context(request, organisation, programme),
            "action": action,
            "note_count": action.notes.count(),
            "form": form,
            "error": error,
        },
    )


@org_view(EDITOR_ROLES)
@require_http_methods(["GET", "POST"])
def action_progress(
    request: HttpRequest, organisation: Organisation, programme_id: int, action_id: int
) -> HttpResponse:
    """Report on an action at a reporting moment (also in an adopted programme)."""
    programme = programme_in(organisation, programme_id)
    action = action_in(programme, action_id)
    form = forms.ProgressForm(
        request.POST or None,
        initial={"moment": forms.half_year(), "status": action.status, "spent": action.spent},
    )
    form.set_concurrency_object(action)
    if request.method == "POST" and form.is_valid():
        cleaned = form.cleaned_data
        note = form_write(
            form,
            lambda: services.add_progress(
                action,
                version=form.token,
                moment=cleaned["moment"],
                text=cleaned["text"],
                status=cleaned["status"],
                spent=cleaned.get("spent"),
                user=request.user,
            ),
        )
        if note is not None:
            messages.success(request, _("The progress has been recorded."))
            return _to_action(programme, action)
    return render(
        request,
        "programme/action_progress.html",
        {
            **page_context(request, organisation, programme),
            "action": action,
            "notes": list(action.notes.all()),
            "form": form,
        },
    )
