"""Browser journey: an adviseur finds a measure by typing and enters a target the Dutch way.

The measure list narrows as words are typed in the filter box (script ``measure_picker.js``),
arrow down moves into the list, and a target typed as ``7,5`` is stored as 7.5; ``7.5`` is refused
with the input kept. The form is checked with axe-core.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from regie.accounts.models import Role
from regie.monitor.models import Measure, Unit
from regie.policy.models import Goal, Indicator, Plan, Priority, Theme
from tests.browser.conftest import A11yAudit, World
from tests.browser.test_journeys import log_in, make_user, url

pytestmark = pytest.mark.browser


def test_measure_picker_by_keyboard_and_a_dutch_target(
    page: Page, world: World, a11y: A11yAudit
) -> None:
    plan = Plan.objects.create(
        organisation=world.maassluis, title="IVP", start_year=2024, end_year=2027
    )
    priority = Priority.objects.create(plan=plan, key="p", title="Veilig wonen")
    theme = Theme.objects.create(priority=priority, key="t", title="Veiligheidsgevoel")
    goal = Goal.objects.create(theme=theme, key="g", aim="Een voldoende")
    grade = Measure.objects.create(
        code="local:cijfer_test",
        source="local",
        key="cijfer_test",
        name="Rapportcijfer veiligheid buurt",
        unit=Unit.GRADE,
    )
    Measure.objects.create(
        code="local:inbraak_test", source="local", key="inbraak_test", name="Woninginbraken"
    )
    log_in(page, make_user((world.maassluis, Role.ADVISEUR)))
    create = url("policy:item_create", org="gm0556", plan_id=plan.pk, kind="indicator")
    page.goto(f"{create}?onder={goal.pk}")
    a11y.check(page, "indicator form")

    # the filter box is labelled (Dutch after translation); found here by its id
    search = page.locator("#id_measure-filter")
    expect(page.locator("label[for=id_measure-filter]")).to_be_visible()
    search.fill("rapport buurt")
    listbox = page.locator("select[name=measure]")
    expect(listbox.locator("option:not([hidden])")).to_have_count(1)
    expect(page.locator("#id_measure-filter-status")).to_contain_text("1")
    search.press("ArrowDown")
    expect(listbox).to_be_focused()
    expect(listbox).to_have_value(str(grade.pk))

    page.get_by_label("Naam", exact=True).fill("Veiligheidsgevoel")
    page.get_by_label("Gebied").select_option(label="Maassluis (GM0556)")
    target = page.locator("#id_target_value")
    target.fill("7.5")
    page.get_by_role("button", name="Opslaan").click()
    expect(target).to_have_value("7.5")  # refused, kept as typed
    expect(page.locator("#id_target_value-error")).to_contain_text("1,5")
    assert not Indicator.objects.filter(goal=goal).exists()
    a11y.check(page, "indicator form with an error")

    target.fill("7,5")
    page.get_by_role("button", name="Opslaan").click()
    expect(page.locator("main h1")).to_contain_text("Veiligheidsgevoel")
    assert Indicator.objects.get(goal=goal).target_value == 7.5
    a11y.assert_clean()
