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
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Context, Decimal, localcontext
from typing import Literal

from django.utils.dates import MONTHS
from django.utils.translation import gettext as _

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
_MINUS = "\u2212"  # the minus sign, not a hyphen
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


def budget_in(budget: Sequence[BudgetLine], year: int) -> list[BudgetLine]:
    """The lines of ``budget`` that count in ``year`` — the one rule for the budget table, the
    calculator and the command. Per label: its lines of ``year`` itself, and — unless one of
    those is structural — its structural lines of the latest earlier year that has one. So an
    incidental amount adds to a structural one, and a later structural line of the same label
    replaces the earlier one (two structural amounts of one item never add up)."""
    by_label: dict[str, list[BudgetLine]] = {}
    for line in budget:
        by_label.setdefault(line.label, []).append(line)
    counted: list[BudgetLine] = []
    for lines in by_label.values():
        own = [line for line in lines if line.year == year]
        counted.extend(own)
        if any(line.recurring for line in own):
            continue
        earlier = [line.year for line in lines if line.recurring and line.year < year]
        if earlier:
            latest = max(earlier)
            counted.extend(line for line in lines if line.year == latest and line.recurring)
    return counted


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


# --- formatting ---------------------------------------------------------------------------------


def _group(digits: str) -> str:
    """Thousands with a dot: "1234567" → "1.234.567"."""
    head = len(digits) % 3 or 3
    parts = [digits[:head]] + [digits[i : i + 3] for i in range(head, len(digits), 3)]
    return ".".join(parts)


def euro(amount: Decimal) -> str:
    """Dutch money: "€ 200.000", "€ 1.234,50", "€ \u22124.500" (whole euros unless cents)."""
    cents = amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    sign = _MINUS if cents < 0 else ""
    whole, _dot, fraction = f"{abs(cents):f}".partition(".")
    text = _group(whole)
    if fraction.strip("0"):
        text = f"{text},{fraction}"
    return f"€ {sign}{text}"


def format_fte(value: Decimal) -> str:
    """Dutch fte: "1,5 fte", "3 fte", "0,25 fte"."""
    text = f"{abs(value):f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    sign = _MINUS if value < 0 and text != "0" else ""
    return f"{sign}{text.replace('.', ',')} fte"


# --- arithmetic ---------------------------------------------------------------------------------


def _whole(amount: Decimal) -> Decimal:
    return amount.quantize(_ONE, rounding=ROUND_HALF_UP)


def _months(year: int, start: date) -> int:
    if year < start.year:
        return 0
    if year > start.year:
        return 12
    return 13 - start.month


def pro_rata(amount: Decimal, year: int, start: date) -> tuple[Decimal, int]:
    """The part of a full-year amount that falls in ``year`` when spending starts on ``start``.

    Counts whole months and the start month fully (2024-04-01 and 2024-04-20 both give 9 months
    in 2024): 0 before the start year, 12 after it. Returns (amount × months / 12, months),
    unrounded.
    """
    months = _months(year, start)
    with localcontext(_CONTEXT):
        return amount * months / _TWELVE, months


def _capped(amount: Decimal, cap: Decimal | None, months: int, mode: CapMode) -> Decimal:
    """One line-year after pro rata and its cap, in whole euros."""
    with localcontext(_CONTEXT):
        if cap is None:
            value = amount * months / _TWELVE
        elif mode == "prorate":
            value = min(amount, cap) * months / _TWELVE
        else:
            value = min(amount * months / _TWELVE, cap)
    return _whole(value)


def _month_name(start: date) -> str:
    return str(MONTHS[start.month])


def unique_labels(labels: Sequence[str], contexts: Sequence[str]) -> list[str]:
    """``labels`` made unique (lines are keyed by label): a repeated label gets its context.

    "Formatie" in two themes becomes "Formatie (Team veiligheid)" and "Formatie (Handhaving)" when
    the contexts are the themes' titles; a label that is still repeated gets a number, "(2)".
    A label that occurs once stays as it is.
    """
    counts = Counter(labels)
    seen: set[str] = set()
    found: list[str] = []
    for label, context in zip(labels, contexts, strict=True):
        name = label if counts[label] == 1 else f"{label} ({context})"
        base, number = name, 2
        while name in seen:
            name, number = f"{base} ({number})", number + 1
        seen.add(name)
        found.append(name)
    return found


def _check_lines(lines: Sequence[CostLine]) -> None:
    seen: set[str] = set()
    for line in lines:
        if line.label in seen:
            raise ValueError(f"two cost lines are labelled {line.label!r}")
        seen.add(line.label)
        if line.cap is not None and line.cap < 0:
            raise ValueError(f"cost line {line.label!r} has a negative cap")


