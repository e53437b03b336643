"""The import service: :func:`import_rows`, the batch around it and its one short write.

Rows are read and checked outside any transaction; only the write of an import that passed is
a transaction, which claims the batch, merges the points, stores the batch's final state and the
audit event (see :mod:`regie.monitor.batches` for waiting on a locked database).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable
from typing import Any

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from regie.core.models import AuditAction
from regie.core.services import record_event
from regie.monitor import batches, bulk
from regie.monitor.models import BatchState, Dataset, ImportBatch
from regie.monitor.services.lookup import CatalogueLookup
from regie.monitor.services.reports import SKIP_EXAMPLES, ErrorLog, ImportReport, SkipLog
from regie.monitor.services.rows import rejected_rows, store_rows
from regie.monitor.services.texts import (
    failure_note,
    format_error_text,
    note_text,
    set_errors,
    set_skipped,
)
from regie.monitor.services.writes import COMPARE, VALIDATE, _SeriesWriter
from regie.monitor.sources.base import FormatError, Row, RowError, Skip, SkipReason


class _Rejected(Exception):
    """Raised inside the import transaction to roll it back."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(f"{len(errors)} rejected rows")
        self.errors = errors


def import_rows(
    rows: Iterable[Row | RowError | Skip] | bulk.Prepared,
    *,
    dataset: Dataset,
    lookup: CatalogueLookup,
    fmt: str,
    filename: str,
    sha256: str = "",
    user: Any | None = None,
    dry_run: bool = False,
    notes: list[str] | None = None,
    progress: Callable[[int], None] | None = None,
    batch: ImportBatch | None = None,
) -> ImportReport:
    """Validate and store ``rows`` for ``dataset`` atomically; see :mod:`regie.monitor.services`.

    Rows are read and checked outside any transaction; only the write of an import that passed
    is one (short) transaction, which also records the batch's final state.
    """
    label = user.get_username() if user is not None else "systeem"
    try:
        batch = _start_batch(
            batch,
            dataset=dataset,
            fmt=fmt,
            filename=filename,
            sha256=sha256,
            user=user,
            label=label,
            dry_run=dry_run,
        )
    except batches.BatchAbandoned:
        # Marked failed while it waited in the queue: it stays failed, nothing is read.
        given = batch.pk if batch is not None else None
        return _abandoned(ImportReport(given, BatchState.FAILED, str(dataset)))
    beat = batches.Heartbeat(batch.pk, progress)
    report = ImportReport(batch_id=batch.pk, state=BatchState.RUNNING, dataset=str(dataset))
    errors = ErrorLog()
    skips = SkipLog()
    writer = _SeriesWriter(batch, dataset.organisation, mode=COMPARE if dry_run else VALIDATE)
    writer.period_column = lookup.column("period")
    report.notes = [note_text(n) for n in (notes or [])]
    try:
        if isinstance(rows, bulk.Prepared):
            _take_prepared(rows, report, writer, errors, skips, dry_run=dry_run)
            beat(report.rows_read)
        else:
            report.period_first, report.period_last = store_rows(
                rows, writer, lookup, report, errors, beat, skips
            )
        # Adapters add notes while their rows are read (incident lists, OData "only totals"):
        # take them now that every row has been read.
        report.notes = [note_text(n) for n in (notes or [])]
        set_errors(report, errors)
        set_skipped(report, skips)
        if errors:
            report.state = BatchState.REJECTED
        elif report.values == 0:
            report.state = BatchState.REJECTED
            report.notes.append(_("The file holds no figures."))
        elif dry_run:
            report.state = BatchState.DRY_RUN
            report.stored, report.unchanged, report.revised = (
                writer.stored,
                writer.unchanged,
                writer.revised,
            )
        else:
            _commit(
                rows if isinstance(rows, bulk.Prepared) else None,
                writer=writer,
                dataset=dataset,
                batch=batch,
                report=report,
                user=user,
                label=label,
                filename=filename,
            )
            return report
    except _Rejected as rejected:
        _rejected_by_write(report, rejected)
    except batches.BatchAbandoned:
        # Another process marked the batch failed while this one worked: the write (if any)
        # was rolled back, and the batch stays failed.
        return _abandoned(report)
    except Exception as exc:
        _failed(exc, batch, report, errors, skips, dry_run=dry_run)
        raise
    finally:
        writer.close()
    try:
        _finish(batch, report)
    except batches.BatchAbandoned:
        return _abandoned(report)
    return report


def _take_prepared(
    prepared: bulk.Prepared,
    report: ImportReport,
    writer: _SeriesWriter,
    errors: ErrorLog,
    skips: SkipLog,
    *,
    dry_run: bool,
) -> None:
    """The counts of points the columnar path checked already (:func:`bulk.prepare`); a check
    (dry run) compares them with the series held now."""
    report.rows_read = prepared.count + prepared.skipped
    report.values = prepared.count
    skips.counts[SkipReason.PSEUDO_REGION] = prepared.skipped
    skips.examples[SkipReason.PSEUDO_REGION] = prepared.skipped_areas[:SKIP_EXAMPLES]
    skips.more[SkipReason.PSEUDO_REGION] = len(prepared.skipped_areas) > SKIP_EXAMPLES
    report.period_first, report.period_last = prepared.first, prepared.last
    if dry_run:
        bulk.store(prepared, writer)
        report.rejected = rejected_rows(writer.flush(), errors)


