"""The input and output of the cost arithmetic: frozen dataclasses and the shared constants."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date
from decimal import Context, Decimal
from typing import Literal

CapMode = Literal["prorate", "calendar"]
CAP_MODES: tuple[CapMode, ...] = ("prorate", "calendar")
Basis = Literal["extra", "total"]
BASES: tuple[Basis, ...] = ("extra", "total")

#: A stated figure differing by more than this from the computation is flagged. Plan texts state
#: whole euros and each line-year is rounded to whole euros, so € 1 absorbs rounding, nothing more.
TOLERANCE = Decimal(1)

#: What a :class:`StatedFigure` can be compared with; ``"line:<label>"`` compares one line.
STATED_WHAT = ("capped", "gross", "budget", "total", "difference")

_ZERO = Decimal(0)
_ONE = Decimal(1)
_TWELVE = Decimal(12)


_CONTEXT = Context(prec=28)


@dataclass(frozen=True)
class CostLine:
    """One capacity line of a scenario, in full-year amounts."""

    theme: str  # theme key, e.g. "team-veiligheid"
    scenario: str  # "A" | "B" | "C"
    label: str
    fte: Decimal  # extra fte; may be 0 for money-only lines
    amount: Decimal  # € per full year
    cap: Decimal | None = None  # at most € per (full) year for this line
    years: tuple[int, ...] | None = None  # only these years (None: every plan year)


@dataclass(frozen=True)
class BudgetLine:
    """A line of the current budget (before the chosen scenarios).

    Incidenteel (``recurring`` False): the amount counts in ``year`` only. Structureel
    (``recurring`` True): it counts in ``year`` and every later year until a later structural
    line of the same label replaces it, so a structural line of a year before the plan counts in
    every plan year (:func:`budget_in`).
    """

    label: str
    year: int
    amount: Decimal
    recurring: bool = False


@dataclass(frozen=True)
class StatedFigure:
    """A number the plan text states, e.g. "€ 187.500 for 2024".

    ``year`` None means every plan year; ``through_end`` means this year and every later plan year
    ("vanaf 2025"). ``what`` names the computed figure it claims: one of :data:`STATED_WHAT` or
    ``"line:<label>"``.
    """

    label: str
    year: int | None
    amount: Decimal
    what: str = "capped"
    through_end: bool = False


@dataclass(frozen=True)
class YearCost:
    """The chosen combination in one plan year.

    ``gross``: pro-rated amounts before any cap; ``capped``: after line caps and the overall cap;
    ``fte``: the extra formation of the lines running that year (a level, not fte-years).
    """

    year: int
    months: int
    gross: Decimal
    capped: Decimal
    fte: Decimal
    notes: tuple[str, ...]


@dataclass(frozen=True)
class Discrepancy:
    label: str
    year: int | None
    stated: Decimal
    computed: Decimal
    explanation: str

    @property
    def difference(self) -> Decimal:
        """Stated - computed."""
        return self.stated - self.computed


@dataclass(frozen=True)
class CostResult:
    years: tuple[YearCost, ...]  # per plan year, the chosen combination
    per_line: dict[str, tuple[Decimal, ...]]  # line label -> per year (after pro rata, line caps)
    cap: Decimal | None  # overall cap per full year, if any
    budget: dict[int, Decimal]  # current budget per year
    difference: dict[int, Decimal]  # total - current budget (see module docstring, "Budget")
    discrepancies: tuple[Discrepancy, ...]
    total: dict[int, Decimal] = dataclasses.field(default_factory=dict)  # plan's total per year
    start: date | None = None
    basis: Basis = "extra"
    cap_mode: CapMode = "prorate"
    unchecked: tuple[StatedFigure, ...] = ()  # stated figures of a year outside the plan

    def year(self, year: int) -> YearCost:
        for cost in self.years:
            if cost.year == year:
                return cost
        raise KeyError(year)
