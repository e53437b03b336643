"""The pages of a programme: the list, create, the programme with its goals and actions, edit,
adoption by the college, and starting the next year."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from regie.accounts.permissions import EDITOR_ROLES, STAFF_ROLES, org_view
from regie.core.models import Organisation
from regie.policy import selectors as policy_selectors
from regie.programme import effort, forms, selectors, services
from regie.programme.models import Action, Programme
from regie.programme.views.common import (
    NAV,
    form_write,
    frozen,
    is_editor,
    page_context,
    programme_in,
    programme_overview,
)


@dataclass(frozen=True)
class ProgrammeRow:
    programme: Programme
    actions: int
    effort: effort.EffortSummary


@org_view(STAFF_ROLES)
def index(request: HttpRequest, organisation: Organisation) -> HttpResponse:
    programmes = list(selectors.programmes_of(organisation))
    statuses: dict[int, list[str]] = defaultdict(list)
    for programme_id, status in Action.objects.filter(programme__in=programmes).values_list(
        "programme_id", "status"
    ):
        statuses[programme_id].append(status)
    rows = [
        ProgrammeRow(p, len(statuses[p.pk]), effort.summarise(statuses[p.pk])) for p in programmes
    ]
    return render(
        request,
        "programme/index.html",
        {
            "organisation": organisation,
            "rows": rows,
            "is_editor": is_editor(request),
            "has_plan": policy_selectors.current_plan(organisation) is not None,
            "nav": NAV,
        },
    )


@org_view(EDITOR_ROLES)
@require_http_methods(["GET", "POST"])
def programme_create(request: HttpRequest, organisation: Organisation) -> HttpResponse:
    plans = policy_selectors.plans_of(organisation)
    plan = policy_selectors.current_plan(organisation)
    year = timezone.localdate().year
    initial: dict[str, Any] = {}
    if plan is not None:
        covering = policy_selectors.plan_covering(organisation, year)
        initial = {
            "plan": (covering or plan).pk,
            "period": str(year if covering is not None else plan.start_year),
        }
    form = forms.ProgrammeCreateForm(request.POST or None, initial=initial, plans=plans)
    if request.method == "POST" and form.is_valid():
        cleaned = form.cleaned_data
        programme = form_write(
            form,
            lambda: services.create_programme(
                plan=cleaned["plan"],
                period=cleaned["period"],
                title=cleaned.get("title") or "",
                summary=cleaned.get("summary") or "",
            ),
        )
        if programme is not None:
            messages.success(
                request, _("The programme has been created as a concept. Add its actions.")
            )
            return redirect(
                "programme:programme_detail", org=organisation.slug, programme_id=programme.pk
            )
    return render(
        request,
        "programme/programme_create.html",
        {"organisation": organisation, "form": form, "has_plan": plan is not None, "nav": NAV},
    )


@org_view(STAFF_ROLES)
def programme_detail(
    request: HttpRequest, organisation: Organisation, programme_id: int
) -> HttpResponse:
    programme = programme_in(organisation, programme_id)
    return render(
        request,
        "programme/programme_detail.html",
        {
            **page_context(request, organisation, programme),
            **programme_overview(programme),
            "successors": list(programme.successors.all()),
        },
    )


@org_view(EDITOR_ROLES)
@require_http_methods(["GET", "POST"])
def programme_edit(
    request: HttpRequest, organisation: Organisation, programme_id: int
) -> HttpResponse:
    programme = programme_in(organisation, programme_id)
    if programme.is_frozen:
        return frozen(request, programme)
    form = forms.ProgrammeForm(
        request.POST or None, initial={"title": programme.title, "summary": programme.summary}
    )
    form.set_concurrency_object(programme)
    if request.method == "POST" and form.is_valid():
        saved = form_write(
            form,
            lambda: services.save_programme(
                programme,
                version=form.token,
                title=form.cleaned_data["title"],
                summary=form.cleaned_data.get("summary") or "",
            ),
        )
        if saved is not None:
            messages.success(request, _("The programme has been saved."))
            return redirect(
                "programme:programme_detail", org=organisation.slug, programme_id=programme.pk
            )
    return render(
        request,
        "programme/programme_form.html",
        {**page_context(request, organisation, programme), "form": form},
    )


@org_view(EDITOR_ROLES)
@require_http_methods(["GET", "POST"])
def programme_adopt(
    request: HttpRequest, organisation: Organisation, programme_id: int
) -> HttpResponse:
    programme = programme_in(organisation, programme_id)
    if programme.is_frozen:
        return frozen(request, programme)
    form = forms.AdoptForm(request.POST or None)
    form.set_concurrency_object(programme)
    if request.method == "POST" and form.is_valid():
        adopted = form_write(
            form,
            lambda: services.adopt(
                programme, adopted_on=form.cleaned_data["adopted_on"], version=form.token
            ),
        )
        if adopted is not None:
            messages.success(
                request,
                _(
                    "The programme is adopted. Its actions, goals, planning and budget are now "
                    "fixed; status, spending, results and progress can still be entered."
                ),
            )
            return redirect(
                "programme:programme_detail", org=organisation.slug, programme_id=programme.pk
            )
    return render(
        request,
        "programme/programme_adopt.html",
        {
            **page_context(request, organisation, programme),
            "form": form,
            "action_count": programme.actions.count(),
        },
    )


def _plan_for(organisation: Organisation, programme: Programme, period: str) -> Any:
    """The plan the next programme follows: the newest plan holding its year, else the same."""
    year = period.strip()[:4]
    if year.isdigit():
        covering = policy_selectors.plan_covering(organisation, int(year))
        if covering is not None:
            return covering
    return programme.plan


@org_view(EDITOR_ROLES)
@require_http_methods(["GET", "POST"])
def programme_next(
    request: HttpRequest, organisation: Organisation, programme_id: int
) -> HttpResponse:
    """Start the next year's programme from the open actions of this one."""
    programme = programme_in(organisation, programme_id)
    form = forms.NextForm(request.POST or None, initial={"period": str(programme.year + 1)})
    if request.method == "POST" and form.is_valid():
        period = form.cleaned_data["period"]
        new = form_write(
            form,
            lambda: services.start_next(
                programme,
                period=period,
                title=form.cleaned_data.get("title") or "",
                plan=_plan_for(organisation, programme, period),
            ),
        )
        if new is not None:
            messages.success(
                request,
                _(
                    "The programme %(period)s has been started as a concept with the open "
                    "actions of %(previous)s."
                )
                % {"period": new.period, "previous": programme.period},
            )
            return redirect(
                "programme:programme_detail", org=organisation.slug, programme_id=new.pk
            )
    return render(
        request,
        "programme/programme_next.html",
        {
            **page_context(request, organisation, programme),
            "form": form,
            "open_actions": list(selectors.open_actions(programme)),
        },
    )
