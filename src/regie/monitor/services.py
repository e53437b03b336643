"""Writes of the monitor: the measures catalogue and the one import service every format uses.

:func:`import_file` reads a file with the adapter of its format and hands the rows to
:func:`import_rows`, which validates every row, and stores all of them or none (one transaction):

- a row whose area, measure or period is unknown, or that repeats another row's area × measure ×
  period, is *rejected* with its row, column and value; one rejected row rejects the whole file;
- a row of a pseudo-region (Buitenland, "niet in te delen", GM0999 …) and a row without any
  value are *skipped* (:class:`~regie.monitor.sources.base.Skip`): counted per reason, never an
  error; a file with nothing but skipped rows holds no figures;
- a new value is *stored*; the same value again is *unchanged*; a different value, or another
  known status (voorlopig → definitief), for a figure already held is *revised*: the point is
  replaced and a :class:`Revision` keeps the old one. A file that does not say the status
  (``onbekend``) never changes a known status: the same value is unchanged, a new value keeps
  the status held; a known status for a value held with status ``onbekend`` is filled in
  without a revision;
- the report counts file rows (a wide row with seven values is one row) and values, and groups
  the problems by kind: a count and the first examples of each (:class:`ErrorLog`);
- ``dry_run`` compares instead of writing: the report says what would happen, and nothing but
  the batch row is written.

Figures are stored one row per series (ADR 0010): points are held per area × measure and
merged into their series in one go every :data:`FLUSH_POINTS` points, so memory stays flat for
files of millions of rows. Files an adapter can read as columns go through :mod:`regie.monitor.bulk`
first, which checks each distinct code once; anything unusual sends them to the row reader.

Reading and checking happen outside any transaction; the write is one short transaction at the
end (SQLite takes its write lock at the start of every transaction: a file being read must not
hold it, or every other user's login waits for it). The row reader's first pass keeps the checked
points (in memory, and in a temporary file beyond :data:`FLUSH_POINTS`), and the write merges them.
A check and an import hold no transaction while they read; :mod:`regie.monitor.batches` records
who runs a batch and its signs of life, and waits when the database is locked.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import io
import itertools
import pickle
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.db import connection, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from regie.areas import selectors as area_selectors
from regie.areas.models import Area, AreaLevel
from regie.core.errors import ServiceError
from regie.core.models import AuditAction, Organisation
from regie.core.services import record_event
from regie.monitor import batches, bulk, catalogue, selectors, sources
from regie.monitor.models import (
    LOCAL_TABLE_PREFIX,
    BatchState,
    Dataset,
    DerivedComponent,
    ImportBatch,
    Measure,
    Period,
    Revision,
    Series,
)
from regie.monitor.sources.base import (
    AmbiguousName,
    FormatError,
    Note,
    ReadContext,
    Row,
    RowError,
    Skip,
    SkipReason,
    Status,
    clean_label,
    gettext_noop,
    is_pseudo_region,
)
from regie.stats import periods

#: Rows between two progress reports of the row reader (the heartbeat stores them at most
#: every few seconds: see :mod:`regie.monitor.batches`).
CHUNK = 1_000
#: Errors kept in a report (examples); further rejected rows are only counted.
MAX_ERRORS = 200
#: Examples kept of each kind of error (the first ones of the file), so that a second kind of
#: problem is not hidden behind many examples of the first.
EXAMPLES_PER_KIND = 5
#: Kinds of error counted one by one; problems of further kinds are counted together.
MAX_ERROR_KINDS = 30
#: Names of pseudo-regions shown in the report of the rows skipped for them.
SKIP_EXAMPLES = 3
#: Values must be finite: JSON (the series store) has no infinity.
_HUGE = float("inf")

#: The kind of the errors of rows that repeat an earlier row (their messages name that row).
REPEATED_ROW = gettext_noop("repeats an earlier row (same area, measure and period)")
#: The kind of the errors of figures of an area for a period after it ceased to exist.
CEASED_AREA = gettext_noop("the area no longer existed in that period")
#: The group of the problems of kinds beyond :data:`MAX_ERROR_KINDS`.
OTHER_PROBLEMS = gettext_noop("other problems")


class _Rejected(Exception):
    """Raised inside the import transaction to roll it back."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(f"{len(errors)} rejected rows")
        self.errors = errors


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
        #: the first problem of each kind counted (names the kind: see :func:`_kind_text`)
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


# --- Catalogue --------------------------------------------------------------------------------


@transaction.atomic
def load_catalogue() -> int:
    """Create or update every catalogue measure and derived definition; returns how many changed."""
    specs = catalogue.all_measures()
    existing = {m.code: m for m in Measure.objects.all()}
    changed = 0
    for spec in specs:
        values = {
            "source": spec.source,
            "key": spec.key,
            "name": spec.name,
            "description": spec.description,
            "unit": spec.unit,
            "kind": spec.kind,
            "is_rollup": spec.is_rollup,
            "category": spec.category,
            "sort_order": spec.sort_order,
            "parent": existing.get(spec.parent) if spec.parent else None,
        }
        measure = existing.get(spec.code)
        if measure is None:
            measure = Measure(code=spec.code, **values)
        elif all(getattr(measure, k) == v for k, v in values.items()):
            continue
        else:
            for k, v in values.items():
                setattr(measure, k, v)
        measure.save()
        existing[spec.code] = measure
        changed += 1
    for spec in specs:
        if spec.components:
            derived = existing[spec.code]
            wanted = {existing[c].pk for c in spec.components}
            have = set(
                DerivedComponent.objects.filter(derived=derived).values_list(
                    "component_id", flat=True
                )
            )
            for pk in wanted - have:
                DerivedComponent.objects.create(derived=derived, component_id=pk)
            DerivedComponent.objects.filter(
                derived=derived, component_id__in=have - wanted
            ).delete()
    return changed


