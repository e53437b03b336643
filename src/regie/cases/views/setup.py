"""The Meldpunt's beheer pages (beheerders of a gemeente): the category tree with its teams, and
who holds which access grant."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django import forms as django_forms
from django.contrib import messages
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from regie.accounts.models import Membership
from regie.accounts.permissions import ADMIN_ROLES, org_view
from regie.cases import services
from regie.cases.intake_forms import (
    CategoryEditForm,
    GrantsForm,
    MainCategoryForm,
    SubCategoryForm,
    TeamForm,
)
from regie.cases.models import AccessGrant, Category, Grant, Signal, Team
from regie.cases.services import categories as category_services
from regie.core.concurrency import VersionForm
from regie.core.errors import ServiceError
from regie.core.models import Organisation

SETUP_ROLES = ADMIN_ROLES
_T = TypeVar("_T")


def form_write(form: django_forms.Form, write: Callable[[], _T]) -> _T | None:
    """Run a service's ``write``; its refusal becomes a form error (the input is kept)."""
    try:
        return write()
    except ServiceError as error:
        form.add_error(None, str(error))
        return None


def _gemeente(organisation: Organisation) -> None:
    if not organisation.is_gemeente:
        raise Http404(_("Only a gemeente has a Meldpunt Veiligheid."))


def _to_categories(organisation: Organisation) -> HttpResponse:
    return redirect("cases:categories", org=organisation.slug)


# --- the tree ------------------------------------------------------------------------------------


@dataclass
class Row:
    category: Category
    signals: int
    children: list[Row] = field(default_factory=list)


def _tree(organisation: Organisation) -> list[Row]:
    counts = dict(
        Signal.objects.filter(organisation=organisation)
        .values_list("category_id")
        .annotate(n=Count("id"))
        .values_list("category_id", "n")
    )
    rows = Category.objects.filter(organisation=organisation).select_related("team")
    everything = list(rows.order_by("order", "name"))
    mains = [Row(c, counts.get(c.pk, 0)) for c in everything if c.parent_id is None]
    for main in mains:
        main.children = [
            Row(c, counts.get(c.pk, 0)) for c in everything if c.parent_id == main.category.pk
        ]
    return mains


def _add(request: HttpRequest, organisation: Organisation) -> tuple[dict[str, Any], bool]:
    """Bind the form the POST came from and run its service; (the forms, whether it saved)."""
    which = request.POST.get("form", "")
    data = {which: request.POST}
    main = MainCategoryForm(data.get("main"), prefix="main", organisation=organisation)
    sub = SubCategoryForm(data.get("sub"), prefix="sub", organisation=organisation)
    team = TeamForm(data.get("team"), prefix="team")
    forms = {"main_form": main, "sub_form": sub, "team_form": team}
    saved: Any = None
    if which == "main" and main.is_valid():
        saved = form_write(
            main, lambda: category_services.create_category(organisation, **main.cleaned_data)
        )
    elif which == "sub" and sub.is_valid():
        saved = form_write(
            sub, lambda: category_services.create_category(organisation, **sub.cleaned_data)
        )
    elif which == "team" and team.is_valid():
        saved = form_write(
            team, lambda: category_services.create_team(organisation, **team.cleaned_data)
        )
    if saved is not None:
        messages.success(request, _("“%(name)s” has been added.") % {"name": saved.name})
    return forms, saved is not None


@org_view(SETUP_ROLES)
@require_http_methods(["GET", "POST"])
def categories(request: HttpRequest, organisation: Organisation) -> HttpResponse:
    _gemeente(organisation)
    services.ensure_categories(organisation)
    if request.method == "POST":
        forms, saved = _add(request, organisation)
        if saved:
            return _to_categories(organisation)
    else:
        forms = {
            "main_form": MainCategoryForm(prefix="main", organisation=organisation),
            "sub_form": SubCategoryForm(prefix="sub", organisation=organisation),
            "team_form": TeamForm(prefix="team"),
        }
    return render(
        request,
        "cases/setup_categories.html",
        {
            "organisation": organisation,
            "tree": _tree(organisation),
            "teams": list(Team.objects.filter(organisation=organisation)),
            **forms,
        },
    )


