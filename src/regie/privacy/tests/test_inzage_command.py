"""``regie inzage``: JSON and PDF of everything held about one person, logged per signal."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from pypdf import PdfReader

from regie.cases import inzage  # noqa: F401 - registers the provider
from regie.cases.tests import factories
from regie.core.models import Organisation
from regie.privacy.models import ReadLogEntry, Surface

pytestmark = pytest.mark.django_db

BSN = "111222333"


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("inzage", *args, stdout=out)
    return out.getvalue()


def jan() -> object:
    return factories.person("Vries", "de", "Jan", dt.date(1980, 2, 3), bsn=BSN)


def test_command_writes_json_and_pdf(
    tmp_path: Path, maassluis: Organisation, alblasserdam: Organisation
) -> None:
    ours = factories.make_signal(maassluis, subjects=[jan()])  # type: ignore[list-item]
    theirs = factories.make_signal(alblasserdam, subjects=[jan()])  # type: ignore[list-item]
    other = factories.make_signal(
        maassluis, subjects=[factories.person("Bakker", "", "Piet", dt.date(1970, 1, 1))]
    )
    output = run(
        "--name",
        "Vries, de",
        "--first-names",
        "J.",
        "--birthdate",
        "03-02-1980",
        "--out",
        str(tmp_path / "uit"),
    )
    files = sorted((tmp_path / "uit").iterdir())
    assert [f.suffix for f in files] == [".json", ".pdf"]
    assert all(f.name.startswith("inzage-") for f in files)
    # paths and the count; no personal data
    assert str(files[0]) in output
    assert str(files[1]) in output
    assert "2" in output.splitlines()[-1]
    assert "Vries" not in output
    assert BSN not in output

    data = json.loads(files[0].read_text(encoding="utf-8"))
    assert data["gevonden"] == 2
    assert set(data) == {"aangevraagd", "gevonden", "secties"}
    text = json.dumps(data, ensure_ascii=False)
    assert ours.reference in text
    assert theirs.reference in text
    assert other.reference not in text
    assert "Bakker" not in text

    reader = PdfReader(str(files[1]))
    pdf_text = "".join(page.extract_text() for page in reader.pages)
    assert ours.reference in pdf_text
    assert theirs.reference in pdf_text
    assert other.reference not in pdf_text
    assert reader.metadata is not None
    assert reader.metadata.title
    assert files[1].stat().st_mode & 0o077 == 0

    entries = ReadLogEntry.objects.filter(operation="inzage")
    assert sorted(e.object_ref for e in entries) == sorted([ours.reference, theirs.reference])
    assert {e.surface for e in entries} == {Surface.COMMAND}
    assert {e.actor_label for e in entries} == {"regie inzage"}
    assert {e.processing_activity_code for e in entries} == {"rechten-betrokkene"}


def test_command_for_one_gemeente_by_bsn(
    tmp_path: Path, maassluis: Organisation, alblasserdam: Organisation
) -> None:
    ours = factories.make_signal(maassluis, subjects=[jan()])  # type: ignore[list-item]
    theirs = factories.make_signal(alblasserdam, subjects=[jan()])  # type: ignore[list-item]
    run("--bsn", BSN, "--gemeente", "GM0556", "--out", str(tmp_path), "--purpose", "toezicht-fg")
    data = json.loads(next(tmp_path.glob("*.json")).read_text(encoding="utf-8"))
    text = json.dumps(data, ensure_ascii=False)
    assert data["gevonden"] == 1
    assert ours.reference in text
    assert theirs.reference not in text
    entry = ReadLogEntry.objects.get(operation="inzage")
    assert entry.processing_activity_code == "toezicht-fg"
    assert entry.organisation == maassluis


def test_command_refuses_bad_input(tmp_path: Path, maassluis: Organisation) -> None:
    with pytest.raises(CommandError):
        run("--bsn", "123", "--out", str(tmp_path))
    with pytest.raises(CommandError):
        run("--name", "Vries", "--out", str(tmp_path))  # no first name, no birth date
    with pytest.raises(CommandError):
        run("--bsn", BSN, "--gemeente", "GM9999", "--out", str(tmp_path))
    factories.make_signal(maassluis, subjects=[jan()])  # type: ignore[list-item]
    with pytest.raises(CommandError):
        run("--bsn", BSN, "--out", str(tmp_path), "--purpose", "zomaar")
    assert not ReadLogEntry.objects.exists()
    assert not list(tmp_path.iterdir())


def test_nobody_found_still_writes_the_answer(tmp_path: Path, maassluis: Organisation) -> None:
    output = run("--bsn", BSN, "--gemeente", "gm0556", "--out", str(tmp_path))
    assert "0" in output.splitlines()[-1]
    data = json.loads(next(tmp_path.glob("*.json")).read_text(encoding="utf-8"))
    assert data["gevonden"] == 0
    assert next(tmp_path.glob("*.pdf")).read_bytes().startswith(b"%PDF")
