"""The demo uitvoeringsprogramma's (``programme/data/*.yaml``) import onto the demo plans.

Alblasserdam has one half-year programme for 2024 (2024H2, as its IVB promises); Maassluis a
programme for 2023 and one for 2024 that continues the open actions of 2023 under the same keys.
Every file imports whole (goals, scenario lines, notes, evaluation, the college's date), the
amounts paid from a scenario line stay within the chosen scenario, and what is read back is what
the file says.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from regie.demo import services as demo_services
from regie.programme import programme_file, selectors
from regie.programme.models import OPEN_STATUSES, Programme, ProgrammeState
from tests.test_monitor_cli import demo_figures  # noqa: F401 - the module fixture

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parents[1] / "data"
FILES = sorted(DATA.glob("*.yaml"))


def _data(path: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return loaded


@pytest.fixture
def demo_plans(demo_figures: Any) -> None:  # noqa: F811 - the fixture imported above
    """The demo plans on the demo's figures (the plans' indicators name its measures)."""
    demo_services.load_plans()


def _import_all() -> dict[str, Programme]:
    # In period order, so that a programme finds the one before it (predecessor).
    imported = {}
    for path in sorted(FILES, key=lambda p: str(_data(p)["period"])):
        imported[path.name] = programme_file.import_programme(path.read_text(encoding="utf-8"))
    return imported


def test_the_demo_programmes_are_the_ones_the_issue_asks_for() -> None:
    found = {(str(_data(p)["gemeente"]), str(_data(p)["period"])) for p in FILES}
    assert found == {("GM0482", "2024H2"), ("GM0556", "2023"), ("GM0556", "2024")}
    for path in FILES:
        data = _data(path)
        count = len(data["actions"])
        low, high = (8, 12) if "H" in str(data["period"]) else (15, 25)
        assert low <= count <= high, path.name
        assert "DEMO" in path.read_text(encoding="utf-8").split("\n", 3)[2]


def test_every_demo_programme_imports_whole(demo_plans: None) -> None:
    imported = _import_all()
    for path in FILES:
        data = _data(path)
        programme = imported[path.name]
        assert programme.state == ProgrammeState.ADOPTED
        assert programme.adopted_on == data["adopted_on"]
        assert programme.evaluation_summary
        assert programme.evaluation_proposals
        actions = list(selectors.actions_of(programme))
        assert [a.key for a in actions] == [item["key"] for item in data["actions"]]
        for action, item in zip(actions, data["actions"], strict=True):
            assert action.status == item["status"]
            assert action.spent == Decimal(item["spent"])
            assert action.budget == Decimal(item["budget"])
            assert len(action.goals.all()) == len(item["goals"])
            assert len(action.notes.all()) == len(item["notes"])
            assert (action.capacity_line is not None) == ("scenario_line" in item)
        statuses = Counter(a.status for a in actions)
        assert len(statuses) == 5, path.name  # every status occurs in every demo programme
        # The round trip: exporting gives the actions of the file again.
        exported = programme_file.export_programme(programme)
        assert [a["key"] for a in exported["actions"]] == [a.key for a in actions]


def test_scenario_money_stays_within_the_chosen_scenarios(demo_plans: None) -> None:
    imported = _import_all()
    for programme in imported.values():
        used: Counter[int] = Counter()
        lines = {}
        for action in selectors.actions_of(programme):
            if action.capacity_line is not None:
                assert action.capacity_line.scenario.chosen
                used[action.capacity_line.pk] += int(action.budget or 0)
                lines[action.capacity_line.pk] = action.capacity_line
        for pk, amount in used.items():
            line = lines[pk]
            yearly = line.cap if line.cap is not None else line.amount
            share = Decimal("0.5") if programme.is_half_year else Decimal(1)
            assert amount <= yearly * share, (programme.period, line.label)


def test_maassluis_2024_continues_the_open_actions_of_2023(demo_plans: None) -> None:
    imported = _import_all()
    first, second = imported["gm0556-2023.yaml"], imported["gm0556-2024.yaml"]
    assert second.predecessor == first
    still_open = {a.key for a in first.actions.filter(status__in=OPEN_STATUSES)}
    assert still_open
    assert still_open <= set(second.actions.values_list("key", flat=True))
