"""The scenario aggregate: a theme's scenarios A/B/C with their capacity lines, the plan's budget
lines and stated figures, and the council's choice of a scenario.

Scenarios, capacity lines, budget lines and stated figures are added, changed and deleted with
:func:`store_scenario_item` (the generic write of :mod:`.plans`) and :func:`.base.delete`; the
council's choice has its own write, :func:`choose_scenario`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from regie.core.concurrency import StaleEditError
from regie.policy.models import BudgetLine, CapacityLine, Scenario, StatedFigure, Theme
from regie.policy.services.base import ensure_editable
from regie.policy.services.plans import store_item

#: The items of the scenario aggregate.
ScenarioItem = Scenario | CapacityLine | BudgetLine | StatedFigure


def store_scenario_item(
    obj: ScenarioItem,
    fields: dict[str, Any],
    *,
    version: str | None = None,
    position: int | None = None,
) -> ScenarioItem:
    """Add or change a scenario, capacity line, budget line or stated figure of a concept plan."""
    store_item(obj, fields, version=version, position=position)
    return obj


def choice_version(theme: Theme) -> str:
    """The version of a theme's scenario choice: the chosen scenario (``0``: none yet)."""
    chosen = Scenario.objects.filter(theme=theme, chosen=True).values_list("pk", flat=True).first()
    return str(chosen or 0)


@transaction.atomic
def choose_scenario(*, scenario: Scenario, decided_on: dt.date | None, version: str) -> Scenario:
    """Record the council's choice of ``scenario`` for its theme (one choice per theme).

    ``version`` is the :func:`choice_version` of the theme the user saw: of two people recording
    different choices at once, the second is told (the theme's row is locked while checking).
    """
    theme = scenario.theme
    ensure_editable(theme)
    if not Theme.objects.select_for_update().filter(pk=theme.pk).exists():
        raise StaleEditError
    if not Scenario.objects.filter(pk=scenario.pk, theme=theme).exists():
        raise StaleEditError(_("This scenario has been deleted meanwhile."))
    if str(version).strip() != choice_version(theme):
        raise StaleEditError(
            _(
                "Someone else recorded a choice for this theme after you opened this page. Look "
                "at the scenarios again and then record the council's choice."
            )
        )
    for other in Scenario.objects.filter(theme=theme, chosen=True).exclude(pk=scenario.pk):
        other.chosen = False
        other.save(update_fields=["chosen"])  # one by one, so that the audit log sees it
    scenario.chosen = True
    scenario.save(update_fields=["chosen"])
    if decided_on is not None:
        plan = theme.priority.plan
        plan.decision_date = decided_on
        plan.save(update_fields=["decision_date", "updated_at"])
    return scenario