@transaction.atomic
def define_derived_measure(
    *,
    key: str,
    name: str,
    components: list[str],
    description: str = "",
    organisation: Organisation | None = None,
) -> Measure:
    """Define (or redefine) ``derived:<key>`` as the sum of ``components`` (measure codes)."""
    found = {m.code: m for m in Measure.objects.filter(code__in=components)}
    missing = [c for c in components if c not in found]
    if missing:
        raise ServiceError(_("Unknown measures: %(codes)s") % {"codes": ", ".join(missing)})
    if any(m.is_derived for m in found.values()):
        raise ServiceError(_("A derived measure cannot contain another derived measure."))
    for measure in found.values():
        ancestor = measure.parent
        while ancestor is not None:
            if ancestor.code in found:
                raise ServiceError(
                    _("%(total)s already contains %(part)s: adding both would count it twice.")
                    % {"total": ancestor.code, "part": measure.code}
                )
            ancestor = ancestor.parent
    units = {m.unit for m in found.values()}
    if len(units) > 1:
        raise ServiceError(_("All components of a sum must have the same unit."))
    measure, _created = Measure.objects.update_or_create(
        code=f"derived:{key}",
        defaults={
            "source": "derived",
            "key": key,
            "name": name,
            "description": description,
            "unit": units.pop() if units else "count",
            "organisation": organisation,
        },
    )
    DerivedComponent.objects.filter(derived=measure).exclude(
        component__code__in=components
    ).delete()
    for code in components:
        DerivedComponent.objects.get_or_create(derived=measure, component=found[code])
    return measure


# --- Datasets ---------------------------------------------------------------------------------


def get_or_create_dataset(
    *, table: str, source: str, title: str, organisation: Organisation | None, provenance: str = ""
) -> Dataset:
    dataset = Dataset.objects.filter(table=table, organisation=organisation).first()
    if dataset is None:
        dataset = Dataset.objects.create(
            table=table,
            source=source,
            title=title or table,
            organisation=organisation,
            provenance=provenance,
        )
    else:
        changed: list[str] = []
        if provenance and dataset.provenance != provenance:
            dataset.provenance = provenance
            changed.append("provenance")
        if title and title != dataset.title and dataset.title == dataset.table:
            dataset.title = title  # made before its file was read (a queued check): no title yet
            changed.append("title")
        if changed:
            dataset.save(update_fields=changed)
    return dataset


def local_dataset_table(organisation: Organisation) -> str:
    return f"{LOCAL_TABLE_PREFIX}{organisation.slug}"


def local_dataset(organisation: Organisation) -> Dataset:
    """The dataset of a gemeente's own figures (the template): ``lokaal:<slug>``."""
    table = local_dataset_table(organisation)
    return get_or_create_dataset(
        table=table, source="gemeente", title=table, organisation=organisation
    )


# --- Lookups for adapters ---------------------------------------------------------------------


def _norm(text: str) -> str:
    return clean_label(text).casefold()


#: The columns the service names in its errors, unless the adapter tells the file's own names
#: (``ReadContext.columns``: "area", "measure", "period", "value", "status" → column title).
DEFAULT_COLUMNS = {
    "area": "gebied",
    "measure": "maatstaf",
    "period": "periode",
    "value": "waarde",
    "status": "status",
}


class CatalogueLookup:
    """The catalogue as dictionaries: codes → ids, labels → codes, names → area codes."""

    def __init__(self, organisation: Organisation | None) -> None:
        self.organisation = organisation
        measures = selectors.visible_measures(organisation)
        self.measure_ids: dict[str, int] = {}
        self.derived: set[str] = set()
        self._labels: dict[tuple[str, str], str] = {}
        for code, pk, source, name, key in measures.values_list(
            "code", "id", "source", "name", "key"
        ):
            self.measure_ids[code] = pk
            if source == "derived":
                self.derived.add(code)
            for label in (name, key, f"{key} {name}"):
                self._labels.setdefault((source, _norm(label)), code)
        # Labels the catalogue states explicitly; for incident feeds they win over a key that
        # happens to match: the Misdaad-in-kaart type "Woninginbraak" is local:mik_woninginbraak,
        # not local:woninginbraak (the figure the police report to the gemeente), whose key a
        # gemeente may still write in its own template.
        self._explicit: dict[tuple[str, str], str] = {}
        for spec in catalogue.all_measures():
            for label in spec.labels:
                self._labels.setdefault((spec.source, _norm(label)), spec.code)
                if spec.code in self.measure_ids:
                    self._explicit[(spec.source, _norm(label))] = spec.code
        self._area_ids: dict[str, int] | None = None
        #: the file's own column names (see :data:`DEFAULT_COLUMNS`), set once it is read
        self.columns: dict[str, str] = {}
        self._names: area_selectors.NameIndex | None = None
        self._ceased: dict[int, dt.date] | None = None
        self._ceased_names: dict[str, tuple[str, str]] = {}
        self._pseudo_ids: set[int] | None = None
        self.postcodes: dict[str, str] = {}

    def column(self, role: str) -> str:
        """The file's name of the column of ``role`` ("area", "measure", "period" …)."""
        return self.columns.get(role) or DEFAULT_COLUMNS.get(role, role)

    @property
    def area_ids(self) -> dict[str, int]:
        if self._area_ids is None:
            self._area_ids = dict(Area.objects.values_list("code", "id"))
        return self._area_ids

    @property
    def figure_area_ids(self) -> dict[str, int]:
        """Codes → ids of the areas a figure may be for: not the pseudo-regions (should one be
        held as an area, its figures are still skipped)."""
        pseudo = self.pseudo_ids
        return {code: pk for code, pk in self.area_ids.items() if pk not in pseudo}

    @property
    def pseudo_ids(self) -> set[int]:
        if self._pseudo_ids is None:
            self._pseudo_ids = {pk for code, pk in self.area_ids.items() if is_pseudo_region(code)}
        return self._pseudo_ids

    @property
    def ceased(self) -> dict[int, dt.date]:
        """Area id → the date it ceased to exist (former gemeenten: the herindeling)."""
        if self._ceased is None:
            self._ceased = {
                pk: ended
                for pk, ended in Area.objects.filter(valid_to__isnull=False).values_list(
                    "id", "valid_to"
                )
                if ended is not None
            }
        return self._ceased

    def ceased_error(self, line: int, code: str, period: str, ended: dt.date) -> RowError:
        """The error of a figure of an area for a period after the area ceased to exist (the
        area's name and successors read once per area, not per row)."""
        if code not in self._ceased_names:
            area = Area.objects.filter(code=code).prefetch_related("successors").first()
            self._ceased_names[code] = (
                area.name if area is not None else "",
                ", ".join(f"{s.code} {s.name}" for s in sorted(area.successors.all(), key=str))
                if area is not None
                else "",
            )
        name, successors = self._ceased_names[code]
        values = {
            "area": f"{code} {name}".strip(),
            "period": period,
            "date": formats.date_format(ended, "j F Y"),
            "successors": successors,
        }
        if successors:
            message = (
                _(
                    "%(area)s no longer existed in %(period)s: on %(date)s it became part of "
                    "%(successors)s"
                )
                % values
            )
        else:
            message = _("%(area)s no longer existed in %(period)s (it ended on %(date)s)") % values
        return RowError(line, self.column("area"), code, message)

    def measure_by_label(self, source: str, label: str) -> str | None:
        text = _norm(label)
        if source == "incidents":
            explicit = self._explicit.get(("incidents", text)) or self._explicit.get(
                ("local", text)
            )
            if explicit:
                return explicit
        code = self._labels.get((source, text))
        if code is None and source in ("incidents", "local"):
            code = self._labels.get(("local", text))
        return code

    def area_by_name(
        self,
        name: str,
        level: str | None = None,
        year: int | None = None,
        *,
        within: str | None = None,
        within_only: bool = False,
    ) -> str | None:
        """The code of the area a file names (see :func:`regie.areas.selectors.name_index`);
        raises :class:`AmbiguousName` when the name fits several areas equally well."""
        if self._names is None:
            self._names = area_selectors.name_index()  # one query, once per import
        try:
            return self._names.resolve(
                name, level=level, year=year, within=within, within_only=within_only
            )
        except area_selectors.AmbiguousAreaName as exc:
            candidates = tuple(f"{code} {area_name}" for code, area_name, _level in exc.candidates)
            listed = ", ".join(
                f"{code} {area_name} ({_level_label(level_)})"
                for code, area_name, level_ in exc.candidates
            )
            raise AmbiguousName(
                _("'%(name)s' could be several areas: %(candidates)s; use the code")
                % {"name": clean_label(name), "candidates": listed},
                candidates,
            ) from exc

    def area_by_postcode(self, pc4: str) -> str | None:
        return self.postcodes.get(pc4.strip()[:4])

    def context(self, *, table: str = "") -> ReadContext:
        return ReadContext(
            table=table,
            measure_by_label=self.measure_by_label,
            area_by_name=self.area_by_name,
            area_by_postcode=self.area_by_postcode,
            # local figures of an organisation: only its own areas and measures (sources.local)
            own_gemeente=self.organisation.cbs_code if self.organisation is not None else None,
        )


