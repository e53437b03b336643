"""The read log and the tombstones are append-only in the database itself, like the audit log
(ADR 0012): triggers refuse UPDATE and DELETE (and TRUNCATE on PostgreSQL) whoever sends the SQL;
only the purge of a demo or test database passes (regie.core.append_only.purging)."""

from django.db import migrations

from regie.core import append_only

TABLES = ("privacy_readlogentry", "privacy_tombstone")


def create_triggers(apps, schema_editor):
    for table in TABLES:
        for statement in append_only.create_sql(schema_editor.connection.vendor, table):
            schema_editor.execute(statement)


def drop_triggers(apps, schema_editor):
    for table in TABLES:
        for statement in append_only.drop_sql(schema_editor.connection.vendor, table):
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("privacy", "0001_initial"),
        ("core", "0004_auditentry_group"),
    ]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
