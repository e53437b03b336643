"""The Bronnen section: datasets with their imports and revisions, and uploads of local figures."""

from __future__ import annotations

import secrets
import tempfile
import time
from pathlib import Path, PurePath
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.files.uploadedfile import UploadedFile
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from regie.accounts.permissions import EDITOR_ROLES, STAFF_ROLES, org_view
from regie.core.models import Organisation
from regie.monitor import catalogue, selectors, services, tasks
from regie.monitor.forms import LocalFiguresUploadForm, TokenForm
from regie.monitor.models import (
    Dataset,
    ImportBatch,
    ObservationStatus,
    Revision,
)
from regie.monitor.sources.base import FormatError

#: Session key: upload token → what the preview checked (organisation, user, file, dataset).
SESSION_KEY = "regie_uploads"
#: Uploads nobody confirmed or cancelled are removed after this many seconds.
STALE_UPLOAD_SECONDS = 24 * 60 * 60
TEMPLATE_DIR = catalogue.DATA / "templates"
TEMPLATE_NAME = "lokale-cijfers-sjabloon"
REVISIONS_PER_PAGE = 50


def _upload_dir() -> Path:
    path = Path(settings.VAR_DIR) / "uploads"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _status_labels() -> dict[str, str]:
    return {value: str(label) for value, label in ObservationStatus.choices}


# --- Datasets -----------------------------------------------------------------------------------


@org_view(STAFF_ROLES)
def dataset_list(request: HttpRequest, organisation: Organisation) -> HttpResponse:
    return render(
        request,
        "monitor/dataset_list.html",
        {
            "organisation": organisation,
            "rows": selectors.datasets_overview(organisation),
            "can_upload": request.role in EDITOR_ROLES,  # type: ignore[attr-defined]
            "nav": "bronnen",
        },
    )


@org_view(STAFF_ROLES)
def dataset_detail(
    request: HttpRequest, organisation: Organisation, dataset_id: int
) -> HttpResponse:
    dataset = get_object_or_404(selectors.visible_datasets(organisation), pk=dataset_id)
    imports = dataset.batches.filter(dry_run=False).order_by("-started_at", "-id")
    revisions = (
        Revision.objects.filter(batch__dataset=dataset)
        .select_related("area", "measure", "batch")
        .order_by("-batch__started_at", "-batch_id", "measure__code", "area__code", "period")
    )
    page = Paginator(revisions, REVISIONS_PER_PAGE).get_page(request.GET.get("pagina"))
    return render(
        request,
        "monitor/dataset_detail.html",
        {
            "organisation": organisation,
            "dataset": dataset,
            "imports": imports,
            "page": page,
            "status_labels": _status_labels(),
            "nav": "bronnen",
        },
    )


# --- Upload of local figures --------------------------------------------------------------------


def _remove_stale_uploads(directory: Path) -> None:
    limit = time.time() - STALE_UPLOAD_SECONDS
    for path in directory.iterdir():
        try:
            if path.is_file() and path.stat().st_mtime < limit:
                path.unlink()
        except OSError:
            continue


def _save_upload(upload: UploadedFile) -> tuple[str, Path]:
    directory = _upload_dir()
    _remove_stale_uploads(directory)
    token = secrets.token_urlsafe(24)
    path = directory / token
    with path.open("xb") as fh:
        for chunk in upload.chunks():
            fh.write(chunk)
    return token, path


def _pending(request: HttpRequest) -> dict[str, dict[str, Any]]:
    value = request.session.get(SESSION_KEY)
    return dict(value) if isinstance(value, dict) else {}


def _take_pending(
    request: HttpRequest, organisation: Organisation, token: str
) -> dict[str, Any] | None:
    """The upload ``token`` of this user in this organisation, removed from the session."""
    pending = _pending(request)
    entry = pending.get(token)
    if (
        entry is None
        or entry.get("organisation") != organisation.pk
        or entry.get("user") != request.user.pk
    ):
        return None
    del pending[token]
    request.session[SESSION_KEY] = pending
    return entry


def _upload_page(
    request: HttpRequest, organisation: Organisation, form: LocalFiguresUploadForm
) -> HttpResponse:
    return render(
        request,
        "monitor/upload.html",
        {"organisation": organisation, "form": form, "nav": "bronnen"},
    )


