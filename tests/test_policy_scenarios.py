"""The scenario page of a plan: A/B/C side by side, the cost calculator, choosing a scenario.

Through the test client on the Alblasserdam demo plan (scenarios B/B chosen, a cap of € 200.000 on
the boa line, costs from 1 April 2024). Expected amounts are computed with :mod:`regie.policy.costs`
where the test varies the input, so a wrong page cannot agree with a hard-coded number by chance.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from regie.accounts.models import Role, User
from regie.core.concurrency import edit_token
from regie.core.models import AuditEntry, Organisation
from regie.policy import costs, plan_file, selectors, services
from regie.policy.models import Plan, Priority, Scenario, Theme

pytestmark = pytest.mark.django_db

Login = Callable[[User], Client]
Member = Callable[[Organisation, str], User]


@pytest.fixture
def plan(alblasserdam: Organisation) -> Plan:
    """The demo plan of Alblasserdam, without its indicators (they need the demo figures)."""
    assert alblasserdam.cbs_code == "GM0482"
    data = plan_file.parse((plan_file.DEMO_DIR / "gm0482.yaml").read_text(encoding="utf-8"))
    for priority in data["priorities"]:
        for theme in priority["themes"]:
            theme["goals"] = []
    return plan_file.import_plan(data, organisation=alblasserdam)


def page_url(plan: Plan) -> str:
    return reverse("policy:scenarios", kwargs={"org": plan.organisation.slug, "plan_id": plan.pk})


def choose_url(plan: Plan, scenario: Scenario, org: Organisation | None = None) -> str:
    return reverse(
        "policy:scenario_choose",
        kwargs={
            "org": (org or plan.organisation).slug,
            "plan_id": plan.pk,
            "scenario_id": scenario.pk,
        },
    )


def theme(plan: Plan, key: str) -> Theme:
    return Theme.objects.get(priority__plan=plan, key=key)


def seen(plan: Plan, key: str) -> dict[str, str]:
    """The hidden field of a choose form: the theme's choice as the page showed it."""
    return {"edit_token": services.choice_version(theme(plan, key))}


def field(plan: Plan, key: str) -> str:
    """The calculator's parameter of a theme: keys of its priority and itself, not ids."""
    found = theme(plan, key)
    return f"thema.{found.priority.key}.{found.key}"


def scenario(plan: Plan, key: str, letter: str) -> Scenario:
    return Scenario.objects.get(theme__priority__plan=plan, theme__key=key, letter=letter)


def client_for(member: Member, login: Login, org: Organisation, role: str) -> Client:
    return login(member(org, role))


def text(response: Any) -> str:
    return str(response.content.decode())


def chosen_headers(html: str) -> list[str]:
    """The column headers marked as the council's choice (class and words, not colour alone)."""
    return [
        re.sub(r"<[^>]+>", " ", cell)
        for cell in re.findall(
            r'<th class="[^"]*regie-scenario--chosen[^"]*" scope="col">(.*?)</th>', html, re.S
        )
    ]


def years_of(response: Any) -> dict[int, Any]:
    return {row.year: row for row in response.context["calculation"].years}


# --- the comparison -----------------------------------------------------------------------------


