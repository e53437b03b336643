"""monitor.E001: the observation table's references, checked set-wise (ADR 0007)."""

from __future__ import annotations

import pytest
from django.core import checks
from django.db import connection

from regie.monitor.checks import observation_references, orphan_count
from regie.monitor.models import Observation, Series
from regie.monitor.tests.factories import load

pytestmark = pytest.mark.django_db


def test_observations_from_the_import_service_have_no_orphans(areas) -> None:
    load(("GM0556", "politie:1.1.1", "2022", 10.0), ("NL01", "politie:1.1.1", "2022", 9.0))
    assert Observation.objects.count() == 2
    assert observation_references(databases=["default"]) == []
    assert checks.run_checks(databases=["default"]) == []


def test_an_orphan_is_reported_per_key(areas) -> None:
    load(("GM0556", "politie:1.1.1", "2022", 10.0), ("NL01", "politie:1.1.1", "2022", 9.0))
    series = Series.objects.order_by("pk").first()
    assert series is not None
    with connection.cursor() as cursor:  # what only a hand edit of the database could do
        cursor.execute(
            f"UPDATE {Series._meta.db_table} SET area_id = %s, measure_id = %s WHERE id = %s",  # noqa: S608
            [987654321, 987654321, series.pk],
        )
    assert orphan_count("area") == 1
    assert orphan_count("measure") == 1
    assert orphan_count("batch") == orphan_count("owner") == 0
    errors = observation_references(databases=["default"])
    assert [e.id for e in errors] == ["monitor.E001", "monitor.E001"]
    assert "1 series refer to a missing area" in errors[0].msg
    # Without a database the check stays silent (plain `regie check` does not query).
    assert observation_references(databases=None) == []


def test_a_figure_of_a_missing_import_is_reported(areas) -> None:
    load(("GM0556", "politie:1.1.1", "2022", 10.0), ("GM0556", "politie:1.1.1", "2021", 9.0))
    series = Series.objects.get()
    points = series.points
    points[0][3] = 987654321  # the import id of the first figure
    Series.objects.filter(pk=series.pk).update(points=points)
    assert orphan_count("batch") == 1
    assert Observation.objects.filter(batch_id=987654321).count() == 1
    errors = observation_references(databases=["default"])
    assert [e.msg for e in errors] == ["1 figure(s) refer to a missing batch."]


def test_migrate_runs_the_check_before_the_table_exists(monkeypatch) -> None:
    """`migrate` runs database checks first: on an empty database the check must stay silent."""
    from django.db import connections

    monkeypatch.setattr(connections["default"].introspection, "table_names", lambda: [])
    assert observation_references(databases=["default"]) == []
