"""Writes of the monitor: the measures catalogue and the one import service every format uses.

:func:`import_file` reads a file with the adapter of its format and hands the rows to
:func:`import_rows`, which validates every row, and stores all of them or none (one transaction):

- a row whose area, measure or period is unknown, or that repeats another row's area × measure ×
  period, is *rejected* with its row, column and value; one rejected row rejects the whole file;
- a new value is *stored*; the same value again is *unchanged*; a different value or status for a
  figure already held is *revised*: the value is replaced and a :class:`Revision` keeps the old one;
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
from django.utils import timezone
from django.utils.translation import gettext as _

from regie.areas.models import Area
from regie.core.errors import ServiceError
from regie.core.models import AuditAction, Organisation
from regie.core.services import record_event
from regie.monitor import batches, bulk, catalogue, periods, selectors, sources
from regie.monitor.models import (
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
    Status,
    clean_label,
)

#: Rows between two progress reports of the row reader (the heartbeat stores them at most
#: every few seconds: see :mod:`regie.monitor.batches`).
CHUNK = 1_000
#: Errors kept in a report; further rejected rows are only counted.
MAX_ERRORS = 200
#: Values must be finite: JSON (the series store) has no infinity.
_HUGE = float("inf")


class _Rejected(Exception):
    """Raised inside the import transaction to roll it back."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(f"{len(errors)} rejected rows")
        self.errors = errors


@dataclass
class ImportReport:
    batch_id: int | None
    state: str
    dataset: str
    rows_read: int = 0
    stored: int = 0
    unchanged: int = 0
    revised: int = 0
    rejected: int = 0
    errors: list[RowError] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    period_first: dt.date | None = None
    period_last: dt.date | None = None

    @property
    def ok(self) -> bool:
        return self.state in (BatchState.DONE, BatchState.DRY_RUN)

    def summary(self) -> str:
        return _(
            "%(read)s rows read: %(stored)s new, %(unchanged)s unchanged, %(revised)s revised, "
            "%(rejected)s rejected"
        ) % {
            "read": self.rows_read,
            "stored": self.stored,
            "unchanged": self.unchanged,
            "revised": self.revised,
            "rejected": self.rejected,
        }

    def as_dict(self) -> dict[str, Any]:
        return {
            "batch": self.batch_id,
            "state": self.state,
            "dataset": self.dataset,
            "rows_read": self.rows_read,
            "stored": self.stored,
            "unchanged": self.unchanged,
            "revised": self.revised,
            "rejected": self.rejected,
            "errors": [
                {"row": e.line, "column": e.column, "value": e.value, "message": e.message}
                for e in self.errors
            ],
            "notes": self.notes,
            "period_first": self.period_first.isoformat() if self.period_first else None,
            "period_last": self.period_last.isoformat() if self.period_last else None,
        }


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
    return f"lokaal:{organisation.slug}"


def local_dataset(organisation: Organisation) -> Dataset:
    """The dataset of a gemeente's own figures (the template): ``lokaal:<slug>``."""
    table = local_dataset_table(organisation)
    return get_or_create_dataset(
        table=table, source="gemeente", title=table, organisation=organisation
    )


# --- Lookups for adapters ---------------------------------------------------------------------


def _norm(text: str) -> str:
    return clean_label(text).casefold()


