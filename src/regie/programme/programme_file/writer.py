"""Export: a programme as plain data in a fixed key order, and as YAML (block style, Unicode,
no tags) with a short Dutch header that says what the file is and how it is read.

Exporting an imported programme gives the same data (and the same file in the same language).
Database ids, who wrote a progress note and which action of the year before an action continues
(``carried_from``) are not part of the file; the programme of the period before is, by its
period (``predecessor``), and linked on import when the database has it.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from typing import Any

import yaml
from django.utils import timezone
from django.utils.translation import gettext as _

from regie.policy.models import CapacityLine, Goal, Theme
from regie.programme import selectors
from regie.programme.models import Action, Programme

#: The format name a programme file carries (a plan file carries ``veiligheidsregie-plan/1``).
FORMAT = "veiligheidsregie-programma/1"


def money(value: Decimal | None) -> int | float | None:
    """Whole euros as an int, an amount with cents as a YAML number (12000.5)."""
    if value is None:
        return None
    if value == value.to_integral_value():
        return int(value)
    return float(value)


def goal_path(goal: Goal) -> str:
    """``priority-key/theme-key/goal-key``: a goal as the file names it."""
    return selectors.goal_path(goal)


def _theme_name(line: CapacityLine, ambiguous: set[str]) -> str:
    theme = line.scenario.theme
    if theme.key in ambiguous:
        return f"{theme.priority.key}/{theme.key}"
    return theme.key


def _ambiguous_themes(programme: Programme) -> set[str]:
    """Theme keys that two priorities of the plan share: those are written with their priority."""
    themes = Theme.objects.filter(priority__plan=programme.plan)
    keys = Counter(themes.values_list("key", flat=True))
    return {key for key, count in keys.items() if count > 1}


def _action(action: Action, ambiguous: set[str]) -> dict[str, Any]:
    line = action.capacity_line
    notes = sorted(action.notes.all(), key=lambda n: (n.created_at, n.pk))
    return {
        "key": action.key,
        "title": action.title,
        "description": action.description,
        "goals": [goal_path(g) for g in action.goals.all()],
        "owner": action.owner,
        "partners": action.partners,
        "start": action.start,
        "end": action.end,
        "quarters": action.quarters,
        "budget": money(action.budget),
        "scenario_line": None
        if line is None
        else {
            "theme": _theme_name(line, ambiguous),
            "scenario": line.scenario.letter,
            "line": line.label,
        },
        "spent": money(action.spent),
        "status": action.status,
        "result": action.result,
        "lessons": action.lessons,
        "notes": [
            {
                "moment": note.moment,
                "status": note.status,
                "spent": money(note.spent),
                "text": note.text,
                "at": timezone.localtime(note.created_at).isoformat(timespec="seconds"),
            }
            for note in notes
        ],
    }


def export_programme(programme: Programme) -> dict[str, Any]:
    """The programme as plain data, in the order a reader expects."""
    programme = selectors.programmes_of(programme.organisation).get(pk=programme.pk)
    ambiguous = _ambiguous_themes(programme)
    data: dict[str, Any] = {
        "format": FORMAT,
        "gemeente": programme.organisation.cbs_code,
        "plan": {"start_year": programme.plan.start_year, "version": programme.plan.version},
        "period": programme.period,
        "title": programme.title,
        "summary": programme.summary,
        "state": programme.state,
        "adopted_on": programme.adopted_on,
        "predecessor": programme.predecessor.period if programme.predecessor else None,
        "actions": [_action(a, ambiguous) for a in selectors.actions_of(programme)],
        "evaluation": {
            "summary": programme.evaluation_summary,
            "proposals": programme.evaluation_proposals,
        },
    }
    return data


class _Dumper(yaml.SafeDumper):
    pass


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def header() -> list[str]:
    """The comment lines that open a programme file (the reader ignores them)."""
    return [
        _("Veiligheidsregie uitvoeringsprogramma"),
        _("Read back with: regie programme import FILE (nothing is stored if anything is wrong)."),
        _("goals: priority-key/theme-key/goal-key of the plan."),
        _('Amounts in euros: a number (12000 or 12000.5) or Dutch text in quotes ("12.000,50").'),
        _("status: niet_gestart, loopt, gereed, vertraagd or vervallen."),
        _("state: concept or vastgesteld (then adopted_on is the date of the college decision)."),
    ]


def dump_data(data: dict[str, Any]) -> str:
    """The data of :func:`export_programme` as YAML, with the header comments."""
    body = yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100, indent=2)
    return "".join(f"# {line}\n" for line in header()) + body


def dump(programme: Programme) -> str:
    """The programme as the text of a programme file."""
    return dump_data(export_programme(programme))
