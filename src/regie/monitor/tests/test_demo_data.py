"""The demo's figures read back after loading: the multi-year police files (47018NED gemeenten,
47022NED yearly totals, E33), their status, the skipped pseudo-region, one source per series,
region sums without double counting, and a second load that adds nothing."""

from __future__ import annotations

import gzip
import hashlib
import importlib.util
from typing import Any

import pytest

from regie.areas.models import Area
from regie.areas.services import load_reference_data
from regie.core.models import Organisation
from regie.demo import services as demo_services
from regie.monitor import demo_data, selectors
from regie.monitor.models import ImportBatch, Measure, Observation, Series
from regie.monitor.sources.base import RowError


@pytest.fixture(scope="module")
def loaded(django_db_setup: Any, django_db_blocker: Any) -> Any:
    """The demo's figures, loaded once for this module (and removed afterwards)."""
    with django_db_blocker.unblock():
        from django.db import transaction

        with transaction.atomic():
            load_reference_data()
            for slug, name, code in (
                ("gm0556", "Maassluis", "GM0556"),
                ("gm0482", "Alblasserdam", "GM0482"),
            ):
                Organisation.objects.get_or_create(
                    slug=slug, defaults={"name": name, "kind": "gemeente", "cbs_code": code}
                )
            gemeenten = list(Organisation.objects.filter(slug__in=["gm0556", "gm0482"]))
            yield demo_data.load(gemeenten)
            transaction.set_rollback(True)


def figures(area: str, measure: str) -> dict[str, tuple[float | None, str]]:
    return {
        o.period: (o.value, o.status)
        for o in Observation.objects.filter(area__code=area, measure__code=measure, owner=None)
    }


def values(area: str, measure: str, years: range) -> list[float | None]:
    found = figures(area, measure)
    return [found[str(year)][0] if str(year) in found else None for year in years]


@pytest.mark.django_db
def test_every_file_loads_without_rejections(loaded: Any) -> None:
    reports = [item.report for item in loaded]
    assert all(report is not None and report.ok for report in reports), [str(i) for i in loaded]
    assert not ImportBatch.objects.filter(rows_rejected__gt=0).exists()


@pytest.mark.django_db
def test_maassluis_woninginbraak_over_fourteen_years(loaded: Any) -> None:
    # The figures the mayor quoted in the local press for 2016-2018.
    assert values("GM0556", "politie:1.1.1", range(2016, 2019)) == [153, 140, 76]
    assert values("GM0556", "politie:1.1.1", range(2012, 2026))[0] == 136
    assert values("GM0482", "politie:1.1.1", range(2023, 2026)) == [5, 20, 19]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("measure", "maassluis_2025", "alblasserdam_2025"),
    [
        ("politie:1.4.5", 87, 24),  # mishandeling (HIC, broad definition)
        ("politie:1.4.4", 48, 24),  # bedreiging
        ("politie:1.4.2", 8, 2),  # moord, doodslag incl. pogingen
        ("politie:3.1.1", 7, 8),  # drugshandel (ondermijning-related)
        ("politie:3.1.3", 7, 7),  # wapenhandel
        ("politie:2.2.1", 114, 89),  # vernieling
    ],
)
def test_the_twelve_types_exist_for_both_gemeenten(
    loaded: Any, measure: str, maassluis_2025: int, alblasserdam_2025: int
) -> None:
    assert len(figures("GM0556", measure)) == 14
    assert figures("GM0556", measure)["2025"][0] == maassluis_2025
    assert figures("GM0482", measure)["2025"][0] == alblasserdam_2025


@pytest.mark.django_db
def test_2024_and_2025_are_provisional(loaded: Any) -> None:
    woninginbraak = figures("GM0556", "politie:1.1.1")
    assert {woninginbraak[y][1] for y in ("2024", "2025")} == {"voorlopig"}
    assert {woninginbraak[str(y)][1] for y in range(2012, 2024)} == {"definitief"}
    total = figures("GM0556", "politie:0.0.0")
    assert (total["2023"][1], total["2024"][1], total["2025"][1]) == (
        "definitief",
        "voorlopig",
        "voorlopig",
    )


@pytest.mark.django_db
def test_every_gemeente_has_the_types_and_gemeente_onbekend_is_skipped(loaded: Any) -> None:
    report = next(i.report for i in loaded if i.name == "47018NED")
    assert report is not None
    # 12 types x 14 years of GM0000 "Gemeente onbekend": skipped, not an error.
    assert report.skipped_rows == 12 * 14
    assert report.rejected == 0
    assert not Observation.objects.filter(area__code="GM0000").exists()
    woninginbraak = Measure.objects.get(code="politie:1.1.1")
    gemeenten = Series.objects.filter(
        measure=woninginbraak, area__level="gemeente", owner=None
    ).count()
    assert gemeenten == 342


@pytest.mark.django_db
def test_total_crime_2021_2025_of_both_gemeenten(loaded: Any) -> None:
    years = range(2021, 2026)
    assert values("GM0556", "politie:0.0.0", years) == [1181, 1234, 1135, 1219, 1222]
    assert values("GM0482", "politie:0.0.0", years) == [591, 526, 532, 549, 614]
    assert values("BU05560403", "politie:0.0.0", years) == [131, 178, 185, 196, 165]


