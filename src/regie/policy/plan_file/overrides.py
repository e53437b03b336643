"""Status overrides in a plan file: who made one and when, only as far as the organisation's
history vouches for it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from regie.core.models import Organisation
from regie.policy.models import (
    StatusOverride,
)

#: A status override's place and content: priority, theme, goal and indicator key, status,
#: reason, author's login name (None: none) and time (UTC, whole seconds).
_OverrideKey = tuple[str, str, str, str, str, str, str | None, dt.datetime]


class _Overrides:
    """Who made a status override in the file, and when: only what the organisation's history
    vouches for.

    A file is text anyone can write, so its ``by`` and ``at`` are a claim. An override keeps them
    only when it is a faithful copy of one that exists in a plan of this organisation (the same
    indicator, status, reason, author and time: an exported plan read back, or a new version).
    Any other override is recorded as made by the importing person (none: the system) at the
    time of the import, with the file's claim kept visibly at the end of its reason.
    """

    def __init__(self, organisation: Organisation | None, user: Any) -> None:
        self.organisation = organisation
        self.user = user if getattr(user, "is_authenticated", False) else None
        self._known: dict[_OverrideKey, Any] | None = None

    def known(self) -> dict[_OverrideKey, Any]:
        if self._known is None:
            rows = StatusOverride.objects.filter(
                indicator__goal__theme__priority__plan__organisation=self.organisation
            ).select_related("created_by", "indicator__goal__theme__priority")
            self._known = {}
            for row in rows:
                goal = row.indicator.goal
                key: _OverrideKey = (
                    goal.theme.priority.key,
                    goal.theme.key,
                    goal.key,
                    row.indicator.key,
                    row.status,
                    row.reason,
                    row.created_by.get_username() if row.created_by else None,
                    _utc_second(row.created_at),
                )
                self._known[key] = row.created_by
        return self._known

    def author_and_time(
        self, place: tuple[str, str, str, str], status: str, reason: str, by: Any, at: Any
    ) -> dict[str, Any]:
        """The fields ``created_by``, ``created_at`` and ``reason`` for an override of the file."""
        when = _aware(at) if isinstance(at, dt.datetime) else None
        name = by if isinstance(by, str) else None
        if when is not None:
            key: _OverrideKey = (*place, status, reason, name, _utc_second(when))
            if key in self.known():
                return {"created_by": self.known()[key], "created_at": when, "reason": reason}
        claim = (
            _("(from the plan file: by %(by)s on %(at)s)") % {"by": name[:150], "at": _text(at)}
            if name
            else _("(from the plan file: on %(at)s)") % {"at": _text(at)}
        )
        return {
            "created_by": self.user,
            "created_at": timezone.now(),
            "reason": f"{reason} {claim}".strip(),
        }


def _aware(value: dt.datetime) -> dt.datetime:
    return value if timezone.is_aware(value) else timezone.make_aware(value)


def _utc_second(value: dt.datetime) -> dt.datetime:
    return _aware(value).astimezone(dt.UTC).replace(microsecond=0)


def _text(value: Any) -> str:
    return (value.isoformat() if isinstance(value, dt.datetime) else str(value))[:40]
