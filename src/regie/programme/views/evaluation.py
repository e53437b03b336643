"""The evaluation of a programme: per action its result and lessons, per goal the effort next to
the effect, the budget planned against spent, and the evaluation's own text."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from regie.accounts.permissions import EDITOR_ROLES, STAFF_ROLES, org_view
from regie.core.models import Organisation
from regie.programme import forms, services
from regie.programme.views.common import (
    form_write,
    page_context,
    programme_in,
    programme_overview,
)


@org_view(STAFF_ROLES)
def evaluation(request: HttpRequest, organisation: Organisation, programme_id: int) -> HttpResponse:
    programme = programme_in(organisation, programme_id)
    return render(
        request,
        "programme/evaluation.html",
        {**page_context(request, organisation, programme), **programme_overview(programme)},
    )


@org_view(EDITOR_ROLES)
@require_http_methods(["GET", "POST"])
def evaluation_edit(
    request: HttpRequest, organisation: Organisation, programme_id: int
) -> HttpResponse:
    """The evaluation's text (also for an adopted programme: it is written afterwards)."""
    programme = programme_in(organisation, programme_id)
    form = forms.EvaluationForm(
        request.POST or None,
        initial={
            "summary": programme.evaluation_summary,
            "proposals": programme.evaluation_proposals,
        },
    )
    form.set_concurrency_object(programme)
    if request.method == "POST" and form.is_valid():
        saved = form_write(
            form,
            lambda: services.save_evaluation(
                programme,
                version=form.token,
                summary=form.cleaned_data.get("summary") or "",
                proposals=form.cleaned_data.get("proposals") or "",
            ),
        )
        if saved is not None:
            messages.success(request, _("The evaluation has been saved."))
            return redirect(
                "programme:evaluation", org=organisation.slug, programme_id=programme.pk
            )
    return render(
        request,
        "programme/evaluation_form.html",
        {**page_context(request, organisation, programme), "form": form},
    )
