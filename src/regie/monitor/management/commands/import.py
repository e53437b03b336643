"""``regie import FILE [--format …] [--table …] [--org SLUG] [--dry-run] [--json]``."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any, NoReturn

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from regie.core import audit
from regie.core.commands import add_org_option, find_organisation, unknown_organisation
from regie.monitor import batches, services, sources
from regie.monitor.models import BatchState
from regie.monitor.sources.base import FormatError, RowError


class Command(BaseCommand):
    help = (
        "Import a file of figures: OData v3/v4 JSON, OData CSV, a StatLine CSV export, the "
        "local-figures template (CSV/XLSX) or an incident list. Everything is stored or, when any "
        "row is wrong, nothing; the errors name row, column and value. Exit code 0 on success, 1 "
        "when the file was rejected. Formats: " + ", ".join(sorted(sources.MODULES))
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "file",
            help="the file to import, or a table id (83648NED, 47013NED …) to download from the "
            "live CBS/politie OData API for the areas given with --area",
        )
        parser.add_argument(
            "--area",
            action="append",
            default=[],
            help="with a table id: an area code to download (repeatable), e.g. GM0556",
        )
        parser.add_argument(
            "--whole-gemeente",
            action="store_true",
            help="with a table id and gemeente codes: include all its wijken and buurten",
        )
        parser.add_argument(
            "--format",
            dest="fmt",
            default="",
            choices=sorted(sources.MODULES),
            help="the file's format (detected when left out)",
        )
        parser.add_argument("--table", default="", help="table id, e.g. 83648NED or 47018NED")
        add_org_option(
            parser,
            help="short name of the gemeente that owns these figures (local figures); "
            "without it the figures are open data, visible to every gemeente",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="check and report only; store nothing"
        )
        parser.add_argument("--json", action="store_true", help="print the report as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file() and re.fullmatch(r"\d{5}[A-Za-z]{3}", options["file"]):
            self._from_api(options)
            return
        if not path.is_file():
            self._refuse(options, _("File not found: %(path)s") % {"path": path})
        organisation = find_organisation(options["org"])
        if options["org"] and organisation is None:
            self._refuse(options, unknown_organisation(options["org"]))
        bar = _ProgressBar(path.stat().st_size, enabled=not options["json"] and sys.stderr.isatty())
        try:
            with audit.acting_as(None, "regie import"):
                report = services.import_file(
                    path,
                    fmt=options["fmt"],
                    table=options["table"],
                    organisation=organisation,
                    dry_run=options["dry_run"],
                    progress=bar.update,
                )
        except FormatError as exc:
            self._refuse(options, services.format_error_text(exc), getattr(exc, "report", None))
        except OSError as exc:
            self._refuse(
                options,
                _("The file cannot be read: %(reason)s") % {"reason": exc.strerror or exc},
            )
        except Exception as exc:
            if not options["json"]:
                raise
            # --json always prints a report; the error itself is logged, not shown
            failed: services.ImportReport | None = getattr(exc, "report", None)
            batches.log_failure("regie import", failed.batch_id if failed else None, exc)
            self._refuse(options, services.failure_note(dry_run=options["dry_run"]), failed)
        finally:
            bar.close()
        self._report(report, options)

    def _from_api(self, options: dict[str, Any]) -> None:
        from regie.monitor.sources.odata_api import ODataError

        if not options["area"]:
            self._refuse(options, _("Give the areas to download with --area, e.g. --area GM0556."))
        try:
            with audit.acting_as(None, "regie import"):
                report = services.import_from_api(
                    options["file"].upper(),
                    area_codes=options["area"],
                    whole_gemeente=options["whole_gemeente"],
                    dry_run=options["dry_run"],
                )
        except FormatError as exc:
            self._refuse(options, services.format_error_text(exc), getattr(exc, "report", None))
        except (ODataError, ValueError) as exc:
            self._refuse(options, str(exc))
        self._report(report, options)

    def _refuse(
        self,
        options: dict[str, Any],
        message: str,
        report: services.ImportReport | None = None,
    ) -> NoReturn:
        """Stop with exit code 1: the file as a whole could not be read or imported. With
        ``--json`` the report (with ``error``) is printed all the same."""
        if not options["json"]:
            raise CommandError(message)
        if report is None:
            report = services.ImportReport(
                batch_id=None, state=BatchState.FAILED, dataset="", notes=[message]
            )
        report.error = message
        self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
        self.stderr.write(message)
        sys.exit(1)

    def _report(self, report: services.ImportReport, options: dict[str, Any]) -> None:
        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
        else:
            self.stdout.write(f"{report.dataset}: {report.summary()}")
            skipped = report.skipped_text()  # in the summary already
            label = _("note")  # (outside the f-string: makemessages does not read calls in one)
            for note in report.notes:
                if note != skipped:
                    self.stdout.write(f"  {label}: {note}")
            for group in report.error_groups:
                self.stderr.write(
                    ngettext("%(kind)s: %(n)s time", "%(kind)s: %(n)s times", group.count)
                    % {"kind": group.kind, "n": services.count_text(group.count)}
                )
                for error in group.examples:
                    self.stderr.write("  " + _error_line(error))
                if group.count > len(group.examples):
                    self.stderr.write(
                        "  "
                        + ngettext(
                            "… and %(n)s more of this kind.",
                            "… and %(n)s more of this kind.",
                            group.count - len(group.examples),
                        )
                        % {"n": services.count_text(group.count - len(group.examples))}
                    )
        if not report.ok:
            self.stderr.write(_("Nothing was stored."))
            sys.exit(1)
        if options["dry_run"] and not options["json"]:
            self.stdout.write(_("Dry run: nothing was stored."))


def _error_line(error: RowError) -> str:
    return _("row %(row)s, column %(column)s, value %(value)r: %(message)s") % {
        "row": error.line,
        "column": error.column or "-",
        "value": error.value,
        "message": error.message,
    }


class _ProgressBar:
    """A one-line progress indicator on stderr (rows processed) for interactive terminals."""

    def __init__(self, size: int, *, enabled: bool) -> None:
        self.enabled = enabled
        self.size = size

    def update(self, rows: int) -> None:
        if self.enabled:
            sys.stderr.write(
                "\r" + _("%(rows)s rows processed …") % {"rows": services.count_text(rows)}
            )
            sys.stderr.flush()

    def close(self) -> None:
        if self.enabled:
            sys.stderr.write("\r\033[K")
            sys.stderr.flush()
