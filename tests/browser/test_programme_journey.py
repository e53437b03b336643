"""Browser journey through the uitvoeringsprogramma on the demo plan of Alblasserdam.

An adviseur starts a programme for 2024, adds an action tied to a goal (first with an error,
input kept; then with a Dutch amount), reports its progress and records the college's adoption;
the programme page shows effort and effect side by side. Every page is checked with axe-core at
1366 px and at 390 px (a phone), and must not scroll sideways.
"""

from __future__ import annotations

import importlib
import re
from decimal import Decimal

import pytest
from django.apps import apps as django_apps
from playwright.sync_api import Locator, Page, expect

from regie.accounts.models import Role
from regie.core.models import Organisation
from regie.demo import services as demo_services
from regie.policy.models import Goal, Plan
from regie.programme.models import Action, ActionStatus, Programme
from tests.browser.conftest import A11yAudit, side_scroll
from tests.browser.test_journeys import log_in, make_user, path_is, url
from tests.browser.test_veiligheidsbeeld_journey import demo  # noqa: F401 - fixture

pytestmark = pytest.mark.browser

WIDTHS = (1366, 390)


@pytest.fixture
def plan(demo: dict[str, Organisation]) -> Plan:  # noqa: F811 - the fixture imported above
    # live_server flushes the tables after each test, the KBV taxonomy of migration 0002 too.
    taxonomy = importlib.import_module("regie.policy.migrations.0002_kbv_taxonomy")
    taxonomy.load(django_apps, None)
    demo_services.load_plans()
    plan = Plan.objects.get(organisation=demo["gm0482"])
    Programme.objects.filter(plan=plan).delete()  # the demo may bring its own programmes
    return plan


def link(page: Page, name: str, **kwargs: object) -> Locator:
    """The link in the page's main content to the page ``name``."""
    return page.locator(f"main a[href='{url(name, **kwargs)}']")


def check(page: Page, a11y: A11yAudit, name: str) -> None:
    """axe-core and no sideways scrolling, at every width."""
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        a11y.check(page, f"{name} @{width}")
        assert side_scroll(page) is None, side_scroll(page)
    page.set_viewport_size({"width": WIDTHS[0], "height": 900})


def test_adviseur_builds_reports_and_adopts_a_programme(
    page: Page, plan: Plan, a11y: A11yAudit
) -> None:
    org = plan.organisation.slug
    log_in(page, make_user((plan.organisation, Role.ADVISEUR)))

    # The empty list says what to do and offers the new programme.
    page.goto(url("programme:index", org=org))
    check(page, a11y, "programme index (empty)")
    link(page, "programme:programme_create", org=org).click()
    check(page, a11y, "new programme")
    page.locator("#id_period").fill("2024")
    page.locator("#id_title").fill("Uitvoeringsprogramma Integrale Veiligheid 2024")
    page.locator("main form button[type=submit]").click()
    programme = Programme.objects.get(plan=plan, period="2024")
    ids = {"org": org, "programme_id": programme.pk}
    detail = path_is("programme:programme_detail", **ids)
    expect(page).to_have_url(detail)
    expect(page.locator("main h1")).to_have_text(programme.title)
    check(page, a11y, "programme (concept, no actions)")

    # A new action: a missing owner and an unclear amount are refused, the input kept.
    goal = Goal.objects.filter(theme__priority__plan=plan, indicators__isnull=False).first()
    assert goal is not None
    link(page, "programme:action_create", **ids).click()
    page.locator("#id_title").fill("Buurtpreventie uitbreiden")
    page.locator(f"input[name=goals][value='{goal.pk}']").check()
    page.locator("input[name=quarters][value='1']").check()
    page.locator("input[name=quarters][value='2']").check()
    page.locator("#id_budget").fill("12.000.5")
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".utrecht-alert--error")).to_be_visible()
    expect(page.locator("#id_title")).to_have_value("Buurtpreventie uitbreiden")
    expect(page.locator("#id_budget")).to_have_value("12.000.5")
    expect(page.locator(f"input[name=goals][value='{goal.pk}']")).to_be_checked()
    check(page, a11y, "action form with errors")
    page.locator("#id_owner").fill("Team OOV")
    page.locator("#id_budget").fill("12.000,50")
    page.locator("main form button[type=submit]").click()
    action = Action.objects.get(programme=programme)
    expect(page).to_have_url(path_is("programme:action_detail", action_id=action.pk, **ids))
    assert action.budget == Decimal("12000.50")
    assert list(action.goals.all()) == [goal]
    expect(page.locator("main")).to_contain_text("€ 12.000,50")
    check(page, a11y, "action page")

    # Progress at a reporting moment: the note is kept, the status follows it.
    link(page, "programme:action_progress", action_id=action.pk, **ids).click()
    page.locator("#id_moment").fill("2024H1")
    page.locator("#id_status").select_option(ActionStatus.RUNNING.value)
    page.locator("#id_spent").fill("4.000")
    page.locator("#id_text").fill("Twee nieuwe buurtpreventiegroepen gestart.")
    check(page, a11y, "progress form")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("main")).to_contain_text("Twee nieuwe buurtpreventiegroepen gestart.")
    action.refresh_from_db()
    assert action.status == ActionStatus.RUNNING
    assert action.spent == Decimal("4000")

    # The programme page: per goal the effort and, in its own column, the effect.
    page.goto(url("programme:programme_detail", **ids))
    goal_block = page.locator(f"#doel-{goal.pk}")
    expect(goal_block.locator("[data-kind=effort]")).to_contain_text(
        re.compile("Volgens planning|On schedule")
    )
    expect(goal_block.locator("[data-kind=effect] .regie-status")).to_have_count(1)
    expect(goal_block.locator("[data-kind=effort] .regie-status")).to_have_count(0)
    expect(page.locator(f"#doel-{goal.pk}-acties")).to_contain_text("Buurtpreventie uitbreiden")
    check(page, a11y, "programme with an action")

    # Adoption by the college on a date, after a confirmation.
    link(page, "programme:programme_adopt", **ids).click()
    page.locator("#id_adopted_on").fill("12-03-2024")
    page.locator("#id_confirm").check()
    check(page, a11y, "adopt")
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(detail)
    programme.refresh_from_db()
    assert programme.is_frozen
    expect(page.locator("main")).to_contain_text("12-03-2024")
    expect(link(page, "programme:action_create", **ids)).to_have_count(0)

    # The evaluation page of the adopted programme.
    page.goto(url("programme:evaluation", **ids))
    expect(page.locator("main")).to_contain_text("Buurtpreventie uitbreiden")
    check(page, a11y, "evaluation")
    a11y.assert_clean()
