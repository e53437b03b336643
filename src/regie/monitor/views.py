"""The Bronnen section: datasets with their imports and revisions, and uploads of local figures."""

from __future__ import annotations

import secrets
import tempfile
from pathlib import Path, PurePath
from typing import Any

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
from regie.core.uploads import upload_limit
from regie.monitor import batches, catalogue, selectors, services, tasks
from regie.monitor.forms import MAX_UPLOAD_BYTES, LocalFiguresUploadForm, TokenForm
from regie.monitor.models import (
    BatchState,
    ImportBatch,
    ObservationStatus,
    Revision,
)

#: Session key: upload token → its check (organisation, user, file name, check batch id).
SESSION_KEY = "regie_uploads"
TEMPLATE_DIR = catalogue.DATA / "templates"
TEMPLATE_NAME = "lokale-cijfers-sjabloon"
REVISIONS_PER_PAGE = 50
DATASETS_PER_PAGE = 25


def _status_labels() -> dict[str, str]:
    return {value: str(label) for value, label in ObservationStatus.choices}


# --- Datasets -----------------------------------------------------------------------------------


@org_view(STAFF_ROLES)
def dataset_list(request: HttpRequest, organisation: Organisation) -> HttpResponse:
    rows = selectors.datasets_overview(organisation)
    page = Paginator(rows, DATASETS_PER_PAGE).get_page(request.GET.get("pagina"))
    batches.fail_abandoned(
        row["latest"] for row in page.object_list if row["latest"] and not row["latest"].is_finished
    )
    return render(
        request,
        "monitor/dataset_list.html",
        {
            "organisation": organisation,
            "page": page,
            "rows": list(page.object_list),  # this page's datasets
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
    batches.fail_abandoned(imports.filter(state__in=batches.OPEN_STATES))
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
#
# upload → the file is saved under VAR_DIR/uploads and its check (a dry run) queued → the check
# page polls until the check is done and then shows the preview with Import and Cancel → the
# import is queued → the import page polls until it is done. No request reads the file: checks
# and imports run in tasks' workers. The session remembers the upload (token → organisation,
# user, file, check), so only its uploader can confirm it, in this session and organisation.


def _save_upload(upload: UploadedFile) -> tuple[str, Path]:
    directory = batches.upload_dir()
    batches.remove_stale_uploads(directory)  # also on a schedule: regie cleanup
    token = secrets.token_urlsafe(24)
    path = directory / token
    with path.open("xb") as fh:
        for chunk in upload.chunks():
            fh.write(chunk)
    return token, path


def _pending(request: HttpRequest) -> dict[str, dict[str, Any]]:
    value = request.session.get(SESSION_KEY)
    return dict(value) if isinstance(value, dict) else {}


def _own(entry: dict[str, Any] | None, request: HttpRequest, organisation: Organisation) -> bool:
    return (
        entry is not None
        and entry.get("organisation") == organisation.pk
        and entry.get("user") == request.user.pk
    )


def _take_pending(
    request: HttpRequest, organisation: Organisation, token: str
) -> dict[str, Any] | None:
    """The upload ``token`` of this user in this organisation, removed from the session."""
    pending = _pending(request)
    entry = pending.get(token)
    if not _own(entry, request, organisation):
        return None
    del pending[token]
    request.session[SESSION_KEY] = pending
    return entry


def _token_of_check(request: HttpRequest, organisation: Organisation, batch_id: int) -> str:
    """The session's upload token whose check is ``batch_id`` ("" when there is none)."""
    for token, entry in _pending(request).items():
        if _own(entry, request, organisation) and entry.get("batch") == batch_id:
            return token
    return ""


def _upload_page(
    request: HttpRequest, organisation: Organisation, form: LocalFiguresUploadForm
) -> HttpResponse:
    return render(
        request,
        "monitor/upload.html",
        {"organisation": organisation, "form": form, "nav": "bronnen"},
    )


@upload_limit(MAX_UPLOAD_BYTES)  # a larger file is stopped while it arrives
@org_view(EDITOR_ROLES)
@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest, organisation: Organisation) -> HttpResponse:
    """Upload the template; its check (dry run) is queued and its page shows the preview."""
    form = LocalFiguresUploadForm(request.POST or None, request.FILES or None)
    if request.method != "POST" or not form.is_valid():
        return _upload_page(request, organisation, form)
    refusal = batches.check_refusal(organisation)
    if refusal:
        form.add_error(None, refusal)
        return _upload_page(request, organisation, form)
    upload_file: UploadedFile = form.cleaned_data["file"]
    filename = PurePath(upload_file.name or "upload").name
    token, path = _save_upload(upload_file)
    pending = _pending(request)
    batch = tasks.queue_local_check(
        path=path, organisation=organisation, user=request.user, filename=filename
    )
    pending[token] = {
        "organisation": organisation.pk,
        "user": request.user.pk,
        "filename": filename,
        "batch": batch.pk,
    }
    request.session[SESSION_KEY] = pending
    return redirect("monitor:upload_check", org=organisation.slug, batch_id=batch.pk)


@org_view(EDITOR_ROLES)
def upload_check(request: HttpRequest, organisation: Organisation, batch_id: int) -> HttpResponse:
    """The check of an upload: its progress and, when done, the preview (polled with htmx)."""
    batch = get_object_or_404(
        ImportBatch.objects.select_related("dataset"),
        pk=batch_id,
        dry_run=True,
        dataset__in=selectors.visible_datasets(organisation),
    )
    if not batch.is_finished:
        batches.fail_abandoned([batch])
    token = _token_of_check(request, organisation, batch.pk)
    if token and batch.is_finished and batch.state != BatchState.DRY_RUN:
        # Refused: the file is gone (the check removed it) and cannot be confirmed.
        _take_pending(request, organisation, token)
        (batches.upload_dir() / token).unlink(missing_ok=True)
        token = ""
    if token and not (batches.upload_dir() / token).is_file():
        token = ""  # expired: removed by the clean-up
    context = {
        "organisation": organisation,
        "batch": batch,
        "progress": None if batch.is_finished else tasks.progress_of(batch),
        **_report_context(batch),
        "filename": batch.filename,
        "token": token,
        "nav": "bronnen",
    }
    fragment = request.headers.get("HX-Request") == "true"
    template = "monitor/_check_status.html" if fragment else "monitor/preview.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _report_context(batch: ImportBatch) -> dict[str, Any]:
    """What the report of a batch shows besides its counts: the values (of a file that passed:
    each is new, unchanged or revised), the errors and the errors grouped by kind."""
    passed = batch.state in (BatchState.DONE, BatchState.DRY_RUN)
    errors = batch.errors if isinstance(batch.errors, list) else []
    return {
        "errors": errors,
        "error_groups": services.error_groups_of(errors),
        "values": batch.rows_stored + batch.rows_unchanged + batch.rows_revised if passed else None,
    }


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
    entry = _pending(request).get(token)
    if entry is None or not _own(entry, request, organisation):
        return _unknown_upload(request, organisation)
    check_id = entry.get("batch")
    check = (
        ImportBatch.objects.filter(
            pk=check_id if isinstance(check_id, int) else 0,
            dry_run=True,
            dataset__organisation=organisation,
        )
        .select_related("dataset")
        .first()
    )
    if check is not None and not check.is_finished:
        messages.info(request, _("The check of this file has not finished yet."))
        return redirect("monitor:upload_check", org=organisation.slug, batch_id=check.pk)
    _take_pending(request, organisation, token)
    path = batches.upload_dir() / token
    if check is None or check.state != BatchState.DRY_RUN or not path.is_file():
        path.unlink(missing_ok=True)
        return _unknown_upload(request, organisation)
    batch = tasks.queue_local_import(
        path=path,
        organisation=organisation,
        dataset=check.dataset,
        user=request.user,
        filename=str(entry["filename"]),
        expected_rows=check.rows_read,
    )
    return redirect("monitor:import_status", org=organisation.slug, batch_id=batch.pk)


@require_POST
@org_view(EDITOR_ROLES)
def upload_cancel(request: HttpRequest, organisation: Organisation) -> HttpResponse:
    form = TokenForm(request.POST)
    if form.is_valid():
        token: str = form.cleaned_data["token"]
        if _take_pending(request, organisation, token) is not None:
            (batches.upload_dir() / token).unlink(missing_ok=True)
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
    if not batch.is_finished:
        batches.fail_abandoned([batch])
    progress = None if batch.is_finished else tasks.progress_of(batch)
    context = {
        "organisation": organisation,
        "batch": batch,
        "progress": progress,
        **_report_context(batch),
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
