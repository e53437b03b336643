from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

#: Tables whose rows are never changed or deleted, guarded by database triggers.
APPEND_ONLY_TABLES = ("privacy_readlogentry", "privacy_tombstone")


class PrivacyConfig(AppConfig):
    name = "regie.privacy"
    label = "privacy"
    verbose_name = _("Privacy")

    def ready(self) -> None:
        from regie.core import append_only, audit
        from regie.privacy import checks, models, tasks  # noqa: F401 - registers checks and jobs

        audit.register(models.ProcessingActivity, organisation=lambda o: o.organisation)
        # The read log and the tombstones are append-only in the database too (ADR 0012, 0020).
        for table in APPEND_ONLY_TABLES:
            append_only.protect(table)
        audit.exempt(models.ReadLogEntry, reason="is itself the append-only log of reads")
        audit.exempt(models.Tombstone, reason="is itself the append-only record of destruction")
        audit.exempt(models.RetentionRun, reason="a job's own progress; its result is a tombstone")
        audit.exempt(models.KeyRotation, reason="a job's own progress, no domain data")