def choose(lines: Iterable[CostLine], choice: Mapping[str, str]) -> tuple[CostLine, ...]:
    """The lines of the chosen scenario per theme, e.g. ``{"team-veiligheid": "B"}``.

    Lines of themes not in ``choice`` are left out; a chosen scenario without lines is an error.
    """
    chosen = tuple(line for line in lines if choice.get(line.theme) == line.scenario)
    for theme, scenario in choice.items():
        if not any(line.theme == theme for line in chosen):
            raise ValueError(f"no cost lines for scenario {scenario!r} of theme {theme!r}")
    return chosen


def _budget(budget: Sequence[BudgetLine], years: Sequence[int]) -> dict[int, Decimal]:
    """The current budget per plan year: each line in every year it counts in."""
    return {year: sum((line.amount for line in budget_in(budget, year)), _ZERO) for year in years}


def yearly_costs(
    lines: Sequence[CostLine],
    *,
    years: Sequence[int],
    start: date,
    cap: Decimal | None,
    budget: Sequence[BudgetLine] = (),
    stated: Sequence[StatedFigure] = (),
    cap_mode: CapMode = "prorate",
    basis: Basis = "extra",
    tolerance: Decimal = TOLERANCE,
) -> CostResult:
    """The yearly costs of the given lines (pass the chosen ones, see :func:`choose`).

    Per year: each line is pro-rated from ``start`` and capped (``cap_mode``), rounded to whole
    euros; the lines are summed (``gross`` before, ``capped`` after caps), then the overall
    ``cap`` per full year applies to the sum. ``budget`` lines count in their year, structural
    ones also in every later plan year until replaced (:func:`budget_in`), others are ignored;
    ``stated`` figures of a year outside the plan are not checked but kept in ``unchecked``. No
    lines (chosen scenarios without capacity lines) cost nothing.
    """
    if cap_mode not in CAP_MODES:
        raise ValueError(f"unknown cap mode {cap_mode!r}")
    if basis not in BASES:
        raise ValueError(f"unknown basis {basis!r}")
    if cap is not None and cap < 0:
        raise ValueError("the overall cap is negative")
    _check_lines(lines)
    plan_years = tuple(years)
    if len(set(plan_years)) != len(plan_years):
        raise ValueError("a plan year is given twice")
    per_line: dict[str, list[Decimal]] = {line.label: [] for line in lines}
    results: list[YearCost] = []
    for year in plan_years:
        months = _months(year, start)
        notes: list[str] = []
        if months == 0:
            notes.append(
                _("%(year)s is before the start on %(date)s: no costs.")
                % {"year": year, "date": f"{start.day} {_month_name(start)} {start.year}"}
            )
        elif months < 12:
            notes.append(
                _("%(year)s counts from %(month)s: %(months)s of 12 months.")
                % {"year": year, "month": _month_name(start), "months": months}
            )
        gross = capped = fte = _ZERO
        for line in lines:
            line_months = months if line.years is None or year in line.years else 0
            value = _capped(line.amount, line.cap, line_months, cap_mode)
            per_line[line.label].append(value)
            gross += _capped(line.amount, None, line_months, cap_mode)
            capped += value
            if line_months:
                fte += line.fte
            if line_months and line.cap is not None and line.cap < line.amount:
                notes.append(_line_cap_note(line, line.cap, line_months, cap_mode))
        if cap is not None and months:
            limit = _capped(cap, None, months, "prorate") if cap_mode == "prorate" else cap
            if capped > limit:
                notes.append(
                    _(
                        "The total is capped at %(cap)s per year (%(limit)s this year); "
                        "%(total)s before the cap."
                    )
                    % {"cap": euro(cap), "limit": euro(limit), "total": euro(capped)}
                )
                capped = limit
        results.append(YearCost(year, months, gross, capped, fte, tuple(notes)))
    current = _budget(budget, plan_years)
    total = {
        cost.year: (cost.capped + current[cost.year]) if basis == "extra" else cost.capped
        for cost in results
    }
    result = CostResult(
        years=tuple(results),
        per_line={label: tuple(values) for label, values in per_line.items()},
        cap=cap,
        budget=current,
        difference={year: total[year] - current[year] for year in plan_years},
        discrepancies=(),
        total=total,
        start=start,
        basis=basis,
        cap_mode=cap_mode,
    )
    if stated:
        checked = [figure for figure in stated if in_plan(figure, plan_years)]
        result = dataclasses.replace(
            result,
            discrepancies=check_stated(checked, result, tolerance=tolerance),
            unchecked=tuple(figure for figure in stated if not in_plan(figure, plan_years)),
        )
    return result


