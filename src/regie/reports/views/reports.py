"""The pages of a report: list, create, the report page (texts, locking, preview, files) and
marking it as sent."""

from __future__ import annotations

from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from regie.accounts.permissions import EDITOR_ROLES, STAFF_ROLES, org_view
from regie.core import cache, formats
from regie.core.errors import ServiceError
from regie.core.models import Organisation
from regie.reports import compose, forms, services
from regie.reports.models import (
    BuildState,
    Report,
    ReportFile,
    ReportFormat,
    ReportKind,
)
from regie.reports.render import render_html
from regie.reports.views.common import (
    NAV,
    file_row,
    is_editor,
    kind_label,
    moment,
    report_context,
    report_in,
)

# --- list and create -----------------------------------------------------------------------------


@org_view(STAFF_ROLES)
def index(request: HttpRequest, organisation: Organisation) -> HttpResponse:
    reports = list(Report.objects.filter(organisation=organisation).order_by("-period", "kind"))
    latest: dict[int, dict[str, ReportFile]] = {}
    stored = (
        ReportFile.objects.filter(report__organisation=organisation)
        .defer("content")
        .order_by("report", "format", "-built_at", "-pk")
    )
    for row in stored:
        latest.setdefault(row.report_id, {}).setdefault(row.format, row)
    rows = [
        {
            "report": report,
            "kind": kind_label(report),
            "period": services.period_label(report.period),
            "sent_on": formats.date(report.sent_on) if report.sent_on else "",
            "locked_at": moment(report.snapshot_taken_at) if report.snapshot else "",
            "files": [file_row(report, f) for f in latest.get(report.pk, {}).values()],
        }
        for report in reports
    ]
    return render(
        request,
        "reports/index.html",
        {
            "organisation": organisation,
            "rows": rows,
            "kinds": _kinds(),
            "is_editor": is_editor(request),
            "nav": NAV,
        },
    )


@org_view(EDITOR_ROLES)
@require_http_methods(["GET", "POST"])
def report_create(request: HttpRequest, organisation: Organisation) -> HttpResponse:
    initial = {"kind": request.GET.get("soort", "")} if request.method == "GET" else None
    form = forms.ReportCreateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            report = services.create_report(
                organisation=organisation,
                kind=form.cleaned_data["kind"],
                period=form.cleaned_data["period"],
                title=form.cleaned_data["title"],
                user=request.user,
            )
        except ServiceError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("The report has been made as a concept. Write its texts and lock the figures."),
            )
            return redirect("reports:report_detail", org=organisation.slug, report_id=report.pk)
    return render(
        request,
        "reports/report_create.html",
        {
            "organisation": organisation,
            "form": form,
            "kinds": _kinds(),
            "nav": NAV,
        },
    )


def _kinds() -> list[dict[str, Any]]:
    """The three kinds of report, each with what it is for (the empty list and the form)."""
    return [
        {
            "label": ReportKind.RAADSINFORMATIEBRIEF.label,
            "period": "2024H1",
            "text": _(
                "Twice a year, for the council: the status of every goal and indicator, the "
                "actions of the uitvoeringsprogramma and the budget, with your explanation."
            ),
        },
        {
            "label": ReportKind.EVALUATIE.label,
            "period": "2024",
            "text": _(
                "Once a year: what came of the programme (effort) and whether the figures moved "
                "(effect), the budget planned and spent, and proposals for the next programme."
            ),
        },
        {
            "label": ReportKind.BRIEFING.label,
            "period": "2024-10",
            "text": _(
                "One or two pages for the driehoek (burgemeester, politie, OM) or the DVO: the "
                "latest months against the same months last year and the statuses that changed."
            ),
        },
    ]


# --- the report page -----------------------------------------------------------------------------


def _preview(report: Report) -> SafeString | None:
    """The document as the files show it, from the locked snapshot only."""
    if not report.snapshot:
        return None
    # The document changes only with the report (its version): drawing every chart again on
    # each visit would hold a worker for seconds. Keyed by report, version and language.
    html = cache.remember(
        ("report-preview", report.pk),
        lambda: render_html(compose.document(report), heading_offset=2),  # under the page's h2
        version=str(report.lock_version),
    )
    return mark_safe(html)  # noqa: S308 - rendered by a template with autoescaping


