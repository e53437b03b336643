"""One write path per aggregate (issue 16): the indicator form, the services and the plan file
import share one home of the target rules (:mod:`regie.policy.targets`) and the plan file is
stored through the services, validated by the model: a file that breaks a rule is refused whole
and nothing is written."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from regie.accounts.models import Role, User
from regie.areas.models import Area
from regie.core.concurrency import edit_token
from regie.core.models import Organisation
from regie.monitor.models import Measure, Unit
from regie.policy import plan_file, services, targets
from regie.policy.models import Goal, Indicator, Plan, Priority, Theme
from regie.policy.targets import IndicatorSpec

pytestmark = pytest.mark.django_db

PLACE = "priorities[0].themes[0].goals[0].indicators[0]"


@pytest.fixture
def grade() -> Measure:
    return Measure.objects.create(
        code="local:cijfer_eenpad",
        source="local",
        key="cijfer_eenpad",
        name="Rapportcijfer buurt",
        unit=Unit.GRADE,
    )


@pytest.fixture
def plan(maassluis: Organisation, areas: dict[str, Area], grade: Measure) -> Plan:
    plan = Plan.objects.create(
        organisation=maassluis, title="IVP 2024–2027", start_year=2024, end_year=2027
    )
    priority = Priority.objects.create(plan=plan, key="veilig", title="Veilig wonen")
    theme = Theme.objects.create(priority=priority, key="inbraak", title="Woninginbraak")
    goal = Goal.objects.create(theme=theme, key="minder", aim="Minder inbraken")
    Indicator.objects.create(
        goal=goal,
        key="gevoel",
        name="Gevoel",
        measure=grade,
        area=Area.objects.get(code="GM0556"),
        target_kind="at_least",
        target_value=7.5,
    )
    return plan


@pytest.fixture
def adviseur(plan: Plan, member: Callable[..., User], login: Callable[[User], Client]) -> Client:
    return login(member(plan.organisation, Role.ADVISEUR))


def _indicator_in(data: dict[str, Any]) -> dict[str, Any]:
    indicator: dict[str, Any] = data["priorities"][0]["themes"][0]["goals"][0]["indicators"][0]
    return indicator


def _refused(data: dict[str, Any], plan: Plan) -> list[str]:
    before = (Plan.objects.count(), Indicator.objects.count())
    with pytest.raises(plan_file.PlanFileError) as refused:
        plan_file.import_plan(data, organisation=plan.organisation)
    assert (Plan.objects.count(), Indicator.objects.count()) == before, "something was written"
    return refused.value.problems


def _form_errors(client: Client, plan: Plan, **values: Any) -> dict[str, list[str]]:
    goal = Goal.objects.get(theme__priority__plan=plan)
    url = reverse(
        "policy:item_create",
        kwargs={"org": plan.organisation.slug, "plan_id": plan.pk, "kind": "indicator"},
    )
    indicator = Indicator.objects.get(goal=goal)
    response = client.post(
        f"{url}?onder={goal.pk}",
        {
            "name": "Nieuw",
            "measure": indicator.measure_id,
            "area": indicator.area_id,
            "decimals": "1",
            **values,
        },
    )
    assert response.status_code == 200
    errors: dict[str, list[str]] = response.context["form"].errors
    return errors


def test_the_form_and_the_plan_file_refuse_an_implausible_target_with_one_message(
    plan: Plan, adviseur: Client, grade: Measure
) -> None:
    message = targets.scale_problem(grade, 75)
    assert message is not None
    errors = _form_errors(adviseur, plan, target_kind="at_least", target_value="75")
    assert errors["target_value"] == [message]
    data = plan_file.export_plan(plan)
    _indicator_in(data)["target"]["value"] = 75
    assert f"plan.{PLACE}.target.value: {message}" in _refused(data, plan)


def test_the_form_and_the_plan_file_refuse_a_goal_year_before_the_start_with_one_message(
    plan: Plan, adviseur: Client
) -> None:
    trajectory = {
        "target_kind": "trajectory",
        "start_year": "2026",
        "start_value": "6",
        "end_year": "2024",
        "end_value": "8",
    }
    [message] = _form_errors(adviseur, plan, **trajectory)["end_year"]
    data = plan_file.export_plan(plan)
    _indicator_in(data)["target"] = {
        "kind": "trajectory",
        "from": {"year": 2026, "value": 6},
        "to": {"year": 2024, "value": 8},
    }
    problems = _refused(data, plan)
    assert f"plan.{PLACE}.target.to.year: {message}" in problems, problems


def test_a_plan_file_trajectory_that_goes_nowhere_is_refused_like_in_the_form(
    plan: Plan, adviseur: Client
) -> None:
    same = {
        "target_kind": "trajectory",
        "start_year": "2022",
        "start_value": "7",
        "end_year": "2026",
        "end_value": "7",
    }
    [message] = _form_errors(adviseur, plan, **same)["end_value"]
    data = plan_file.export_plan(plan)
    _indicator_in(data)["target"] = {
        "kind": "trajectory",
        "from": {"year": 2022, "value": 7},
        "to": {"year": 2026, "value": 7},
    }
    problems = _refused(data, plan)
    assert f"plan.{PLACE}.target.to.value: {message}" in problems, problems


def test_a_plan_file_with_a_key_used_twice_is_refused_whole(plan: Plan) -> None:
    data = plan_file.export_plan(plan)
    goal = data["priorities"][0]["themes"][0]["goals"][0]
    goal["indicators"].append(dict(goal["indicators"][0]))
    problems = _refused(data, plan)
    twice = "plan.priorities[0].themes[0].goals[0].indicators[1].key"
    assert any(p.startswith(f"{twice}: ") for p in problems), problems


def test_a_plan_file_with_an_invalid_key_is_refused_by_the_model_and_nothing_is_written(
    plan: Plan,
) -> None:
    data = plan_file.export_plan(plan)
    data["priorities"][0]["key"] = "Veilig wonen!"  # not a slug: only the model's check says so
    problems = _refused(data, plan)
    assert any(p.startswith("plan.priorities[0].key: ") for p in problems), problems


def test_the_service_refuses_an_implausible_target_with_the_same_message(
    plan: Plan, grade: Measure
) -> None:
    goal = Goal.objects.get(theme__priority__plan=plan)
    spec = IndicatorSpec(
        name="Nieuw",
        measure=grade,
        area=Area.objects.get(code="GM0556"),
        target_kind="at_least",
        target_value=75,
    )
    with pytest.raises(ValidationError) as refused:
        services.add_indicator(goal, spec)
    assert refused.value.message_dict == {"target_value": [targets.scale_problem(grade, 75)]}
    assert Indicator.objects.filter(goal=goal).count() == 1


def test_the_service_gives_a_new_indicator_a_free_key_and_the_next_position(
    plan: Plan, grade: Measure
) -> None:
    goal = Goal.objects.get(theme__priority__plan=plan)
    spec = IndicatorSpec(
        name="Gevoel",
        measure=grade,
        area=Area.objects.get(code="GM0556"),
        target_kind="at_least",
        target_value=7,
        start_year=2020,  # not a trajectory: dropped
    )
    indicator = services.add_indicator(goal, spec)
    assert (indicator.key, indicator.position, indicator.start_year) == ("gevoel-2", 1, None)
    moved = services.set_target(indicator, version=_version(indicator), target_value=7.5)
    assert Indicator.objects.get(pk=moved.pk).target_value == 7.5


def _version(obj: Any) -> str:
    return str(edit_token(obj))


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"target_kind": "at_most"}, "target_value"),
        ({"target_kind": "not_up"}, "baseline_period"),
        ({"target_kind": "trajectory", "start_year": 2022, "start_value": 1.0}, "end_year"),
        ({"target_kind": "at_least", "target_value": 7.0, "decimals": 9}, "decimals"),
    ],
)
def test_the_target_rules_name_the_field_they_are_about(fields: dict[str, Any], field: str) -> None:
    spec = IndicatorSpec.from_mapping({"name": "x", **fields})
    assert field in {p.field for p in targets.problems(spec)}


@pytest.mark.parametrize("value", [float("inf"), float("nan")])
def test_a_value_that_is_not_a_number_is_refused_by_the_one_rule(value: float) -> None:
    spec = IndicatorSpec(
        name="Oneindig", measure=None, area=None, target_kind="at_most", target_value=value
    )
    assert [(p.field, p.message) for p in targets.problems(spec)] == [
        ("target_value", "De streefwaarde moet een getal zijn.")
    ]
