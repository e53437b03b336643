"""Effort (inspanning): how far the actions for a goal are, rolled up on its own.

Effort is never combined with effect (the indicators' status, :mod:`regie.policy.engine`): a goal
shows both, each with its own name, because doing every action says nothing about whether the
figures moved, and figures can move without any action.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from regie.programme.models import ActionStatus


class Effort(StrEnum):
    NO_ACTIONS = "geen_acties"
    ALL_DROPPED = "alle_vervallen"
    NOT_STARTED = "niet_gestart"
    ON_SCHEDULE = "volgens_planning"
    BEHIND = "achter"
    COMPLETED = "uitgevoerd"


def effort_label(effort: Effort) -> str:
    return {
        Effort.NO_ACTIONS: _("No actions"),
        Effort.ALL_DROPPED: _("All actions dropped"),
        Effort.NOT_STARTED: _("Not started"),
        Effort.ON_SCHEDULE: _("On schedule"),
        Effort.BEHIND: _("Behind schedule"),
        Effort.COMPLETED: _("Carried out"),
    }[effort]


#: The order statuses are listed in (tables, counts).
STATUS_ORDER = (
    ActionStatus.NOT_STARTED,
    ActionStatus.RUNNING,
    ActionStatus.DELAYED,
    ActionStatus.DONE,
    ActionStatus.DROPPED,
)


@dataclass(frozen=True)
class EffortSummary:
    effort: Effort
    counts: dict[str, int]  # per ActionStatus value, every status present (0 or more)
    total: int

    @property
    def label(self) -> str:
        return effort_label(self.effort)

    @property
    def explanation(self) -> str:
        """One sentence: what the counts are (never a word about the indicators)."""
        if not self.total:
            return _("No action of the programme works towards this goal.")
        parts = [
            f"{ActionStatus(s).label.lower()}: {self.counts[s.value]}"
            for s in STATUS_ORDER
            if self.counts[s.value]
        ]
        return ngettext("%(n)s action: %(parts)s.", "%(n)s actions: %(parts)s.", self.total) % {
            "n": self.total,
            "parts": ", ".join(parts),
        }

    def as_dict(self) -> dict[str, object]:
        return {
            "effort": self.effort.value,
            "label": self.label,
            "explanation": self.explanation,
            "counts": dict(self.counts),
            "total": self.total,
        }


def summarise(statuses: Iterable[str]) -> EffortSummary:
    """The effort of a set of actions from their statuses.

    - none: *no actions*; every one dropped: *all actions dropped*;
    - any delayed: *behind schedule*;
    - every one done or dropped (at least one done): *carried out*;
    - none started yet (dropped ones aside): *not started*;
    - otherwise: *on schedule*.
    """
    counted = Counter(str(s) for s in statuses)
    counts = {s.value: counted.get(s.value, 0) for s in STATUS_ORDER}
    total = sum(counts.values())
    live = total - counts[ActionStatus.DROPPED]
    if total == 0:
        effort = Effort.NO_ACTIONS
    elif live == 0:
        effort = Effort.ALL_DROPPED
    elif counts[ActionStatus.DELAYED]:
        effort = Effort.BEHIND
    elif counts[ActionStatus.DONE] and counts[ActionStatus.DONE] == live:
        effort = Effort.COMPLETED
    elif counts[ActionStatus.NOT_STARTED] == live:
        effort = Effort.NOT_STARTED
    else:
        effort = Effort.ON_SCHEDULE
    return EffortSummary(effort, counts, total)