def test_page_shows_a_b_c_side_by_side_with_the_chosen_ones_marked(
    plan: Plan, member: Member, login: Login
) -> None:
    client = client_for(member, login, plan.organisation, Role.RAADPLEGER)
    response = client.get(page_url(plan))
    assert response.status_code == 200
    html = text(response)
    comparisons = response.context["comparisons"]
    assert [c.theme.key for c in comparisons] == ["team-veiligheid", "handhaving"]
    for comparison in comparisons:
        assert [c.scenario.letter for c in comparison.columns] == ["A", "B", "C"]
        assert comparison.chosen is not None
        assert comparison.chosen.letter == "B"
        section = html.split(f'id="thema-{comparison.theme.pk}"', 1)[1].split("</section>", 1)[0]
        headers = re.findall(r'<th class="[^"]*" scope="col">(.*?)</th>', section, re.S)
        assert len(headers) == 3
        for letter, header in zip("ABC", headers, strict=True):
            assert letter in header
        assert len(chosen_headers(section)) == 1
        assert "B" in chosen_headers(section)[0]
        assert "✓" in chosen_headers(section)[0]  # words and a sign, not colour alone
        for column in comparison.columns:
            assert escape(column.scenario.title) in section
            assert escape(column.scenario.description) in section
    # What each buys: the capacity lines with fte, € per full year and the cap.
    boa = comparisons[1]
    assert [c.fte for c in boa.columns] == ["0 fte", "3 fte", "5 fte"]
    assert [c.amount for c in boa.columns] == ["€ 0", "€ 378.000", "€ 630.000"]
    assert "€ 200.000" in html  # the cap on the boa line of B
    assert "4,7 fte" in html  # fte in total of B
    # The plan's decision date goes with the choice.
    assert plan.decision_date == dt.date(2024, 3, 12)
    assert "12 maart 2024" in html
    # Accessible tables: a caption, header scopes, numeric cells right-aligned.
    assert html.count("<caption") >= 5
    assert 'scope="row"' in html
    assert "utrecht-table__cell--numeric-data regie-numeric" in html


def test_each_scenario_is_costed_per_year_as_if_chosen(
    plan: Plan, member: Member, login: Login
) -> None:
    client = client_for(member, login, plan.organisation, Role.ADVISEUR)
    response = client.get(page_url(plan))
    lines = selectors.cost_lines(plan)
    boa = response.context["comparisons"][1]
    for column in boa.columns:
        expected = costs.yearly_costs(
            [
                line
                for line in lines
                if line.theme == "handhaving" and line.scenario == column.scenario.letter
            ],
            years=plan.years,
            start=plan.costs_start or dt.date(plan.start_year, 1, 1),
            cap=None,
        )
        assert column.per_year == [costs.euro(y.capped) for y in expected.years]


# --- the calculator -----------------------------------------------------------------------------


def test_calculator_defaults_to_the_councils_choice_and_equals_the_command(
    plan: Plan, member: Member, login: Login
) -> None:
    client = client_for(member, login, plan.organisation, Role.RAADPLEGER)
    response = client.get(page_url(plan))
    html = text(response)
    calculation = response.context["calculation"]
    assert calculation.is_council_choice
    assert calculation.start == dt.date(2024, 4, 1)
    by_year = years_of(response)
    assert by_year[2024].capped == "€ 183.000"
    assert by_year[2024].gross == "€ 316.500"
    assert by_year[2024].months == 9
    assert [by_year[y].capped for y in (2025, 2026, 2027)] == ["€ 244.000"] * 3
    # The same numbers as `regie scenario-costs GM0482` (selectors.plan_costs).
    expected = selectors.plan_costs(plan)
    assert expected is not None
    for year in expected.years:
        row = by_year[year.year]
        assert row.capped == costs.euro(year.capped)
        assert row.gross == costs.euro(year.gross)
        assert row.fte == costs.format_fte(year.fte)
        assert row.budget == costs.euro(expected.budget[year.year])
        assert row.difference == costs.euro(expected.difference[year.year])
    assert "€ 183.000" in html
    assert "€ 244.000" in html
    assert "€ 316.500" in html
    # The proposal's € 187.500 for 2024 is flagged with both numbers; 2025–2027 match.
    flagged = [row for row in calculation.stated if row.flagged]
    assert [(r.year, r.stated, r.computed) for r in flagged] == [(2024, "€ 187.500", "€ 183.000")]
    assert "187.500" in flagged[0].explanation
    assert "183.000" in flagged[0].explanation
    assert {r.year for r in calculation.stated if not r.flagged} == {2025, 2026, 2027}
    check = html.split('id="check-caption"', 1)[1]
    assert "€ 187.500" in check
    assert "€ 183.000" in check
    assert "regie-scenario-flagged" in check
    # The form shows the council's choice and the plan's start date.
    form = response.context["form"]
    assert form[field(plan, "handhaving")].value() == "B"
    assert form[field(plan, "team-veiligheid")].value() == "B"
    assert 'value="01-04-2024"' in html
    assert form["plafond"].value() == "met"