def _level_label(level: str) -> str:
    try:
        return str(AreaLevel(level).label).lower()
    except ValueError:
        return level


def load_postcodes(lookup: CatalogueLookup) -> None:
    """PC4 → gemeente for the incident feeds (the demo gemeenten; see data/PROVENANCE.md)."""
    import csv

    path = catalogue.DATA / "catalogue" / "pc4_gemeente_demo.csv"
    with path.open(encoding="utf-8") as fh:
        lookup.postcodes = {row["pc4"]: row["gemeente_code"] for row in csv.DictReader(fh)}


# --- The import service -----------------------------------------------------------------------


#: Points held before they are merged into their series. A file sorted by series writes each
#: series once; one sorted by period rewrites a series once per flush.
FLUSH_POINTS = 250_000

#: A point of a series as stored: ``[period, value, status, import id]``.
Point = list[Any]


#: The status of a figure whose file does not say it.
UNKNOWN = Status.ONBEKEND.value

#: What a flush of a :class:`_SeriesWriter` does (see there).
WRITE, COMPARE, VALIDATE = "write", "compare", "validate"

#: Points held per series (measure id, area id): ``(period, value, status, row)``.
Pending = dict[tuple[int, int], list[tuple[str, float | None, str, int]]]


class _SeriesWriter:
    """Merges validated points into their series: new, unchanged, revised or repeated.

    Points are held per series (``add``) and merged in one go (``flush``): the series they touch
    are read once (locked on PostgreSQL, so that two imports into one series wait for each
    other), each point is compared with the one held for its period, and only series that
    changed are written. A revised value replaces the point and leaves a :class:`Revision`.

    The ``mode`` says what a flush does:

    - ``WRITE`` merges the points into their series: inside the import's write transaction;
    - ``COMPARE`` counts what a write would do (new, unchanged, revised) and writes nothing: a
      check (dry run) holds no transaction while it reads;
    - ``VALIDATE`` (an import's first pass, outside any transaction) only finds points that
      repeat a point of an earlier flush, and keeps the points for :meth:`write`: in memory, and
      in a temporary file for all but the last flush of a file too large for one.
    """

    def __init__(
        self, batch: ImportBatch, owner: Organisation | None, *, mode: str = WRITE
    ) -> None:
        self.batch_id: int = batch.pk
        self.owner_id = owner.pk if owner is not None else None
        #: the file's name of its period column (errors of repeated rows name it)
        self.period_column = DEFAULT_COLUMNS["period"]
        self.mode = mode
        self.stored = 0
        self.unchanged = 0
        self.revised = 0
        self.size = 0
        self.pending: Pending = {}
        #: period code → (start, end) as ISO text: the order of points in a series
        self.dates: dict[str, tuple[str, str]] = {}
        self._kinds: dict[str, str] = {}
        self._stored_periods: set[str] | None = None
        #: per series, one bit per period held by earlier flushes (compare, validate)
        self._held: dict[tuple[int, int], int] = {}
        self._bits: dict[str, int] = {}
        #: the points of the last flush (validate), and of earlier ones in a temporary file
        self._kept: Pending = {}
        self._spill: IO[bytes] | None = None

    @property
    def writes(self) -> bool:
        return self.mode == WRITE

    def close(self) -> None:
        """Drop the points kept for the write (and their temporary file)."""
        if self._spill is not None:
            self._spill.close()
            self._spill = None
        self._kept = {}

    def add(
        self, area_id: int, measure_id: int, code: str, value: float | None, status: str, line: int
    ) -> None:
        points = self.pending.get((measure_id, area_id))
        if points is None:
            points = self.pending[(measure_id, area_id)] = []
        points.append((code, value, status, line))
        self.size += 1

    def period(self, code: str, start: str, end: str, kind: str) -> None:
        """Make ``code`` known (stored in the period table at the next flush)."""
        if code not in self.dates:
            self.dates[code] = (start, end)
            self._kinds[code] = kind

    def save_periods(self) -> None:
        """Store the period codes not yet in the table (the observation view joins them)."""
        if not self.writes:
            return
        if self._stored_periods is None:
            stored = Period.objects.values_list("code", "start_date", "end_date")
            self._stored_periods = set()
            for code, start, end in stored:
                self._stored_periods.add(code)
                self.dates.setdefault(code, (start.isoformat(), end.isoformat()))
        new = [code for code in self._kinds if code not in self._stored_periods]
        if new:
            Period.objects.bulk_create(
                [
                    Period(
                        code=code,
                        start_date=dt.date.fromisoformat(self.dates[code][0]),
                        end_date=dt.date.fromisoformat(self.dates[code][1]),
                        kind=self._kinds[code],
                    )
                    for code in new
                ],
                ignore_conflicts=True,  # another import may add the same code meanwhile
            )
            self._stored_periods.update(new)

    def existing(self, keys: Iterable[tuple[int, int]]) -> dict[tuple[int, int], tuple[int, Any]]:
        """(id, points) of the stored series among ``keys`` (measure id, area id)."""
        wanted = set(keys)
        if not wanted:
            return {}
        ids: dict[int, tuple[int, int]] = {}
        measures = sorted({m for m, _a in wanted})
        areas = sorted({a for _m, a in wanted})
        # Measures × areas is a superset of the keys: ids first, points only of the keys.
        # SQLite allows 32,766 parameters per statement: areas go in slices.
        for start in range(0, len(areas), 20_000):
            for pk, measure_id, area_id in Series.objects.filter(
                owner_id=self.owner_id,
                measure_id__in=measures,
                area_id__in=areas[start : start + 20_000],
            ).values_list("id", "measure_id", "area_id"):
                if (measure_id, area_id) in wanted:
                    ids[pk] = (measure_id, area_id)
        found: dict[tuple[int, int], tuple[int, Any]] = {}
        pks = sorted(ids)
        for start in range(0, len(pks), 20_000):
            query = Series.objects.filter(pk__in=pks[start : start + 20_000])
            if self.writes and connection.vendor == "postgresql":
                query = query.select_for_update()
            for pk, points in query.values_list("id", "points"):
                found[ids[pk]] = (pk, points)
        return found

    def flush(self) -> list[RowError]:
        """Merge the points held into their series; returns rows that repeat an earlier row.

        Checks (``COMPARE``) count instead, and an import's first pass (``VALIDATE``) keeps them.
        """
        if not self.pending:
            return []
        if not self.writes:
            return self._hold()
        self.save_periods()
        pending, self.pending, self.size = self.pending, {}, 0
        existing = self.existing(pending)
        batch_id, owner_id, dates = self.batch_id, self.owner_id, self.dates
        errors: list[RowError] = []
        creates: list[Series] = []
        updates: list[Series] = []
        revisions: list[Revision] = []
        for (measure_id, area_id), new in pending.items():
            sid, old_points = existing.get((measure_id, area_id), (None, []))
            points: dict[str, Point] = {p[0]: p for p in old_points}
            changed = False
            for code, value, status, line in new:
                old = points.get(code)
                if old is None:
                    self.stored += 1
                elif old[3] == batch_id:
                    errors.append(
                        RowError(
                            line,
                            self.period_column,
                            code,
                            _("repeats an earlier row (same area, measure and period)"),
                        )
                    )
                    continue
                elif old[1] == value and (old[2] == status or status == UNKNOWN):
                    self.unchanged += 1  # a file that does not say the status keeps it
                    continue
                elif old[1] == value and old[2] == UNKNOWN:
                    # The status is learned for a value held already: no revision (the figure
                    # did not change), the point keeps its vintage.
                    self.unchanged += 1
                    points[code] = [code, value, status, old[3]]
                    changed = True
                    continue
                else:
                    self.revised += 1
                    if status == UNKNOWN:
                        status = old[2]  # a new value; the file does not say its status
                    revisions.append(
                        Revision(
                            batch_id=batch_id,
                            previous_batch_id=old[3],
                            area_id=area_id,
                            measure_id=measure_id,
                            period=code,
                            owner_id=owner_id,
                            old_value=old[1],
                            new_value=value,
                            old_status=old[2],
                            new_status=status,
                        )
                    )
                points[code] = [code, value, status, batch_id]
                changed = True
            if not changed:
                continue
            ordered = sorted(points.values(), key=lambda p: dates.get(p[0], ("", "")))
            if sid is None:
                creates.append(
                    Series(
                        area_id=area_id, measure_id=measure_id, owner_id=owner_id, points=ordered
                    )
                )
            else:
                updates.append(Series(id=sid, points=ordered))
        Series.objects.bulk_create(creates, batch_size=500)
        Series.objects.bulk_update(updates, ["points"], batch_size=500)
        Revision.objects.bulk_create(revisions, batch_size=1000)
        return errors

    def _hold(self) -> list[RowError]:
        """A flush that writes nothing: count (``COMPARE``) or keep (``VALIDATE``) the points."""
        pending, self.pending, self.size = self.pending, {}, 0
        if self.mode == COMPARE:
            repeated = self._repeats(pending, remember=True)
            self._compare(pending)
            return repeated
        if self._kept:
            self._repeats(self._kept, remember=True)  # checked when it came: now remembered
            self._spill_kept()
        self._kept = pending
        return self._repeats(pending, remember=False)

    def _repeats(self, pending: Pending, *, remember: bool) -> list[RowError]:
        """Points of ``pending`` for a period an earlier flush held already for their series."""
        errors: list[RowError] = []
        held, bits = self._held, self._bits
        for key, points in pending.items():
            mask = held.get(key, 0)
            for code, _value, _status, line in points:
                bit = bits.get(code)
                if bit is None:
                    bit = bits[code] = 1 << len(bits)
                if mask & bit:
                    errors.append(
                        RowError(
                            line,
                            self.period_column,
                            code,
                            _("repeats an earlier row (same area, measure and period)"),
                        )
                    )
                mask |= bit
            if remember:
                held[key] = mask
        return errors

    def _compare(self, pending: Pending) -> None:
        """Count what merging ``pending`` would do, without writing (a check)."""
        existing = self.existing(pending)
        for key, new in pending.items():
            _sid, old_points = existing.get(key, (None, []))
            points: dict[str, Point] = {p[0]: p for p in old_points}
            for code, value, status, _line in new:
                old = points.get(code)
                if old is None:
                    self.stored += 1
                elif old[1] == value and (old[2] == status or UNKNOWN in (status, old[2])):
                    self.unchanged += 1
                else:
                    self.revised += 1

    def _spill_kept(self) -> None:
        if self._spill is None:
            self._spill = tempfile.TemporaryFile(prefix="regie-import-")  # noqa: SIM115 - closed by close()
        pickle.dump(self._kept, self._spill, protocol=pickle.HIGHEST_PROTOCOL)
        self._kept = {}

    def _spilled(self) -> Iterator[Pending]:
        if self._spill is None:
            return
        self._spill.seek(0)
        while True:
            try:
                # Our own temporary file, written by _spill_kept in this process.
                yield pickle.load(self._spill)  # noqa: S301
            except EOFError:
                return

    def write(self, prepared: bulk.Prepared | None = None) -> list[RowError]:
        """Merge the points of the first pass (or ``prepared``) into their series.

        Call inside the write transaction; when that is rolled back and tried again, call it
        again: it starts afresh from the points kept.
        """
        self.mode = WRITE
        self.stored = self.unchanged = self.revised = 0
        self.pending, self.size = {}, 0
        self._stored_periods = None
        errors: list[RowError] = []
        if prepared is not None:
            bulk.store(prepared, self)
            errors.extend(self.flush())
        for chunk in self._spilled():
            self.pending = chunk
            errors.extend(self.flush())
        if self._kept:
            self.pending = self._kept
            errors.extend(self.flush())
        return errors