def _rejected_by_write(report: ImportReport, rejected: _Rejected) -> None:
    """The write found a row that repeats an earlier one: it was rolled back."""
    found = ErrorLog()
    report.rejected = rejected_rows(rejected.errors, found)
    set_errors(report, found)
    report.stored = report.unchanged = report.revised = 0
    report.state = BatchState.REJECTED


def _failed(
    exc: Exception,
    batch: ImportBatch,
    report: ImportReport,
    errors: ErrorLog,
    skips: SkipLog,
    *,
    dry_run: bool,
) -> None:
    """Record an import that broke off on ``report`` and its batch (the caller raises again).

    A file that breaks half-way (FormatError deep in a CSV, a damaged XLSX): nothing was
    stored; the batch says so instead of staying "running" for ever. The note is the user's
    language; an unexpected error's own text (internals, file values) is logged by the caller,
    not shown.
    """
    report.state = BatchState.FAILED
    set_errors(report, errors)
    set_skipped(report, skips)
    note = format_error_text(exc) if isinstance(exc, FormatError) else failure_note(dry_run=dry_run)
    report.notes = [*report.notes, note]
    report.error = note
    exc.report = report  # type: ignore[attr-defined]  # for `regie import --json`
    with contextlib.suppress(batches.BatchAbandoned):  # failed already: it stays so
        _finish(batch, report)


def _abandoned(report: ImportReport) -> ImportReport:
    """The report of a batch that another process marked failed: nothing stored."""
    report.state = BatchState.FAILED
    report.stored = report.unchanged = report.revised = 0
    report.notes = [*report.notes, batches.abandoned_note()]
    return report


def _finish(batch: ImportBatch, report: ImportReport) -> None:
    batches.atomic_retry(lambda: _finish_batch(batch, report), beat=lambda: batches.beat(batch.pk))


def _start_batch(
    batch: ImportBatch | None,
    *,
    dataset: Dataset,
    fmt: str,
    filename: str,
    sha256: str,
    user: Any | None,
    label: str,
    dry_run: bool,
) -> ImportBatch:
    """The batch of this import, running in this process (created when not queued before)."""
    worker = batches.this_worker()
    now = timezone.now()
    if batch is None:
        return ImportBatch.objects.create(
            dataset=dataset,
            format=fmt,
            filename=filename[:300],
            sha256=sha256,
            imported_by=user,
            imported_by_label=label,
            state=BatchState.RUNNING,
            dry_run=dry_run,
            worker_host=worker.host,
            worker_pid=worker.pid,
            heartbeat_at=now,
        )
    values: dict[str, Any] = {
        "state": BatchState.RUNNING,
        "worker_host": worker.host,
        "worker_pid": worker.pid,
        "heartbeat_at": now,
    }
    if batch.dataset_id != dataset.pk:
        values["dataset"] = dataset  # a queued check names the gemeente's dataset in advance
    if sha256 and not batch.sha256:
        values["sha256"] = sha256

    def start() -> None:
        # Only a batch still open: one marked failed meanwhile (abandoned) stays failed.
        if not ImportBatch.objects.filter(pk=batch.pk, state__in=batches.OPEN_STATES).update(
            **values
        ):
            raise batches.BatchAbandoned(batch.pk)

    batches.atomic_retry(start)
    for name, value in values.items():
        setattr(batch, name, value)
    return batch


def _commit(
    prepared: bulk.Prepared | None,
    *,
    writer: _SeriesWriter,
    dataset: Dataset,
    batch: ImportBatch,
    report: ImportReport,
    user: Any | None,
    label: str,
    filename: str,
) -> None:
    """The write of a checked import: figures, batch state and audit event in one transaction.

    On SQLite the transaction holds the database's write lock: it only merges points already
    read and checked. When another write holds the lock, it waits and tries again.
    """

    def work() -> None:
        if connection.vendor == "postgresql":
            # One import per dataset at a time: a second waits instead of interleaving.
            Dataset.objects.select_for_update().get(pk=dataset.pk)
        # A batch marked failed (abandoned) while this import read or waited stores nothing.
        batches.claim_open(batch.pk)
        errors = writer.write(prepared)
        if errors:
            raise _Rejected(errors)
        report.state = BatchState.DONE
        report.stored, report.unchanged, report.revised = (
            writer.stored,
            writer.unchanged,
            writer.revised,
        )
        _finish_batch(batch, report)
        record_event(
            action=AuditAction.IMPORT,
            user=user,
            label=label,
            organisation=dataset.organisation,
            description=_("Import %(file)s into %(dataset)s: %(summary)s")
            % {"file": filename, "dataset": dataset, "summary": report.summary()},
        )

    batches.atomic_retry(work, beat=lambda: batches.beat(batch.pk))


def _finish_batch(batch: ImportBatch, report: ImportReport) -> None:
    """Store the outcome on the batch (in a transaction), unless another process marked it
    failed meanwhile (:class:`batches.BatchAbandoned`)."""
    batches.claim_open(batch.pk)
    batch.state = report.state
    batch.finished_at = timezone.now()
    batch.progress = report.rows_read
    batch.rows_read = report.rows_read
    batch.rows_stored = report.stored
    batch.rows_unchanged = report.unchanged
    batch.rows_revised = report.revised
    batch.rows_rejected = report.rejected
    batch.period_first = report.period_first
    batch.period_last = report.period_last
    batch.errors = report.stored_errors()
    batch.notes = report.notes
    batch.save()