def _line_cap_note(line: CostLine, cap: Decimal, months: int, mode: CapMode) -> str:
    with localcontext(_CONTEXT):
        funded = (line.fte * cap / line.amount).quantize(Decimal("0.1"), ROUND_HALF_UP)
    if months < 12 and mode == "prorate":
        limit = _capped(cap, None, months, mode)
        text = _(
            "%(label)s is capped at %(cap)s per full year, %(limit)s for %(months)s months "
            "(the scenario asks %(amount)s a year)."
        )
    else:
        limit = cap
        text = _("%(label)s is capped at %(cap)s per year (the scenario asks %(amount)s a year).")
    sentence = text % {
        "label": line.label,
        "cap": euro(cap),
        "limit": euro(limit),
        "months": months,
        "amount": euro(line.amount),
    }
    if line.fte > 0:
        sentence += " " + _(
            "At the scenario's price the cap pays for about %(funded)s of the %(fte)s."
        ) % {"funded": format_fte(funded), "fte": format_fte(line.fte)}
    return sentence


def compare_scenarios(
    lines: Sequence[CostLine],
    theme: str,
    *,
    years: Sequence[int],
    start: date,
    cap: Decimal | None,
    cap_mode: CapMode = "prorate",
) -> dict[str, CostResult]:
    """Scenarios A/B/C of one theme side by side, each costed as if chosen (sorted by letter)."""
    letters = sorted({line.scenario for line in lines if line.theme == theme})
    if not letters:
        raise ValueError(f"no cost lines for theme {theme!r}")
    return {
        letter: yearly_costs(
            [line for line in lines if line.theme == theme and line.scenario == letter],
            years=years,
            start=start,
            cap=cap,
            cap_mode=cap_mode,
        )
        for letter in letters
    }


def _computed(figure: StatedFigure, result: CostResult, year: int) -> Decimal:
    what = figure.what
    if what.startswith("line:"):
        label = what.removeprefix("line:")
        if label not in result.per_line:
            raise ValueError(f"stated figure {figure.label!r} names an unknown line {label!r}")
        return result.per_line[label][[cost.year for cost in result.years].index(year)]
    cost = result.year(year)
    values = {
        "capped": cost.capped,
        "gross": cost.gross,
        "budget": result.budget.get(year, _ZERO),
        "total": result.total.get(year, cost.capped),
        "difference": result.difference.get(year, _ZERO),
    }
    if what not in values:
        raise ValueError(f"stated figure {figure.label!r}: unknown kind {what!r}")
    return values[what]


def in_plan(figure: StatedFigure, plan_years: Sequence[int]) -> bool:
    """Can the figure be checked: is it for every plan year or for one of them?"""
    return figure.year is None or figure.year in plan_years


def _figure_years(figure: StatedFigure, plan_years: Sequence[int]) -> list[int]:
    if figure.year is None:
        return list(plan_years)
    if figure.year not in plan_years:
        raise ValueError(f"stated figure {figure.label!r}: {figure.year} is not a plan year")
    if figure.through_end:
        return [year for year in plan_years if year >= figure.year]
    return [figure.year]


def check_stated(
    stated: Sequence[StatedFigure], result: CostResult, *, tolerance: Decimal = TOLERANCE
) -> tuple[Discrepancy, ...]:
    """Each stated figure that differs by more than ``tolerance`` (€ 1) from the computation.

    A figure for several years ("vanaf 2025", or year None) is checked in each of them and gives
    one discrepancy per year that differs. Both numbers are in the discrepancy and its sentence.
    A figure of a year outside the plan is an error here (:func:`in_plan` tells;
    :func:`yearly_costs` sets those aside as ``unchecked``).
    """
    plan_years = [cost.year for cost in result.years]
    found: list[Discrepancy] = []
    for figure in stated:
        for year in _figure_years(figure, plan_years):
            computed = _computed(figure, result, year)
            if abs(figure.amount - computed) <= tolerance:
                continue
            months = result.year(year).months
            if 0 < months < 12 and result.start is not None and figure.what != "budget":
                period = _("%(year)s from %(month)s, %(months)s months") % {
                    "year": year,
                    "month": _month_name(result.start),
                    "months": months,
                }
            else:
                period = str(year)
            explanation = _(
                "%(label)s (%(period)s): the plan states %(stated)s, the computation gives "
                "%(computed)s, a difference of %(difference)s."
            ) % {
                "label": figure.label,
                "period": period,
                "stated": euro(figure.amount),
                "computed": euro(computed),
                "difference": euro(figure.amount - computed),
            }
            found.append(Discrepancy(figure.label, year, figure.amount, computed, explanation))
    return tuple(found)
