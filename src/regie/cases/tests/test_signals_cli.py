"""``regie signals import FILE --gemeente CODE``: output, exit code, audit event, dry run."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from regie.cases.models import Signal
from regie.cases.tests.test_register_import import VALID_ROWS, write_csv
from regie.core.models import AuditAction, AuditEntry, Organisation

pytestmark = pytest.mark.django_db


def command(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("signals", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_import_prints_count_and_hermeldingen_and_audits(
    tmp_path: Path, maassluis: Organisation
) -> None:
    out, _ = command("import", str(write_csv(tmp_path, VALID_ROWS)), "--gemeente", "GM0556")
    assert out.splitlines()[0].startswith("3 ")
    assert Signal.objects.filter(organisation=maassluis).count() == 3
    event = AuditEntry.objects.get(action=AuditAction.IMPORT, organisation=maassluis)
    assert "3" in event.object_repr
    assert "Vries" not in event.object_repr
    assert "111222333" not in event.object_repr
    assert "Vries" not in out


def test_dry_run_stores_nothing(tmp_path: Path, maassluis: Organisation) -> None:
    path = write_csv(tmp_path, VALID_ROWS)
    out, _ = command("import", str(path), "--gemeente", "gm0556", "--dry-run")
    assert out.splitlines()[0].startswith("3 ")
    assert not Signal.objects.exists()
    assert not AuditEntry.objects.filter(action=AuditAction.IMPORT).exists()


def test_problems_on_stderr_and_nothing_stored(tmp_path: Path, maassluis: Organisation) -> None:
    path = tmp_path / "fout.csv"
    rows = ["ontvangen;categorie;omschrijving"] + [f"{n}-13-2024;Woonoverlast;x" for n in range(60)]
    path.write_text("\n".join(rows), encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError) as refused:
        call_command("signals", "import", str(path), "--gemeente", "GM0556", stderr=err)
    lines = err.getvalue().splitlines()
    assert len(lines) == 51  # the first fifty problems and how many more
    assert "2" in lines[0]
    assert "ontvangen" in lines[0]
    assert "0-13-2024" in lines[0]
    assert "10" in lines[-1]
    assert "60" in str(refused.value)
    assert not Signal.objects.exists()


def test_unknown_gemeente_and_unreadable_file(tmp_path: Path, maassluis: Organisation) -> None:
    with pytest.raises(CommandError):
        command("import", str(write_csv(tmp_path, VALID_ROWS)), "--gemeente", "GM9999")
    with pytest.raises(CommandError):
        command("import", str(tmp_path / "bestaat-niet.csv"), "--gemeente", "GM0556")