def _period_entry(
    text: str, dates: dict[str, tuple[dt.date, dt.date]]
) -> tuple[str, str, str, str] | None:
    """(code, start, end, kind) of a period code, dates as ISO text; None when it is unknown."""
    try:
        period = periods.parse(text)
    except periods.PeriodError:
        return None
    dates[period.code] = (period.start, period.end)
    return (period.code, period.start.isoformat(), period.end.isoformat(), period.kind.value)


def _validate(
    row: Row, lookup: CatalogueLookup, organisation: Organisation | None
) -> tuple[tuple[Any, ...] | None, RowError | None]:
    area_id = lookup.area_ids.get(row.area)
    if area_id is None:
        return None, RowError(row.line, lookup.column("area"), row.area, _("unknown area code"))
    measure_id = lookup.measure_ids.get(row.measure)
    if measure_id is None:
        return None, RowError(row.line, lookup.column("measure"), row.measure, _("unknown measure"))
    if row.measure in lookup.derived:
        return None, RowError(
            row.line,
            lookup.column("measure"),
            row.measure,
            _("a derived measure is computed, not imported"),
        )
    try:
        period = periods.parse(row.period)
    except periods.PeriodError:
        return None, RowError(row.line, lookup.column("period"), row.period, _("unknown period"))
    value = row.value
    if value is not None and value != value:  # NaN
        return None, RowError(row.line, lookup.column("value"), "NaN", _("not a number"))
    if value is not None and not -_HUGE < value < _HUGE:
        return None, RowError(
            row.line, lookup.column("value"), str(value), _("not a finite number")
        )
    if row.status not in set(Status):
        return None, RowError(
            row.line, lookup.column("status"), str(row.status), _("unknown status")
        )
    return (
        area_id,
        measure_id,
        period.code,
        period.start,
        period.end,
        period.kind.value,
        value,
        Status(row.status).value,
    ), None


