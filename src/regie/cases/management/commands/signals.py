"""``regie signals import FILE --gemeente GM0556 [--dry-run]``: a register of signals (CSV or
XLSX) into a gemeente's Meldpunt Veiligheid, all or nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from regie.cases.register_import import (
    FileRefused,
    ImportRefused,
    Result,
    RowError,
    import_register,
)
from regie.cases.register_import.rows import COLUMNS, REQUIRED
from regie.core import audit
from regie.core.commands import find_organisation
from regie.core.models import Organisation

#: At most this many problems are printed (then how many more there are).
SHOWN_ERRORS = 50
LABEL = "regie signals import"


def kind_label(kind: str) -> str:
    """The Dutch name of an identifier kind of the hermeldingen."""
    labels = {
        "person": _("person"),
        "bsn": _("BSN"),
        "address": _("address"),
        "bag": _("BAG id"),
        "kvk": _("KvK number"),
        "phone": _("telephone"),
        "email": _("e-mail"),
        "kenteken": _("licence plate"),
    }
    return labels.get(kind, kind)


def describe(error: RowError) -> str:
    """One problem as a line: row, column, the value as typed, the message."""
    if error.row == 0:
        return error.message
    parts = [_("row %(row)s") % {"row": error.row}]
    if error.column:
        parts.append(_("column %(column)s") % {"column": error.column})
    if error.value:
        parts.append(_('value "%(value)s"') % {"value": error.value})
    return f"{', '.join(parts)}: {error.message}"


def gemeente(code: str) -> Organisation:
    organisation = find_organisation(code)
    if organisation is None or not organisation.is_gemeente:
        raise CommandError(_("No gemeente with code %(code)s.") % {"code": code})
    return organisation


class Command(BaseCommand):
    help = (
        "Signals of the Meldpunt Veiligheid. 'import FILE --gemeente GM0556' reads a register "
        "(CSV with ; or , or an XLSX workbook, first sheet) with a header row of these columns "
        "(order free): " + ", ".join(COLUMNS) + "; required: " + ", ".join(REQUIRED) + ". "
        "Nothing is stored when any row is wrong: every problem is printed with its row, column "
        "and value, and the exit code is 1. --dry-run checks everything and stores nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="import a register of signals (CSV or XLSX)")
        imp.add_argument("file", help="the CSV or XLSX file")
        imp.add_argument(
            "--gemeente", required=True, metavar="CODE", help="CBS code or short name, e.g. GM0556"
        )
        imp.add_argument(
            "--dry-run", action="store_true", help="check and count only; store nothing"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        organisation = gemeente(options["gemeente"])
        path = Path(options["file"])
        try:
            with audit.acting_as(None, LABEL):
                result = import_register(
                    path, organisation, label=LABEL, dry_run=options["dry_run"]
                )
        except FileRefused as exc:
            raise CommandError(exc.message) from exc
        except ImportRefused as exc:
            self._problems(exc.errors)
            raise CommandError(
                ngettext(
                    "Nothing was imported: %(count)d problem.",
                    "Nothing was imported: %(count)d problems.",
                    len(exc.errors),
                )
                % {"count": len(exc.errors)}
            ) from exc
        self._report(result)

    def _problems(self, errors: list[RowError]) -> None:
        for error in errors[:SHOWN_ERRORS]:
            self.stderr.write(describe(error))
        if len(errors) > SHOWN_ERRORS:
            more = len(errors) - SHOWN_ERRORS
            self.stderr.write(
                ngettext("And %(count)d more problem.", "And %(count)d more problems.", more)
                % {"count": more}
            )

    def _report(self, result: Result) -> None:
        if result.dry_run:
            text = ngettext(
                "%(count)d signal checked; nothing stored (--dry-run).",
                "%(count)d signals checked; nothing stored (--dry-run).",
                result.count,
            )
        else:
            text = ngettext(
                "%(count)d signal imported.", "%(count)d signals imported.", result.count
            )
        self.stdout.write(text % {"count": result.count})
        if not result.hits:
            self.stdout.write(_("No hermeldingen."))
            return
        self.stdout.write(
            _("Signals with an earlier signal on the same identifier (hermeldingen):")
        )
        for kind, count in result.hits.items():
            self.stdout.write(f"  {kind_label(kind)}: {count}")
