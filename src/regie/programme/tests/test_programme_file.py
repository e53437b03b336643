"""The programme file: export, import, round trip, and every kind of bad input refused with its
place and value while nothing is stored."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
import yaml
from django.utils import timezone

from regie.core.concurrency import edit_token
from regie.core.models import Organisation
from regie.policy import services as policy_services
from regie.policy.models import CapacityLine, Goal, Plan
from regie.programme import programme_file, services
from regie.programme.models import Action, Programme, ProgressNote

pytestmark = pytest.mark.django_db

PLAN_FILE = """\
format: veiligheidsregie-plan/1
gemeente: {code}
title: Integraal Veiligheidsbeleid 2024–2027
summary: ''
period: {{start: 2024, end: 2027}}
state: concept
adopted_on: null
version: 1
scenario_decision: {{decided_on: null, costs_start: null}}
priorities:
- key: veilige-woonomgeving
  kind: prioriteit
  title: Veilige woon- en leefomgeving
  description: ''
  aim: ''
  themes:
  - key: woninginbraak
    title: Woninginbraak
    description: ''
    kbv: []
    goals:
    - {{key: minder-inbraken, aim: Minder woninginbraken., kbv: [], indicators: []}}
    - {{key: meer-preventie, aim: Meer bewoners nemen maatregelen., kbv: [], indicators: []}}
    scenarios:
    - letter: B
      title: Uitbreiden
      description: ''
      chosen: true
      lines:
      - {{label: Buurtpreventie, fte_extra: 0.5, fte_total: null, amount: 40000, cap: null,
          note: ''}}
- key: jeugd
  kind: prioriteit
  title: Jeugd
  description: ''
  aim: ''
  themes:
  - key: overlast
    title: Jeugdoverlast
    description: ''
    kbv: []
    goals:
    - {{key: minder-overlast, aim: Minder overlast van jongeren., kbv: [], indicators: []}}
    scenarios: []
budget: []
stated_figures: []
"""


def make_plan(organisation: Organisation) -> Plan:
    return policy_services.import_plan(text=PLAN_FILE.format(code=organisation.cbs_code))


@pytest.fixture
def plan(alblasserdam: Organisation) -> Plan:
    return make_plan(alblasserdam)


def goal(plan: Plan, key: str) -> Goal:
    return Goal.objects.get(theme__priority__plan=plan, key=key)


def build_programme(plan: Plan, *, adopt: bool = True) -> Programme:
    """A programme of 2024 with two actions, notes, a scenario line and an evaluation."""
    programme = services.create_programme(
        plan=plan, period="2024", title="Uitvoeringsprogramma 2024", summary="Wat we doen."
    )
    line = CapacityLine.objects.get(scenario__theme__priority__plan=plan)
    first = services.save_action(
        programme,
        goals=[goal(plan, "minder-inbraken"), goal(plan, "meer-preventie")],
        key="buurtpreventie-uitbreiden",
        title="Buurtpreventie uitbreiden",
        description="Twee nieuwe teams.\nMet een tweede regel.",
        owner="Team OOV",
        partners="Politie, Buurtpreventie",
        start=dt.date(2024, 1, 1),
        end=dt.date(2024, 12, 31),
        quarters="1234",
        budget=Decimal("12000.50"),
        capacity_line=line,
        status="loopt",
    )
    note = services.add_progress(
        first,
        version=edit_token(first),
        moment="2024H1",
        status="loopt",
        spent=Decimal(4000),
        text="Eén team gestart.",
    )
    ProgressNote.objects.filter(pk=note.pk).update(
        created_at=timezone.make_aware(dt.datetime(2024, 7, 1, 10, 0))
    )
    first.refresh_from_db()
    services.save_action(
        programme, action=first, version=edit_token(first), spent=Decimal(9000), status="loopt"
    )
    services.save_action(
        programme,
        goals=[goal(plan, "minder-overlast")],
        key="jongerenwerk",
        title="Jongerenwerk op straat",
        owner="Welzijnsorganisatie",
        status="niet_gestart",
    )
    programme.refresh_from_db()
    services.save_evaluation(
        programme, version=edit_token(programme), summary="Goed op weg.", proposals="Doorgaan."
    )
    if adopt:
        programme.refresh_from_db()
        services.adopt(programme, adopted_on=dt.date(2024, 3, 12), version=edit_token(programme))
    return Programme.objects.get(pk=programme.pk)


def clear(organisation: Organisation) -> None:
    """Remove the gemeente's programmes (a fresh database for the import)."""
    Programme.objects.filter(organisation=organisation).delete()