def import_rows(
    rows: Iterable[Row | RowError | Skip] | bulk.Prepared,
    *,
    dataset: Dataset,
    lookup: CatalogueLookup,
    fmt: str,
    filename: str,
    sha256: str = "",
    user: Any | None = None,
    dry_run: bool = False,
    notes: list[str] | None = None,
    progress: Callable[[int], None] | None = None,
    batch: ImportBatch | None = None,
) -> ImportReport:
    """Validate and store ``rows`` for ``dataset`` atomically; see the module docstring.

    Rows are read and checked outside any transaction; only the write of an import that passed
    is one (short) transaction, which also records the batch's final state.
    """
    label = user.get_username() if user is not None else "systeem"
    try:
        batch = _start_batch(
            batch,
            dataset=dataset,
            fmt=fmt,
            filename=filename,
            sha256=sha256,
            user=user,
            label=label,
            dry_run=dry_run,
        )
    except batches.BatchAbandoned:
        # Marked failed while it waited in the queue: it stays failed, nothing is read.
        given = batch.pk if batch is not None else None
        return _abandoned(ImportReport(given, BatchState.FAILED, str(dataset)))
    beat = batches.Heartbeat(batch.pk, progress)
    report = ImportReport(batch_id=batch.pk, state=BatchState.RUNNING, dataset=str(dataset))
    errors = ErrorLog()
    skips = SkipLog()
    writer = _SeriesWriter(batch, dataset.organisation, mode=COMPARE if dry_run else VALIDATE)
    writer.period_column = lookup.column("period")
    report.notes = [note_text(n) for n in (notes or [])]
    try:
        if isinstance(rows, bulk.Prepared):
            report.rows_read = rows.count + rows.skipped
            report.values = rows.count
            skips.counts[SkipReason.PSEUDO_REGION] = rows.skipped
            skips.examples[SkipReason.PSEUDO_REGION] = rows.skipped_areas[:SKIP_EXAMPLES]
            skips.more[SkipReason.PSEUDO_REGION] = len(rows.skipped_areas) > SKIP_EXAMPLES
            report.period_first, report.period_last = rows.first, rows.last
            if dry_run:
                bulk.store(rows, writer)
                report.rejected = _rejected_rows(writer.flush(), errors)
            beat(report.rows_read)
        else:
            report.period_first, report.period_last = _store_rows(
                rows, writer, lookup, report, errors, beat, skips
            )
        # Adapters add notes while their rows are read (incident lists, OData "only totals"):
        # take them now that every row has been read.
        report.notes = [note_text(n) for n in (notes or [])]
        _set_errors(report, errors)
        _set_skipped(report, skips)
        if errors:
            report.state = BatchState.REJECTED
        elif report.values == 0:
            report.state = BatchState.REJECTED
            report.notes.append(_("The file holds no figures."))
        elif dry_run:
            report.state = BatchState.DRY_RUN
            report.stored, report.unchanged, report.revised = (
                writer.stored,
                writer.unchanged,
                writer.revised,
            )
        else:
            _commit(
                rows if isinstance(rows, bulk.Prepared) else None,
                writer=writer,
                dataset=dataset,
                batch=batch,
                report=report,
                user=user,
                label=label,
                filename=filename,
            )
            return report
    except _Rejected as rejected:
        # The write found a row that repeats an earlier one: it was rolled back.
        found = ErrorLog()
        report.rejected = _rejected_rows(rejected.errors, found)
        _set_errors(report, found)
        report.stored = report.unchanged = report.revised = 0
        report.state = BatchState.REJECTED
    except batches.BatchAbandoned:
        # Another process marked the batch failed while this one worked: the write (if any)
        # was rolled back, and the batch stays failed.
        return _abandoned(report)
    except Exception as exc:
        # A file that breaks half-way (FormatError deep in a CSV, a damaged XLSX): nothing was
        # stored; the batch says so instead of staying "running" for ever. The note is the
        # user's language; an unexpected error's own text (internals, file values) is logged
        # by the caller, not shown.
        report.state = BatchState.FAILED
        _set_errors(report, errors)
        _set_skipped(report, skips)
        note = (
            format_error_text(exc)
            if isinstance(exc, FormatError)
            else failure_note(dry_run=dry_run)
        )
        report.notes = [*report.notes, note]
        report.error = note
        exc.report = report  # type: ignore[attr-defined]  # for `regie import --json`
        with contextlib.suppress(batches.BatchAbandoned):  # failed already: it stays so
            _finish(batch, report)
        raise
    finally:
        writer.close()
    try:
        _finish(batch, report)
    except batches.BatchAbandoned:
        return _abandoned(report)
    return report


