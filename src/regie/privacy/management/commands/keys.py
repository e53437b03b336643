"""``regie keys init|status|rotate``: the keys that encrypt personal data (docs/privacy.md §2).

No subcommand ever prints a key.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from regie.core import audit
from regie.core.models import AuditAction
from regie.core.services import record_event
from regie.privacy import keys, rotation
from regie.privacy.crypto import DecryptionError

#: How the audit log names this command as the actor.
ACTOR = "regie keys"


def _ring() -> keys.Keyring:
    try:
        return keys.keyring()
    except ImproperlyConfigured as exc:
        raise CommandError(str(exc)) from exc


class Command(BaseCommand):
    help = (
        "The keys that encrypt personal data: init writes a demo keys file (never printed), "
        "status counts the stored values per key, rotate re-encrypts every value under an older "
        "key with the newest one (resumable)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        actions.add_parser("init", help="write a keys file (REGIE_KEYS_FILE) when none exists")
        actions.add_parser("status", help="the configured key ids and the values per key")
        rotate = actions.add_parser(
            "rotate", help="re-encrypt every value under an older key (resumes when interrupted)"
        )
        rotate.add_argument(
            "--batch",
            type=int,
            default=rotation.DEFAULT_BATCH,
            help=f"rows per batch, each in its own transaction (default {rotation.DEFAULT_BATCH})",
        )
        rotate.add_argument(
            "--max-batches",
            type=int,
            default=None,
            help="stop after this many batches; the next run continues",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "init":
            self._init()
        elif action == "status":
            self._status()
        else:
            self._rotate(options["batch"], options["max_batches"])

    def _init(self) -> None:
        path = Path(settings.REGIE_KEYS_FILE)
        if keys.write_keys_file(path):
            keys.reset()
            self.stdout.write(
                _("Keys written to %(path)s (readable by this user only).") % {"path": path}
            )
            self.stdout.write(
                _(
                    "Keep this file apart from backups of the database: losing it loses the "
                    "encrypted data. A deployment sets REGIE_ENCRYPTION_KEYS and "
                    "REGIE_BLIND_INDEX_KEY instead."
                )
            )
        else:
            self.stdout.write(
                _("A keys file exists already at %(path)s; it was left as it is.") % {"path": path}
            )
        if settings.REGIE_ENCRYPTION_KEYS:
            self.stdout.write(
                _(
                    "REGIE_ENCRYPTION_KEYS is set: the keys of the environment are used, "
                    "not the file."
                )
            )

    def _status(self) -> None:
        ring = _ring()
        source = _("the environment") if ring.source == "environment" else _("the keys file")
        self.stdout.write(_("Keys come from %(source)s.") % {"source": source})
        configured = [key.id for key in ring.encryption]
        self.stdout.write(
            _("Key ids configured: %(ids)s; the newest (encrypts): %(newest)s.")
            % {"ids": ", ".join(configured), "newest": ring.current.id}
        )
        for count in rotation.count_by_key():
            if not count.by_key:
                parts = [_("no values")]
            else:
                parts = [
                    _("%(n)s under %(key)s") % {"n": n, "key": key_id}
                    + ("" if key_id in configured else " " + _("(key not configured!)"))
                    for key_id, n in sorted(count.by_key.items())
                ]
            self.stdout.write(f"  {count.label}: {', '.join(parts)}")
        for progress in rotation.in_progress():
            self.stdout.write(
                _("Rotation of %(model)s to %(key)s stopped after number %(pk)s; run rotate.")
                % {
                    "model": progress.model_label,
                    "key": progress.target_key,
                    "pk": progress.last_pk,
                }
            )

    def _rotate(self, batch: int, max_batches: int | None) -> None:
        _ring()
        if batch < 1 or (max_batches is not None and max_batches < 1):
            raise CommandError(_("--batch and --max-batches take a number of at least 1."))
        try:
            with audit.acting_as(None, ACTOR):
                report = rotation.rotate(batch=batch, max_batches=max_batches)
                record_event(
                    action=AuditAction.UPDATE,
                    user=None,
                    label=ACTOR,
                    description=_("Key rotation to %(key)s: %(n)s values re-encrypted")
                    % {"key": report.target, "n": report.rewritten},
                )
        except DecryptionError as exc:
            raise CommandError(
                _("A value cannot be decrypted (%(error)s): is every old key configured?")
                % {"error": exc}
            ) from exc
        for item in report.models:
            state = (
                pgettext("key rotation", "done")
                if item.finished
                else pgettext("key rotation", "not finished")
            )
            self.stdout.write(
                _("%(model)s: %(n)s values re-encrypted (%(state)s).")
                % {"model": item.label, "n": item.rewritten, "state": state}
            )
        if report.complete:
            self.stdout.write(
                _(
                    "Every value is under key %(key)s now; older keys can be removed from "
                    "REGIE_ENCRYPTION_KEYS."
                )
                % {"key": report.target}
            )
        else:
            self.stdout.write(_("Stopped before the end: run rotate again to continue."))
