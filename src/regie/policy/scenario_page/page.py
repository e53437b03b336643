"""The whole scenario page of a plan (:func:`build`), and the sentence after a choice."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from regie.policy import costs
from regie.policy.models import BudgetLine, Plan, Scenario, StatedFigure, Theme
from regie.policy.scenario_page.budget import budget_outside, budget_rows
from regie.policy.scenario_page.calculator import calculate, calculator_form, council_choice
from regie.policy.scenario_page.comparison import comparison, default_start, themes
from regie.policy.scenario_page.forms import (
    _CAP_MODES,
    _WITH_CAPS,
    CAP_MODE,
    CAPS,
    START,
    CalculatorForm,
    ChooseForm,
    choose_form,
    theme_field,
)
from regie.policy.scenario_page.rows import BudgetRow, Calculation, Comparison


@dataclass(frozen=True)
class ScenarioPage:
    """Everything the scenario page shows besides the plan's own context (see :meth:`context`)."""

    plan: Plan
    themes: list[Theme]
    comparisons: list[Comparison]
    default_start: dt.date
    form: CalculatorForm
    calculation: Calculation | None  # None: no theme has scenarios
    fallback: bool  # the calculator's input was wrong: the council's choice is shown instead
    budget_lines: list[BudgetLine]
    budget_rows: list[BudgetRow]
    budget_totals: list[str]
    stated_figures: list[StatedFigure]
    successor: Plan | None

    def context(self) -> dict[str, Any]:
        """The template's context (``policy/scenarios.html``), name for name."""
        with_scenarios = [theme for theme in self.themes if theme.scenarios.all()]
        return {
            "themes": self.themes,
            "themes_without": [theme for theme in self.themes if not theme.scenarios.all()],
            "comparisons": self.comparisons,
            "default_start": self.default_start,
            "form": self.form,
            "theme_fields": [(theme, self.form[theme_field(theme)]) for theme in with_scenarios],
            "calculation": self.calculation,
            "fallback": self.fallback,
            "budget_lines": [(line, costs.euro(line.amount)) for line in self.budget_lines],
            "budget_rows": self.budget_rows,
            "budget_totals": self.budget_totals,
            "budget_outside": budget_outside(self.plan, self.budget_lines),
            "stated_figures": [
                (figure, costs.euro(figure.amount)) for figure in self.stated_figures
            ],
            "successor": self.successor,
        }


def build(
    plan: Plan,
    query: Mapping[str, Any],
    *,
    choose: tuple[Scenario, ChooseForm] | None = None,
) -> ScenarioPage:
    """The scenario page of ``plan`` for the calculator's GET values ``query``.

    ``choose`` is a scenario with its bound choose form that did not validate: shown with its
    errors in that scenario's column (every other column has an empty form). Bad calculator
    input keeps the form with its errors and calculates the council's choice (``fallback``).
    """
    all_themes = themes(plan)
    with_scenarios = [theme for theme in all_themes if theme.scenarios.all()]
    start = default_start(plan)
    comparisons = [comparison(theme, plan, start) for theme in with_scenarios]
    for item in comparisons:
        for column in item.columns:
            if choose is not None and choose[0].pk == column.scenario.pk:
                column.form = choose[1]
            else:
                column.form = choose_form(column.scenario, chosen=item.chosen)
    form, bound = calculator_form(query, with_scenarios, plan)
    calculation: Calculation | None = None
    fallback = False
    if with_scenarios:
        if bound and form.is_valid():
            cleaned = form.cleaned_data
            choice = {theme.pk: cleaned.get(theme_field(theme), "") for theme in with_scenarios}
            calculation = calculate(
                plan,
                with_scenarios,
                choice,
                start=cleaned.get(START) or start,
                caps=cleaned[CAPS] == _WITH_CAPS,
                cap_mode=_CAP_MODES[cleaned[CAP_MODE]],
            )
        else:
            fallback = bound
            calculation = calculate(
                plan,
                with_scenarios,
                council_choice(with_scenarios),
                start=start,
                caps=True,
                cap_mode="prorate",
            )
    budget_lines = list(BudgetLine.objects.filter(plan=plan).order_by("position", "label", "year"))
    rows, totals = budget_rows(plan, budget_lines)
    return ScenarioPage(
        plan=plan,
        themes=all_themes,
        comparisons=comparisons,
        default_start=start,
        form=form,
        calculation=calculation,
        fallback=fallback,
        budget_lines=budget_lines,
        budget_rows=rows,
        budget_totals=totals,
        stated_figures=list(plan.stated_figures.order_by("year", "label", "pk")),
        successor=Plan.objects.filter(predecessor=plan).first(),
    )


def choice_message(scenario: Scenario, decided_on: dt.date | None) -> str:
    """The sentence after choosing: which scenario is now the council's choice, and since when.

    ``decided_on`` is the date given with the choice, else the plan's decision date (if any).
    """
    text = _("Scenario %(letter)s “%(title)s” is now the council's choice for %(theme)s.") % {
        "letter": scenario.letter,
        "title": scenario.title,
        "theme": scenario.theme.title,
    }
    if decided_on is not None:
        text += " " + _("Council decision of %(date)s.") % {"date": date_format(decided_on)}
    return text
