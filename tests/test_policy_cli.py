"""The policy commands on the demo plans: scenario costs, statuses and the plan file round trip."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from regie.core.models import Organisation
from regie.demo import services as demo_services
from regie.policy import selectors, services
from regie.policy.models import Indicator, Plan, Priority, Scenario, Theme
from regie.policy.status import evaluate_indicators
from tests.test_cli import run_main
from tests.test_monitor_cli import demo_figures  # noqa: F401 - the module fixture

pytestmark = pytest.mark.django_db


@pytest.fixture
def plans(demo_figures: Any) -> list[str]:  # noqa: F811 - the fixture imported above
    return demo_services.load_plans()


def test_scenario_costs_apply_the_cap_and_the_april_start(
    plans: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_main(capsys, "scenario-costs", "GM0482", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["chosen"] == {"team-veiligheid": "B", "handhaving": "B"}
    by_year = {y["year"]: y for y in data["years"]}
    assert sorted(by_year) == [2024, 2025, 2026, 2027]
    # April start: 9/12 of (44.000 + the boa cap of 200.000); later years the full 244.000.
    assert by_year[2024]["months"] == 9
    assert by_year[2024]["with_caps"] == 183000
    assert by_year[2024]["without_caps"] == 316500
    assert [by_year[y]["with_caps"] for y in (2025, 2026, 2027)] == [244000] * 3
    # The council proposal's 187.500 for 2024 does not add up: both numbers are given.
    flagged = data["discrepancies"]
    assert [(d["year"], d["stated"], d["computed"]) for d in flagged] == [(2024, 187500, 183000)]
    code, out, err = run_main(capsys, "scenario-costs", "GM0482")
    assert code == 0, err
    assert "187.500" in out
    assert "183.000" in out


def test_the_trust_trajectory_gives_the_expected_value_and_a_status(plans: list[str]) -> None:
    from regie.policy import engine
    from regie.policy.status import target_of

    indicator = Indicator.objects.select_related(
        "measure", "area", "goal__theme__priority__plan__organisation"
    ).get(key="vertrouwen-lokale-overheid")
    target = target_of(indicator)
    assert engine.expected_on_trajectory(target, 2024) == pytest.approx(54.0)
    # A measurement in 2024 of 52% (49–55%): behind the trajectory but within the margin.
    result = engine.evaluate(
        target,
        [engine.Measurement("2024", 2024, 52.0, lower=49.0, upper=55.0)],
        decimals=0,
    )
    assert result.status == engine.Status.WITHIN_MARGIN
    assert result.expected == pytest.approx(54.0)
    assert "54" in result.explanation
    assert "52" in result.explanation
    # On the demo data itself (only the 2022 start value) the status says so, with a reason.
    found = evaluate_indicators([indicator])[indicator.pk]
    assert found.status == engine.Status.NO_MEASUREMENT
    assert found.explanation


def test_plan_export_import_export_is_identical(
    plans: list[str], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    for gemeente in ("GM0482", "GM0556"):
        code, first, err = run_main(capsys, "plan", "export", gemeente)
        assert code == 0, err
        path = tmp_path / f"{gemeente}.yaml"
        path.write_text(first, encoding="utf-8")
        before = Plan.objects.count()
        code, _out, err = run_main(capsys, "plan", "import", str(path))
        assert code == 0, err
        assert Plan.objects.count() == before + 1
        code, second, err = run_main(capsys, "plan", "export", gemeente)
        assert code == 0, err
        assert second == first


def test_the_round_trip_keeps_the_status_history_as_it_was(
    plans: list[str], capsys: pytest.CaptureFixture[str], tmp_path: Path, member: Any
) -> None:
    """Overrides of the organisation's own history keep their author and time in a round trip
    (a file cannot claim them for an override that does not exist: tests/security)."""
    from regie.accounts.models import Role
    from regie.policy.engine import Status
    from regie.policy.models import StatusOverride

    plan = selectors.current_plan(Organisation.objects.get(cbs_code="GM0556"))
    assert plan is not None
    indicator = Indicator.objects.filter(goal__theme__priority__plan=plan).first()
    assert indicator is not None
    author = member(plan.organisation, Role.ADVISEUR)
    for status, user in ((Status.AT_RISK, author), (None, None)):
        services.override_status(
            indicator=indicator,
            status=status,
            reason=f"Oordeel {user}",
            user=user,
            version=services.history_version(indicator),
        )
    code, first, err = run_main(capsys, "plan", "export", "GM0556")
    assert code == 0, err
    assert f"by: {author.username}" in first
    path = tmp_path / "plan.yaml"
    path.write_text(first, encoding="utf-8")
    code, _out, err = run_main(capsys, "plan", "import", str(path))
    assert code == 0, err
    code, second, err = run_main(capsys, "plan", "export", "GM0556")
    assert code == 0, err
    assert second == first
    copies = StatusOverride.objects.exclude(indicator=indicator).filter(
        indicator__key=indicator.key,
        indicator__goal__theme__priority__plan__organisation=plan.organisation,
    )
    assert sorted((o.created_by_id or 0) for o in copies) == sorted([author.pk, 0])


def test_a_broken_plan_file_stores_nothing_and_says_where(
    plans: list[str], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, text, _err = run_main(capsys, "plan", "export", "GM0482")
    broken = text.replace("measure: local:vertrouwen_in_lokale_overheid_pct", "measure: local:nope")
    broken = broken.replace("amount: 44000", "amount: veel")
    broken = broken.replace("amount: 88000", "amount: .nan")
    path = tmp_path / "broken.yaml"
    path.write_text(broken, encoding="utf-8")
    before = Plan.objects.count()
    code, _out, err = run_main(capsys, "plan", "import", str(path))
    assert code == 1
    assert Plan.objects.count() == before
    assert "indicators[0].measure" in err
    assert "local:nope" in err
    assert "lines[0].amount" in err
    assert "veel" in err
    assert "lines[0].amount: geen getal: nan" in err


def test_plan_status_explains_every_status(
    plans: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_main(capsys, "plan", "status", "GM0556", "--json")
    assert code == 0, err
    data = json.loads(out)
    seen = []

    def walk(node: dict[str, Any]) -> None:
        assert node["explanation"]
        for item in node.get("indicators", []):
            assert item["explanation"], item
            seen.append((item["indicator"], item["status"]))
        for child in node.get("children", []):
            walk(child)

    for priority in data["priorities"]:
        walk(priority)
    statuses = dict(seen)
    # 7,3 in 2021 is the baseline and before the plan period 2023–2026: nothing to judge yet
    assert statuses["rapportcijfer-woonbuurt"] == "no_measurement"
    assert statuses["misdrijven-politie"] == "achieved"  # 1.222 in 2025 against 1.234 in 2022
    assert len(seen) >= 5


# --- what the scenario page handles, the command handles too ------------------------------------


def _small_plan(organisation: Organisation) -> Plan:
    """Two themes with a chosen scenario A that each has a line "Formatie", from July 2024."""
    plan = Plan.objects.create(
        organisation=organisation,
        title="IVB",
        start_year=2024,
        end_year=2025,
        costs_start=dt.date(2024, 7, 1),
    )
    priority = Priority.objects.create(plan=plan, key="p", title="P")
    for position, (key, amount) in enumerate({"a": 12000, "b": 24000}.items()):
        theme = Theme.objects.create(
            priority=priority, key=key, title=key.upper(), position=position
        )
        chosen = Scenario.objects.create(theme=theme, letter="A", title="Extra", chosen=True)
        chosen.lines.create(label="Formatie", fte_extra=1, amount=Decimal(amount))
        Scenario.objects.create(theme=theme, letter="B", title="Niets")  # no lines
    return plan


def test_scenario_costs_with_the_same_line_label_in_two_themes(
    alblasserdam: Organisation, capsys: pytest.CaptureFixture[str]
) -> None:
    plan = _small_plan(alblasserdam)
    code, out, err = run_main(capsys, "scenario-costs", "GM0482", "--json")
    assert code == 0, err
    data = json.loads(out)
    # Half of 2024 from July: 6.000 + 12.000; then the full 36.000.
    assert [y["with_caps"] for y in data["years"]] == [18000, 36000]
    result = selectors.plan_costs(plan)
    assert result is not None
    # Each line under its own name, as on the scenario page: the theme's title added.
    assert sorted(result.per_line) == ["Formatie (A)", "Formatie (B)"]


def test_scenario_costs_of_a_chosen_scenario_without_lines(
    alblasserdam: Organisation, capsys: pytest.CaptureFixture[str]
) -> None:
    plan = _small_plan(alblasserdam)
    chosen = Scenario.objects.get(theme__priority__plan=plan, theme__key="a", letter="B")
    services.choose_scenario(
        scenario=chosen, decided_on=None, version=services.choice_version(chosen.theme)
    )
    code, out, err = run_main(capsys, "scenario-costs", "GM0482", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["chosen"] == {"a": "B", "b": "A"}
    assert [y["with_caps"] for y in data["years"]] == [12000, 24000]  # theme b only


def test_scenario_costs_keep_apart_two_themes_with_the_same_key(
    alblasserdam: Organisation, capsys: pytest.CaptureFixture[str]
) -> None:
    # Theme keys are unique within a priority only: a second priority with a theme "a" must not
    # hide the first one's choice in the JSON.
    plan = _small_plan(alblasserdam)
    other = Priority.objects.create(plan=plan, key="q", title="Q", position=1)
    theme = Theme.objects.create(priority=other, key="a", title="A2")
    Scenario.objects.create(theme=theme, letter="C", title="Meer", chosen=True)
    code, out, err = run_main(capsys, "scenario-costs", "GM0482", "--json")
    assert code == 0, err
    assert json.loads(out)["chosen"] == {"p/a": "A", "b": "A", "q/a": "C"}
    assert selectors.chosen(plan) == {"p/a": "A", "b": "A", "q/a": "C"}


def test_scenario_costs_report_a_stated_figure_outside_the_plan_as_not_checked(
    alblasserdam: Organisation, capsys: pytest.CaptureFixture[str]
) -> None:
    plan = _small_plan(alblasserdam)
    plan.stated_figures.create(label="Kosten", year=2023, amount=Decimal(5000))
    plan.stated_figures.create(label="Kosten", year=2025, amount=Decimal(30000))
    code, out, err = run_main(capsys, "scenario-costs", "GM0482", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert [(d["year"], d["stated"], d["computed"]) for d in data["discrepancies"]] == [
        (2025, 30000, 36000)
    ]
    assert data["unchecked"] == [{"label": "Kosten", "year": 2023, "stated": 5000}]
    code, out, err = run_main(capsys, "scenario-costs", "GM0482")
    assert code == 0, err
    assert "2023" in out
    assert "5.000" in out
