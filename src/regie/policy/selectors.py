"""Reads of the policy app that views, the API and commands share."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse

from regie.core.models import Organisation
from regie.policy import costs
from regie.policy.models import BudgetLine, CapacityLine, Plan, Scenario, StatedFigure
from regie.policy.plan_file import money

#: Capacity lines in plan order: priority, theme, then the line's position within its scenario.
_PLAN_ORDER = (
    "scenario__theme__priority__position",
    "scenario__theme__priority__pk",
    "scenario__theme__position",
    "scenario__theme__pk",
    "scenario__letter",
    "position",
    "pk",
)


def plans_of(organisation: Organisation) -> QuerySet[Plan]:
    return Plan.objects.filter(organisation=organisation).order_by("-start_year", "-version", "-pk")


def current_plan(organisation: Organisation, *, version: int | None = None) -> Plan | None:
    """The newest plan (highest period and version), or the given version of it."""
    plans = plans_of(organisation).select_related("organisation")
    if version is not None:
        plans = plans.filter(version=version)
    return plans.first()


def current_plan_link(organisation: Organisation) -> tuple[str, str] | None:
    """The current plan's page and title (the menu's "Beleid" and the start page link it)."""
    plan = current_plan(organisation)
    if plan is None:
        return None
    url = reverse("policy:plan_detail", kwargs={"org": organisation.slug, "plan_id": plan.pk})
    return url, plan.title


def _cost_line(line: CapacityLine, label: str) -> costs.CostLine:
    return costs.CostLine(
        theme=line.scenario.theme.key,
        scenario=line.scenario.letter,
        label=label,
        fte=line.fte_extra,
        amount=line.amount,
        cap=line.cap,
    )


def cost_lines(plan: Plan) -> list[costs.CostLine]:
    """Every capacity line of every scenario of the plan, as calculator input (one query).

    Labels are as entered, so they may repeat across scenarios and themes: pass one scenario
    per theme to :func:`costs.yearly_costs` after :func:`costs.unique_labels` (as
    :func:`chosen_cost_lines` does).
    """
    return [
        _cost_line(line, line.label)
        for line in CapacityLine.objects.filter(scenario__theme__priority__plan=plan)
        .select_related("scenario__theme")
        .order_by(*_PLAN_ORDER)
    ]


def chosen_cost_lines(plan: Plan) -> list[costs.CostLine]:
    """The capacity lines of the scenarios the council chose, in plan order (one query).

    A label that more than one chosen line has gets its theme's title, "Formatie (Handhaving)",
    as on the scenario page. A chosen scenario without lines has nothing here.
    """
    lines = list(
        CapacityLine.objects.filter(scenario__theme__priority__plan=plan, scenario__chosen=True)
        .select_related("scenario__theme")
        .order_by(*_PLAN_ORDER)
    )
    labels = costs.unique_labels(
        [line.label for line in lines], [line.scenario.theme.title for line in lines]
    )
    return [_cost_line(line, label) for line, label in zip(lines, labels, strict=True)]


def chosen(plan: Plan) -> dict[str, str]:
    """Theme → the letter of the scenario the council chose, in plan order.

    A theme is named by its key; a key that themes of two priorities share (keys are unique
    within a priority only) is written ``priority/theme``, the priority's key first, so that
    one choice never hides the other.
    """
    rows = list(
        Scenario.objects.filter(theme__priority__plan=plan, chosen=True)
        .order_by("theme__priority__position", "theme__priority__pk", "theme__position", "pk")
        .values_list("theme__priority__key", "theme__key", "letter")
    )
    shared = Counter(theme for _priority, theme, _letter in rows)
    return {
        (f"{priority}/{theme}" if shared[theme] > 1 else theme): letter
        for priority, theme, letter in rows
    }


def costs_start(plan: Plan) -> dt.date:
    """Where the costs count from: the plan's start date, else 1 January of its first year."""
    return plan.costs_start or dt.date(plan.start_year, 1, 1)


