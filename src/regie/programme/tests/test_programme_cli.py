"""``regie programme export|import|list``: a file out and in, exit codes, nothing stored on
error."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from regie.core.models import Organisation
from regie.policy.models import Plan
from regie.programme import programme_file
from regie.programme.models import Action, Programme
from regie.programme.tests.test_programme_file import build_programme, clear, make_plan
from tests.test_cli import run_main

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(alblasserdam: Organisation) -> Plan:
    return make_plan(alblasserdam)


def test_export_to_a_file_and_import_it_again(
    plan: Plan, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    programme = build_programme(plan)
    expected = programme_file.export_programme(programme)
    out = tmp_path / "programma.yaml"
    code, stdout, err = run_main(capsys, "programme", "export", "GM0482", "--period", "2024",
                                 "--out", str(out))  # fmt: skip
    assert code == 0, err
    assert str(out) in stdout
    clear(plan.organisation)
    code, stdout, err = run_main(capsys, "programme", "import", str(out), "--org", "gm0482")
    assert code == 0, err
    imported = Programme.objects.get(organisation=plan.organisation, period="2024")
    assert programme_file.export_programme(imported) == expected


def test_export_prints_yaml_without_out(plan: Plan, capsys: pytest.CaptureFixture[str]) -> None:
    build_programme(plan)
    code, stdout, err = run_main(capsys, "programme", "export", "gm0482", "--period", "2024")
    assert code == 0, err
    assert stdout.startswith("# ")
    assert yaml.safe_load(stdout)["period"] == "2024"


def test_export_of_a_missing_period_or_gemeente_fails(
    plan: Plan, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run_main(capsys, "programme", "export", "GM0482", "--period", "2025")
    assert code != 0
    assert "2025" in err
    code, _, err = run_main(capsys, "programme", "export", "GM9999", "--period", "2024")
    assert code != 0
    assert "GM9999" in err


def test_a_bad_file_fails_with_every_problem_and_stores_nothing(
    plan: Plan, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = programme_file.export_programme(build_programme(plan))
    clear(plan.organisation)
    data["actions"][0]["budget"] = "12,34,5"
    data["actions"][1]["status"] = "klaar"
    bad = tmp_path / "fout.yaml"
    bad.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    code, _, err = run_main(capsys, "programme", "import", str(bad))
    assert code != 0
    assert "actions[0].budget" in err
    assert "actions[1].status" in err
    assert not Programme.objects.exists()
    assert not Action.objects.exists()


def test_a_file_of_another_gemeente_than_org_is_refused(
    plan: Plan, maassluis: Organisation, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = programme_file.dump(build_programme(plan))
    clear(plan.organisation)
    path = tmp_path / "p.yaml"
    path.write_text(text, encoding="utf-8")
    code, _, err = run_main(capsys, "programme", "import", str(path), "--org", "gm0556")
    assert code != 0
    assert "gemeente" in err
    assert not Programme.objects.exists()
    code, _, err = run_main(capsys, "programme", "import", str(path), "--org", "bestaat-niet")
    assert code != 0


def test_a_large_or_missing_file_is_refused(
    plan: Plan, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    big = tmp_path / "groot.yaml"
    big.write_bytes(b"# " + b"x" * (5 * 1024 * 1024))
    code, _, err = run_main(capsys, "programme", "import", str(big))
    assert code != 0
    assert "1 MB" in err
    code, _, err = run_main(capsys, "programme", "import", str(tmp_path / "weg.yaml"))
    assert code != 0
    assert not Programme.objects.exists()


def test_list_shows_the_programmes(plan: Plan, capsys: pytest.CaptureFixture[str]) -> None:
    code, stdout, _ = run_main(capsys, "programme", "list", "GM0482")
    assert code == 0
    build_programme(plan)
    code, stdout, err = run_main(capsys, "programme", "list", "GM0482")
    assert code == 0, err
    assert "2024" in stdout
    assert "Uitvoeringsprogramma 2024" in stdout
    assert "12-03-2024" in stdout