def _expected(
    plan: Plan, choice: dict[str, str], *, start: dt.date, caps: bool
) -> costs.CostResult:
    lines = [
        line if caps else costs.CostLine(**{**line.__dict__, "cap": None})
        for line in selectors.cost_lines(plan)
        if choice.get(line.theme) == line.scenario
    ]
    return costs.yearly_costs(lines, years=plan.years, start=start, cap=None)


@pytest.mark.parametrize(
    ("choice", "start", "caps"),
    [
        ({"team-veiligheid": "C", "handhaving": "C"}, "01-04-2024", True),
        ({"team-veiligheid": "A", "handhaving": "B"}, "01-04-2024", False),
        ({"team-veiligheid": "B", "handhaving": "B"}, "01-07-2024", False),
        ({"team-veiligheid": "C", "handhaving": ""}, "2025-01-01", True),
    ],
)
def test_other_letters_start_and_no_caps_change_the_totals(
    plan: Plan,
    member: Member,
    login: Login,
    choice: dict[str, str],
    start: str,
    caps: bool,
) -> None:
    client = client_for(member, login, plan.organisation, Role.RAADPLEGER)
    query = {field(plan, key): letter for key, letter in choice.items()}
    query |= {"start": start, "plafond": "met" if caps else "zonder"}
    response = client.get(page_url(plan), query)
    assert response.status_code == 200
    assert not response.context["fallback"]
    calculation = response.context["calculation"]
    assert not calculation.is_council_choice
    begin = (
        dt.date.fromisoformat(start)
        if start[4] == "-"
        else dt.date(int(start[6:]), int(start[3:5]), int(start[:2]))
    )
    expected = _expected(plan, choice, start=begin, caps=caps)
    council = selectors.plan_costs(plan)
    assert council is not None
    by_year = years_of(response)
    applied = [by_year[y.year].capped if caps else by_year[y.year].gross for y in expected.years]
    assert applied == [costs.euro(y.capped) for y in expected.years]
    assert [by_year[y].difference for y in plan.years] == [
        costs.euro(y.capped) for y in expected.years
    ]
    assert applied != [costs.euro(y.capped) for y in council.years]
    # The stated figures are checked against this combination.
    html = text(response)
    for row in calculation.stated:
        assert row.computed == costs.euro(expected.year(row.year).capped)
    assert costs.euro(expected.years[1].capped) in html


def test_without_caps_each_line_shows_both_amounts(
    plan: Plan, member: Member, login: Login
) -> None:
    client = client_for(member, login, plan.organisation, Role.RAADPLEGER)
    response = client.get(page_url(plan), {"plafond": "zonder"})
    calculation = response.context["calculation"]
    boa = next(line for line in calculation.lines if line.cap)
    assert boa.cap == "€ 200.000"
    # 2024: 9/12 of 378.000 without the cap, 9/12 of 200.000 with it.
    uncapped = costs.pro_rata(Decimal(378000), 2024, dt.date(2024, 4, 1))[0]
    capped = costs.pro_rata(Decimal(200000), 2024, dt.date(2024, 4, 1))[0]
    assert boa.years[0].applied == costs.euro(uncapped)
    assert boa.years[0].other == costs.euro(capped)
    team = next(line for line in calculation.lines if not line.cap)
    assert all(cell.other == "" for cell in team.years)


def test_a_calculation_kept_as_a_link_works_on_the_next_version(
    plan: Plan, member: Member, login: Login
) -> None:
    # The parameters name themes by key; a new version copies the themes under new ids.
    client = client_for(member, login, plan.organisation, Role.RAADPLEGER)
    query = {field(plan, "team-veiligheid"): "C", field(plan, "handhaving"): "A"}
    query |= {"start": "01-01-2025", "plafond": "zonder"}
    first = client.get(page_url(plan), query)
    services.adopt(plan=plan, adopted_on=dt.date(2024, 2, 1), version=edit_token(plan))
    successor = services.new_version(plan=plan, version=edit_token(plan))
    assert theme(successor, "handhaving").pk != theme(plan, "handhaving").pk
    second = client.get(page_url(successor), query)
    assert second.status_code == 200
    assert not second.context["form"].errors
    before, after = first.context["calculation"], second.context["calculation"]
    assert not after.is_council_choice
    assert [row.capped for row in after.years] == [row.capped for row in before.years]
    assert [row.gross for row in after.years] == [row.gross for row in before.years]


