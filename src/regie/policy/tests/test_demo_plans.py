"""The demo plans (``data/gm0556.yaml``, ``data/gm0482.yaml``) against their seed documents.

Every theme of the seeds' tables is a theme with at least one goal; every indicator names a
catalogue measure of its own gemeente that the demo holds figures for; every baseline typed over
from a seed or a data file is the figure the demo loads for that period; an indicator with a
figure in the plan period is judged; and the plan page never says a theme has no goals.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from regie.accounts.models import Role, User
from regie.core.models import Organisation
from regie.demo import services as demo_services
from regie.monitor import catalogue
from regie.policy import plan_file
from regie.policy.engine import Status
from regie.policy.models import Goal, Indicator, Plan, Theme
from regie.policy.status import evaluate_plan, value_in_data
from tests.test_monitor_cli import demo_figures  # noqa: F401 - the module fixture

DEMO_FILES = sorted(plan_file.DEMO_DIR.glob("*.yaml"))

#: The themes of each priority's table in the seed documents, by priority key of the demo plan.
#: Maassluis (IVB 2023–2026, §4.2–4.3) has a table "Thema | Doel" under every priority; the
#: overall aims of §4.1 are the priority "algemeen". Alblasserdam (IVB 2024–2027) describes its
#: three priorities and the "samenwerken op andere thema's" sections, plus the theme that carries
#: the scenarios for the team's capacity.
SEED_THEMES = {
    "gm0556.yaml": {
        "algemeen": 1,
        "zorg-en-veiligheid": 5,
        "ondermijning": 7,
        "digitaal": 3,
        "hic": 5,
        "maatschappelijk-ongenoegen": 3,
    },
    "gm0482.yaml": {
        "ondermijning": 4,
        "zorg-en-veiligheid": 5,
        "cyber": 3,
        "andere-themas": 7,
    },
}


#: Indicators the demo data cannot judge: their last figure lies before the plan period. The
#: gemeente's own figures (seed ``local:*``: the rapportcijfer of the plan, meldingen, the
#: Veiligheidsmonitor 2019, the trust figure of 2022) carry the plan's own stated aims and wait for
#: the gemeente's upload. Any other indicator must get a status from a figure in the plan period.
WAITING_FOR_NEW_FIGURES = {
    "GM0556": {
        "rapportcijfer-woonbuurt",
        "meldingen-jeugdoverlast",
        "meldingen-verward-gedrag",
    },
    "GM0482": {
        "rapportcijfer-veiligheid-buurt",
        "vertrouwen-lokale-overheid",
        "sociale-overlast",
    },
}

#: Counts where a rise can be good news (more reports, more enforcement finds more). The seeds
#: state no direction for them and an indicator needs a target, so they are no indicator.
RISE_CAN_BE_GOOD_NEWS = {
    "local:huiselijk_geweld_aangiften",
    "local:huisverboden",
    "local:bibob_onderzoeken",
    "local:sluitingen_drugspanden",
    "local:cybercrime",
    "politie:3.1.1",  # drugshandel
    "politie:3.1.3",  # wapenhandel
}


def _data(path: Path) -> dict[str, Any]:
    return plan_file.parse(path.read_text(encoding="utf-8"))


def _themes(data: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for priority in data["priorities"]:
        for theme in priority["themes"]:
            yield f"{priority['key']}.{theme['key']}", theme


def _indicators(data: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for place, theme in _themes(data):
        for goal in theme.get("goals") or []:
            for indicator in goal.get("indicators") or []:
                yield f"{place}.{goal['key']}.{indicator['key']}", indicator


def test_the_demo_plans_are_the_two_seed_gemeenten() -> None:
    assert [p.name for p in DEMO_FILES] == sorted(SEED_THEMES)
    assert {_data(p)["gemeente"] for p in DEMO_FILES} == {"GM0556", "GM0482"}


@pytest.mark.parametrize("path", DEMO_FILES, ids=lambda p: p.name)
def test_every_theme_of_a_demo_plan_has_at_least_one_goal(path: Path) -> None:
    data = _data(path)
    without = [place for place, theme in _themes(data) if not theme.get("goals")]
    assert without == [], f"themes without goals: {without}"
    for place, theme in _themes(data):
        for goal in theme["goals"]:
            assert goal["aim"].strip(), f"{place}.{goal['key']} has no aim"


@pytest.mark.parametrize("path", DEMO_FILES, ids=lambda p: p.name)
def test_every_priority_carries_the_themes_of_its_seed_table(path: Path) -> None:
    data = _data(path)
    found = {p["key"]: len(p["themes"]) for p in data["priorities"]}
    assert found == SEED_THEMES[path.name]


@pytest.mark.parametrize("path", DEMO_FILES, ids=lambda p: p.name)
def test_every_indicator_names_a_catalogue_measure_of_its_own_gemeente(path: Path) -> None:
    data = _data(path)
    codes = {spec.code for spec in catalogue.all_measures()}
    indicators = list(_indicators(data))
    assert indicators
    for place, indicator in indicators:
        assert indicator["measure"] in codes, f"{place}: {indicator['measure']} not in catalogue"
        assert indicator["area"] == data["gemeente"], place
        # Counts are whole numbers; a rapportcijfer has one decimal.
        assert indicator["decimals"] in (0, 1), place
    keys = [indicator["key"] for _place, indicator in indicators]
    assert len(keys) == len(set(keys)), "an indicator key is used twice in the plan"


@pytest.mark.parametrize("path", DEMO_FILES, ids=lambda p: p.name)
def test_a_target_value_is_never_invented(path: Path) -> None:
    """Only the seeds' own figures are thresholds or trajectories (≥ 7,3; 50% → 58%); every
    other indicator follows a direction against a baseline ("afnemen of gelijk blijven")."""
    stated = {
        ("GM0556", "local:rapportcijfer_veiligheid_woonbuurt"): {"kind": "at_least", "value": 7.3},
        ("GM0482", "local:vertrouwen_in_lokale_overheid_pct"): {
            "kind": "trajectory",
            "from": {"year": 2022, "value": 50},
            "to": {"year": 2026, "value": 58},
        },
    }
    data = _data(path)
    for place, indicator in _indicators(data):
        target = indicator["target"]
        key = (data["gemeente"], indicator["measure"])
        if key in stated:
            assert target == stated[key], place
        else:
            assert target == {"kind": target["kind"]}, place
            assert target["kind"] in ("not_up", "not_down"), place


@pytest.mark.parametrize("path", DEMO_FILES, ids=lambda p: p.name)
def test_no_direction_is_set_on_a_count_where_a_rise_can_be_good_news(path: Path) -> None:
    data = _data(path)
    for place, indicator in _indicators(data):
        assert indicator["measure"] not in RISE_CAN_BE_GOOD_NEWS, place


def test_the_hic_priority_uses_the_glossary_term() -> None:
    """docs/glossary.md: "High impact crimes (HIC)" as a heading, never "High Impact Crimes"."""
    data = _data(plan_file.DEMO_DIR / "gm0556.yaml")
    titles = {p["key"]: p["title"] for p in data["priorities"]}
    assert titles["hic"] == "High impact crimes (HIC)"
    for path in DEMO_FILES:
        assert "High Impact" not in path.read_text(encoding="utf-8")


@pytest.mark.django_db
def test_every_indicator_has_demo_figures_and_is_judged_when_the_plan_period_has_one(
    demo_figures: Any,  # noqa: F811 - the fixture imported above
) -> None:
    demo_services.load_plans()
    waiting: dict[str, set[str]] = {}
    judged = 0
    for plan in Plan.objects.select_related("organisation"):
        gemeente = plan.organisation.cbs_code
        for found in evaluate_plan(plan).by_indicator.values():
            key = found.indicator.key
            # A measure without any figure for the gemeente (a derived total whose parts are
            # not loaded, a survey held only for Nederland) could never be judged.
            assert found.measurements, f"{gemeente} {key}: no figures in the demo"
            in_period = [
                m
                for m in found.measurements
                if m.whole_year and plan.start_year <= m.year <= plan.end_year
            ]
            if in_period:
                assert found.computed.status != Status.NO_MEASUREMENT, (key, found.explanation)
                judged += 1
            else:
                waiting.setdefault(gemeente, set()).add(key)
    assert waiting == WAITING_FOR_NEW_FIGURES
    assert judged >= 7


@pytest.mark.django_db
def test_every_typed_over_baseline_is_the_demo_figure_of_that_period(
    demo_figures: Any,  # noqa: F811 - the fixture imported above
) -> None:
    demo_services.load_plans()
    checked = 0
    for indicator in Indicator.objects.select_related(
        "measure", "area", "goal__theme__priority__plan__organisation"
    ):
        if not indicator.baseline_period or indicator.baseline_value is None:
            continue
        organisation = indicator.goal.theme.priority.plan.organisation
        found = value_in_data(
            organisation, indicator.area, indicator.measure, indicator.baseline_period
        )
        assert found == indicator.baseline_value, (
            indicator.key,
            indicator.baseline_period,
            found,
        )
        checked += 1
    assert checked >= 10


@pytest.mark.django_db
def test_the_plan_pages_show_a_goal_under_every_theme(
    demo_figures: Any,  # noqa: F811 - the fixture imported above
    member: Callable[[Organisation, str], User],
    login: Callable[[User], Client],
) -> None:
    demo_services.load_plans()
    plans = list(Plan.objects.select_related("organisation"))
    assert {p.organisation.cbs_code for p in plans} == {"GM0556", "GM0482"}
    for plan in plans:
        assert not Theme.objects.filter(priority__plan=plan, goals__isnull=True).exists()
        client = login(member(plan.organisation, Role.RAADPLEGER))
        response = client.get(
            reverse(
                "policy:plan_detail", kwargs={"org": plan.organisation.slug, "plan_id": plan.pk}
            )
        )
        assert response.status_code == 200
        page = html.unescape(
            re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))
        )
        assert "Geen doelen onder dit thema" not in page
        assert "No goals under this theme" not in page
        for goal in Goal.objects.filter(theme__priority__plan=plan):
            assert goal.aim in page
        # Every indicator gets a status with an explanation, judged or not.
        evaluation = evaluate_plan(plan)
        assert (
            len(evaluation.by_indicator)
            == Indicator.objects.filter(goal__theme__priority__plan=plan).count()
        )
        for found in evaluation.by_indicator.values():
            assert found.explanation
