"""Roll-up of statuses (action → goal → theme → priority → plan) and their labels."""

from __future__ import annotations

from collections.abc import Sequence

from regie.policy.engine.types import SEVERITY, STATUS_LABELS, Status

# --- roll-up and labels -----------------------------------------------------------------------


def roll_up(statuses: Sequence[Status]) -> Status:
    """The least favourable status (see :data:`SEVERITY`), leaving out "no new measurement".

    NO_MEASUREMENT only when every status is NO_MEASUREMENT, or there are none. Show it with
    :func:`count_statuses`: one verdict alone hides how many indicators have it.
    """
    measured = [Status(s) for s in statuses if Status(s) != Status.NO_MEASUREMENT]
    if not measured:
        return Status.NO_MEASUREMENT
    return max(measured, key=SEVERITY.index)


def count_statuses(statuses: Sequence[Status]) -> dict[Status, int]:
    """How many of ``statuses`` have each status, in :data:`SEVERITY` order, then "no new
    measurement" (the indicators that could not be judged); every status present, 0 or not."""
    counts = dict.fromkeys((*SEVERITY, Status.NO_MEASUREMENT), 0)
    for status in statuses:
        counts[Status(status)] += 1
    return counts


def status_label(status: Status) -> str:
    """The council's word for ``status`` in the active language (Dutch by default)."""
    return str(STATUS_LABELS[Status(status)])
