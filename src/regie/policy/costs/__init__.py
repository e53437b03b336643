"""What the council's chosen scenarios cost per plan year: pure arithmetic, no models, no database.

Input are capacity lines (:class:`CostLine`, full-year amounts per scenario A/B/C of a theme), the
plan years, the date the chosen scenarios start, caps, the current budget and the figures the plan
text states. Output is a :class:`CostResult` per year, with every stated figure that does not add up
flagged (:class:`Discrepancy`) and every stated figure of a year outside the plan set aside as not
checked. Lines are keyed by label: :func:`unique_labels` makes repeated labels unique the way the
scenario page, ``regie scenario-costs`` and the API all name them. The selectors and the scenario
page turn model rows into these dataclasses.

How the Alblasserdam council proposal (seed ``ivb-alblasserdam-2024-2027.txt``, raadsvoorstel,
section "Financiële informatie"; ``council-decision.csv``) computes its costs:

* Chosen: scenario B for team veiligheid (0,5 fte, € 44.000 a year) and scenario B for toezicht en
  handhaving (3,0 fte boa's, € 378.000 a year) (IVB chapter "Financiële consequenties", table
  "Scenario B"; ``scenarios.csv``).
* The cap: "voor de formatie van BOA's maximaal € 200.000" (raadsvoorstel, same section;
  ``council-decision.csv`` row ``cap_handhaving_eur_per_year``). It caps the *boa line* per year,
  not the total of the chosen lines: decision point 2 makes € 44.000 available for team veiligheid
  and point 3 € 200.000 for handhaving, and the proposal's "vanaf 2025 € 244.000" is exactly
  44.000 + 200.000. (Read as a cap on the total, 2025 would be € 200.000.) So it belongs in
  :attr:`CostLine.cap`; the overall ``cap`` of :func:`yearly_costs` stays available for plans that
  cap the total, and is applied after the line caps.
* The start: "voor 2024 … (gerekend vanaf april)" (``council-decision.csv`` row ``start_date``,
  2024-04-01). A year counts by whole months from the start month: 2024 has 9 months, later years
  12, earlier years 0 (:func:`pro_rata`).
* Cap and part year: a cap is a maximum *per full year*, so in a part year it shrinks with the
  months like the amount does: ``min(amount, cap) × months / 12`` (``cap_mode="prorate"``, the
  default). Full years cannot tell the readings apart (both give 244.000 from 2025), but the cap
  is a yearly maximum (``cap_handhaving_eur_per_year``), the stated 2024 figure (187.500) lies
  near this reading (183.000) and far from the other (233.000), and it keeps 9 months from spending
  a full year's cap. The other reading (``cap_mode="calendar"``: ``min(amount × months / 12,
  cap)``, the cap limits the calendar year's spending) is a parameter because the proposal does
  not spell the rule out.
* What does not add up: the proposal states € 187.500 for 2024. Counted from April with the cap,
  2024 costs 9/12 × (44.000 + 200.000) = € 183.000 (and € 233.000 in calendar mode); neither reading
  gives 187.500. (187.500 is 9/12 of 250.000, not of 244.000.) ``check_stated`` flags it with both
  numbers.

Rounding: amounts are exact decimals until the end of each line-year (line × year after pro rata and
the line cap), which is rounded to whole euros with ROUND_HALF_UP; year totals are sums of those
whole euros, and a pro-rated overall cap is rounded the same way. :func:`pro_rata` itself does not
round.

Budget: scenario amounts are *extra* on top of the current budget ("boven de huidige begroting",
column ``fte_extra``), so by default (``basis="extra"``) the plan's total per year is current budget
+ capped cost, and ``difference`` (total - current budget) is the extra money the decision needs,
for Alblasserdam uncovered ("Hiervoor is geen dekking in de begroting"). With ``basis="total"`` the
lines are full costs and ``difference`` is capped total - budget.

Sentences (notes, explanations) are English msgids through gettext, Dutch in the product.

Modules: :mod:`~regie.policy.costs.types` (the dataclasses), :mod:`~regie.policy.costs.arithmetic`
(pro rata, caps, labels, budget), :mod:`~regie.policy.costs.yearly` (:func:`yearly_costs`),
:mod:`~regie.policy.costs.stated` (stated figures) and :mod:`~regie.policy.costs.formatting`.
Other code imports from this package.
"""

from __future__ import annotations

from regie.policy.costs.arithmetic import budget_in, choose, pro_rata, unique_labels
from regie.policy.costs.formatting import euro, format_fte
from regie.policy.costs.stated import check_stated, in_plan
from regie.policy.costs.types import (
    BASES,
    CAP_MODES,
    STATED_WHAT,
    TOLERANCE,
    Basis,
    BudgetLine,
    CapMode,
    CostLine,
    CostResult,
    Discrepancy,
    StatedFigure,
    YearCost,
)
from regie.policy.costs.yearly import compare_scenarios, yearly_costs

__all__ = [
    "BASES",
    "CAP_MODES",
    "STATED_WHAT",
    "TOLERANCE",
    "Basis",
    "BudgetLine",
    "CapMode",
    "CostLine",
    "CostResult",
    "Discrepancy",
    "StatedFigure",
    "YearCost",
    "budget_in",
    "check_stated",
    "choose",
    "compare_scenarios",
    "euro",
    "format_fte",
    "in_plan",
    "pro_rata",
    "unique_labels",
    "yearly_costs",
]
