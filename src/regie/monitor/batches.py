"""The life of an import batch around its one short write: who runs it, its signs of life,
batches whose process is gone, waiting for a locked SQLite database, and the scheduled clean-up.

- Every running batch records its *worker* (host name and process id) and a *heartbeat* (the
  time it last said it was alive, with the rows processed so far). Both are written in
  autocommit, so other processes (the web pages, ``regie cleanup``) see them.
- A batch run by a job of the durable queue (``task_id``, :mod:`regie.monitor.tasks`) belongs to
  the queue while its job waits or runs: a job whose worker died is run again by the next worker
  (:mod:`regie.core.jobs`), so such a batch is only *abandoned* once its job has finished without
  finishing it (it failed, or its workers died too often).
- Any other batch (``regie import``, eager jobs) is *abandoned* when its process is gone (same
  host, process id not running) or its heartbeat is older than :data:`ABANDONED_AFTER`.
- :func:`fail_abandoned` marks abandoned batches failed. The import writes its figures and its
  final state in one transaction, which first claims the batch (:func:`claim_open`): a batch
  marked failed (or run by another worker) meanwhile is left alone and the write is rolled back,
  so an abandoned batch never stored anything.
- :func:`atomic_retry` runs a write transaction and, when SQLite answers "database is locked"
  (another write holds the lock longer than the busy timeout), waits and tries again for up to
  :data:`LOCK_WAIT_SECONDS`: concurrent imports queue instead of failing. An import beats
  (:func:`beat`) before each pause, so that waiting never makes it look abandoned.
- :func:`cleanup` (``regie cleanup``, and nightly as the periodic job ``monitor.cleanup`` of
  ``regie worker``) removes uploads nobody confirmed, checks (dry runs) older than
  :data:`CHECKS_KEPT`, and fails abandoned batches.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from django.conf import settings
from django.db import DatabaseError, OperationalError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from regie.core import jobs
from regie.monitor.models import BatchState, ImportBatch

logger = logging.getLogger(__name__)

T = TypeVar("T")

#: States of a batch that has not finished.
OPEN_STATES = (BatchState.QUEUED, BatchState.RUNNING)
#: A running import stores its progress and heartbeat at most this often.
HEARTBEAT_SECONDS = 3.0
#: A batch without a sign of life for this long is abandoned, wherever its process ran.
ABANDONED_AFTER = dt.timedelta(minutes=10)
#: How long a write waits, in all, for a locked SQLite database before it gives up.
LOCK_WAIT_SECONDS = 300.0
#: Uploads nobody confirmed or cancelled are removed after this long.
STALE_UPLOAD_AGE = dt.timedelta(hours=24)
#: Checks (dry runs) are kept this long: the check page and its confirm button need them.
CHECKS_KEPT = dt.timedelta(days=7)
#: Checks deleted per transaction.
DELETE_CHUNK = 500


# --- Who runs a batch ---------------------------------------------------------------------------


Worker = jobs.Process
this_worker = jobs.this_process
pid_alive = jobs.pid_alive

#: States of a queued job (django-tasks) that will still run or runs.
_JOB_OPEN = ("READY", "RUNNING")


def is_abandoned(batch: ImportBatch, *, now: dt.datetime | None = None) -> bool:
    """Whether ``batch`` is queued or running in a process that is gone or silent too long
    (a batch of the durable queue: whether its job has finished without finishing it)."""
    if batch.state not in OPEN_STATES:
        return False
    job = jobs.task_status(batch.task_id)
    if job is not None:
        return job not in _JOB_OPEN
    worker = this_worker()
    if batch.worker_host == worker.host and batch.worker_pid and not pid_alive(batch.worker_pid):
        return True
    last = batch.heartbeat_at or batch.started_at
    if last is None:
        return False
    return (now or timezone.now()) - last > ABANDONED_AFTER


def log_failure(what: str, batch_id: int | None, exc: BaseException) -> None:
    """Log an unexpected error of a check or import: its kind and where it happened.

    Not its text: an exception's message may quote the file (figures, names) or the database.
    """
    frames = "".join(traceback.format_tb(exc.__traceback__))
    logger.error("%s of batch %s failed: %s\n%s", what, batch_id, type(exc).__name__, frames)


def abandoned_note() -> str:
    return _("Aborted: the import process stopped; nothing was stored.")


class BatchAbandoned(Exception):
    """The batch was marked failed (abandoned) by another process meanwhile: nothing may be
    stored for it any more, and its state stays failed."""


def claim_open(batch_id: int) -> None:
    """Inside a write transaction: lock the batch row, and raise :class:`BatchAbandoned` unless
    it is still queued or running.

    Every write that finishes a batch calls this first, so that a batch another process marked
    failed is never turned into "done" (with figures) afterwards. On PostgreSQL the row stays
    locked until the transaction ends (:func:`fail_abandoned` waits for it and then sees the
    batch finished); on SQLite the write transaction holds the database's write lock already.
    """
    found = (
        ImportBatch.objects.select_for_update()
        .filter(pk=batch_id)
        .values_list("state", "worker_host", "worker_pid")
        .first()
    )
    if found is None or found[0] not in OPEN_STATES:
        raise BatchAbandoned(batch_id)
    state, host, pid = found
    me = this_worker()
    if state == BatchState.RUNNING and pid and (host, pid) != (me.host, me.pid):
        # A job queued again after its worker was taken for dead runs it now elsewhere.
        raise BatchAbandoned(batch_id)


def fail_abandoned(batches: Iterable[ImportBatch] | None = None) -> list[int]:
    """Mark the abandoned batches among ``batches`` (default: all open ones) failed.

    The instances passed in are updated too, so that a page can show them as they now are.
    Returns the ids of the batches marked.
    """
    now = timezone.now()
    if batches is None:
        batches = ImportBatch.objects.filter(state__in=OPEN_STATES).select_related("dataset")
    failed: list[int] = []
    for batch in batches:
        if not is_abandoned(batch, now=now):
            continue
        with transaction.atomic():
            fresh = (
                ImportBatch.objects.select_for_update()
                .select_related("dataset")
                .filter(pk=batch.pk)
                .first()
            )
            if fresh is None or not is_abandoned(fresh, now=now):
                continue
            fresh.state = BatchState.FAILED
            fresh.finished_at = now
            fresh.notes = [*fresh.notes, abandoned_note()]
            fresh.save()
        batch.state, batch.finished_at, batch.notes = fresh.state, fresh.finished_at, fresh.notes
        failed.append(batch.pk)
        logger.warning("import batch %s was abandoned by its process and marked failed", batch.pk)
    return failed


#: Open checks (queued or running) one organisation may have at once. The check workers are
#: shared by every gemeente: one gemeente's slow files must leave a worker for the others.
OPEN_CHECKS_PER_ORGANISATION = 1
#: Uploads (checks) one organisation may start within an hour: each keeps its file for up to a
#: day until it is confirmed or cleaned up, so this bounds the disk one gemeente can fill.
CHECKS_PER_HOUR = 30


def check_refusal(organisation: Any) -> str:
    """Why ``organisation`` may not start another check now ("" when it may).

    Abandoned checks are marked failed first, so that a crashed worker does not block the
    organisation until the hourly cleanup.
    """
    open_checks = ImportBatch.objects.filter(
        dataset__organisation=organisation, dry_run=True, state__in=OPEN_STATES
    )
    fail_abandoned(list(open_checks.select_related("dataset")))
    if open_checks.count() >= OPEN_CHECKS_PER_ORGANISATION:  # a new query, after the above
        return _(
            "A file of your organisation is being checked right now. Wait until that check is "
            "done (its page shows the progress), then upload this file again."
        )
    since = timezone.now() - dt.timedelta(hours=1)
    recent = ImportBatch.objects.filter(
        dataset__organisation=organisation, dry_run=True, started_at__gte=since
    ).count()
    if recent >= CHECKS_PER_HOUR:
        return _(
            "Your organisation has uploaded %(n)s files in the last hour, the most that is "
            "accepted. Try again later."
        ) % {"n": recent}
    return ""


# --- Signs of life ------------------------------------------------------------------------------


def _store_beat(batch_id: int, rows: int | None) -> None:
    """Store the heartbeat (and the rows processed) on the batch; a locked database skips it."""
    values: dict[str, object] = {"heartbeat_at": timezone.now()}
    if rows is not None:
        values["progress"] = rows
    try:
        # A savepoint inside an outer transaction, else a transaction of its own: an error
        # here never breaks the caller's transaction.
        with transaction.atomic():
            ImportBatch.objects.filter(pk=batch_id, state__in=OPEN_STATES).update(**values)
    except DatabaseError:
        logger.debug("heartbeat of import batch %s skipped: database busy", batch_id)


class Heartbeat:
    """The progress callback of an import: passes rows on to ``progress`` and, at most every
    :data:`HEARTBEAT_SECONDS`, stores them with the time on the batch row."""

    def __init__(self, batch_id: int, progress: Callable[[int], None] | None = None) -> None:
        self.batch_id = batch_id
        self.progress = progress
        self.rows = 0
        self._last = time.monotonic()

    def __call__(self, rows: int) -> None:
        self.rows = rows
        if self.progress is not None:
            self.progress(rows)
        now = time.monotonic()
        if now - self._last >= HEARTBEAT_SECONDS:
            self._last = now
            _store_beat(self.batch_id, rows)


def beat(batch_id: int) -> None:
    """A sign of life of a running batch now (written at once; a locked database skips it)."""
    _store_beat(batch_id, None)


# --- Waiting for a locked database --------------------------------------------------------------


def is_locked(exc: BaseException) -> bool:
    """SQLite's "database is locked" (or "database table is locked")."""
    message = str(exc).lower()
    return "database is locked" in message or "database table is locked" in message


