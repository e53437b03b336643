"""The locked snapshot of a report: every number its documents show, taken once.

The snapshot is plain JSON (kept in :attr:`Report.snapshot`): builders read only it and the
adviseur's text blocks, so a report rebuilt after new figures arrive shows the numbers it was
locked with. It holds

- ``status``: the plan's status momentopname, exactly as ``regie plan status --json`` prints it
  (and as the :class:`~regie.policy.models.StatusSnapshot` the report points to keeps it);
- ``indicators``: per indicator its target in words, the value as the plan shows it, and the
  figures judged with their period and source (table, import date = vintage, status);
- ``goals``: per goal the effect (its indicators' roll-up) and, apart, the effort (its actions);
- ``actions`` and ``budget`` of the uitvoeringsprogramma, and the scenario costs per year;
- for a briefing, the latest months against the same months a year before, and the statuses
  that changed since the previous briefing;
- ``capacity``: meldingen openbare ruimte per category against the chosen scenario's fte.

Money is kept exact as strings; figures as numbers.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils import timezone

from regie.monitor import selectors as figures
from regie.policy import selectors as policy
from regie.policy.models import Indicator, Plan
from regie.programme import selectors as programmes
from regie.programme.models import Action, Programme
from regie.reports.models import Report, ReportKind
from regie.reports.services import briefing

#: Bumped when the snapshot's shape changes (builders read older shapes too).
SHAPE = 1


def money(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def build(report: Report, *, status_payload: dict[str, Any] | None) -> dict[str, Any]:
    """Everything the report's documents show, read now."""
    organisation = report.organisation
    data: dict[str, Any] = {
        "shape": SHAPE,
        "taken_at": timezone.now().isoformat(timespec="seconds"),
        "data_version": figures.data_version(),
        "gemeente": {"code": organisation.cbs_code, "name": organisation.name},
        "kind": report.kind,
        "period": report.period,
    }
    if report.plan is not None:
        data |= _plan_part(report.plan, status_payload)
    if report.programme is not None:
        data |= _programme_part(report.programme, data.get("goals", []))
    if report.kind == ReportKind.BRIEFING and report.plan is not None:
        data["briefing"] = briefing.build(report, data)
    if report.plan is not None:
        data["capacity"] = programmes.capacity_overview(report.plan, until=_last_year(report))
    return data


def _last_year(report: Report) -> int:
    return int(report.period[:4])


def _plan_part(plan: Plan, status_payload: dict[str, Any] | None) -> dict[str, Any]:
    evaluation = policy.plan_evaluation(plan)
    payload = status_payload if status_payload is not None else evaluation.as_dict()
    indicators = []
    for item in evaluation.by_indicator.values():
        entry = _indicator(item)
        chart = policy.indicator_chart(item, plan)
        if chart is not None:  # the page's own chart: its spec and the table behind it
            entry["chart"] = {
                "key": chart.table.key,
                "title": chart.table.title,
                "note": chart.table.note,
                "sources": list(chart.table.sources),
                "columns": [
                    {"key": c.key, "label": c.label, "kind": c.kind, "decimals": c.decimals}
                    for c in chart.table.columns
                ],
                "rows": chart.table.rows,
                "spec": chart.spec,
                "description": chart.description,
            }
        indicators.append(entry)
    goals = []
    for priority in evaluation.priorities:
        for theme in priority.children:
            for goal in theme.children:
                goals.append(
                    {
                        "path": f"{priority.key}/{theme.key}/{goal.key}",
                        "key": goal.key,
                        "priority": priority.title,
                        "theme": theme.title,
                        "aim": goal.title,
                        "effect": {
                            "status": goal.status.value,
                            "label": policy.status_label(goal.status.value),
                            "explanation": goal.explanation,
                            "indicators": [i.indicator.key for i in goal.indicators],
                        },
                    }
                )
    return {
        "plan": {
            "id": plan.pk,
            "title": plan.title,
            "version": plan.version,
            "years": [plan.start_year, plan.end_year],
            "state": plan.state,
            "adopted_on": plan.adopted_on.isoformat() if plan.adopted_on else None,
        },
        "status": payload,
        "indicators": indicators,
        "goals": goals,
        "costs": policy.plan_costs_dict(plan),
    }


