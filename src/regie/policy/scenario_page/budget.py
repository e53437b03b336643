"""The current budget per plan year, and whether its lines are structureel or incidenteel."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from django.utils.translation import gettext as _

from regie.policy import costs
from regie.policy.models import BudgetLine, Plan
from regie.policy.scenario_page.rows import BudgetRow

_ZERO = Decimal(0)


def _cost_budget(line: BudgetLine) -> costs.BudgetLine:
    return costs.BudgetLine(
        label=line.label, year=line.year, amount=line.amount, recurring=line.recurring
    )


def _counted(plan: Plan, lines: Sequence[BudgetLine]) -> dict[int, list[BudgetLine]]:
    """Per plan year, the budget lines that count in it (:func:`costs.budget_in`)."""
    converted = {id(line): _cost_budget(line) for line in lines}
    result: dict[int, list[BudgetLine]] = {}
    for year in plan.years:
        counting = {id(c) for c in costs.budget_in(list(converted.values()), year)}
        result[year] = [line for line in lines if id(converted[id(line)]) in counting]
    return result


def budget_outside(plan: Plan, lines: Sequence[BudgetLine]) -> list[BudgetLine]:
    """Budget lines that count in no plan year (a year outside the plan, or replaced)."""
    counted = {id(line) for year_lines in _counted(plan, lines).values() for line in year_lines}
    return [line for line in lines if id(line) not in counted]


def budget_kind(plan: Plan, lines: Sequence[BudgetLine]) -> str:
    """Whether a budget item's lines are structureel or incidenteel, in words.

    "Structureel" for a structural line from the plan's first year (or earlier), "Structureel
    vanaf 2026" for a later one, "Incidenteel" for lines of their own year only, "Per jaar
    opgegeven" when incidental lines give every plan year; an item with both kinds names each.
    """
    parts: list[str] = []
    if not any(line.recurring for line in lines) and set(plan.years) <= {b.year for b in lines}:
        return _("Given per year")
    for line in sorted(lines, key=lambda b: b.year):
        if line.recurring and line.year <= plan.start_year:
            text = _("Structural")
        elif line.recurring:
            text = _("Structural from %(year)s") % {"year": line.year}
        else:
            text = _("Incidental")
        if text not in parts:
            parts.append(text)
    if len(parts) > 1 and _("Incidental") in parts:
        incidental = [str(b.year) for b in sorted(lines, key=lambda b: b.year) if not b.recurring]
        parts[parts.index(_("Incidental"))] = _("incidental in %(years)s") % {
            "years": ", ".join(incidental)
        }
    return "; ".join(parts)


def budget_rows(plan: Plan, lines: Sequence[BudgetLine]) -> tuple[list[BudgetRow], list[str]]:
    """The current budget as label × plan year, and the totals per year.

    A structural line counts in its year and every later plan year until a later structural
    line of its label replaces it, an incidental one in its own year on top of it
    (:func:`costs.budget_in`); the totals are those of the calculator.
    """
    years = plan.years
    amounts: dict[str, dict[int, Decimal]] = {}
    notes: dict[str, str] = {}
    by_label: dict[str, list[BudgetLine]] = {}
    for line in lines:
        amounts.setdefault(line.label, {})
        by_label.setdefault(line.label, []).append(line)
        notes[line.label] = notes.get(line.label) or line.note
    for year, counting in _counted(plan, lines).items():
        for line in counting:
            amounts[line.label][year] = amounts[line.label].get(year, _ZERO) + line.amount
    rows = [
        BudgetRow(
            label=label,
            note=notes[label],
            amounts=[costs.euro(by_year[y]) if y in by_year else "–" for y in years],
            kind=budget_kind(plan, by_label[label]),
        )
        for label, by_year in amounts.items()
    ]
    totals = [
        costs.euro(sum((by_year.get(y, _ZERO) for by_year in amounts.values()), _ZERO))
        for y in years
    ]
    return rows, totals