def _sleep(seconds: float) -> None:
    time.sleep(seconds)


def atomic_retry(
    work: Callable[[], T],
    *,
    wait_seconds: float | None = None,
    beat: Callable[[], None] | None = None,
) -> T:
    """``work()`` in one transaction; tried again while SQLite says the database is locked.

    Each try already waits SQLite's busy timeout for the lock; between tries it pauses (0.5 s,
    doubling up to 10 s), for up to ``wait_seconds`` (default :data:`LOCK_WAIT_SECONDS`) in all:
    well within :data:`ABANDONED_AFTER`. Before each pause it calls ``beat`` (the batch's sign of
    life, see :func:`beat`), so that a batch waiting for the lock is not taken for abandoned.
    Inside an outer transaction there is nothing to wait for (it holds the lock, or has failed):
    it runs once.
    """
    limit = LOCK_WAIT_SECONDS if wait_seconds is None else wait_seconds
    if connection.in_atomic_block:
        with transaction.atomic():
            return work()
    deadline = time.monotonic() + limit
    pause = 0.5
    while True:
        try:
            with transaction.atomic():
                return work()
        except OperationalError as exc:
            if not is_locked(exc) or time.monotonic() + pause > deadline:
                raise
            logger.info("database locked; the write is tried again in %.1f s", pause)
        if beat is not None:
            beat()
        _sleep(pause)
        pause = min(pause * 2, 10.0)