def _indicator(item: Any) -> dict[str, Any]:
    indicator: Indicator = item.indicator
    measurement = item.computed.measurement
    sources: dict[str, str] = {}
    if item.series is not None:
        for point in item.series.points:
            sources.setdefault(point.period, point.source_line)
        for point in item.series.years():
            sources[point.period] = point.source_line
    points = [
        {
            "period": m.period,
            "value": m.value,
            "whole_year": m.whole_year,
            "provisional": m.provisional,
            "source": sources.get(m.period, ""),
        }
        for m in item.measurements
    ]
    goal = indicator.goal
    return {
        "key": indicator.key,
        "goal": programmes.goal_path(goal),
        "name": indicator.name,
        "measure": {
            "code": indicator.measure.code,
            "name": indicator.measure.name,
            "unit": indicator.measure.unit,
        },
        "area": {"code": indicator.area.code, "name": indicator.area.name},
        "decimals": indicator.decimals,
        "target": policy.describe_target(indicator),
        "status": item.status.value,
        "label": item.label,
        "explanation": item.explanation,
        "overridden": item.override is not None,
        "value": None if measurement is None else measurement.value,
        "value_text": policy.shown_value(
            indicator, None if measurement is None else measurement.value
        ),
        "period": None if measurement is None else measurement.period,
        "source": "" if measurement is None else sources.get(measurement.period, ""),
        "unofficial": item.unofficial_source,
        "points": points,
    }


def _action(action: Action) -> dict[str, Any]:
    latest = next(iter(action.notes.all()), None)
    line = action.capacity_line
    return {
        "key": action.key,
        "title": action.title,
        "description": action.description,
        "goals": [programmes.goal_path(g) for g in action.goals.all()],
        "owner": action.owner,
        "partners": action.partners,
        "start": action.start.isoformat() if action.start else None,
        "end": action.end.isoformat() if action.end else None,
        "quarters": action.quarters,
        "budget": money(action.budget),
        "spent": money(action.spent),
        "scenario": None
        if line is None
        else {
            "theme": line.scenario.theme.title,
            "letter": line.scenario.letter,
            "line": line.label,
        },
        "status": action.status,
        "status_label": str(action.get_status_display()),
        "result": action.result,
        "lessons": action.lessons,
        "progress": None
        if latest is None
        else {"moment": latest.moment, "text": latest.text, "status": latest.status},
        "carried_from": action.carried_from.programme.period if action.carried_from else None,
    }


def _programme_part(programme: Programme, goals: list[dict[str, Any]]) -> dict[str, Any]:
    actions = list(programmes.actions_of(programme))
    for goal_effort in programmes.effort_by_goal(programme, actions):
        path = programmes.goal_path(goal_effort.goal)
        for goal in goals:
            if goal["path"] == path:
                goal["effort"] = goal_effort.summary.as_dict()
                goal["actions"] = [a.key for a in goal_effort.actions]
    overall = programmes.summarise_effort(a.status for a in actions)
    return {
        "programme": {
            "id": programme.pk,
            "title": programme.title,
            "period": programme.period,
            "state": programme.state,
            "adopted_on": programme.adopted_on.isoformat() if programme.adopted_on else None,
            "summary": programme.summary,
            "evaluation_summary": programme.evaluation_summary,
            "evaluation_proposals": programme.evaluation_proposals,
            "effort": overall.as_dict(),
        },
        "actions": [_action(a) for a in actions],
        "budget": [
            {
                "priority": row.priority,
                "theme": row.theme,
                "scenario": row.scenario,
                "planned": money(row.planned),
                "spent": money(row.spent),
                "actions": row.actions,
                "unknown_spent": row.unknown_spent,
                "dropped": money(row.dropped),
            }
            for row in programmes.budget_by_theme(actions)
        ],
    }
