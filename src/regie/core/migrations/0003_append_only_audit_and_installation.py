"""The audit log becomes append-only in the database (triggers, ADR 0012), and the database learns
whether it is a demo (only a demo may be erased by ``regie demo --reset``).

A database made by ``regie demo`` before this migration is recognised by its contents: every
organisation and every account is one of the demo's.
"""

from django.db import migrations, models

from regie.core import append_only

DEMO_SLUGS = {
    "gm0556",
    "gm0482",
    "politie-rotterdam",
    "om-rotterdam",
    "riec-rotterdam",
    "zvh-rijnmond",
    "zorgpartner-demo",
    "woningcorporatie-demo",
    "jongerenwerk-demo",
    "handhaving-demo",
}
DEMO_USERS = {
    "beheerder.maassluis",
    "adviseur.maassluis",
    "raadpleger.maassluis",
    "handhaver.maassluis",
    "beheerder.alblasserdam",
    "adviseur.alblasserdam",
    "raadpleger.alblasserdam",
    "adviseur.regio",
    "politie.rotterdam",
    "installatiebeheer",
}


def create_triggers(apps, schema_editor):
    for statement in append_only.create_sql(schema_editor.connection.vendor):
        schema_editor.execute(statement)


def drop_triggers(apps, schema_editor):
    for statement in append_only.drop_sql(schema_editor.connection.vendor):
        schema_editor.execute(statement)


def mark_existing_demo(apps, schema_editor):
    Organisation = apps.get_model("core", "Organisation")
    User = apps.get_model("accounts", "User")
    Installation = apps.get_model("core", "Installation")
    slugs = set(Organisation.objects.values_list("slug", flat=True))
    users = set(User.objects.values_list("username", flat=True))
    if "gm0556" in slugs and slugs <= DEMO_SLUGS and users <= DEMO_USERS:
        Installation.objects.create(is_demo=True)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_audit_security_events"),
        ("accounts", "0002_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="Installation",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("is_demo", models.BooleanField(default=False, verbose_name="demo installation")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
            ],
            options={
                "verbose_name": "installation",
                "verbose_name_plural": "installation",
            },
        ),
        migrations.RunPython(create_triggers, drop_triggers),
        migrations.RunPython(mark_existing_demo, migrations.RunPython.noop),
    ]
