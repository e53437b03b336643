"""The problems and notes of an import in the user's language.

Adapters and the row reader name problems by msgid with placeholders (see
:class:`~regie.monitor.sources.base.RowError`, :class:`~regie.monitor.sources.base.Note`): they
are translated here, when the report is made, not while the file is read.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from regie.monitor.services.reports import (
    OTHER_PROBLEMS,
    ErrorGroup,
    ErrorLog,
    ImportReport,
    SkipLog,
)
from regie.monitor.sources.base import FormatError, Note, RowError


def format_error_text(exc: FormatError) -> str:
    """What is wrong with the file as a whole, in the user's language (see :class:`FormatError`)."""
    return exc.text(_)


def note_text(note: str) -> str:
    """An adapter's note in the user's language (a :class:`Note` with its placeholders)."""
    return note.text(_) if isinstance(note, Note) else _(note)


def failure_note(*, dry_run: bool) -> str:
    """The note of a check or import stopped by an unexpected error (its details are logged,
    see :func:`batches.log_failure`: an exception's text may hold internals or file values)."""
    if dry_run:
        return _(
            "The check stopped because of an error in the program; nothing was stored. "
            "Report this to the administrator."
        )
    return _(
        "The import stopped because of an error in the program; nothing was stored. "
        "Report this to the administrator."
    )


def _translated(error: RowError) -> RowError:
    return RowError(error.line, error.column, error.value, error.text(_))


class _Elided(dict[str, object]):
    """Placeholders of a kind's message, each shown as "…" (the examples hold the values)."""

    def __missing__(self, key: str) -> str:
        return "…"


def _kind_text(kind: str, first: RowError | None) -> str:
    """The name of a kind of problem in the user's language: its message, with "…" for what
    varies from row to row."""
    if first is not None and first.msgid and first.params:
        try:
            return _(first.msgid) % _Elided()
        except (TypeError, ValueError):
            return first.text(_)
    return _(kind)


def set_errors(report: ImportReport, errors: ErrorLog) -> None:
    """The problems of ``errors`` on ``report``, in the user's language."""
    names = {kind: _kind_text(kind, first) for kind, first in errors.first.items()}
    names[OTHER_PROBLEMS] = _(OTHER_PROBLEMS)
    report.errors = [_translated(e) for e in errors.examples]
    report.error_kinds = [names.get(kind, _(kind)) for kind in errors.kinds()]
    report.error_groups = [
        ErrorGroup(
            names.get(group.kind, _(group.kind)),
            group.count,
            [_translated(e) for e in group.examples],
        )
        for group in errors.groups()
    ]


def set_skipped(report: ImportReport, skips: SkipLog) -> None:
    """The rows ``skips`` counted on ``report``; the report's notes say it in words."""
    report.skipped = dict(skips.counts)
    report.skipped_examples = {k: list(v) for k, v in skips.examples.items() if v}
    report.skipped_more = {k: v for k, v in skips.more.items() if v}
    text = report.skipped_text()
    if text and text not in report.notes:
        report.notes.insert(0, text)
