"""The privacy officer's pages of an organisation (``/<org>/privacy/…``).

Only the role *privacy officer* (functionaris gegevensbescherming) reaches them: the read log
with its CSV export, the register of processing activities, the retention rules with the runs
and tombstones, and the inzage (AVG art. 15) of one person in this gemeente.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import Any, cast

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from regie.accounts.models import Role
from regie.accounts.permissions import org_view
from regie.core.errors import ServiceError
from regie.core.models import AuditAction, Organisation
from regie.core.services import record_event
from regie.privacy import forms, inzage_document, selectors
from regie.privacy import services as privacy
from regie.privacy.models import ReadLogEntry, Surface

PRIVACY_ROLES = (Role.PRIVACY_OFFICER,)
READ_LOG_PAGE_SIZE = 100
TOMBSTONES_PAGE_SIZE = 50
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _filters(
    request: HttpRequest, organisation: Organisation
) -> tuple[forms.ReadLogFilterForm, selectors.ReadLogFilter]:
    form = forms.ReadLogFilterForm(
        request.GET or None,
        organisation=organisation,
        operations=selectors.operations(organisation),
    )
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    return form, selectors.ReadLogFilter.of(data)


def _query(request: HttpRequest, drop: str = "pagina") -> str:
    query = request.GET.copy()
    query.pop(drop, None)
    return query.urlencode()


@org_view(PRIVACY_ROLES)
def read_log(request: HttpRequest, organisation: Organisation) -> HttpResponse:
    form, filters = _filters(request, organisation)
    rows = selectors.read_log(organisation, filters)
    page = Paginator(rows, READ_LOG_PAGE_SIZE).get_page(request.GET.get("pagina"))
    return render(
        request,
        "privacy/read_log.html",
        {
            "organisation": organisation,
            "form": form,
            "page": page,
            "entries": [
                (
                    e,
                    selectors.label("operation", e.operation),
                    ", ".join(selectors.label("field", f) for f in e.fields),
                )
                for e in page.object_list
            ],
            "filtered": not filters.is_empty(),
            "query": _query(request),
        },
    )


def safe_cell(value: Any) -> str:
    """A CSV cell a spreadsheet will not run as a formula (CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


class _Line:
    """A file-like object that hands back what the csv writer writes (one line)."""

    def write(self, value: str) -> str:
        return value


def _headers() -> list[str]:
    return [
        _("Time"),
        _("By"),
        _("Organisation of the reader"),
        _("Processing activity"),
        _("Legal basis"),
        _("Surface"),
        _("Operation"),
        _("Object type"),
        _("Object"),
        _("Fields"),
        _("Data subjects (pseudonyms)"),
        _("Trace id"),
        _("Span id"),
    ]


def _csv_row(entry: ReadLogEntry) -> list[str]:
    at = timezone.localtime(entry.at).strftime("%d-%m-%Y %H:%M:%S")
    values = [
        at,
        entry.actor_label,
        entry.actor_organisation,
        entry.processing_activity.name,
        entry.legal_basis,
        entry.get_surface_display(),
        entry.operation,
        entry.object_type,
        entry.object_ref,
        ", ".join(entry.fields or []),
        ", ".join(entry.data_subjects or []),
        entry.trace_id,
        entry.span_id,
    ]
    return [safe_cell(v) for v in values]


def read_log_csv(rows: Any) -> Iterator[bytes]:
    """UTF-8 with BOM, ``;`` between fields, Dutch headers; one line at a time."""
    writer = csv.writer(_Line(), delimiter=";", lineterminator="\r\n")
    yield "\ufeff".encode()
    yield str(writer.writerow([safe_cell(h) for h in _headers()])).encode()
    for entry in selectors.iterate(rows):
        yield str(writer.writerow(_csv_row(entry))).encode()


@org_view(PRIVACY_ROLES)
def read_log_export(request: HttpRequest, organisation: Organisation) -> HttpResponse:
    _form, filters = _filters(request, organisation)
    rows = selectors.read_log(organisation, filters)
    count = rows.count()
    record_event(
        action=AuditAction.READ,
        user=request.user,
        label=request.user.get_username(),
        organisation=organisation,
        description=ngettext(
            "Export of the read log: %(n)s entry",
            "Export of the read log: %(n)s entries",
            count,
        )
        % {"n": count},
    )
    response = StreamingHttpResponse(read_log_csv(rows), content_type="text/csv; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = (
        f'attachment; filename="leeslog-{organisation.slug}-{stamp}.csv"'
    )
    response["Cache-Control"] = "no-store"
    return cast(HttpResponse, response)  # a streamed answer; the decorator only passes it on


@org_view(PRIVACY_ROLES)
def activities(request: HttpRequest, organisation: Organisation) -> HttpResponse:
    return render(
        request,
        "privacy/activities.html",
        {"organisation": organisation, "activities": privacy.activities(organisation)},
    )


@org_view(PRIVACY_ROLES)
def retention(request: HttpRequest, organisation: Organisation) -> HttpResponse:
    page = Paginator(selectors.tombstones(organisation), TOMBSTONES_PAGE_SIZE).get_page(
        request.GET.get("pagina")
    )
    return render(
        request,
        "privacy/retention.html",
        {
            "organisation": organisation,
            "rules": selectors.retention_rules(organisation),
            "runs": selectors.recent_runs(organisation),
            "outcomes": {t.pk: selectors.label("outcome", t.outcome) for t in page.object_list},
            "page": page,
            "tombstones": page.object_list,
        },
    )


def _download(result: inzage_document.InzageResult, fmt: str) -> HttpResponse:
    stem = f"inzage-{result.requested_on.isoformat()}"
    if fmt == forms.Format.JSON:
        response = HttpResponse(
            inzage_document.to_json(result), content_type="application/json; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{stem}.json"'
    else:
        response = HttpResponse(inzage_document.to_pdf(result), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{stem}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


@org_view(PRIVACY_ROLES)
@require_http_methods(["GET", "POST"])
def inzage(request: HttpRequest, organisation: Organisation) -> HttpResponse:
    form = forms.InzageForm(request.POST or None, organisation=organisation)
    if request.method == "POST" and form.is_valid() and form.identity is not None:
        try:
            result = inzage_document.collect(
                identity=form.identity,
                organisation=organisation,
                reader=privacy.reader_for(request, organisation.name),
                surface=Surface.EXPORT,
                purpose=form.cleaned_data["purpose"],
            )
        except ServiceError as error:
            form.add_error(None, str(error))
        else:
            return _download(result, form.cleaned_data["fmt"])
    return render(request, "privacy/inzage.html", {"organisation": organisation, "form": form})
