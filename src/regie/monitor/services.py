"""Writes of the monitor: the measures catalogue and the one import service every format uses.

:func:`import_file` reads a file with the adapter of its format and hands the rows to
:func:`import_rows`, which validates every row, and stores all of them or none (one transaction):

- a row whose area, measure or period is unknown, or that repeats another row's area × measure ×
  period, is *rejected* with its row, column and value; one rejected row rejects the whole file;
- a new value is *stored*; the same value again is *unchanged*; a different value or status for a
  figure already held is *revised*: the value is replaced and a :class:`Revision` keeps the old one;
- ``dry_run`` does all of that and then rolls back: the report says what would happen.

Writing is set-based and chunked, so memory stays flat for files of millions of rows: each chunk
is inserted with ``ON CONFLICT DO NOTHING``; only when some rows collided are the existing figures
of that chunk read back to tell unchanged from revised from repeated rows.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import io
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from regie.areas.models import Area
from regie.core.models import AuditAction, Organisation
from regie.core.services import ServiceError, record_event
from regie.monitor import catalogue, periods, selectors, sources
from regie.monitor.models import (
    BatchState,
    Dataset,
    DerivedComponent,
    ImportBatch,
    Measure,
    Observation,
    Revision,
)
from regie.monitor.sources.base import (
    AmbiguousName,
    FormatError,
    ReadContext,
    Row,
    RowError,
    Status,
    clean_label,
)

#: Rows per write; each chunk is one INSERT (executemany) and at most one read-back query.
CHUNK = 20_000
#: Errors kept in a report; further rejected rows are only counted.
MAX_ERRORS = 200


class _Rejected(Exception):
    """Raised inside the import transaction to roll it back."""


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
    elif provenance and dataset.provenance != provenance:
        dataset.provenance = provenance
        dataset.save(update_fields=["provenance"])
    return dataset


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
        )


def load_postcodes(lookup: CatalogueLookup) -> None:
    """PC4 → gemeente for the incident feeds (the demo gemeenten; see data/PROVENANCE.md)."""
    import csv

    path = catalogue.DATA / "catalogue" / "pc4_gemeente_demo.csv"
    with path.open(encoding="utf-8") as fh:
        lookup.postcodes = {row["pc4"]: row["gemeente_code"] for row in csv.DictReader(fh)}


# --- The import service -----------------------------------------------------------------------


#: Columns of a chunk row, in order; ``owner_id`` is NULL for open data.
_COLUMNS = (
    "area_id, measure_id, period, period_start, period_end, period_kind, value, status, "
    "batch_id, owner_id"
)
#: The staging table of the PostgreSQL path: one chunk at a time is copied into it.
_STAGE = "regie_import_stage"


class _Writer:
    """Inserts chunks of validated rows and classifies collisions (new/unchanged/revised/repeat).

    A chunk row is ``(area_id, measure_id, period, start, end, kind, value, status, batch_id,
    owner_id)`` with ``start``/``end`` as ISO dates. SQLite gets one ``executemany`` on the
    driver's own cursor; PostgreSQL gets ``COPY`` into a temporary staging table and one
    ``INSERT … SELECT`` from it. Both skip existing figures (``ON CONFLICT DO NOTHING``) and
    count what they inserted; only a chunk with collisions is read back.

    On PostgreSQL the ``COPY`` and ``INSERT`` of a chunk run in one worker thread while the
    caller parses the next chunk: the server works while Python reads (two cores, twice the
    work). The thread uses the same psycopg connection (psycopg 3 serialises its use), so it
    stays inside the caller's transaction; :meth:`write` waits for the previous chunk before it
    hands over the next, and its collisions are classified in the caller's thread. Call
    :meth:`flush` before reading the counts and :meth:`close` on every way out.
    """

    def __init__(self, batch: ImportBatch, owner: Organisation | None) -> None:
        self.batch = batch
        self.batch_id: int = batch.pk
        self.owner_id = owner.pk if owner is not None else None
        self.stored = 0
        self.unchanged = 0
        self.revised = 0
        self.table = Observation._meta.db_table
        conflict = (
            "(owner_id, measure_id, area_id, period) WHERE owner_id IS NOT NULL"
            if self.owner_id is not None
            else "(measure_id, area_id, period) WHERE owner_id IS NULL"
        )
        self.postgresql = connection.vendor == "postgresql"
        self._staged = False
        self._pool: ThreadPoolExecutor | None = None
        self._pending: tuple[Future[tuple[int, int]], list[tuple[Any, ...]], list[int]] | None
        self._pending = None
        # Only identifiers from the model and fixed SQL are interpolated; values are parameters.
        if self.postgresql:
            self.insert_sql = (
                f"INSERT INTO {self.table} ({_COLUMNS}) "  # noqa: S608
                f"SELECT {_COLUMNS} FROM {_STAGE} ON CONFLICT {conflict} DO NOTHING"
            )
        else:
            self.insert_sql = (
                f"INSERT INTO {self.table} ({_COLUMNS}) "  # noqa: S608
                f"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT {conflict} DO NOTHING"
            )

    def write(self, chunk: list[tuple[Any, ...]], lines: list[int]) -> list[RowError]:
        """Insert ``chunk`` (rows as described on the class); returns repeated rows as errors.

        On PostgreSQL the errors returned are those of the previous chunk (see the class).
        """
        if not chunk:
            return []
        connection.ensure_connection()
        raw = connection.connection
        if self.postgresql:
            errors = self.flush()
            if self._pool is None:
                self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="regie-copy")
            future = self._pool.submit(self._insert, raw, chunk)
            self._pending = (future, chunk, lines)
            return errors
        return self._classify(self._insert(raw, chunk), chunk, lines)

    def flush(self) -> list[RowError]:
        """Wait for the chunk in flight (PostgreSQL) and classify its collisions."""
        if self._pending is None:
            return []
        future, chunk, lines = self._pending
        self._pending = None
        return self._classify(future.result(), chunk, lines)

    def close(self) -> None:
        """Wait for the worker thread (whatever happened) and stop it."""
        if self._pending is not None:
            future, _chunk, _lines = self._pending
            self._pending = None
            with contextlib.suppress(Exception):
                future.result()
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None

    def _insert(self, raw: Any, chunk: list[tuple[Any, ...]]) -> tuple[int, int]:
        """``(inserted, max id before)`` for one chunk, on the driver's own connection."""
        cursor = raw.cursor()
        try:
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {self.table}")  # noqa: S608 - table name from the model
            max_before = cursor.fetchone()[0]
            if self.postgresql:
                inserted = self._copy(cursor, chunk)
            else:
                # sqlite3 sums the rows changed by every statement of an executemany.
                cursor.executemany(self.insert_sql, chunk)
                inserted = cursor.rowcount
        finally:
            cursor.close()
        return inserted, max_before

    def _classify(
        self, result: tuple[int, int], chunk: list[tuple[Any, ...]], lines: list[int]
    ) -> list[RowError]:
        inserted, max_before = result
        if inserted == len(chunk):
            self.stored += inserted
            return []
        return self._collisions(chunk, lines, max_before)

    def _copy(self, cursor: Any, chunk: list[tuple[Any, ...]]) -> int:
        # A chunk none of whose figures can exist yet (no stored row has one of its measures,
        # areas and periods; rows repeated within the chunk were rejected by the caller, rows
        # repeating an earlier chunk are in the table by now) is copied straight into the table.
        owner = "owner_id IS NULL" if self.owner_id is None else "owner_id = %s"
        params: list[Any] = [] if self.owner_id is None else [self.owner_id]
        cursor.execute(
            f"SELECT 1 FROM {self.table} WHERE {owner} AND measure_id = ANY(%s) "  # noqa: S608
            "AND area_id = ANY(%s) AND period = ANY(%s) LIMIT 1",
            [
                *params,
                list({row[1] for row in chunk}),
                list({row[0] for row in chunk}),
                list({row[2] for row in chunk}),
            ],
        )
        if cursor.fetchone() is None:
            with cursor.copy(f"COPY {self.table} ({_COLUMNS}) FROM STDIN") as copy:
                write_row = copy.write_row
                for row in chunk:
                    write_row(row)
            return len(chunk)
        # Otherwise through a staging table, so that existing figures are skipped and counted.
        if not self._staged:
            # Temporary: private to this connection; emptied at commit, removed by a rollback.
            cursor.execute(
                f"CREATE TEMPORARY TABLE IF NOT EXISTS {_STAGE} (area_id bigint, "
                "measure_id bigint, period varchar(20), period_start date, period_end date, "
                "period_kind varchar(10), value double precision, status varchar(20), "
                "batch_id bigint, owner_id bigint) ON COMMIT DELETE ROWS"
            )
            self._staged = True
        cursor.execute(f"TRUNCATE {_STAGE}")
        with cursor.copy(f"COPY {_STAGE} ({_COLUMNS}) FROM STDIN") as copy:
            write_row = copy.write_row
            for row in chunk:
                write_row(row)
        cursor.execute(self.insert_sql)
        return int(cursor.rowcount)

    def _collisions(
        self, chunk: list[tuple[Any, ...]], lines: list[int], max_before: int
    ) -> list[RowError]:
        measures = {row[1] for row in chunk}
        areas = {row[0] for row in chunk}
        period_codes = {row[2] for row in chunk}
        existing = {
            (o["area_id"], o["measure_id"], o["period"]): o
            for o in Observation.objects.filter(
                owner_id=self.owner_id,
                measure_id__in=measures,
                area_id__in=areas,
                period__in=period_codes,
            ).values("id", "area_id", "measure_id", "period", "value", "status", "batch_id")
        }
        errors: list[RowError] = []
        revisions: list[Revision] = []
        updates: list[Observation] = []
        for row, line in zip(chunk, lines, strict=True):
            key = (row[0], row[1], row[2])
            old = existing[key]
            if old["batch_id"] == self.batch.pk and old["id"] > max_before:
                self.stored += 1  # inserted by this very chunk
                continue
            if old["batch_id"] == self.batch.pk:
                errors.append(
                    RowError(
                        line,
                        "periode",
                        f"{row[2]}",
                        _("repeats an earlier row (same area, measure and period)"),
                    )
                )
                continue
            value, status = row[6], row[7]
            if old["value"] == value and old["status"] == status:
                self.unchanged += 1
                continue
            self.revised += 1
            revisions.append(
                Revision(
                    batch_id=self.batch.pk,
                    previous_batch_id=old["batch_id"],
                    area_id=row[0],
                    measure_id=row[1],
                    period=row[2],
                    owner_id=self.owner_id,
                    old_value=old["value"],
                    new_value=value,
                    old_status=old["status"],
                    new_status=status,
                )
            )
            updates.append(
                Observation(id=old["id"], value=value, status=status, batch_id=self.batch.pk)
            )
        Revision.objects.bulk_create(revisions, batch_size=1000)
        Observation.objects.bulk_update(updates, ["value", "status", "batch_id"], batch_size=1000)
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
    rows: Iterable[Row | RowError],
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
    """Validate and store ``rows`` for ``dataset`` atomically; see the module docstring."""
    label = user.get_username() if user is not None else "systeem"
    if batch is None:
        batch = ImportBatch.objects.create(
            dataset=dataset,
            format=fmt,
            filename=filename[:300],
            sha256=sha256,
            imported_by=user,
            imported_by_label=label,
            state=BatchState.RUNNING,
            dry_run=dry_run,
        )
    else:
        ImportBatch.objects.filter(pk=batch.pk).update(state=BatchState.RUNNING)
    report = ImportReport(batch_id=batch.pk, state=BatchState.RUNNING, dataset=str(dataset))
    errors: list[RowError] = []
    writer = _Writer(batch, dataset.organisation)
    first: dt.date | None = None
    last: dt.date | None = None
    try:
        # closing(writer) exits first: the worker thread is done before commit or rollback.
        with transaction.atomic(), contextlib.closing(writer):
            if connection.vendor == "postgresql":
                # One import per dataset at a time: a second waits instead of interleaving.
                Dataset.objects.select_for_update().get(pk=dataset.pk)
            # The loop below runs once per row of files with millions of rows: everything it
            # needs is a local name, and each row costs a few dictionary look-ups and one tuple.
            # Anything unusual goes to _validate, which names the error.
            chunk_size = CHUNK
            organisation = dataset.organisation
            batch_id, owner_id = writer.batch_id, writer.owner_id
            area_get = lookup.area_ids.get
            measure_get = {
                code: pk for code, pk in lookup.measure_ids.items() if code not in lookup.derived
            }.get
            status_get = {s.value: s.value for s in Status}.get
            period_cache: dict[str, tuple[str, str, str, str] | None] = {}
            period_dates: dict[str, tuple[dt.date, dt.date]] = {}
            used: set[str] = set()
            chunk: list[tuple[Any, ...]] = []
            lines: list[int] = []
            seen: dict[tuple[int, int, str], int] = {}
            read = rejected = 0
            for item in rows:
                read += 1
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
                status = status_get(item.status)
                value = item.value
                if (
                    area_id is None
                    or measure_id is None
                    or entry is None
                    or status is None
                    or (value is not None and value != value)  # NaN
                ):
                    _valid, error = _validate(item, lookup, organisation)
                    rejected += 1
                    if error is not None and len(errors) < MAX_ERRORS:
                        errors.append(error)
                    continue
                code, start, end, kind = entry
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
                                _("repeats row %(row)s (same area, measure and period)")
                                % {"row": earlier},
                            )
                        )
                    continue
                used.add(code)
                if errors:
                    # Keep validating, stop writing: nothing will be stored.
                    if len(seen) > chunk_size:
                        seen = {}
                    continue
                chunk.append(
                    (area_id, measure_id, code, start, end, kind, value, status, batch_id, owner_id)
                )
                lines.append(item.line)
                if len(chunk) >= chunk_size:
                    chunk_errors = writer.write(chunk, lines)
                    rejected += len(chunk_errors)
                    errors.extend(chunk_errors)
                    chunk, lines, seen = [], [], {}
                    if progress is not None:
                        report.rows_read = read
                        progress(read)
            report.rows_read, report.rejected = read, rejected
            if used:
                first = min(period_dates[code][0] for code in used)
                last = max(period_dates[code][1] for code in used)
            if not errors:
                chunk_errors = writer.write(chunk, lines) + writer.flush()
                report.rejected += len(chunk_errors)
                errors.extend(chunk_errors)
            if errors or report.rows_read == 0:
                raise _Rejected
            report.stored, report.unchanged, report.revised = (
                writer.stored,
                writer.unchanged,
                writer.revised,
            )
            if dry_run:
                raise _Rejected
    except _Rejected:
        pass
    except Exception as exc:
        # A file that breaks half-way (FormatError deep in a CSV, a damaged XLSX): nothing was
        # stored; the batch says so instead of staying "running" for ever.
        report.state = BatchState.FAILED
        report.errors = [_translated(e) for e in errors]
        report.notes = [*(_(n) for n in (notes or [])), str(exc)]
        _finish_batch(batch, report)
        raise
    report.errors = [_translated(e) for e in errors]
    report.notes = [_(n) for n in (notes or [])]
    report.period_first, report.period_last = first, last
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
        report.state = BatchState.DONE
    _finish_batch(batch, report)
    if report.state == BatchState.DONE:
        record_event(
            action=AuditAction.IMPORT,
            user=user,
            label=label,
            organisation=dataset.organisation,
            description=_("Import %(file)s into %(dataset)s: %(summary)s")
            % {"file": filename, "dataset": dataset, "summary": report.summary()},
        )
    return report


def _translated(error: RowError) -> RowError:
    return RowError(error.line, error.column, error.value, _(error.message))


def _finish_batch(batch: ImportBatch, report: ImportReport) -> None:
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
        context = lookup.context(table=table)
        context.period_status = dict(period_status or {})
        rows = adapter.read(stream, context)
        # The adapter fills context.info while reading: take the first row before deciding on
        # the dataset, and put it back in front of the rest.
        iterator = iter(rows)
        try:
            head_item = next(iterator)
            items: Iterable[Row | RowError] = _chain(head_item, iterator)
        except StopIteration:
            items = []
        info = context.info
        table_id = info.table or table or (f"lokaal:{organisation.slug}" if organisation else "")
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
