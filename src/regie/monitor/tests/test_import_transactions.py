"""When an import holds a transaction: never while it reads; a check never; the write is short.

SQLite (WAL, ``transaction_mode=IMMEDIATE``) takes its one write lock at the start of every
transaction: an import that read its file inside one would make every other user's login wait.
These tests watch the transaction depth while the rows are read, and check that files larger than
one flush (kept in a temporary file between the passes) import exactly like small ones.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import OperationalError, connection
from django.test.utils import CaptureQueriesContext

from regie.monitor import batches, services
from regie.monitor.models import BatchState, ImportBatch, Observation, Period, Revision, Series
from regie.monitor.sources.base import Row, RowError, Status
from regie.monitor.tests.factories import dataset, rows

pytestmark = pytest.mark.django_db

VALUES = [
    ("GM0556", "politie:1.1.1", "2022", 10.0),
    ("GM0556", "politie:1.1.2", "2022", 11.0),
    ("NL01", "politie:1.1.1", "2022", 12.0),
    ("GM0556", "politie:1.1.1", "2023", 13.0),
    ("NL01", "politie:1.1.1", "2023", 14.0),
]


def watched(items: list[Row | RowError], depths: list[int]) -> Iterator[Row | RowError]:
    """The rows, noting the transaction depth (savepoints inside the test's own) per row."""
    for item in items:
        depths.append(len(connection.savepoint_ids))
        yield item


def run(items: Any, **kwargs: Any) -> services.ImportReport:
    services.load_catalogue()
    return services.import_rows(
        items,
        dataset=dataset(),
        lookup=services.CatalogueLookup(None),
        fmt="test",
        filename="x.csv",
        **kwargs,
    )


def figures() -> list[tuple[Any, ...]]:
    return sorted(
        Observation.objects.values_list("area__code", "measure__code", "period", "value", "status")
    )


@pytest.mark.parametrize("dry_run", [True, False])
def test_rows_are_read_outside_any_transaction(areas: Any, dry_run: bool) -> None:
    depths: list[int] = []
    report = run(watched(rows(*VALUES), depths), dry_run=dry_run)
    assert report.ok
    assert depths == [0] * len(VALUES)  # the old service read every row inside its transaction


def test_a_check_writes_nothing_but_its_batch(areas: Any) -> None:
    services.load_catalogue()
    run(rows(*VALUES[:2]))  # something to compare with
    before = (Series.objects.count(), Period.objects.count(), Revision.objects.count())
    changed = [
        ("GM0556", "politie:1.1.1", "2022", 99.0),
        *VALUES[1:],
        ("RE07", "cbs:T001161", "2021", 1.0),
    ]
    with CaptureQueriesContext(connection) as queries:
        report = run(rows(*changed), dry_run=True)
    assert report.state == BatchState.DRY_RUN
    assert (report.stored, report.unchanged, report.revised) == (4, 1, 1)
    assert (Series.objects.count(), Period.objects.count(), Revision.objects.count()) == before
    written = {
        match.group(1)
        for q in queries.captured_queries
        if (match := re.match(r'(?:INSERT INTO|UPDATE|DELETE FROM) "?(\w+)', q["sql"]))
    }
    assert written <= {"monitor_importbatch", "core_auditentry"}, written


@pytest.mark.parametrize("flush_points", [2, 3, 250_000])
def test_files_larger_than_one_flush_import_the_same(
    areas: Any, monkeypatch: pytest.MonkeyPatch, flush_points: int
) -> None:
    monkeypatch.setattr(services.rows, "FLUSH_POINTS", flush_points)
    first = run(rows(*VALUES))
    assert (first.state, first.stored) == (BatchState.DONE, 5)
    assert len(figures()) == 5
    changed = [(*VALUES[0][:3], 20.0, Status.VOORLOPIG), *VALUES[1:]]
    check = run(rows(*changed), dry_run=True)
    assert (check.stored, check.unchanged, check.revised) == (0, 4, 1)
    second = run(rows(*changed))
    assert (second.stored, second.unchanged, second.revised) == (0, 4, 1)
    assert Revision.objects.get().new_value == 20.0
    assert ("GM0556", "politie:1.1.1", "2022", 20.0, "voorlopig") in figures()


@pytest.mark.parametrize("dry_run", [True, False])
def test_a_row_repeating_a_row_of_an_earlier_flush_is_rejected(
    areas: Any, monkeypatch: pytest.MonkeyPatch, dry_run: bool
) -> None:
    monkeypatch.setattr(services.rows, "FLUSH_POINTS", 2)
    report = run(rows(*VALUES, ("GM0556", "politie:1.1.1", "2022", 10.0)), dry_run=dry_run)
    assert report.state == BatchState.REJECTED
    assert [(e.line, e.column, e.value) for e in report.errors] == [(6, "periode", "2022")]
    assert Series.objects.count() == 0


def _busy(monkeypatch: pytest.MonkeyPatch, times: int) -> dict[str, int]:
    """The write fails ``times`` times as SQLite does when another write holds the lock."""
    original = services._SeriesWriter.write
    calls = {"n": 0}

    def write(self: services._SeriesWriter, prepared: Any = None) -> Any:
        calls["n"] += 1
        result = original(self, prepared)  # writes; then the lock "fails": all rolled back
        if calls["n"] <= times:
            raise OperationalError("database is locked")
        return result

    monkeypatch.setattr(services._SeriesWriter, "write", write)
    return calls


@pytest.mark.django_db(transaction=True)
def test_the_write_is_tried_again_while_the_database_is_locked(
    areas: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The figures, the batch's state and the audit event commit together, after waiting."""
    pauses: list[float] = []
    monkeypatch.setattr(batches, "_sleep", pauses.append)
    calls = _busy(monkeypatch, 2)
    report = run(rows(*VALUES))
    assert calls["n"] == 3
    assert pauses == [0.5, 1.0]
    assert (report.state, report.stored) == (BatchState.DONE, 5)
    assert ImportBatch.objects.get().state == BatchState.DONE
    assert len(figures()) == 5
    assert Revision.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_a_write_that_never_gets_the_lock_fails_and_stores_nothing(
    areas: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    pauses: list[float] = []
    monkeypatch.setattr(batches, "_sleep", pauses.append)
    monkeypatch.setattr(batches, "LOCK_WAIT_SECONDS", 0.0)
    _busy(monkeypatch, 99)
    with pytest.raises(OperationalError):
        run(rows(*VALUES))
    assert pauses == []
    batch = ImportBatch.objects.get()
    assert batch.state == BatchState.FAILED
    assert Series.objects.count() == 0


def test_other_errors_are_not_retried(monkeypatch: pytest.MonkeyPatch) -> None:
    pauses: list[float] = []
    monkeypatch.setattr(batches, "_sleep", pauses.append)

    def broken() -> None:
        raise OperationalError("no such table: x")

    with pytest.raises(OperationalError):
        batches.atomic_retry(broken)
    assert pauses == []
