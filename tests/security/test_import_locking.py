"""Issue 13: during a slow import check in one gemeente, another gemeente's users log in and save.

SQLite (WAL, ``transaction_mode=IMMEDIATE``) takes its one write lock at the start of every
transaction. The import service used to read, check and store a whole file inside one
transaction — a check (dry run) too, which even wrote its figures and rolled them back — so while
one gemeente's file was being read, every login elsewhere (session, audit entry, login throttle)
waited for the busy timeout and failed with "database is locked".

The file is made "deliberately slow" by a reader that stops in the middle of the file until the
test releases it (a :class:`threading.Event`, no timing). While it waits, a beheerder of another
gemeente logs in through the login page (password and second factor) and saves the organisation's
settings over HTTP. Both must work, and the check or import must finish normally afterwards.

On SQLite the test runs on a *file* copy of the test database: pytest-django's in-memory test
database is shared-cache, where locking is per table and fails at once, unlike an installation.
The busy timeout is lowered to 5 s so that the old code fails quickly instead of after 20 s. On
PostgreSQL (``DATABASE_URL``) the test database itself is used.

A live import could also be taken for abandoned: it stored no heartbeat while it waited for the
lock, and its final write then turned the batch another process had marked failed into "done",
figures and all. Now it beats while it waits, and a batch marked failed stays failed and stores
nothing (the write is rolled back).
"""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import OperationalError, connection, connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from regie.accounts.models import Role, User
from regie.accounts.tests.factories import PASSWORD, MembershipFactory, UserFactory
from regie.accounts.tests.test_login_and_two_factor import code_for
from regie.core.audit import acting_as
from regie.core.models import AuditAction, AuditEntry, Organisation
from regie.core.tests.factories import GemeenteFactory
from regie.monitor import batches, services
from regie.monitor.models import BatchState, ImportBatch, Observation, Series
from regie.monitor.sources import local
from regie.monitor.sources.base import Row, RowError
from regie.monitor.tests.factories import dataset, rows
from tests.conftest_matrix import build_areas

pytestmark = pytest.mark.django_db(transaction=True)

ROWS = [
    "GM0556;huisverboden;2019;19;definitief",
    "GM0556;huisverboden;2020;19;definitief",
    "GM0556;huisverboden;2021;14;definitief",
    "GM0556;huisverboden;2022;12;voorlopig",
    "WK055601;huisverboden;2022;3;",
]
FILE = "gebied;maatstaf;periode;waarde;status\n" + "\n".join(ROWS) + "\n"
#: How long the test waits for a thread at most (only reached when something is broken).
WAIT = 60


@pytest.fixture
def file_database(transactional_db: Any, tmp_path: Path) -> Iterator[None]:
    """On SQLite: the test runs on a file copy of the (migrated, empty) in-memory test database."""
    conn = connections["default"]
    if conn.vendor != "sqlite" or not conn.is_in_memory_db():
        yield
        return
    conn.ensure_connection()
    memory_name = conn.settings_dict["NAME"]
    # Keeps the shared in-memory database alive while Django's connection is pointed elsewhere.
    keeper = sqlite3.connect(memory_name, uri=True, check_same_thread=False)
    target = sqlite3.connect(tmp_path / "regie.sqlite3")
    keeper.backup(target)
    target.close()
    options = conn.settings_dict.setdefault("OPTIONS", {})
    saved_options = dict(options)
    conn.settings_dict["NAME"] = str(tmp_path / "regie.sqlite3")
    options["timeout"] = 5  # the installation waits 20 s; failing sooner keeps the test short
    conn.close()  # now really closed: the next query connects to the file
    try:
        yield
    finally:
        conn.close()
        conn.settings_dict["NAME"] = memory_name
        options.clear()
        options.update(saved_options)
        conn.ensure_connection()
        keeper.close()