def plan_costs(plan: Plan) -> costs.CostResult | None:
    """What the chosen scenarios cost per plan year; None when the council chose none.

    A chosen scenario without lines costs nothing; a stated figure of a year outside the plan
    is in ``unchecked``, not checked.
    """
    if not chosen(plan):
        return None
    budget = [
        costs.BudgetLine(label=b.label, year=b.year, amount=b.amount, recurring=b.recurring)
        for b in BudgetLine.objects.filter(plan=plan)
    ]
    stated = [
        costs.StatedFigure(label=s.label, year=s.year, amount=s.amount, through_end=s.through_end)
        for s in StatedFigure.objects.filter(plan=plan).order_by("year", "label", "pk")
    ]
    return costs.yearly_costs(
        chosen_cost_lines(plan),
        years=plan.years,
        start=costs_start(plan),
        cap=None,
        budget=budget,
        stated=stated,
    )


def costs_as_dict(result: costs.CostResult, choice: dict[str, str]) -> dict[str, Any]:
    """The costs as JSON: ``regie scenario-costs --json`` and the plan's ``costs`` in the API.

    Money is exact (:func:`regie.policy.plan_file.money`: an int when whole, else a decimal
    string); ``choice`` is theme key → letter (:func:`chosen`).
    """
    return {
        "chosen": choice,
        "start": result.start.isoformat() if result.start else None,
        "years": [
            {
                "year": y.year,
                "months": y.months,
                "without_caps": money(y.gross),
                "with_caps": money(y.capped),
                "fte": str(y.fte),
                "budget": money(result.budget[y.year]),
                "difference": money(result.difference[y.year]),
                "notes": list(y.notes),
            }
            for y in result.years
        ],
        "discrepancies": [
            {
                "label": d.label,
                "year": d.year,
                "stated": money(d.stated),
                "computed": money(d.computed),
                "explanation": d.explanation,
            }
            for d in result.discrepancies
        ],
        "unchecked": [
            {"label": s.label, "year": s.year, "stated": money(s.amount)} for s in result.unchecked
        ],
    }


def plan_costs_dict(plan: Plan) -> dict[str, Any] | None:
    """:func:`costs_as_dict` of :func:`plan_costs`; None when the council chose no scenario."""
    result = plan_costs(plan)
    if result is None:
        return None
    return costs_as_dict(result, chosen(plan))


def plan_evaluation(plan: Plan, *, since: str | None = None) -> Any:
    """Every status of ``plan`` now (a :class:`regie.policy.status.PlanEvaluation`): the *effect*
    side that other apps (uitvoering, reports) show next to their own, never mixed into it."""
    from regie.policy import status

    return status.evaluate_plan(plan, since=since)


def status_label(value: str) -> str:
    """The label of an indicator status value (``achieved`` …) in the active language."""
    from regie.policy import engine

    return engine.status_label(engine.Status(value))


def plan_covering(organisation: Organisation, year: int) -> Plan | None:
    """The newest version of the gemeente's newest plan whose years hold ``year``."""
    return (
        plans_of(organisation)
        .filter(start_year__lte=year, end_year__gte=year)
        .select_related("organisation")
        .first()
    )


def describe_target(indicator: Any) -> str:
    """An indicator's target in one line, as the Beleid pages write it."""
    from regie.policy import presentation

    return presentation.describe_target(indicator)


def shown_value(indicator: Any, value: float | None) -> str:
    """A measurement as the plan shows it (the indicator's decimals, half up, "–" for none)."""
    from regie.policy import presentation

    return presentation.shown(indicator, value)


def indicator_chart(found: Any, plan: Plan) -> Any:
    """The indicator page's chart (a :class:`regie.core.charts.Chart`: the yearly figures against
    the target, with its table and sources) for an evaluated indicator, or None without figures."""
    from regie.policy import presentation

    if found.series is None:
        return None
    rows = presentation.year_rows(found, found.series, plan.years)
    sources = sorted({r.source for r in rows if r.source})
    return presentation.chart(found, found.series, rows, sources)
