"""``regie worker [--batch]``: run the background jobs (checks, imports, periodic jobs).

See :mod:`regie.core.jobs` (ADR 0016). ``regie serve`` starts one beside the web server.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.utils.translation import gettext as _

from regie.core import jobs


class Command(BaseCommand):
    help = (
        "Run the background jobs: checks and imports of uploaded files (one import at a time, "
        "checks beside it) and the periodic jobs (such as the nightly clean-up). Jobs left "
        "running by a worker that stopped are run again. Stop with Ctrl+C (the running jobs "
        "finish first). Several workers may run on PostgreSQL; on SQLite run one."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--batch",
            action="store_true",
            help="run the jobs that are waiting, then stop (no periodic rounds)",
        )
        parser.add_argument(
            "--interval",
            type=float,
            default=1.0,
            help="seconds between two looks at an empty queue (default 1)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not jobs.is_durable():
            raise CommandError(
                _(
                    "REGIE_TASKS_EAGER is on: jobs run in the web server's requests and no "
                    "worker is needed."
                )
            )
        if options["interval"] < 0:
            raise CommandError(_("The interval cannot be negative."))
        jobs.discover()
        if connection.vendor == "sqlite" and jobs.other_live_workers("") > 0:
            self.stderr.write(
                _(
                    "Another worker is running on this SQLite database; one worker is the "
                    "supported setup (see docs/configuration.md)."
                )
            )
        if not options["batch"]:
            self.stdout.write(_("The worker is running (Ctrl+C stops it)."))
        jobs.run_worker(
            batch=bool(options["batch"]),
            interval=float(options["interval"]),
            handle_signals=not options["batch"],
        )
