"""The durable job queue: periodic jobs, recovery, the worker command and several workers."""

from __future__ import annotations

import datetime as dt
import io
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone
from django_tasks import TaskResultStatus, task
from django_tasks_db.models import DBTaskResult

from regie.core import jobs
from regie.core.models import JobWorker, ScheduledJob

#: Runs of :func:`record` (several worker threads append to it).
RUNS: list[int] = []
_RUNS_LOCK = threading.Lock()


@task(queue_name=jobs.CHECKS_QUEUE)
def record(n: int) -> int:
    """A test job: says it ran."""
    with _RUNS_LOCK:
        RUNS.append(n)
    return n


@pytest.fixture(autouse=True)
def _durable(settings: Any) -> Iterator[None]:
    settings.REGIE_TASKS_EAGER = False
    saved = dict(jobs.REGISTRY)
    RUNS.clear()
    yield
    jobs.REGISTRY.clear()
    jobs.REGISTRY.update(saved)


def at(hour: int, minute: int = 0, day: int = 1) -> dt.datetime:
    return timezone.make_aware(dt.datetime(2026, 3, day, hour, minute))


def test_a_daily_job_is_due_at_its_local_time_of_day() -> None:
    job = jobs.Periodic("x", lambda: None, None, dt.time(3, 0))
    assert job.next_after(at(2, 59)) == at(3, 0)
    assert job.next_after(at(3, 0)) == at(3, 0, day=2)
    assert job.first_run(at(12, 0)) == at(3, 0, day=2)
    every = jobs.Periodic("y", lambda: None, dt.timedelta(hours=1), None)
    assert every.first_run(at(12, 0)) == at(12, 0)
    assert every.next_after(at(12, 0)) == at(13, 0)


def test_a_periodic_job_says_when_it_runs() -> None:
    with pytest.raises(ValueError, match="either"):
        jobs.periodic("x")
    with pytest.raises(ValueError, match="either"):
        jobs.periodic("x", every=dt.timedelta(hours=1), at="03:00")


def test_the_nightly_cleanup_is_registered() -> None:
    registry = jobs.discover()
    assert registry["monitor.cleanup"].at == dt.time(3, 0)


@pytest.mark.django_db
def test_a_due_periodic_job_is_queued_once_and_runs(settings: Any, tmp_path: Any) -> None:
    settings.VAR_DIR = tmp_path
    ran: list[str] = []
    jobs.REGISTRY.clear()
    jobs.periodic("test.hourly", every=dt.timedelta(hours=1))(lambda: ran.append("x"))
    jobs.REGISTRY["test.hourly"] = jobs.Periodic(
        "test.hourly", lambda: ran.append("x") or "ok", dt.timedelta(hours=1), None
    )
    now = timezone.now()
    assert jobs.enqueue_due(now=now) == ["test.hourly"]
    # A second worker (or round) at the same moment finds it queued already.
    assert jobs.enqueue_due(now=now) == []
    assert jobs.enqueue_due(now=now + dt.timedelta(minutes=59)) == []
    row = ScheduledJob.objects.get(name="test.hourly")
    assert row.next_run_at == now + dt.timedelta(hours=1)
    job = DBTaskResult.objects.get()
    assert (job.queue_name, job.args_kwargs["args"]) == (jobs.PERIODIC_QUEUE, ["test.hourly"])
    assert str(job.pk) == row.last_task_id
    call_command("worker", "--batch")
    assert ran == ["x"]
    job.refresh_from_db()
    assert (job.status, job.return_value) == (TaskResultStatus.SUCCESSFUL, "ok")
    assert jobs.enqueue_due(now=now + dt.timedelta(hours=1)) == ["test.hourly"]


@pytest.mark.django_db
def test_the_worker_refuses_when_jobs_run_eagerly(settings: Any) -> None:
    settings.REGIE_TASKS_EAGER = True
    with pytest.raises(CommandError, match="REGIE_TASKS_EAGER"):
        call_command("worker", "--batch")


@pytest.mark.django_db
def test_a_worker_says_it_is_alive_and_that_it_stopped() -> None:
    stop = threading.Event()
    stop.set()  # one start, no rounds
    worker_id = jobs.run_worker(stop=stop, interval=0.01)
    row = JobWorker.objects.get(worker_id=worker_id)
    assert row.stopped_at is not None
    assert jobs.worker_gone(f"{worker_id}/imports", timezone.now(), now=timezone.now())
    assert jobs.other_live_workers("") == 0