def exported(plan: Plan) -> tuple[dict[str, Any], str]:
    programme = build_programme(plan)
    data = programme_file.export_programme(programme)
    return data, programme_file.dump(programme)


def refused(text: str, organisation: Organisation | None = None) -> list[str]:
    before = (Programme.objects.count(), Action.objects.count(), ProgressNote.objects.count())
    with pytest.raises(programme_file.ProgrammeFileError) as caught:
        programme_file.import_programme(text, organisation=organisation)
    after = (Programme.objects.count(), Action.objects.count(), ProgressNote.objects.count())
    assert after == before, "nothing is stored"
    return caught.value.problems


def changed(data: dict[str, Any], **actions: Any) -> str:
    """The file of ``data`` with fields of its first action replaced."""
    copy = yaml.safe_load(yaml.safe_dump(data, allow_unicode=True))
    copy["actions"][0].update(actions)
    return yaml.safe_dump(copy, allow_unicode=True, sort_keys=False)


# --- export and round trip ---------------------------------------------------------------------


def test_export_names_goals_by_path_and_the_scenario_line(plan: Plan) -> None:
    data, text = exported(plan)
    assert text.startswith("# ")
    assert data["format"] == programme_file.FORMAT
    assert data["gemeente"] == "GM0482"
    assert data["plan"] == {"start_year": 2024, "version": 1}
    assert data["period"] == "2024"
    assert data["state"] == "vastgesteld"
    assert data["adopted_on"] == dt.date(2024, 3, 12)
    first = data["actions"][0]
    assert first["goals"] == [
        "veilige-woonomgeving/woninginbraak/minder-inbraken",
        "veilige-woonomgeving/woninginbraak/meer-preventie",
    ]
    assert first["scenario_line"] == {
        "theme": "woninginbraak",
        "scenario": "B",
        "line": "Buurtpreventie",
    }
    assert first["budget"] == 12000.5
    assert first["spent"] == 9000
    assert first["notes"][0]["moment"] == "2024H1"
    assert first["notes"][0]["spent"] == 4000
    assert list(first) == [
        "key", "title", "description", "goals", "owner", "partners", "start", "end", "quarters",
        "budget", "scenario_line", "spent", "status", "result", "lessons", "notes",
    ]  # fmt: skip
    assert data["evaluation"] == {"summary": "Goed op weg.", "proposals": "Doorgaan."}
    assert "period: '2024'" in text
    assert "start: 2024-01-01" in text


def test_round_trip_into_a_fresh_database_gives_the_same_export(plan: Plan) -> None:
    data, text = exported(plan)
    clear(plan.organisation)
    imported = programme_file.import_programme(text)
    assert programme_file.export_programme(imported) == data
    assert programme_file.dump(imported) == text
    assert imported.is_frozen
    first = imported.actions.get(key="buurtpreventie-uitbreiden")
    assert first.budget == Decimal("12000.50")
    assert first.spent == Decimal(9000)
    assert first.notes.get().created_at == timezone.make_aware(dt.datetime(2024, 7, 1, 10, 0))


def test_a_concept_programme_round_trips_as_a_concept(plan: Plan) -> None:
    programme = build_programme(plan, adopt=False)
    text = programme_file.dump(programme)
    data = programme_file.export_programme(programme)
    clear(plan.organisation)
    imported = programme_file.import_programme(text)
    assert not imported.is_frozen
    assert programme_file.export_programme(imported) == data


def test_dutch_amounts_are_read_as_dutch(plan: Plan) -> None:
    data, _ = exported(plan)
    clear(plan.organisation)
    text = changed(data, budget="12.000,50", spent="€ 1.250")
    imported = programme_file.import_programme(text)
    action = imported.actions.get(key="buurtpreventie-uitbreiden")
    assert action.budget == Decimal("12000.50")
    assert action.spent == Decimal(1250)


def test_an_existing_period_is_refused(plan: Plan) -> None:
    _, text = exported(plan)
    problems = refused(text)
    assert problems[0].startswith("period: ")
    assert "2024" in problems[0]


def test_a_file_of_another_gemeente_is_refused_when_the_organisation_is_given(
    plan: Plan, maassluis: Organisation
) -> None:
    _, text = exported(plan)
    clear(plan.organisation)
    problems = refused(text, organisation=maassluis)
    assert problems[0].startswith("gemeente: ")
    assert "GM0482" in problems[0]


