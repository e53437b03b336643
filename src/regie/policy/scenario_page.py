"""What the scenario page of a plan shows: scenarios A/B/C per theme side by side, the calculator.

No HTTP here: :func:`build` takes the plan and the GET values of the calculator (a ``QueryDict`` or
a plain dict) and returns a :class:`ScenarioPage`, whose :meth:`ScenarioPage.context` is the
template's context; :mod:`regie.policy.scenario_views` renders it. The arithmetic is
:mod:`regie.policy.costs` (the same as ``regie scenario-costs``, through
:mod:`regie.policy.selectors`); the helpers below turn model rows into calculator input and
calculator output into rows of Dutch-formatted text. The calculator changes nothing stored:
choosing other letters, another start date or no caps is a GET form.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import Prefetch
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from regie.policy import costs, selectors
from regie.policy.models import (
    BudgetLine,
    CapacityLine,
    Plan,
    Scenario,
    StatedFigure,
    Theme,
)

__all__ = [
    "CAPS",
    "CAP_MODE",
    "START",
    "BudgetRow",
    "CalculatedLine",
    "Calculation",
    "CalculatorForm",
    "ChooseForm",
    "Column",
    "Comparison",
    "LineCell",
    "LineRow",
    "LineYear",
    "ScenarioPage",
    "StatedRow",
    "YearCells",
    "YearRow",
    "budget_kind",
    "budget_rows",
    "build",
    "calculate",
    "calculator_form",
    "choice_message",
    "choose_form",
    "comparison",
    "council_choice",
    "default_start",
    "stated_rows",
    "theme_field",
    "themes",
]

_ZERO = Decimal(0)

#: Query parameters of the calculator (the URL is Dutch like the rest of the site's URLs).
START = "start"
CAPS = "plafond"
CAP_MODE = "deeljaar"
_WITH_CAPS, _WITHOUT_CAPS = "met", "zonder"
_CAP_MODES: dict[str, costs.CapMode] = {"naar-rato": "prorate", "kalenderjaar": "calendar"}


_RADIO = "utrecht-radio-button utrecht-radio-button--html-input"


def theme_field(theme: Theme) -> str:
    """The calculator's query parameter for a theme's letter: ``thema.<priority>.<theme>`` keys.

    Made of keys (a slug never holds a dot), not ids: a calculation kept as a link still works on
    the plan's next version, whose themes are copies with new ids. ``theme.priority`` is read.
    """
    return f"thema.{theme.priority.key}.{theme.key}"


# --- forms --------------------------------------------------------------------------------------


class ChooseForm(forms.Form):
    """The council's choice of one scenario; the decision date is optional.

    ``edit_token`` is the theme's choice as the page showed it (:func:`services.choice_version`):
    a choice someone else recorded meanwhile is not overruled unseen.
    """

    edit_token = forms.CharField(widget=forms.HiddenInput, required=False)

    decided_on = forms.DateField(
        label=gettext_lazy("Council decision on"),
        required=False,
        help_text=gettext_lazy("dd-mm-jjjj; left empty, the plan's decision date stays."),
    )


def choose_form(
    scenario: Scenario, data: Mapping[str, Any] | None = None, *, chosen: Scenario | None = None
) -> ChooseForm:
    """The choose form of one scenario (ids unique on the page, one form per column); ``chosen``
    is the theme's chosen scenario the page shows."""
    version = str(chosen.pk if chosen is not None else 0)
    return ChooseForm(data, auto_id=f"id_%s_{scenario.pk}", initial={"edit_token": version})