@org_view(EDITOR_ROLES)
@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest, organisation: Organisation) -> HttpResponse:
    """Upload the template; the file is checked (dry run) and a preview shown."""
    form = LocalFiguresUploadForm(request.POST or None, request.FILES or None)
    if request.method != "POST" or not form.is_valid():
        return _upload_page(request, organisation, form)
    upload_file: UploadedFile = form.cleaned_data["file"]
    filename = PurePath(upload_file.name or "upload").name
    token, path = _save_upload(upload_file)
    try:
        report = services.import_file(
            path,
            fmt="local",
            organisation=organisation,
            user=request.user,
            dry_run=True,
            filename=filename,
        )
    except FormatError as exc:
        path.unlink(missing_ok=True)
        form.add_error(
            "file",
            _("%(name)s cannot be read as the template: %(reason)s.")
            % {"name": filename, "reason": _(str(exc))},
        )
        return _upload_page(request, organisation, form)
    if report.ok and report.batch_id is not None:
        batch = ImportBatch.objects.get(pk=report.batch_id)
        pending = _pending(request)
        pending[token] = {
            "organisation": organisation.pk,
            "user": request.user.pk,
            "filename": filename,
            "dataset": batch.dataset_id,
            "rows": report.rows_read,
        }
        request.session[SESSION_KEY] = pending
    else:
        path.unlink(missing_ok=True)
        token = ""
    return render(
        request,
        "monitor/preview.html",
        {
            "organisation": organisation,
            "report": report,
            "errors": report.as_dict()["errors"],
            "filename": filename,
            "token": token,
            "nav": "bronnen",
        },
    )


def _unknown_upload(request: HttpRequest, organisation: Organisation) -> HttpResponse:
    messages.error(
        request,
        _("This upload is unknown or has expired; nothing was imported. Upload the file again."),
    )
    return redirect("monitor:upload", org=organisation.slug)


@require_POST
@org_view(EDITOR_ROLES)
def upload_confirm(request: HttpRequest, organisation: Organisation) -> HttpResponse:
    form = TokenForm(request.POST)
    if not form.is_valid():
        return _unknown_upload(request, organisation)
    token: str = form.cleaned_data["token"]
    entry = _take_pending(request, organisation, token)
    path = _upload_dir() / token
    if entry is None or not path.is_file():
        return _unknown_upload(request, organisation)
    dataset = get_object_or_404(Dataset, pk=entry["dataset"], organisation=organisation)
    batch = tasks.queue_local_import(
        path=path,
        organisation=organisation,
        dataset=dataset,
        user=request.user,
        filename=str(entry["filename"]),
        expected_rows=int(entry["rows"]),
    )
    return redirect("monitor:import_status", org=organisation.slug, batch_id=batch.pk)


@require_POST
@org_view(EDITOR_ROLES)
def upload_cancel(request: HttpRequest, organisation: Organisation) -> HttpResponse:
    form = TokenForm(request.POST)
    if form.is_valid():
        token: str = form.cleaned_data["token"]
        if _take_pending(request, organisation, token) is not None:
            (_upload_dir() / token).unlink(missing_ok=True)
    messages.info(request, _("The upload was cancelled; nothing was stored."))
    return redirect("monitor:upload", org=organisation.slug)


@org_view(STAFF_ROLES)
def import_status(request: HttpRequest, organisation: Organisation, batch_id: int) -> HttpResponse:
    """The progress of an import and, when it has finished, its report (polled with htmx)."""
    batch = get_object_or_404(
        ImportBatch.objects.select_related("dataset"),
        pk=batch_id,
        dataset__in=selectors.visible_datasets(organisation),
    )
    progress = None if batch.is_finished else tasks.progress_of(batch.pk)
    context = {
        "organisation": organisation,
        "batch": batch,
        "progress": progress,
        "nav": "bronnen",
    }
    fragment = request.headers.get("HX-Request") == "true"
    template = "monitor/_import_status.html" if fragment else "monitor/import_status.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


# --- The template -------------------------------------------------------------------------------


def _attachment(data: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@org_view(STAFF_ROLES)
def template_csv(request: HttpRequest, organisation: Organisation) -> HttpResponse:
    path = TEMPLATE_DIR / f"{TEMPLATE_NAME}.csv"
    if not path.is_file():
        raise Http404
    return _attachment(path.read_bytes(), path.name, "text/csv; charset=utf-8")


@org_view(STAFF_ROLES)
def template_xlsx(request: HttpRequest, organisation: Organisation) -> HttpResponse:
    from regie.monitor.sources import local

    path = TEMPLATE_DIR / f"{TEMPLATE_NAME}.xlsx"
    if path.is_file():
        data = path.read_bytes()
    else:
        with tempfile.TemporaryDirectory() as tmp:
            target = Path(tmp) / path.name
            local.write_template_xlsx(target)
            data = target.read_bytes()
    return _attachment(
        data, path.name, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
