"""The row reader: every row of a file checked, and handed to the writer.

:func:`store_rows` is the loop that runs once per value of files with millions of rows: it
resolves area, measure and period with dictionary look-ups, passes over pseudo-regions and empty
rows (counted), rejects rows with an unknown code, a repeated key or a figure of a former
gemeente after it ceased, and hands the rest to the writer every :data:`FLUSH_POINTS` points.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

from django.utils.translation import gettext as _

from regie.core.models import Organisation
from regie.monitor import catalogue
from regie.monitor.services.lookup import CatalogueLookup
from regie.monitor.services.reports import (
    CEASED_AREA,
    REPEATED_ROW,
    ErrorLog,
    ImportReport,
    SkipLog,
)
from regie.monitor.services.writes import _SeriesWriter
from regie.monitor.sources.base import Row, RowError, Skip, SkipReason, Status, is_pseudo_region
from regie.stats import periods

#: Rows between two progress reports of the row reader (the heartbeat stores them at most
#: every few seconds: see :mod:`regie.monitor.batches`).
CHUNK = 1_000

#: Values must be finite: JSON (the series store) has no infinity.
_HUGE = float("inf")

#: Points held before they are merged into their series. A file sorted by series writes each
#: series once; one sorted by period rewrites a series once per flush.
FLUSH_POINTS = 250_000


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


class _Problems:
    """The unusual rows of a file: counted, skipped or named (the rare paths of
    :func:`store_rows`, kept out of its loop).

    ``rejected`` counts file rows with at least one problem: a wide row is counted once,
    however many of its values are rejected (the values of one row come one after another).
    """

    def __init__(
        self, lookup: CatalogueLookup, errors: ErrorLog, skips: SkipLog, period_column: str
    ) -> None:
        self.lookup = lookup
        self.errors = errors
        self.skips = skips
        self.period_column = period_column
        self.rejected = 0
        self._last_rejected: int | None = None
        self._pseudo: dict[str, bool] = {}

    def reject(self, line: int) -> None:
        """Count file row ``line`` as rejected (once)."""
        if line != self._last_rejected:
            self._last_rejected = line
            self.rejected += 1

    def not_a_row(self, item: RowError | Skip) -> None:
        """A skip or an error the adapter found."""
        if isinstance(item, Skip):
            self.skips.add(item.line, item.reason, item.value)
            return
        self.reject(item.line)
        self.errors.add(item)

    def invalid(self, item: Row, *, unknown_area: bool) -> int:
        """A row with an unknown code, status or value: passed over when its area is a
        pseudo-region (returns 1: not a value), else rejected with its error (returns 0)."""
        if unknown_area:
            is_pseudo = self._pseudo.get(item.area)
            if is_pseudo is None:
                is_pseudo = self._pseudo[item.area] = is_pseudo_region(item.area)
            if is_pseudo:
                self.skips.add(item.line, SkipReason.PSEUDO_REGION, item.area)
                return 1
        _valid, error = _validate(item, self.lookup, self.lookup.organisation)
        self.reject(item.line)
        if error is not None:
            self.errors.add(error)
        return 0

    def ceased(self, item: Row, entry: tuple[str, str, str, str], ended: str) -> int:
        """A figure of an area for a period on or after the day it ceased (``ended``, ISO).

        A former gemeente after it ceased: a row without a figure ("." in a StatLine table that
        lists it for every year), or "Bevolking aan het einde van 2018" of Leerdam read as
        1 January 2019, the day Leerdam ceased, is passed over and counted (returns 1: not a
        value); any other figure is rejected (returns 0).
        """
        if item.value is None or (
            entry[1] == ended and item.measure == catalogue.POPULATION_MEASURE
        ):
            self.skips.add(item.line, SkipReason.CEASED, item.area)
            return 1
        self.reject(item.line)
        self.errors.add(
            self.lookup.ceased_error(item.line, item.area, entry[0], dt.date.fromisoformat(ended)),
            _(CEASED_AREA),
        )
        return 0

    def repeated(self, item: Row, earlier: int) -> None:
        """A row for the area, measure and period of row ``earlier``."""
        self.reject(item.line)
        self.errors.add(
            RowError(
                item.line,
                self.period_column,
                item.period,
                _("repeats row %(row)s (same area, measure and period)") % {"row": earlier},
            ),
            _(REPEATED_ROW),
        )

    def flushed(self, found: list[RowError]) -> None:
        """The rows a flush of the writer rejected (they repeat a row of an earlier flush)."""
        self.rejected += rejected_rows(found, self.errors)


class _PeriodCache(dict[str, tuple[str, str, str, str] | None]):
    """Period text → (code, start, end, kind), or None when it is unknown; each period read
    is made known to ``writer`` the first time it is seen."""

    def __init__(self, writer: _SeriesWriter) -> None:
        super().__init__()
        self.writer = writer
        #: period code → its first and last day
        self.dates: dict[str, tuple[dt.date, dt.date]] = {}

    def __missing__(self, text: str) -> tuple[str, str, str, str] | None:
        entry = self[text] = _period_entry(text, self.dates)
        if entry is not None:
            self.writer.period(*entry)
        return entry


def store_rows(
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
    # unusual goes to _Problems, which names the error.
    problems = _Problems(lookup, errors, skips, lookup.column("period"))
    area_get, measure_get, status_get, ceased_get = _getters(lookup)
    period_cache = _PeriodCache(writer)
    period_dates = period_cache.dates
    used: set[str] = set()
    seen: dict[tuple[int, int, str], int] = {}
    add = writer.add
    items = read = values = 0
    last_line: int | None = None
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
            problems.not_a_row(item)
            continue
        values += 1
        area_id = area_get(item.area)
        measure_id = measure_get(item.measure)
        entry = period_cache[item.period]
        status = status_get(item.status)
        value = item.value
        if (
            area_id is None
            or measure_id is None
            or entry is None
            or status is None
            or (value is not None and not -_HUGE < value < _HUGE)  # NaN or infinite
        ):
            values -= problems.invalid(item, unknown_area=area_id is None)
            continue
        ended = ceased_get(area_id)
        if ended is not None and entry[1] >= ended:
            values -= problems.ceased(item, entry, ended)
            continue
        code = entry[0]
        key = (area_id, measure_id, code)
        size = len(seen)
        earlier = seen.setdefault(key, line)
        if len(seen) == size:
            problems.repeated(item, earlier)
            continue
        used.add(code)
        if errors:
            continue  # keep validating, stop storing: nothing will be stored
        add(area_id, measure_id, code, value, status, line)
        if writer.size >= FLUSH_POINTS:
            problems.flushed(writer.flush())
            seen = {}  # the writer finds rows that repeat a row of an earlier flush
    if not errors:
        problems.flushed(writer.flush())
    report.rows_read, report.values, report.rejected = read, values, problems.rejected
    return _span(used, period_dates)


def _getters(
    lookup: CatalogueLookup,
) -> tuple[
    Callable[[str], int | None],
    Callable[[str], int | None],
    Callable[[str], str | None],
    Callable[[int], str | None],
]:
    """The look-ups of :func:`store_rows`: area code → id (not of a pseudo-region), measure
    code → id (not of a derived measure), status → itself when known, area id → the day it
    ceased (ISO text)."""
    measure_ids = {
        code: pk for code, pk in lookup.measure_ids.items() if code not in lookup.derived
    }
    statuses = {s.value: s.value for s in Status}
    ceased = {pk: ended.isoformat() for pk, ended in lookup.ceased.items()}
    return lookup.figure_area_ids.get, measure_ids.get, statuses.get, ceased.get


def _span(
    used: set[str], period_dates: dict[str, tuple[dt.date, dt.date]]
) -> tuple[dt.date | None, dt.date | None]:
    """The first and last day of the periods ``used``; (None, None) when there are none."""
    if not used:
        return None, None
    return (
        min(period_dates[code][0] for code in used),
        max(period_dates[code][1] for code in used),
    )


def rejected_rows(found: list[RowError], errors: ErrorLog) -> int:
    """Add the rows a flush of the writer rejected to ``errors``; returns how many file rows."""
    errors.extend(found)
    return len({error.line for error in found})
