"""Building a report's files (a durable job with its progress page) and downloading them."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from regie.accounts.permissions import EDITOR_ROLES, STAFF_ROLES, org_view
from regie.core.errors import ServiceError
from regie.core.models import Organisation
from regie.reports import forms, services
from regie.reports.models import BuildState
from regie.reports.render import CONTENT_TYPES
from regie.reports.views.common import (
    build_in,
    download_name,
    file_in,
    file_row,
    report_context,
    report_in,
)

#: Seconds between reloads of the progress page in a browser without JavaScript.
REFRESH_SECONDS = 3


@require_POST
@org_view(EDITOR_ROLES)
def build_request(request: HttpRequest, organisation: Organisation, report_id: int) -> HttpResponse:
    report = report_in(organisation, report_id)
    form = forms.BuildForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose PDF, Word or Excel."))
        return redirect("reports:report_detail", org=organisation.slug, report_id=report.pk)
    try:
        build = services.request_build(report, form.cleaned_data["format"], user=request.user)
    except ServiceError as error:
        messages.error(request, str(error))
        return redirect("reports:report_detail", org=organisation.slug, report_id=report.pk)
    return redirect(
        "reports:build_status", org=organisation.slug, report_id=report.pk, build_id=build.pk
    )


@org_view(STAFF_ROLES)
def build_status(
    request: HttpRequest, organisation: Organisation, report_id: int, build_id: int
) -> HttpResponse:
    """The progress of a build and, when it is ready, its file (polled with htmx; without
    JavaScript the page reloads itself)."""
    report = report_in(organisation, report_id)
    build = build_in(report, build_id)
    finished = build.state in (BuildState.DONE, BuildState.FAILED)
    context = {
        **report_context(request, organisation, report),
        "build": build,
        "finished": finished,
        "format_label": build.get_format_display(),
        "stored": file_row(report, build.file) if build.file else None,
        "refresh_seconds": REFRESH_SECONDS,
    }
    fragment = request.headers.get("HX-Request") == "true"
    template = "reports/_build_status.html" if fragment else "reports/build_status.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@org_view(STAFF_ROLES)
def file_download(
    request: HttpRequest, organisation: Organisation, report_id: int, file_id: int
) -> HttpResponse:
    """The stored bytes as built (the report's files are kept, never rebuilt on download)."""
    report = report_in(organisation, report_id)
    stored = file_in(report, file_id)
    response = HttpResponse(
        bytes(stored.content),
        content_type=CONTENT_TYPES.get(stored.format, "application/octet-stream"),
    )
    # The name is made of a slug, the kind and the period: plain ASCII.
    name = download_name(report, stored.format)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response
