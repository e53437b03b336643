"""Statistics on the demo data through ``regie compare/figure/waterbed/measures`` and the API:
time order, one answer for a year held as months, the waterbed example of the README."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from regie.areas.models import Area
from regie.areas.services import load_reference_data
from regie.core.models import Organisation
from regie.demo import services as demo_services
from regie.monitor import selectors
from regie.monitor.models import Measure
from tests.test_cli import run_main

README = Path(__file__).resolve().parent.parent / "README.md"
HUISELIJK = "local:huiselijk_geweld_aangiften"
#: 47022NED format sample (loaded with samples=True): monthly totals only for Aa en Hunze
#: (GM1680), 2012–2023.
MONTHS_ONLY = ("GM1680", "politie:0.0.0")


@pytest.fixture(scope="module")
def demo(django_db_setup: Any, django_db_blocker: Any) -> Any:
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
            yield demo_services.load_figures(samples=True)
            transaction.set_rollback(True)


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    return run_main(capsys, *args)


@pytest.mark.django_db
def test_compare_later_year_first_reports_the_fall_from_2019_to_2021(
    demo: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    # The acceptance case: the arguments in reverse order still read earlier → later.
    args = ("compare", "GM0556", HUISELIJK, "2021", "2019", "--org", "gm0556")
    code, out, err = run(capsys, *args, "--json")
    assert code == 0, err
    data = json.loads(out)
    assert (data["first"]["period"], data["second"]["period"]) == ("2019", "2021")
    assert (data["first"]["value"], data["second"]["value"]) == (66, 32)
    assert data["difference"] == -34
    assert data["percent_change"] == -51.5
    assert data["test"]["verdict"] == "lower"
    code, out, err = run(capsys, *args)
    assert code == 0, err
    assert "\u221234" in out  # a fall, with a minus sign
    assert out.index("2019:") < out.index("2021:")


@pytest.mark.django_db
def test_a_year_held_only_as_months_is_the_same_number_in_cli_api_and_insight(
    demo: Any, capsys: pytest.CaptureFixture[str], member: Any, login: Any
) -> None:
    area_code, measure_code = MONTHS_ONLY
    code, out, err = run(capsys, "figure", area_code, measure_code, "2022", "--json")
    assert code == 0, err  # before: "No figure" although the page showed the sum
    cli = json.loads(out)
    assert cli["computed"] == selectors.year_from_months_note()
    months = 0
    for month in range(1, 13):
        code, out, err = run(
            capsys, "figure", area_code, measure_code, f"2022M{month:02d}", "--json"
        )
        months += json.loads(out)["value"]
    assert cli["value"] == months
    user = member(Organisation.objects.get(slug="gm0556"), "raadpleger")
    response = login(user).get(f"/api/v1/figures/{area_code}/{measure_code}/2022/")
    assert response.status_code == 200, response.content
    assert response.json() == cli
    area = Area.objects.get(code=area_code)
    measure = Measure.objects.get(code=measure_code)
    series = selectors.load_series(None, [area], [measure])[(area.pk, measure.pk)]
    year = next(p for p in series.years() if p.year == 2022)
    assert year.value == cli["value"]
    assert year.computed == cli["computed"]


@pytest.mark.django_db
def test_a_year_with_months_missing_is_refused_alike_in_cli_and_api(
    demo: Any, capsys: pytest.CaptureFixture[str], member: Any, login: Any
) -> None:
    # Misdaad in kaart holds woninginbraak for Maassluis from 20 April 2023: 9 whole months of 2023.
    code, _out, err = run(
        capsys, "figure", "GM0556", "local:mik_woninginbraak", "2023", "--org", "gm0556"
    )
    assert code == 1
    reason = err.strip().removeprefix("CommandError: ")
    assert "9" in reason
    assert "12" in reason
    organisation = Organisation.objects.get(slug="gm0556")
    user = member(organisation, "raadpleger")
    response = login(user).get("/api/v1/figures/GM0556/local:mik_woninginbraak/2023/")
    assert response.status_code == 404
    assert response.json()["detail"] == reason
    area = Area.objects.get(code="GM0556")
    measure = Measure.objects.get(code="local:mik_woninginbraak")
    series = selectors.load_series(organisation, [area], [measure])[(area.pk, measure.pk)]
    assert 2023 not in [p.year for p in series.years()]


def _examples() -> list[list[str]]:
    """The concrete ``regie waterbed`` examples of the README and of the command's help."""
    from regie.veiligheidsbeeld.management.commands.waterbed import Command

    texts = [README.read_text(encoding="utf-8"), Command.help]
    found = [m.split()[1:] for t in texts for m in re.findall(r"regie waterbed [^`\n|]*", t)]
    # Rows that only show the options (MEASURE, …) are no examples to run.
    return [args for args in found if "MEASURE" not in args and "…" not in args]


@pytest.mark.django_db
@pytest.mark.parametrize("index", [0, 1])
def test_the_waterbed_examples_run_on_the_demo(
    demo: Any, capsys: pytest.CaptureFixture[str], index: int
) -> None:
    examples = _examples()
    if index >= len(examples):
        pytest.skip("only the command's help holds an example")
    args = [a.rstrip(".") for a in examples[index]]
    code, out, err = run(capsys, *args, "--json")
    assert code == 0, err
    data = json.loads(out)
    roles = data["areas"]
    everyone = roles["target"] + roles["displacement"] + roles["control_target"]
    assert len(everyone) == len(set(everyone))  # no area in two roles


@pytest.mark.django_db
def test_waterbed_refuses_an_area_in_two_roles(
    demo: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(
        capsys,
        "waterbed",
        "local:mik_poging_woninginbraak",
        "--target",
        "GM0556",
        "--displacement",
        "GM0482",
        "--control",
        "GM0482",
        "--before",
        "2023M07:2024M06",
        "--after",
        "2024M07:2025M06",
    )
    assert code == 1
    assert out == ""
    assert "GM0482" in err


@pytest.mark.django_db
def test_misdaad_in_kaart_figures_are_marked_not_official(
    demo: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "figure", "GM0556", "local:mik_woninginbraak", "2024M03")
    assert code == 0, err
    assert selectors.unofficial_note() in out


@pytest.mark.django_db
def test_measures_lists_the_kind_and_the_survey_bounds(
    demo: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "measures", "--json")
    assert code == 0, err
    rows = {row["code"]: row for row in json.loads(out)}
    assert rows["local:burgernet_deelnemers"]["kind"] == "stock"
    assert rows["vm:onveilig_buurt_pct"]["kind"] == "survey_pct"
    assert rows["vm:onveilig_buurt_pct.ondergrens"]["unit"] == rows["vm:onveilig_buurt_pct"]["unit"]
    assert rows["cbs:bevolking"]["name"] == "Bevolking op 1 januari"
    assert rows["cbs:bevolking"]["kind"] == "stock"
