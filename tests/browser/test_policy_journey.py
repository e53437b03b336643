"""Browser journey through the Beleid section on the demo plan of Alblasserdam.

An adviseur opens the plan from the menu, reads the tree with its status lights, opens the trust
indicator (chart with the trajectory, expected values per year), checks the scenario calculator,
adds a goal (first with an error, input kept), is stopped from deleting it after a colleague
changed it, records the council's adoption, makes a new version, changes it and reads the
differences. A raadpleger sees the same plan without any edit control. Every page is checked
with axe-core.
"""

from __future__ import annotations

import importlib
import re
from typing import Any

import pytest
from django.apps import apps as django_apps
from playwright.sync_api import Page, expect

from regie.accounts.models import Role
from regie.core.concurrency import edit_token
from regie.core.models import Organisation
from regie.demo import services as demo_services
from regie.policy import services
from regie.policy.models import Goal, Indicator, Plan
from tests.browser.conftest import A11yAudit
from tests.browser.test_journeys import log_in, make_user, path_is, url
from tests.browser.test_veiligheidsbeeld_journey import (
    demo,  # noqa: F401 - fixture
    expect_chart_rendered,
)

pytestmark = pytest.mark.browser


@pytest.fixture
def plan(demo: dict[str, Organisation]) -> Plan:  # noqa: F811 - the fixture imported above
    # live_server flushes the tables after each test, the KBV taxonomy of migration 0002 too.
    taxonomy = importlib.import_module("regie.policy.migrations.0002_kbv_taxonomy")
    taxonomy.load(django_apps, None)
    demo_services.load_plans()
    return Plan.objects.get(organisation=demo["gm0482"])


