"""Plans through the services: frozen when adopted, versions, overrides, snapshots, queries."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from regie.accounts.tests.factories import UserFactory
from regie.core.concurrency import edit_token
from regie.core.errors import ServiceError
from regie.policy import plan_file, services
from regie.policy.engine import Status
from regie.policy.models import Indicator, Plan, StatusOverride
from regie.policy.status import evaluate_plan
from tests.test_monitor_cli import demo_figures  # noqa: F401 - the module fixture

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(demo_figures: Any) -> Plan:  # noqa: F811 - the fixture imported above
    path = plan_file.DEMO_DIR / "gm0556.yaml"
    return plan_file.import_plan(plan_file.parse(path.read_text(encoding="utf-8")))


def test_an_adopted_plan_is_frozen_and_changes_go_into_a_new_version(plan: Plan) -> None:
    with pytest.raises(ServiceError):
        services.new_version(plan=plan, version=edit_token(plan))  # a concept: change it directly
    services.adopt(plan=plan, adopted_on=dt.date(2023, 3, 1), version=edit_token(plan))
    priority = plan.priorities.first()
    assert priority is not None
    with pytest.raises(services.PlanFrozen):
        services.save(priority, version=edit_token(priority), title="Anders")
    with pytest.raises(services.PlanFrozen):
        services.delete(priority, version=edit_token(priority))
    copy = services.new_version(plan=plan, version=edit_token(plan))
    assert (copy.version, copy.state, copy.predecessor_id) == (2, "concept", plan.pk)
    assert plan_file.export_plan(copy)["priorities"] == plan_file.export_plan(plan)["priorities"]
    mine = copy.priorities.get(key=priority.key)
    services.save(mine, version=edit_token(mine), title="Anders")
    assert plan.priorities.get(key=priority.key).title != "Anders"
    with pytest.raises(ServiceError):
        services.new_version(plan=plan, version=edit_token(plan))  # one successor per version


def test_an_override_needs_a_reason_and_is_kept_in_the_history(plan: Plan) -> None:
    user = UserFactory()
    indicator = Indicator.objects.get(
        goal__theme__priority__plan=plan, key="rapportcijfer-woonbuurt"
    )
    with pytest.raises(ServiceError):
        services.override_status(
            indicator=indicator, status=Status.AT_RISK, reason=" ", user=user, version="0"
        )
    services.override_status(
        indicator=indicator,
        status=Status.AT_RISK,
        reason="Politie meldt stijging",
        user=user,
        version="0",
    )
    found = evaluate_plan(plan).by_indicator[indicator.pk]
    assert found.status == Status.AT_RISK
    assert "Politie meldt stijging" in found.explanation
    assert found.computed.status == Status.NO_MEASUREMENT  # the computed one stays visible
    services.override_status(
        indicator=indicator,
        status=None,
        reason="Ingetrokken",
        user=user,
        version=services.history_version(indicator),
    )
    assert evaluate_plan(plan).by_indicator[indicator.pk].status == Status.NO_MEASUREMENT
    assert StatusOverride.objects.filter(indicator=indicator).count() == 2  # append-only


def test_a_snapshot_keeps_a_reporting_moment_once(plan: Plan) -> None:
    snapshot = services.take_snapshot(plan=plan, label="2024H2", user=None)
    assert snapshot.payload["priorities"]
    assert snapshot.data_version
    with pytest.raises(ServiceError):
        services.take_snapshot(plan=plan, label="2024H2", user=None)


def test_evaluating_a_plan_takes_the_same_queries_for_any_size(
    plan: Plan, django_assert_max_num_queries: Any
) -> None:
    template = Indicator.objects.filter(goal__theme__priority__plan=plan).first()
    assert template is not None
    for number in range(50):
        Indicator.objects.create(
            goal=template.goal,
            key=f"extra-{number}",
            name=f"Extra {number}",
            measure=template.measure,
            area=template.area,
            target_kind=template.target_kind,
            target_value=template.target_value,
            baseline_period=template.baseline_period,
            baseline_value=template.baseline_value,
        )
    plan = Plan.objects.select_related("organisation").get(pk=plan.pk)
    with django_assert_max_num_queries(10):
        result = evaluate_plan(plan)
    assert len(result.by_indicator) >= 55


def test_a_plan_file_with_an_unknown_field_stores_nothing(plan: Plan) -> None:
    data = plan_file.export_plan(plan)
    data["priorities"][0]["themez"] = []  # a typo: silently dropping it would lose the themes
    before = Plan.objects.count()
    with pytest.raises(plan_file.PlanFileError) as found:
        plan_file.import_plan(data)
    assert found.value.problems == ["plan.priorities[0].themez: onbekend veld"]
    assert Plan.objects.count() == before


def test_a_plan_file_cannot_use_another_gemeentes_own_measure(plan: Plan) -> None:
    from regie.core.models import Organisation
    from regie.monitor.models import Measure

    other = Organisation.objects.get(cbs_code="GM0482")
    Measure.objects.create(
        code="local:alleen_alblasserdam",
        source="local",
        key="alleen_alblasserdam",
        name="Eigen",
        organisation=other,
    )
    data = plan_file.export_plan(plan)
    indicator = data["priorities"][0]["themes"][0]["goals"][0]["indicators"][0]
    indicator["measure"] = "local:alleen_alblasserdam"
    indicator["baseline"]["period"] = 2022  # a YAML number is a period too
    with pytest.raises(plan_file.PlanFileError) as found:
        plan_file.import_plan(data)
    assert any("local:alleen_alblasserdam" in p for p in found.value.problems)
    assert not any("baseline.period" in p for p in found.value.problems)
