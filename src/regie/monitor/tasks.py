"""Background imports: a small in-process runner with progress that pages can poll.

A confirmed upload becomes an :class:`ImportBatch` in state *queued* straight away (so its status
page can show it), and the import itself runs in one worker thread of this process. The import
writes inside one transaction that other connections cannot see until it commits, so the number of
rows processed is reported through an in-memory dictionary keyed by batch id instead.

With ``REGIE_TASKS_EAGER`` the import runs synchronously in the request (tests, and installations
that prefer that). Imports queued in a process that stops are left *queued*/*running*; there is
no persistent queue yet.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from regie.core.audit import acting_as
from regie.core.models import Organisation
from regie.monitor import services
from regie.monitor.models import BatchState, Dataset, ImportBatch

logger = logging.getLogger(__name__)

#: One worker: imports of a gemeente run one after the other and never compete for the database.
EXECUTOR = ThreadPoolExecutor(max_workers=1, thread_name_prefix="regie-import")


@dataclass(frozen=True)
class Progress:
    processed: int
    total: int | None  # rows the dry run read, when known


_progress: dict[int, Progress] = {}
_lock = threading.Lock()


def progress_of(batch_id: int) -> Progress | None:
    """Rows processed so far by a running import of this process (None when not known here)."""
    with _lock:
        return _progress.get(batch_id)


def _report(batch_id: int, processed: int, total: int | None) -> None:
    with _lock:
        _progress[batch_id] = Progress(processed, total)


def _forget(batch_id: int) -> None:
    with _lock:
        _progress.pop(batch_id, None)


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
    batch = ImportBatch.objects.create(
        dataset=dataset,
        format="local",
        filename=filename[:300],
        sha256=services.file_sha256(path),
        imported_by=user,
        imported_by_label=user.get_username(),
        state=BatchState.QUEUED,
    )
    _report(batch.pk, 0, expected_rows)
    job = {
        "batch_id": batch.pk,
        "path": path,
        "organisation": organisation,
        "user": user,
        "filename": filename,
        "expected_rows": expected_rows,
    }
    if settings.REGIE_TASKS_EAGER:
        _run(**job)
    else:
        # Start only once the batch row is committed, so the worker can see it.
        transaction.on_commit(lambda: EXECUTOR.submit(_run_in_thread, job))
    return batch


def _run_in_thread(job: dict[str, Any]) -> None:
    try:
        _run(**job)
    finally:
        connection.close()  # the worker thread's own connection


def _run(
    *,
    batch_id: int,
    path: Path,
    organisation: Organisation,
    user: Any,
    filename: str,
    expected_rows: int | None,
) -> None:
    batch = ImportBatch.objects.select_related("dataset").get(pk=batch_id)

    def progress(rows: int) -> None:
        _report(batch_id, rows, expected_rows)

    try:
        with acting_as(user):
            services.import_file(
                path,
                fmt="local",
                organisation=organisation,
                user=user,
                filename=filename,
                progress=progress,
                batch=batch,
            )
    except Exception as exc:
        logger.exception("import of batch %s failed", batch_id)
        with acting_as(user):
            _fail(batch_id, str(exc))
    finally:
        _forget(batch_id)
        path.unlink(missing_ok=True)


def _fail(batch_id: int, reason: str) -> None:
    batch = ImportBatch.objects.get(pk=batch_id)
    if batch.is_finished:
        return
    batch.state = BatchState.FAILED
    batch.finished_at = timezone.now()
    batch.notes = [*batch.notes, _("The import stopped: %(reason)s") % {"reason": reason}]
    batch.save()
