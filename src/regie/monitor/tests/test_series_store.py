"""The series store (ADR 0010): the bulk path and the row path store the same figures.

A file that pyarrow can read and whose codes are all known goes through :mod:`regie.monitor.bulk`;
anything unusual sends it to the row reader. These tests force one path or the other on the same
file and compare every figure the observation view shows, and the reports.
"""

from __future__ import annotations

import io
import random
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from regie.monitor import bulk, services
from regie.monitor.models import Observation, Period, Revision, Series
from regie.monitor.sources.base import Status
from regie.monitor.sources.odata_csv import ADAPTER

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def catalogue(db: Any) -> None:
    services.load_catalogue()


HEADER = "ID;SoortMisdrijf;RegioS;Perioden;GeregistreerdeMisdrijven_1\n"
AREAS = ["GM0556", "RE07", "NL01"]
TYPES = ["0.0.0 ", "1.1.1 ", "1.4.6 "]
MONTHS = ["2023MM01", "2023MM02", "2023MM03", "2023JJ00"]


def national(values: dict[tuple[str, str, str], str], *, shuffle: int | None = None) -> bytes:
    rows = [f'{i};"{t}";"{a:<10}";"{p}";{v}' for i, ((t, a, p), v) in enumerate(values.items())]
    if shuffle is not None:
        random.Random(shuffle).shuffle(rows)  # noqa: S311 - a seeded test order, not a secret
    return (HEADER + "\n".join(rows) + "\n").encode()


def grid(value: Any = None) -> dict[tuple[str, str, str], str]:
    return {
        (t, a, p): str(value if value is not None else 10 * i + j)
        for i, (t, a) in enumerate((t, a) for t in TYPES for a in AREAS)
        for j, p in enumerate(MONTHS)
    }


def figures() -> list[tuple[Any, ...]]:
    return sorted(
        Observation.objects.values_list(
            "area__code",
            "measure__code",
            "period",
            "period_kind",
            "period_start",
            "period_end",
            "value",
            "status",
            "batch__dataset__table",
        )
    )


def run(data: bytes, *, rows_only: bool = False, **kwargs: Any) -> services.ImportReport:
    status = {"2023MM03": Status.VOORLOPIG}
    if rows_only:
        # The row reader only: what every file that bulk.prepare refuses goes through.
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(bulk, "prepare", lambda columns, lookup: None)
            return services.import_file(
                data, fmt="odata-csv", table="47013NED", period_status=status, **kwargs
            )
    return services.import_file(
        data, fmt="odata-csv", table="47013NED", period_status=status, **kwargs
    )


def test_a_clean_national_file_takes_the_bulk_path(areas, monkeypatch) -> None:
    taken: list[int] = []
    store = bulk.store
    monkeypatch.setattr(bulk, "store", lambda p, w: taken.append(p.count) or store(p, w))
    report = run(national(grid()))
    assert report.state == "done"
    assert taken == [36]
    assert (report.rows_read, report.stored, report.unchanged, report.revised) == (36, 36, 0, 0)
    assert Series.objects.count() == 9
    series = Series.objects.get(area__code="GM0556", measure__code="politie:1.1.1")
    # Points by start and then end date; whole numbers as such.
    assert [p[0] for p in series.points] == ["2023M01", "2023", "2023M02", "2023M03"]
    assert series.points[3][1:3] == [32, "voorlopig"]
    assert set(Period.objects.values_list("code", flat=True)) == {
        "2023M01",
        "2023M02",
        "2023M03",
        "2023",
    }


@pytest.mark.parametrize("shuffle", [None, 7])
def test_bulk_and_row_path_store_the_same_figures(areas, shuffle) -> None:
    values = grid()
    values[("1.1.1 ", "NL01", "2023MM02")] = "."  # not published: null, never 0
    values[("1.4.6 ", "RE07", "2023MM01")] = "12.5"
    data = national(values, shuffle=shuffle)
    bulk_report = run(data)
    bulk_figures = figures()
    Series.objects.all().delete()
    row_report = run(data, rows_only=True)
    assert figures() == bulk_figures
    assert bulk_report.summary() == row_report.summary()
    assert (bulk_report.period_first, bulk_report.period_last) == (
        row_report.period_first,
        row_report.period_last,
    )
    unpublished = Observation.objects.get(
        area__code="NL01", measure__code="politie:1.1.1", period="2023M02"
    )
    assert unpublished.value is None
    assert Observation.objects.get(
        area__code="RE07", measure__code="politie:1.4.6", period="2023M01"
    ).value == pytest.approx(12.5)


