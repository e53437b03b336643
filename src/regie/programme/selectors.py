"""Reads of the uitvoeringsprogramma that pages, the API, commands and reports share."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from regie.core.models import Organisation
from regie.policy.models import Goal, Plan, Theme
from regie.programme import capacity, effort
from regie.programme.models import Action, ActionStatus, Programme, ProgressNote


def programmes_of(organisation: Organisation) -> QuerySet[Programme]:
    return (
        Programme.objects.filter(organisation=organisation)
        .select_related("plan", "organisation", "predecessor")
        .order_by("-period", "-pk")
    )


def programme_in(organisation: Organisation, programme_id: int) -> Programme | None:
    """The programme ``programme_id`` of ``organisation`` (None for another gemeente's)."""
    return programmes_of(organisation).filter(pk=programme_id).first()


def programme_for(organisation: Organisation, period: str) -> Programme | None:
    """The programme of ``period`` (``2024`` or ``2024H1``) of the newest plan that has one."""
    return (
        programmes_of(organisation)
        .filter(period=period)
        .order_by("-plan__start_year", "-plan__version", "-pk")
        .first()
    )


def actions_of(programme: Programme) -> QuerySet[Action]:
    """Every action with its goals (and their theme and priority), scenario line and notes."""
    return (
        programme.actions.all()
        .select_related("capacity_line__scenario__theme__priority", "carried_from__programme")
        .prefetch_related(
            Prefetch(
                "goals",
                queryset=Goal.objects.select_related("theme__priority").order_by(
                    "theme__priority__position", "theme__position", "position", "pk"
                ),
            ),
            Prefetch(
                "notes",
                queryset=ProgressNote.objects.select_related("created_by").order_by(
                    "-created_at", "-pk"
                ),
            ),
        )
        .order_by("position", "pk")
    )


def goals_of(plan: Plan) -> QuerySet[Goal]:
    return (
        Goal.objects.filter(theme__priority__plan=plan)
        .select_related("theme__priority")
        .order_by("theme__priority__position", "theme__position", "position", "pk")
    )


@dataclass
class GoalEffort:
    goal: Goal
    actions: list[Action]
    summary: effort.EffortSummary


def effort_by_goal(programme: Programme, actions: list[Action] | None = None) -> list[GoalEffort]:
    """Per goal of the plan (in plan order) its actions and their effort; an action tied to two
    goals counts for both."""
    if actions is None:
        actions = list(actions_of(programme))
    by_goal: dict[int, list[Action]] = defaultdict(list)
    for action in actions:
        for goal in action.goals.all():
            by_goal[goal.pk].append(action)
    return [
        GoalEffort(goal, by_goal[goal.pk], effort.summarise(a.status for a in by_goal[goal.pk]))
        for goal in goals_of(programme.plan)
    ]


def unlinked_actions(actions: list[Action]) -> list[Action]:
    """Actions tied to no goal (shown apart: they count for no goal's effort)."""
    return [a for a in actions if not a.goals.all()]


def goal_path(goal: Goal) -> str:
    """``priority-key/theme-key/goal-key``: how files, snapshots and the API name a goal."""
    return f"{goal.theme.priority.key}/{goal.theme.key}/{goal.key}"


@dataclass
class BudgetRow:
    priority: str  # the theme's priority title, or "" for actions tied to no theme
    theme: str  # theme title, or "" for actions tied to no theme
    scenario: str  # "B" when the action is paid from a line of scenario B, else ""
    planned: Decimal = Decimal(0)
    spent: Decimal = Decimal(0)
    actions: int = 0
    unknown_spent: int = 0  # actions with a budget but no realised spending entered
    dropped: Decimal = Decimal(0)  # budget of dropped actions (not in ``planned``)
    keys: list[str] = field(default_factory=list)
    order: tuple[int, ...] = ()


def _theme_of(action: Action) -> Theme | None:
    if action.capacity_line is not None:
        return action.capacity_line.scenario.theme
    goals = list(action.goals.all())
    return goals[0].theme if goals else None


def budget_by_theme(actions: list[Action]) -> list[BudgetRow]:
    """Planned budget and realised spending per theme and scenario, in plan order.

    An action counts once: under the theme of its scenario line when it is paid from one, else
    under the theme of its first goal, else under no theme. Never summed twice: an action tied to
    goals of two themes is not split or repeated; two themes with the same title stay two rows.
    A dropped action's budget is not planned spending: it is shown apart (``dropped``).
    """
    rows: dict[tuple[int, str], BudgetRow] = {}
    for action in actions:
        if action.budget is None and action.spent is None:
            continue
        theme = _theme_of(action)
        scenario = action.capacity_line.scenario.letter if action.capacity_line else ""
        key = (theme.pk if theme else 0, scenario)
        if key not in rows:
            rows[key] = BudgetRow(
                priority=theme.priority.title if theme else "",
                theme=theme.title if theme else "",
                scenario=scenario,
                order=(0, theme.priority.position, theme.priority.pk, theme.position, theme.pk)
                if theme
                else (1,),
            )
        row = rows[key]
        if action.status == ActionStatus.DROPPED:
            row.dropped += action.budget or 0
        else:
            row.planned += action.budget or 0
            if action.budget is not None and action.spent is None:
                row.unknown_spent += 1
        row.spent += action.spent or 0
        row.actions += 1
        row.keys.append(action.key)
    return sorted(rows.values(), key=lambda r: (r.order, r.scenario))


def summarise_effort(statuses: Any) -> effort.EffortSummary:
    """The effort of actions from their statuses (:func:`regie.programme.effort.summarise`)."""
    return effort.summarise(statuses)


def open_actions(programme: Programme) -> QuerySet[Action]:
    return actions_of(programme).filter(status__in=[s.value for s in effort.STATUS_ORDER[:3]])


def capacity_overview(plan: Plan, *, until: int) -> dict[str, Any] | None:
    """Meldingen openbare ruimte per category per published period up to ``until`` against the
    formation of the chosen scenario lines (:mod:`regie.programme.capacity`); None without
    such figures."""
    return capacity.build(plan, until=until)


def capacity_table(overview: dict[str, Any]) -> Any:
    """:func:`capacity_overview` as the table the page and the reports show (a
    :class:`regie.core.charts.ChartTable`)."""
    return capacity.table(overview)


def quarter_label(number: int | str) -> str:
    """``Q1`` (Dutch: ``K1``)."""
    return _("Q%(n)s") % {"n": number}


def quarters_text(value: str | None) -> str:
    """An action's quarters as people read them: ``"12"`` → "K1–K2", ``"13"`` → "K1, K3";
    "" when none (the pages, the forms and the reports)."""
    runs: list[tuple[int, int]] = []
    for number in sorted({int(c) for c in str(value or "") if c in "1234"}):
        if runs and runs[-1][1] == number - 1:
            runs[-1] = (runs[-1][0], number)
        else:
            runs.append((number, number))
    return ", ".join(
        quarter_label(a) if a == b else f"{quarter_label(a)}–{quarter_label(b)}" for a, b in runs
    )
