"""The uitvoeringsprogramma through its services: periods, the frozen rule, goals of the own plan,
progress notes, the next year from the open actions, and effort kept apart from effect."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from regie.accounts.tests.factories import UserFactory
from regie.core.concurrency import StaleEditError, edit_token
from regie.core.errors import ServiceError
from regie.policy import plan_file
from regie.policy.models import CapacityLine, Goal, Plan
from regie.programme import effort, selectors, services
from regie.programme.models import Action, ActionStatus, ProgressNote
from tests.test_monitor_cli import demo_figures  # noqa: F401 - the module fixture

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(demo_figures: Any) -> Plan:  # noqa: F811 - the fixture imported above
    path = plan_file.DEMO_DIR / "gm0482.yaml"
    return plan_file.import_plan(plan_file.parse(path.read_text(encoding="utf-8")))


def _goal(plan: Plan, index: int = 0) -> Goal:
    return list(selectors.goals_of(plan))[index]


def test_a_period_is_a_year_or_half_year_of_the_plan_once(plan: Plan) -> None:
    programme = services.create_programme(plan=plan, period="2024h1", title="")
    assert programme.period == "2024H1"
    assert "2024H1" in programme.title
    for wrong in ("2024H3", "24", "2024-1", "2030", ""):
        with pytest.raises(ServiceError):
            services.create_programme(plan=plan, period=wrong, title="x")
    with pytest.raises(ServiceError, match="al een"):
        services.create_programme(plan=plan, period="2024H1", title="again")


def test_an_adopted_programme_keeps_what_was_decided_but_takes_progress(plan: Plan) -> None:
    programme = services.create_programme(plan=plan, period="2024", title="Programma 2024")
    goal = _goal(plan)
    action = services.save_action(
        programme,
        goals=[goal],
        title="Buurtpreventie uitbreiden",
        owner="Team OOV",
        budget=Decimal("12000.50"),
        quarters="21",
    )
    assert (action.key, action.quarters, action.position) == ("buurtpreventie-uitbreiden", "12", 0)
    with pytest.raises(ServiceError):
        services.adopt(
            services.create_programme(plan=plan, period="2025", title="leeg"),
            adopted_on=dt.date(2025, 1, 1),
            version="0",
        )
    services.adopt(programme, adopted_on=dt.date(2024, 3, 12), version=edit_token(programme))
    action.refresh_from_db()
    with pytest.raises(services.ProgrammeFrozen):
        services.save_action(programme, action=action, version=edit_token(action), budget=1)
    with pytest.raises(services.ProgrammeFrozen):
        services.save_action(programme, goals=[goal], title="Nieuw", owner="x")
    with pytest.raises(services.ProgrammeFrozen):
        services.save_action(
            programme, action=action, version=edit_token(action), goals=[_goal(plan, 1)]
        )
    with pytest.raises(services.ProgrammeFrozen):
        services.delete_action(action, version=edit_token(action))
    services.save_action(
        programme,
        action=action,
        version=edit_token(action),
        status=ActionStatus.DONE,
        spent=Decimal("11000"),
        result="Twee nieuwe groepen",
        budget=action.budget,  # unchanged decided fields are fine
    )
    action.refresh_from_db()
    assert (action.status, action.spent) == (ActionStatus.DONE, Decimal("11000.00"))


def test_goals_and_scenario_lines_must_be_of_the_programme_s_plan(plan: Plan) -> None:
    other = plan_file.import_plan(
        plan_file.parse((plan_file.DEMO_DIR / "gm0556.yaml").read_text(encoding="utf-8"))
    )
    programme = services.create_programme(plan=plan, period="2024", title="P")
    with pytest.raises(ServiceError, match="geen doel"):
        services.save_action(programme, goals=[_goal(other)], title="A", owner="x")
    again = plan_file.import_plan(
        plan_file.parse((plan_file.DEMO_DIR / "gm0482.yaml").read_text(encoding="utf-8"))
    )
    line = CapacityLine.objects.filter(scenario__theme__priority__plan=again).first()
    assert line is not None
    with pytest.raises(ServiceError, match="scenarioregel"):
        services.save_action(programme, goals=[], title="A", owner="x", capacity_line=line)
    for fields in ({"quarters": "15"}, {"quarters": "11"}, {"budget": Decimal(-1)}):
        with pytest.raises(ServiceError):
            services.save_action(programme, title="A", owner="x", **fields)
    with pytest.raises(ServiceError, match="voor de start"):
        services.save_action(
            programme, title="A", owner="x", start=dt.date(2024, 5, 1), end=dt.date(2024, 4, 1)
        )
    assert not Action.objects.filter(programme=programme).exists()


def test_two_saves_of_the_same_version_one_wins(plan: Plan) -> None:
    programme = services.create_programme(plan=plan, period="2024", title="P")
    action = services.save_action(programme, title="A", owner="x")
    seen = edit_token(action)
    services.save_action(programme, action=action, version=seen, title="B")
    with pytest.raises(StaleEditError):
        services.save_action(programme, action=action, version=seen, title="C")
    action.refresh_from_db()
    assert action.title == "B"


def test_progress_notes_are_kept_and_set_the_status(plan: Plan) -> None:
    programme = services.create_programme(plan=plan, period="2024", title="P")
    action = services.save_action(programme, title="A", owner="x")
    user = UserFactory()
    services.add_progress(
        action,
        version=edit_token(action),
        moment="2024H1",
        text="Gestart met twee wijken",
        status=ActionStatus.RUNNING,
        spent=Decimal(2500),
        user=user,
    )
    action.refresh_from_db()
    services.add_progress(
        action,
        version=edit_token(action),
        moment="2024H2",
        text="Vertraagd door ziekte",
        status=ActionStatus.DELAYED,
        user=user,
    )
    action.refresh_from_db()
    assert (action.status, action.spent) == (ActionStatus.DELAYED, Decimal("2500.00"))
    assert list(ProgressNote.objects.filter(action=action).values_list("moment", flat=True)) == [
        "2024H2",
        "2024H1",
    ]
    with pytest.raises(ServiceError):
        services.add_progress(
            action, version=edit_token(action), moment="2024H2", text=" ", status="loopt"
        )
    with pytest.raises(ServiceError):
        services.add_progress(
            action, version=edit_token(action), moment="2024H2", text="x", status="klaar"
        )


def test_a_new_year_starts_from_the_open_actions(plan: Plan) -> None:
    programme = services.create_programme(plan=plan, period="2024", title="P")
    goal = _goal(plan)
    statuses = {
        "niet-begonnen": ActionStatus.NOT_STARTED,
        "loopt": ActionStatus.RUNNING,
        "achter": ActionStatus.DELAYED,
        "klaar": ActionStatus.DONE,
        "vervallen": ActionStatus.DROPPED,
    }
    for key, status in statuses.items():
        services.save_action(
            programme, goals=[goal], key=key, title=key, owner="x", status=status, budget=100
        )
    following = services.start_next(programme, period="2025")
    carried = {a.key: a for a in following.actions.all()}
    assert set(carried) == {"niet-begonnen", "loopt", "achter"}
    assert carried["loopt"].carried_from is not None
    assert carried["loopt"].budget is None  # a new year's budget is decided anew
    assert [g.pk for g in carried["achter"].goals.all()] == [goal.pk]
    assert following.predecessor_id == programme.pk


def test_effort_is_its_own_roll_up_never_the_indicators() -> None:
    assert effort.summarise([]).effort == effort.Effort.NO_ACTIONS
    assert effort.summarise(["vervallen"]).effort == effort.Effort.ALL_DROPPED
    assert effort.summarise(["loopt", "vertraagd"]).effort == effort.Effort.BEHIND
    assert effort.summarise(["gereed", "vervallen"]).effort == effort.Effort.COMPLETED
    assert effort.summarise(["niet_gestart", "vervallen"]).effort == effort.Effort.NOT_STARTED
    summary = effort.summarise(["loopt", "gereed", "niet_gestart"])
    assert summary.effort == effort.Effort.ON_SCHEDULE
    assert summary.total == 3
    assert "indicator" not in summary.explanation.lower()


def test_budget_per_theme_counts_each_action_once(plan: Plan) -> None:
    programme = services.create_programme(plan=plan, period="2024", title="P")
    goals = list(selectors.goals_of(plan))
    two_themes = [goals[0], next(g for g in goals if g.theme_id != goals[0].theme_id)]
    services.save_action(programme, goals=two_themes, title="A", owner="x", budget=1000, spent=400)
    services.save_action(programme, goals=[goals[0]], title="B", owner="x", budget=500)
    rows = selectors.budget_by_theme(list(selectors.actions_of(programme)))
    assert sum(r.planned for r in rows) == Decimal(1500)
    assert sum(r.spent for r in rows) == Decimal(400)
    assert sum(r.unknown_spent for r in rows) == 1


def test_the_capacity_page_shows_reports_per_category_against_the_formation(
    demo_figures: Any,  # noqa: F811 - the fixture imported above
    login: Any,
    member: Any,
) -> None:
    from django.urls import reverse

    from regie.core.models import Organisation
    from regie.demo import services as demo_services

    demo_services.load_plans()
    organisation = Organisation.objects.get(slug="gm0482")
    client = login(member(organisation, "raadpleger"))
    page = client.get(reverse("programme:capacity", kwargs={"org": "gm0482"}))
    assert page.status_code == 200
    body = page.content.decode()
    assert "1.101" in body  # the seed's total of the first twelve-month window
    assert "1.170" in body
    assert "60,4" in body  # parking's share of 1.101 (665), rounded half up
    # both windows end before the chosen scenario starts (2024): the earlier 1,7 fte, not 4,7
    assert "1,7" in body
    download = client.get(
        reverse("programme:capacity", kwargs={"org": "gm0482"}),
        {"download": "meldingen-en-capaciteit", "format": "csv"},
    )
    assert download.status_code == 200
    other = login(member(Organisation.objects.get(slug="gm0556"), "adviseur"))
    assert other.get(reverse("programme:capacity", kwargs={"org": "gm0482"})).status_code == 404
