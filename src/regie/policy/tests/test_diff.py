"""The readable diff between two plan files, on small plans in memory (no database)."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from django.utils import translation

from regie.policy.diff import SEPARATOR, Change, as_text, compare, describe

P = "Priority: Veilig"
MEASURE = "cbs:inbraak, GM0001"
T = "Theme: Buurt"
G = "Goal: Minder inbraken"


def at(*parts: str) -> str:
    return SEPARATOR.join(parts)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def indicator(key: str = "inbraak", **fields: Any) -> dict[str, Any]:
    return {
        "key": key,
        "name": fields.pop("name", "Woninginbraken"),
        "measure": "cbs:inbraak",
        "area": "GM0001",
        "target": fields.pop("target", {"kind": "at_most", "value": 100}),
        "baseline": {"period": "2022", "value": 120},
        "decimals": 0,
        "overrides": [],
        **fields,
    }


def goal(key: str = "inbraken", aim: str = "Minder inbraken", **fields: Any) -> dict[str, Any]:
    return {"key": key, "aim": aim, "kbv": ["1.3"], "indicators": [indicator()], **fields}


def line(label: str = "Boa's", amount: Any = 44000, **fields: Any) -> dict[str, Any]:
    return {
        "label": label,
        "fte_extra": 0.5,
        "fte_total": None,
        "amount": amount,
        "cap": None,
        "note": "",
        **fields,
    }


def scenario(letter: str, chosen: bool = False, **fields: Any) -> dict[str, Any]:
    return {
        "letter": letter,
        "title": f"Variant {letter}",
        "description": "",
        "chosen": chosen,
        "lines": [line()],
        **fields,
    }


def theme(key: str = "buurt", title: str = "Buurt", **fields: Any) -> dict[str, Any]:
    return {
        "key": key,
        "title": title,
        "description": "",
        "kbv": ["1.1"],
        "goals": [goal()],
        "scenarios": [scenario("A"), scenario("B", chosen=True)],
        **fields,
    }


def priority(key: str = "veilig", title: str = "Veilig", **fields: Any) -> dict[str, Any]:
    return {
        "key": key,
        "kind": "prioriteit",
        "title": title,
        "description": "",
        "aim": "",
        "themes": [theme()],
        **fields,
    }


def plan(**fields: Any) -> dict[str, Any]:
    return {
        "format": "veiligheidsregie-plan/1",
        "gemeente": "GM0001",
        "title": "Veiligheidsplan",
        "summary": "",
        "period": {"start": 2024, "end": 2027},
        "state": "vastgesteld",
        "adopted_on": "2024-01-15",
        "version": 1,
        "scenario_decision": {"decided_on": None, "costs_start": None},
        "priorities": [priority(), priority("zorg", "Zorg", themes=[])],
        "budget": [
            {"label": "Personeel", "note": "", "amounts": {2024: 1000, 2025: 1000}},
            {"label": "Projecten", "note": "", "amounts": {2024: 500}},
        ],
        "stated_figures": [
            {"label": "Kosten", "year": 2024, "through_end": False, "amount": 1500, "note": ""}
        ],
        **fields,
    }


def changed(old: dict[str, Any], edit: Any) -> list[Change]:
    new = copy.deepcopy(old)
    edit(new)
    return compare(old, new)


def the_goal(data: dict[str, Any]) -> dict[str, Any]:
    goal: dict[str, Any] = data["priorities"][0]["themes"][0]["goals"][0]
    return goal


# --- nothing, and what is not compared ------------------------------------------------------


def test_the_same_plan_has_no_changes() -> None:
    data = plan()
    assert compare(data, copy.deepcopy(data)) == []
    assert compare(data, data) == []
    assert as_text([]) == "No differences with the previous version."


def test_version_state_adoption_and_overrides_are_not_compared() -> None:
    def edit(data: dict[str, Any]) -> None:
        data.update(state="concept", adopted_on=None, version=2, predecessor=1)
        the_goal(data)["indicators"][0]["overrides"] = [
            {"status": "at_risk", "reason": "Politie", "by": "anna", "at": "2024-05-01T10:00:00"}
        ]

    assert changed(plan(), edit) == []


def test_an_empty_text_and_a_missing_one_are_the_same() -> None:
    old = plan()
    old["priorities"][0]["aim"] = None
    assert changed(old, lambda d: d["priorities"][0].update(aim="")) == []


# --- the plan itself ------------------------------------------------------------------------


def test_the_plan_fields_are_compared() -> None:
    def edit(data: dict[str, Any]) -> None:
        data["title"] = "Nieuw plan"
        data["summary"] = "Kort"
        data["period"]["end"] = 2028
        data["scenario_decision"] = {"decided_on": "2024-03-12", "costs_start": "2024-04-01"}

    changes = changed(plan(), edit)
    assert [(c.kind, c.path, c.field, c.old, c.new, c.section) for c in changes] == [
        ("changed", (), "title", "Veiligheidsplan", "Nieuw plan", "plan"),
        ("changed", (), "summary", "—", "Kort", "plan"),
        ("changed", (), "period", "2024–2027", "2024–2028", "plan"),
        ("changed", (), "council decision on the scenarios", "—", "12-03-2024", "plan"),
        ("changed", (), "chosen scenarios start on", "—", "01-04-2024", "plan"),
    ]
    assert describe(changes[0]) == "Changed: Plan — title: Veiligheidsplan → Nieuw plan"


# --- priorities, themes, goals --------------------------------------------------------------


def test_a_priority_added_removed_changed_and_moved() -> None:
    def edit(data: dict[str, Any]) -> None:
        veilig, zorg = data["priorities"]
        zorg["title"] = "Zorg en veiligheid"
        zorg["kind"] = "aandachtspunt"
        data["priorities"] = [zorg, veilig, priority("cyber", "Cyber", themes=[])]

    changes = changed(plan(), edit)
    assert [(c.kind, c.path, c.field, c.old, c.new) for c in changes] == [
        ("changed", ("Priority: Zorg en veiligheid",), "kind", "Priority", "Point of attention"),
        ("changed", ("Priority: Zorg en veiligheid",), "title", "Zorg", "Zorg en veiligheid"),
        ("moved", (P,), "order", "1", "2"),
        ("added", ("Priority: Cyber",), "", "", ""),
    ]
    assert {c.section for c in changes} == {"structure"}
    removed = changed(plan(), lambda d: d["priorities"].pop(0))
    assert [(c.kind, c.path, c.field) for c in removed] == [("removed", (P,), "")]


def test_removed_items_are_listed_where_they_were() -> None:
    old = plan(priorities=[priority(k, k.title(), themes=[]) for k in "abcd"])

    def edit(data: dict[str, Any]) -> None:
        a, _b, c, _d = data["priorities"]
        data["priorities"] = [a, priority("x", "X", themes=[]), c]

    changes = changed(old, edit)
    assert [(c.kind, c.path) for c in changes] == [
        ("removed", ("Priority: B",)),  # after A, as before
        ("added", ("Priority: X",)),
        ("removed", ("Priority: D",)),  # after C
    ]


def test_only_what_left_its_order_is_moved() -> None:
    old = plan(priorities=[priority(k, k.title(), themes=[]) for k in "abcd"])

    def edit(data: dict[str, Any]) -> None:
        a, b, c, d = data["priorities"]
        data["priorities"] = [d, a, b, c]

    changes = changed(old, edit)
    assert [(c.kind, c.path, c.field, c.old, c.new) for c in changes] == [
        ("moved", ("Priority: D",), "order", "4", "1")
    ]


def test_a_theme_added_removed_changed_and_moved_to_another_priority() -> None:
    old = plan()
    old["priorities"][0]["themes"].append(theme("jeugd", "Jeugd", goals=[], scenarios=[]))

    def edit(data: dict[str, Any]) -> None:
        veilig, zorg = data["priorities"]
        buurt, jeugd = veilig["themes"]
        buurt["title"] = "Wijk"
        buurt["kbv"] = ["1.1", "1.2"]
        veilig["themes"] = [theme("drugs", "Drugs", goals=[], scenarios=[]), buurt]
        zorg["themes"] = [jeugd]

    changes = changed(old, edit)
    assert [(c.kind, c.path, c.field, c.old, c.new) for c in changes] == [
        ("added", (P, "Theme: Drugs"), "", "", ""),
        ("changed", (P, "Theme: Wijk"), "title", "Buurt", "Wijk"),
        ("changed", (P, "Theme: Wijk"), "KBV themes", "1.1", "1.1, 1.2"),
        ("moved", ("Priority: Zorg", "Theme: Jeugd"), "place", P, "Priority: Zorg"),
    ]
    removed = changed(old, lambda d: d["priorities"][0]["themes"].pop())
    assert [(c.kind, c.path) for c in removed] == [("removed", (P, "Theme: Jeugd"))]


def test_a_key_under_two_new_parents_is_not_taken_for_a_move() -> None:
    def edit(data: dict[str, Any]) -> None:
        data["priorities"][0]["themes"] = []
        data["priorities"][1]["themes"] = [theme(), theme("buurt-2")]
        data["priorities"].append(priority("extra", "Extra"))

    changes = changed(plan(), edit)
    assert [(c.kind, c.path) for c in changes] == [
        ("removed", (P, T)),
        ("added", ("Priority: Zorg", T)),
        ("added", ("Priority: Zorg", T)),
        ("added", ("Priority: Extra",)),
    ]


def test_a_goal_changed_added_removed_and_moved() -> None:
    def edit(data: dict[str, Any]) -> None:
        goals = data["priorities"][0]["themes"][0]["goals"]
        goals[0]["aim"] = "Nog minder inbraken"
        goals[0]["kbv"] = []
        goals.insert(0, goal("geweld", "Minder geweld", indicators=[]))

    changes = changed(plan(), edit)
    where = (P, T, "Goal: Nog minder inbraken")
    assert [(c.kind, c.path, c.field, c.old, c.new) for c in changes] == [
        ("added", (P, T, "Goal: Minder geweld"), "", "", ""),
        ("changed", where, "aim", "Minder inbraken", "Nog minder inbraken"),
        ("changed", where, "KBV themes", "1.3", "—"),
    ]
    removed = changed(plan(), lambda d: d["priorities"][0]["themes"][0]["goals"].clear())
    assert [(c.kind, c.path) for c in removed] == [("removed", (P, T, G))]


def test_an_item_that_moved_into_a_new_parent_is_still_reported() -> None:
    def edit(data: dict[str, Any]) -> None:
        moved = data["priorities"][0]["themes"][0]["goals"].pop()
        moved["aim"] = "Veel minder inbraken"
        data["priorities"][1]["themes"] = [theme("wonen", "Wonen", goals=[moved], scenarios=[])]

    changes = changed(plan(), edit)
    here = "Goal: Veel minder inbraken"
    assert [(c.kind, c.path[-1], c.field, c.old, c.new) for c in changes] == [
        ("added", "Theme: Wonen", "", "", ""),
        ("moved", here, "place", at(P, T), at("Priority: Zorg", "Theme: Wonen")),
        ("changed", here, "aim", "Minder inbraken", "Veel minder inbraken"),
    ]


def test_a_long_aim_is_shortened_in_the_path_only() -> None:
    aim = "Het aantal woninginbraken in de hele gemeente daalt elk jaar van de planperiode " * 2

    def edit(data: dict[str, Any]) -> None:
        the_goal(data)["aim"] = aim

    (change,) = changed(plan(), edit)
    assert change.path[-1].endswith(" …")
    assert len(change.path[-1]) < 100
    assert change.new == aim


# --- indicators -----------------------------------------------------------------------------


def test_an_indicator_added_removed_and_changed() -> None:
    def edit(data: dict[str, Any]) -> None:
        indicators = the_goal(data)["indicators"]
        indicators[0]["name"] = "Inbraken"
        indicators[0]["target"] = {"kind": "at_most", "value": 90}
        indicators[0]["baseline"] = {"period": "2023", "value": 115.5}
        indicators.append(
            indicator(
                "vertrouwen",
                name="Vertrouwen",
                target={
                    "kind": "trajectory",
                    "from": {"year": 2022, "value": 50},
                    "to": {"year": 2026, "value": 58.5},
                },
            )
        )

    changes = changed(plan(), edit)
    where = (P, T, G, "Indicator: Inbraken")
    assert [(c.kind, c.path, c.field, c.old, c.new) for c in changes] == [
        ("changed", where, "name", "Woninginbraken", "Inbraken"),
        ("changed", where, "target value", "100", "90"),
        ("changed", where, "baseline period", "2022", "2023"),
        ("changed", where, "baseline value", "120", "115.5"),
        (
            "added",
            (P, T, G, "Indicator: Vertrouwen"),
            "",
            "",
            f"{MEASURE}: 50 (2022) → 58.5 (2026)",
        ),
    ]
    assert {c.section for c in changes} == {"indicators"}
    removed = changed(plan(), lambda d: the_goal(d)["indicators"].clear())
    assert [(c.kind, c.path, c.old) for c in removed] == [
        ("removed", (*where[:-1], "Indicator: Woninginbraken"), f"{MEASURE}: ≤ 100")
    ]


def test_a_new_kind_of_target_shows_every_value_that_changed() -> None:
    def edit(data: dict[str, Any]) -> None:
        the_goal(data)["indicators"][0]["target"] = {
            "kind": "trajectory",
            "from": {"year": 2022, "value": 120},
            "to": {"year": 2026, "value": 80},
        }

    changes = changed(plan(), edit)
    assert [(c.field, c.old, c.new) for c in changes] == [
        ("kind of target", "At most a value (≤)", "Trajectory from a start value to a goal value"),
        ("target value", "100", "—"),
        ("trajectory: start year", "—", "2022"),
        ("trajectory: start value", "—", "120"),
        ("trajectory: goal year", "—", "2026"),
        ("trajectory: goal value", "—", "80"),
    ]


def test_indicators_moved_within_a_goal_and_to_another_goal() -> None:
    old = plan()
    the_goal(old)["indicators"] = [indicator("a", name="A"), indicator("b", name="B")]
    geweld = "Goal: Minder geweld"
    old["priorities"][0]["themes"][0]["goals"].append(
        goal("geweld", "Minder geweld", indicators=[])
    )

    def edit(data: dict[str, Any]) -> None:
        inbraken, geweld = data["priorities"][0]["themes"][0]["goals"]
        a, b = inbraken["indicators"]
        inbraken["indicators"] = [b]
        geweld["indicators"] = [a]

    changes = changed(old, edit)
    assert [(c.kind, c.path, c.field, c.old, c.new) for c in changes] == [
        ("moved", (P, T, geweld, "Indicator: A"), "place", at(P, T, G), at(P, T, geweld)),
    ]

    def swap(data: dict[str, Any]) -> None:
        the_goal(data)["indicators"].reverse()

    # Of two that changed places, one is reported: the other kept its order relative to the rest.
    assert [(c.kind, c.path[-1], c.field, c.old, c.new) for c in changed(old, swap)] == [
        ("moved", "Indicator: A", "order", "1", "2")
    ]


# --- scenarios ------------------------------------------------------------------------------


def test_scenarios_by_letter_and_their_capacity_lines() -> None:
    def edit(data: dict[str, Any]) -> None:
        a, b = data["priorities"][0]["themes"][0]["scenarios"]
        a["chosen"], b["chosen"] = True, False
        b["description"] = "Meer boa's"
        b["lines"][0].update(amount=1234567.5, cap=200000, fte_extra=3)
        b["lines"].append(line("Middelen", 10000, fte_extra=0))
        a["lines"] = []
        data["priorities"][0]["themes"][0]["scenarios"] = [a, b, scenario("C")]

    changes = changed(plan(), edit)
    a, b = (P, T, "Scenario A: Variant A"), (P, T, "Scenario B: Variant B")
    assert [(c.kind, c.path, c.field, c.old, c.new) for c in changes] == [
        ("changed", a, "chosen by the council", "no", "yes"),
        ("removed", (*a, "Capacity line: Boa's"), "", "€ 44,000, 0.5 extra fte", ""),
        ("changed", b, "what it buys", "—", "Meer boa's"),
        ("changed", b, "chosen by the council", "yes", "no"),
        ("changed", (*b, "Capacity line: Boa's"), "extra fte", "0.5", "3"),
        ("changed", (*b, "Capacity line: Boa's"), "€ per full year", "€ 44,000", "€ 1,234,567.50"),
        ("changed", (*b, "Capacity line: Boa's"), "cap: at most € per year", "—", "€ 200,000"),
        ("added", (*b, "Capacity line: Middelen"), "", "", "€ 10,000, 0 extra fte"),
        ("added", (P, T, "Scenario C: Variant C"), "", "", ""),
    ]
    assert {c.section for c in changes} == {"scenarios"}


def test_capacity_lines_in_another_order_are_moved() -> None:
    old = plan()
    old["priorities"][0]["themes"][0]["scenarios"][0]["lines"] = [line("X"), line("Y")]

    def edit(data: dict[str, Any]) -> None:
        data["priorities"][0]["themes"][0]["scenarios"][0]["lines"].reverse()

    assert [(c.kind, c.path[-1], c.field) for c in changed(old, edit)] == [
        ("moved", "Capacity line: X", "order")
    ]


def test_a_removed_theme_is_one_change_not_one_per_scenario() -> None:
    changes = changed(plan(), lambda d: d["priorities"][0].update(themes=[]))
    assert [(c.kind, c.path) for c in changes] == [("removed", (P, T))]


# --- budget ---------------------------------------------------------------------------------


def test_budget_lines_by_label_and_year_and_stated_figures() -> None:
    def edit(data: dict[str, Any]) -> None:
        personeel, _projecten = data["budget"]
        personeel["amounts"] = {2024: 1000, 2025: 1250.5, 2026: 1300}
        personeel["note"] = "structureel"
        data["budget"] = [{"label": "Boa's", "note": "", "amounts": {2024: 200}}, personeel]
        data["stated_figures"][0].update(amount=1450, through_end=True)
        data["stated_figures"].append(
            {"label": "Kosten", "year": 2025, "through_end": True, "amount": 2000, "note": ""}
        )

    changes = changed(plan(), edit)
    kosten = ("Stated figure: Kosten (2024)",)
    assert [(c.kind, c.path, c.field, c.old, c.new) for c in changes] == [
        ("added", ("Budget line: Boa's",), "", "", "2024: € 200"),
        ("changed", ("Budget line: Personeel",), "note", "—", "structureel"),
        ("changed", ("Budget line: Personeel",), "amount 2025", "€ 1,000", "€ 1,250.50"),
        ("changed", ("Budget line: Personeel",), "amount 2026", "—", "€ 1,300"),
        ("removed", ("Budget line: Projecten",), "", "2024: € 500", ""),
        ("changed", kosten, "also for every later year of the plan", "no", "yes"),
        ("changed", kosten, "amount (€)", "€ 1,500", "€ 1,450"),
        ("added", ("Stated figure: Kosten (2025)",), "", "", "€ 2,000"),
    ]
    assert {c.section for c in changes} == {"budget"}


def test_money_as_an_exact_decimal_string() -> None:
    def edit(data: dict[str, Any]) -> None:
        data["budget"][1]["amounts"][2024] = "500.25"

    (change,) = changed(plan(), edit)
    assert (change.old, change.new) == ("€ 500", "€ 500.25")


# --- formatting -----------------------------------------------------------------------------


def test_numbers_are_shown_in_dutch_with_every_decimal_they_have() -> None:
    def edit(data: dict[str, Any]) -> None:
        the_goal(data)["indicators"][0]["target"]["value"] = 1234.25
        the_goal(data)["indicators"][0]["baseline"]["value"] = None
        data["budget"][0]["amounts"][2024] = 1785000

    with translation.override("nl"):
        changes = changed(plan(), edit)
    assert [(c.old, c.new) for c in changes] == [
        ("100", "1.234,25"),
        ("120", "—"),
        ("€ 1.000", "€ 1.785.000"),
    ]


def test_the_text_has_one_line_per_change() -> None:
    def edit(data: dict[str, Any]) -> None:
        data["summary"] = "Eerste regel\nen de tweede"
        the_goal(data)["indicators"][0]["target"]["value"] = 90
        data["priorities"].pop()

    text = as_text(changed(plan(), edit))
    assert text.splitlines() == [
        "Changed: Plan — summary: — → Eerste regel en de tweede",
        f"Changed: {at(P, T, G, 'Indicator: Woninginbraken')} — target value: 100 → 90",
        "Removed: Priority: Zorg",
    ]


def test_a_change_is_a_frozen_value() -> None:
    change = Change("added", ("Priority: X",), "", "", "", "structure")
    with pytest.raises(AttributeError):
        change.kind = "removed"  # type: ignore[misc]
    assert describe(change) == "Added: Priority: X"
