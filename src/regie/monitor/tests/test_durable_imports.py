"""Checks and imports are durable jobs: queued in the database, run by ``regie worker``.

"Kill the server during a queued import, start it again: the import completes": a queued job
waits in the database, and a job left running by a dead worker is run again.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import OperationalError
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from regie.accounts.models import Role
from regie.core import jobs
from regie.core.models import JobWorker, Organisation
from regie.monitor import services, tasks
from regie.monitor.models import BatchState, ImportBatch, Observation
from regie.monitor.tests.test_bronnen_views import (
    MALFORMED,
    VALID,
    Login,
    Member,
    confirm,
    upload,
    uploads_dir,
)
from regie.monitor.views import SESSION_KEY


@pytest.fixture(autouse=True)
def _durable(settings: Any, tmp_path: Path, areas: Any) -> None:
    settings.REGIE_TASKS_EAGER = False  # the database queue, as installed
    settings.VAR_DIR = tmp_path
    services.load_catalogue()


def run_worker() -> None:
    """A worker that runs the jobs waiting, then stops (``regie worker --batch``)."""
    call_command("worker", "--batch")


def a_gone_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_a_queued_import_waits_for_a_worker_and_then_completes(
    maassluis: Organisation, member: Member, login: Login, settings: Any
) -> None:
    """Upload and confirm through HTTP: nothing runs in the web process; a worker started later
    (after the server was stopped and started again) checks and imports the file."""
    client = login(member(maassluis, Role.ADVISEUR))
    response = upload(client, maassluis, VALID)
    assert response.status_code == 302
    check = ImportBatch.objects.get()
    assert check.state == BatchState.QUEUED  # not run in the request
    job = DBTaskResult.objects.get()
    assert (job.status, job.queue_name) == (TaskResultStatus.READY, jobs.CHECKS_QUEUE)
    assert check.task_id == str(job.pk)
    page = client.get(response["Location"], headers={"HX-Request": "true"})
    assert 'hx-trigger="every 1s"' in page.content.decode()

    run_worker()
    check.refresh_from_db()
    assert check.state == BatchState.DRY_RUN
    (token,) = client.session[SESSION_KEY]
    assert (uploads_dir(settings) / token).is_file()  # kept for the confirmation

    response = confirm(client, maassluis, token)
    assert response.status_code == 302
    batch = ImportBatch.objects.get(dry_run=False)
    assert batch.state == BatchState.QUEUED
    assert batch.progress_total == 3  # the rows its check read: every page shows "x of 3"
    assert Observation.objects.count() == 0
    assert DBTaskResult.objects.get(pk=batch.task_id).queue_name == jobs.IMPORTS_QUEUE
    status = client.get(response["Location"], headers={"HX-Request": "true"}).content.decode()
    assert 'max="3"' in status

    # The server stops here; the job stays in the database. A worker starts again:
    run_worker()
    batch.refresh_from_db()
    assert batch.state == BatchState.DONE, batch.notes
    assert batch.rows_stored == 3
    assert Observation.objects.filter(owner=maassluis).count() == 3
    assert DBTaskResult.objects.get(pk=batch.task_id).status == TaskResultStatus.SUCCESSFUL
    assert not (uploads_dir(settings) / token).exists()
    assert tasks.progress_of(batch.pk) is None
    done = client.get(response["Location"], headers={"HX-Request": "true"}).content.decode()
    assert "hx-trigger" not in done


def queued_import(maassluis: Organisation, member: Member, tmp_path: Path) -> ImportBatch:
    user = member(maassluis, Role.ADVISEUR)
    path = tmp_path / "upload"
    path.write_text(VALID, encoding="utf-8")
    return tasks.queue_local_import(
        path=path,
        organisation=maassluis,
        dataset=services.local_dataset(maassluis),
        user=user,
        filename="cijfers.csv",
        expected_rows=3,
    )


def test_an_import_left_running_by_a_dead_worker_is_run_again(
    maassluis: Organisation, member: Member, tmp_path: Path
) -> None:
    batch = queued_import(maassluis, member, tmp_path)
    dead = a_gone_pid()
    me = jobs.this_process()
    dead_worker = f"{me.host[:30]}:{dead}:0000"
    # The worker claimed the job, started the import and was killed before it wrote anything.
    DBTaskResult.objects.filter(pk=batch.task_id).update(
        status=TaskResultStatus.RUNNING,
        started_at=timezone.now(),
        worker_ids=[f"{dead_worker}/imports"],
    )
    ImportBatch.objects.filter(pk=batch.pk).update(
        state=BatchState.RUNNING, worker_host=me.host, worker_pid=dead, progress=2
    )
    # A page shown meanwhile does not fail it: the queue will run it again.
    from regie.monitor import batches

    assert batches.fail_abandoned() == []

    run_worker()
    batch.refresh_from_db()
    assert batch.state == BatchState.DONE, batch.notes
    assert Observation.objects.filter(owner=maassluis).count() == 3
    job = DBTaskResult.objects.get(pk=batch.task_id)
    assert job.status == TaskResultStatus.SUCCESSFUL
    assert len(job.worker_ids) == 2  # the dead worker's run and the new one
    assert not (tmp_path / "upload").exists()


def test_a_worker_that_stopped_saying_it_is_alive_is_taken_for_dead(
    maassluis: Organisation, member: Member, tmp_path: Path
) -> None:
    """On another host (no process id to look at): by its last sign of life."""
    batch = queued_import(maassluis, member, tmp_path)
    JobWorker.objects.create(
        worker_id="elders:123:abcd",
        host="elders",
        pid=123,
        seen_at=timezone.now() - jobs.WORKER_GONE_AFTER * 2,
    )
    DBTaskResult.objects.filter(pk=batch.task_id).update(
        status=TaskResultStatus.RUNNING,
        started_at=timezone.now(),
        worker_ids=["elders:123:abcd/imports"],
    )
    alive = JobWorker.objects.create(
        worker_id="elders:124:abcd", host="elders", pid=124, seen_at=timezone.now()
    )
    assert not jobs.worker_gone(f"{alive.worker_id}/imports", timezone.now(), now=timezone.now())
    run_worker()
    batch.refresh_from_db()
    assert batch.state == BatchState.DONE, batch.notes


def test_a_job_whose_workers_keep_dying_is_failed_with_a_reason(
    maassluis: Organisation, member: Member, tmp_path: Path
) -> None:
    batch = queued_import(maassluis, member, tmp_path)
    me = jobs.this_process()
    dead = [f"{me.host[:30]}:{a_gone_pid()}:000{n}/imports" for n in range(jobs.MAX_ATTEMPTS)]
    DBTaskResult.objects.filter(pk=batch.task_id).update(
        status=TaskResultStatus.RUNNING, started_at=timezone.now(), worker_ids=dead
    )
    ImportBatch.objects.filter(pk=batch.pk).update(state=BatchState.RUNNING)
    requeued, failed = jobs.recover_abandoned()
    assert (requeued, failed) == ([], [batch.task_id])
    from regie.monitor import batches

    assert batches.fail_abandoned() == [batch.pk]
    batch.refresh_from_db()
    assert batch.state == BatchState.FAILED
    assert batch.notes == [batches.abandoned_note()]  # "Afgebroken: … niets opgeslagen."
    assert Observation.objects.count() == 0


def test_a_transient_database_error_is_tried_again(
    maassluis: Organisation, member: Member, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tasks, "RETRY_DELAY", tasks.RETRY_DELAY * 0)  # due at once
    batch = queued_import(maassluis, member, tmp_path)
    original = services.import_file
    calls: list[int] = []

    def flaky(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("database is locked")
        return original(*args, **kwargs)

    monkeypatch.setattr(services, "import_file", flaky)
    first = batch.task_id
    run_worker()
    batch.refresh_from_db()
    assert len(calls) == 2
    assert batch.state == BatchState.DONE, batch.notes
    assert batch.task_id != first  # the retry's job
    assert DBTaskResult.objects.get(pk=batch.task_id).args_kwargs["kwargs"]["retry"] == 1
    assert Observation.objects.filter(owner=maassluis).count() == 3


def test_transient_errors_are_tried_a_bounded_number_of_times(
    maassluis: Organisation, member: Member, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tasks, "RETRY_DELAY", tasks.RETRY_DELAY * 0)
    batch = queued_import(maassluis, member, tmp_path)
    calls: list[int] = []

    def locked(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        raise OperationalError("database is locked")

    monkeypatch.setattr(services, "import_file", locked)
    run_worker()
    batch.refresh_from_db()
    assert len(calls) == 1 + tasks.MAX_RETRIES
    assert batch.state == BatchState.FAILED
    assert batch.notes == [services.failure_note(dry_run=False)]


def test_a_file_that_cannot_be_read_is_not_tried_again(
    maassluis: Organisation, member: Member, login: Login
) -> None:
    client = login(member(maassluis, Role.ADVISEUR))
    upload(client, maassluis, "dit is geen sjabloon\n\x00\x01", name="fout.csv")
    upload_bad = ImportBatch.objects.get()
    run_worker()
    upload_bad.refresh_from_db()
    assert upload_bad.state in (BatchState.REJECTED, BatchState.FAILED)
    assert DBTaskResult.objects.count() == 1  # no retry was queued
    assert upload_bad.notes


def test_a_rejected_check_reports_its_errors(
    maassluis: Organisation, member: Member, login: Login
) -> None:
    client = login(member(maassluis, Role.ADVISEUR))
    upload(client, maassluis, MALFORMED, name="fout.csv")
    run_worker()
    check = ImportBatch.objects.get()
    assert (check.state, check.rows_rejected) == (BatchState.REJECTED, 2)
    assert DBTaskResult.objects.get().status == TaskResultStatus.SUCCESSFUL
