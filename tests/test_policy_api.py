"""The policy API over HTTP on the demo plans: tenancy, the plan tree, statuses, indicators."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from regie.accounts.models import Role, User
from regie.accounts.tests.factories import MembershipFactory, UserFactory
from regie.core.concurrency import edit_token
from regie.core.models import Organisation
from regie.demo import services as demo_services
from regie.policy import engine, plan_file, services
from regie.policy.models import Goal, Indicator, Plan
from tests.test_cli import run_main
from tests.test_monitor_cli import demo_figures  # noqa: F401 - the module fixture

pytestmark = pytest.mark.django_db

Login = Callable[[User], Client]
Member = Callable[[Organisation, str], User]

PLAN_FIELDS = {
    "id",
    "organisation",
    "gemeente",
    "title",
    "start_year",
    "end_year",
    "state",
    "adopted_on",
    "version",
    "predecessor",
    "url",
}


@pytest.fixture
def plans(demo_figures: Any) -> dict[str, Plan]:  # noqa: F811 - the fixture imported above
    """The demo plans of Maassluis (GM0556) and Alblasserdam (GM0482), by CBS code."""
    demo_services.load_plans()
    return {p.organisation.cbs_code: p for p in Plan.objects.select_related("organisation")}


@pytest.fixture
def adviseur(plans: dict[str, Plan], member: Member, login: Login) -> Client:
    """A logged-in adviseur of Maassluis (no role in Alblasserdam)."""
    return login(member(plans["GM0556"].organisation, Role.ADVISEUR))


def _get(client: Client, name: str, *, language: str = "en", **kwargs: Any) -> Any:
    query = kwargs.pop("query", {})
    url = reverse(name, kwargs=kwargs or None)
    return client.get(url, query, HTTP_ACCEPT_LANGUAGE=language)


def _indicators(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every indicator status under a node of the statuses JSON."""
    yield from node.get("indicators", [])
    for child in node.get("children", node.get("priorities", [])):
        yield from _indicators(child)


