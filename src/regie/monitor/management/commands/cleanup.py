"""``regie cleanup [--dry-run]``: stale uploads, old checks, and imports whose process stopped.

``regie worker`` runs the same service functions nightly (the periodic job ``monitor.cleanup``,
:mod:`regie.monitor.tasks`); ``regie serve --no-worker`` runs this command at start and hourly; an
installation without either runs it from cron or a systemd timer.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from regie.accounts import services as account_services
from regie.core import audit
from regie.monitor import batches


class Command(BaseCommand):
    help = (
        "Remove uploads nobody confirmed within 24 hours, checks (dry runs) older than 7 days "
        "and used or expired e-mail change requests, and mark imports whose process stopped as "
        "failed. regie worker does this nightly; run it from cron or a systemd timer when no "
        "worker runs."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="only say what would be removed or marked"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        dry_run = bool(options["dry_run"])
        with audit.acting_as(None, "regie cleanup"):
            report = batches.cleanup(dry_run=dry_run)
        uploads, checks, failed = len(report.uploads), report.checks, len(report.failed)
        if dry_run:
            lines = [
                ngettext(
                    "%(n)s upload older than 24 hours would be removed.",
                    "%(n)s uploads older than 24 hours would be removed.",
                    uploads,
                ),
                ngettext(
                    "%(n)s check older than 7 days would be removed.",
                    "%(n)s checks older than 7 days would be removed.",
                    checks,
                ),
                ngettext(
                    "%(n)s import whose process stopped would be marked failed.",
                    "%(n)s imports whose process stopped would be marked failed.",
                    failed,
                ),
            ]
        else:
            lines = [
                ngettext(
                    "%(n)s upload older than 24 hours removed.",
                    "%(n)s uploads older than 24 hours removed.",
                    uploads,
                ),
                ngettext(
                    "%(n)s check older than 7 days removed.",
                    "%(n)s checks older than 7 days removed.",
                    checks,
                ),
                ngettext(
                    "%(n)s import whose process stopped marked failed.",
                    "%(n)s imports whose process stopped marked failed.",
                    failed,
                ),
            ]
        changes = account_services.remove_finished_email_changes(dry_run=dry_run)
        lines.append(
            ngettext(
                "%(n)s used or expired e-mail change request removed.",
                "%(n)s used or expired e-mail change requests removed.",
                changes,
            )
            if not dry_run
            else ngettext(
                "%(n)s used or expired e-mail change request would be removed.",
                "%(n)s used or expired e-mail change requests would be removed.",
                changes,
            )
        )
        for line, n in zip(lines, (uploads, checks, failed, changes), strict=True):
            self.stdout.write(line % {"n": n})
        if dry_run:
            self.stdout.write(_("Dry run: nothing was changed."))