class CalculatorForm(forms.Form):
    """One scenario per theme, the start date and the caps; nothing is stored."""

    start = forms.DateField(
        label=gettext_lazy("Extra capacity starts on"),
        required=False,
        help_text=gettext_lazy(
            "dd-mm-jjjj. The start year counts from this month (pro rata); left empty, the "
            "plan's start date is used."
        ),
    )
    plafond = forms.ChoiceField(
        label=gettext_lazy("Caps"),
        choices=[
            (_WITH_CAPS, gettext_lazy("Apply the caps")),
            (_WITHOUT_CAPS, gettext_lazy("Without caps (what the scenarios ask)")),
        ],
        widget=forms.RadioSelect(attrs={"class": _RADIO}),
    )
    deeljaar = forms.ChoiceField(
        label=gettext_lazy("A cap in the start year"),
        choices=[
            ("naar-rato", gettext_lazy("Shrinks with the months, like the amount (default)")),
            ("kalenderjaar", gettext_lazy("Limits the spending of the calendar year")),
        ],
        widget=forms.RadioSelect(attrs={"class": _RADIO}),
    )

    def __init__(self, *args: Any, themes: Sequence[Theme], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for theme in themes:
            choices = [
                (s.letter, _("%(letter)s: %(title)s") % {"letter": s.letter, "title": s.title})
                for s in theme.scenarios.all()
            ]
            choices.append(("", _("Not included")))
            self.fields[theme_field(theme)] = forms.ChoiceField(
                label=theme.title,
                choices=choices,
                required=False,
                widget=forms.RadioSelect(attrs={"class": _RADIO}),
            )


# --- what the page shows ------------------------------------------------------------------------


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


@dataclass(frozen=True)
class ScenarioPage:
    """Everything the scenario page shows besides the plan's own context (see :meth:`context`)."""

    plan: Plan
    themes: list[Theme]
    comparisons: list[Comparison]
    default_start: dt.date
    form: CalculatorForm
    calculation: Calculation | None  # None: no theme has scenarios
    fallback: bool  # the calculator's input was wrong: the council's choice is shown instead
    budget_lines: list[BudgetLine]
    budget_rows: list[BudgetRow]
    budget_totals: list[str]
    stated_figures: list[StatedFigure]
    successor: Plan | None

    def context(self) -> dict[str, Any]:
        """The template's context (``policy/scenarios.html``), name for name."""
        with_scenarios = [theme for theme in self.themes if theme.scenarios.all()]
        return {
            "themes": self.themes,
            "themes_without": [theme for theme in self.themes if not theme.scenarios.all()],
            "comparisons": self.comparisons,
            "default_start": self.default_start,
            "form": self.form,
            "theme_fields": [(theme, self.form[theme_field(theme)]) for theme in with_scenarios],
            "calculation": self.calculation,
            "fallback": self.fallback,
            "budget_lines": [(line, costs.euro(line.amount)) for line in self.budget_lines],
            "budget_rows": self.budget_rows,
            "budget_totals": self.budget_totals,
            "budget_outside": budget_outside(self.plan, self.budget_lines),
            "stated_figures": [
                (figure, costs.euro(figure.amount)) for figure in self.stated_figures
            ],
            "successor": self.successor,
        }


# --- reading ------------------------------------------------------------------------------------


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


# --- the comparison -----------------------------------------------------------------------------


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


# --- the calculator -----------------------------------------------------------------------------


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


# --- the budget ---------------------------------------------------------------------------------


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


# --- the page -----------------------------------------------------------------------------------


def build(
    plan: Plan,
    query: Mapping[str, Any],
    *,
    choose: tuple[Scenario, ChooseForm] | None = None,
) -> ScenarioPage:
    """The scenario page of ``plan`` for the calculator's GET values ``query``.

    ``choose`` is a scenario with its bound choose form that did not validate: shown with its
    errors in that scenario's column (every other column has an empty form). Bad calculator
    input keeps the form with its errors and calculates the council's choice (``fallback``).
    """
    all_themes = themes(plan)
    with_scenarios = [theme for theme in all_themes if theme.scenarios.all()]
    start = default_start(plan)
    comparisons = [comparison(theme, plan, start) for theme in with_scenarios]
    for item in comparisons:
        for column in item.columns:
            if choose is not None and choose[0].pk == column.scenario.pk:
                column.form = choose[1]
            else:
                column.form = choose_form(column.scenario, chosen=item.chosen)
    form, bound = calculator_form(query, with_scenarios, plan)
    calculation: Calculation | None = None
    fallback = False
    if with_scenarios:
        if bound and form.is_valid():
            cleaned = form.cleaned_data
            choice = {theme.pk: cleaned.get(theme_field(theme), "") for theme in with_scenarios}
            calculation = calculate(
                plan,
                with_scenarios,
                choice,
                start=cleaned.get(START) or start,
                caps=cleaned[CAPS] == _WITH_CAPS,
                cap_mode=_CAP_MODES[cleaned[CAP_MODE]],
            )
        else:
            fallback = bound
            calculation = calculate(
                plan,
                with_scenarios,
                council_choice(with_scenarios),
                start=start,
                caps=True,
                cap_mode="prorate",
            )
    budget_lines = list(BudgetLine.objects.filter(plan=plan).order_by("position", "label", "year"))
    rows, totals = budget_rows(plan, budget_lines)
    return ScenarioPage(
        plan=plan,
        themes=all_themes,
        comparisons=comparisons,
        default_start=start,
        form=form,
        calculation=calculation,
        fallback=fallback,
        budget_lines=budget_lines,
        budget_rows=rows,
        budget_totals=totals,
        stated_figures=list(plan.stated_figures.order_by("year", "label", "pk")),
        successor=Plan.objects.filter(predecessor=plan).first(),
    )


def choice_message(scenario: Scenario, decided_on: dt.date | None) -> str:
    """The sentence after choosing: which scenario is now the council's choice, and since when.

    ``decided_on`` is the date given with the choice, else the plan's decision date (if any).
    """
    text = _("Scenario %(letter)s “%(title)s” is now the council's choice for %(theme)s.") % {
        "letter": scenario.letter,
        "title": scenario.title,
        "theme": scenario.theme.title,
    }
    if decided_on is not None:
        text += " " + _("Council decision of %(date)s.") % {"date": date_format(decided_on)}
    return text
