"""Status snapshots: the statuses of a plan kept per reporting moment."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from regie.accounts.permissions import EDITOR_ROLES, STAFF_ROLES, org_view
from regie.core.errors import ServiceError
from regie.core.models import Organisation
from regie.policy import forms, services
from regie.policy.models import (
    Plan,
    StatusSnapshot,
)
from regie.policy.views.common import plan_context, plan_in

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
