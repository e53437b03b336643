"""Durable background jobs: the queue, the worker, recovery and periodic jobs (ADR 0016).

Jobs are django-tasks tasks (``@task``) that wait in the database (``django_tasks_db``) until a
``regie worker`` process runs them; a job queued when the server stopped simply runs when a worker
starts again. With ``REGIE_TASKS_EAGER`` they run synchronously where they are enqueued
(django_tasks' ImmediateBackend): :func:`backend` names the backend to enqueue on.

The worker (:func:`run_worker`) runs two *lanes*, each a django_tasks_db worker loop in a thread
of its own: one for the queue ``imports`` (one import at a time: imports do not compete for the
database's write lock with each other) and one for every other queue (``checks``, ``periodic``),
so a check never waits behind an import. Its main thread is the *scheduler*: every
:data:`TICK_SECONDS` it stores the worker's sign of life (:class:`~regie.core.models.JobWorker`),
queues jobs left running by a worker that is gone (:func:`recover_abandoned`) and queues periodic
jobs that are due (:func:`enqueue_due`).

A job left *running* by a dead worker is queued again (at most :data:`MAX_ATTEMPTS` runs in all,
then it is marked failed). A worker is dead when its process is gone (same host), when it stopped,
or when it has not said it is alive for :data:`WORKER_GONE_AFTER`; a job claimed by a worker that
never registered (``db_worker`` run by hand) is taken for abandoned after
:data:`UNKNOWN_WORKER_AFTER`. Jobs must therefore be safe to run again: an import writes in one
transaction (a killed one wrote nothing) and checks write only their batch row.

Periodic jobs: an app registers a function in its ``tasks`` module (found by
:func:`discover`), for example::

    jobs.periodic("monitor.cleanup", at="03:00")(nightly_cleanup)
    jobs.periodic("accounts.reminders", every=dt.timedelta(hours=1))(send_reminders)

Each registered job has one :class:`~regie.core.models.ScheduledJob` row (unique name): a worker
locks it, queues the due run (the task :func:`run_periodic`) in the same transaction and moves its
next run on, so several workers queue each run once. Runs missed while no worker ran are not
repeated: the job runs once when a worker is back.

Several workers may run on PostgreSQL (a job is claimed with ``SELECT … FOR UPDATE SKIP LOCKED``).
On SQLite one worker is the supported setup: a second one works (SQLite's write lock serialises
the claims) but adds nothing but lock waits, and :func:`other_live_workers` lets ``regie worker``
warn about it.

Core knows no app's code: apps define their tasks and periodic jobs themselves.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import secrets
import signal
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, close_old_connections, connection, transaction
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules
from django_tasks import TaskResultStatus, task, task_backends

from regie.core.models import JobWorker, ScheduledJob

logger = logging.getLogger(__name__)

#: The queues of the job queue (``TASKS`` in the settings lists the same).
CHECKS_QUEUE = "checks"
IMPORTS_QUEUE = "imports"
PERIODIC_QUEUE = "periodic"
REPORTS_QUEUE = "reports"
#: Seconds between two rounds of the scheduler (sign of life, recovery, periodic jobs).
TICK_SECONDS = 15.0
#: A worker that has not said it is alive for this long is gone: its running jobs are queued again.
WORKER_GONE_AFTER = dt.timedelta(minutes=2)
#: A running job of a worker that never registered (``db_worker``) is abandoned after this long.
UNKNOWN_WORKER_AFTER = dt.timedelta(hours=24)
#: Runs of one job in all (the first and the runs after its workers died) before it is failed.
MAX_ATTEMPTS = 3
#: Rows of stopped workers are kept this long (they explain a recovered job), then removed.
WORKER_ROWS_KEPT = dt.timedelta(days=7)


# --- Which backend ------------------------------------------------------------------------------


def backend() -> str:
    """The task backend to enqueue on: ``immediate`` when ``REGIE_TASKS_EAGER`` is on (also when
    switched on at run time), else ``default`` (the database queue)."""
    return "immediate" if settings.REGIE_TASKS_EAGER else "default"


def is_durable() -> bool:
    """Whether jobs wait in the database for a worker (not eager)."""
    from django_tasks_db.backend import DatabaseBackend

    return not settings.REGIE_TASKS_EAGER and isinstance(task_backends["default"], DatabaseBackend)


def task_status(task_id: str) -> str | None:
    """The status of the queued job ``task_id`` (``READY``, ``RUNNING``, ``SUCCESSFUL``,
    ``FAILED``), or None when no such job is stored (run eagerly, or pruned)."""
    from django_tasks_db.models import DBTaskResult

    if not task_id:
        return None
    try:
        return DBTaskResult.objects.filter(pk=task_id).values_list("status", flat=True).first()
    except (ValidationError, ValueError):
        return None  # not a database job's id (ImmediateBackend)


# --- Who runs a job -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Process:
    host: str
    pid: int


def this_process() -> Process:
    """This process: host name and process id."""
    return Process(socket.gethostname()[:255], os.getpid())


def pid_alive(pid: int) -> bool:
    """Whether a process with this id runs on this host (a zombie counts as running)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it exists, under another user
    except OSError:
        return False
    return True


