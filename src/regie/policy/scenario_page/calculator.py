"""The calculator: one scenario per theme (the council's choice unless asked otherwise) costed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from regie.policy import costs
from regie.policy.models import BudgetLine, CapacityLine, Plan, Scenario, StatedFigure, Theme
from regie.policy.scenario_page.budget import _cost_budget
from regie.policy.scenario_page.comparison import _cost_line, default_start
from regie.policy.scenario_page.forms import (
    _WITH_CAPS,
    CAP_MODE,
    CAPS,
    START,
    CalculatorForm,
    theme_field,
)
from regie.policy.scenario_page.rows import (
    CalculatedLine,
    Calculation,
    LineYear,
    StatedRow,
    YearRow,
)

_ZERO = Decimal(0)


def council_choice(themes: Sequence[Theme]) -> dict[int, str]:
    """Theme id → the letter the council chose ("" when none)."""
    return {
        theme.pk: next((s.letter for s in theme.scenarios.all() if s.chosen), "")
        for theme in themes
    }


def calculator_form(
    query: Mapping[str, Any], themes: Sequence[Theme], plan: Plan
) -> tuple[CalculatorForm, bool]:
    """The calculator form, bound when the query asks for something; missing answers default.

    ``query`` is the request's GET values (a ``QueryDict`` or a dict). Returns the form and
    whether it is bound.
    """
    council = council_choice(themes)
    defaults: dict[str, Any] = {theme_field(theme): council[theme.pk] for theme in themes}
    defaults |= {CAPS: _WITH_CAPS, CAP_MODE: "naar-rato"}
    asked = [name for name in (*defaults, START) if name in query]
    if not asked:
        initial = defaults | {START: default_start(plan)}
        return CalculatorForm(initial=initial, themes=themes), False
    data = defaults | {name: query.get(name, "") for name in asked}
    return CalculatorForm(data, themes=themes), True


def calculate(
    plan: Plan,
    themes: Sequence[Theme],
    choice: Mapping[int, str],
    *,
    start: dt.date,
    caps: bool,
    cap_mode: costs.CapMode,
) -> Calculation:
    """The costs of one scenario per theme (``choice``: theme id → letter, "" for none).

    Lines are named as :func:`selectors.chosen_cost_lines` names them (a repeated label gets its
    theme's title), so the council's choice gives the figures of ``regie scenario-costs``.
    """
    combination: list[tuple[Theme, Scenario | None]] = []
    picked: list[tuple[Theme, Scenario, CapacityLine]] = []
    empty: list[tuple[Theme, Scenario]] = []
    for theme in themes:
        if not theme.scenarios.all():
            continue
        scenario = next(
            (s for s in theme.scenarios.all() if s.letter == choice.get(theme.pk)), None
        )
        combination.append((theme, scenario))
        if scenario is None:
            continue
        own = list(scenario.lines.all())
        if not own:
            empty.append((theme, scenario))
        picked += [(theme, scenario, line) for line in own]
    names = costs.unique_labels(
        [line.label for _t, _s, line in picked], [t.title for t, _s, _l in picked]
    )
    budget = [_cost_budget(b) for b in BudgetLine.objects.filter(plan=plan)]

    def run(with_caps: bool) -> costs.CostResult:
        return costs.yearly_costs(
            [
                _cost_line(theme, scenario, line, name, caps=with_caps)
                for (theme, scenario, line), name in zip(picked, names, strict=True)
            ],
            years=plan.years,
            start=start,
            cap=None,
            budget=budget,
            cap_mode=cap_mode,
        )

    capped, uncapped = run(True), run(False)
    applied, other = (capped, uncapped) if caps else (uncapped, capped)
    years = [
        YearRow(
            year=cost.year,
            months=cost.months,
            gross=costs.euro(cost.gross),
            capped=costs.euro(cost.capped),
            fte=costs.format_fte(cost.fte),
            budget=costs.euro(applied.budget[cost.year]),
            total=costs.euro(applied.total[cost.year]),
            difference=costs.euro(applied.difference[cost.year]),
        )
        for cost in capped.years
    ]
    sums = YearRow(
        year=0,
        months=sum(cost.months for cost in capped.years),
        gross=costs.euro(sum((cost.gross for cost in capped.years), _ZERO)),
        capped=costs.euro(sum((cost.capped for cost in capped.years), _ZERO)),
        fte="",
        budget=costs.euro(sum(applied.budget.values(), _ZERO)),
        total=costs.euro(sum(applied.total.values(), _ZERO)),
        difference=costs.euro(sum(applied.difference.values(), _ZERO)),
    )
    lines = [
        CalculatedLine(
            label=name,
            theme=theme,
            scenario=scenario,
            cap=costs.euro(line.cap) if line.cap is not None else "",
            years=[
                LineYear(
                    applied=costs.euro(value),
                    other=costs.euro(alternative) if alternative != value else "",
                )
                for value, alternative in zip(
                    applied.per_line[name], other.per_line[name], strict=True
                )
            ],
        )
        for (theme, scenario, line), name in zip(picked, names, strict=True)
    ]
    stated, unchecked = stated_rows(plan, applied)
    council = council_choice(themes)
    notes: dict[str, list[str]] = {}
    for cost in applied.years:
        for note in cost.notes:
            notes.setdefault(note, []).append(str(cost.year))
    return Calculation(
        combination=combination,
        start=start,
        caps=caps,
        cap_mode=cap_mode,
        years=years,
        sums=sums,
        lines=lines,
        notes=[(", ".join(years), note) for note, years in notes.items()],
        stated=stated,
        unchecked=unchecked,
        empty=empty,
        is_council_choice=(
            caps
            and cap_mode == "prorate"
            and start == default_start(plan)
            and all(choice.get(pk, "") == letter for pk, letter in council.items())
        ),
        council_has_chosen=any(council.values()),
    )


def stated_rows(plan: Plan, result: costs.CostResult) -> tuple[list[StatedRow], list[StatedFigure]]:
    """Every stated figure next to the computed one, per year it covers; flagged as check_stated.

    A figure of a year outside the plan is not checked (:func:`costs.in_plan`): it is in the
    second list, as in ``unchecked`` of :func:`selectors.plan_costs`.
    """
    rows: list[StatedRow] = []
    unchecked: list[StatedFigure] = []
    plan_years = plan.years
    for figure in StatedFigure.objects.filter(plan=plan).order_by("year", "label", "pk"):
        claim = costs.StatedFigure(
            label=figure.label,
            year=figure.year,
            amount=figure.amount,
            through_end=figure.through_end,
        )
        if not costs.in_plan(claim, plan_years):
            unchecked.append(figure)
            continue
        found = {d.year: d for d in costs.check_stated([claim], result)}
        covered = [
            y for y in plan_years if y == figure.year or (figure.through_end and y > figure.year)
        ]
        for year in covered:
            computed = result.year(year).capped
            flag = found.get(year)
            rows.append(
                StatedRow(
                    figure=figure,
                    year=year,
                    stated=costs.euro(figure.amount),
                    computed=costs.euro(computed),
                    difference=costs.euro(figure.amount - computed),
                    flagged=flag is not None,
                    explanation=flag.explanation if flag is not None else "",
                )
            )
    return rows, unchecked
