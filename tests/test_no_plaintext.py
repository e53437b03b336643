"""Acceptance (issue 18): after the demo is loaded, neither the SQLite file nor a PostgreSQL dump
holds any demo name, BSN, street, postcode, telephone number, e-mail address, description or
reason in plain text.

Each test builds a real database in a separate process (the test database lives in memory or in
a transaction) as ``make run`` does: ``migrate`` and ``regie demo --no-build`` (everything but the
report files), with the test keys in the environment and the demo signals dated from yesterday
(the generator's ``today``, so the test knows which texts were written). Then it reads the
database's bytes (the SQLite file and its write-ahead log; the output of ``pg_dump``) and looks
for every personal text the demo generator wrote
(:func:`regie.demo.meldpunt.demo_personal_strings`). The process also reads the signals back
through the ORM: the descriptions it decrypts must be among the texts looked for, so the test
searches for what was really stored.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from regie.demo import meldpunt

ROOT = Path(__file__).resolve().parent.parent
PG = {"host": "127.0.0.1", "port": 5432, "user": "postgres"}

BUILD = """
import datetime as dt, json, sys
import django
django.setup()
from django.core.management import call_command
call_command("migrate", interactive=False, verbosity=0)
from unittest import mock
from regie.demo import services
from regie.cases.models import Signal
today = dt.date.fromisoformat(sys.argv[1])
load_signals = services.load_signals
with mock.patch.object(services, "load_signals", lambda: load_signals(today=today)):
    call_command("demo", no_build=True, stdout=sys.stderr)
descriptions = sorted(s.description for s in Signal.objects.all())
print(json.dumps({"signals": len(descriptions), "descriptions": descriptions}))
"""


def _today() -> dt.date:
    # A day ago: every planned moment lies in the past, whatever the time of day.
    return timezone.localdate() - dt.timedelta(days=1)


def _build(tmp_path: Path, database_url: str, today: dt.date) -> dict[str, object]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("REGIE_", "DATABASE_URL"))}
    env.update(
        DJANGO_SETTINGS_MODULE="regie.settings",
        DATABASE_URL=database_url,
        REGIE_VAR_DIR=str(tmp_path),
        REGIE_ENCRYPTION_KEYS=settings.REGIE_ENCRYPTION_KEYS,
        REGIE_BLIND_INDEX_KEY=settings.REGIE_BLIND_INDEX_KEY,
    )
    done = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", BUILD, today.isoformat()],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _assert_no_plaintext(data: bytes, result: dict[str, object], today: dt.date) -> None:
    strings = meldpunt.demo_personal_strings(today=today)
    assert result["signals"] == sum(meldpunt.COUNTS.values())
    descriptions = result["descriptions"]
    assert isinstance(descriptions, list)
    assert set(descriptions) <= strings  # what was stored is what we look for
    assert b"Alblasserdam" in data  # the search itself works: a public name is found
    found = sorted(text for text in strings if text.encode("utf-8") in data)
    assert not found, f"{len(found)} personal texts in plain text, e.g. {found[:5]}"


def test_the_sqlite_file_holds_no_personal_data_in_plain_text(tmp_path: Path) -> None:
    today = _today()
    path = tmp_path / "regie.sqlite3"
    result = _build(tmp_path, f"sqlite:///{path}", today)
    data = b"".join(
        p.read_bytes() for p in (path, Path(f"{path}-wal"), Path(f"{path}-journal")) if p.exists()
    )
    assert len(data) > 1_000_000
    _assert_no_plaintext(data, result, today)


def _postgres_admin() -> object:
    psycopg = pytest.importorskip("psycopg")
    try:
        return psycopg.connect(dbname="postgres", autocommit=True, connect_timeout=3, **PG)
    except psycopg.OperationalError as exc:
        pytest.skip(f"PostgreSQL is not reachable on 127.0.0.1:5432 ({exc})")


def test_a_postgresql_dump_holds_no_personal_data_in_plain_text(tmp_path: Path) -> None:
    pg_dump = shutil.which("pg_dump")
    if pg_dump is None:
        pytest.skip("pg_dump is not installed")
    admin = _postgres_admin()
    name = f"regie_plaintext_{uuid.uuid4().hex[:12]}"
    admin.execute(f'CREATE DATABASE "{name}"')  # type: ignore[attr-defined]
    try:
        today = _today()
        url = f"postgres://{PG['user']}@{PG['host']}:{PG['port']}/{name}"
        result = _build(tmp_path, url, today)
        dump = subprocess.run(  # noqa: S603 - the system's pg_dump
            [pg_dump, "-h", str(PG["host"]), "-p", str(PG["port"]), "-U", str(PG["user"]), name],
            capture_output=True,
            timeout=300,
            check=False,
        )
        if dump.returncode != 0 and b"version mismatch" in dump.stderr:
            pytest.skip(f"pg_dump does not fit the server: {dump.stderr.decode()[:300]}")
        assert dump.returncode == 0, dump.stderr.decode()[-2000:]
        _assert_no_plaintext(dump.stdout, result, today)
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # type: ignore[attr-defined]
        admin.close()  # type: ignore[attr-defined]
