from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("monitor", "0007_measure_kind"),
    ]

    operations = [
        migrations.AddField(
            model_name="importbatch",
            name="progress_total",
            field=models.PositiveIntegerField(
                blank=True, null=True, verbose_name="rows to process"
            ),
        ),
        migrations.AddField(
            model_name="importbatch",
            name="task_id",
            field=models.CharField(blank=True, max_length=64, verbose_name="job"),
        ),
    ]