class SlowReader:
    """The template reader, stopping before its third row until :attr:`release` is set."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.reading = threading.Event()  # set when the reader waits in the middle of the file
        self.release = threading.Event()
        self.in_transaction: list[bool] = []
        original = type(local.ADAPTER).read

        def read(stream: Any, context: Any) -> Iterator[Any]:
            for number, row in enumerate(original(local.ADAPTER, stream, context)):
                self.in_transaction.append(connection.in_atomic_block)
                if number == 2:
                    self.reading.set()
                    assert self.release.wait(WAIT), "the test never released the reader"
                yield row

        monkeypatch.setattr(local.ADAPTER, "read", read)


@pytest.fixture
def slow(monkeypatch: pytest.MonkeyPatch) -> Iterator[SlowReader]:
    reader = SlowReader(monkeypatch)
    try:
        yield reader
    finally:
        reader.release.set()  # never leave a thread waiting


@pytest.fixture
def world(file_database: None, settings: Any, tmp_path: Path) -> dict[str, Any]:
    settings.VAR_DIR = tmp_path
    build_areas()
    services.load_catalogue()
    maassluis = GemeenteFactory(name="Maassluis", slug="gm0556", cbs_code="GM0556")
    alblasserdam = GemeenteFactory(name="Alblasserdam", slug="gm0482", cbs_code="GM0482")
    uploader = UserFactory()
    MembershipFactory(user=uploader, organisation=maassluis, role=Role.ADVISEUR)
    beheerder = UserFactory()
    MembershipFactory(user=beheerder, organisation=alblasserdam, role=Role.BEHEERDER)
    device = TOTPDevice.objects.create(user=beheerder, name="app", confirmed=True)
    path = tmp_path / "cijfers.csv"
    path.write_text(FILE, encoding="utf-8")
    return {
        "maassluis": maassluis,
        "alblasserdam": alblasserdam,
        "uploader": uploader,
        "beheerder": beheerder,
        "device": device,
        "path": path,
    }


def log_in_and_save(user: User, device: TOTPDevice, organisation: Organisation) -> None:
    """Log in through the login page (password, second factor) and save the organisation."""
    client = Client()
    response = client.post(
        reverse("accounts:login"), {"username": user.username, "password": PASSWORD}
    )
    assert response.status_code == 302, response
    response = client.post(reverse("accounts:verify"), {"token": code_for(device)})
    assert response.status_code == 302, response
    settings_url = reverse("beheer:organisation_settings", kwargs={"org": organisation.slug})
    page = client.get(settings_url)
    assert page.status_code == 200
    found = re.search(r'name="edit_token" value="([^"]*)"', page.content.decode())
    assert found is not None
    response = client.post(
        settings_url, {"name": "Gemeente Alblasserdam", "edit_token": found.group(1)}
    )
    assert response.status_code == 302, response
    organisation.refresh_from_db()
    assert organisation.name == "Gemeente Alblasserdam"
    assert AuditEntry.objects.filter(action=AuditAction.LOGIN, actor=user).exists()


def in_thread(work: Any) -> tuple[threading.Thread, dict[str, Any]]:
    result: dict[str, Any] = {}

    def run() -> None:
        try:
            result["value"] = work()
        except BaseException as exc:  # handed to the test thread
            result["error"] = exc
        finally:
            connection.close()

    thread = threading.Thread(target=run, name="slow-import")
    thread.start()
    return thread, result


@pytest.mark.parametrize("dry_run", [True, False], ids=["check", "import"])
def test_a_slow_import_never_locks_out_another_gemeente(
    world: dict[str, Any], slow: SlowReader, dry_run: bool
) -> None:
    def work() -> services.ImportReport:
        with acting_as(world["uploader"]):
            return services.import_file(
                world["path"],
                fmt="local",
                organisation=world["maassluis"],
                user=world["uploader"],
                dry_run=dry_run,
                filename="cijfers.csv",
            )

    thread, result = in_thread(work)
    try:
        assert slow.reading.wait(WAIT), "the import never reached the middle of its file"
        log_in_and_save(world["beheerder"], world["device"], world["alblasserdam"])
    finally:
        slow.release.set()
        thread.join(WAIT)
    assert "error" not in result, result.get("error")
    report = result["value"]
    assert report.state == (BatchState.DRY_RUN if dry_run else BatchState.DONE), report.errors
    assert report.rows_read == len(ROWS)
    # Every row was read outside any transaction: only the short write at the end is one.
    assert slow.in_transaction == [False] * len(ROWS)
    assert Observation.objects.count() == (0 if dry_run else len(ROWS))


def test_the_web_flow_checks_and_imports_in_the_background(
    world: dict[str, Any], slow: SlowReader, settings: Any, login: Any
) -> None:
    """Upload → check in the worker (slow) → another gemeente works → preview → import."""
    settings.REGIE_TASKS_EAGER = False
    org = world["maassluis"]
    uploader = login(world["uploader"])
    upload_url = reverse("monitor:upload", kwargs={"org": org.slug})
    with world["path"].open("rb") as fh:
        response = uploader.post(upload_url, {"file": fh})
    assert response.status_code == 302
    check_url = response["Location"]
    worker, ran = in_thread(lambda: call_command("worker", "--batch"))  # regie worker
    try:
        assert slow.reading.wait(WAIT), "the check never reached the middle of its file"
        page = uploader.get(check_url, headers={"HX-Request": "true"})
        assert page.status_code == 200
        assert 'hx-trigger="every 1s"' in page.content.decode()  # still checking
        log_in_and_save(world["beheerder"], world["device"], world["alblasserdam"])
    finally:
        slow.release.set()
        worker.join(WAIT)
    assert "error" not in ran, ran.get("error")
    preview = uploader.get(check_url)
    assert preview.context["batch"].state == BatchState.DRY_RUN
    token = preview.context["token"]
    assert token
    response = uploader.post(
        reverse("monitor:upload_confirm", kwargs={"org": org.slug}), {"token": token}
    )
    assert response.status_code == 302
    call_command("worker", "--batch")
    batch = ImportBatch.objects.get(dry_run=False)
    assert batch.state == BatchState.DONE, batch.notes
    assert Observation.objects.filter(owner=org).count() == len(ROWS)


# --- a live import is never taken for abandoned; a batch marked failed stays failed ------------

VALUES = [
    ("GM0556", "politie:1.1.1", "2022", 10.0),
    ("GM0556", "politie:1.1.2", "2022", 11.0),
    ("NL01", "politie:1.1.1", "2022", 12.0),
]


def import_values(items: Any, **kwargs: Any) -> services.ImportReport:
    services.load_catalogue()
    return services.import_rows(
        items,
        dataset=dataset(),
        lookup=services.CatalogueLookup(None),
        fmt="test",
        filename="x.csv",
        **kwargs,
    )


def locked(monkeypatch: pytest.MonkeyPatch, times: int, pauses: list[Callable[[], None]]) -> None:
    """The write finds the database locked ``times`` times; each pause between the tries runs
    the next of ``pauses`` (what other processes do meanwhile)."""
    original = services._SeriesWriter.write
    calls = {"n": 0}

    def write(self: services._SeriesWriter, prepared: Any = None) -> Any:
        calls["n"] += 1
        if calls["n"] <= times:
            raise OperationalError("database is locked")
        return original(self, prepared)

    monkeypatch.setattr(services._SeriesWriter, "write", write)
    monkeypatch.setattr(batches, "_sleep", lambda seconds: pauses.pop(0)())


def the_batch() -> ImportBatch:
    return ImportBatch.objects.get()


def silent_for_eleven_minutes() -> None:
    """As if the import had waited for the lock for eleven minutes since its last heartbeat."""
    ImportBatch.objects.update(heartbeat_at=timezone.now() - dt.timedelta(minutes=11))


def test_an_import_waiting_for_the_lock_keeps_beating_and_is_not_taken_for_abandoned(
    areas: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    marked: list[list[int]] = []
    locked(
        monkeypatch,
        2,
        [silent_for_eleven_minutes, lambda: marked.append(batches.fail_abandoned())],
    )
    report = import_values(rows(*VALUES))
    # The clean-up ran while the import waited the second time: the heartbeat stored before that
    # pause showed the import alive (the old code stored none, and the batch was marked failed).
    assert marked == [[]]
    assert report.state == BatchState.DONE
    assert the_batch().state == BatchState.DONE
    assert Series.objects.count() == 3


def marked_failed_by_another_process() -> None:
    ImportBatch.objects.update(
        state=BatchState.FAILED, finished_at=timezone.now(), notes=[batches.abandoned_note()]
    )


def test_the_write_does_not_commit_for_a_batch_marked_failed_while_it_waited(
    areas: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    locked(monkeypatch, 1, [marked_failed_by_another_process])
    report = import_values(rows(*VALUES))
    assert report.state == BatchState.FAILED
    batch = the_batch()
    assert batch.state == BatchState.FAILED  # the old code wrote "done" over it …
    assert batch.notes == [batches.abandoned_note()]
    assert Series.objects.count() == 0  # … and stored the figures
    assert not AuditEntry.objects.filter(action=AuditAction.IMPORT).exists()


@pytest.mark.parametrize("dry_run", [True, False], ids=["check", "import"])
def test_a_batch_marked_failed_while_its_file_is_read_stays_failed(
    areas: Any, dry_run: bool
) -> None:
    def reading() -> Iterator[Row | RowError]:
        for number, item in enumerate(rows(*VALUES)):
            if number == 1:
                marked_failed_by_another_process()
            yield item

    report = import_values(reading(), dry_run=dry_run)
    assert report.state == BatchState.FAILED
    assert batches.abandoned_note() in report.notes
    batch = the_batch()
    assert batch.state == BatchState.FAILED
    assert batch.notes == [batches.abandoned_note()]
    assert Series.objects.count() == 0


def test_a_queued_batch_marked_failed_is_not_started(areas: Any, maassluis: Organisation) -> None:
    batch = ImportBatch.objects.create(
        dataset=dataset(),
        format="test",
        filename="x.csv",
        imported_by_label="x",
        state=BatchState.QUEUED,
        heartbeat_at=timezone.now(),
    )
    marked_failed_by_another_process()
    report = import_values(rows(*VALUES), batch=batch)
    assert report.state == BatchState.FAILED
    assert the_batch().state == BatchState.FAILED  # the old code set it running and imported
    assert Series.objects.count() == 0