# --- one category ------------------------------------------------------------------------------


def _initial(category: Category) -> dict[str, Any]:
    return {
        "name": category.name,
        "parent": category.parent_id,
        "family": category.family,
        "team": category.team_id,
        "is_active": category.is_active,
    }


def _delete(request: HttpRequest, category: Category) -> bool:
    form = VersionForm(request.POST)
    if not form.is_valid():
        return False
    try:
        category_services.delete_category(category, version=form.token)
    except ServiceError as error:
        messages.error(request, str(error))
        return False
    messages.success(request, _("“%(name)s” has been removed.") % {"name": category.name})
    return True


@org_view(SETUP_ROLES)
@require_http_methods(["GET", "POST"])
def category_edit(request: HttpRequest, organisation: Organisation, pk: int) -> HttpResponse:
    _gemeente(organisation)
    category = (
        Category.objects.filter(organisation=organisation, pk=pk).select_related("parent").first()
    )
    if category is None:
        raise Http404(_("There is no such category in this gemeente."))
    if request.method == "POST" and "delete" in request.POST and _delete(request, category):
        return _to_categories(organisation)
    post = request.method == "POST" and "delete" not in request.POST
    form = CategoryEditForm(
        request.POST if post else None, category=category, initial=_initial(category)
    )
    if post and form.is_valid():
        changed = form_write(
            form,
            lambda: category_services.change_category(category, form.change(), version=form.token),
        )
        if changed is not None:
            messages.success(request, _("“%(name)s” has been saved.") % {"name": changed.name})
            return _to_categories(organisation)
    return render(
        request,
        "cases/setup_category_edit.html",
        {
            "organisation": organisation,
            "category": category,
            "form": form,
            "in_use": category_services.in_use(category),
            "has_children": category.children.exists(),
            "delete_form": VersionForm(initial={"edit_token": category.lock_version}),
        },
    )


# --- access grants --------------------------------------------------------------------------------


def _members(organisation: Organisation) -> list[Any]:
    rows = (
        Membership.objects.filter(
            organisation=organisation,
            role__in=sorted(category_services.GRANTABLE_ROLES),
            user__is_active=True,
        )
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "user__username")
    )
    users = []
    for membership in rows:
        user = membership.user
        user.regie_role_label = membership.get_role_display()  # type: ignore[attr-defined]
        users.append(user)
    return users


def _current(organisation: Organisation, members: list[Any]) -> dict[str, list[str]]:
    held: dict[str, list[str]] = {f"user_{u.pk}": [] for u in members}
    for user_id, grant in AccessGrant.objects.filter(organisation=organisation).values_list(
        "user_id", "grant"
    ):
        held.setdefault(f"user_{user_id}", []).append(grant)
    return held


@org_view(SETUP_ROLES)
@require_http_methods(["GET", "POST"])
def grants(request: HttpRequest, organisation: Organisation) -> HttpResponse:
    _gemeente(organisation)
    members = _members(organisation)
    post = request.method == "POST"
    form = GrantsForm(
        request.POST if post else None,
        members=members,
        initial=_current(organisation, members),
    )
    if post and form.is_valid():
        count = form_write(
            form,
            lambda: category_services.save_grants(
                organisation, form.table(), by=request.user, shown=form.shown()
            ),
        )
        if count is not None:
            messages.success(
                request,
                ngettext(
                    "Access has been saved (%(count)s change).",
                    "Access has been saved (%(count)s changes).",
                    count,
                )
                % {"count": count},
            )
            return redirect("cases:grants", org=organisation.slug)
    rows = [(user, form[f"user_{user.pk}"]) for user in members]
    return render(
        request,
        "cases/setup_grants.html",
        {
            "organisation": organisation,
            "form": form,
            "rows": rows,
            "grant_columns": list(Grant.choices),
        },
    )