def new_worker_id() -> str:
    """``host:pid:random`` (at most 50 characters; a lane adds ``/imports`` or ``/other``)."""
    me = this_process()
    return f"{me.host[:30]}:{me.pid}:{secrets.token_hex(4)}"


def _parse(worker_id: str) -> tuple[str, Process | None]:
    """The worker (process) id of a lane's id, and its host and pid when they can be read."""
    process_id = worker_id.split("/", 1)[0]
    host, _sep, rest = process_id.partition(":")
    pid, _sep, _random = rest.partition(":")
    return process_id, (Process(host, int(pid)) if pid.isdigit() else None)


def register_worker(worker_id: str) -> JobWorker:
    me = this_process()
    return JobWorker.objects.create(
        worker_id=worker_id, host=me.host, pid=me.pid, seen_at=timezone.now()
    )


def worker_beat(worker_id: str) -> None:
    """The worker's sign of life; a busy database skips it (the next round writes it)."""
    try:
        JobWorker.objects.filter(worker_id=worker_id).update(seen_at=timezone.now())
    except Exception:
        logger.debug("sign of life of worker %s skipped: database busy", worker_id)


def worker_stopped(worker_id: str) -> None:
    JobWorker.objects.filter(worker_id=worker_id).update(stopped_at=timezone.now())


def other_live_workers(worker_id: str, *, now: dt.datetime | None = None) -> int:
    """Workers other than ``worker_id`` that said they are alive recently and did not stop."""
    since = (now or timezone.now()) - WORKER_GONE_AFTER
    return (
        JobWorker.objects.filter(stopped_at__isnull=True, seen_at__gte=since)
        .exclude(worker_id=worker_id)
        .count()
    )


def worker_gone(worker_id: str, started_at: dt.datetime | None, *, now: dt.datetime) -> bool:
    """Whether the worker that claimed a job (``worker_id``, a lane's id) is gone."""
    process_id, process = _parse(worker_id)
    me = this_process()
    here = process is not None and process.host == me.host[:30]
    if here and process is not None and not pid_alive(process.pid):
        return True
    row = JobWorker.objects.filter(worker_id=process_id).first()
    if here and process is not None and process.pid == me.pid:
        # this very process: slow to say it is alive (a busy database) is not gone
        return row is not None and row.stopped_at is not None
    if row is not None:
        return row.stopped_at is not None or now - row.seen_at > WORKER_GONE_AFTER
    return started_at is None or now - started_at > UNKNOWN_WORKER_AFTER


#: Finished jobs are kept this long (their rows name the uploaded file), then deleted.
RESULTS_KEPT_DAYS = 14


def prune_results() -> int:
    """Delete finished jobs older than :data:`RESULTS_KEPT_DAYS` from the queue (part of the
    nightly clean-up); 0 when jobs run eagerly (nothing is stored)."""
    if not is_durable():
        return 0
    from django_tasks_db.models import DBTaskResult

    before = timezone.now() - dt.timedelta(days=RESULTS_KEPT_DAYS)
    deleted, _rows = DBTaskResult.objects.finished().filter(finished_at__lt=before).delete()
    return deleted


class WorkerLost(Exception):
    """A job's worker stopped while running it, too often: the job is marked failed."""


