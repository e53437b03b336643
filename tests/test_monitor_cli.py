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

    assert len(demo_figures) == 12  # 11 files and the demo split of Fixi per category
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


# --- Rates, comparisons and the waterbed analysis -------------------------------------------

HUISELIJK = "local:huiselijk_geweld_aangiften"
#: Monthly counts of the Misdaad-in-kaart feed for the demo gemeenten (2023M04 to 2026M06).
MONTHLY = "local:mik_poging_woninginbraak"
WINDOWS = ("--before", "2023M07:2024M06", "--after", "2024M07:2025M06")
#: Vlaardingen is Maassluis's neighbour; Alblasserdam, further away, is the control of both.
WATERBED_AREAS = ("--target", "GM0556", "--displacement", "GM0622", "--control", "GM0482")


@pytest.mark.django_db
def test_figure_per_1000_gives_the_rate_and_the_population(
    demo_figures: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    from django.utils.translation import gettext

    code, out, err = run(capsys, "figure", "GM0556", "cbs:T001161", "2022", "--per-1000")
    assert code == 0, err
    assert f"{gettext('per 1,000 inhabitants')}: 36,5 (" in out
    assert f"{gettext('inhabitants on 1 January')} 2022: 34.148" in out
    code, out, err = run(capsys, "figure", "GM0556", "cbs:T001161", "2022", "--per-1000", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["value"] == 1245
    rate = data["per_1000"]
    assert round(rate["value"], 1) == 36.5
    assert rate["lower"] < rate["value"] < rate["upper"]
    assert (rate["population"], rate["population_date"]) == (34148, "2022-01-01")


@pytest.mark.django_db
def test_figure_per_1000_of_a_part_of_a_year_exits_1(
    demo_figures: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(
        capsys, "figure", "GM0556", HUISELIJK, "2022H1", "--org", "gm0556", "--per-1000"
    )
    assert code == 1
    assert "2022H1" in err
    assert "Traceback" not in err
    assert out == ""


@pytest.mark.django_db
def test_compare_of_a_half_year_with_a_whole_year_exits_2_with_the_reason(
    demo_figures: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(
        capsys, "compare", "GM0556", HUISELIJK, "2022H1", "2021", "--org", "gm0556"
    )
    assert code == 2
    assert out == ""
    assert "2022H1" in err
    assert "2021" in err
    assert "2021H1" in err  # the suggestion: the same half of the other year
    code, _, err = run(capsys, "compare", "GM0556", HUISELIJK, "2019", "2022Q7", "--org", "gm0556")
    assert code == 1
    assert "Traceback" not in err


@pytest.mark.django_db
def test_compare_shows_both_figures_the_difference_and_the_test(
    demo_figures: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "compare", "GM0556", HUISELIJK, "2019", "2021", "--org", "gm0556")
    assert code == 0, err
    assert ": 66" in out
    assert ": 32" in out
    assert "\u221234" in out  # the difference, with a minus sign
    assert "\u221251,5%" in out  # both counts are 20 or more: the percentage is shown
    assert "p < 0,001" in out
    assert "lokaal:gm0556" in out  # lineage of both figures
    code, out, err = run(
        capsys, "compare", "GM0556", HUISELIJK, "2019", "2021", "--org", "gm0556", "--json"
    )
    data = json.loads(out)
    assert (data["first"]["value"], data["second"]["value"]) == (66, 32)
    assert data["difference"] == -34
    assert data["percent_change"] == -51.5
    assert data["test"]["verdict"] == "lower"


@pytest.mark.django_db
def test_compare_leaves_out_the_percentage_on_small_counts(
    demo_figures: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ("compare", "GM0556", "local:huisverboden", "2019", "2021", "--org", "gm0556")
    code, out, err = run(capsys, *args)
    assert code == 0, err
    assert "\u22125" in out  # 19 → 14
    assert "%" not in out
    code, out, _ = run(capsys, *args, "--json")
    data = json.loads(out)
    assert data["percent_change"] is None
    assert data["test"]["small_counts"] is True


@pytest.mark.django_db
def test_waterbed_refuses_windows_of_unequal_length(
    demo_figures: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    from regie import stats
    from regie.veiligheidsbeeld import wording

    code, out, err = run(
        capsys,
        "waterbed",
        MONTHLY,
        *WATERBED_AREAS,
        "--before",
        "2023M07:2024M06",
        "--after",
        "2024M07:2025M03",
    )
    assert code == 1
    assert out == ""
    assert wording.window_error(stats.WindowError("unequal_length", "")) in err


def _monthly_sum(capsys: pytest.CaptureFixture[str], area: str, first: str, last: str) -> int:
    """The sum of ``regie figure`` over the months of a window (YYYYMmm, inclusive)."""
    from regie.stats import periods

    total = 0
    month = periods.parse(first).start
    end = periods.parse(last).start
    while month <= end:
        code, out, err = run(capsys, "figure", area, MONTHLY, f"{month:%Y}M{month:%m}", "--json")
        assert code == 0, err
        total += json.loads(out)["value"]
        month = month.replace(year=month.year + month.month // 12, month=month.month % 12 + 1)
    return total


@pytest.mark.django_db
def test_waterbed_wdd_equals_the_sum_of_the_monthly_figures(
    demo_figures: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "waterbed", MONTHLY, *WATERBED_AREAS, *WINDOWS, "--json")
    assert code == 0, err
    data = json.loads(out)
    t_b = _monthly_sum(capsys, "GM0556", "2023M07", "2024M06")
    t_a = _monthly_sum(capsys, "GM0556", "2024M07", "2025M06")
    d_b = _monthly_sum(capsys, "GM0622", "2023M07", "2024M06")
    d_a = _monthly_sum(capsys, "GM0622", "2024M07", "2025M06")
    c_b = _monthly_sum(capsys, "GM0482", "2023M07", "2024M06")
    c_a = _monthly_sum(capsys, "GM0482", "2024M07", "2025M06")
    counts = data["counts"]
    assert (counts["target_before"], counts["target_after"]) == (t_b, t_a)
    assert (counts["displacement_before"], counts["displacement_after"]) == (d_b, d_a)
    assert (counts["control_target_before"], counts["control_target_after"]) == (c_b, c_a)
    # One control serves both: WDD = dT + dD - 2dC, Var = T_b + T_a + D_b + D_a + 4(C_b + C_a).
    wdd = (t_a - t_b) + (d_a - d_b) - 2 * (c_a - c_b)
    assert data["wdd"]["value"] == wdd
    assert data["wdd"]["variance"] == t_b + t_a + d_b + d_a + 4 * (c_b + c_a)
    assert data["wdd"]["shared_control"] is True
    code, out, err = run(capsys, "waterbed", MONTHLY, *WATERBED_AREAS, *WINDOWS)
    assert code == 0, err
    sign = "+" if wdd > 0 else ("\u2212" if wdd < 0 else "")
    assert f"WDD: {sign}{abs(wdd)} (SE " in out
    assert "WDQ" in out


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("cli", "api"),
    [
        (
            ("figure", "GM0556", "cbs:T001161", "2022", "--per-1000"),
            "/api/v1/figures/GM0556/cbs:T001161/2022/?per=1000",
        ),
        (
            ("figure", "GM0482", "cbs:T001161", "2022", "--per-1000"),
            "/api/v1/figures/GM0482/cbs:T001161/2022/?per=1000",
        ),
        (
            ("compare", "GM0556", HUISELIJK, "2019", "2021", "--org", "gm0556"),
            f"/api/v1/compare/GM0556/{HUISELIJK}/2019/2021/?org=gm0556",
        ),
        (
            ("waterbed", MONTHLY, *WATERBED_AREAS, *WINDOWS),
            f"/api/v1/waterbed/?measure={MONTHLY}&target=GM0556&displacement=GM0622"
            "&control=GM0482&before=2023M07:2024M06&after=2024M07:2025M06",
        ),
    ],
)
def test_api_and_cli_give_the_same_numbers(
    demo_figures: Any,
    capsys: pytest.CaptureFixture[str],
    member: Any,
    login: Any,
    cli: tuple[str, ...],
    api: str,
) -> None:
    user = member(Organisation.objects.get(slug="gm0556"), "raadpleger")
    code, out, err = run(capsys, *cli, "--json")
    assert code == 0, err
    response = login(user).get(api)
    assert response.status_code == 200, response.content
    assert response.json() == json.loads(out)