def _set_errors(report: ImportReport, errors: ErrorLog) -> None:
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


def _set_skipped(report: ImportReport, skips: SkipLog) -> None:
    """The rows ``skips`` counted on ``report``; the report's notes say it in words."""
    report.skipped = dict(skips.counts)
    report.skipped_examples = {k: list(v) for k, v in skips.examples.items() if v}
    report.skipped_more = {k: v for k, v in skips.more.items() if v}
    text = report.skipped_text()
    if text and text not in report.notes:
        report.notes.insert(0, text)


def keep_errors(errors: list[RowError] | ErrorLog, more: Iterable[RowError]) -> None:
    """Add ``more`` to ``errors``, keeping at most :data:`MAX_ERRORS` (the rest is counted only)."""
    if isinstance(errors, ErrorLog):
        errors.extend(more)
        return
    room = MAX_ERRORS - len(errors)
    if room > 0:
        errors.extend(itertools.islice(more, room))


def _abandoned(report: ImportReport) -> ImportReport:
    """The report of a batch that another process marked failed: nothing stored."""
    report.state = BatchState.FAILED
    report.stored = report.unchanged = report.revised = 0
    report.notes = [*report.notes, batches.abandoned_note()]
    return report


def _finish(batch: ImportBatch, report: ImportReport) -> None:
    batches.atomic_retry(lambda: _finish_batch(batch, report), beat=lambda: batches.beat(batch.pk))


def _start_batch(
    batch: ImportBatch | None,
    *,
    dataset: Dataset,
    fmt: str,
    filename: str,
    sha256: str,
    user: Any | None,
    label: str,
    dry_run: bool,
) -> ImportBatch:
    """The batch of this import, running in this process (created when not queued before)."""
    worker = batches.this_worker()
    now = timezone.now()
    if batch is None:
        return ImportBatch.objects.create(
            dataset=dataset,
            format=fmt,
            filename=filename[:300],
            sha256=sha256,
            imported_by=user,
            imported_by_label=label,
            state=BatchState.RUNNING,
            dry_run=dry_run,
            worker_host=worker.host,
            worker_pid=worker.pid,
            heartbeat_at=now,
        )
    values: dict[str, Any] = {
        "state": BatchState.RUNNING,
        "worker_host": worker.host,
        "worker_pid": worker.pid,
        "heartbeat_at": now,
    }
    if batch.dataset_id != dataset.pk:
        values["dataset"] = dataset  # a queued check names the gemeente's dataset in advance
    if sha256 and not batch.sha256:
        values["sha256"] = sha256

    def start() -> None:
        # Only a batch still open: one marked failed meanwhile (abandoned) stays failed.
        if not ImportBatch.objects.filter(pk=batch.pk, state__in=batches.OPEN_STATES).update(
            **values
        ):
            raise batches.BatchAbandoned(batch.pk)

    batches.atomic_retry(start)
    for name, value in values.items():
        setattr(batch, name, value)
    return batch


