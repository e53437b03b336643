from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0004_auditentry_group"),
    ]

    operations = [
        migrations.CreateModel(
            name="JobWorker",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("worker_id", models.CharField(max_length=64, unique=True, verbose_name="worker")),
                ("host", models.CharField(max_length=255, verbose_name="host")),
                ("pid", models.PositiveIntegerField(verbose_name="process")),
                ("started_at", models.DateTimeField(auto_now_add=True, verbose_name="started")),
                ("seen_at", models.DateTimeField(verbose_name="last sign of life")),
                (
                    "stopped_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="stopped"),
                ),
            ],
            options={
                "verbose_name": "job worker",
                "verbose_name_plural": "job workers",
            },
        ),
        migrations.CreateModel(
            name="ScheduledJob",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=100, unique=True, verbose_name="name")),
                ("next_run_at", models.DateTimeField(verbose_name="next run")),
                (
                    "last_run_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="last queued"),
                ),
                (
                    "last_task_id",
                    models.CharField(blank=True, max_length=64, verbose_name="last task"),
                ),
            ],
            options={
                "verbose_name": "scheduled job",
                "verbose_name_plural": "scheduled jobs",
                "ordering": ["name"],
            },
        ),
    ]
