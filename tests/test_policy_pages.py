"""The Beleid pages through HTTP: the plan tree, goal and indicator pages, editing and versions."""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from regie.accounts.models import Role, User
from regie.core.concurrency import edit_token
from regie.core.models import AuditEntry, Organisation
from regie.demo import services as demo_services
from regie.monitor.models import Measure
from regie.monitor.tests.factories import load
from regie.policy import plan_file, services
from regie.policy.engine import Status, status_label
from regie.policy.models import Goal, Indicator, Plan, Priority, StatusOverride, Theme
from regie.policy.presentation import describe_target
from regie.policy.status import evaluate_plan
from tests.test_monitor_cli import demo_figures  # noqa: F401 - the module fixture

pytestmark = pytest.mark.django_db


@pytest.fixture
def plans(demo_figures: Any) -> dict[str, Plan]:  # noqa: F811 - the fixture imported above
    demo_services.load_plans()
    return {p.organisation.slug: p for p in Plan.objects.select_related("organisation")}


@pytest.fixture
def as_role(
    plans: dict[str, Plan], member: Callable[[Organisation, str], User], login: Any
) -> Callable[[str, str], Client]:
    def make(role: str, slug: str = "gm0556") -> Client:
        return login(member(plans[slug].organisation, role))  # type: ignore[no-any-return]

    return make


def url(name: str, plan: Plan, **kwargs: Any) -> str:
    return reverse(name, kwargs={"org": plan.organisation.slug, "plan_id": plan.pk, **kwargs})


def text(response: Any) -> str:
    """The page's visible text, whitespace collapsed (for phrases that span tags)."""
    body = response.content.decode()
    body = re.sub(r"<script.*?</script>", " ", body, flags=re.S)
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)))


def test_the_plan_tree_shows_every_status_with_its_explanation(
    plans: dict[str, Plan], as_role: Callable[..., Client]
) -> None:
    plan = plans["gm0556"]
    response = as_role(Role.RAADPLEGER).get(url("policy:plan_detail", plan))
    assert response.status_code == 200
    page = text(response)
    evaluation = evaluate_plan(plan)
    assert evaluation.by_indicator
    body = response.content.decode()
    for found in evaluation.by_indicator.values():
        # The indicator's own row holds its status and its explanation.
        row = body.split(f'id="indicator-{found.indicator.pk}"', 1)[1].split("</tr>", 1)[0]
        row = html.unescape(row)
        assert found.indicator.name in row
        assert status_label(found.status) in row
        assert found.explanation in row
    for priority in evaluation.priorities:
        assert priority.title in page
        assert priority.explanation in page
    # A raadpleger reads only: no edit or add links.
    assert "bewerken" not in response.content.decode()
    assert "/nieuw/" not in response.content.decode()


def test_an_adviseur_sees_edit_links_on_a_concept_plan(
    plans: dict[str, Plan], as_role: Callable[..., Client]
) -> None:
    plan = plans["gm0556"]
    body = as_role(Role.ADVISEUR).get(url("policy:plan_detail", plan)).content.decode()
    priority = plan.priorities.first()
    assert priority is not None
    assert url("policy:item_edit", plan, kind="prioriteit", item_id=priority.pk) in body
    assert url("policy:plan_adopt", plan) in body


def test_the_trust_indicator_page_shows_the_trajectory_and_a_status(
    plans: dict[str, Plan], as_role: Callable[..., Client]
) -> None:
    plan = plans["gm0482"]
    indicator = Indicator.objects.get(
        goal__theme__priority__plan=plan, measure__code="local:vertrouwen_in_lokale_overheid_pct"
    )
    load(
        ("GM0482", indicator.measure.code, "2024", 52.0),
        table="TRUST",
        organisation=plan.organisation,
    )
    response = as_role(Role.RAADPLEGER, "gm0482").get(
        url("policy:indicator_detail", plan, indicator_id=indicator.pk)
    )
    assert response.status_code == 200
    page = text(response)
    # The table per year: 2024 expects 54 on the way from 50 (2022) to 58 (2026).
    row_2024 = re.search(r" 2024 \((?:plan year|planjaar)\)(.*?) 2025 ", page)
    assert row_2024 is not None, page
    assert "52" in row_2024.group(1)
    assert "54" in row_2024.group(1)
    found = evaluate_plan(plan).by_indicator[indicator.pk]
    assert found.computed.measurement is not None
    assert found.computed.measurement.period == "2024"
    assert found.explanation in page
    assert status_label(found.status) in page
    # The chart carries the target as its own column (the dashed line), with its source.
    assert 'id="chart-indicator-' in response.content.decode()
    assert "TRUST" in page


