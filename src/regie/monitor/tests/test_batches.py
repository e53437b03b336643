"""Batches whose process died are marked failed; `regie cleanup` and `regie serve` keep house."""

from __future__ import annotations

import datetime as dt
import io
import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone, translation

from regie.core.models import AuditAction, AuditEntry, Organisation
from regie.monitor import batches, services
from regie.monitor.models import BatchState, ImportBatch
from regie.monitor.tests.factories import load

pytestmark = pytest.mark.django_db

LONG_AGO = dt.timedelta(days=30)


@pytest.fixture(autouse=True)
def _var_dir(settings: Any, tmp_path: Path) -> None:
    settings.VAR_DIR = tmp_path


def a_gone_pid() -> int:
    """The id of a process that has ended (and been reaped)."""
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def make_batch(organisation: Organisation, **values: Any) -> ImportBatch:
    defaults: dict[str, Any] = {
        "format": "local",
        "filename": "x.csv",
        "imported_by_label": "x",
        "state": BatchState.RUNNING,
        "heartbeat_at": timezone.now(),
    }
    defaults.update(values)
    return ImportBatch.objects.create(dataset=services.local_dataset(organisation), **defaults)


def test_which_batches_are_abandoned(maassluis: Organisation) -> None:
    here = batches.this_worker()
    stale = timezone.now() - batches.ABANDONED_AFTER - dt.timedelta(seconds=1)
    alive = make_batch(maassluis, worker_host=here.host, worker_pid=here.pid)
    gone = make_batch(maassluis, worker_host=here.host, worker_pid=a_gone_pid())
    silent_elsewhere = make_batch(maassluis, worker_host="elders", worker_pid=1, heartbeat_at=stale)
    busy_elsewhere = make_batch(maassluis, worker_host="elders", worker_pid=1)
    queued_long_ago = make_batch(maassluis, state=BatchState.QUEUED, heartbeat_at=None)
    ImportBatch.objects.filter(pk=queued_long_ago.pk).update(started_at=stale)
    finished = make_batch(
        maassluis, state=BatchState.DONE, worker_host=here.host, worker_pid=a_gone_pid()
    )

    failed = batches.fail_abandoned()

    assert sorted(failed) == sorted([gone.pk, silent_elsewhere.pk, queued_long_ago.pk])
    for batch in (alive, busy_elsewhere, finished):
        state = batch.state
        batch.refresh_from_db()
        assert batch.state == state
    gone.refresh_from_db()
    assert gone.state == BatchState.FAILED
    assert gone.finished_at is not None
    assert gone.notes == [batches.abandoned_note()]
    assert batches.fail_abandoned() == []  # once


def test_a_running_import_keeps_its_batch_alive(areas: Any, monkeypatch: Any) -> None:
    """The heartbeat stores the rows processed and the time, at most every few seconds."""
    monkeypatch.setattr(batches, "HEARTBEAT_SECONDS", 0.0)
    seen: list[tuple[int, int | None]] = []
    original = batches._store_beat

    def store(batch_id: int, rows: int | None) -> None:
        original(batch_id, rows)
        batch = ImportBatch.objects.get(pk=batch_id)
        seen.append((batch.progress, batch.worker_pid))

    monkeypatch.setattr(batches, "_store_beat", store)
    monkeypatch.setattr(services.rows, "CHUNK", 1)
    load(("GM0556", "politie:1.1.1", "2022", 10.0), ("NL01", "politie:1.1.1", "2022", 9.0))
    assert (1, os.getpid()) in seen
    batch = ImportBatch.objects.get()
    assert batch.state == BatchState.DONE
    assert (batch.worker_host, batch.worker_pid) == (batches.this_worker().host, os.getpid())


def test_cleanup_removes_stale_uploads_old_checks_and_fails_abandoned(
    maassluis: Organisation, areas: Any, settings: Any
) -> None:
    directory = batches.upload_dir()
    old_file, new_file = directory / "oud", directory / "nieuw"
    old_file.write_text("x")
    new_file.write_text("x")
    day_ago = timezone.now().timestamp() - 25 * 3600
    os.utime(old_file, (day_ago, day_ago))

    old_check = load(("GM0556", "politie:1.1.1", "2022", 10.0), dry_run=True)
    new_check = load(("GM0556", "politie:1.1.1", "2022", 10.0), dry_run=True)
    old_import = load(("GM0556", "politie:1.1.1", "2022", 10.0))
    ImportBatch.objects.filter(pk__in=[old_check.batch_id, old_import.batch_id]).update(
        started_at=timezone.now() - LONG_AGO
    )
    dead = make_batch(maassluis, worker_host="elders", heartbeat_at=timezone.now() - LONG_AGO)

    out = io.StringIO()
    with translation.override("en"):
        call_command("cleanup", "--dry-run", stdout=out)
    text = out.getvalue()
    assert "1 upload older than 24 hours would be removed." in text
    assert "1 check older than 7 days would be removed." in text
    assert "1 import whose process stopped would be marked failed." in text
    assert old_file.exists()
    assert ImportBatch.objects.count() == 4

    out = io.StringIO()
    with translation.override("en"):
        call_command("cleanup", stdout=out)
    assert "1 upload older than 24 hours removed." in out.getvalue()
    assert not old_file.exists()
    assert new_file.exists()
    remaining = set(ImportBatch.objects.values_list("pk", flat=True))
    assert remaining == {new_check.batch_id, old_import.batch_id, dead.pk}  # imports are history
    dead.refresh_from_db()
    assert dead.state == BatchState.FAILED
    # Removing a check is audited like any deletion, by the clean-up.
    entry = AuditEntry.objects.get(action=AuditAction.DELETE, object_id=str(old_check.batch_id))
    assert entry.actor_label == "regie cleanup"


def test_serve_caps_the_request_body_and_cleans_up(
    monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    import waitress

    from regie.core.management.commands import serve

    calls: list[str] = []
    served: dict[str, Any] = {}
    threads: list[float] = []
    monkeypatch.setattr(serve, "run_cleanup", lambda: calls.append("cleanup"))
    monkeypatch.setattr(
        serve, "start_cleanup_thread", lambda: threads.append(1) or threading.Event()
    )
    monkeypatch.setattr(waitress, "serve", lambda app, **kwargs: served.update(kwargs))
    settings.REGIE_MAX_REQUEST_BYTES = 5 * 1024 * 1024
    # Without a worker of its own (--no-worker) the server keeps house itself.
    call_command("serve", "--port", "8123", "--no-worker", stdout=io.StringIO())
    # The server lets through the largest body a view accepts (the public form's own bound,
    # core.uploads.request_limit); the application bounds every other view at the setting.
    from regie.cases.views.public import REQUEST_MAX_BYTES

    assert served["max_request_body_size"] == max(5 * 1024 * 1024, REQUEST_MAX_BYTES)
    settings.REGIE_MAX_REQUEST_BYTES = 80 * 1024 * 1024
    call_command("serve", "--port", "8123", "--no-worker", stdout=io.StringIO())
    assert served["max_request_body_size"] == 80 * 1024 * 1024
    assert served["port"] == 8123
    assert calls == ["cleanup", "cleanup"]  # at start (of each of the two)
    assert threads == [1, 1]  # then hourly


def test_the_cleanup_thread_runs_until_stopped(monkeypatch: pytest.MonkeyPatch) -> None:
    from regie.core.management.commands import serve

    ran = threading.Event()
    monkeypatch.setattr(serve, "run_cleanup", ran.set)
    stop = serve.start_cleanup_thread(interval=0.01)
    try:
        assert ran.wait(10)
    finally:
        stop.set()
