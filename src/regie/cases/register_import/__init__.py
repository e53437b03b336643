"""Importing a register of signals (CSV or XLSX) that a gemeente kept in Excel: all or nothing.

Every row is read and checked first (:mod:`.rows`); when any row has a problem nothing is stored
and every problem is returned with its row (as a spreadsheet numbers it: the header is row 1),
column, the value as typed and a Dutch message. Otherwise every row is received through
:func:`regie.cases.services.receive` (encryption, blind indexes, hermeldingen) in one transaction,
oldest first; a refusal of the intake is reported with its row and rolls everything back.

The columns are those of :data:`.rows.COLUMNS` (see ``regie signals import --help``).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from regie.cases import services
from regie.cases.register_import import files, rows, values
from regie.cases.register_import.files import FileRefused
from regie.cases.register_import.rows import RowError
from regie.core.errors import ServiceError
from regie.core.models import AuditAction, Organisation
from regie.core.services import record_event

__all__ = ["FileRefused", "ImportRefused", "Result", "RowError", "check", "import_register"]


class ImportRefused(Exception):
    """Nothing was imported: the problems of the file, each with its place."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(f"{len(errors)} problems")
        self.errors = errors


@dataclass(frozen=True)
class Result:
    count: int
    #: identifier kind → how many imported signals had an earlier signal on it (hermeldingen)
    hits: dict[str, int]
    references: list[str]
    dry_run: bool


def _whole_file(message: str) -> ImportRefused:
    return ImportRefused([RowError(0, "", "", message)])


def check(table: files.Table, organisation: Organisation) -> list[tuple[int, services.SignalIn]]:
    """Every row as a signal to receive, oldest first; :class:`ImportRefused` with all problems
    when anything is wrong."""
    cols = rows.columns(table.header)
    if not table.rows:
        raise ImportRefused([*cols.errors, *_whole_file(_("The file has no rows.")).errors])
    finder = values.CategoryFinder(organisation)
    found: list[tuple[int, services.SignalIn]] = []
    errors: list[RowError] = list(cols.errors)
    for number, cells in table.rows:
        row = rows.Row(number, cells, cols)
        data = rows.read_row(row, organisation, finder)
        errors.extend(row.errors)
        if data is not None:
            found.append((number, data))
    if errors:
        raise ImportRefused(errors)
    return sorted(found, key=lambda item: (item[1].received_at, item[0]))


def _receive_all(
    checked: list[tuple[int, services.SignalIn]], label: str
) -> tuple[list[services.Intake], list[RowError]]:
    intakes: list[services.Intake] = []
    errors: list[RowError] = []
    for number, data in checked:
        try:
            intakes.append(services.receive(data, by=None, label=label))
        except ServiceError as exc:
            errors.append(RowError(number, "", "", str(exc)))
    return intakes, errors


def import_register(
    path: Path, organisation: Organisation, *, label: str, dry_run: bool = False
) -> Result:
    """Import the register at ``path`` into ``organisation``'s Meldpunt; all or nothing.

    Raises :class:`FileRefused` (the file cannot be read) or :class:`ImportRefused` (problems per
    row). With ``dry_run`` everything is checked and received, then rolled back.
    """
    if not organisation.is_gemeente or not organisation.is_active:
        raise _whole_file(_("Signals can only be imported into an active gemeente."))
    table = files.read(path)
    with transaction.atomic():
        services.ensure_categories(organisation)
        checked = check(table, organisation)
        intakes, errors = _receive_all(checked, label)
        if errors:
            raise ImportRefused(sorted(errors, key=lambda e: e.row))
        counts: Counter[str] = Counter(k for i in intakes for k, n in i.hits.items() if n)
        result = Result(
            count=len(intakes),
            hits=dict(sorted(counts.items())),
            references=[i.signal.reference for i in intakes],
            dry_run=dry_run,
        )
        if dry_run:
            transaction.set_rollback(True)
            return result
        record_event(
            action=AuditAction.IMPORT,
            user=None,
            label=label,
            organisation=organisation,
            description=_("Register of signals imported: %(count)s signals")
            % {"count": result.count},
        )
    return result