def _nodes(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield node
    for child in node.get("children", node.get("priorities", [])):
        yield from _nodes(child)


# --- plans ------------------------------------------------------------------------------------


def test_the_list_holds_every_version_of_own_plans_only(
    plans: dict[str, Plan], adviseur: Client, member: Member, login: Login
) -> None:
    first = plans["GM0556"]
    services.adopt(plan=first, adopted_on=dt.date(2023, 3, 1), version=edit_token(first))
    second = services.new_version(plan=first, version=edit_token(first))

    response = _get(adviseur, "api:plan_list")
    assert response.status_code == 200
    data = response.json()
    assert data["count"] == 2
    rows = data["results"]
    assert [r["id"] for r in rows] == [second.pk, first.pk]  # newest version first
    assert all(set(r) == PLAN_FIELDS for r in rows)
    assert {(r["organisation"], r["gemeente"]) for r in rows} == {("gm0556", "GM0556")}
    newest, oldest = rows
    assert (newest["version"], newest["predecessor"], newest["state"]) == (2, first.pk, "concept")
    assert (oldest["predecessor"], oldest["state"], oldest["adopted_on"]) == (
        None,
        "vastgesteld",
        "2023-03-01",
    )
    assert oldest["url"].endswith(reverse("api:plan_detail", kwargs={"pk": first.pk}))

    # ?org= narrows to one gemeente; another gemeente (or an unknown one) is 404.
    own = _get(adviseur, "api:plan_list", query={"org": "gm0556"})
    assert [r["id"] for r in own.json()["results"]] == [second.pk, first.pk]
    assert _get(adviseur, "api:plan_list", query={"org": "gm0482"}).status_code == 404
    assert _get(adviseur, "api:plan_list", query={"org": "nergens"}).status_code == 404

    # A raadpleger of both gemeenten sees both; a handhaver (no staff role) sees none.
    both = member(plans["GM0556"].organisation, Role.RAADPLEGER)
    MembershipFactory(user=both, organisation=plans["GM0482"].organisation, role=Role.BEHEERDER)
    client = login(both)
    assert {r["gemeente"] for r in _get(client, "api:plan_list").json()["results"]} == {
        "GM0556",
        "GM0482",
    }
    narrowed = _get(client, "api:plan_list", query={"org": "gm0482"}).json()["results"]
    assert [r["id"] for r in narrowed] == [plans["GM0482"].pk]
    handhaver = login(member(plans["GM0556"].organisation, Role.HANDHAVER))
    assert _get(handhaver, "api:plan_list").json()["count"] == 0


def test_the_plan_detail_gives_the_tree_as_the_plan_file_has_it(
    plans: dict[str, Plan], adviseur: Client
) -> None:
    plan = plans["GM0556"]
    source = plan_file.parse((plan_file.DEMO_DIR / "gm0556.yaml").read_text(encoding="utf-8"))
    response = _get(adviseur, "api:plan_detail", pk=plan.pk)
    assert response.status_code == 200
    data = response.json()
    assert set(data) >= PLAN_FIELDS
    assert (data["id"], data["gemeente"], data["title"]) == (plan.pk, "GM0556", source["title"])
    assert data["costs"] is None  # Maassluis's plan has no scenarios

    # The import reads a baseline without a value in the file from the figures.
    baselines = {
        i.key: {"period": i.baseline_period or None, "value": i.baseline_value}
        for i in Indicator.objects.filter(goal__theme__priority__plan=plan)
    }

    def indicator_of(item: dict[str, Any]) -> dict[str, Any]:
        target = item["target"]
        trajectory = target["kind"] == "trajectory"
        assert item["baseline"]["period"] == baselines[item["key"]]["period"]
        return {
            "key": item["key"],
            "name": item["name"],
            "measure": item["measure"],
            "area": item["area"],
            "kind": target["kind"],
            "value": target.get("value"),
            "from": target["from"] if trajectory else None,
            "to": target["to"] if trajectory else None,
            "baseline": baselines[item["key"]],
        }

    def from_api(item: dict[str, Any]) -> dict[str, Any]:
        target = item["target"]
        trajectory = target["kind"] == "trajectory"
        return {
            "key": item["key"],
            "name": item["name"],
            "measure": item["measure"],
            "area": item["area"],
            "kind": target["kind"],
            "value": target["value"],
            "from": {"year": target["start_year"], "value": target["start_value"]}
            if trajectory
            else None,
            "to": {"year": target["end_year"], "value": target["end_value"]}
            if trajectory
            else None,
            "baseline": item["baseline"],
        }

    def tree(priorities: list[dict[str, Any]], indicator: Callable[..., Any]) -> list[Any]:
        return [
            (
                p["key"],
                p["kind"],
                p["title"],
                [
                    (
                        t["key"],
                        t["title"],
                        sorted(t["kbv"]),
                        [
                            (
                                g["key"],
                                g["aim"],
                                sorted(g["kbv"]),
                                [indicator(i) for i in g["indicators"]],
                            )
                            for g in t["goals"]
                        ],
                    )
                    for t in p["themes"]
                ],
            )
            for p in priorities
        ]

    assert tree(data["priorities"], from_api) == tree(source["priorities"], indicator_of)
    # Ids, so that a client can go on to a goal or an indicator.
    goal = data["priorities"][0]["themes"][0]["goals"][0]
    assert Goal.objects.get(pk=goal["id"]).key == goal["key"]
    assert Indicator.objects.get(pk=goal["indicators"][0]["id"]).goal_id == goal["id"]


def test_the_plan_detail_gives_the_chosen_scenarios_and_the_costs_of_the_cli(
    plans: dict[str, Plan], member: Member, login: Login, capsys: pytest.CaptureFixture[str]
) -> None:
    plan = plans["GM0482"]
    client = login(member(plan.organisation, Role.RAADPLEGER))
    data = _get(client, "api:plan_detail", pk=plan.pk, language="nl").json()
    themes = {t["key"]: t for p in data["priorities"] for t in p["themes"]}
    assert themes["jeugd"]["chosen_scenario"] is None
    team = themes["team-veiligheid"]["chosen_scenario"]
    assert (team["letter"], team["title"]) == ("B", "Realistisch")
    assert team["lines"] == [
        {
            "label": "Formatie OOV",
            "fte_extra": "0.5",
            "fte_total": None,
            "amount": 44000,
            "cap": None,
            "note": "beleid voor de prioriteiten, casusregie",
        }
    ]
    boa = themes["handhaving"]["chosen_scenario"]["lines"][0]
    assert (boa["fte_extra"], boa["fte_total"], boa["amount"], boa["cap"]) == (
        3,
        "4.7",
        378000,
        200000,
    )
    costs = data["costs"]
    by_year = {y["year"]: y for y in costs["years"]}
    assert by_year[2024]["with_caps"] == 183000
    assert [(d["year"], d["stated"], d["computed"]) for d in costs["discrepancies"]] == [
        (2024, 187500, 183000)
    ]
    # The same JSON, key for key, as `regie scenario-costs --json`.
    with translation.override("nl"):
        code, out, err = run_main(capsys, "scenario-costs", "GM0482", "--json")
    assert code == 0, err
    assert costs == json.loads(out)


# --- statuses ---------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["nl", "en"])
def test_every_status_has_a_label_and_an_explanation(
    plans: dict[str, Plan], adviseur: Client, language: str
) -> None:
    plan = plans["GM0556"]
    response = _get(adviseur, "api:plan_statuses", pk=plan.pk, language=language)
    assert response.status_code == 200
    data = response.json()
    assert (data["plan"], data["gemeente"], data["version"]) == (plan.title, "GM0556", 1)
    found = list(_indicators(data))
    expected = Indicator.objects.filter(goal__theme__priority__plan=plan)
    assert sorted(i["indicator"] for i in found) == sorted(i.key for i in expected)
    with translation.override(language):
        labels = {s.value: engine.status_label(s) for s in engine.Status}
    for item in [*_nodes(data), *found]:
        assert item["status"] in labels
        assert item["label"] == labels[item["status"]], item
        assert item["explanation"].strip(), item
    for item in found:
        assert item["computed_explanation"].strip()
        assert set(item) >= {"measurement", "expected", "margin", "override"}
    # The demo figures judge at least one indicator (not everything is "no new measurement").
    assert any(i["measurement"] is not None for i in found)


def test_since_must_be_a_period_code(plans: dict[str, Plan], adviseur: Client) -> None:
    plan = plans["GM0556"]
    response = _get(adviseur, "api:plan_statuses", pk=plan.pk, query={"since": "20x"})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    message = response.json()["since"][0]
    assert "20x" in message
    assert "2023H1" in message  # says what a period code looks like

    # A valid period: nothing is newer than 2099, so every status says so.
    later = _get(adviseur, "api:plan_statuses", pk=plan.pk, query={"since": "2099"}).json()
    assert {i["status"] for i in _indicators(later)} == {"no_measurement"}
    # Tenancy comes first: another gemeente's plan is 404, whatever the parameter.
    other = plans["GM0482"].pk
    assert _get(adviseur, "api:plan_statuses", pk=other, query={"since": "20x"}).status_code == 404


def test_a_goal_gives_its_indicators_with_their_statuses_and_its_roll_up(
    plans: dict[str, Plan], adviseur: Client
) -> None:
    plan = plans["GM0556"]
    statuses = _get(adviseur, "api:plan_statuses", pk=plan.pk).json()
    goal = (
        Goal.objects.filter(theme__priority__plan=plan, indicators__isnull=False)
        .select_related("theme__priority")
        .distinct()
        .first()
    )
    assert goal is not None
    response = _get(adviseur, "api:goal_detail", pk=goal.pk)
    assert response.status_code == 200
    data = response.json()
    assert (data["id"], data["key"], data["aim"]) == (goal.pk, goal.key, goal.aim)
    assert data["theme"] == {"id": goal.theme_id, "key": goal.theme.key, "title": goal.theme.title}
    assert data["priority"]["key"] == goal.theme.priority.key
    assert (data["plan"]["id"], data["plan"]["version"]) == (plan.pk, 1)
    assert sorted(data["kbv"]) == sorted(goal.safety_themes.values_list("code", flat=True))
    # The same statuses, and the same roll-up, as the plan's statuses give.
    [node] = [
        g
        for p in statuses["priorities"]
        for t in p.get("children", [])
        for g in t.get("children", [])
        if t["key"] == goal.theme.key and g["key"] == goal.key
    ]
    assert (data["status"], data["label"], data["explanation"]) == (
        node["status"],
        node["label"],
        node["explanation"],
    )
    assert [i["status"] for i in data["indicators"]] == node["indicators"]
    assert [i["key"] for i in data["indicators"]] == [i["indicator"] for i in node["indicators"]]
    assert all(i["target"]["kind"] and "baseline" in i for i in data["indicators"])


# --- indicators -------------------------------------------------------------------------------


def test_a_trajectory_indicator_gives_the_expected_value_per_plan_year(
    plans: dict[str, Plan], member: Member, login: Login
) -> None:
    plan = plans["GM0482"]
    client = login(member(plan.organisation, Role.BEHEERDER))
    indicator = Indicator.objects.get(
        goal__theme__priority__plan=plan, key="vertrouwen-lokale-overheid"
    )
    response = _get(client, "api:indicator_detail", pk=indicator.pk)
    assert response.status_code == 200
    data = response.json()
    assert data["target"] == {
        "kind": "trajectory",
        "value": None,
        "start_year": 2022,
        "start_value": 50,
        "end_year": 2026,
        "end_value": 58,
    }
    assert data["baseline"] == {"period": "2022", "value": 50}
    expected = {row["year"]: row["expected"] for row in data["trajectory"]}
    assert list(expected) == plan.years == [2024, 2025, 2026, 2027]
    assert expected[2024] == pytest.approx(54.0)
    assert expected[2026] == expected[2027] == pytest.approx(58.0)  # the goal, once due, holds
    assert data["measurements"] == [{"period": "2022", "value": 50, "whole_year": True}]
    assert data["status"]["indicator"] == indicator.key
    assert data["status"]["status"] == "no_measurement"
    assert data["status"]["label"]
    assert data["status"]["explanation"]
    assert (data["goal"]["key"], data["plan"]["id"]) == ("vertrouwen", plan.pk)
    assert data["overrides"] == []


def test_a_threshold_indicator_has_no_trajectory(plans: dict[str, Plan], adviseur: Client) -> None:
    indicator = Indicator.objects.get(
        goal__theme__priority__plan=plans["GM0556"], key="rapportcijfer-woonbuurt"
    )
    data = _get(adviseur, "api:indicator_detail", pk=indicator.pk).json()
    assert data["trajectory"] is None
    assert (data["target"]["kind"], data["target"]["value"]) == ("at_least", 7.3)
    assert data["target"]["start_year"] is None


def test_the_override_history_keeps_personal_data_out(
    plans: dict[str, Plan], adviseur: Client
) -> None:
    plan = plans["GM0556"]
    indicator = Indicator.objects.filter(goal__theme__priority__plan=plan).first()
    assert indicator is not None
    person = UserFactory(
        username="j.vandermeer",
        first_name="Joke",
        last_name="Vandermeer",
        email="joke.vandermeer@maassluis.example",
    )
    services.override_status(
        indicator=indicator,
        status=engine.Status.AT_RISK,
        reason="Politie meldt stijging",
        user=person,
        version=services.history_version(indicator),
    )
    services.override_status(
        indicator=indicator,
        status=None,
        reason="Ingetrokken",
        user=person,
        version=services.history_version(indicator),
    )
    services.override_status(
        indicator=indicator,
        status=engine.Status.ACHIEVED,
        reason="Nieuwe meting",
        user=person,
        version=services.history_version(indicator),
    )

    response = _get(adviseur, "api:indicator_detail", pk=indicator.pk)
    assert response.status_code == 200
    history = response.json()["overrides"]
    assert [(o["status"], o["reason"]) for o in history] == [
        ("achieved", "Nieuwe meting"),
        (None, "Ingetrokken"),  # a withdrawal
        ("at_risk", "Politie meldt stijging"),
    ]
    assert all(set(o) == {"status", "reason", "created_at"} for o in history)
    assert response.json()["status"]["override"]["reason"] == "Nieuwe meting"
    # Not in any answer that shows the override: no name, username, e-mail or user id.
    responses = [
        response,
        _get(adviseur, "api:goal_detail", pk=indicator.goal_id),
        _get(adviseur, "api:plan_statuses", pk=plan.pk),
        _get(adviseur, "api:plan_detail", pk=plan.pk),
    ]
    for answer in responses:
        assert answer.status_code == 200
        text = answer.content.decode()
        for personal in ("vandermeer", "Vandermeer", "Joke", "maassluis.example"):
            assert personal not in text, answer.request["PATH_INFO"]
        assert '"by"' not in text
        assert '"created_by"' not in text
        assert '"user"' not in text


# --- tenancy ----------------------------------------------------------------------------------


def test_another_gemeentes_plan_is_not_found_like_a_missing_one(
    plans: dict[str, Plan], adviseur: Client
) -> None:
    other = plans["GM0482"]
    goal = Goal.objects.filter(theme__priority__plan=other).first()
    indicator = Indicator.objects.filter(goal__theme__priority__plan=other).first()
    assert goal is not None
    assert indicator is not None
    missing = 10**9
    for name, pk in (
        ("api:plan_detail", other.pk),
        ("api:plan_statuses", other.pk),
        ("api:goal_detail", goal.pk),
        ("api:indicator_detail", indicator.pk),
    ):
        found = _get(adviseur, name, pk=pk)
        assert found.status_code == 404, name
        assert found.json() == _get(adviseur, name, pk=missing).json(), name  # no hint
        anonymous = Client().get(reverse(name, kwargs={"pk": pk}))
        assert anonymous.status_code in {401, 403}, name
        assert not anonymous.has_header("Location"), name
        assert "title" not in anonymous.content.decode()


def test_the_api_is_read_only(plans: dict[str, Plan], adviseur: Client) -> None:
    url = reverse("api:plan_detail", kwargs={"pk": plans["GM0556"].pk})
    assert adviseur.post(url, {}, content_type="application/json").status_code in {403, 405}
    assert adviseur.delete(url).status_code in {403, 405}
    assert Plan.objects.filter(pk=plans["GM0556"].pk).exists()


# --- queries ----------------------------------------------------------------------------------


def _grow(plan: Plan, count: int) -> Goal:
    """Add ``count`` indicators to the plan's first goal with an indicator; return that goal."""
    template = Indicator.objects.filter(goal__theme__priority__plan=plan).first()
    assert template is not None
    Indicator.objects.bulk_create(
        Indicator(
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
        for number in range(count)
    )
    return template.goal


def _queries(client: Client, name: str, **kwargs: Any) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert _get(client, name, **kwargs).status_code == 200
    return len(queries)


def test_the_statuses_take_the_same_queries_for_any_number_of_indicators(
    plans: dict[str, Plan], adviseur: Client, django_assert_max_num_queries: Any
) -> None:
    plan = plans["GM0556"]
    first = Indicator.objects.filter(goal__theme__priority__plan=plan).first()
    assert first is not None
    before = {
        "statuses": _queries(adviseur, "api:plan_statuses", pk=plan.pk),
        "plan": _queries(adviseur, "api:plan_detail", pk=plan.pk),
        "goal": _queries(adviseur, "api:goal_detail", pk=first.goal_id),
        "indicator": _queries(adviseur, "api:indicator_detail", pk=first.pk),
    }
    assert _grow(plan, 40).pk == first.goal_id
    # Session, user, second factor and roles (4), the plan (1), its tree (4), the figures of
    # every indicator (derived components, observations and survey bounds, 3), whether the
    # area is a merged gemeente (1), the latest overrides (1) and the session saved on every
    # request (3): 17, for 5 indicators or 45.
    with django_assert_max_num_queries(17):
        response = _get(adviseur, "api:plan_statuses", pk=plan.pk)
    assert len(list(_indicators(response.json()))) >= 45
    after = {
        "statuses": _queries(adviseur, "api:plan_statuses", pk=plan.pk),
        "plan": _queries(adviseur, "api:plan_detail", pk=plan.pk),
        "goal": _queries(adviseur, "api:goal_detail", pk=first.goal_id),
        "indicator": _queries(adviseur, "api:indicator_detail", pk=first.pk),
    }
    assert after == before, (before, after)
