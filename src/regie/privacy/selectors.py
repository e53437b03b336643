"""Reads of the privacy officer's pages: the read log with its filters, the retention rules,
runs and tombstones; and the context an inzage is collected in.

Apps that hold personal data take part through this public module (the import boundaries let
them use ``privacy.selectors`` and ``privacy.services``, and the privacy core imports no app):

- an inzage provider asks :func:`current_inzage` through which surface and for which purpose
  it shows (set by :func:`regie.privacy.inzage_document.collect`);
- an app with retention rules lends them to the retention page with
  :func:`register_retention_rules`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from regie.core.models import Organisation
from regie.privacy.models import ReadLogEntry, RetentionRun, Surface, Tombstone

#: The processing activity of an inzage unless another is chosen.
DEFAULT_INZAGE_PURPOSE = "rechten-betrokkene"

#: Runs shown on the retention page.
RECENT_RUNS = 20


@dataclass(frozen=True)
class ReadLogFilter:
    """What the privacy officer searches the read log for (every part optional)."""

    date_from: dt.date | None = None
    date_to: dt.date | None = None
    user: str = ""
    object_ref: str = ""
    activity: str = ""
    surface: str = ""
    operation: str = ""

    @classmethod
    def of(cls, data: dict[str, Any]) -> ReadLogFilter:
        return cls(
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            user=(data.get("user") or "").strip(),
            object_ref=(data.get("object_ref") or "").strip(),
            activity=data.get("activity") or "",
            surface=data.get("surface") or "",
            operation=(data.get("operation") or "").strip(),
        )

    def is_empty(self) -> bool:
        return self == ReadLogFilter()


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def read_log(organisation: Organisation, filters: ReadLogFilter) -> QuerySet[ReadLogEntry]:
    """The organisation's read-log entries matching ``filters``, newest first. Days are
    Amsterdam days; the "to" day is included."""
    rows = ReadLogEntry.objects.filter(organisation=organisation)
    if filters.date_from:
        rows = rows.filter(at__gte=_day_start(filters.date_from))
    if filters.date_to:
        rows = rows.filter(at__lt=_day_start(filters.date_to + dt.timedelta(days=1)))
    if filters.user:
        rows = rows.filter(actor_label__iexact=filters.user)
    if filters.object_ref:
        rows = rows.filter(object_ref__iexact=filters.object_ref)
    if filters.activity:
        rows = rows.filter(processing_activity_code=filters.activity)
    if filters.surface:
        rows = rows.filter(surface=filters.surface)
    if filters.operation:
        rows = rows.filter(operation__iexact=filters.operation)
    return rows.select_related("processing_activity").order_by("-at", "-pk")


def operations(organisation: Organisation) -> list[str]:
    """The operations that occur in the organisation's read log (for the filter)."""
    return sorted(
        set(
            ReadLogEntry.objects.filter(organisation=organisation)
            .values_list("operation", flat=True)
            .distinct()
        )
    )


def iterate(rows: QuerySet[ReadLogEntry]) -> Iterator[ReadLogEntry]:
    """The rows in chunks (an export of the whole log keeps memory flat)."""
    return rows.iterator(chunk_size=2000)


_labels: dict[str, dict[str, Any]] = {}


def register_labels(kind: str, labels: dict[str, Any]) -> None:
    """Let an app name its codes on the privacy officer's pages: ``kind`` is "field" (read-log
    fields), "operation", "count" (retention counts) or "outcome" (tombstones)."""
    _labels.setdefault(kind, {}).update(labels)


def label(kind: str, code: str) -> str:
    """The Dutch name of a code (the code itself when no app named it)."""
    found = _labels.get(kind, {}).get(code)
    if found is None and ":" in code:  # "hermeldingen:person"
        head, _sep, tail = code.partition(":")
        found = _labels.get(kind, {}).get(head)
        return f"{found} ({label('kind', tail)})" if found is not None else code
    return str(found) if found is not None else code


@dataclass(frozen=True)
class RunRow:
    run: RetentionRun
    #: The run's counts for this gemeente only, named: (label, number).
    counts: list[tuple[str, int]]


def recent_runs(organisation: Organisation) -> list[RunRow]:
    """The last retention runs with this gemeente's own counts (a run covers the installation;
    another gemeente's counts are not shown)."""
    rows = []
    for run in RetentionRun.objects.order_by("-started_at", "-pk")[:RECENT_RUNS]:
        own = (run.per_organisation or {}).get(str(organisation.pk)) or {}
        rows.append(RunRow(run, [(label("count", k), int(v)) for k, v in sorted(own.items())]))
    return rows


def tombstones(organisation: Organisation) -> QuerySet[Tombstone]:
    return Tombstone.objects.filter(organisation=organisation).order_by("-at", "-pk")


# --- Retention rules, lent by the apps that keep personal data ---------------------------------


@dataclass(frozen=True)
class RetentionRuleRow:
    """One effective retention rule as the privacy officer reads it (texts, no app types)."""

    action: str
    category: str
    outcome: str
    months: int
    starts: str
    source: str
    is_default: bool
    name: str = ""


RetentionRules = Callable[[Organisation], list[RetentionRuleRow]]
_retention_rules: dict[str, RetentionRules] = {}


def register_retention_rules(name: str, rules: RetentionRules) -> None:
    _retention_rules[name] = rules


def retention_rules(organisation: Organisation) -> list[RetentionRuleRow] | None:
    """Every registered app's effective rules for ``organisation``; None when no app lends
    any (the page says so)."""
    if not _retention_rules:
        return None
    rows: list[RetentionRuleRow] = []
    for _name, rules in sorted(_retention_rules.items()):
        rows.extend(rules(organisation))
    return rows


# --- The inzage being collected ------------------------------------------------------------


@dataclass(frozen=True)
class InzageRequest:
    """Through which surface an inzage is shown, and why (the code of a processing activity
    of each gemeente concerned)."""

    surface: str
    purpose: str = DEFAULT_INZAGE_PURPOSE


_inzage: ContextVar[InzageRequest | None] = ContextVar("regie_inzage_request", default=None)


def current_inzage(reader: Any) -> InzageRequest:
    """The inzage being collected; outside one a command reader (no user) counts as the
    ``command`` surface and a user as ``export``, with the default purpose."""
    found = _inzage.get()
    if found is not None:
        return found
    user = getattr(reader, "user", None)
    return InzageRequest(surface=Surface.COMMAND if user is None else Surface.EXPORT)


@contextlib.contextmanager
def inzage_requested(request: InzageRequest) -> Iterator[None]:
    token = _inzage.set(request)
    try:
        yield
    finally:
        _inzage.reset(token)