def _commit(
    prepared: bulk.Prepared | None,
    *,
    writer: _SeriesWriter,
    dataset: Dataset,
    batch: ImportBatch,
    report: ImportReport,
    user: Any | None,
    label: str,
    filename: str,
) -> None:
    """The write of a checked import: figures, batch state and audit event in one transaction.

    On SQLite the transaction holds the database's write lock: it only merges points already
    read and checked. When another write holds the lock, it waits and tries again.
    """

    def work() -> None:
        if connection.vendor == "postgresql":
            # One import per dataset at a time: a second waits instead of interleaving.
            Dataset.objects.select_for_update().get(pk=dataset.pk)
        # A batch marked failed (abandoned) while this import read or waited stores nothing.
        batches.claim_open(batch.pk)
        errors = writer.write(prepared)
        if errors:
            raise _Rejected(errors)
        report.state = BatchState.DONE
        report.stored, report.unchanged, report.revised = (
            writer.stored,
            writer.unchanged,
            writer.revised,
        )
        _finish_batch(batch, report)
        record_event(
            action=AuditAction.IMPORT,
            user=user,
            label=label,
            organisation=dataset.organisation,
            description=_("Import %(file)s into %(dataset)s: %(summary)s")
            % {"file": filename, "dataset": dataset, "summary": report.summary()},
        )

    batches.atomic_retry(work, beat=lambda: batches.beat(batch.pk))


def _store_rows(
    rows: Iterable[Row | RowError | Skip],
    writer: _SeriesWriter,
    lookup: CatalogueLookup,
    report: ImportReport,
    errors: ErrorLog,
    progress: Callable[[int], None] | None,
    skips: SkipLog,
) -> tuple[dt.date | None, dt.date | None]:
    """Validate ``rows`` and hand them to ``writer``; returns the first and last period dates.

    Sets the rows and values read and the rows rejected on ``report``, adds problems to
    ``errors`` and skipped rows to ``skips``. A file row is counted once, however many values
    it holds (the items of one row come one after another, with its line number).
    """
    # The loop below runs once per value of files with millions of rows: everything it needs
    # is a local name, and each value costs a few dictionary look-ups and one tuple. Anything
    # unusual goes to _validate, which names the error.
    organisation = lookup.organisation
    area_get = lookup.figure_area_ids.get
    measure_get = {
        code: pk for code, pk in lookup.measure_ids.items() if code not in lookup.derived
    }.get
    status_get = {s.value: s.value for s in Status}.get
    ceased_get = {pk: ended.isoformat() for pk, ended in lookup.ceased.items()}.get
    period_column = lookup.column("period")
    pseudo: dict[str, bool] = {}
    period_cache: dict[str, tuple[str, str, str, str] | None] = {}
    period_dates: dict[str, tuple[dt.date, dt.date]] = {}
    used: set[str] = set()
    seen: dict[tuple[int, int, str], int] = {}
    add = writer.add
    items = read = values = rejected = 0
    last_line: int | None = None
    last_rejected: int | None = None
    for item in rows:
        items += 1
        line = item.line
        if line != last_line:
            last_line = line
            read += 1
        if progress is not None and items % CHUNK == 0:
            report.rows_read = read
            progress(read)
        if not isinstance(item, Row):
            if isinstance(item, Skip):
                skips.add(line, item.reason, item.value)
                continue
            if line != last_rejected:
                last_rejected = line
                rejected += 1
            errors.add(item)
            continue
        values += 1
        area_id = area_get(item.area)
        measure_id = measure_get(item.measure)
        try:
            entry = period_cache[item.period]
        except KeyError:
            entry = period_cache[item.period] = _period_entry(item.period, period_dates)
            if entry is not None:
                writer.period(*entry)
        status = status_get(item.status)
        value = item.value
        if (
            area_id is None
            or measure_id is None
            or entry is None
            or status is None
            or (value is not None and not -_HUGE < value < _HUGE)  # NaN or infinite
        ):
            if area_id is None:
                is_pseudo = pseudo.get(item.area)
                if is_pseudo is None:
                    is_pseudo = pseudo[item.area] = is_pseudo_region(item.area)
                if is_pseudo:
                    values -= 1
                    skips.add(line, SkipReason.PSEUDO_REGION, item.area)
                    continue
            _valid, error = _validate(item, lookup, organisation)
            if line != last_rejected:
                last_rejected = line
                rejected += 1
            if error is not None:
                errors.add(error)
            continue
        ended = ceased_get(area_id)
        if (
            ended is not None
            and entry[1] >= ended
            and (
                value is None
                or (entry[1] == ended and item.measure == catalogue.POPULATION_MEASURE)
            )
        ):
            # A former gemeente after it ceased: a row without a figure ("." in a StatLine
            # table that lists it for every year), or "Bevolking aan het einde van 2018" of
            # Leerdam read as 1 January 2019, the day Leerdam ceased: passed over, counted.
            values -= 1
            skips.add(line, SkipReason.CEASED, item.area)
            continue
        if ended is not None and entry[1] >= ended:
            if line != last_rejected:
                last_rejected = line
                rejected += 1
            errors.add(
                lookup.ceased_error(line, item.area, entry[0], dt.date.fromisoformat(ended)),
                _(CEASED_AREA),
            )
            continue
        code = entry[0]
        key = (area_id, measure_id, code)
        size = len(seen)
        earlier = seen.setdefault(key, line)
        if len(seen) == size:
            if line != last_rejected:
                last_rejected = line
                rejected += 1
            errors.add(
                RowError(
                    line,
                    period_column,
                    item.period,
                    _("repeats row %(row)s (same area, measure and period)") % {"row": earlier},
                ),
                _(REPEATED_ROW),
            )
            continue
        used.add(code)
        if errors:
            continue  # keep validating, stop storing: nothing will be stored
        add(area_id, measure_id, code, value, status, line)
        if writer.size >= FLUSH_POINTS:
            rejected += _rejected_rows(writer.flush(), errors)
            seen = {}  # the writer finds rows that repeat a row of an earlier flush
    if not errors:
        rejected += _rejected_rows(writer.flush(), errors)
    report.rows_read, report.values, report.rejected = read, values, rejected
    if not used:
        return None, None
    return (
        min(period_dates[code][0] for code in used),
        max(period_dates[code][1] for code in used),
    )


