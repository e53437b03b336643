"""What changed between two versions of a plan, in words a council member can read.

``compare`` works on two :func:`regie.policy.plan_file.export_plan` dicts and needs no database.
Priorities, themes, goals and indicators are matched by ``key`` among their siblings; an item
whose key turns up under another parent (and nowhere else) has *moved* there. Scenarios are
matched by letter within their theme, capacity lines and budget lines by label, stated figures by
label and year. An added or removed item is one change: what it contains is implied and is not
listed item by item (except what moved in from elsewhere in the plan).

The changes come in plan order: the order of the new version, with removed items where they were
in the old one. Version, state, adoption date and status overrides are not compared: they say
how the plan came about and was judged, not what it contains.

Modules: :mod:`~regie.policy.diff.change` (a :class:`Change` and its text),
:mod:`~regie.policy.diff.display` (values in words), :mod:`~regie.policy.diff.levels` (what is
compared per level) and :mod:`~regie.policy.diff.differ` (the matching and the walk). Other code
imports from this package.
"""

from __future__ import annotations

from regie.policy.diff.change import SEPARATOR, Change, ChangeKind, Item, Section, as_text, describe
from regie.policy.diff.differ import compare, plan_changes
from regie.policy.diff.display import NOTHING, show_money, show_number, show_text
from regie.policy.diff.levels import TREE

__all__ = [
    "NOTHING",
    "SEPARATOR",
    "TREE",
    "Change",
    "ChangeKind",
    "Item",
    "Section",
    "as_text",
    "compare",
    "describe",
    "plan_changes",
    "show_money",
    "show_number",
    "show_text",
]
