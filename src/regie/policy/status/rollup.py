"""Statuses rolled up goal → theme → priority → plan, each with a sentence that gives the counts."""

from __future__ import annotations

from collections import defaultdict

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from regie.policy import engine
from regie.policy.engine import Status
from regie.policy.models import Goal, Indicator, Plan, Theme
from regie.policy.status.evaluation import evaluate_indicators
from regie.policy.status.results import IndicatorStatus, Node, PlanEvaluation


def roll(kind: str, statuses: list[Status]) -> tuple[Status, str]:
    """The status of a goal, theme, priority or plan (``kind``, in words) from its indicators'.

    The least favourable counts (:func:`regie.policy.engine.roll_up`), but never alone: the
    sentence gives the number of indicators per status and how many could not be judged (many
    indicators tested at 5% give false alarms, so one verdict alone would mislead). No
    indicators: no measurement, and a sentence saying so.
    """
    if not statuses:
        return Status.NO_MEASUREMENT, _(
            "Nothing to measure yet: no indicators under this %(kind)s."
        ) % {"kind": kind}
    status = engine.roll_up(statuses)
    counts = engine.count_statuses(statuses)
    total = len(statuses)
    unjudged = counts[Status.NO_MEASUREMENT]
    if unjudged == total:
        return status, ngettext(
            "The indicator could not be judged: no new measurement.",
            "None of the %(total)d indicators could be judged: no new measurement.",
            total,
        ) % {"total": total}
    per_status = ", ".join(
        f"{engine.status_label(s)}: {counts[s]}" for s in engine.SEVERITY if counts[s]
    )
    head = _("%(label)s, the least favourable status counts (%(counts)s).") % {
        "label": engine.status_label(status),
        "counts": per_status,
    }
    if unjudged:
        tail = ngettext(
            "%(unjudged)d of %(total)d indicator could not be judged (no new measurement).",
            "%(unjudged)d of %(total)d indicators could not be judged (no new measurement).",
            total,
        ) % {"unjudged": unjudged, "total": total}
    else:
        tail = ngettext(
            "The indicator could be judged.", "All %(total)d indicators could be judged.", total
        ) % {"total": total}
    return status, f"{head} {tail}"


def _goal_node(goal: Goal, items: list[IndicatorStatus]) -> Node:
    statuses = tuple(i.status for i in items)
    status, text = roll(_("goal"), list(statuses))
    return Node("goal", goal.key, goal.aim, status, text, goal, (), tuple(items), statuses)


def evaluate_goal(goal: Goal) -> Node:
    """One goal with its indicators' statuses and the roll-up, as in :func:`evaluate_plan`.

    ``goal`` must have its theme → priority → plan → organisation loaded.
    """
    indicators = list(goal.indicators.select_related("measure", "area"))
    for indicator in indicators:
        indicator.goal = goal  # the chain up to the organisation, without a query each
    statuses = evaluate_indicators(indicators)
    return _goal_node(goal, [statuses[i.pk] for i in indicators])


def evaluate_plan(plan: Plan, *, since: str | None = None) -> PlanEvaluation:
    """Every status of ``plan``, rolled up; a fixed number of queries for any plan size."""
    priorities = list(plan.priorities.all())
    themes = list(Theme.objects.filter(priority__plan=plan))
    goals = list(Goal.objects.filter(theme__priority__plan=plan))
    indicators = list(
        Indicator.objects.filter(goal__theme__priority__plan=plan).select_related("measure", "area")
    )
    # The tree is already in memory: give each object its parent without more queries.
    by_priority: dict[int, list[Theme]] = defaultdict(list)
    by_theme: dict[int, list[Goal]] = defaultdict(list)
    by_goal: dict[int, list[Indicator]] = defaultdict(list)
    priority_of = {p.pk: p for p in priorities}
    theme_of = {t.pk: t for t in themes}
    goal_of = {g.pk: g for g in goals}
    for priority in priorities:
        priority.plan = plan
    for theme in themes:
        theme.priority = priority_of[theme.priority_id]
        by_priority[theme.priority_id].append(theme)
    for goal in goals:
        goal.theme = theme_of[goal.theme_id]
        by_theme[goal.theme_id].append(goal)
    for indicator in indicators:
        indicator.goal = goal_of[indicator.goal_id]
        by_goal[indicator.goal_id].append(indicator)
    statuses = evaluate_indicators(indicators, since=since)
    priority_nodes = []
    all_statuses: list[Status] = []
    for priority in priorities:
        theme_nodes = []
        p_statuses: list[Status] = []
        for theme in by_priority[priority.pk]:
            goal_nodes = []
            t_statuses: list[Status] = []
            for goal in by_theme[theme.pk]:
                node = _goal_node(goal, [statuses[i.pk] for i in by_goal[goal.pk]])
                goal_nodes.append(node)
                t_statuses += [i.status for i in node.indicators]
            status, text = roll(_("theme"), t_statuses)
            theme_nodes.append(
                Node(
                    "theme",
                    theme.key,
                    theme.title,
                    status,
                    text,
                    theme,
                    tuple(goal_nodes),
                    statuses=tuple(t_statuses),
                )
            )
            p_statuses += t_statuses
        status, text = roll(_("priority"), p_statuses)
        priority_nodes.append(
            Node(
                "priority",
                priority.key,
                priority.title,
                status,
                text,
                priority,
                tuple(theme_nodes),
                statuses=tuple(p_statuses),
            )
        )
        all_statuses += p_statuses
    status, text = roll(_("plan"), all_statuses)
    return PlanEvaluation(plan, status, text, tuple(priority_nodes), statuses)