def test_the_indicator_chart_downloads_the_same_figures(
    plans: dict[str, Plan], as_role: Callable[..., Client]
) -> None:
    plan = plans["gm0482"]
    indicator = Indicator.objects.get(goal__theme__priority__plan=plan, target_kind="trajectory")
    page = url("policy:indicator_detail", plan, indicator_id=indicator.pk)
    response = as_role(Role.ADVISEUR, "gm0482").get(
        page, {"download": f"indicator-{indicator.pk}", "format": "csv"}
    )
    assert response.status_code == 200
    csv = response.content.decode("utf-8-sig")
    assert "2024" in csv
    assert "54" in csv


def test_goal_page_lists_indicators_with_status_and_target(
    plans: dict[str, Plan], as_role: Callable[..., Client]
) -> None:
    plan = plans["gm0556"]
    goal = Goal.objects.filter(theme__priority__plan=plan, indicators__isnull=False).first()
    assert goal is not None
    response = as_role(Role.RAADPLEGER).get(url("policy:goal_detail", plan, goal_id=goal.pk))
    assert response.status_code == 200
    page = text(response)
    node = evaluate_plan(plan)
    for found in node.by_indicator.values():
        if found.indicator.goal_id != goal.pk:
            continue
        assert found.indicator.name in page
        assert describe_target(found.indicator) in page
        assert found.explanation in page


def _form_data(response: Any) -> dict[str, Any]:
    """The initial values of the form on a page, as a browser would post them back."""
    form = response.context["form"]
    data: dict[str, Any] = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if value is None:
            continue
        if isinstance(value, list):
            data[name] = [getattr(v, "pk", v) for v in value]
        elif hasattr(field, "queryset") and hasattr(value, "pk"):
            data[name] = value.pk
        else:
            data[name] = value
    return data


def test_an_adviseur_builds_a_plan_in_the_browser(
    plans: dict[str, Plan], as_role: Callable[..., Client]
) -> None:
    client = as_role(Role.ADVISEUR)
    organisation = plans["gm0556"].organisation
    response = client.post(
        reverse("policy:plan_create", kwargs={"org": organisation.slug}),
        {"title": "IVB 2028–2031", "start_year": 2028, "end_year": 2031},
    )
    plan = Plan.objects.get(title="IVB 2028–2031")
    assert response.status_code == 302
    response = client.post(
        url("policy:item_create", plan, kind="prioriteit"),
        {"title": "Veilige wijken", "kind": "prioriteit"},
    )
    priority = Priority.objects.get(plan=plan)
    assert priority.key == "veilige-wijken"
    client.post(
        url("policy:item_create", plan, kind="thema") + f"?onder={priority.pk}",
        {"title": "Woninginbraak"},
    )
    theme = Theme.objects.get(priority=priority)
    client.post(
        url("policy:item_create", plan, kind="doel") + f"?onder={theme.pk}",
        {"aim": "Minder woninginbraken"},
    )
    goal = Goal.objects.get(theme=theme)
    measure_id = Measure.objects.get(code="cbs:T001161").pk
    area_id = Indicator.objects.filter(area__code="GM0556").values_list("area_id", flat=True)[0]
    create = url("policy:item_create", plan, kind="indicator") + f"?onder={goal.pk}"
    # The baseline is read from the figures when its value is left empty.
    response = client.post(
        create,
        {
            "name": "Misdrijven",
            "measure": measure_id,
            "area": area_id,
            "target_kind": "not_up",
            "baseline_period": "2022",
            "decimals": 0,
        },
    )
    indicator = Indicator.objects.get(goal=goal)
    assert indicator.baseline_value == 1245
    assert response["Location"] == url("policy:indicator_detail", plan, indicator_id=indicator.pk)
    found = evaluate_plan(plan).by_indicator[indicator.pk]
    assert found.explanation


