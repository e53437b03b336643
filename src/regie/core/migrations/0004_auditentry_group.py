"""Audit entries of one action share a group (a nullable column: existing entries keep none).

A nullable column without a default is added in place on SQLite and PostgreSQL (no rebuild of
the table, no UPDATE of its rows), so the append-only triggers of ADR 0012 stay; they are created
again all the same (idempotently), in case a backend rebuilds the table.
"""

from django.db import migrations, models

from regie.core import append_only


def create_triggers(apps, schema_editor):
    for statement in append_only.create_sql(schema_editor.connection.vendor):
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0003_append_only_audit_and_installation"),
    ]

    operations = [
        # Backwards this runs last: removing the indexed column rebuilds the table on SQLite,
        # which drops its triggers, so they are created again after it.
        migrations.RunPython(migrations.RunPython.noop, create_triggers),
        migrations.AddField(
            model_name="auditentry",
            name="group",
            field=models.UUIDField(
                blank=True, db_index=True, null=True, verbose_name="action group"
            ),
        ),
        migrations.RunPython(create_triggers, migrations.RunPython.noop),
    ]