@pytest.mark.parametrize(
    ("name", "value"),
    [("start", "31-02-2024"), ("start", "morgen"), ("plafond", "misschien"), ("thema", "Z")],
)
def test_bad_input_keeps_the_input_shows_an_error_and_falls_back(
    plan: Plan, member: Member, login: Login, name: str, value: str
) -> None:
    client = client_for(member, login, plan.organisation, Role.ADVISEUR)
    param = field(plan, "handhaving") if name == "thema" else name
    response = client.get(page_url(plan), {param: value, "deeljaar": "kalenderjaar"})
    assert response.status_code == 200
    form = response.context["form"]
    assert form.is_bound
    assert param in form.errors
    html = text(response)
    assert "utrecht-form-field-error-message" in html
    if name == "start":
        assert f'value="{value}"' in html  # the input is kept
    # The results fall back to the council's choice, with a message saying so.
    assert response.context["fallback"]
    assert "utrecht-alert--warning" in html
    assert years_of(response)[2024].capped == "€ 183.000"
    assert response.context["calculation"].is_council_choice


# --- roles and choosing -------------------------------------------------------------------------


def test_raadpleger_reads_without_edit_links_and_may_not_choose(
    plan: Plan, member: Member, login: Login
) -> None:
    client = client_for(member, login, plan.organisation, Role.RAADPLEGER)
    html = text(client.get(page_url(plan)))
    assert "/bewerken/" not in html
    assert "/verwijderen/" not in html
    assert "/nieuw/" not in html
    assert "/kiezen/" not in html
    assert 'name="decided_on"' not in html
    handhaving_a = scenario(plan, "handhaving", "A")
    response = client.post(choose_url(plan, handhaving_a), {})
    assert response.status_code == 403
    handhaving_a.refresh_from_db()
    assert not handhaving_a.chosen


def test_adviseur_sees_edit_links_and_choose_buttons(
    plan: Plan, member: Member, login: Login
) -> None:
    client = client_for(member, login, plan.organisation, Role.ADVISEUR)
    html = text(client.get(page_url(plan)))
    for key in ("team-veiligheid", "handhaving"):
        pk = theme(plan, key).pk
        assert f"/scenario/nieuw/?onder={pk}" in html
        for letter in "AC":  # the chosen B has no button
            assert choose_url(plan, scenario(plan, key, letter)) in html
        assert choose_url(plan, scenario(plan, key, "B")) not in html
        b = scenario(plan, key, "B")
        assert f"/scenario/{b.pk}/bewerken/" in html
        assert f"/capaciteit/nieuw/?onder={b.pk}" in html
        assert f"/capaciteit/{b.lines.get().pk}/verwijderen/" in html
    assert "/budget/nieuw/" in html
    assert "/bedrag/nieuw/" in html
    figure = plan.stated_figures.first()
    assert figure is not None
    assert f"/bedrag/{figure.pk}/bewerken/" in html