def recover_abandoned(*, now: dt.datetime | None = None) -> tuple[list[str], list[str]]:
    """Queue again the jobs left running by a worker that is gone; fail those that had
    :data:`MAX_ATTEMPTS` runs. Returns the ids queued again and the ids failed."""
    from django_tasks_db.models import DBTaskResult

    now = now or timezone.now()
    requeued: list[str] = []
    failed: list[str] = []
    for row in DBTaskResult.objects.running():
        last = row.worker_ids[-1] if row.worker_ids else ""
        if not worker_gone(last, row.started_at, now=now):
            continue
        with transaction.atomic():
            fresh = DBTaskResult.objects.select_for_update().filter(pk=row.pk).first()
            if (
                fresh is None
                or fresh.status != TaskResultStatus.RUNNING
                or fresh.worker_ids != row.worker_ids
            ):
                continue  # finished or claimed again meanwhile
            if len(fresh.worker_ids) >= MAX_ATTEMPTS:
                fresh.set_failed(
                    WorkerLost(f"the worker stopped during each of {len(fresh.worker_ids)} runs")
                )
                failed.append(str(fresh.pk))
                logger.warning("job %s failed: its worker stopped %s times", fresh.pk, MAX_ATTEMPTS)
                continue
            fresh.status = TaskResultStatus.READY
            fresh.started_at = None
            fresh.save(update_fields=["status", "started_at"])
            requeued.append(str(fresh.pk))
            logger.warning("job %s was left running by a stopped worker: queued again", fresh.pk)
    return requeued, failed


# --- Periodic jobs ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Periodic:
    name: str
    func: Callable[[], Any]
    every: dt.timedelta | None
    at: dt.time | None

    def next_after(self, moment: dt.datetime) -> dt.datetime:
        """The first run after ``moment`` (daily jobs: at their local time of day)."""
        if self.every is not None:
            return moment + self.every
        if self.at is None:  # pragma: no cover - periodic() requires one of the two
            raise ValueError(self.name)
        local = timezone.localtime(moment)
        candidate = local.replace(hour=self.at.hour, minute=self.at.minute, second=0, microsecond=0)
        if candidate <= local:
            candidate = timezone.make_aware(
                dt.datetime.combine(local.date() + dt.timedelta(days=1), self.at)
            )
        return candidate

    def first_run(self, now: dt.datetime) -> dt.datetime:
        """Jobs run every so often start at once; daily jobs at their next time of day."""
        return now if self.every is not None else self.next_after(now)


REGISTRY: dict[str, Periodic] = {}


def periodic(
    name: str, *, every: dt.timedelta | None = None, at: str | dt.time | None = None
) -> Callable[[Callable[[], Any]], Callable[[], Any]]:
    """Register ``func`` as a periodic job ``name``: every ``every`` or daily at ``at`` ("HH:MM",
    local time). Use as a decorator or call it on an existing function; returns it unchanged."""
    if (every is None) == (at is None):
        raise ValueError("a periodic job runs either every so often or daily at a time")
    if every is not None and every <= dt.timedelta(0):
        raise ValueError("a periodic job's interval must be positive")
    time_of_day = dt.time.fromisoformat(at) if isinstance(at, str) else at

    def register(func: Callable[[], Any]) -> Callable[[], Any]:
        REGISTRY[name] = Periodic(name, func, every, time_of_day)
        return func

    return register


def discover() -> dict[str, Periodic]:
    """Import every installed app's ``tasks`` module (where periodic jobs are registered)."""
    autodiscover_modules("tasks")
    return REGISTRY


@task(queue_name=PERIODIC_QUEUE)
def run_periodic(name: str) -> Any:
    """The job that runs the periodic job ``name`` (its function's return value is kept)."""
    job = discover().get(name)
    if job is None:
        raise LookupError(f"no periodic job {name!r} is registered")
    return job.func()


