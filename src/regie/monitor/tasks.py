"""Checks and imports of uploaded figure files as durable background jobs (ADR 0016).

An upload becomes a *check* (a dry run) straight away: its :class:`ImportBatch` is created
*queued* together with its job (:func:`check_upload`, queue ``checks``), a ``regie worker`` runs
it, and the check page polls the batch and shows the preview when it is done. A confirmed check
becomes an import, queued and run the same way (:func:`import_upload`, queue ``imports``). No web
request reads a file. Jobs wait in the database: one queued when the server stops runs when a
worker starts again, and one whose worker died is run again (:mod:`regie.core.jobs`).

Checks and imports have their own queues: the worker runs imports one at a time (they do not
compete for the database's write lock with each other) and checks beside them, so one gemeente's
check never waits behind another's import.

Progress (rows processed, and the rows expected) is stored on the batch row with its heartbeat
every few seconds (:mod:`regie.monitor.batches`): every process's pages show it.

A job that fails on a *transient* database error (the database locked for longer than the
import waits, a lost connection) is run again after a pause, at most :data:`MAX_RETRIES` times;
an import writes in one transaction, so the failed try stored nothing. A file that cannot be read
(:class:`FormatError`) is not retried: the batch says why, as before.

With ``REGIE_TASKS_EAGER`` the job runs synchronously where it is queued (tests, and
installations that prefer that).

The nightly clean-up of stale uploads and old checks is a periodic job (:func:`nightly_cleanup`).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.db import InterfaceError, OperationalError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import TaskContext, task

from regie.core import jobs
from regie.core.audit import acting_as
from regie.core.models import Organisation
from regie.monitor import batches, services
from regie.monitor.models import BatchState, Dataset, ImportBatch
from regie.monitor.sources.base import FormatError

logger = logging.getLogger(__name__)

#: Runs after the first one when a job fails on a transient database error.
MAX_RETRIES = 3
#: The pause before the first retry; it doubles for each further one.
RETRY_DELAY = dt.timedelta(seconds=30)


@dataclass(frozen=True)
class Progress:
    processed: int
    total: int | None  # rows the check read, when known


def progress_of(batch: ImportBatch | int) -> Progress | None:
    """Rows processed so far by a queued or running batch (None when it has finished), as its
    job stored them at its last heartbeat."""
    if isinstance(batch, int):
        found = ImportBatch.objects.filter(pk=batch).first()
        if found is None:
            return None
        batch = found
    if batch.is_finished:
        return None
    return Progress(batch.progress, batch.progress_total)


def _queue_batch(
    *, dataset: Dataset, user: Any, filename: str, dry_run: bool, total: int | None = None
) -> ImportBatch:
    return ImportBatch.objects.create(
        dataset=dataset,
        format="local",
        filename=filename[:300],
        sha256="",  # the job reads the file (and fills it in), not the request
        imported_by=user,
        imported_by_label=user.get_username(),
        state=BatchState.QUEUED,
        dry_run=dry_run,
        progress_total=total,
        heartbeat_at=timezone.now(),
    )


def _enqueue(job: Any, batch: ImportBatch, **kwargs: Any) -> None:
    """Queue ``job`` for ``batch``: on the database queue in the transaction that created the
    batch (both or neither are stored); eagerly, once the batch is committed."""
    result = job.using(backend=jobs.backend()).enqueue(batch_id=batch.pk, **kwargs)
    batch.task_id = str(result.id)[:64]
    # Not save(): the batch is audited, and its job id is bookkeeping.
    ImportBatch.objects.filter(pk=batch.pk).update(task_id=batch.task_id)


def _queue(job: Any, make_batch: Any, **kwargs: Any) -> ImportBatch:
    if not jobs.is_durable():
        batch: ImportBatch = make_batch()
        _enqueue(job, batch, **kwargs)
        batch.refresh_from_db()
        return batch
    with transaction.atomic():
        batch = make_batch()
        _enqueue(job, batch, **kwargs)
    return batch


# --- Checks -------------------------------------------------------------------------------------


def queue_local_check(
    *, path: Path, organisation: Organisation, user: Any, filename: str
) -> ImportBatch:
    """Create the check (a queued dry run) of the upload at ``path`` and queue its job.

    The file stays when the check passes (the user may confirm it) and is deleted otherwise.
    """
    return _queue(
        check_upload,
        lambda: _queue_batch(
            dataset=services.local_dataset(organisation),
            user=user,
            filename=filename,
            dry_run=True,
        ),
        path=str(path),
        organisation_id=organisation.pk,
        user_id=user.pk,
        filename=filename,
    )


@task(queue_name=jobs.CHECKS_QUEUE, takes_context=True)
def check_upload(
    context: TaskContext,
    *,
    batch_id: int,
    path: str,
    organisation_id: int,
    user_id: int,
    filename: str,
    retry: int = 0,
) -> str:
    """The job of a check: a dry run of the upload at ``path``."""
    return _run(
        context,
        batch_id=batch_id,
        path=Path(path),
        organisation_id=organisation_id,
        user_id=user_id,
        filename=filename,
        retry=retry,
        dry_run=True,
    )


# --- Imports ------------------------------------------------------------------------------------


def queue_local_import(
    *,
    path: Path,
    organisation: Organisation,
    dataset: Dataset,
    user: Any,
    filename: str,
    expected_rows: int | None = None,
) -> ImportBatch:
    """Create the batch (queued) and queue the job that imports ``path``.

    The file is deleted when the import has finished, whatever its outcome.
    """
    return _queue(
        import_upload,
        lambda: _queue_batch(
            dataset=dataset, user=user, filename=filename, dry_run=False, total=expected_rows
        ),
        path=str(path),
        organisation_id=organisation.pk,
        user_id=user.pk,
        filename=filename,
    )


@task(queue_name=jobs.IMPORTS_QUEUE, takes_context=True)
def import_upload(
    context: TaskContext,
    *,
    batch_id: int,
    path: str,
    organisation_id: int,
    user_id: int,
    filename: str,
    retry: int = 0,
) -> str:
    """The job of an import of the upload at ``path`` (checked before)."""
    return _run(
        context,
        batch_id=batch_id,
        path=Path(path),
        organisation_id=organisation_id,
        user_id=user_id,
        filename=filename,
        retry=retry,
        dry_run=False,
    )


# --- Running a job ------------------------------------------------------------------------------


def is_transient(exc: BaseException) -> bool:
    """A database error that a later try may not meet (locked, connection lost)."""
    return isinstance(exc, OperationalError | InterfaceError)


def _run(
    context: TaskContext,
    *,
    batch_id: int,
    path: Path,
    organisation_id: int,
    user_id: int,
    filename: str,
    retry: int,
    dry_run: bool,
) -> str:
    """Run the check or import of ``batch_id``; returns what happened (kept with the job)."""
    what = "check" if dry_run else "import"
    batch = ImportBatch.objects.select_related("dataset").filter(pk=batch_id).first()
    if batch is None:
        path.unlink(missing_ok=True)
        return "batch gone"
    if batch.task_id and batch.task_id != str(context.task_result.id):
        return "superseded"  # a later job runs this batch (a retry)
    if batch.is_finished:
        # Finished by an earlier run whose worker stopped before it could say so.
        if not (dry_run and batch.state == BatchState.DRY_RUN):
            path.unlink(missing_ok=True)
        return f"already {batch.state}"
    user = get_user_model().objects.filter(pk=user_id).first()
    organisation = Organisation.objects.get(pk=organisation_id)
    keep_file = False
    try:
        with acting_as(user):
            report = services.import_file(
                path,
                fmt="local",
                organisation=organisation,
                user=user,
                dry_run=dry_run,
                filename=filename,
                batch=batch,
            )
        keep_file = dry_run and report.ok
        return str(report.state)
    except FileNotFoundError:
        note = (
            _("The upload was cancelled; nothing was stored.")
            if dry_run
            else services.failure_note(dry_run=False)
        )
        with acting_as(user):
            _end(batch_id, BatchState.FAILED, note)
        return "file gone"
    except FormatError as exc:
        with acting_as(user):
            if dry_run:
                _end(
                    batch_id,
                    BatchState.REJECTED,
                    _("%(name)s cannot be read as the template: %(reason)s.")
                    % {"name": filename, "reason": services.format_error_text(exc)},
                    replace_notes=True,
                )
            else:  # a file changed since its check: not a program error
                _end(batch_id, BatchState.FAILED, services.format_error_text(exc))
        return "format error"
    except Exception as exc:
        if is_transient(exc) and _retry(context, batch_id, retry=retry):
            keep_file = True
            logger.warning("%s of batch %s met a transient error: tried again", what, batch_id)
            return "retried"
        # The exception's text may hold internals or file values: logged (without it), not shown.
        batches.log_failure(what, batch_id, exc)
        with acting_as(user):
            _end(batch_id, BatchState.FAILED, services.failure_note(dry_run=dry_run))
        return "failed"
    finally:
        if not keep_file:
            path.unlink(missing_ok=True)


def _retry(context: TaskContext, batch_id: int, *, retry: int) -> bool:
    """Queue the job again after a pause, with the batch open again; False when it may not."""
    if retry >= MAX_RETRIES or not jobs.is_durable():
        return False
    task_result = context.task_result
    delay = RETRY_DELAY * (2**retry)
    try:
        with transaction.atomic():
            # The failed try stored nothing (its write is one transaction): the batch is
            # reopened as it was queued. Not save(): the batch is audited, this is bookkeeping.
            again = task_result.task.using(run_after=timezone.now() + delay).enqueue(
                **{**task_result.kwargs, "retry": retry + 1}
            )
            reopened = (
                ImportBatch.objects.filter(pk=batch_id)
                .exclude(state__in=[BatchState.DONE, BatchState.DRY_RUN, BatchState.REJECTED])
                .update(
                    state=BatchState.QUEUED,
                    finished_at=None,
                    notes=[],
                    errors=[],
                    progress=0,
                    heartbeat_at=timezone.now(),
                    worker_host="",
                    worker_pid=None,
                    task_id=str(again.id)[:64],
                )
            )
            if not reopened:
                raise LookupError(batch_id)
    except Exception:
        logger.exception("batch %s could not be queued again", batch_id)
        return False
    return True


def _end(batch_id: int, state: str, note: str, *, replace_notes: bool = False) -> None:
    """Finish a batch that stopped with an error (unless it finished already)."""

    def work() -> None:
        batch = ImportBatch.objects.select_related("dataset").get(pk=batch_id)
        # The import service marks a file that breaks half-way failed itself; a check puts
        # its own, clearer note in place of the reader's.
        if batch.is_finished and not (replace_notes and batch.state == BatchState.FAILED):
            return
        batch.state = state
        batch.finished_at = batch.finished_at or timezone.now()
        batch.notes = [note] if replace_notes else [*batch.notes, note]
        batch.save()

    batches.atomic_retry(work)


# --- Periodic jobs ------------------------------------------------------------------------------


def nightly_cleanup() -> dict[str, int]:
    """Stale uploads, old checks, batches whose job stopped, used e-mail change requests
    (what ``regie cleanup`` does), as the periodic job ``monitor.cleanup``."""
    from regie.accounts import services as account_services

    with acting_as(None, "regie worker"):
        report = batches.cleanup()
        changes = account_services.remove_finished_email_changes()
    pruned = jobs.prune_results()
    return {
        "job_results": pruned,
        "uploads": len(report.uploads),
        "checks": report.checks,
        "failed": len(report.failed),
        "email_changes": changes,
    }


jobs.periodic("monitor.cleanup", at="03:00")(nightly_cleanup)
