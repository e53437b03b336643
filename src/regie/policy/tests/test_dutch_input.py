"""Dutch input through the Beleid forms over HTTP (issue 15): amounts, targets and years are read
as Dutch, ambiguous input is refused with the input kept, targets fit their measure's scale,
structural budget lines count in every later plan year, and the measure picker."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from regie.accounts.models import Role, User
from regie.areas.models import Area
from regie.core.models import Organisation
from regie.core.numbers import NumberError, parse
from regie.monitor.models import Measure, MeasureKind, Unit
from regie.policy import costs, plan_file, targets
from regie.policy.models import (
    BudgetLine,
    CapacityLine,
    Goal,
    Indicator,
    Plan,
    Priority,
    Scenario,
    StatedFigure,
    Theme,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(maassluis: Organisation, areas: dict[str, Area]) -> Plan:
    plan = Plan.objects.create(
        organisation=maassluis, title="IVP 2024–2027", start_year=2024, end_year=2027
    )
    priority = Priority.objects.create(plan=plan, key="veilig", title="Veilig wonen")
    theme = Theme.objects.create(priority=priority, key="inbraak", title="Woninginbraak")
    Goal.objects.create(theme=theme, key="minder", aim="Minder inbraken")
    Scenario.objects.create(theme=theme, letter="A", title="Basis")
    return plan


@pytest.fixture
def measures() -> dict[str, Measure]:
    def make(code: str, name: str, unit: str, kind: str | None = None) -> Measure:
        fields: dict[str, Any] = {"unit": unit}
        if kind:
            fields["kind"] = kind
        return Measure.objects.create(
            code=f"local:{code}", source="local", key=code, name=name, **fields
        )

    return {
        "grade": make("cijfer_test", "Rapportcijfer veiligheid buurt", Unit.GRADE),
        "percent": make("pct_test", "Voelt zich wel eens onveilig", Unit.PERCENT),
        "count": make("aantal_test", "Woninginbraken", Unit.COUNT, MeasureKind.EVENT_COUNT),
    }


@pytest.fixture
def adviseur(plan: Plan, member: Callable[..., User], login: Callable[[User], Client]) -> Client:
    return login(member(plan.organisation, Role.ADVISEUR))


def create_url(plan: Plan, kind: str, parent: Any = None) -> str:
    found = reverse(
        "policy:item_create",
        kwargs={"org": plan.organisation.slug, "plan_id": plan.pk, "kind": kind},
    )
    return found + (f"?onder={parent.pk}" if parent is not None else "")


def edit_url(plan: Plan, kind: str, item: Any) -> str:
    return reverse(
        "policy:item_edit",
        kwargs={
            "org": plan.organisation.slug,
            "plan_id": plan.pk,
            "kind": kind,
            "item_id": item.pk,
        },
    )


def page(response: Any) -> str:
    return html.unescape(response.content.decode())


def indicator_data(measure: Measure, **values: Any) -> dict[str, Any]:
    area = Area.objects.get(code="GM0556")
    return {
        "name": "Veiligheidsgevoel",
        "measure": measure.pk,
        "area": area.pk,
        "target_kind": "at_least",
        "decimals": "1",
        **values,
    }


# --- amounts, targets, years --------------------------------------------------------------------


def test_an_amount_typed_44000_comma_50_stores_44000_euro_50(plan: Plan, adviseur: Client) -> None:
    response = adviseur.post(
        create_url(plan, "budget"),
        {"label": "Formatie OOV", "year": "2024", "amount": "44000,50"},
    )
    assert response.status_code == 302, page(response)
    assert BudgetLine.objects.get(plan=plan).amount == Decimal("44000.50")


def test_one_million_with_thousands_dots_stores_one_million(plan: Plan, adviseur: Client) -> None:
    scenario = Scenario.objects.get(theme__priority__plan=plan)
    response = adviseur.post(
        create_url(plan, "capaciteit", scenario),
        {"label": "Boa's", "fte_extra": "3,5", "amount": "1.000.000", "cap": "€ 200.000"},
    )
    assert response.status_code == 302, page(response)
    line = CapacityLine.objects.get(scenario=scenario)
    assert line.amount == Decimal("1000000")
    assert line.fte_extra == Decimal("3.5")
    assert line.cap == Decimal("200000")


def test_a_target_typed_7_comma_5_stores_7_5(
    plan: Plan, adviseur: Client, measures: dict[str, Measure]
) -> None:
    goal = Goal.objects.get(theme__priority__plan=plan)
    response = adviseur.post(
        create_url(plan, "indicator", goal),
        indicator_data(measures["grade"], target_value="7,5"),
    )
    assert response.status_code == 302, page(response)
    assert Indicator.objects.get(goal=goal).target_value == 7.5


@pytest.mark.parametrize("typed", ["1.5", "1,000", "1.00", "1,000,5", "1,000.50", "twee"])
def test_ambiguous_amounts_are_refused_with_the_message_and_the_input_kept(
    plan: Plan, adviseur: Client, typed: str
) -> None:
    response = adviseur.post(
        create_url(plan, "bedrag"), {"label": "Kosten 2024", "year": "2024", "amount": typed}
    )
    assert response.status_code == 200
    assert not StatedFigure.objects.filter(plan=plan).exists()
    with pytest.raises(NumberError) as refused:
        parse(typed)
    errors = response.context["form"].errors["amount"]
    assert errors == [str(refused.value)]
    body = page(response)
    assert str(refused.value) in body
    assert f'value="{typed}"' in body  # kept as typed
    assert 'value="Kosten 2024"' in body


def test_an_ambiguous_target_is_refused_not_read_as_fifteen(
    plan: Plan, adviseur: Client, measures: dict[str, Measure]
) -> None:
    goal = Goal.objects.get(theme__priority__plan=plan)
    response = adviseur.post(
        create_url(plan, "indicator", goal),
        indicator_data(measures["grade"], target_value="7.5"),
    )
    assert response.status_code == 200
    assert not Indicator.objects.filter(goal=goal).exists()
    assert "7.5”" in response.context["form"].errors["target_value"][0]
    assert "1,5" in response.context["form"].errors["target_value"][0]
    # one error, about what was typed: not also "a threshold needs a target value"
    assert len(response.context["form"].errors["target_value"]) == 1
    assert 'value="7.5"' in page(response)


def test_too_many_decimals_for_an_amount_are_refused(plan: Plan, adviseur: Client) -> None:
    response = adviseur.post(
        create_url(plan, "budget"), {"label": "X", "year": "2024", "amount": "12,3456"}
    )
    assert response.status_code == 200
    assert "12,3456”" in response.context["form"].errors["amount"][0]
    assert not BudgetLine.objects.exists()


def test_edit_forms_show_values_the_dutch_way_and_years_without_a_dot(
    plan: Plan, adviseur: Client, measures: dict[str, Measure]
) -> None:
    goal = Goal.objects.get(theme__priority__plan=plan)
    indicator = Indicator.objects.create(
        goal=goal,
        key="gevoel",
        name="Gevoel",
        measure=measures["grade"],
        area=Area.objects.get(code="GM0556"),
        target_kind="trajectory",
        start_year=2022,
        start_value=7.3,
        end_year=2026,
        end_value=7.6,
    )
    body = page(adviseur.get(edit_url(plan, "indicator", indicator)))
    assert re.search(r'name="start_value"[^>]*value="7,3"|value="7,3"[^>]*name="start_value"', body)
    assert 'value="7,6"' in body
    assert 'value="2022"' in body
    assert "2.022" not in body
    assert 'type="number"' not in body
    assert 'inputmode="decimal"' in body
    line = BudgetLine.objects.create(plan=plan, label="OOV", year=2025, amount=Decimal("44000.50"))
    body = page(adviseur.get(edit_url(plan, "budget", line)))
    assert 'value="44.000,50"' in body
    assert 'value="2025"' in body
    # the form re-read as posted stores the same amount
    response = adviseur.post(
        edit_url(plan, "budget", line),
        {
            "label": "OOV",
            "year": "2025",
            "amount": "44.000,50",
            "edit_token": re.search(r'name="edit_token" value="([^"]*)"', body).group(1),  # type: ignore[union-attr]
        },
    )
    assert response.status_code == 302, page(response)
    line.refresh_from_db()
    assert line.amount == Decimal("44000.50")


def test_a_year_typed_with_a_thousands_dot_is_read_as_the_year(
    plan: Plan, adviseur: Client
) -> None:
    response = adviseur.post(
        create_url(plan, "budget"), {"label": "OOV", "year": "2.025", "amount": "10"}
    )
    assert response.status_code == 302, page(response)
    assert BudgetLine.objects.get(plan=plan).year == 2025


# --- plausibility against the measure's scale ---------------------------------------------------


@pytest.mark.parametrize(
    ("key", "field", "typed"),
    [
        ("grade", "target_value", "75"),  # 7,5 typed without its comma
        ("grade", "target_value", "0,5"),
        ("percent", "target_value", "120"),
        ("percent", "target_value", "-1"),
        ("count", "target_value", "12,5"),
        ("count", "target_value", "-3"),
    ],
)
def test_a_target_outside_the_measures_scale_is_refused_naming_the_scale(
    plan: Plan,
    adviseur: Client,
    measures: dict[str, Measure],
    key: str,
    field: str,
    typed: str,
) -> None:
    goal = Goal.objects.get(theme__priority__plan=plan)
    measure = measures[key]
    response = adviseur.post(
        create_url(plan, "indicator", goal), indicator_data(measure, **{field: typed})
    )
    assert response.status_code == 200
    assert not Indicator.objects.filter(goal=goal).exists()
    scale = targets.scale_of(measure)
    assert scale is not None
    (message,) = response.context["form"].errors[field]
    assert scale.name in message
    assert measure.name in message
    assert f'value="{typed}"' in page(response)


def test_a_trajectory_is_checked_at_both_ends(
    plan: Plan, adviseur: Client, measures: dict[str, Measure]
) -> None:
    goal = Goal.objects.get(theme__priority__plan=plan)
    response = adviseur.post(
        create_url(plan, "indicator", goal),
        indicator_data(
            measures["percent"],
            target_kind="trajectory",
            start_year="2022",
            start_value="35",
            end_year="2026",
            end_value="300",
        ),
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "end_value" in errors
    assert "start_value" not in errors


def test_targets_inside_the_scale_are_stored(
    plan: Plan, adviseur: Client, measures: dict[str, Measure]
) -> None:
    goal = Goal.objects.get(theme__priority__plan=plan)
    for key, typed, expected in (
        ("grade", "10", 10.0),
        ("percent", "0", 0.0),
        ("count", "1.170", 1170.0),
    ):
        response = adviseur.post(
            create_url(plan, "indicator", goal),
            {**indicator_data(measures[key], target_value=typed), "key": key},
        )
        assert response.status_code == 302, page(response)
        assert Indicator.objects.get(goal=goal, key=key).target_value == expected


def test_the_plan_file_refuses_a_target_outside_the_scale(
    plan: Plan, measures: dict[str, Measure]
) -> None:
    goal = Goal.objects.get(theme__priority__plan=plan)
    Indicator.objects.create(
        goal=goal,
        key="gevoel",
        name="Gevoel",
        measure=measures["grade"],
        area=Area.objects.get(code="GM0556"),
        target_kind="at_least",
        target_value=7.5,
    )
    data = plan_file.export_plan(plan)
    indicator = data["priorities"][0]["themes"][0]["goals"][0]["indicators"][0]
    indicator["target"]["value"] = 75
    with pytest.raises(plan_file.PlanFileError) as refused:
        plan_file.import_plan(data, organisation=plan.organisation)
    problem = targets.scale_problem(measures["grade"], 75)
    assert problem is not None
    place = "priorities[0].themes[0].goals[0].indicators[0].target.value"
    assert any(p.endswith(f"{place}: {problem}") for p in refused.value.problems), (
        refused.value.problems
    )


# --- structural budget lines --------------------------------------------------------------------


def scenario_page(plan: Plan, client: Client) -> Any:
    return client.get(
        reverse("policy:scenarios", kwargs={"org": plan.organisation.slug, "plan_id": plan.pk})
    )


def test_a_structural_budget_line_counts_in_every_later_plan_year(
    plan: Plan, adviseur: Client
) -> None:
    scenario = Scenario.objects.get(theme__priority__plan=plan)
    CapacityLine.objects.create(scenario=scenario, label="Boa", amount=Decimal(12000))
    for data in (
        {"label": "Team OOV", "year": "2024", "recurring": "on", "amount": "100.000"},
        {"label": "Uitbreiding", "year": "2026", "recurring": "on", "amount": "5.000"},
        {"label": "Eenmalig onderzoek", "year": "2025", "amount": "20.000"},
        {"label": "Oude formatie", "year": "2020", "recurring": "on", "amount": "1.000"},
    ):
        response = adviseur.post(create_url(plan, "budget"), data)
        assert response.status_code == 302, page(response)
    assert BudgetLine.objects.get(label="Team OOV").recurring
    assert not BudgetLine.objects.get(label="Eenmalig onderzoek").recurring
    response = scenario_page(plan, adviseur)
    rows = {row.label: row for row in response.context["budget_rows"]}
    assert rows["Team OOV"].amounts == ["€ 100.000"] * 4
    assert rows["Uitbreiding"].amounts == ["–", "–", "€ 5.000", "€ 5.000"]
    assert rows["Eenmalig onderzoek"].amounts == ["–", "€ 20.000", "–", "–"]
    assert rows["Oude formatie"].amounts == ["€ 1.000"] * 4
    assert response.context["budget_totals"] == [
        "€ 101.000",
        "€ 121.000",
        "€ 106.000",
        "€ 106.000",
    ]
    assert response.context["budget_outside"] == []
    # the calculator compares against the same budget
    budget = {row.year: row.budget for row in response.context["calculation"].years}
    assert budget == {2024: "€ 101.000", 2025: "€ 121.000", 2026: "€ 106.000", 2027: "€ 106.000"}
    # the page says which lines are structural
    from django.utils.translation import gettext as _

    body = page(response)
    assert rows["Team OOV"].kind == _("Structural")
    assert rows["Uitbreiding"].kind == _("Structural from %(year)s") % {"year": 2026}
    assert rows["Eenmalig onderzoek"].kind == _("Incidental")
    for row in rows.values():
        assert row.kind in body


def test_costs_count_a_structural_line_from_its_year() -> None:
    line = costs.BudgetLine("OOV", 2025, Decimal(10), recurring=True)
    once = costs.BudgetLine("Eenmalig", 2025, Decimal(1))
    result = costs.yearly_costs(
        [],
        years=[2024, 2025, 2026],
        start=__import__("datetime").date(2024, 1, 1),
        cap=None,
        budget=[line, once],
    )
    assert result.budget == {2024: Decimal(0), 2025: Decimal(11), 2026: Decimal(10)}


def test_structural_lines_survive_the_plan_file(plan: Plan) -> None:
    BudgetLine.objects.create(
        plan=plan, label="OOV", year=2024, amount=Decimal(1000), recurring=True
    )
    BudgetLine.objects.create(plan=plan, label="OOV", year=2025, amount=Decimal(50))
    text = plan_file.export_yaml(plan)
    assert "recurring:\n  - 2024" in text
    copy = plan_file.import_plan(plan_file.parse(text), organisation=plan.organisation)
    assert {(b.year, b.recurring) for b in copy.budget_lines.all()} == {
        (2024, True),
        (2025, False),
    }
    assert plan_file.export_yaml(copy).replace(str(copy.version), "") == text.replace(
        str(plan.version), ""
    )
    data = plan_file.parse(text)
    data["budget"][0]["recurring"] = [2030]
    with pytest.raises(plan_file.PlanFileError) as refused:
        plan_file.import_plan(data, organisation=plan.organisation)
    assert any("budget[0].recurring" in p for p in refused.value.problems)


# --- the measure picker -------------------------------------------------------------------------


def test_the_measure_picker_shows_names_grouped_by_source_with_codes_as_secondary_text(
    plan: Plan, adviseur: Client, measures: dict[str, Measure]
) -> None:
    goal = Goal.objects.get(theme__priority__plan=plan)
    response = adviseur.get(create_url(plan, "indicator", goal))
    body = page(response)
    select = re.search(r'<select name="measure"[^>]*>(.*?)</select>', body, re.S)
    assert select is not None
    assert "data-measure-picker" in body
    assert "measure_picker.js" in body
    groups = re.findall(r'<optgroup label="([^"]+)">', select.group(1))
    assert groups  # grouped by source
    option = re.search(
        rf'<option value="{measures["grade"].pk}"([^>]*)>([^<]*)</option>', select.group(1)
    )
    assert option is not None
    assert option.group(2) == "Rapportcijfer veiligheid buurt"  # the name, not the code
    assert 'data-code="local:cijfer_test"' in option.group(1)


def test_the_plan_form_shows_years_without_a_dot_and_reads_them_back(
    plan: Plan, adviseur: Client
) -> None:
    edit = reverse("policy:plan_edit", kwargs={"org": plan.organisation.slug, "plan_id": plan.pk})
    body = page(adviseur.get(edit))
    assert 'value="2024"' in body
    assert 'value="2027"' in body
    assert "2.024" not in body
    token = re.search(r'name="edit_token" value="([^"]*)"', body)
    assert token is not None
    response = adviseur.post(
        edit,
        {
            "title": plan.title,
            "start_year": "2024",
            "end_year": "2028,5",
            "edit_token": token.group(1),
        },
    )
    assert response.status_code == 200
    assert "2028,5”" in response.context["form"].errors["end_year"][0]
    assert 'value="2028,5"' in page(response)


def test_a_later_line_of_the_same_name_replaces_a_structural_one(
    plan: Plan, adviseur: Client
) -> None:
    # Two structural amounts of one budget item never add up: 2026's replaces 2024's; an
    # incidental amount of a year comes on top of the structural one and ends nothing.
    for data in (
        {"label": "Team OOV", "year": "2024", "recurring": "on", "amount": "100.000"},
        {"label": "Team OOV", "year": "2026", "recurring": "on", "amount": "110.000"},
        {"label": "Crisis", "year": "2024", "recurring": "on", "amount": "10.000"},
        {"label": "Crisis", "year": "2025", "amount": "2.500"},
    ):
        response = adviseur.post(create_url(plan, "budget"), data)
        assert response.status_code == 302, page(response)
    response = scenario_page(plan, adviseur)
    rows = {row.label: row for row in response.context["budget_rows"]}
    assert rows["Team OOV"].amounts == ["€ 100.000", "€ 100.000", "€ 110.000", "€ 110.000"]
    assert rows["Crisis"].amounts == ["€ 10.000", "€ 12.500", "€ 10.000", "€ 10.000"]
    assert response.context["budget_totals"] == [
        "€ 110.000",
        "€ 112.500",
        "€ 120.000",
        "€ 120.000",
    ]
