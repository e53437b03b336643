"""The diff of a new plan version against the adopted one: through the services and the CLI."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from regie.core.concurrency import edit_token
from regie.policy import diff, plan_file, services
from regie.policy.models import Goal, Indicator, Plan, Theme
from tests.test_monitor_cli import demo_figures  # noqa: F401 - the module fixture

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(demo_figures: Any) -> Plan:  # noqa: F811 - the fixture imported above
    path = plan_file.DEMO_DIR / "gm0556.yaml"
    return plan_file.import_plan(plan_file.parse(path.read_text(encoding="utf-8")))


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def edit_new_version(plan: Plan) -> Plan:
    """Adopt the plan, make version 2 and change four things in it through the services."""
    services.adopt(plan=plan, adopted_on=dt.date(2023, 3, 1), version=edit_token(plan))
    copy = services.new_version(plan=plan, version=edit_token(plan))
    mine = {"goal__theme__priority__plan": copy}
    goal = Goal.objects.get(theme__priority__plan=copy, key="veilig-voelen")
    services.save(
        goal,
        version=edit_token(goal),
        aim="Minder inwoners voelen zich wel eens onveilig in de buurt.",
    )
    template = Indicator.objects.get(**mine, key="misdrijven-politie")
    services.save(
        Indicator(
            goal=goal,
            key="misdrijven-per-1000",
            name="Misdrijven per 1000 inwoners",
            measure=template.measure,
            area=template.area,
            target_kind="at_most",
            target_value=45.5,
            decimals=1,
            position=5,
        )
    )
    gone = Theme.objects.get(priority__plan=copy, key="verbinding")
    services.delete(gone, version=edit_token(gone))
    changed = Indicator.objects.get(**mine, key="rapportcijfer-woonbuurt")
    services.save(changed, version=edit_token(changed), target_value=7.5)
    return copy


def test_a_plan_without_a_previous_version_has_no_diff(plan: Plan) -> None:
    assert diff.plan_changes(plan) is None


def test_an_unchanged_new_version_has_no_changes_overrides_included(plan: Plan) -> None:
    indicator = Indicator.objects.get(goal__theme__priority__plan=plan, key="misdrijven-politie")
    services.override_status(
        indicator=indicator,
        status=None,
        reason="Nog geen cijfers",
        user=None,
        version=services.history_version(indicator),
    )
    services.adopt(plan=plan, adopted_on=dt.date(2023, 3, 1), version=edit_token(plan))
    copy = services.new_version(plan=plan, version=edit_token(plan))
    assert diff.plan_changes(copy) == []


def test_the_diff_lists_exactly_what_was_changed(plan: Plan) -> None:
    copy = edit_new_version(plan)
    changes = diff.plan_changes(copy)
    assert changes is not None
    general = "Priority: Veiligheid in heel Maassluis"
    where = (general, "Theme: Veiligheidsbeleving en criminaliteit")
    goal = (*where, "Goal: Minder inwoners voelen zich wel eens onveilig in de buurt.")
    score = (
        *where,
        "Goal: Het rapportcijfer voor veiligheid in de woonbuurt blijft minstens 7,3.",
        "Indicator: Rapportcijfer veiligheid in de woonbuurt",
    )
    assert [(c.kind, c.section, c.path, c.field, c.old, c.new) for c in changes] == [
        ("changed", "indicators", score, "target value", "7.3", "7.5"),
        (
            "changed",
            "structure",
            goal,
            "aim",
            "Het aandeel inwoners dat zich veilig voelt blijft gelijk of stijgt.",
            "Minder inwoners voelen zich wel eens onveilig in de buurt.",
        ),
        (
            "added",
            "indicators",
            (*goal, "Indicator: Misdrijven per 1000 inwoners"),
            "",
            "",
            "politie:0.0.0, GM0556: ≤ 45.5",
        ),
        (
            "removed",
            "structure",
            ("Priority: Zorg & Veiligheid", "Theme: Verbinding zorg en veiligheid"),
            "",
            "",
            "",
        ),
    ]


def test_regie_plan_diff_prints_the_changes_of_the_newest_version(plan: Plan) -> None:
    edit_new_version(plan)
    out = StringIO()
    with translation.override("nl"):
        call_command("plan", "diff", "GM0556", stdout=out)
    lines = out.getvalue().splitlines()
    assert "versie 2" in lines[0]
    assert len(lines) == 5  # the heading and one line per change
    assert "7,3 → 7,5" in lines[1]
    assert "Misdrijven per 1000 inwoners" in lines[3]
    assert "Verbinding zorg en veiligheid" in lines[4]


def test_regie_plan_diff_of_a_first_version_is_a_clear_error(plan: Plan) -> None:
    edit_new_version(plan)
    with pytest.raises(CommandError, match="no previous version"):
        call_command("plan", "diff", "GM0556", "--version", "1", stdout=StringIO())
    out = StringIO()
    call_command("plan", "diff", "gm0556", "--version", "2", stdout=out)
    assert "compared with version 1" in out.getvalue()
