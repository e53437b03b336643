"""The yearly costs of the chosen lines, and a theme's scenarios side by side."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, localcontext

from django.utils.translation import gettext as _

from regie.policy.costs.arithmetic import _budget, _capped, _check_lines, _months
from regie.policy.costs.formatting import _month_name, euro, format_fte
from regie.policy.costs.stated import check_stated, in_plan
from regie.policy.costs.types import (
    _CONTEXT,
    _ZERO,
    BASES,
    CAP_MODES,
    TOLERANCE,
    Basis,
    BudgetLine,
    CapMode,
    CostLine,
    CostResult,
    StatedFigure,
    YearCost,
)


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
    plan_years = _checked_input(lines, years, cap=cap, cap_mode=cap_mode, basis=basis)
    per_line: dict[str, list[Decimal]] = {line.label: [] for line in lines}
    results = [
        _year_cost(lines, year, start=start, cap=cap, cap_mode=cap_mode, per_line=per_line)
        for year in plan_years
    ]
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


def _checked_input(
    lines: Sequence[CostLine],
    years: Sequence[int],
    *,
    cap: Decimal | None,
    cap_mode: CapMode,
    basis: Basis,
) -> tuple[int, ...]:
    """The plan years as a tuple, after refusing what :func:`yearly_costs` cannot compute."""
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
    return plan_years


def _start_notes(year: int, months: int, start: date) -> list[str]:
    """How ``year`` is counted when the spending starts on ``start`` (nothing for a full year)."""
    if months == 0:
        return [
            _("%(year)s is before the start on %(date)s: no costs.")
            % {"year": year, "date": f"{start.day} {_month_name(start)} {start.year}"}
        ]
    if months < 12:
        return [
            _("%(year)s counts from %(month)s: %(months)s of 12 months.")
            % {"year": year, "month": _month_name(start), "months": months}
        ]
    return []


def _year_cost(
    lines: Sequence[CostLine],
    year: int,
    *,
    start: date,
    cap: Decimal | None,
    cap_mode: CapMode,
    per_line: dict[str, list[Decimal]],
) -> YearCost:
    """The lines in one plan year; appends each line's value of the year to ``per_line``."""
    months = _months(year, start)
    notes = _start_notes(year, months, start)
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
        capped, note = _overall_cap(capped, cap, months, cap_mode)
        notes += [note] if note else []
    return YearCost(year, months, gross, capped, fte, tuple(notes))


def _overall_cap(capped: Decimal, cap: Decimal, months: int, mode: CapMode) -> tuple[Decimal, str]:
    """The year's sum after the overall ``cap`` per full year, and a note when the cap bites."""
    limit = _capped(cap, None, months, "prorate") if mode == "prorate" else cap
    if capped <= limit:
        return capped, ""
    note = _(
        "The total is capped at %(cap)s per year (%(limit)s this year); %(total)s before the cap."
    ) % {"cap": euro(cap), "limit": euro(limit), "total": euro(capped)}
    return limit, note


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