@pytest.mark.django_db
@pytest.mark.parametrize("gemeente", ["GM0556", "GM0482"])
def test_total_crime_has_one_source_and_the_buurten_add_up(loaded: Any, gemeente: str) -> None:
    # One table for every figure of the gemeente and of its buurten (the 47018NED 2023 buurt
    # file is not loaded next to it), and in every year the buurten sum to the gemeente.
    points = Observation.objects.filter(
        measure__code="politie:0.0.0", area__code__startswith=f"BU{gemeente[2:]}"
    ) | Observation.objects.filter(measure__code="politie:0.0.0", area__code=gemeente)
    assert set(points.values_list("batch__dataset__table", flat=True)) == {"47022NED-jaarsom"}
    for year in range(2021, 2026):
        buurten = points.filter(period=str(year), area__level="buurt")
        assert sum(o.value for o in buurten) == figures(gemeente, "politie:0.0.0")[str(year)][0]


@pytest.mark.django_db
def test_e33_counts_with_dot_thousands_are_read_as_thousands(loaded: Any) -> None:
    assert values("GM0556", "overlast:E33", range(2013, 2018)) == [62, 58, 67, 107, 122]
    assert values("GM0482", "overlast:E33", range(2013, 2018)) == [86, 76, 67, 77, 78]
    assert figures("GM0599", "overlast:E33")["2017"][0] == 4044  # "4.044" in the file
    assert figures("GM0599", "overlast:E33")["2013"][0] == 2399  # "2.399"
    # a gemeente that merged later keeps its figures of 2013-2017 (Binnenmaas, 2019)
    assert len(figures("GM0585", "overlast:E33")) == 5


@pytest.mark.django_db
def test_the_monthly_format_sample_is_not_in_the_demo(loaded: Any) -> None:
    assert not Observation.objects.filter(area__code="GM1680", period__contains="M").exists()
    assert not ImportBatch.objects.filter(dataset__table="47022NED").exists()


@pytest.mark.django_db
def test_region_sum_counts_each_gemeente_once(loaded: Any) -> None:
    region = Area.objects.get(code="VR18")
    measure = Measure.objects.get(code="politie:1.1.1")
    series = selectors.load_series(None, [region], [measure])[(region.pk, measure.pk)]
    points = {p.year: p for p in selectors.region_years(None, region, measure, series)}
    assert points[2023].computed  # no published regional figure: the sum, and it says so
    members = [
        a.code
        for a in selectors.members(region)
        if a.valid_from is None or a.valid_from.year <= 2023
    ]
    expected = sum(figures(code, "politie:1.1.1")["2023"][0] or 0 for code in members)
    assert points[2023].value == expected


@pytest.mark.django_db
def test_hic_is_not_computed_without_straatroof_and_overval(loaded: Any) -> None:
    gemeente = Area.objects.get(code="GM0556")
    hic = Measure.objects.get(code="derived:hic-kern")
    series = selectors.load_series(None, [gemeente], [hic])[(gemeente.pk, hic.pk)]
    assert series.points == []


@pytest.mark.django_db
def test_loading_again_adds_nothing(loaded: Any) -> None:
    batches = ImportBatch.objects.count()
    stored = list(Series.objects.order_by("pk").values_list("pk", "points"))
    again = demo_services.load_figures()
    assert all(line.endswith(("already imported", "al geïmporteerd")) for line in again), again
    assert ImportBatch.objects.count() == batches
    assert list(Series.objects.order_by("pk").values_list("pk", "points")) == stored


# --- The readers and the derived file, without a database ---------------------------------


def test_e33_reader_refuses_a_decimal_comma(tmp_path: Any) -> None:
    path = tmp_path / "e33.csv"
    path.write_text(
        "\ufeffRotterdam;GM0599;2.399;3.008;3.192;3.468;4.044;3,8;3,9;4,0;4,1;4,2\n"
        "Maassluis;GM0556;62;58;6,7;107;122;1,9;1,8;2,0;3,3;3,7",
        encoding="utf-8",
    )
    items = list(demo_data._e33_per_gemeente(path)(None))  # type: ignore[arg-type]
    rows = [i for i in items if not isinstance(i, RowError)]
    errors = [i for i in items if isinstance(i, RowError)]
    assert [(r.area, r.period, r.value) for r in rows[:5]] == [
        ("GM0599", str(year), value)
        for year, value in zip(range(2013, 2018), [2399, 3008, 3192, 3468, 4044], strict=True)
    ]
    assert [(e.line, e.column, e.value) for e in errors] == [(2, "E33 2015", "6,7")]


def test_the_shipped_47018ned_file_is_the_one_provenance_names() -> None:
    shipped = demo_data.DATA / "politie47018" / "47018NED_gemeenten_2012_2025.csv.gz"
    text = gzip.decompress(shipped.read_bytes())
    provenance = (demo_data.DATA / "PROVENANCE.md").read_text(encoding="utf-8")
    assert hashlib.sha256(text).hexdigest() in provenance
    assert hashlib.sha256(shipped.read_bytes()).hexdigest() in provenance


def test_derive_writes_the_odata_layout_and_keeps_every_count() -> None:
    spec = importlib.util.spec_from_file_location(
        "derive_47018ned", demo_data.DATA / "politie47018" / "derive.py"
    )
    assert spec is not None
    assert spec.loader is not None
    derive = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(derive)
    text = derive.derive(
        {
            "years": [2024, 2025],
            "counts": {"1.1.1": {"GM0556": {"2024": 44, "2025": 30}, "GM0000": {"2025": 10}}},
        }
    ).decode("utf-8")
    assert text.splitlines() == [
        '"ID","SoortMisdrijf","WijkenEnBuurten","Perioden","GeregistreerdeMisdrijven_1"',
        '1,"1.1.1","GM0000","2025JJ00",10',
        '2,"1.1.1","GM0556","2024JJ00",44',
        '3,"1.1.1","GM0556","2025JJ00",30',
    ]
