"""The series store (ADR 0010): figures move from one row each into one row per series.

``monitor_observation`` becomes a view over ``monitor_series`` (one row per point) with the same
columns, so every read keeps working. Existing figures are copied, series by series.
"""

from __future__ import annotations

from typing import Any

import django.db.models.deletion
from django.db import migrations, models

#: One row per point of a series; ``id`` is the series id × 100,000 plus the point's place.
VIEW_SQLITE = """
CREATE VIEW monitor_observation AS
SELECT s.id * 100000 + j.key AS id,
       s.area_id AS area_id,
       s.measure_id AS measure_id,
       s.owner_id AS owner_id,
       p.code AS period,
       p.start_date AS period_start,
       p.end_date AS period_end,
       p.kind AS period_kind,
       CAST(json_extract(j.value, '$[1]') AS REAL) AS value,
       json_extract(j.value, '$[2]') AS status,
       json_extract(j.value, '$[3]') AS batch_id
FROM monitor_series s
JOIN json_each(s.points) j
JOIN monitor_period p ON p.code = json_extract(j.value, '$[0]')
"""

VIEW_POSTGRESQL = """
CREATE VIEW monitor_observation AS
SELECT s.id * 100000 + e.n - 1 AS id,
       s.area_id,
       s.measure_id,
       s.owner_id,
       p.code AS period,
       p.start_date AS period_start,
       p.end_date AS period_end,
       p.kind AS period_kind,
       (e.point ->> 1)::double precision AS value,
       (e.point ->> 2)::varchar(20) AS status,
       (e.point ->> 3)::bigint AS batch_id
FROM monitor_series s
CROSS JOIN LATERAL jsonb_array_elements(s.points) WITH ORDINALITY AS e(point, n)
JOIN monitor_period p ON p.code = e.point ->> 0
"""


def copy_figures(apps: Any, schema_editor: Any) -> None:
    """Every observation row into the point of its series; every period code into the table."""
    alias = schema_editor.connection.alias
    observation = apps.get_model("monitor", "Observation")
    period = apps.get_model("monitor", "Period")
    series = apps.get_model("monitor", "Series")
    known: set[str] = set()
    batch: list[Any] = []
    current: Any = None
    rows = (
        observation.objects.using(alias)
        .order_by("owner_id", "measure_id", "area_id", "period_start", "period_end", "id")
        .values_list(
            "owner_id",
            "measure_id",
            "area_id",
            "period",
            "period_start",
            "period_end",
            "period_kind",
            "value",
            "status",
            "batch_id",
        )
    )
    for owner, measure, area, code, start, end, kind, value, status, batch_id in rows.iterator(
        chunk_size=10_000
    ):
        if code not in known:
            known.add(code)
            period.objects.using(alias).create(code=code, start_date=start, end_date=end, kind=kind)
        key = (owner, measure, area)
        if current is None or (current.owner_id, current.measure_id, current.area_id) != key:
            current = series(owner_id=owner, measure_id=measure, area_id=area, points=[])
            batch.append(current)
            if len(batch) >= 1000:
                series.objects.using(alias).bulk_create(batch[:-1])
                batch = batch[-1:]
        current.points.append([code, value, status, batch_id])
    series.objects.using(alias).bulk_create(batch)


def create_view(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    schema_editor.execute("DROP TABLE monitor_observation")
    schema_editor.execute(VIEW_POSTGRESQL if vendor == "postgresql" else VIEW_SQLITE)


class Migration(migrations.Migration):
    dependencies = [
        ("areas", "0001_initial"),
        ("core", "0001_initial"),
        ("monitor", "0004_mark_earlier_dry_runs"),
    ]

    operations = [
        migrations.CreateModel(
            name="Period",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("code", models.CharField(max_length=20, unique=True, verbose_name="period")),
                ("start_date", models.DateField(verbose_name="period starts")),
                ("end_date", models.DateField(verbose_name="period ends")),
                ("kind", models.CharField(max_length=10, verbose_name="kind of period")),
            ],
            options={
                "verbose_name": "period",
                "verbose_name_plural": "periods",
                "ordering": ["start_date", "end_date"],
            },
        ),
        migrations.CreateModel(
            name="Series",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("points", models.JSONField(default=list, verbose_name="figures")),
                (
                    "area",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        to="areas.area",
                        verbose_name="area",
                    ),
                ),
                (
                    "measure",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        to="monitor.measure",
                        verbose_name="measure",
                    ),
                ),
                (
                    "owner",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="core.organisation",
                        verbose_name="owner",
                    ),
                ),
            ],
            options={
                "verbose_name": "series",
                "verbose_name_plural": "series",
                "ordering": ["measure", "area"],
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("owner__isnull", True)),
                        fields=("measure", "area"),
                        name="one_open_series",
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(("owner__isnull", False)),
                        fields=("owner", "measure", "area"),
                        name="one_own_series",
                    ),
                ],
            },
        ),
        migrations.RunPython(copy_figures, elidable=False),
        migrations.RemoveConstraint(model_name="observation", name="one_open_value"),
        migrations.RemoveConstraint(model_name="observation", name="one_own_value"),
        migrations.AlterModelOptions(
            name="observation",
            options={
                "managed": False,
                "ordering": ["measure", "area", "period_start"],
                "verbose_name": "observation",
                "verbose_name_plural": "observations",
            },
        ),
        migrations.RunPython(create_view, elidable=False),
    ]
