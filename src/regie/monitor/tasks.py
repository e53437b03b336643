"""Background checks and imports: small in-process runners with progress that pages can poll.

An upload becomes a *check* (a dry run) straight away: its :class:`ImportBatch` is created
*queued*, the check runs in a worker thread, and the check page polls its state and shows the
preview when it is done. A confirmed check becomes an import, queued and run the same way. No web
request reads a file.

Checks and imports have their own workers: checks write nothing but their batch row, so one
gemeente's slow check never waits behind another's import (two checks may run at once); imports
run one at a time and never compete for the database's write lock with each other.

Progress (rows processed) is kept here in memory for the pages of this process, and stored on the
batch row with a heartbeat every few seconds (:mod:`regie.monitor.batches`), so that other
processes see it and a batch whose process died is recognised and marked failed.

With ``REGIE_TASKS_EAGER`` the job runs synchronously in the request (tests, and installations
that prefer that).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from regie.core.audit import acting_as
from regie.core.models import Organisation
from regie.monitor import batches, services
from regie.monitor.models import BatchState, Dataset, ImportBatch
from regie.monitor.sources.base import FormatError

#: One worker: imports run one after the other and never compete for the database.
EXECUTOR = ThreadPoolExecutor(max_workers=1, thread_name_prefix="regie-import")
#: Checks write nothing but their batch row: two may run while an import runs.
CHECK_EXECUTOR = ThreadPoolExecutor(max_workers=2, thread_name_prefix="regie-check")


@dataclass(frozen=True)
class Progress:
    processed: int
    total: int | None  # rows the check read, when known


_progress: dict[int, Progress] = {}
#: Batches queued or running in this process, and those of them running.
_queued: set[int] = set()
_running: set[int] = set()
_futures: set[Future[None]] = set()
_lock = threading.Lock()


def progress_of(batch: ImportBatch | int) -> Progress | None:
    """Rows processed so far by a queued or running batch (None when nothing is known).

    This process knows its own batches to the row; for others the batch row tells the rows
    processed at its last heartbeat.
    """
    batch_id = batch if isinstance(batch, int) else batch.pk
    with _lock:
        known = _progress.get(batch_id)
    if known is not None or isinstance(batch, int):
        return known
    if batch.progress:
        return Progress(batch.progress, None)
    return None


def _report(batch_id: int, processed: int, total: int | None) -> None:
    with _lock:
        _progress[batch_id] = Progress(processed, total)


def _forget(batch_id: int) -> None:
    with _lock:
        _progress.pop(batch_id, None)
        _queued.discard(batch_id)


def _waiting() -> list[int]:
    with _lock:
        return [pk for pk in _queued if pk not in _running]


def wait_for_all(timeout: float = 60) -> None:
    """Wait until the jobs submitted so far have finished (tests, and a server that stops)."""
    with _lock:
        pending = list(_futures)
    wait(pending, timeout=timeout)


def _submit(executor: ThreadPoolExecutor, job: Callable[..., None], kwargs: dict[str, Any]) -> None:
    if settings.REGIE_TASKS_EAGER:
        job(**kwargs)
        return

    def start() -> None:
        future = executor.submit(_in_thread, job, kwargs)
        with _lock:
            _futures.add(future)
        future.add_done_callback(_done)

    # Start only once the batch row is committed, so the worker can see it.
    transaction.on_commit(start)


def _done(future: Future[None]) -> None:
    with _lock:
        _futures.discard(future)


def _in_thread(job: Callable[..., None], kwargs: dict[str, Any]) -> None:
    # A fresh connection for each job: the thread outlives requests and settings.
    connection.close()
    try:
        job(**kwargs)
    finally:
        connection.close()  # the worker thread's own connection


def _progress_callback(batch_id: int, total: int | None) -> Callable[[int], None]:
    """Rows processed go to the in-memory table; queued batches of this process get a heartbeat
    whenever the running one stores its own (every few seconds)."""
    state = {"beats": time.monotonic()}

    def progress(rows: int) -> None:
        _report(batch_id, rows, total)
        now = time.monotonic()
        if now - state["beats"] >= batches.HEARTBEAT_SECONDS:
            state["beats"] = now
            batches.touch(_waiting())

    return progress


def _queue_batch(
    *, dataset: Dataset, user: Any, filename: str, path: Path, dry_run: bool
) -> ImportBatch:
    worker = batches.this_worker()
    batch = ImportBatch.objects.create(
        dataset=dataset,
        format="local",
        filename=filename[:300],
        sha256="",  # the job reads the file (and fills it in), not the request
        imported_by=user,
        imported_by_label=user.get_username(),
        state=BatchState.QUEUED,
        dry_run=dry_run,
        worker_host=worker.host,
        worker_pid=worker.pid,
        heartbeat_at=timezone.now(),
    )
    with _lock:
        _queued.add(batch.pk)
    return batch


# --- Checks -------------------------------------------------------------------------------------


def queue_local_check(
    *, path: Path, organisation: Organisation, user: Any, filename: str
) -> ImportBatch:
    """Create the check (a queued dry run) of the upload at ``path`` and run it in the background.

    The file stays when the check passes (the user may confirm it) and is deleted otherwise.
    """
    batch = _queue_batch(
        dataset=services.local_dataset(organisation),
        user=user,
        filename=filename,
        path=path,
        dry_run=True,
    )
    _report(batch.pk, 0, None)
    _submit(
        CHECK_EXECUTOR,
        _run_check,
        {
            "batch_id": batch.pk,
            "path": path,
            "organisation": organisation,
            "user": user,
            "filename": filename,
        },
    )
    return batch


def _run_check(
    *, batch_id: int, path: Path, organisation: Organisation, user: Any, filename: str
) -> None:
    ok = False
    try:
        with _lock:
            _running.add(batch_id)
        batch = ImportBatch.objects.select_related("dataset").get(pk=batch_id)
        with acting_as(user):
            report = services.import_file(
                path,
                fmt="local",
                organisation=organisation,
                user=user,
                dry_run=True,
                filename=filename,
                progress=_progress_callback(batch_id, None),
                batch=batch,
            )
        ok = report.ok
    except FileNotFoundError:
        with acting_as(user):
            _end(batch_id, BatchState.FAILED, _("The upload was cancelled; nothing was stored."))
    except FormatError as exc:
        with acting_as(user):
            _end(
                batch_id,
                BatchState.REJECTED,
                _("%(name)s cannot be read as the template: %(reason)s.")
                % {"name": filename, "reason": services.format_error_text(exc)},
                replace_notes=True,
            )
    except Exception as exc:
        # The exception's text may hold internals or file values: logged (without it), not shown.
        batches.log_failure("check", batch_id, exc)
        with acting_as(user):
            _end(batch_id, BatchState.FAILED, services.failure_note(dry_run=True))
    finally:
        with _lock:
            _running.discard(batch_id)
        _forget(batch_id)
        if not ok:
            path.unlink(missing_ok=True)


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
    """Create the batch (queued) and run the import of ``path`` in the background.

    The file is deleted when the import has finished, whatever its outcome.
    """
    batch = _queue_batch(dataset=dataset, user=user, filename=filename, path=path, dry_run=False)
    _report(batch.pk, 0, expected_rows)
    _submit(
        EXECUTOR,
        _run,
        {
            "batch_id": batch.pk,
            "path": path,
            "organisation": organisation,
            "user": user,
            "filename": filename,
            "expected_rows": expected_rows,
        },
    )
    return batch


def _run(
    *,
    batch_id: int,
    path: Path,
    organisation: Organisation,
    user: Any,
    filename: str,
    expected_rows: int | None,
) -> None:
    try:
        with _lock:
            _running.add(batch_id)
        batch = ImportBatch.objects.select_related("dataset").get(pk=batch_id)
        with acting_as(user):
            services.import_file(
                path,
                fmt="local",
                organisation=organisation,
                user=user,
                filename=filename,
                progress=_progress_callback(batch_id, expected_rows),
                batch=batch,
            )
    except FormatError as exc:  # a file changed since its check: not a program error
        with acting_as(user):
            _end(batch_id, BatchState.FAILED, services.format_error_text(exc))
    except Exception as exc:
        # The exception's text may hold internals or file values: logged (without it), not shown.
        batches.log_failure("import", batch_id, exc)
        with acting_as(user):
            _end(batch_id, BatchState.FAILED, services.failure_note(dry_run=False))
    finally:
        with _lock:
            _running.discard(batch_id)
        _forget(batch_id)
        path.unlink(missing_ok=True)


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