def test_adviseur_chooses_scenario_a_and_the_page_shows_it(
    plan: Plan, member: Member, login: Login
) -> None:
    user = member(plan.organisation, Role.ADVISEUR)
    client = login(user)
    handhaving_a = scenario(plan, "handhaving", "A")
    before = AuditEntry.objects.filter(object_type="policy.Scenario").count()
    response = client.post(
        choose_url(plan, handhaving_a), {"decided_on": "02-05-2024", **seen(plan, "handhaving")}
    )
    assert response.status_code == 302
    assert response["Location"].startswith(page_url(plan))
    handhaving_a.refresh_from_db()
    assert handhaving_a.chosen
    assert not scenario(plan, "handhaving", "B").chosen
    assert scenario(plan, "team-veiligheid", "B").chosen
    plan.refresh_from_db()
    assert plan.decision_date == dt.date(2024, 5, 2)
    entries = AuditEntry.objects.filter(object_type="policy.Scenario")
    assert entries.count() >= before + 2  # B unchosen, A chosen
    assert entries.filter(actor=user, object_id=str(handhaving_a.pk)).exists()
    page = client.get(response["Location"])
    comparison = page.context["comparisons"][1]
    assert comparison.chosen.letter == "A"
    section = text(page).split(f'id="thema-{comparison.theme.pk}"', 1)[1].split("</section>")[0]
    assert len(chosen_headers(section)) == 1
    assert "A" in chosen_headers(section)[0]
    assert [m.level_tag for m in page.context["messages"]] == ["success"]
    # The calculator now starts from A for handhaving: 2025 costs only team veiligheid B.
    expected = _expected(
        plan, {"team-veiligheid": "B", "handhaving": "A"}, start=dt.date(2024, 4, 1), caps=True
    )
    assert years_of(page)[2025].capped == costs.euro(expected.year(2025).capped)


