"""``regie retention run [--today DATE] [--dry-run]``: apply the retention rules now
(docs/privacy.md §6). The nightly job :func:`regie.privacy.tasks.nightly_retention` does the
same at 02:30."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from regie.core import audit, formats
from regie.core.models import AuditAction
from regie.core.services import record_event
from regie.privacy import services
from regie.privacy.models import RetentionRun

#: How the audit log and the run name this command as the actor.
ACTOR = "regie retention"
_DUTCH = re.compile(r"(\d{1,2})-(\d{1,2})-(\d{4})")


def parse_day(text: str) -> dt.date:
    """A day as YYYY-MM-DD or DD-MM-YYYY."""
    text = text.strip()
    try:
        if match := _DUTCH.fullmatch(text):
            day, month, year = (int(part) for part in match.groups())
            return dt.date(year, month, day)
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(
            _("--today takes a day as YYYY-MM-DD or DD-MM-YYYY, not %(value)s.") % {"value": text}
        ) from exc


def _counts_text(counts: dict[str, int], dry_run: bool) -> str:
    values = {
        "destroyed": counts.get("destroyed", 0),
        "anonymised": counts.get("anonymised", 0),
        "held": counts.get("held", 0),
    }
    if dry_run:
        return (
            _(
                "%(destroyed)s to destroy, %(anonymised)s reporters to anonymise, "
                "%(held)s held by a legal hold"
            )
            % values
        )
    return (
        _(
            "%(destroyed)s destroyed, %(anonymised)s reporters anonymised, "
            "%(held)s held by a legal hold"
        )
        % values
    )


def _totals(run: RetentionRun) -> dict[str, int]:
    totals: dict[str, int] = {}
    for key, value in run.counts.items():
        what = key.rsplit(".", 1)[-1]
        totals[what] = totals.get(what, 0) + int(value)
    return totals


class Command(BaseCommand):
    help = (
        "Apply the retention rules: destroy the signals whose term has ended (a tombstone "
        "stays) and remove reporters' contact details. A legal hold stops it for one signal; "
        "a second run with the same date changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        run = actions.add_parser("run", help="apply the retention rules as of a day")
        run.add_argument(
            "--today",
            default="",
            metavar="DATE",
            help="apply as of this day (YYYY-MM-DD or DD-MM-YYYY; default today)",
        )
        run.add_argument(
            "--dry-run", action="store_true", help="only count what would be done; change nothing"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        today = parse_day(options["today"]) if options["today"] else timezone.localdate()
        dry_run = bool(options["dry_run"])
        with audit.acting_as(None, ACTOR):
            run = services.run_retention(today=today, dry_run=dry_run, label=ACTOR)
            record_event(
                action=AuditAction.READ if dry_run else AuditAction.DELETE,
                user=None,
                label=ACTOR,
                description=_("Retention run %(run)s as of %(day)s (dry run: %(dry)s): %(counts)s")
                % {
                    "run": run.pk,
                    "day": today.isoformat(),
                    "dry": _("yes") if dry_run else _("no"),
                    "counts": ", ".join(f"{k}={v}" for k, v in sorted(run.counts.items())),
                },
            )
        self._summary(run, today, dry_run)

    def _summary(self, run: RetentionRun, today: dt.date, dry_run: bool) -> None:
        self.stdout.write(
            _("Retention run %(run)s as of %(day)s.") % {"run": run.pk, "day": formats.date(today)}
        )
        per_org: dict[str, dict[str, int]] = getattr(run, "by_organisation", None) or {}
        for name, counts in sorted(per_org.items()):
            self.stdout.write(f"  {name}: {_counts_text(counts, dry_run)}")
        self.stdout.write(
            _("In total: %(counts)s.") % {"counts": _counts_text(_totals(run), dry_run)}
        )
        if dry_run:
            self.stdout.write(_("Dry run: nothing was changed."))