def enqueue_due(*, now: dt.datetime | None = None) -> list[str]:
    """Queue each registered periodic job that is due, once; returns their names."""
    now = now or timezone.now()
    queued: list[str] = []
    for job in discover().values():
        with contextlib.suppress(IntegrityError):  # another worker created it just now
            ScheduledJob.objects.get_or_create(
                name=job.name, defaults={"next_run_at": job.first_run(now)}
            )
        with transaction.atomic():
            row = ScheduledJob.objects.select_for_update().get(name=job.name)
            if row.next_run_at > now:
                continue
            result = run_periodic.using(backend=backend()).enqueue(job.name)
            row.last_run_at = now
            row.last_task_id = str(result.id)[:64]
            row.next_run_at = job.next_after(now)
            row.save()
        queued.append(job.name)
        logger.info("periodic job %s queued", job.name)
    return queued


def tick(worker_id: str | None = None) -> None:
    """One round of the scheduler: sign of life, recovery, due periodic jobs, old worker rows."""
    now = timezone.now()
    if worker_id:
        worker_beat(worker_id)
    recover_abandoned(now=now)
    enqueue_due(now=now)
    JobWorker.objects.filter(stopped_at__lt=now - WORKER_ROWS_KEPT).delete()


# --- The worker ---------------------------------------------------------------------------------


def _close_old_connections(**kwargs: Any) -> None:
    """Django's ``close_old_connections``, except inside a transaction (a worker run in batch
    mode by a test or a shell must not close the connection of the transaction around it)."""
    if not connection.in_atomic_block:
        close_old_connections(**kwargs)


def _lanes(worker_id: str, *, batch: bool, interval: float) -> list[Any]:
    from django_tasks_db.management.commands import db_worker
    from django_tasks_db.management.commands.db_worker import Worker

    db_worker.close_old_connections = _close_old_connections  # type: ignore[attr-defined]

    common: dict[str, Any] = {
        "interval": interval,
        "batch": batch,
        "backend_name": "default",
        "startup_delay": False,
        "max_tasks": None,
    }
    return [
        Worker(
            queue_names=[IMPORTS_QUEUE],
            excluded_queue_names=[],
            worker_id=f"{worker_id}/imports",
            **common,
        ),
        Worker(
            queue_names=["*"],
            excluded_queue_names=[IMPORTS_QUEUE],
            worker_id=f"{worker_id}/other",
            **common,
        ),
    ]


def _run_lane(lane: Any) -> None:
    try:
        lane.run()
    except Exception:
        logger.exception("a worker lane stopped with an error")
    finally:
        connection.close()  # the thread's own connection


def run_worker(
    *,
    batch: bool = False,
    interval: float = 1.0,
    tick_seconds: float = TICK_SECONDS,
    stop: threading.Event | None = None,
    handle_signals: bool = False,
) -> str:
    """Run the worker (see the module docstring); returns its id.

    ``batch``: recover and schedule once, run every job that is ready (imports, then the rest)
    and return. Otherwise run until ``stop`` is set (or, with ``handle_signals``, until SIGINT or
    SIGTERM: the jobs running finish first; a second signal stops at once, and the job it
    interrupts is queued again by the next worker).
    """
    worker_id = new_worker_id()
    register_worker(worker_id)
    try:
        tick()
        lanes = _lanes(worker_id, batch=batch, interval=interval)
        if batch:
            for lane in lanes:
                lane.run()
            return worker_id
        stop = stop or threading.Event()
        if handle_signals:
            _handle_signals(stop)
        threads = [
            threading.Thread(target=_run_lane, args=(lane,), name=f"regie-{name}", daemon=True)
            for lane, name in zip(lanes, ("imports", "jobs"), strict=True)
        ]
        for thread in threads:
            thread.start()
        while not stop.wait(tick_seconds):
            try:
                tick(worker_id)
            except Exception:
                logger.exception("a round of the job scheduler failed")
        for lane in lanes:
            lane.running = False
        for thread in threads:
            thread.join()
        return worker_id
    finally:
        worker_stopped(worker_id)


def _handle_signals(stop: threading.Event) -> None:
    def handler(signum: int, frame: FrameType | None) -> None:
        if stop.is_set():
            logger.warning("stopping at once; the interrupted job runs again later")
            raise SystemExit(1)
        logger.warning("stopping after the running jobs (press Ctrl+C again to stop at once)")
        stop.set()

    signal.signal(signal.SIGINT, handler)
    signal.signal(signal.SIGTERM, handler)