def test_a_wrong_indicator_keeps_the_input_and_says_what_is_missing(
    plans: dict[str, Plan], as_role: Callable[..., Client]
) -> None:
    plan = plans["gm0556"]
    goal = Goal.objects.filter(theme__priority__plan=plan).first()
    assert goal is not None
    measure_id = Indicator.objects.values_list("measure_id", flat=True)[0]
    area_id = Indicator.objects.filter(area__code="GM0556").values_list("area_id", flat=True)[0]
    before = Indicator.objects.count()
    response = as_role(Role.ADVISEUR).post(
        url("policy:item_create", plan, kind="indicator") + f"?onder={goal.pk}",
        {
            "name": "Vertrouwen",
            "measure": measure_id,
            "area": area_id,
            "target_kind": "trajectory",
            "start_year": 2022,
            "start_value": 50,
            "end_value": 58,
            "decimals": 0,
        },
    )
    assert response.status_code == 200
    assert Indicator.objects.count() == before
    form = response.context["form"]
    assert "end_year" in form.errors
    body = response.content.decode()
    assert 'value="Vertrouwen"' in body
    assert 'value="58"' in body
    # A baseline period without a figure in the data asks for the value.
    response = as_role(Role.ADVISEUR).post(
        url("policy:item_create", plan, kind="indicator") + f"?onder={goal.pk}",
        {
            "name": "Misdrijven",
            "measure": measure_id,
            "area": area_id,
            "target_kind": "not_up",
            "baseline_period": "1999",
            "decimals": 0,
        },
    )
    assert "baseline_value" in response.context["form"].errors
    assert Indicator.objects.count() == before


def test_a_stale_edit_is_refused_and_the_input_kept(
    plans: dict[str, Plan], as_role: Callable[..., Client]
) -> None:
    plan = plans["gm0556"]
    priority = plan.priorities.first()
    assert priority is not None
    client = as_role(Role.ADVISEUR)
    edit = url("policy:item_edit", plan, kind="prioriteit", item_id=priority.pk)
    data = _form_data(client.get(edit))
    services.save(priority, version=edit_token(priority), title="Door een collega gewijzigd")
    data["title"] = "Mijn titel"
    response = client.post(edit, data)
    assert response.status_code == 200
    assert "stale" in [e.code for e in response.context["form"].non_field_errors().as_data()]
    assert 'value="Mijn titel"' in response.content.decode()
    priority.refresh_from_db()
    assert priority.title == "Door een collega gewijzigd"


def test_deleting_asks_first_and_names_what_goes_with_it(
    plans: dict[str, Plan], as_role: Callable[..., Client]
) -> None:
    plan = plans["gm0556"]
    theme = Theme.objects.filter(priority__plan=plan, goals__indicators__isnull=False).first()
    assert theme is not None
    client = as_role(Role.ADVISEUR)
    delete = url("policy:item_delete", plan, kind="thema", item_id=theme.pk)
    page = text(client.get(delete))
    assert theme.title in page
    indicators = Indicator.objects.filter(goal__theme=theme).count()
    assert indicators
    goals = Goal.objects.filter(theme=theme).count()
    assert f"{goals} doel" in page
    assert f"{indicators} indicator" in page
    assert Theme.objects.filter(pk=theme.pk).exists()
    assert client.post(delete, _form_data(client.get(delete))).status_code == 302
    assert not Theme.objects.filter(pk=theme.pk).exists()
    assert AuditEntry.objects.filter(object_type__icontains="theme", action="delete").exists()