def test_choosing_without_a_date_keeps_the_decision_date(
    plan: Plan, member: Member, login: Login
) -> None:
    client = client_for(member, login, plan.organisation, Role.BEHEERDER)
    response = client.post(
        choose_url(plan, scenario(plan, "team-veiligheid", "C")), seen(plan, "team-veiligheid")
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.decision_date == dt.date(2024, 3, 12)
    assert scenario(plan, "team-veiligheid", "C").chosen


def test_a_bad_decision_date_keeps_the_input(plan: Plan, member: Member, login: Login) -> None:
    client = client_for(member, login, plan.organisation, Role.ADVISEUR)
    handhaving_c = scenario(plan, "handhaving", "C")
    response = client.post(choose_url(plan, handhaving_c), {"decided_on": "32-13-2024"})
    assert response.status_code == 200
    html = text(response)
    assert 'value="32-13-2024"' in html
    assert f'id="id_decided_on_{handhaving_c.pk}-error"' in html
    handhaving_c.refresh_from_db()
    assert not handhaving_c.chosen


def test_choosing_only_by_post(plan: Plan, member: Member, login: Login) -> None:
    client = client_for(member, login, plan.organisation, Role.ADVISEUR)
    response = client.get(choose_url(plan, scenario(plan, "handhaving", "A")))
    assert response.status_code == 405


def test_an_adopted_plan_is_read_only_and_refuses_a_choice(
    plan: Plan, member: Member, login: Login
) -> None:
    services.adopt(plan=plan, adopted_on=dt.date(2024, 3, 12), version=edit_token(plan))
    client = client_for(member, login, plan.organisation, Role.ADVISEUR)
    html = text(client.get(page_url(plan)))
    assert 'name="decided_on"' not in html
    assert "/bewerken/" not in html
    assert "/nieuwe-versie/" in html  # changes go into a new version
    assert "€ 183.000" in html  # the calculator still works
    handhaving_a = scenario(plan, "handhaving", "A")
    response = client.post(
        choose_url(plan, handhaving_a), {"decided_on": "01-06-2024"}, follow=True
    )
    assert response.redirect_chain[-1][0].startswith(page_url(plan))
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    handhaving_a.refresh_from_db()
    assert not handhaving_a.chosen
    plan.refresh_from_db()
    assert plan.decision_date == dt.date(2024, 3, 12)


def test_another_gemeentes_plan_and_scenario_are_not_found(
    plan: Plan, maassluis: Organisation, member: Member, login: Login
) -> None:
    own = Plan.objects.create(organisation=maassluis, title="IVB", start_year=2024, end_year=2027)
    client = client_for(member, login, maassluis, Role.ADVISEUR)
    handhaving_a = scenario(plan, "handhaving", "A")
    # Alblasserdam's plan under Maassluis' address, and Alblasserdam's pages themselves.
    own_org = reverse("policy:scenarios", kwargs={"org": maassluis.slug, "plan_id": plan.pk})
    assert client.get(own_org).status_code == 404
    assert client.get(page_url(plan)).status_code == 404
    assert client.post(choose_url(plan, handhaving_a, org=maassluis), {}).status_code == 404
    assert client.post(choose_url(plan, handhaving_a), {}).status_code == 404
    # Alblasserdam's scenario under Maassluis' own plan.
    foreign = reverse(
        "policy:scenario_choose",
        kwargs={"org": maassluis.slug, "plan_id": own.pk, "scenario_id": handhaving_a.pk},
    )
    assert client.post(foreign, {}).status_code == 404
    handhaving_a.refresh_from_db()
    assert not handhaving_a.chosen


def test_empty_state_explains_and_offers_a_scenario_per_theme(
    alblasserdam: Organisation, member: Member, login: Login
) -> None:
    plan = Plan.objects.create(
        organisation=alblasserdam, title="IVB", start_year=2024, end_year=2027
    )
    priority = Priority.objects.create(plan=plan, key="jeugd", title="Jeugd")
    first = Theme.objects.create(priority=priority, key="overlast", title="Overlast")
    second = Theme.objects.create(priority=priority, key="drugs", title="Drugs", position=1)
    adviseur = client_for(member, login, alblasserdam, Role.ADVISEUR)
    response = adviseur.get(page_url(plan))
    assert response.status_code == 200
    assert response.context["comparisons"] == []
    assert response.context["calculation"] is None
    html = text(response)
    for item in (first, second):
        assert f"/scenario/nieuw/?onder={item.pk}" in html
    raadpleger = client_for(member, login, alblasserdam, Role.RAADPLEGER)
    html = text(raadpleger.get(page_url(plan)))
    assert "/scenario/nieuw/" not in html
    assert 'id="scenarios-heading"' in html


def test_same_line_labels_in_two_themes_and_a_scenario_without_lines(
    alblasserdam: Organisation, member: Member, login: Login
) -> None:
    plan = Plan.objects.create(
        organisation=alblasserdam,
        title="IVB",
        start_year=2024,
        end_year=2025,
        costs_start=dt.date(2024, 7, 1),
    )
    priority = Priority.objects.create(plan=plan, key="p", title="P")
    amounts = {"a": Decimal(12000), "b": Decimal(24000)}
    for position, key in enumerate(amounts):
        item = Theme.objects.create(
            priority=priority, key=key, title=key.upper(), position=position
        )
        chosen = Scenario.objects.create(theme=item, letter="A", title="Extra", chosen=True)
        chosen.lines.create(label="Formatie", fte_extra=1, amount=amounts[key])
        Scenario.objects.create(theme=item, letter="B", title="Niets")  # no lines
    client = client_for(member, login, alblasserdam, Role.RAADPLEGER)
    response = client.get(page_url(plan))
    assert response.status_code == 200
    calculation = response.context["calculation"]
    # Both lines count, each under its own name; half of 2024 from July.
    assert len({line.label for line in calculation.lines}) == 2
    expected = costs.yearly_costs(
        [
            costs.CostLine(theme=k, scenario="A", label=k, fte=Decimal(1), amount=a)
            for k, a in amounts.items()
        ],
        years=[2024, 2025],
        start=dt.date(2024, 7, 1),
        cap=None,
    )
    assert [row.capped for row in calculation.years] == [
        costs.euro(y.capped) for y in expected.years
    ]
    # Scenario B of theme A has no lines: chosen in the calculator, it adds nothing (and says so).
    response = client.get(page_url(plan), {"thema.p.a": "B"})
    calculation = response.context["calculation"]
    assert [(t.key, s.letter) for t, s in calculation.empty] == [("a", "B")]
    only_b = costs.yearly_costs(
        [costs.CostLine(theme="b", scenario="A", label="b", fte=Decimal(1), amount=amounts["b"])],
        years=[2024, 2025],
        start=dt.date(2024, 7, 1),
        cap=None,
    )
    assert [row.capped for row in calculation.years] == [costs.euro(y.capped) for y in only_b.years]
    columns = response.context["comparisons"][0].columns
    assert columns[1].per_year == []
