"""What an import reports: counts, problems grouped by kind, rows skipped.

:class:`ErrorLog` and :class:`SkipLog` collect the problems and skipped rows of a file in
bounded memory while it is read; :class:`ImportReport` is what :func:`~regie.monitor.services
.import_rows` returns and the batch keeps (:meth:`ImportReport.stored_errors`), and
:func:`error_groups_of` groups a batch's stored errors again for the pages.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from regie.monitor.models import BatchState
from regie.monitor.sources.base import RowError, SkipReason, clean_label, gettext_noop

#: Errors kept in a report (examples); further rejected rows are only counted.
MAX_ERRORS = 200
#: Examples kept of each kind of error (the first ones of the file), so that a second kind of
#: problem is not hidden behind many examples of the first.
EXAMPLES_PER_KIND = 5
#: Kinds of error counted one by one; problems of further kinds are counted together.
MAX_ERROR_KINDS = 30
#: Names of pseudo-regions shown in the report of the rows skipped for them.
SKIP_EXAMPLES = 3


#: The kind of the errors of rows that repeat an earlier row (their messages name that row).
REPEATED_ROW = gettext_noop("repeats an earlier row (same area, measure and period)")
#: The kind of the errors of figures of an area for a period after it ceased to exist.
CEASED_AREA = gettext_noop("the area no longer existed in that period")
#: The group of the problems of kinds beyond :data:`MAX_ERROR_KINDS`.
OTHER_PROBLEMS = gettext_noop("other problems")


@dataclass
class ErrorGroup:
    """The problems of one kind: how many, and the first examples (row, column, value)."""

    kind: str
    count: int
    examples: list[RowError] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "count": self.count,
            "examples": [_error_dict(e) for e in self.examples],
        }


class ErrorLog:
    """The problems of an import, in bounded memory.

    Every problem is counted, per kind (its message; the first :data:`MAX_ERROR_KINDS` kinds in
    order of appearance, later kinds together). At most :data:`MAX_ERRORS` examples are kept, in
    file order; when they are full, an example of a kind with fewer than
    :data:`EXAMPLES_PER_KIND` examples replaces the last example of the kind with the most.
    """

    def __init__(self) -> None:
        #: the examples kept, each with its kind
        self.kept: list[tuple[str, RowError]] = []
        self.total = 0
        self.other = 0
        self._counts: dict[str, int] = {}
        self._kept_of: dict[str, int] = {}
        #: the first problem of each kind counted (names the kind: see :mod:`.texts`)
        self.first: dict[str, RowError] = {}
        self._evictable = True

    def __len__(self) -> int:
        return self.total

    def __bool__(self) -> bool:
        return self.total > 0

    @property
    def examples(self) -> list[RowError]:
        return [error for _kind, error in self.kept]

    def add(self, error: RowError, kind: str | None = None) -> None:
        if kind is None:
            kind = error.msgid or error.message
        self.total += 1
        count = self._counts.get(kind)
        if count is None and len(self._counts) >= MAX_ERROR_KINDS:
            self.other += 1
            if len(self.kept) < MAX_ERRORS:
                self._keep(kind, error)
            return
        if count is None:
            self.first[kind] = error
        self._counts[kind] = (count or 0) + 1
        if len(self.kept) < MAX_ERRORS:
            self._keep(kind, error)
        elif self._evictable and self._kept_of.get(kind, 0) < EXAMPLES_PER_KIND:
            most = max(self._kept_of, key=self._kept_of.__getitem__)
            if self._kept_of[most] > EXAMPLES_PER_KIND:
                last = max(i for i, (k, _e) in enumerate(self.kept) if k == most)
                del self.kept[last]
                self._kept_of[most] -= 1
                self._keep(kind, error)
            else:
                # Full, and no kind has more than its share: that stays so (nothing is added
                # any more but by replacing).
                self._evictable = False

    def _keep(self, kind: str, error: RowError) -> None:
        self.kept.append((kind, error))
        self._kept_of[kind] = self._kept_of.get(kind, 0) + 1

    def extend(self, errors: Iterable[RowError]) -> None:
        for error in errors:
            self.add(error)

    def groups(self) -> list[ErrorGroup]:
        """The kinds in order of first appearance, with their count and first examples."""
        groups: dict[str, ErrorGroup] = {
            kind: ErrorGroup(kind, count) for kind, count in self._counts.items()
        }
        for kind, error in self.kept:
            group = groups.get(kind)
            if group is not None and len(group.examples) < EXAMPLES_PER_KIND:
                group.examples.append(error)
        result = list(groups.values())
        if self.other:
            other = ErrorGroup(OTHER_PROBLEMS, self.other)
            other.examples = [e for k, e in self.kept if k not in groups][:EXAMPLES_PER_KIND]
            result.append(other)
        return result

    def kinds(self) -> list[str]:
        """The kind of each example (parallel to :attr:`examples`)."""
        return [kind if kind in self._counts else OTHER_PROBLEMS for kind, _e in self.kept]


def _error_dict(error: RowError) -> dict[str, Any]:
    return {
        "row": error.line,
        "column": error.column,
        "value": error.value,
        "message": error.message,
    }


class SkipLog:
    """Rows passed over (see :class:`SkipReason`): counted once per file row and reason, with the
    first few values (the names of the pseudo-regions) for the report."""

    def __init__(self) -> None:
        self.counts: dict[str, int] = {reason.value: 0 for reason in SkipReason}
        self.examples: dict[str, list[str]] = {reason.value: [] for reason in SkipReason}
        self.more: dict[str, bool] = {reason.value: False for reason in SkipReason}
        self._last: dict[str, int] = {}

    def add(self, line: int, reason: str, value: str = "") -> None:
        if self._last.get(reason) == line:
            return  # another value of the same file row (a wide row)
        self._last[reason] = line
        self.counts[reason] = self.counts.get(reason, 0) + 1
        shown = self.examples.setdefault(reason, [])
        value = clean_label(value)
        if value and value not in shown:
            if len(shown) < SKIP_EXAMPLES:
                shown.append(value)
            else:
                self.more[reason] = True


@dataclass
class ImportReport:
    batch_id: int | None
    state: str
    dataset: str
    #: file rows read (a wide row with seven values is one row), skipped rows included
    rows_read: int = 0
    #: values read (figures of area × measure × period, rejected ones included)
    values: int = 0
    stored: int = 0
    unchanged: int = 0
    revised: int = 0
    #: file rows with at least one problem
    rejected: int = 0
    #: the first problems (at most :data:`MAX_ERRORS`; see :class:`ErrorLog`)
    errors: list[RowError] = field(default_factory=list)
    #: the problems per kind, in order of first appearance
    error_groups: list[ErrorGroup] = field(default_factory=list)
    #: the kind of each of :attr:`errors` (as :attr:`ErrorGroup.kind`)
    error_kinds: list[str] = field(default_factory=list)
    #: file rows passed over, per :class:`SkipReason`
    skipped: dict[str, int] = field(
        default_factory=lambda: {reason.value: 0 for reason in SkipReason}
    )
    #: the first values of the skipped rows per reason (pseudo-region names), and whether
    #: there were more
    skipped_examples: dict[str, list[str]] = field(default_factory=dict)
    skipped_more: dict[str, bool] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    period_first: dt.date | None = None
    period_last: dt.date | None = None
    #: why the file as a whole could not be read (unknown format, too large, damaged …)
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.state in (BatchState.DONE, BatchState.DRY_RUN)

    @property
    def skipped_rows(self) -> int:
        return sum(self.skipped.values())

    def summary(self) -> str:
        text = _(
            "%(read)s (%(values)s): %(stored)s new, %(unchanged)s unchanged, %(revised)s "
            "revised, %(rejected)s"
        ) % {
            "read": ngettext("%(n)s row read", "%(n)s rows read", self.rows_read)
            % {"n": count_text(self.rows_read)},
            "values": ngettext("%(n)s value", "%(n)s values", self.values)
            % {"n": count_text(self.values)},
            "stored": count_text(self.stored),
            "unchanged": count_text(self.unchanged),
            "revised": count_text(self.revised),
            "rejected": ngettext("%(n)s row rejected", "%(n)s rows rejected", self.rejected)
            % {"n": count_text(self.rejected)},
        }
        skipped = self.skipped_text()
        return f"{text}; {skipped}" if skipped else text

    def skipped_text(self) -> str:
        """ "12 rijen overgeslagen: 8 met een pseudo-regio (Buitenland, …), 4 zonder waarde"."""
        total = self.skipped_rows
        if not total:
            return ""
        parts: list[str] = []
        pseudo = self.skipped.get(SkipReason.PSEUDO_REGION, 0)
        if pseudo:
            names = list(self.skipped_examples.get(SkipReason.PSEUDO_REGION, []))
            if self.skipped_more.get(SkipReason.PSEUDO_REGION):
                names.append("…")
            part = _("%(n)s with a pseudo-region") % {"n": count_text(pseudo)}
            if names:
                part = _("%(n)s with a pseudo-region (%(names)s)") % {
                    "n": count_text(pseudo),
                    "names": ", ".join(names),
                }
            parts.append(part)
        empty = self.skipped.get(SkipReason.EMPTY, 0)
        if empty:
            parts.append(_("%(n)s without a value") % {"n": count_text(empty)})
        ceased = self.skipped.get(SkipReason.CEASED, 0)
        if ceased:
            parts.append(
                _(
                    "%(n)s of a former gemeente after it ceased to exist, without a figure or "
                    "with its population on that day (%(names)s)"
                )
                % {
                    "n": count_text(ceased),
                    "names": ", ".join(self.skipped_examples.get(SkipReason.CEASED, [])),
                }
            )
        return ngettext(
            "%(n)s row skipped: %(reasons)s", "%(n)s rows skipped: %(reasons)s", total
        ) % {"n": count_text(total), "reasons": ", ".join(parts)}

    def as_dict(self) -> dict[str, Any]:
        return {
            "batch": self.batch_id,
            "state": self.state,
            "dataset": self.dataset,
            "rows_read": self.rows_read,
            "values": self.values,
            "stored": self.stored,
            "unchanged": self.unchanged,
            "revised": self.revised,
            "rejected": self.rejected,
            "skipped": dict(self.skipped),
            "skipped_text": self.skipped_text(),
            "errors": [_error_dict(e) for e in self.errors],
            "error_groups": [group.as_dict() for group in self.error_groups],
            "error": self.error or None,
            "notes": self.notes,
            "period_first": self.period_first.isoformat() if self.period_first else None,
            "period_last": self.period_last.isoformat() if self.period_last else None,
        }

    def stored_errors(self) -> list[dict[str, Any]]:
        """The examples as the batch keeps them: each with its kind and the kind's count, so
        that the pages can group them (:func:`error_groups_of`)."""
        counts = {group.kind: group.count for group in self.error_groups}
        kinds = self.error_kinds if len(self.error_kinds) == len(self.errors) else []
        stored: list[dict[str, Any]] = []
        for index, error in enumerate(self.errors):
            kind = kinds[index] if kinds else error.message
            stored.append({**_error_dict(error), "kind": kind, "kind_count": counts.get(kind, 0)})
        return stored


def count_text(n: int) -> str:
    """A count in the user's notation (grouped thousands)."""
    return formats.number_format(n, force_grouping=True)


def error_groups_of(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The error groups of a batch's stored errors (see :meth:`ImportReport.stored_errors`):
    kinds in order of first appearance, their count and first examples."""
    groups: dict[str, dict[str, Any]] = {}
    for error in errors:
        if not isinstance(error, dict):
            continue
        kind = str(error.get("kind") or error.get("message", ""))
        group = groups.get(kind)
        if group is None:
            count = error.get("kind_count")
            group = groups[kind] = {
                "kind": kind,
                "count": count if isinstance(count, int) and count > 0 else 0,
                "examples": [],
                "counted": isinstance(count, int) and count > 0,
            }
        if not group["counted"]:
            group["count"] += 1
        if len(group["examples"]) < EXAMPLES_PER_KIND:
            group["examples"].append(error)
    for group in groups.values():
        del group["counted"]
    return list(groups.values())


def keep_errors(errors: list[RowError] | ErrorLog, more: Iterable[RowError]) -> None:
    """Add ``more`` to ``errors``, keeping at most :data:`MAX_ERRORS` (the rest is counted only)."""
    if isinstance(errors, ErrorLog):
        errors.extend(more)
        return
    room = MAX_ERRORS - len(errors)
    if room > 0:
        errors.extend(itertools.islice(more, room))
