"""A theme's scenarios side by side, each costed per plan year as if chosen."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Prefetch

from regie.policy import costs, selectors
from regie.policy.models import CapacityLine, Plan, Scenario, Theme
from regie.policy.scenario_page.rows import Column, Comparison, LineCell, LineRow, YearCells

_ZERO = Decimal(0)


def themes(plan: Plan) -> list[Theme]:
    """Every theme of the plan in plan order, with its scenarios (by letter) and their lines."""
    return list(
        Theme.objects.filter(priority__plan=plan)
        .select_related("priority")
        .order_by("priority__position", "priority__pk", "position", "pk")
        .prefetch_related(
            Prefetch(
                "scenarios",
                queryset=Scenario.objects.order_by("letter").prefetch_related(
                    Prefetch("lines", queryset=CapacityLine.objects.order_by("position", "pk"))
                ),
            )
        )
    )


def default_start(plan: Plan) -> dt.date:
    """Where the costs count from unless asked otherwise (as :func:`selectors.plan_costs`)."""
    return selectors.costs_start(plan)


def _cost_line(
    theme: Theme, scenario: Scenario, line: CapacityLine, label: str, *, caps: bool = True
) -> costs.CostLine:
    return costs.CostLine(
        theme=str(theme.pk),
        scenario=scenario.letter,
        label=label,
        fte=line.fte_extra,
        amount=line.amount,
        cap=line.cap if caps else None,
    )


def _per_year_label(result: costs.CostResult) -> list[str]:
    return [costs.euro(year.capped) for year in result.years]


def comparison(theme: Theme, plan: Plan, start: dt.date) -> Comparison:
    """A theme's scenarios side by side, each costed per plan year as if chosen."""
    scenarios = list(theme.scenarios.all())
    lines: list[costs.CostLine] = []
    for scenario in scenarios:
        own = list(scenario.lines.all())
        names = costs.unique_labels([line.label for line in own], [scenario.letter] * len(own))
        lines += [
            _cost_line(theme, scenario, line, name) for line, name in zip(own, names, strict=True)
        ]
    try:
        compared = (
            costs.compare_scenarios(lines, str(theme.pk), years=plan.years, start=start, cap=None)
            if lines
            else {}
        )
    except ValueError:  # pragma: no cover - labels are made unique above
        compared = {}
    columns = [
        Column(
            scenario=scenario,
            fte=costs.format_fte(sum((line.fte_extra for line in scenario.lines.all()), _ZERO)),
            amount=costs.euro(sum((line.amount for line in scenario.lines.all()), _ZERO)),
            per_year=_per_year_label(compared[scenario.letter])
            if scenario.letter in compared
            else [],
        )
        for scenario in scenarios
    ]
    labels: list[str] = []
    for scenario in scenarios:
        labels += [line.label for line in scenario.lines.all() if line.label not in labels]
    rows = [
        LineRow(
            label=label,
            cells=[
                (
                    scenario,
                    [_line_cell(line) for line in scenario.lines.all() if line.label == label],
                )
                for scenario in scenarios
            ],
        )
        for label in labels
    ]
    years = [
        YearCells(
            year=year,
            months=costs.pro_rata(_ZERO, year, start)[1],
            cells=[
                (column.scenario, column.per_year[index] if column.per_year else "–")
                for column in columns
            ],
        )
        for index, year in enumerate(plan.years)
    ]
    chosen = next((scenario for scenario in scenarios if scenario.chosen), None)
    return Comparison(theme=theme, columns=columns, rows=rows, years=years, chosen=chosen)


def _line_cell(line: CapacityLine) -> LineCell:
    return LineCell(
        line=line,
        fte=costs.format_fte(line.fte_extra),
        fte_total=costs.format_fte(line.fte_total) if line.fte_total is not None else "",
        amount=costs.euro(line.amount),
        cap=costs.euro(line.cap) if line.cap is not None else "",
    )
