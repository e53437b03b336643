"""Stated figures: which the plan lets us check, and those that do not add up."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from django.utils.translation import gettext as _

from regie.policy.costs.formatting import _month_name, euro
from regie.policy.costs.types import _ZERO, TOLERANCE, CostResult, Discrepancy, StatedFigure


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
