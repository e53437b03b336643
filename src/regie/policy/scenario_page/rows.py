"""What the scenario page shows, row by row: the comparison, the calculation, the budget."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from regie.policy import costs
from regie.policy.models import CapacityLine, Scenario, StatedFigure, Theme
from regie.policy.scenario_page.forms import ChooseForm


@dataclass(frozen=True)
class LineCell:
    """A capacity line in the comparison, in words."""

    line: CapacityLine
    fte: str
    fte_total: str
    amount: str
    cap: str


@dataclass(frozen=True)
class LineRow:
    """One row of the comparison: the lines with this label in each scenario (usually 0 or 1)."""

    label: str
    cells: list[tuple[Scenario, list[LineCell]]]


@dataclass(frozen=True)
class YearCells:
    """One plan year of the comparison: each scenario's cost that year as if chosen."""

    year: int
    months: int
    cells: list[tuple[Scenario, str]]


@dataclass
class Column:
    """One scenario in the comparison."""

    scenario: Scenario
    fte: str
    amount: str
    per_year: list[str]  # costs per plan year as if chosen (empty: no lines or not computable)
    form: ChooseForm | None = None


@dataclass(frozen=True)
class Comparison:
    theme: Theme
    columns: list[Column]
    rows: list[LineRow]
    years: list[YearCells]
    chosen: Scenario | None


@dataclass(frozen=True)
class YearRow:
    year: int
    months: int
    gross: str
    capped: str
    fte: str
    budget: str
    total: str
    difference: str


@dataclass(frozen=True)
class LineYear:
    applied: str
    other: str  # the amount with the caps the other way round; "" when the same


@dataclass(frozen=True)
class CalculatedLine:
    label: str
    theme: Theme
    scenario: Scenario
    cap: str
    years: list[LineYear]


@dataclass(frozen=True)
class StatedRow:
    figure: StatedFigure
    year: int
    stated: str
    computed: str
    difference: str
    flagged: bool
    explanation: str


@dataclass(frozen=True)
class Calculation:
    combination: list[tuple[Theme, Scenario | None]]
    start: dt.date
    caps: bool
    cap_mode: costs.CapMode
    years: list[YearRow]
    sums: YearRow
    lines: list[CalculatedLine]
    notes: list[tuple[str, str]]  # (the years it applies to, how a year is counted)
    stated: list[StatedRow]
    unchecked: list[StatedFigure]  # stated figures of a year outside the plan
    empty: list[tuple[Theme, Scenario]]  # chosen scenarios without capacity lines
    is_council_choice: bool
    council_has_chosen: bool


@dataclass(frozen=True)
class BudgetRow:
    label: str
    note: str
    amounts: list[str]
    kind: str = ""  # structureel / incidenteel, in words (see :func:`budget_kind`)
