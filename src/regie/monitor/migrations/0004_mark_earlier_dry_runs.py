"""Batches checked before the ``dry_run`` flag existed (state ``dry_run``) get the flag too.

Pages and selectors filter on ``dry_run=False``; without this step such checks would show as
imports. Later dry runs keep the flag from the start.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations


def mark(apps: Any, schema_editor: Any) -> None:
    batch = apps.get_model("monitor", "ImportBatch")
    # A data fix of a flag that records the same fact as the state: not an auditable change.
    batch.objects.filter(state="dry_run", dry_run=False).update(dry_run=True)


class Migration(migrations.Migration):
    dependencies = [("monitor", "0003_observation_without_db_foreign_keys")]
    operations = [migrations.RunPython(mark, migrations.RunPython.noop)]