# --- Clean-up -----------------------------------------------------------------------------------


def upload_dir() -> Path:
    """Where uploads wait for their check and confirmation: ``VAR_DIR/uploads``."""
    path = Path(settings.VAR_DIR) / "uploads"
    path.mkdir(parents=True, exist_ok=True)
    return path


def stale_uploads(directory: Path | None = None, *, now: float | None = None) -> list[Path]:
    """Upload files older than :data:`STALE_UPLOAD_AGE`."""
    directory = directory or upload_dir()
    limit = (time.time() if now is None else now) - STALE_UPLOAD_AGE.total_seconds()
    found: list[Path] = []
    for path in directory.iterdir():
        try:
            if path.is_file() and path.stat().st_mtime < limit:
                found.append(path)
        except OSError:
            continue
    return sorted(found)


def remove_stale_uploads(directory: Path | None = None, *, dry_run: bool = False) -> list[Path]:
    """Remove upload files older than :data:`STALE_UPLOAD_AGE`; returns them."""
    found = stale_uploads(directory)
    if not dry_run:
        for path in found:
            path.unlink(missing_ok=True)
    return found


def old_checks(*, now: dt.datetime | None = None) -> list[int]:
    """Ids of finished checks (dry runs) older than :data:`CHECKS_KEPT`."""
    cutoff = (now or timezone.now()) - CHECKS_KEPT
    return list(
        ImportBatch.objects.filter(dry_run=True, started_at__lt=cutoff)
        .exclude(state__in=OPEN_STATES)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def delete_old_checks(*, dry_run: bool = False) -> int:
    """Delete finished checks older than :data:`CHECKS_KEPT`; returns how many.

    A check stored nothing, so nothing refers to it. Each deletion is written to the audit log
    like any other deletion of an audited model (one entry per check): the log stays complete.
    """
    ids = old_checks()
    if dry_run:
        return len(ids)
    deleted = 0
    for start in range(0, len(ids), DELETE_CHUNK):
        chunk = ids[start : start + DELETE_CHUNK]

        def work(chunk: list[int] = chunk) -> int:
            _total, per_model = ImportBatch.objects.filter(pk__in=chunk, dry_run=True).delete()
            return per_model.get(ImportBatch._meta.label, 0)

        deleted += atomic_retry(work)
    return deleted


@dataclass
class CleanupReport:
    uploads: list[Path] = field(default_factory=list)
    checks: int = 0
    failed: list[int] = field(default_factory=list)


def cleanup(*, dry_run: bool = False) -> CleanupReport:
    """Remove stale uploads and old checks, and fail abandoned batches (``regie cleanup``)."""
    report = CleanupReport()
    report.uploads = remove_stale_uploads(dry_run=dry_run)
    report.checks = delete_old_checks(dry_run=dry_run)
    if dry_run:
        report.failed = [
            b.pk for b in ImportBatch.objects.filter(state__in=OPEN_STATES) if is_abandoned(b)
        ]
    else:
        report.failed = fail_abandoned()
    return report
