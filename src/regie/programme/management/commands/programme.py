"""``regie programme export|import|list``: a gemeente's uitvoeringsprogramma as a YAML file."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from regie.core import audit, formats
from regie.core.commands import add_org_option, find_organisation, organisation_option
from regie.core.models import Organisation
from regie.programme import programme_file, selectors
from regie.programme.models import ActionStatus


def gemeente(code: str) -> Organisation:
    """The gemeente with CBS code (or short name) ``code``; CommandError if none."""
    organisation = find_organisation(code)
    if organisation is None:
        raise CommandError(_("No gemeente with code %(code)s.") % {"code": code})
    return organisation


class Command(BaseCommand):
    help = (
        "A gemeente's uitvoeringsprogramma. 'export GM0482 --period 2024' prints the programme "
        "as YAML (or writes it to --out FILE); 'import FILE' reads such a file as a new "
        "programme (nothing is stored when anything in it is wrong: exit code 1 with the place "
        "of each problem); 'list GM0482' shows the gemeente's programmes."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        export = sub.add_parser("export", help="print the programme of a period as YAML")
        export.add_argument("gemeente", help="CBS code, e.g. GM0482")
        export.add_argument("--period", required=True, help="a year (2024) or half year (2024H1)")
        export.add_argument("--out", default="", metavar="FILE", help="write to FILE")
        imp = sub.add_parser("import", help="read a programme file as a new programme")
        imp.add_argument("file", help="the YAML file, or - for standard input")
        add_org_option(imp, help="only accept a file of this gemeente (short name or CBS code)")
        listing = sub.add_parser("list", help="the programmes of a gemeente")
        listing.add_argument("gemeente", help="CBS code, e.g. GM0482")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "export":
            self._export(gemeente(options["gemeente"]), options["period"], options["out"])
        elif action == "import":
            self._import(options["file"], organisation_option(options.get("org", "")))
        else:
            self._list(gemeente(options["gemeente"]))

    def _export(self, organisation: Organisation, period: str, out: str) -> None:
        programme = selectors.programme_for(organisation, period.strip().upper())
        if programme is None:
            raise CommandError(
                _("%(name)s has no programme for %(period)s.")
                % {"name": organisation.name, "period": period}
            )
        text = programme_file.dump(programme)
        if not out:
            self.stdout.write(text, ending="")
            return
        try:
            Path(out).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise CommandError(
                _("Cannot write %(file)s: %(error)s") % {"file": out, "error": exc}
            ) from exc
        self.stdout.write(
            _("Written: %(programme)s to %(file)s.") % {"programme": programme, "file": out}
        )

    def _read(self, name: str) -> str:
        try:
            if name == "-":
                return programme_file.read_text(sys.stdin.buffer)
            with Path(name).open("rb") as stream:  # never more than a programme file's size
                return programme_file.read_text(stream)
        except OSError as exc:
            message = _("Cannot read %(file)s: %(error)s") % {"file": name, "error": exc}
            raise CommandError(message) from exc
        except programme_file.ProgrammeFileError as exc:
            raise CommandError(
                _("Cannot read %(file)s: %(error)s") % {"file": name, "error": exc.problems[0]}
            ) from exc

    def _import(self, name: str, organisation: Organisation | None) -> None:
        text = self._read(name)
        try:
            with audit.acting_as(None, "regie programme import"):
                programme = programme_file.import_programme(text, organisation=organisation)
        except programme_file.ProgrammeFileError as exc:
            for problem in exc.problems:
                self.stderr.write(problem)
            raise CommandError(
                _("The programme was not imported (%(count)d problems).")
                % {"count": len(exc.problems)}
            ) from exc
        self.stdout.write(
            _("Imported as a new programme: %(programme)s of %(gemeente)s.")
            % {"programme": programme, "gemeente": programme.organisation.name}
        )

    def _list(self, organisation: Organisation) -> None:
        programmes = list(selectors.programmes_of(organisation))
        if not programmes:
            self.stdout.write(_("%(name)s has no programmes yet.") % {"name": organisation.name})
            return
        for programme in programmes:
            actions = list(programme.actions.values_list("status", flat=True))
            counts = ", ".join(
                f"{actions.count(s.value)} {s.label.lower()}"
                for s in ActionStatus
                if actions.count(s.value)
            )
            adopted = (
                _("adopted %(date)s") % {"date": formats.date(programme.adopted_on)}
                if programme.adopted_on
                else _("concept")
            )
            self.stdout.write(f"{programme.period}\t{programme.title}\t{adopted}")
            plan = _("plan %(start)s–%(end)s, version %(version)s") % {
                "start": programme.plan.start_year,
                "end": programme.plan.end_year,
                "version": programme.plan.version,
            }
            count = ngettext("%(count)d action", "%(count)d actions", len(actions)) % {
                "count": len(actions)
            }
            self.stdout.write(f"\t{plan}; {count}" + (f" ({counts})" if counts else ""))