# --- bad input ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "where", "shown"),
    [
        ({"goals": ["veilige-woonomgeving/woninginbraak/bestaat-niet"]}, "actions[0].goals[0]",
         "“veilige-woonomgeving/woninginbraak/bestaat-niet”"),
        ({"status": "bijna"}, "actions[0].status", "“bijna”"),
        ({"budget": -5}, "actions[0].budget", "“-5”"),
        ({"budget": "12,34,5"}, "actions[0].budget", "12,34,5"),
        ({"budget": "1,000"}, "actions[0].budget", "1,000"),
        ({"budget": "veel"}, "actions[0].budget", "veel"),
        ({"spent": 1.234}, "actions[0].spent", "“1.234”"),
        ({"budget": 10**11}, "actions[0].budget", "“100000000000”"),
        ({"start": dt.date(2024, 6, 1), "end": dt.date(2024, 5, 1)}, "actions[0].end",
         "“2024-05-01”"),
        ({"start": "1 juni"}, "actions[0].start", "“1 juni”"),
        ({"quarters": "1235"}, "actions[0].quarters", "“1235”"),
        ({"budgett": 5}, "actions[0].budgett", ""),
        ({"key": "met spatie"}, "actions[0].key", "“met spatie”"),
        ({"title": None}, "actions[0].title", ""),
        ({"owner": "x" * 201}, "actions[0].owner", "200"),
        ({"scenario_line": {"theme": "woninginbraak", "scenario": "C", "line": "Buurtpreventie"}},
         "actions[0].scenario_line", "woninginbraak C: Buurtpreventie"),
        ({"notes": [{"moment": "2024H1", "status": "klaar", "text": "x"}]},
         "actions[0].notes[0].status", "“klaar”"),
        ({"notes": [{"moment": "2024H1", "status": "loopt", "text": "x", "at": "gisteren"}]},
         "actions[0].notes[0].at", "“gisteren”"),
    ],
)  # fmt: skip
def test_a_bad_field_is_named_with_its_place_and_value(
    plan: Plan, fields: dict[str, Any], where: str, shown: str
) -> None:
    data, _ = exported(plan)
    clear(plan.organisation)
    problems = refused(changed(data, **fields))
    found = [p for p in problems if p.startswith(f"{where}: ")]
    assert found, problems
    assert shown in found[0], found[0]


def test_every_problem_is_reported_at_once(plan: Plan) -> None:
    data, _ = exported(plan)
    clear(plan.organisation)
    data["actions"][1]["status"] = "onbekend"
    data["state"] = "besloten"
    problems = refused(changed(data, budget=-1, goals=["a/b/c"]))
    places = {p.split(": ")[0] for p in problems}
    assert {"actions[0].budget", "actions[0].goals[0]", "actions[1].status", "state"} <= places


def test_an_unquoted_dotted_thousand_is_refused_as_ambiguous(plan: Plan) -> None:
    data, _ = exported(plan)
    clear(plan.organisation)
    text = changed(data).replace("budget: 12000.5", "budget: 12.000")
    problems = refused(text)
    assert problems[0].startswith("actions[0].budget: ")


def test_unknown_top_level_field_and_a_plan_file_are_refused(plan: Plan) -> None:
    data, _ = exported(plan)
    clear(plan.organisation)
    data["extra"] = 1
    assert "extra: " in refused(yaml.safe_dump(data))[0]
    problems = refused(PLAN_FILE.format(code="GM0482"))
    assert problems[0].startswith("format: ")


def test_an_adopted_programme_needs_its_date(plan: Plan) -> None:
    data, _ = exported(plan)
    clear(plan.organisation)
    data["adopted_on"] = None
    assert refused(yaml.safe_dump(data))[0].startswith("adopted_on: ")


def test_a_period_outside_the_plan_is_refused(plan: Plan) -> None:
    data, _ = exported(plan)
    clear(plan.organisation)
    data["period"] = "2031"
    data.pop("plan")
    assert refused(yaml.safe_dump(data))[0].startswith("period: ")


@pytest.mark.parametrize(
    "text",
    [
        # billion laughs: a few lines of aliases
        'a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n'
        "c: [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n",
        "x: " + "[" * 200 + "]" * 200 + "\n",
        "x: " + "y" * (5 * 1024 * 1024) + "\n",
        "gemeente: [unclosed\n",
        "- just\n- a list\n",
    ],
    ids=["aliases", "deep", "5MB", "broken", "list"],
)
def test_unsafe_or_broken_yaml_is_refused_clearly(plan: Plan, text: str) -> None:
    problems = refused(text)
    assert len(problems) == 1
    assert problems[0]


def test_a_5mb_stream_is_not_read_whole() -> None:
    import io

    with pytest.raises(programme_file.ProgrammeFileError) as caught:
        programme_file.read_text(io.BytesIO(b"x" * (5 * 1024 * 1024)))
    assert "1 MB" in caught.value.problems[0]