def _rejected_rows(found: list[RowError], errors: ErrorLog) -> int:
    """Add the rows a flush of the writer rejected to ``errors``; returns how many file rows."""
    errors.extend(found)
    return len({error.line for error in found})


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


def _finish_batch(batch: ImportBatch, report: ImportReport) -> None:
    """Store the outcome on the batch (in a transaction), unless another process marked it
    failed meanwhile (:class:`batches.BatchAbandoned`)."""
    batches.claim_open(batch.pk)
    batch.state = report.state
    batch.finished_at = timezone.now()
    batch.progress = report.rows_read
    batch.rows_read = report.rows_read
    batch.rows_stored = report.stored
    batch.rows_unchanged = report.unchanged
    batch.rows_revised = report.revised
    batch.rows_rejected = report.rejected
    batch.period_first = report.period_first
    batch.period_last = report.period_last
    batch.errors = report.stored_errors()
    batch.notes = report.notes
    batch.save()


@contextlib.contextmanager
def _open(source: str | Path | bytes) -> Iterator[tuple[IO[bytes], str, bytes]]:
    if isinstance(source, bytes):
        yield io.BytesIO(source), "upload", source[: 64 * 1024]
        return
    path = Path(source)
    with path.open("rb") as fh:
        head = fh.read(64 * 1024)
        fh.seek(0)
        yield fh, path.name, head


def import_file(
    source: str | Path | bytes,
    *,
    fmt: str = "",
    table: str = "",
    organisation: Organisation | None = None,
    user: Any | None = None,
    dry_run: bool = False,
    filename: str = "",
    progress: Callable[[int], None] | None = None,
    batch: ImportBatch | None = None,
    period_status: dict[str, Status] | None = None,
    provenance: str = "",
) -> ImportReport:
    """Import a file (path or bytes) in format ``fmt`` (detected when empty).

    ``period_status`` gives the status per CBS period key when the file itself does not say (the
    ``Perioden`` resource of the table); ``provenance`` is kept on the dataset.
    """
    with _open(source) as (stream, name, head):
        name = filename or name
        adapter = sources.get(fmt) if fmt else sources.detect(head, name)
        lookup = CatalogueLookup(organisation)
        load_postcodes(lookup)
        items: Iterable[Row | RowError | Skip] | bulk.Prepared = []
        context = lookup.context(table=table)
        context.period_status = dict(period_status or {})
        # Adapters that can read whole columns try the bulk path first; anything unusual in
        # the file (see bulk.prepare) sends it to the row reader, which names every error.
        read_columns = getattr(adapter, "read_columns", None)
        columns = read_columns(stream, context) if read_columns is not None else None
        prepared = bulk.prepare(columns, lookup) if columns is not None else None
        if prepared is not None:
            items = prepared
        else:
            if read_columns is not None:
                stream.seek(0)
                context = lookup.context(table=table)
                context.period_status = dict(period_status or {})
            rows = adapter.read(stream, context)
            # The adapter fills context.info while reading: take the first row before deciding
            # on the dataset, and put it back in front of the rest.
            iterator = iter(rows)
            try:
                head_item = next(iterator)
                items = _chain(head_item, iterator)
            except StopIteration:
                items = []
        info = context.info
        lookup.columns = dict(getattr(context, "columns", None) or {})
        table_id = (
            info.table or table or (local_dataset_table(organisation) if organisation else "")
        )
        if not table_id:
            raise FormatError(_("The file does not say which table it holds; give --table."))
        dataset = get_or_create_dataset(
            table=table_id,
            source=info.source or (str(organisation) if organisation else "onbekend"),
            title=info.title or table_id,
            organisation=organisation,
            provenance=provenance,
        )
        return import_rows(
            items,
            dataset=dataset,
            lookup=lookup,
            fmt=adapter.name,
            filename=name,
            sha256=file_sha256(source),
            user=user,
            dry_run=dry_run,
            notes=context.notes,
            progress=progress,
            batch=batch,
        )


def _chain(
    first: Row | RowError | Skip, rest: Iterator[Row | RowError | Skip]
) -> Iterator[Row | RowError | Skip]:
    yield first
    yield from rest


def file_sha256(source: str | Path | bytes) -> str:
    """The SHA-256 of a file (path) or of bytes: how imports recognise a file seen before."""
    if isinstance(source, bytes):
        return hashlib.sha256(source).hexdigest()
    digest = hashlib.sha256()
    with Path(source).open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def import_from_api(
    table: str,
    *,
    area_codes: list[str],
    whole_gemeente: bool = False,
    user: Any | None = None,
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
    client: Any | None = None,
) -> ImportReport:
    """Download ``table`` for some areas from the live CBS/politie OData API and import it.

    Open data only (no owner). ``client`` is an :class:`~regie.monitor.sources.odata_api
    .ODataClient` (tests pass one that replays recorded responses).
    """
    from regie.monitor.sources import odata_api
    from regie.monitor.sources.odata_v3 import spec_for

    spec = spec_for(table)
    if client is None:
        client = odata_api.ODataClient(odata_api.base_url_for(spec))
    lookup = CatalogueLookup(None)
    context = lookup.context(table=spec.table)
    rows = client.read(
        spec.table,
        context,
        area_codes=area_codes,
        match="gemeente" if whole_gemeente else "exact",
    )
    iterator = iter(rows)
    first = next(iterator, None)  # the first page fills context.info
    lookup.columns = dict(getattr(context, "columns", None) or {})
    dataset = get_or_create_dataset(
        table=spec.table,
        source=context.info.source or "CBS",
        title=context.info.title or spec.title,
        organisation=None,
        provenance=f"{client.base_url}{spec.table} ({', '.join(area_codes)})",
    )
    return import_rows(
        _chain(first, iterator) if first is not None else [],
        dataset=dataset,
        lookup=lookup,
        fmt="odata-api",
        filename=f"{client.base_url}{spec.table}",
        user=user,
        dry_run=dry_run,
        notes=context.notes,
        progress=progress,
    )