def _detail(
    request: HttpRequest,
    organisation: Organisation,
    report: Report,
    texts_form: forms.TextsForm | None = None,
    status: int = 200,
) -> HttpResponse:
    context = report_context(request, organisation, report)
    if context["can_edit"]:
        context["texts_form"] = texts_form or forms.TextsForm(report=report)
        context["lock_form"] = forms.VersionForm(report=report)
    context.update(
        {
            "preview": _preview(report),
            "files": [file_row(report, f) for f in services.latest_files(report).values()],
            "formats": ReportFormat.choices,
            "running": list(
                report.builds.filter(state__in=[BuildState.QUEUED, BuildState.RUNNING]).order_by(
                    "created_at"
                )
            ),
            "text_blocks": _text_blocks(report),
        }
    )
    return render(request, "reports/report_detail.html", context, status=status)


def _text_blocks(report: Report) -> list[dict[str, str]]:
    """The texts as written, for readers (and a sent report)."""
    texts = report.texts or {}
    return [
        {"label": str(label), "text": texts.get(key, "")}
        for key, label, _help in services.TEXT_BLOCKS[report.kind]
    ]


@org_view(STAFF_ROLES)
def report_detail(request: HttpRequest, organisation: Organisation, report_id: int) -> HttpResponse:
    return _detail(request, organisation, report_in(organisation, report_id))


def _refused(request: HttpRequest, report: Report, message: str) -> HttpResponse:
    messages.error(request, message)
    return redirect("reports:report_detail", org=report.organisation.slug, report_id=report.pk)


def _sent_message(report: Report) -> str:
    return _("This report was sent on %(date)s and cannot be changed.") % {
        "date": formats.date(report.sent_on)
    }


def _form_error(form: django_forms.Form, error: ServiceError) -> None:
    form.add_error(None, str(error))


@require_POST
@org_view(EDITOR_ROLES)
def report_texts(request: HttpRequest, organisation: Organisation, report_id: int) -> HttpResponse:
    report = report_in(organisation, report_id)
    if report.is_frozen:
        return _refused(request, report, _sent_message(report))
    form = forms.TextsForm(request.POST, report=report)
    if form.is_valid():
        try:
            services.save_texts(report, version=form.token, texts=form.texts())
        except ServiceError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("The texts have been saved."))
            return redirect("reports:report_detail", org=organisation.slug, report_id=report.pk)
    report.refresh_from_db()
    return _detail(request, organisation, report, texts_form=form)


@require_POST
@org_view(EDITOR_ROLES)
def report_lock(request: HttpRequest, organisation: Organisation, report_id: int) -> HttpResponse:
    report = report_in(organisation, report_id)
    if report.is_frozen:
        return _refused(request, report, _sent_message(report))
    again = bool(report.snapshot)
    form = forms.VersionForm(request.POST, report=report)
    try:
        if not form.is_valid():
            raise ServiceError(" ".join(str(e) for e in form.non_field_errors()))
        services.lock(report, version=form.token, user=request.user)
    except ServiceError as error:
        return _refused(request, report, str(error))
    if again:
        done = _("The figures have been locked again; the report now shows the figures of now.")
    else:
        done = _("The figures have been locked; the report shows the figures of this moment.")
    messages.success(request, done)
    return redirect("reports:report_detail", org=organisation.slug, report_id=report.pk)


@org_view(EDITOR_ROLES)
@require_http_methods(["GET", "POST"])
def report_send(request: HttpRequest, organisation: Organisation, report_id: int) -> HttpResponse:
    report = report_in(organisation, report_id)
    if report.is_frozen:
        return _refused(request, report, _sent_message(report))
    form = forms.SendForm(request.POST or None, report=report)
    if request.method == "POST" and form.is_valid():
        try:
            services.mark_sent(
                report, version=form.token, sent_on=form.cleaned_data["sent_on"], user=request.user
            )
        except ServiceError as error:
            _form_error(form, error)
        else:
            messages.success(
                request,
                _(
                    "The report is marked as sent on %(date)s. It can no longer be changed; "
                    "files built from now on are marked as sent."
                )
                % {"date": formats.date(report.sent_on)},
            )
            return redirect("reports:report_detail", org=organisation.slug, report_id=report.pk)
    return render(
        request,
        "reports/report_send.html",
        {**report_context(request, organisation, report), "form": form},
    )
