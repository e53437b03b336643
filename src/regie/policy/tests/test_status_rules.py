"""Statuses computed from the monitor's figures: survey bounds, unofficial sources, the plan
period, the test named in the JSON and counts in the roll-up (DOMAIN §5).

A tiny area tree (GM0556), figures loaded through the import service, a plan built by hand.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from regie.accounts.models import Role
from regie.areas.models import Area
from regie.core.models import Organisation
from regie.monitor.models import Measure
from regie.monitor.tests.factories import load
from regie.policy import presentation
from regie.policy.engine import Status
from regie.policy.models import Goal, Indicator, Plan, Priority, Theme
from regie.policy.status import evaluate_indicators, evaluate_plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(areas: Any, maassluis: Organisation) -> Plan:
    plan = Plan.objects.create(organisation=maassluis, title="IVP", start_year=2023, end_year=2026)
    priority = Priority.objects.create(plan=plan, key="p", title="Veilig")
    theme = Theme.objects.create(priority=priority, key="t", title="Thema")
    Goal.objects.create(theme=theme, key="g", aim="Veiliger")
    return plan


def indicator(plan: Plan, key: str, code: str, **target: Any) -> Indicator:
    goal = Goal.objects.get(theme__priority__plan=plan)
    return Indicator.objects.create(
        goal=goal,
        key=key,
        name=key,
        measure=Measure.objects.get(code=code),
        area=Area.objects.get(code="GM0556"),
        **target,
    )


def _status(item: Indicator) -> Any:
    item = Indicator.objects.select_related(
        "measure", "area", "goal__theme__priority__plan__organisation"
    ).get(pk=item.pk)
    return evaluate_indicators([item])[item.pk]


# 3. Survey indicators can be "binnen de marge" with the Veiligheidsmonitor bounds ----------------


def test_a_survey_figure_within_its_published_bounds_is_within_the_margin(plan: Plan) -> None:
    load(
        ("GM0556", "vm:rapportcijfer_veiligheid_buurt", "2023", 7.2),
        ("GM0556", "vm:rapportcijfer_veiligheid_buurt.ondergrens", "2023", 7.0),
        ("GM0556", "vm:rapportcijfer_veiligheid_buurt.bovengrens", "2023", 7.4),
        table="VM",
    )
    item = indicator(
        plan,
        "cijfer",
        "vm:rapportcijfer_veiligheid_buurt",
        target_kind="at_least",
        target_value=7.3,
    )
    found = _status(item)
    assert found.status == Status.WITHIN_MARGIN
    assert found.computed.margin == (7.0, 7.4)
    data = found.as_dict()
    assert data["margin"] == [7.0, 7.4]
    assert data["test"]["method"] == "source_margin"
    assert data["test"]["sides"] == "two-sided"
    assert data["official_statistics"] is True


# 2. A count threshold has no Poisson excuse; the plan period counts ------------------------------


def test_a_count_threshold_is_not_excused_and_only_plan_years_count(plan: Plan) -> None:
    load(
        ("GM0556", "politie:1.1.1", "2022", 40),
        ("GM0556", "politie:1.1.1", "2024", 55),
        table="POL",
    )
    item = indicator(plan, "inbraak", "politie:1.1.1", target_kind="at_most", target_value=50)
    found = _status(item)
    assert found.status == Status.NOT_ACHIEVED  # was "binnen marge" on the Poisson interval
    assert found.computed.margin is None
    assert found.computed.measurement.period == "2024"
    data = found.as_dict()
    assert data["test"] is None


def test_a_direction_target_names_its_test_in_the_json(plan: Plan) -> None:
    load(
        ("GM0556", "politie:1.1.1", "2023", 100),
        ("GM0556", "politie:1.1.1", "2025", 126),
        table="POL",
    )
    item = indicator(
        plan,
        "inbraak",
        "politie:1.1.1",
        target_kind="not_up",
        baseline_period="2023",
        baseline_value=100,
    )
    with translation.override("en"):
        data = _status(item).as_dict()
    assert data["status"] == "not_achieved"  # beyond chance one-sided; two-sided it was not
    assert data["test"]["method"] == "exact_conditional_binomial"
    assert data["test"]["name"] == "exact conditional (binomial) test, one-sided, 5%"
    assert data["test"]["sides"] == "one-sided"
    assert data["test"]["level"] == 0.05
    assert data["test"]["p_value"] < 0.05
    assert "exact conditional (binomial) test, one-sided, 5%" in data["explanation"]


# 4. Misdaad in kaart figures say they are not official statistics -----------------------------


def test_misdaad_in_kaart_drives_a_status_and_says_so(
    plan: Plan, member: Callable[..., Any], login: Callable[..., Client]
) -> None:
    load(
        ("GM0556", "local:mik_woninginbraak", "2024", 30),
        ("GM0556", "local:mik_woninginbraak", "2025", 23),
        table="MIK",
    )
    item = indicator(
        plan,
        "mik",
        "local:mik_woninginbraak",
        target_kind="not_up",
        baseline_period="2024",
        baseline_value=30,
    )
    with translation.override("en"):
        found = _status(item)
    assert found.status == Status.ACHIEVED
    assert "Misdaad in kaart figures are not official statistics." in found.explanation
    assert found.as_dict()["official_statistics"] is False
    client = login(member(plan.organisation, Role.ADVISEUR))
    url = reverse(
        "policy:indicator_detail",
        kwargs={"org": plan.organisation.slug, "plan_id": plan.pk, "indicator_id": item.pk},
    )
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "data-unofficial" in page
    assert "not official statistics" in page or "geen officiële statistiek" in page


# 1. The indicator page shows figures rounded half up, targets as written ------------------------


def test_year_rows_show_half_up_and_the_target_as_written(plan: Plan) -> None:
    load(("GM0556", "vm:rapportcijfer_veiligheid_buurt", "2023", 7.25), table="VM")
    item = indicator(
        plan,
        "cijfer",
        "vm:rapportcijfer_veiligheid_buurt",
        target_kind="at_least",
        target_value=7.3,
        decimals=0,
    )
    found = _status(item)
    assert found.status == Status.NOT_ACHIEVED
    assert found.series is not None
    with translation.override("nl"):
        rows = presentation.year_rows(found, found.series, plan.years)
        row = next(r for r in rows if r.year == 2023)
        assert row.target_text == "7,3"  # not "7"
        assert row.value_text == "7,25"  # not "7": it differs from the target
        assert "7,3" in presentation.describe_target(item)


# 6. The roll-up gives counts per status and how many could not be judged --------------------


def test_the_roll_up_counts_every_status_and_the_unjudged(plan: Plan) -> None:
    load(
        ("GM0556", "politie:1.1.1", "2024", 40),
        ("GM0556", "politie:1.4.6", "2024", 60),
        table="POL",
    )
    indicator(plan, "a", "politie:1.1.1", target_kind="at_most", target_value=50)
    indicator(plan, "b", "politie:1.4.6", target_kind="at_most", target_value=50)
    indicator(plan, "c", "politie:1.4.7", target_kind="at_most", target_value=5)
    with translation.override("en"):
        data = evaluate_plan(plan).as_dict()
    assert data["status"] == "not_achieved"
    assert data["counts"] == {
        "achieved": 1,
        "within_margin": 0,
        "at_risk": 0,
        "not_achieved": 1,
        "no_measurement": 1,
    }
    assert data["not_judged"] == 1
    assert "achieved / on track: 1" in data["explanation"]
    assert "not achieved: 1" in data["explanation"]
    assert "1 of 3 indicators could not be judged" in data["explanation"]
    goal = data["priorities"][0]["children"][0]["children"][0]
    assert goal["counts"] == data["counts"]
    assert "1 of 3 indicators could not be judged" in goal["explanation"]


def test_a_survey_direction_weighs_the_published_bounds_of_both_years(plan: Plan) -> None:
    # 20 (18–22) in 2023 → 21.9 (19.9–23.9) in 2025: with both margins z ≈ 1.32 (within
    # chance); with the new year's margin alone it would be z ≈ 1.86 (beyond, one-sided 5%).
    load(
        ("GM0556", "vm:onveilig_buurt_pct", "2023", 20.0),
        ("GM0556", "vm:onveilig_buurt_pct.ondergrens", "2023", 18.0),
        ("GM0556", "vm:onveilig_buurt_pct.bovengrens", "2023", 22.0),
        ("GM0556", "vm:onveilig_buurt_pct", "2025", 21.9),
        ("GM0556", "vm:onveilig_buurt_pct.ondergrens", "2025", 19.9),
        ("GM0556", "vm:onveilig_buurt_pct.bovengrens", "2025", 23.9),
        table="VM",
    )
    item = indicator(
        plan,
        "onveilig",
        "vm:onveilig_buurt_pct",
        target_kind="not_up",
        baseline_period="2023",
        baseline_value=20.0,
    )
    with translation.override("en"):
        found = _status(item)
    assert found.status == Status.WITHIN_MARGIN
    assert found.computed.test is not None
    assert found.computed.test.method == "survey_margins_normal"
    assert "+1.9 percentage points" in found.explanation