#: Names older StatLine exports use for areas that were renamed since.
_FORMER_NAMES = {"friesland (pv)": "fryslân (pv)", "friesland": "fryslân"}
_STATLINE_SUFFIX = {"provincie": "PV", "gemeente": "gemeente", "politie_eenheid": "RE"}


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
        self._area_names: dict[str, list[str]] | None = None
        self.postcodes: dict[str, str] = {}

    @property
    def area_ids(self) -> dict[str, int]:
        if self._area_ids is None:
            self._area_ids = dict(Area.objects.values_list("code", "id"))
        return self._area_ids

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

    def area_by_name(self, name: str) -> str | None:
        if self._area_names is None:
            names: dict[str, list[str]] = {}
            for code, area_name, level in Area.objects.values_list("code", "name", "level"):
                names.setdefault(_norm(area_name), []).append(code)
                # StatLine labels add the level when a name is not unique: "Utrecht (PV)".
                suffix = _STATLINE_SUFFIX.get(level)
                if suffix:
                    names.setdefault(_norm(f"{area_name} ({suffix})"), []).append(code)
            names.setdefault("nederland", ["NL01"])
            for old, new in _FORMER_NAMES.items():
                if new in names:
                    names.setdefault(old, names[new])
            self._area_names = names
        codes = self._area_names.get(_norm(name), [])
        if len(codes) > 1:
            raise AmbiguousName(
                _("the name %(name)r belongs to several areas (%(codes)s); use the code")
                % {"name": name, "codes": ", ".join(sorted(codes))}
            )
        return codes[0] if codes else None

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
                            "periode",
                            code,
                            _("repeats an earlier row (same area, measure and period)"),
                        )
                    )
                    continue
                elif old[1] == value and old[2] == status:
                    self.unchanged += 1
                    continue
                else:
                    self.revised += 1
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
                            "periode",
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
                elif old[1] == value and old[2] == status:
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
        return None, RowError(row.line, "gebied", row.area, _("unknown area code"))
    measure_id = lookup.measure_ids.get(row.measure)
    if measure_id is None:
        return None, RowError(row.line, "maatstaf", row.measure, _("unknown measure"))
    if row.measure in lookup.derived:
        return None, RowError(
            row.line, "maatstaf", row.measure, _("a derived measure is computed, not imported")
        )
    try:
        period = periods.parse(row.period)
    except periods.PeriodError:
        return None, RowError(row.line, "periode", row.period, _("unknown period"))
    value = row.value
    if value is not None and value != value:  # NaN
        return None, RowError(row.line, "waarde", "NaN", _("not a number"))
    if value is not None and not -_HUGE < value < _HUGE:
        return None, RowError(row.line, "waarde", str(value), _("not a finite number"))
    if row.status not in set(Status):
        return None, RowError(row.line, "status", str(row.status), _("unknown status"))
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
    rows: Iterable[Row | RowError] | bulk.Prepared,
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
    errors: list[RowError] = []
    writer = _SeriesWriter(batch, dataset.organisation, mode=COMPARE if dry_run else VALIDATE)
    report.notes = [note_text(n) for n in (notes or [])]
    try:
        if isinstance(rows, bulk.Prepared):
            report.rows_read = rows.count
            report.period_first, report.period_last = rows.first, rows.last
            if dry_run:
                bulk.store(rows, writer)
                repeated = writer.flush()
                report.rejected = len(repeated)
                keep_errors(errors, repeated)
            beat(rows.count)
        else:
            report.period_first, report.period_last = _store_rows(
                rows, writer, lookup, report, errors, beat
            )
        report.errors = [_translated(e) for e in errors]
        if errors:
            report.state = BatchState.REJECTED
        elif report.rows_read == 0:
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
        report.errors = [_translated(e) for e in rejected.errors[:MAX_ERRORS]]
        report.rejected = len(rejected.errors)
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
        report.errors = [_translated(e) for e in errors]
        note = (
            format_error_text(exc)
            if isinstance(exc, FormatError)
            else failure_note(dry_run=dry_run)
        )
        report.notes = [*report.notes, note]
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


def keep_errors(errors: list[RowError], more: Iterable[RowError]) -> None:
    """Add ``more`` to ``errors``, keeping at most :data:`MAX_ERRORS` (the rest is counted only)."""
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
    rows: Iterable[Row | RowError],
    writer: _SeriesWriter,
    lookup: CatalogueLookup,
    report: ImportReport,
    errors: list[RowError],
    progress: Callable[[int], None] | None,
) -> tuple[dt.date | None, dt.date | None]:
    """Validate ``rows`` and hand them to ``writer``; returns the first and last period dates.

    Sets the rows read and rejected on ``report`` and adds errors to ``errors``.
    """
    # The loop below runs once per row of files with millions of rows: everything it needs is
    # a local name, and each row costs a few dictionary look-ups and one tuple. Anything unusual
    # goes to _validate, which names the error.
    organisation = lookup.organisation
    area_get = lookup.area_ids.get
    measure_get = {
        code: pk for code, pk in lookup.measure_ids.items() if code not in lookup.derived
    }.get
    status_get = {s.value: s.value for s in Status}.get
    period_cache: dict[str, tuple[str, str, str, str] | None] = {}
    period_dates: dict[str, tuple[dt.date, dt.date]] = {}
    used: set[str] = set()
    seen: dict[tuple[int, int, str], int] = {}
    add = writer.add
    read = rejected = 0
    for item in rows:
        read += 1
        if progress is not None and read % CHUNK == 0:
            report.rows_read = read
            progress(read)
        if isinstance(item, RowError):
            rejected += 1
            if len(errors) < MAX_ERRORS:
                errors.append(item)
            continue
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
            _valid, error = _validate(item, lookup, organisation)
            rejected += 1
            if error is not None and len(errors) < MAX_ERRORS:
                errors.append(error)
            continue
        code = entry[0]
        key = (area_id, measure_id, code)
        size = len(seen)
        earlier = seen.setdefault(key, item.line)
        if len(seen) == size:
            rejected += 1
            if len(errors) < MAX_ERRORS:
                errors.append(
                    RowError(
                        item.line,
                        "periode",
                        item.period,
                        _("repeats row %(row)s (same area, measure and period)") % {"row": earlier},
                    )
                )
            continue
        used.add(code)
        if errors:
            continue  # keep validating, stop storing: nothing will be stored
        add(area_id, measure_id, code, value, status, item.line)
        if writer.size >= FLUSH_POINTS:
            chunk_errors = writer.flush()
            rejected += len(chunk_errors)
            keep_errors(errors, chunk_errors)
            seen = {}  # the writer finds rows that repeat a row of an earlier flush
    if not errors:
        chunk_errors = writer.flush()
        rejected += len(chunk_errors)
        keep_errors(errors, chunk_errors)
    report.rows_read, report.rejected = read, rejected
    if not used:
        return None, None
    return (
        min(period_dates[code][0] for code in used),
        max(period_dates[code][1] for code in used),
    )


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
    return RowError(error.line, error.column, error.value, _(error.message))


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
    batch.errors = report.as_dict()["errors"]
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
        items: Iterable[Row | RowError] | bulk.Prepared = []
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


def _chain(first: Row | RowError, rest: Iterator[Row | RowError]) -> Iterator[Row | RowError]:
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
