"""What the uitvoeringsprogramma pages share: lookups within the URL's organisation, the page
context, a service's refusal as a form error, and the goal tree with effort next to effect."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar

from django import forms as django_forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from regie.accounts.permissions import EDITOR_ROLES
from regie.core import formats
from regie.core.errors import ServiceError
from regie.core.models import Organisation
from regie.policy import selectors as policy_selectors
from regie.programme import effort, selectors
from regie.programme.models import Action, ActionStatus, Programme

_T = TypeVar("_T")

NAV = "uitvoering"


def programme_in(organisation: Organisation, programme_id: int) -> Programme:
    """The programme ``programme_id`` of ``organisation``; 404 for another gemeente's."""
    programme = selectors.programme_in(organisation, programme_id)
    if programme is None:
        raise Http404(_("There is no such programme in this gemeente."))
    return programme


def action_in(programme: Programme, action_id: int) -> Action:
    """The action ``action_id`` of ``programme`` (goals and notes prefetched); 404 otherwise."""
    action = selectors.actions_of(programme).filter(pk=action_id).first()
    if action is None:
        raise Http404(_("There is no such action in this programme."))
    action.programme = programme
    return action


def is_editor(request: HttpRequest) -> bool:
    return getattr(request, "role", None) in EDITOR_ROLES


def can_edit(request: HttpRequest, programme: Programme) -> bool:
    """May the user change what the college decides (an editor, and the programme a concept)?"""
    return is_editor(request) and not programme.is_frozen


def page_context(
    request: HttpRequest, organisation: Organisation, programme: Programme
) -> dict[str, Any]:
    return {
        "organisation": organisation,
        "programme": programme,
        "is_editor": is_editor(request),
        "can_edit": can_edit(request, programme),
        "nav": NAV,
    }


def frozen(request: HttpRequest, programme: Programme) -> HttpResponse:
    messages.error(
        request,
        _(
            "This programme was adopted by the college on %(date)s: actions, goals, planning and "
            "budget cannot be changed. Status, spending, results and progress can."
        )
        % {"date": formats.date(programme.adopted_on)},
    )
    return redirect(
        "programme:programme_detail", org=programme.organisation.slug, programme_id=programme.pk
    )


def form_write(form: django_forms.Form, write: Callable[[], _T]) -> _T | None:
    """Run a service's ``write``; its result, or None when it refused: the refusal becomes a
    form error and the input is kept."""
    try:
        return write()
    except ServiceError as error:
        form.add_error(None, str(error))
        return None


# --- effort next to effect ----------------------------------------------------------------------


@dataclass
class GoalRow:
    goal: Any
    effect: Any  # policy's Node of the goal (its indicators' status), or None
    effort: selectors.GoalEffort


@dataclass
class ThemeRow:
    title: str
    pk: int
    goals: list[GoalRow] = field(default_factory=list)


@dataclass
class PriorityRow:
    title: str
    pk: int
    themes: list[ThemeRow] = field(default_factory=list)


@dataclass(frozen=True)
class Count:
    value: str
    label: str
    count: int


def goal_tree(programme: Programme, actions: list[Action], evaluation: Any) -> list[PriorityRow]:
    """Priority → theme → goal in plan order, each goal with its effort (the actions) and,
    apart, its effect (the indicators' status from the plan's evaluation)."""
    efforts = {row.goal.pk: row for row in selectors.effort_by_goal(programme, actions)}
    nodes: dict[int, Any] = {}
    for priority in evaluation.priorities:
        for theme in priority.children:
            for goal in theme.children:
                nodes[goal.obj.pk] = goal
    tree: dict[int, PriorityRow] = {}
    themes: dict[int, ThemeRow] = {}
    for goal_pk, row in efforts.items():
        theme = row.goal.theme
        priority = theme.priority
        if priority.pk not in tree:
            tree[priority.pk] = PriorityRow(priority.title, priority.pk)
        if theme.pk not in themes:
            themes[theme.pk] = ThemeRow(theme.title, theme.pk)
            tree[priority.pk].themes.append(themes[theme.pk])
        themes[theme.pk].goals.append(GoalRow(row.goal, nodes.get(goal_pk), row))
    return list(tree.values())


def action_counts(actions: list[Action]) -> list[Count]:
    """Actions per status (effort), every status in the usual order."""
    summary = effort.summarise(a.status for a in actions)
    return [
        Count(s.value, str(ActionStatus(s).label), summary.counts[s.value])
        for s in effort.STATUS_ORDER
    ]


def indicator_counts(evaluation: Any) -> list[Count]:
    """Indicators per status (effect), every status in policy's order."""
    counts: dict[str, int] = evaluation.as_dict()["counts"]
    return [Count(v, policy_selectors.status_label(v), n) for v, n in counts.items()]


def programme_overview(programme: Programme) -> dict[str, Any]:
    """What the programme page and the evaluation page both show."""
    actions = list(selectors.actions_of(programme))
    evaluation = policy_selectors.plan_evaluation(programme.plan)
    budget = selectors.budget_by_theme(actions)
    return {
        "actions": actions,
        "tree": goal_tree(programme, actions, evaluation),
        "unlinked": selectors.unlinked_actions(actions),
        "budget": budget,
        "budget_planned": sum((row.planned for row in budget), Decimal(0)),
        "budget_spent": sum((row.spent for row in budget), Decimal(0)),
        "action_counts": action_counts(actions),
        "indicator_counts": indicator_counts(evaluation),
        "effort_total": effort.summarise(a.status for a in actions),
    }
