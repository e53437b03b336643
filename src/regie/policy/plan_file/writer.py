"""Export: a plan as plain data in a fixed key order, and as YAML (block style, Unicode, no
tags). Exporting an imported plan gives the same file byte for byte.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import yaml

from regie.policy.engine import TargetKind
from regie.policy.models import (
    Goal,
    Indicator,
    Plan,
    Priority,
    Theme,
)
from regie.policy.plan_file.common import FORMAT


def money(value: Decimal | None) -> int | str | None:
    """Whole euros as an int; anything else as an exact decimal string."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else format(value.normalize(), "f")


def _number(value: float | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if float(value).is_integer() else float(value)


def _fte(value: Decimal | None) -> int | float | None:
    return None if value is None else _number(float(value))


def _codes(themes: Any) -> list[str]:
    return sorted(t.code for t in themes.all())


def export_plan(plan: Plan) -> dict[str, Any]:
    """The plan as plain data, in the order a reader expects."""
    plan = (
        Plan.objects.select_related("organisation")
        .prefetch_related(
            "priorities__themes__safety_themes",
            "priorities__themes__goals__safety_themes",
            "priorities__themes__goals__indicators__measure",
            "priorities__themes__goals__indicators__area",
            "priorities__themes__goals__indicators__overrides__created_by",
            "priorities__themes__scenarios__lines",
            "budget_lines",
            "stated_figures",
        )
        .get(pk=plan.pk)
    )
    data: dict[str, Any] = {
        "format": FORMAT,
        "gemeente": plan.organisation.cbs_code,
        "title": plan.title,
        "summary": plan.summary,
        "period": {"start": plan.start_year, "end": plan.end_year},
        "state": plan.state,
        "adopted_on": plan.adopted_on.isoformat() if plan.adopted_on else None,
        "version": plan.version,
        "scenario_decision": {
            "decided_on": plan.decision_date.isoformat() if plan.decision_date else None,
            "costs_start": plan.costs_start.isoformat() if plan.costs_start else None,
        },
        "priorities": [_priority(p) for p in plan.priorities.all()],
        "budget": _budget(plan),
        "stated_figures": [
            {
                "label": s.label,
                "year": s.year,
                "through_end": s.through_end,
                "amount": money(s.amount),
                "note": s.note,
            }
            for s in plan.stated_figures.all()
        ],
    }
    return data


def _priority(priority: Priority) -> dict[str, Any]:
    return {
        "key": priority.key,
        "kind": priority.kind,
        "title": priority.title,
        "description": priority.description,
        "aim": priority.aim,
        "themes": [_theme(t) for t in priority.themes.all()],
    }


def _theme(theme: Theme) -> dict[str, Any]:
    return {
        "key": theme.key,
        "title": theme.title,
        "description": theme.description,
        "kbv": _codes(theme.safety_themes),
        "goals": [_goal(g) for g in theme.goals.all()],
        "scenarios": [
            {
                "letter": s.letter,
                "title": s.title,
                "description": s.description,
                "chosen": s.chosen,
                "lines": [
                    {
                        "label": line.label,
                        "fte_extra": _fte(line.fte_extra),
                        "fte_total": _fte(line.fte_total),
                        "amount": money(line.amount),
                        "cap": money(line.cap),
                        "note": line.note,
                    }
                    for line in s.lines.all()
                ],
            }
            for s in theme.scenarios.all()
        ],
    }


def _goal(goal: Goal) -> dict[str, Any]:
    return {
        "key": goal.key,
        "aim": goal.aim,
        "kbv": _codes(goal.safety_themes),
        "indicators": [_indicator(i) for i in goal.indicators.all()],
    }


def _indicator(indicator: Indicator) -> dict[str, Any]:
    overrides = sorted(indicator.overrides.all(), key=lambda o: (o.created_at, o.pk))
    return {
        "key": indicator.key,
        "name": indicator.name,
        "measure": indicator.measure.code,
        "area": indicator.area.code,
        "target": target_of(indicator),
        "baseline": {
            "period": indicator.baseline_period or None,
            "value": _number(indicator.baseline_value),
        },
        "decimals": indicator.decimals,
        "overrides": [
            {
                "status": o.status or None,
                "reason": o.reason,
                "by": o.created_by.get_username() if o.created_by else None,
                "at": o.created_at.isoformat(timespec="seconds"),
            }
            for o in overrides
        ],
    }


def target_of(indicator: Indicator) -> dict[str, Any]:
    kind = TargetKind(indicator.target_kind)
    if kind == TargetKind.TRAJECTORY:
        return {
            "kind": kind.value,
            "from": {"year": indicator.start_year, "value": _number(indicator.start_value)},
            "to": {"year": indicator.end_year, "value": _number(indicator.end_value)},
        }
    if kind in (TargetKind.AT_LEAST, TargetKind.AT_MOST):
        return {"kind": kind.value, "value": _number(indicator.target_value)}
    return {"kind": kind.value}


def _budget(plan: Plan) -> list[dict[str, Any]]:
    lines: dict[str, dict[str, Any]] = {}
    for line in plan.budget_lines.all():
        entry = lines.setdefault(line.label, {"label": line.label, "note": "", "amounts": {}})
        entry["amounts"][line.year] = money(line.amount)
        if line.note and not entry["note"]:
            entry["note"] = line.note
        if line.recurring:  # only when there is one: files without structural lines unchanged
            entry.setdefault("recurring", []).append(line.year)
    return list(lines.values())


class _Dumper(yaml.SafeDumper):
    pass


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def dump(data: dict[str, Any]) -> str:
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100, indent=2)


def export_yaml(plan: Plan) -> str:
    return dump(export_plan(plan))
