"""The set-based writer: validated points merged into their series (ADR 0010).

:class:`_SeriesWriter` holds points per area × measure and merges them in one go: new,
unchanged, revised (a :class:`~regie.monitor.models.Revision` keeps the old point) or repeated.
A check only counts; an import's first pass keeps the points for the one short write.
"""

from __future__ import annotations

import datetime as dt
import pickle
import tempfile
from collections.abc import Iterable, Iterator
from typing import IO, Any

from django.db import connection
from django.utils.translation import gettext as _

from regie.core.models import Organisation
from regie.monitor import bulk
from regie.monitor.models import ImportBatch, Period, Revision, Series
from regie.monitor.services.lookup import DEFAULT_COLUMNS
from regie.monitor.sources.base import RowError, Status

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