def test_a_raadpleger_cannot_edit(plans: dict[str, Plan], as_role: Callable[..., Client]) -> None:
    plan = plans["gm0556"]
    priority = plan.priorities.first()
    assert priority is not None
    client = as_role(Role.RAADPLEGER)
    for target in (
        url("policy:plan_edit", plan),
        url("policy:item_edit", plan, kind="prioriteit", item_id=priority.pk),
        url("policy:item_delete", plan, kind="prioriteit", item_id=priority.pk),
        url("policy:plan_adopt", plan),
    ):
        assert client.get(target).status_code == 403
        assert client.post(target, {"title": "x"}).status_code == 403
    assert client.post(url("policy:snapshot_take", plan), {"label": "2024H2"}).status_code == 403
    assert not plan.snapshots.exists()
    priority.refresh_from_db()
    assert priority.title != "x"


def test_adopting_freezes_and_a_new_version_lists_its_changes(
    plans: dict[str, Plan], as_role: Callable[..., Client]
) -> None:
    plan = plans["gm0556"]
    client = as_role(Role.ADVISEUR)
    # A concept is changed directly: its "new version" page says so and offers no button.
    concept = client.get(url("policy:plan_new_version", plan)).content.decode()
    assert "De nieuwe versie maken" not in concept
    assert "nog een concept" in concept
    future = (dt.date.today() + dt.timedelta(days=3)).isoformat()
    response = client.post(url("policy:plan_adopt", plan), {"adopted_on": future, "confirm": "on"})
    assert "adopted_on" in response.context["form"].errors
    adopt = {"adopted_on": "2023-03-01", "confirm": "on", "edit_token": edit_token(plan)}
    client.post(url("policy:plan_adopt", plan), adopt)
    plan.refresh_from_db()
    assert plan.is_frozen
    priority = plan.priorities.first()
    assert priority is not None
    response = client.post(
        url("policy:item_edit", plan, kind="prioriteit", item_id=priority.pk), {"title": "x"}
    )
    assert response.status_code == 302
    priority.refresh_from_db()
    assert priority.title != "x"
    # The override still works on an adopted plan: it judges figures, not the plan.
    indicator = Indicator.objects.filter(goal__theme__priority__plan=plan).first()
    assert indicator is not None
    client.post(
        url("policy:indicator_override", plan, indicator_id=indicator.pk),
        {"status": Status.AT_RISK.value, "reason": "Registratiewijziging politie", "edit_token": 0},
    )
    assert StatusOverride.objects.filter(indicator=indicator, status="at_risk").exists()
    # A new version: an editable copy, then the diff page shows the change.
    new_version = url("policy:plan_new_version", plan)
    response = client.post(new_version, _form_data(client.get(new_version)))
    copy = Plan.objects.get(predecessor=plan)
    assert response["Location"] == url("policy:plan_detail", copy)
    copied = copy.priorities.get(key=priority.key)
    edit = url("policy:item_edit", copy, kind="prioriteit", item_id=copied.pk)
    data = _form_data(client.get(edit))
    data["title"] = "Veilige buurten voor iedereen"
    assert client.post(edit, data).status_code == 302
    page = text(client.get(url("policy:plan_diff", copy)))
    assert priority.title in page
    assert "Veilige buurten voor iedereen" in page
    # Only one successor per version.
    response = client.post(new_version, {"edit_token": edit_token(Plan.objects.get(pk=plan.pk))})
    assert "Dit plan heeft al een nieuwere versie." in text(response)
    assert Plan.objects.filter(predecessor=plan).count() == 1


def test_override_needs_a_reason(plans: dict[str, Plan], as_role: Callable[..., Client]) -> None:
    plan = plans["gm0556"]
    indicator = Indicator.objects.filter(goal__theme__priority__plan=plan).first()
    assert indicator is not None
    response = as_role(Role.ADVISEUR).post(
        url("policy:indicator_override", plan, indicator_id=indicator.pk),
        {"status": Status.ACHIEVED.value, "reason": ""},
    )
    assert response.status_code == 200
    assert "reason" in response.context["form"].errors
    assert not StatusOverride.objects.filter(indicator=indicator).exists()


