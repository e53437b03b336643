"""``regie report build|list``: council reports and briefings from the command line."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from regie.core import audit, formats
from regie.core.commands import find_organisation, unknown_organisation
from regie.core.concurrency import edit_token
from regie.core.models import Organisation
from regie.reports import services
from regie.reports.models import Report, ReportFormat, ReportKind


class Command(BaseCommand):
    help = (
        "Council reports. 'build GM0482 --kind evaluatie --period 2024 --format pdf --out FILE' "
        "builds the report from its locked figures (locking them first if the report is new); "
        "'list GM0482' lists a gemeente's reports."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        build = sub.add_parser("build", help="build a report as PDF, Word or Excel")
        build.add_argument("gemeente", help="CBS code, e.g. GM0482")
        build.add_argument("--kind", required=True, choices=ReportKind.values)
        build.add_argument(
            "--period",
            required=True,
            help="2024 (evaluatie), 2024H1 (raadsinformatiebrief), 2024-10 (briefing)",
        )
        build.add_argument("--format", dest="fmt", default="pdf", choices=ReportFormat.values)
        build.add_argument(
            "--out", default=None, help="the file to write (default: a name in this folder)"
        )
        build.add_argument(
            "--refresh",
            action="store_true",
            help="lock the figures anew before building (a concept report only)",
        )
        listing = sub.add_parser("list", help="a gemeente's reports")
        listing.add_argument("gemeente", help="CBS code, e.g. GM0482")

    def _organisation(self, code: str) -> Organisation:
        organisation = find_organisation(code)
        if organisation is None:
            raise CommandError(unknown_organisation(code))
        return organisation

    def handle(self, *args: Any, **options: Any) -> None:
        organisation = self._organisation(options["gemeente"])
        if options["action"] == "list":
            self._list(organisation)
            return
        with audit.acting_as(None, "regie report"):
            self._build(organisation, options)

    def _list(self, organisation: Organisation) -> None:
        reports = (
            Report.objects.filter(organisation=organisation)
            .select_related("status_snapshot")
            .order_by("-period", "kind")
        )
        if not reports:
            self.stdout.write(_("%(name)s has no reports yet.") % {"name": organisation.name})
        for report in reports:
            state = (
                _("sent on %(date)s") % {"date": formats.date(report.sent_on)}
                if report.is_frozen
                else _("concept")
            )
            moment = report.status_snapshot.label if report.status_snapshot else "–"
            said = _("status snapshot")
            line = f"{report.period:<8} {report.kind:<21} {state:<24} {report.title}"
            self.stdout.write(f"{line}  [{said}: {moment}]")

    def _report(self, organisation: Organisation, options: dict[str, Any]) -> Report:
        try:
            period = services.check_period(options["kind"], options["period"])
            report = Report.objects.filter(
                organisation=organisation, kind=options["kind"], period=period
            ).first()
            if report is None:
                report = services.create_report(
                    organisation=organisation, kind=options["kind"], period=period
                )
            if not report.snapshot or (options["refresh"] and not report.is_frozen):
                self.stderr.write(_("Locking the figures…"))
                report = services.lock(report, version=edit_token(report))
            elif options["refresh"]:
                raise CommandError(_("This report has been sent; its figures stay as they were."))
        except services.ServiceError as error:
            raise CommandError(str(error)) from error
        return report

    def _build(self, organisation: Organisation, options: dict[str, Any]) -> None:
        report = self._report(organisation, options)
        fmt = options["fmt"]

        def progress(percent: int, step: str) -> None:
            self.stderr.write(f"\r[{percent:>3}%] {step:<60}", ending="")

        try:
            stored = services.build_now(report, fmt, progress=progress)
        except services.ServiceError as error:
            raise CommandError(str(error)) from error
        self.stderr.write("")
        out = options["out"] or f"{organisation.slug}-{report.kind}-{report.period}.{fmt}"
        content = bytes(stored.content)
        if out == "-":
            sys.stdout.buffer.write(content)
            return
        Path(out).write_bytes(content)
        self.stderr.write(
            _("%(file)s written (%(size)s bytes, SHA-256 %(hash)s).")
            % {"file": out, "size": formats.num(stored.size), "hash": stored.sha256}
        )
