"""One difference between two versions of a plan, and the differences as readable lines."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from django.utils.translation import gettext as _

ChangeKind = Literal["added", "removed", "changed", "moved"]
Section = Literal["plan", "structure", "indicators", "scenarios", "budget"]


SEPARATOR = " \N{SINGLE RIGHT-POINTING ANGLE QUOTATION MARK} "
"""Between the parts of a path (a single right-pointing angle quotation mark)."""

Item = dict[str, Any]


@dataclass(frozen=True)
class Change:
    """One difference. ``path`` names the item from the plan down (empty: the plan itself).

    ``field`` is the changed field's label ("" when an item was added or removed). ``old`` and
    ``new`` are display strings: for a change or a move the value before and after; for an added
    (removed) item ``new`` (``old``) briefly describes it, often "", and the other side is "".
    """

    kind: ChangeKind
    path: tuple[str, ...]
    field: str
    old: str
    new: str
    section: Section


def _one_line(text: str) -> str:
    return " ".join(text.split())


def describe(change: Change) -> str:
    """One readable line: what happened, where, and (for a change) from what to what."""
    words = {
        "added": _("Added"),
        "removed": _("Removed"),
        "changed": _("Changed"),
        "moved": _("Moved"),
    }
    where = SEPARATOR.join(change.path) or _("Plan")
    text = f"{words[change.kind]}: {where}"
    if change.field:
        text += f" — {change.field}: {change.old} → {change.new}"
    elif change.new or change.old:
        text += f" ({change.new or change.old})"
    return _one_line(text)


def as_text(changes: Sequence[Change]) -> str:
    """The changes one per line, in plan order; a short message when there are none."""
    if not changes:
        return _("No differences with the previous version.")
    return "\n".join(describe(change) for change in changes)