def test_adviseur_reads_changes_and_versions_the_plan(
    page: Page, plan: Plan, a11y: A11yAudit
) -> None:
    org = plan.organisation.slug
    log_in(page, make_user((plan.organisation, Role.ADVISEUR)))

    # The menu's "Beleid" opens the current plan in one click, as a tree with status lights;
    # the list of every plan and version is one link away.
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Beleid").click()
    expect(page).to_have_url(path_is("policy:plan_detail", org=org, plan_id=plan.pk))
    page.goto(url("policy:index", org=org))
    a11y.check(page, "beleid index")
    page.get_by_role("link", name=plan.title).click()
    expect(page).to_have_url(path_is("policy:plan_detail", org=org, plan_id=plan.pk))
    expect(page.locator(".regie-tree__priority").first).to_be_visible()
    lights = page.locator(".regie-tree .regie-status")
    assert lights.count() > 0
    a11y.check(page, "plan tree")

    # The trust indicator: the chart with its trajectory, 54% expected in 2024.
    trust = Indicator.objects.get(goal__theme__priority__plan=plan, target_kind="trajectory")
    trust_url = url("policy:indicator_detail", org=org, plan_id=plan.pk, indicator_id=trust.pk)
    page.locator(f"a[href='{trust_url}']").click()
    expect(page.locator("main h1")).to_have_text(trust.name)
    expect_chart_rendered(page)
    row = page.locator("table tbody tr", has=page.locator("th", has_text="2024"))
    expect(row.first).to_contain_text("54")
    a11y.check(page, "trust indicator")

    # The scenarios and the calculator: B/B from April with the cap gives € 183.000 in 2024.
    page.goto(url("policy:scenarios", org=org, plan_id=plan.pk))
    expect(page.locator("main")).to_contain_text("183.000")
    expect(page.locator("main")).to_contain_text("187.500")
    a11y.check(page, "scenarios")

    # Add a goal: an empty aim is refused, the key typed is kept; then it is saved.
    page.goto(url("policy:plan_detail", org=org, plan_id=plan.pk))
    theme_link = page.locator(".regie-tree__theme a[href*='/doel/nieuw/']").first
    theme_link.click()
    page.locator("#id_key").fill("eigen-doel")
    page.get_by_role("button", name=re.compile("Opslaan|Save")).click()
    expect(page.locator(".utrecht-alert--error")).to_be_visible()
    expect(page.locator("#id_key")).to_have_value("eigen-doel")
    a11y.check(page, "goal form with error")
    page.locator("#id_aim").fill("Meer inwoners kennen het meldpunt")
    page.get_by_role("button", name=re.compile("Opslaan|Save")).click()
    goal = Goal.objects.get(theme__priority__plan=plan, key="eigen-doel")
    expect(page).to_have_url(
        path_is("policy:goal_detail", org=org, plan_id=plan.pk, goal_id=goal.pk)
    )
    expect(page.locator("main h1")).to_have_text("Meer inwoners kennen het meldpunt")
    a11y.check(page, "goal page")

    # A delete confirmed after a colleague changed the goal deletes nothing and says why.
    page.goto(url("policy:item_delete", org=org, plan_id=plan.pk, kind="doel", item_id=goal.pk))
    services.save(goal, version=edit_token(goal), aim="Meer inwoners kennen het meldpunt!")
    page.get_by_role("button", name=re.compile("verwijderen|delete", re.I)).click()
    expect(page.locator(".utrecht-alert--error")).to_contain_text("Iemand anders")
    expect(page.locator("main")).to_contain_text("Meer inwoners kennen het meldpunt!")
    a11y.check(page, "stale delete")
    assert Goal.objects.filter(pk=goal.pk).exists()
    services.save(goal, version=edit_token(goal), aim="Meer inwoners kennen het meldpunt")

    # Adoption by the council freezes the plan.
    page.goto(url("policy:plan_adopt", org=org, plan_id=plan.pk))
    page.locator("#id_adopted_on").fill("12-03-2024")
    page.locator("#id_confirm").check()
    a11y.check(page, "adopt")
    page.get_by_role("button", name=re.compile("vaststelling|adoption", re.I)).click()
    expect(page).to_have_url(path_is("policy:plan_detail", org=org, plan_id=plan.pk))
    expect(page.locator(".regie-tree a[href*='/bewerken/']")).to_have_count(0)

    # A new version is a concept copy; a change there shows on the differences page.
    page.locator(f"a[href='{url('policy:plan_new_version', org=org, plan_id=plan.pk)}']").click()
    a11y.check(page, "new version")
    page.locator("main form button[type=submit]").click()
    copy = Plan.objects.get(predecessor=plan)
    expect(page).to_have_url(path_is("policy:plan_detail", org=org, plan_id=copy.pk))
    copied_goal = Goal.objects.get(theme__priority__plan=copy, key="eigen-doel")
    page.goto(
        url("policy:item_edit", org=org, plan_id=copy.pk, kind="doel", item_id=copied_goal.pk)
    )
    page.locator("#id_aim").fill("Iedereen kent het meldpunt")
    page.get_by_role("button", name=re.compile("Opslaan|Save")).click()
    page.goto(url("policy:plan_diff", org=org, plan_id=copy.pk))
    changes = page.locator(".regie-change")
    expect(changes).to_have_count(1)
    expect(changes.first).to_contain_text("Meer inwoners kennen het meldpunt")
    expect(changes.first).to_contain_text("Iedereen kent het meldpunt")
    a11y.check(page, "diff")
    a11y.assert_clean()


def test_raadpleger_reads_without_edit_controls(
    page: Page, plan: Plan, a11y: A11yAudit, live_server: Any
) -> None:
    org = plan.organisation.slug
    log_in(page, make_user((plan.organisation, Role.RAADPLEGER)))
    page.goto(url("policy:plan_detail", org=org, plan_id=plan.pk))
    expect(page.locator(".regie-tree__priority").first).to_be_visible()
    expect(page.locator("main a[href*='/bewerken/'], main a[href*='/nieuw/']")).to_have_count(0)
    page.goto(url("policy:scenarios", org=org, plan_id=plan.pk))
    expect(page.locator("main form[method=post]")).to_have_count(0)
    a11y.check(page, "scenarios read-only")
    a11y.assert_clean()