def test_a_newer_vintage_through_the_bulk_path_is_merged_with_revisions(areas) -> None:
    first = run(national(grid()))
    values = grid()
    values[("1.1.1 ", "GM0556", "2023MM03")] = "43"  # revised
    values[("0.0.0 ", "GM0556", "2023MM04")] = "5"  # a new month of an existing series
    second = run(national(values))
    assert (second.stored, second.unchanged, second.revised) == (1, 35, 1)
    revision = Revision.objects.get()
    assert (revision.old_value, revision.new_value, revision.previous_batch_id) == (
        32,
        43,
        first.batch_id,
    )
    figure = Observation.objects.get(
        area__code="GM0556", measure__code="politie:1.1.1", period="2023M03"
    )
    assert (figure.value, figure.batch_id) == (43, second.batch_id)
    unchanged = Observation.objects.get(
        area__code="GM0556", measure__code="politie:1.1.1", period="2023M02"
    )
    assert unchanged.batch_id == first.batch_id  # an unchanged figure keeps its vintage
    months = Series.objects.get(area__code="GM0556", measure__code="politie:0.0.0").points
    assert [p[0] for p in months] == ["2023M01", "2023", "2023M02", "2023M03", "2023M04"]


def test_a_dry_run_of_the_bulk_path_stores_nothing(areas) -> None:
    report = run(national(grid()), dry_run=True)
    assert report.state == "dry_run"
    assert report.stored == 36
    assert Series.objects.count() == 0
    assert Period.objects.count() == 0


@pytest.mark.parametrize(
    ("change", "column", "value"),
    [
        (("1.1.1 ", "GM0556", "2023MM02", "abc"), "GeregistreerdeMisdrijven_1", "abc"),
        (("9.9.9 ", "GM0556", "2023MM02", "1"), "maatstaf", "politie:9.9.9"),
        (("1.1.1 ", "GM9999", "2023MM02", "1"), "gebied", "GM9999"),
        (("1.1.1 ", "GM0556", "2023XX02", "1"), "Perioden", "2023XX02"),
    ],
)
def test_a_file_the_bulk_path_refuses_is_named_row_by_row(areas, change, column, value) -> None:
    values = grid()
    t, a, p, v = change
    values[(t, a, p)] = v
    row = list(values).index((t, a, p)) + 2  # the header is row 1 (CONTRACT: physical lines)
    report = run(national(values))
    assert report.state == "rejected"
    assert [(e.line, e.column, e.value) for e in report.errors] == [(row, column, value)]
    assert Series.objects.count() == 0


def test_a_repeated_row_is_named_with_both_rows(areas) -> None:
    data = national(grid()) + b'99;"1.1.1 ";"GM0556    ";"2023MM01";5\n'
    report = run(data)
    assert report.state == "rejected"
    assert [(e.line, e.value) for e in report.errors] == [(38, "2023M01")]
    assert "rij 14" in report.errors[0].message  # (1.1.1, GM0556, 2023MM01) is on line 14
    assert Series.objects.count() == 0


def test_read_columns_declines_what_the_row_reader_must_name() -> None:
    from regie.monitor.sources.base import ReadContext

    short = (HEADER + '1;"1.1.1 ";"GM0556    "\n').encode()
    assert ADAPTER.read_columns(io.BytesIO(short), ReadContext(table="47013NED")) is None
    not_utf8 = HEADER.encode() + b'1;"1.1.1 ";"GM0556\xff";"2023MM01";1\n'
    assert ADAPTER.read_columns(io.BytesIO(not_utf8), ReadContext(table="47013NED")) is None
    no_table = (HEADER + '1;"1.1.1 ";"GM0556    ";"2023MM01";1\n').encode()
    assert ADAPTER.read_columns(io.BytesIO(no_table), ReadContext()) is None


def test_series_are_written_in_slices(areas, monkeypatch) -> None:
    store = bulk.store
    monkeypatch.setattr(bulk, "store", lambda p, w: store(p, w, slice_points=5))
    run(national(grid()))
    assert Series.objects.count() == 9
    assert Observation.objects.count() == 36
    values = grid()
    values[("1.4.6 ", "NL01", "2023JJ00")] = "1000"
    report = run(national(values))
    assert (report.stored, report.unchanged, report.revised) == (0, 35, 1)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    cells=st.dictionaries(
        st.tuples(st.sampled_from(TYPES), st.sampled_from(AREAS), st.sampled_from(MONTHS)),
        st.one_of(st.integers(0, 10**6).map(str), st.just("."), st.just("")),
        min_size=1,
    ),
    shuffle=st.integers(0, 1000),
)
def test_both_paths_agree_on_any_clean_file(areas, cells, shuffle) -> None:
    data = national(cells, shuffle=shuffle)
    Series.objects.all().delete()
    bulk_report = run(data)
    bulk_figures = figures()
    Series.objects.all().delete()
    row_report = run(data, rows_only=True)
    assert figures() == bulk_figures
    assert bulk_report.summary() == row_report.summary()
