"""The monitor's command line on the real demo data: figures with lineage, atomic imports."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest

from regie.areas.services import load_reference_data
from regie.core.models import Organisation
from regie.demo import services as demo_services
from regie.monitor.models import Observation
from tests.test_cli import run_main

DATA = Path(__file__).resolve().parent.parent / "src" / "regie" / "monitor" / "data"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    return run_main(capsys, *args)


@pytest.fixture(scope="module")
def demo_figures(django_db_setup: Any, django_db_blocker: Any) -> Any:
    """The demo's figures, loaded once for this module (and removed afterwards)."""
    with django_db_blocker.unblock():
        from django.db import transaction

        with transaction.atomic():
            load_reference_data()
            for slug, name, code in (
                ("gm0556", "Maassluis", "GM0556"),
                ("gm0482", "Alblasserdam", "GM0482"),
            ):
                Organisation.objects.get_or_create(
                    slug=slug, defaults={"name": name, "kind": "gemeente", "cbs_code": code}
                )
            lines = demo_services.load_figures()
            yield lines
            transaction.set_rollback(True)


@pytest.mark.django_db
def test_figure_json_gives_the_cbs_total_with_its_lineage(
    demo_figures: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "figure", "GM0556", "cbs:T001161", "2022", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["value"] == 1245
    assert data["lineage"][0]["table"] == "83648NED"
    assert data["status"] == data["lineage"][0]["status"] == "voorlopig"


@pytest.mark.django_db
def test_derived_hic_equals_the_sum_of_its_parts_in_the_source_file(
    demo_figures: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    wanted = {"1.1.1", "1.4.6", "1.4.7"}
    total = 0
    with (DATA / "politie" / "NL_Crime_47025NED_2012_2023.csv").open(encoding="utf-8") as fh:
        for rec in csv.DictReader(fh):
            if rec["year"] == "2018" and rec["incident_type_code"].split(" ")[0] in wanted:
                total += int(rec["incident_count"])
    code, out, err = run(capsys, "figure", "NL01", "derived:hic-kern", "2018", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["value"] == total
    assert data["definition"] == "politie:1.1.1 + politie:1.4.6 + politie:1.4.7"
    code, out, _ = run(capsys, "figure", "NL01", "derived:hic-kern", "2018")
    assert "politie:1.4.7" in out


@pytest.mark.django_db
def test_own_figures_need_the_gemeente(
    demo_figures: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "figure", "GM0556", "local:huisverboden", "2021")
    assert code == 1
    assert "Traceback" not in err
    code, out, _ = run(capsys, "figure", "GM0556", "local:huisverboden", "2021", "--org", "gm0556")
    assert code == 0
    assert ": 14" in out


@pytest.mark.django_db
def test_malformed_file_exits_1_with_row_and_column_and_stores_nothing(
    demo_figures: Any, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    bad = tmp_path / "lokaal.csv"
    bad.write_text(
        "gebied;maatstaf;periode;waarde\n"
        "GM0556;huisverboden;2023;12\n"
        "GM0556;huisverboden;2024;twaalf\n",
        encoding="utf-8",
    )
    before = Observation.objects.count()
    code, _, err = run(capsys, "import", str(bad), "--format", "local", "--org", "gm0556")
    assert code == 1
    assert "3" in err
    assert "waarde" in err.lower()
    assert "twaalf" in err
    assert Observation.objects.count() == before


@pytest.mark.django_db
def test_import_dry_run_and_json_report(
    demo_figures: Any, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    good = tmp_path / "lokaal.csv"
    good.write_text(
        "gebied;maatstaf;periode;waarde\nGM0556;huisverboden;2023;12\n", encoding="utf-8"
    )
    before = Observation.objects.count()
    code, out, err = run(
        capsys, "import", str(good), "--format", "local", "--org", "gm0556", "--dry-run", "--json"
    )
    assert code == 0, err
    assert json.loads(out)["stored"] == 1
    assert Observation.objects.count() == before
    code, out, err = run(capsys, "import", str(good), "--format", "local", "--org", "gm0556")
    assert code == 0, err
    assert Observation.objects.count() == before + 1


@pytest.mark.django_db
def test_measures_lists_the_catalogue(
    demo_figures: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "measures", "--json")
    assert code == 0
    rows = json.loads(out)
    codes = {r["code"] for r in rows}
    assert {"politie:0.0.0", "cbs:T001161", "overlast:E33", "derived:hic-kern"} <= codes
    assert next(r for r in rows if r["code"] == "politie:0.0.0")["rollup"] is True


@pytest.mark.django_db
def test_demo_loads_every_shipped_file_without_rejections(demo_figures: Any) -> None:
    from regie.monitor.models import BatchState, ImportBatch

    assert len(demo_figures) == 9
    assert not ImportBatch.objects.exclude(state=BatchState.DONE).exists()
    assert not ImportBatch.objects.filter(rows_rejected__gt=0).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("area", "measure", "period"),
    [
        ("GM0556", "cbs:T001161", "2022"),
        ("NL01", "derived:hic-kern", "2018"),
        ("NL01", "overlast:E33", "2023"),
        ("BU04820101", "politie:0.0.0", "2023"),
    ],
)
def test_api_and_cli_give_the_same_figure(
    demo_figures: Any,
    capsys: pytest.CaptureFixture[str],
    member: Any,
    login: Any,
    area: str,
    measure: str,
    period: str,
) -> None:
    user = member(Organisation.objects.get(slug="gm0556"), "raadpleger")
    code, out, err = run(capsys, "figure", area, measure, period, "--json")
    assert code == 0, err
    response = login(user).get(f"/api/v1/figures/{area}/{measure}/{period}/")
    assert response.status_code == 200
    assert response.json() == json.loads(out)
