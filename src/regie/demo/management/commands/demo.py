from __future__ import annotations

import sys
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from regie.core import append_only
from regie.demo import services


class Command(BaseCommand):
    help = (
        "Load the demo: the gemeenten Maassluis and Alblasserdam, partner organisations, the areas "
        "with population, and demo accounts (printed at the end). Running it again keeps existing "
        "data. --reset first ERASES THE WHOLE DATABASE and rebuilds the demo."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--reset", action="store_true", help="erase all data and rebuild the demo"
        )
        parser.add_argument(
            "--yes", action="store_true", help="do not ask for confirmation with --reset"
        )
        parser.add_argument(
            "--no-build",
            action="store_true",
            help="lock the demo reports' figures but do not queue building their files",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["reset"]:
            if not append_only.purge_allowed():
                raise CommandError(
                    _(
                        "--reset erases only a demo database, and this one is not a demo: it "
                        "holds other organisations or accounts, and its audit log must be kept. "
                        "Nothing has been erased."
                    )
                )
            if not options["yes"]:
                if not sys.stdin.isatty():
                    raise CommandError(
                        _(
                            "--reset erases the whole database. Confirm with --yes (no input "
                            "possible)."
                        )
                    )
                answer = input(_("This erases ALL data in the database. Type 'yes' to continue: "))
                if answer.strip().lower() != _("yes"):
                    raise CommandError(_("Cancelled; nothing has been erased."))
            call_command("flush", interactive=False, verbosity=0)
            self.stdout.write(_("Database erased."))
        existed = services.demo_exists()
        accounts = services.build_demo()
        self.stdout.write(_("Loading figures (police, CBS, Veiligheidsmonitor, local figures)…"))
        for line in services.load_figures():
            self.stdout.write(f"  {line}")
        self.stdout.write(_("Loading the safety plans…"))
        for line in services.load_plans():
            self.stdout.write(f"  {line}")
        self.stdout.write(_("Loading the uitvoeringsprogramma's…"))
        for line in services.load_programmes():
            self.stdout.write(f"  {line}")
        self.stdout.write(_("Locking the figures of the demo reports…"))
        for line in services.load_reports(build=not options.get("no_build", False)):
            self.stdout.write(f"  {line}")
        self.stdout.write(_("Loading the signals of the Meldpunt Veiligheid…"))
        for line in services.load_signals():
            self.stdout.write(f"  {line}")
        self.stdout.write(_("Demo updated (existing data kept).") if existed else _("Demo loaded."))
        self.stdout.write("")
        self.stdout.write(
            _("Demo accounts (password for all of them: %(password)s):")
            % {"password": services.DEMO_PASSWORD}
        )
        for acc in accounts:
            flag = "  [2FA]" if acc.two_factor else ""
            self.stdout.write(f"  {acc.username:<26} {acc.roles}{flag}")
        self.stdout.write("")
        self.stdout.write(
            _(
                "Accounts marked [2FA] ask for a code after the password. Get it with:\n"
                "  %(command)s USERNAME\n"
                "or add the key to an authenticator app: %(command)s USERNAME --secret"
            )
            % {"command": ".venv/bin/regie demo-code"}
        )
