"""What the scenario page of a plan shows: scenarios A/B/C per theme side by side, the calculator.

No HTTP here: :func:`build` takes the plan and the GET values of the calculator (a ``QueryDict`` or
a plain dict) and returns a :class:`ScenarioPage`, whose :meth:`ScenarioPage.context` is the
template's context; :mod:`regie.policy.scenario_views` renders it. The arithmetic is
:mod:`regie.policy.costs` (the same as ``regie scenario-costs``, through
:mod:`regie.policy.selectors`); the modules of this package turn model rows into calculator input
and calculator output into rows of Dutch-formatted text. The calculator changes nothing stored:
choosing other letters, another start date or no caps is a GET form.

Modules: :mod:`~regie.policy.scenario_page.forms` (the choose form and the calculator form),
:mod:`~regie.policy.scenario_page.rows` (what is shown),
:mod:`~regie.policy.scenario_page.comparison`, :mod:`~regie.policy.scenario_page.calculator`,
:mod:`~regie.policy.scenario_page.budget` and :mod:`~regie.policy.scenario_page.page`
(:func:`build`). Other code imports from this package.
"""

from __future__ import annotations

from regie.policy.scenario_page.budget import budget_kind, budget_outside, budget_rows
from regie.policy.scenario_page.calculator import (
    calculate,
    calculator_form,
    council_choice,
    stated_rows,
)
from regie.policy.scenario_page.comparison import comparison, default_start, themes
from regie.policy.scenario_page.forms import (
    CAP_MODE,
    CAPS,
    START,
    CalculatorForm,
    ChooseForm,
    choose_form,
    theme_field,
)
from regie.policy.scenario_page.page import ScenarioPage, build, choice_message
from regie.policy.scenario_page.rows import (
    BudgetRow,
    CalculatedLine,
    Calculation,
    Column,
    Comparison,
    LineCell,
    LineRow,
    LineYear,
    StatedRow,
    YearCells,
    YearRow,
)

__all__ = [
    "CAPS",
    "CAP_MODE",
    "START",
    "BudgetRow",
    "CalculatedLine",
    "Calculation",
    "CalculatorForm",
    "ChooseForm",
    "Column",
    "Comparison",
    "LineCell",
    "LineRow",
    "LineYear",
    "ScenarioPage",
    "StatedRow",
    "YearCells",
    "YearRow",
    "budget_kind",
    "budget_outside",
    "budget_rows",
    "build",
    "calculate",
    "calculator_form",
    "choice_message",
    "choose_form",
    "comparison",
    "council_choice",
    "default_start",
    "stated_rows",
    "theme_field",
    "themes",
]