def test_a_snapshot_is_kept_once_per_reporting_moment(
    plans: dict[str, Plan], as_role: Callable[..., Client]
) -> None:
    plan = plans["gm0556"]
    client = as_role(Role.ADVISEUR)
    response = client.post(url("policy:snapshot_take", plan), {"label": "2024H2"})
    snapshot = plan.snapshots.get()
    assert response["Location"] == url("policy:snapshot_detail", plan, snapshot_id=snapshot.pk)
    page = text(client.get(response["Location"]))
    assert snapshot.payload["explanation"] in page
    response = client.post(url("policy:snapshot_take", plan), {"label": "2024H2"})
    assert "label" in response.context["form"].errors
    assert plan.snapshots.count() == 1


def test_the_plan_file_downloads_and_reads_back(
    plans: dict[str, Plan], as_role: Callable[..., Client]
) -> None:
    plan = plans["gm0556"]
    client = as_role(Role.ADVISEUR)
    response = client.get(url("policy:plan_export", plan))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    body = response.content
    assert body.decode() == plan_file.export_yaml(plan)
    importer = reverse("policy:plan_import", kwargs={"org": plan.organisation.slug})
    before = Plan.objects.count()
    response = client.post(importer, {"file": SimpleUploadedFile("plan.yaml", body)})
    assert response.status_code == 302
    assert Plan.objects.count() == before + 1


def test_a_wrong_plan_file_stores_nothing_and_says_where(
    plans: dict[str, Plan], as_role: Callable[..., Client]
) -> None:
    client = as_role(Role.ADVISEUR)
    importer = reverse("policy:plan_import", kwargs={"org": "gm0556"})
    before = (Plan.objects.count(), Indicator.objects.count())
    broken = plan_file.export_yaml(plans["gm0556"]).replace("kind: not_up", "kind: sideways", 1)
    response = client.post(importer, {"file": SimpleUploadedFile("plan.yaml", broken.encode())})
    assert response.status_code == 200
    assert response.context["problems"]
    assert any("priorities[" in p for p in response.context["problems"])
    assert (Plan.objects.count(), Indicator.objects.count()) == before
    # Another gemeente's plan file is refused too.
    other = plan_file.export_yaml(plans["gm0482"]).encode()
    response = client.post(importer, {"file": SimpleUploadedFile("plan.yaml", other)})
    assert response.context["problems"]
    assert Plan.objects.count() == before[0]


def test_another_gemeentes_plan_is_not_found(
    plans: dict[str, Plan], as_role: Callable[..., Client]
) -> None:
    own, other = plans["gm0556"], plans["gm0482"]
    client = as_role(Role.BEHEERDER)
    indicator = Indicator.objects.filter(goal__theme__priority__plan=other).first()
    priority = other.priorities.first()
    assert indicator is not None
    assert priority is not None
    for name, kwargs in (
        ("policy:plan_detail", {}),
        ("policy:indicator_detail", {"indicator_id": indicator.pk}),
        ("policy:item_edit", {"kind": "prioriteit", "item_id": priority.pk}),
    ):
        # Own slug with the other plan's id, and the other gemeente's slug.
        mixed = reverse(name, kwargs={"org": own.organisation.slug, "plan_id": other.pk, **kwargs})
        assert client.get(mixed).status_code == 404
        assert client.get(url(name, other, **kwargs)).status_code == 404
    # An item of another plan under an own plan id.
    mixed = url("policy:item_edit", own, kind="prioriteit", item_id=priority.pk)
    assert client.get(mixed).status_code == 404


def test_ids_in_links_are_not_formatted_as_numbers(
    plans: dict[str, Plan], as_role: Callable[..., Client]
) -> None:
    """Dutch number formatting would turn id 12345 into “12.345” in a link or an anchor."""
    plan = plans["gm0556"]
    Priority.objects.create(pk=12345, plan=plan, key="groot-id", title="Groot id")
    body = as_role(Role.ADVISEUR).get(url("policy:plan_detail", plan)).content.decode()
    assert 'id="prioriteit-12345"' in body
    assert "?onder=12345" in body
    assert "12.345" not in body