@pytest.mark.django_db
def test_a_job_of_a_live_worker_is_left_alone() -> None:
    live = jobs.register_worker(jobs.new_worker_id())
    result = record.enqueue(1)
    DBTaskResult.objects.filter(pk=result.id).update(
        status=TaskResultStatus.RUNNING,
        started_at=timezone.now(),
        worker_ids=[f"{live.worker_id}/other"],
    )
    me = jobs.this_process()
    assert me.pid == live.pid
    assert jobs.recover_abandoned() == ([], [])
    # A job claimed by an unknown worker (db_worker by hand) only after a long time.
    DBTaskResult.objects.filter(pk=result.id).update(worker_ids=["somewhere/other"])
    assert jobs.recover_abandoned() == ([], [])
    later = timezone.now() + jobs.UNKNOWN_WORKER_AFTER + dt.timedelta(minutes=1)
    assert jobs.recover_abandoned(now=later) == ([str(result.id)], [])
    assert DBTaskResult.objects.get(pk=result.id).status == TaskResultStatus.READY


def test_serve_starts_a_worker_and_stops_it(monkeypatch: pytest.MonkeyPatch, settings: Any) -> None:
    import waitress

    from regie.core.management.commands import serve

    settings.REGIE_TASKS_EAGER = False
    events: list[str] = []

    class FakeWorker:
        def poll(self) -> None:
            return None

        def terminate(self) -> None:
            events.append("terminate")

        def wait(self, timeout: float | None = None) -> int:
            events.append("wait")
            return 0

    def fake_serve(app: Any, **kwargs: Any) -> None:
        events.append("serve")
        raise KeyboardInterrupt  # Ctrl+C

    monkeypatch.setattr(serve, "start_worker", lambda: events.append("worker") or FakeWorker())
    monkeypatch.setattr(serve, "run_cleanup", lambda: events.append("cleanup"))
    monkeypatch.setattr(waitress, "serve", fake_serve)
    with pytest.raises(KeyboardInterrupt):
        call_command("serve", "--port", "8124", stdout=io.StringIO())
    assert events == ["worker", "serve", "terminate", "wait"]
    events.clear()
    monkeypatch.setattr(serve, "start_cleanup_thread", lambda: threading.Event())
    with pytest.raises(KeyboardInterrupt):
        call_command("serve", "--port", "8124", "--no-worker", stdout=io.StringIO())
    assert events == ["cleanup", "serve"]  # without a worker it keeps house itself


@pytest.mark.django_db(transaction=True)
def test_two_workers_on_postgresql_run_every_job_exactly_once() -> None:
    if connection.vendor != "postgresql":
        pytest.skip(
            "several workers are supported on PostgreSQL only (claims use SELECT … FOR UPDATE "
            "SKIP LOCKED); on SQLite one worker is the supported setup"
        )
    n = 40
    for i in range(n):
        record.enqueue(i)
    errors: list[BaseException] = []

    def work() -> None:
        try:
            jobs.run_worker(batch=True, interval=0)
        except BaseException as exc:  # pragma: no cover - shown by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not errors
    assert sorted(RUNS) == list(range(n))  # each job once: none twice, none left out
    results = DBTaskResult.objects.all()
    assert {r.status for r in results} == {TaskResultStatus.SUCCESSFUL}
    assert all(len(r.worker_ids) == 1 for r in results)


@pytest.mark.django_db
def test_finished_jobs_are_pruned_after_two_weeks() -> None:
    """Finished jobs name the uploaded file: the nightly clean-up deletes them after 14 days."""
    old, recent, waiting = (record.enqueue(n) for n in (1, 2, 3))
    now = timezone.now()
    DBTaskResult.objects.filter(pk__in=[old.id, recent.id]).update(
        status=TaskResultStatus.SUCCESSFUL, finished_at=now
    )
    DBTaskResult.objects.filter(pk=old.id).update(finished_at=now - dt.timedelta(days=15))
    assert jobs.prune_results() == 1
    assert set(DBTaskResult.objects.values_list("pk", flat=True)) == {
        DBTaskResult.objects.get(pk=recent.id).pk,
        DBTaskResult.objects.get(pk=waiting.id).pk,
    }


@pytest.mark.django_db
def test_a_worker_never_takes_its_own_process_for_gone() -> None:
    own = f"{jobs.new_worker_id()}/imports"
    long_ago = timezone.now() - dt.timedelta(days=2)
    assert not jobs.worker_gone(own, long_ago, now=timezone.now())
