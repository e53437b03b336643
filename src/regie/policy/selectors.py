"""Reads of the policy app that views, the API and commands share."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from regie.core.models import Organisation
from regie.policy import costs
from regie.policy.models import BudgetLine, CapacityLine, Plan, Scenario, StatedFigure


def plans_of(organisation: Organisation) -> QuerySet[Plan]:
    return Plan.objects.filter(organisation=organisation).order_by("-start_year", "-version", "-pk")


def current_plan(organisation: Organisation, *, version: int | None = None) -> Plan | None:
    """The newest plan (highest period and version), or the given version of it."""
    plans = plans_of(organisation).select_related("organisation")
    if version is not None:
        plans = plans.filter(version=version)
    return plans.first()


def cost_lines(plan: Plan) -> list[costs.CostLine]:
    """Every capacity line of every scenario of the plan, as calculator input (one query)."""
    return [
        costs.CostLine(
            theme=line.scenario.theme.key,
            scenario=line.scenario.letter,
            label=line.label,
            fte=line.fte_extra,
            amount=line.amount,
            cap=line.cap,
        )
        for line in CapacityLine.objects.filter(scenario__theme__priority__plan=plan)
        .select_related("scenario__theme")
        .order_by("scenario__theme__priority__position", "scenario__theme__position", "position")
    ]


def chosen(plan: Plan) -> dict[str, str]:
    """Theme key → the letter of the scenario the council chose."""
    return dict(
        Scenario.objects.filter(theme__priority__plan=plan, chosen=True).values_list(
            "theme__key", "letter"
        )
    )


def plan_costs(plan: Plan) -> costs.CostResult | None:
    """What the chosen scenarios cost per plan year; None when the plan has no scenarios."""
    choice = chosen(plan)
    if not choice:
        return None
    start = plan.costs_start or dt.date(plan.start_year, 1, 1)
    budget = [
        costs.BudgetLine(label=b.label, year=b.year, amount=b.amount)
        for b in BudgetLine.objects.filter(plan=plan)
    ]
    stated = [
        costs.StatedFigure(label=s.label, year=s.year, amount=s.amount, through_end=s.through_end)
        for s in StatedFigure.objects.filter(plan=plan)
    ]
    return costs.yearly_costs(
        costs.choose(cost_lines(plan), choice),
        years=plan.years,
        start=start,
        cap=None,
        budget=budget,
        stated=stated,
    )
