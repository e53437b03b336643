"""The rules ``insight`` and ``selectors`` keep (DOMAIN §5): time order, alike periods, incomplete
months, kinds of measure, survey bounds, population, years of months, former gemeenten,
Misdaad in kaart, the waterbed roles."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import translation

from regie.areas.models import Area, AreaLevel, Population
from regie.monitor import selectors, services
from regie.monitor.models import Measure, MeasureKind
from regie.monitor.sources.base import Row, Status
from regie.monitor.tests.factories import dataset, load
from regie.stats import periods
from regie.veiligheidsbeeld import insight

pytestmark = pytest.mark.django_db

HUISELIJK = "local:huiselijk_geweld_aangiften"


def import_as(fmt: str, *values: tuple[Any, ...], table: str = "TEST") -> None:
    """Rows imported in the given format (the format decides how months are read)."""
    services.load_catalogue()
    rows = [
        Row(line, item[0], item[1], item[2], item[3], item[4] if len(item) > 4 else Status.ONBEKEND)
        for line, item in enumerate(values, start=1)
    ]
    services.import_rows(
        rows,
        dataset=dataset(table),
        lookup=services.CatalogueLookup(None),
        fmt=fmt,
        filename=f"{table}.csv",
    )


def measure(code: str) -> Measure:
    return Measure.objects.get(code=code)


def series_of(area: Area, code: str) -> selectors.Series:
    m = measure(code)
    return selectors.load_series(None, [area], [m])[(area.pk, m.pk)]


# --- 1. Time order, percentage points --------------------------------------------------------


def test_compare_puts_the_periods_in_time_order_whatever_the_argument_order(areas):
    load(("GM0556", "cbs:T001161", "2019", 66.0), ("GM0556", "cbs:T001161", "2021", 32.0))
    later_first = insight.compare_periods("GM0556", "cbs:T001161", "2021", "2019")
    in_order = insight.compare_periods("GM0556", "cbs:T001161", "2019", "2021")
    assert later_first.as_dict() == in_order.as_dict()
    assert (later_first.first.period, later_first.second.period) == ("2019", "2021")
    assert later_first.difference == -34  # a fall from 2019 to 2021
    assert later_first.test is not None
    assert later_first.test.verdict == "lower"
    with translation.override("en"):
        sentence = insight.compare_periods("GM0556", "cbs:T001161", "2021", "2019").sentence
    assert "32 in 2021 against 66 in 2019" in sentence
    assert "fall" in sentence


def test_a_change_in_a_percentage_is_in_percentage_points(areas):
    code = "local:sociale_overlast_pct"
    load(("GM0556", code, "2019", 20.0), ("GM0556", code, "2021", 25.0))
    result = insight.compare_periods("GM0556", code, "2019", "2021")
    assert result.difference == 5.0
    assert result.percent_change is None  # not +25 %
    assert result.as_dict()["difference_unit"] == "percentage_points"
    with translation.override("en"):
        sentence = insight.compare_periods("GM0556", code, "2019", "2021").sentence
    assert "(+5" in sentence
    assert "percentage points)" in sentence
    assert "%" not in sentence


def test_a_period_is_never_compared_with_itself(areas):
    load(("GM0556", "cbs:T001161", "2019", 66.0))
    with pytest.raises(insight.NotAlike):
        insight.compare_periods("GM0556", "cbs:T001161", "2019", "2019")


def test_comparison_areas_never_hold_the_area_itself(areas):
    others = insight.comparison_areas(areas["gm"], ["GM0556"])
    assert areas["gm"] not in others


# --- 2. Alike periods, incomplete months ------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "alike"),
    [
        ("2023M03", "2022M03", True),
        ("2023M03", "2022M04", False),  # another month: seasons differ
        ("2023M03", "2023M04", False),
        ("2023Q2", "2022Q2", True),
        ("2023Q2", "2022Q3", False),
        ("2023H1", "2022H2", False),
        ("2023H2", "2022H2", True),
        ("2022", "2022", False),  # overlapping (the same period)
        ("2021-03/2022-03", "2021-06/2022-06", False),  # overlapping windows
        ("2021-03/2022-03", "2022-03/2023-03", True),
        ("2021-03/2022-03", "2022-06/2023-06", False),  # other months
    ],
)
def test_only_the_same_months_of_another_year_are_alike(a: str, b: str, alike: bool) -> None:
    assert periods.parse(a).is_alike(periods.parse(b)) is alike
    if not alike:
        with pytest.raises(insight.NotAlike):
            insight.check_alike(periods.parse(a), periods.parse(b))


def test_compare_of_another_month_suggests_the_same_month(areas):
    with pytest.raises(insight.NotAlike) as caught:
        insight.check_alike(periods.parse("2023M03"), periods.parse("2022M04"))
    assert "2022M03" in str(caught.value)
    with pytest.raises(insight.NotAlike) as caught:
        insight.check_alike(periods.parse("2023M03"), periods.parse("2023M04"))
    assert "2022M04" in str(caught.value)


def test_the_newest_month_of_an_incident_list_is_incomplete_and_never_compared(areas):
    code = "local:mik_woninginbraak"
    import_as(
        "incidents",
        ("GM0556", code, "2023M06", 4.0),
        ("GM0556", code, "2024M06", 1.0, Status.VOORLOPIG),  # the file ended mid-June
        table="misdaad-in-kaart",
    )
    fig = selectors.figure("GM0556", code, "2024M06")
    assert fig.incomplete is True
    assert fig.as_dict()["incomplete"] is True
    with pytest.raises(insight.InsightError) as caught:
        insight.compare_periods("GM0556", code, "2023M06", "2024M06")
    assert caught.value.code == "incomplete"
    assert "2024M06" in str(caught.value)
    point = series_of(areas["gm"], code).months()[-1]
    assert point.incomplete is True
    assert selectors.incomplete_note(point.label) in point.source_line


def test_the_current_month_is_incomplete(areas):
    today = dt.date.today()
    code = f"{today.year}M{today.month:02d}"
    assert periods.parse(code).is_incomplete()
    load(("GM0556", "politie:1.1.1", code, 3.0))
    assert selectors.figure("GM0556", "politie:1.1.1", code).incomplete is True


def test_a_year_with_an_incomplete_month_is_not_summed(areas):
    code = "local:mik_woninginbraak"
    import_as(
        "incidents",
        *[("GM0556", code, f"2024M{m:02d}", 2.0) for m in range(1, 12)],
        ("GM0556", code, "2024M12", 1.0, Status.VOORLOPIG),
        table="misdaad-in-kaart",
    )
    assert series_of(areas["gm"], code).years() == []
    with pytest.raises(selectors.FigureNotFound) as caught:
        selectors.figure("GM0556", code, "2024")
    assert "december" in str(caught.value)


# --- 3. Kinds of measure ----------------------------------------------------------------------


def test_the_catalogue_gives_every_measure_its_kind(db):
    services.load_catalogue()
    kinds = dict(Measure.objects.values_list("code", "kind"))
    assert kinds["local:burgernet_deelnemers"] == MeasureKind.STOCK
    assert kinds["local:buurtpreventie_whatsappgroepen"] == MeasureKind.STOCK
    assert kinds["local:cameratoezicht_uren"] == MeasureKind.AMOUNT
    assert kinds["local:sociale_overlast_pct"] == MeasureKind.SURVEY
    assert kinds["local:rapportcijfer_veiligheid_buurt"] == MeasureKind.SURVEY
    assert kinds["vm:onveilig_buurt_pct"] == MeasureKind.SURVEY
    assert kinds["politie:1.1.1"] == MeasureKind.EVENT_COUNT
    assert kinds["local:huisverboden"] == MeasureKind.EVENT_COUNT
    assert kinds["cbs:bevolking"] == MeasureKind.STOCK
    assert kinds["derived:hic-kern"] == MeasureKind.EVENT_COUNT


def test_the_data_migration_sets_kinds_of_existing_measures(db):
    import importlib

    from django.apps import apps

    services.load_catalogue()
    Measure.objects.filter(code="local:burgernet_deelnemers").update(kind="event_count")
    migration = importlib.import_module("regie.monitor.migrations.0007_measure_kind")
    migration.set_kinds(apps, None)
    assert measure("local:burgernet_deelnemers").kind == MeasureKind.STOCK


def test_a_fall_of_a_stock_is_a_fall_without_a_poisson_test(areas):
    code = "local:burgernet_deelnemers"
    load(("GM0556", code, "2019", 1200.0), ("GM0556", code, "2021", 1150.0))
    result = insight.compare_periods("GM0556", code, "2021", "2019")
    assert result.test is None  # before: an exact Poisson test called this "within chance"
    assert result.kind == MeasureKind.STOCK
    with translation.override("en"):
        sentence = insight.compare_periods("GM0556", code, "2019", "2021").sentence
    assert "a fall: a count at a moment has no margin of chance." in sentence
    assert "chance." in sentence
    assert "within" not in sentence


def test_no_relative_change_on_small_stocks_grades_or_percentages(areas):
    """3 → 5 WhatsApp groups is "+2", not "+67 %"; a grade or a percentage gets no relative
    change either; a large stock does (1200 → 1150: -4.2 %)."""
    groups, grade = "local:buurtpreventie_whatsappgroepen", "local:rapportcijfer_veiligheid_buurt"
    load(
        ("GM0556", groups, "2019", 3.0),
        ("GM0556", groups, "2021", 5.0),
        ("GM0556", grade, "2019", 7.0),
        ("GM0556", grade, "2021", 7.4),
        ("GM0556", "local:burgernet_deelnemers", "2019", 1200.0),
        ("GM0556", "local:burgernet_deelnemers", "2021", 1150.0),
    )
    small = insight.compare_periods("GM0556", groups, "2019", "2021")
    assert (small.difference, small.percent_change) == (2.0, None)
    assert insight.compare_periods("GM0556", grade, "2019", "2021").percent_change is None
    large = insight.compare_periods("GM0556", "local:burgernet_deelnemers", "2019", "2021")
    assert large.percent_change == pytest.approx(-4.1667, abs=1e-3)


def test_no_rate_with_a_poisson_interval_for_an_amount(areas):
    load(("GM0556", "local:cameratoezicht_uren", "2022", 1500.0))
    with pytest.raises(insight.InsightError) as caught:
        insight.rate_figure("GM0556", "local:cameratoezicht_uren", "2022", organisation=None)
    assert caught.value.code == "not_a_count"


def test_series_knows_its_kind(areas):
    load(("GM0556", "local:burgernet_deelnemers", "2022", 1200.0))
    series = series_of(areas["gm"], "local:burgernet_deelnemers")
    assert series.kind == MeasureKind.STOCK
    assert series.is_count is False


def test_measures_command_shows_the_kind(db, capsys):
    services.load_catalogue()
    call_command("measures", "--source", "local", "--json")
    import json

    rows = {row["code"]: row for row in json.loads(capsys.readouterr().out)}
    assert rows["local:burgernet_deelnemers"]["kind"] == "stock"


# --- 4. Survey bounds, population -------------------------------------------------------------

VM = "vm:onveilig_buurt_pct"


def test_survey_bounds_are_the_margin_of_the_survey_figure(areas):
    load(
        ("GM0556", VM, "2021", 16.2),
        ("GM0556", f"{VM}.ondergrens", "2021", 14.1),
        ("GM0556", f"{VM}.bovengrens", "2021", 18.4),
        ("GM0556", VM, "2023", 19.9),
        ("GM0556", f"{VM}.ondergrens", "2023", 17.6),
        ("GM0556", f"{VM}.bovengrens", "2023", 22.3),
    )
    point = series_of(areas["gm"], VM).years()[0]
    assert point.margin == (14.1, 18.4)
    fig = selectors.figure("GM0556", VM, "2021")
    assert fig.margin == (14.1, 18.4)
    assert fig.as_dict()["margin"] == {"lower": 14.1, "upper": 18.4}
    result = insight.compare_periods("GM0556", VM, "2021", "2023")
    assert result.margins_overlap is True
    assert result.test is None
    # The bounds are no measures to pick or to show on a page.
    shown = [m.code for m in insight.measures_with_data(None, areas["gm"])]
    assert VM in shown
    assert f"{VM}.ondergrens" not in shown


def test_a_rate_uses_the_imported_population_before_the_shipped_one(areas):
    load(("GM0556", "cbs:T001161", "2022", 1245.0))
    shipped = insight.rate_figure("GM0556", "cbs:T001161", "2022", organisation=None)
    assert shipped.rate.population == 34110
    assert shipped.as_dict()["per_1000"]["population_source"] == "reference"
    load(("GM0556", "cbs:bevolking", "2022", 34000.0), table="03759NED")
    imported = insight.rate_figure("GM0556", "cbs:T001161", "2022", organisation=None)
    assert imported.rate.population == 34000
    per = imported.as_dict()["per_1000"]
    assert per["population_source"] == "import"
    assert "03759NED" in per["population_lineage"]
    assert selectors.populations([areas["gm"]], [2022]) == {(areas["gm"].pk, 2022): 34000}


# --- 7. One answer to "the figure of 2022" ------------------------------------------------------


def test_a_year_held_only_as_months_is_one_number_everywhere(areas):
    months = [("GM0556", "politie:1.1.1", f"2022M{m:02d}", float(m)) for m in range(1, 13)]
    load(*months, table="47022NED")
    fig = selectors.figure("GM0556", "politie:1.1.1", "2022")
    assert fig.value == 78.0  # before: "No figure" here while the page showed 78
    assert fig.computed
    assert fig.as_dict()["computed"] == selectors.year_from_months_note()
    [year] = series_of(areas["gm"], "politie:1.1.1").years()
    assert (year.value, year.computed) == (78.0, fig.computed)


def test_a_year_with_a_missing_month_is_refused_with_the_reason(areas):
    load(*[("GM0556", "politie:1.1.1", f"2022M{m:02d}", 1.0) for m in range(1, 12)])
    with pytest.raises(selectors.FigureNotFound) as caught:
        selectors.figure("GM0556", "politie:1.1.1", "2022")
    assert "december" in str(caught.value)
    assert series_of(areas["gm"], "politie:1.1.1").years() == []


# --- 8. Former gemeenten ----------------------------------------------------------------------


@pytest.fixture
def merger(areas):
    """GM9001 + GM9002 went wholly into GM9003 on 1 January 2019."""
    pv = areas["pv"]
    new = Area.objects.create(
        code="GM9003",
        name="Nieuwe Gemeente",
        level=AreaLevel.GEMEENTE,
        parent=pv,
        valid_from=dt.date(2019, 1, 1),
        source="t",
    )
    old = []
    for code in ("GM9001", "GM9002"):
        area = Area.objects.create(
            code=code,
            name=code,
            level=AreaLevel.GEMEENTE,
            parent=pv,
            active=False,
            valid_to=dt.date(2019, 1, 1),
            source="t",
        )
        area.successors.add(new)
        old.append(area)
    return new, old


def test_years_before_a_whole_merger_are_the_marked_sum_of_the_former_gemeenten(merger):
    new, _old = merger
    load(
        ("GM9001", "politie:1.1.1", "2017", 10.0),
        ("GM9002", "politie:1.1.1", "2017", 5.0),
        ("GM9001", "politie:1.1.1", "2018", 12.0),  # GM9002 2018 missing: no sum
        ("GM9003", "politie:1.1.1", "2019", 20.0),
    )
    m = measure("politie:1.1.1")
    series = selectors.load_series(None, [new], [m])[(new.pk, m.pk)]
    assert [p.year for p in series.years()] == [2019]  # the series alone: published only
    years = selectors.area_years(None, new, m, series)
    assert [(p.year, p.value) for p in years] == [(2017, 15.0), (2019, 20.0)]
    assert years[0].predecessors == ("GM9001", "GM9002")
    assert "GM9001, GM9002" in years[0].computed
    assert years[1].computed == ""


def test_no_sum_of_former_gemeenten_across_a_split(merger):
    new, _old = merger
    other = Area.objects.create(code="GM9004", name="X", level=AreaLevel.GEMEENTE, source="t")
    split = Area.objects.create(
        code="GM9005",
        name="Gesplitst",
        level=AreaLevel.GEMEENTE,
        active=False,
        valid_to=dt.date(2019, 1, 1),
        source="t",
    )
    split.successors.add(new, other)
    load(("GM9001", "politie:1.1.1", "2017", 10.0), ("GM9002", "politie:1.1.1", "2017", 5.0))
    m = measure("politie:1.1.1")
    series = selectors.load_series(None, [new], [m])[(new.pk, m.pk)]
    assert selectors.area_years(None, new, m, series) == []


# --- 9. Misdaad in kaart ----------------------------------------------------------------------


def test_misdaad_in_kaart_figures_say_they_are_not_official_statistics(areas):
    code = "local:mik_woninginbraak"
    import_as("incidents", ("GM0556", code, "2023M06", 4.0), table="misdaad-in-kaart")
    fig = selectors.figure("GM0556", code, "2023M06")
    assert selectors.unofficial_note() in fig.note
    point = series_of(areas["gm"], code).months()[0]
    assert selectors.unofficial_note() in point.source_line


# --- 6. Waterbed roles --------------------------------------------------------------------------


@pytest.fixture
def monthly(areas):
    for code, name in (("GM0482", "Alblasserdam"), ("GM0622", "Vlaardingen")):
        Area.objects.create(code=code, name=name, level=AreaLevel.GEMEENTE, source="t")
    load(
        *[
            (area, "politie:1.1.1", f"{year}M{month:02d}", float(base))
            for area, base in (("GM0556", 10), ("GM0622", 6), ("GM0482", 4))
            for year in (2023, 2024)
            for month in range(1, 13)
        ]
    )
    return areas


def _waterbed(**roles: Any) -> insight.WaterbedResult:
    return insight.waterbed(
        "politie:1.1.1",
        before=insight.parse_window("2023M01:2023M12"),
        after=insight.parse_window("2024M01:2024M12"),
        organisation=None,
        **roles,
    )


def test_waterbed_refuses_one_area_in_two_roles(monthly):
    with pytest.raises(insight.InsightError) as caught:
        _waterbed(target=["GM0556"], displacement=["GM0482"], control_target=["GM0482"])
    assert caught.value.code == "roles"
    assert "GM0482" in str(caught.value)


def test_waterbed_with_one_control_for_both_uses_the_fourfold_variance(monthly):
    result = _waterbed(target=["GM0556"], displacement=["GM0622"], control_target=["GM0482"])
    assert result.wdd.shared_control is True
    # T 120/120, D 72/72, C 48/48: Var = 120 + 120 + 72 + 72 + 4 * 96.
    assert result.wdd.variance == 768.0
    assert result.as_dict()["wdd"]["shared_control"] is True


def test_waterbed_of_all_zero_counts_cannot_be_computed(areas):
    for code in ("GM0482", "GM0622"):
        Area.objects.create(code=code, name=code, level=AreaLevel.GEMEENTE, source="t")
    load(
        *[
            (area, "politie:1.1.1", f"{year}M{month:02d}", 0.0)
            for area in ("GM0556", "GM0622", "GM0482")
            for year in (2023, 2024)
            for month in range(1, 13)
        ]
    )
    with pytest.raises(insight.InsightError) as caught:
        _waterbed(target=["GM0556"], displacement=["GM0622"], control_target=["GM0482"])
    assert caught.value.code == "not_computable"


def test_waterbed_refuses_incomplete_months(areas):
    for code in ("GM0482", "GM0622"):
        Area.objects.create(code=code, name=code, level=AreaLevel.GEMEENTE, source="t")
    import_as(
        "incidents",
        *[
            (area, "politie:1.1.1", f"{year}M{month:02d}", 3.0)
            for area in ("GM0556", "GM0622", "GM0482")
            for year in (2023, 2024)
            for month in range(1, 13)
            if (year, month) != (2024, 12)
        ],
        *[(a, "politie:1.1.1", "2024M12", 1.0, Status.VOORLOPIG) for a in ("GM0556",)],
        *[(a, "politie:1.1.1", "2024M12", 3.0) for a in ("GM0622", "GM0482")],
    )
    with pytest.raises(insight.InsightError) as caught:
        _waterbed(target=["GM0556"], displacement=["GM0622"], control_target=["GM0482"])
    assert caught.value.code == "incomplete"
    assert "2024M12" in str(caught.value)


def test_population_helper_keeps_the_shipped_value_without_imports(areas):
    Population.objects.create(area=areas["gm"], year=2021, value=34000, source="t")
    found = selectors.population_figures([areas["gm"]], [2021, 2022])
    assert found[(areas["gm"].pk, 2021)].source == "reference"


def test_the_latest_comparison_skips_an_incomplete_month(areas):
    code = "local:mik_woninginbraak"
    import_as(
        "incidents",
        ("GM0556", code, "2023M05", 4.0),
        ("GM0556", code, "2023M06", 5.0),
        ("GM0556", code, "2024M05", 2.0),
        ("GM0556", code, "2024M06", 1.0, Status.VOORLOPIG),
        table="misdaad-in-kaart",
    )
    pair = insight.latest_comparison(series_of(areas["gm"], code))
    assert pair is not None
    assert [p.period for p in pair] == ["2023M05", "2024M05"]


# --- 5. Trend sentences -------------------------------------------------------------------------


def test_the_trend_sentence_names_covid_years_and_few_points() -> None:
    from regie import stats
    from regie.veiligheidsbeeld import wording

    with translation.override("en"):
        years = [2019, 2020, 2021, 2022]
        result = stats.poisson_trend(years, [100.0, 80.0, 85.0, 95.0], [30_000.0] * 4)
        text = wording.trend(result)
        assert "2020 and 2021" in text
        assert "Only 4 years" in text
        longer = stats.poisson_trend(
            [2015, 2016, 2017, 2018, 2019, 2022],
            [100.0, 98.0, 97.0, 95.0, 93.0, 90.0],
            [30_000.0] * 6,
        )
        text = wording.trend(longer)
        assert "COVID" not in text
        assert "Only" not in text


def test_the_data_migration_adds_the_new_catalogue_measures_where_it_was_loaded(db):
    import importlib

    from django.apps import apps

    services.load_catalogue()
    Measure.objects.filter(code__endswith=".ondergrens").delete()
    Measure.objects.filter(code="cbs:bevolking").delete()
    migration = importlib.import_module("regie.monitor.migrations.0007_measure_kind")
    migration.set_kinds(apps, None)
    assert measure("vm:onveilig_buurt_pct.ondergrens").unit == measure("vm:onveilig_buurt_pct").unit
    assert measure("cbs:bevolking").kind == MeasureKind.STOCK


def test_no_trend_or_rate_with_a_chance_margin_for_a_stock(areas):
    code = "local:burgernet_deelnemers"
    load(*[("GM0556", code, str(y), 1000.0 + 10 * y % 7) for y in range(2015, 2023)])
    series = series_of(areas["gm"], code)
    years = series.years()
    people = {(areas["gm"].pk, p.year): 34_000 for p in years}
    assert insight.year_trend(series, years, people).result is None
    assert insight.rate(years[-1], 34_000, kind=series.kind) is None
    load(*[("GM0556", "cbs:T001161", str(y), 1200.0 - 10 * (y - 2015)) for y in range(2015, 2023)])
    counts = series_of(areas["gm"], "cbs:T001161")
    trend = insight.year_trend(counts, counts.years(), people)
    assert trend.result is not None
    assert trend.result.model in ("poisson", "negative_binomial", "quasi_poisson")


def test_regie_figure_gives_the_marked_sum_of_the_former_gemeenten_too(merger):
    load(("GM9001", "politie:1.1.1", "2017", 10.0), ("GM9002", "politie:1.1.1", "2017", 5.0))
    fig = selectors.figure("GM9003", "politie:1.1.1", "2017")
    assert fig.value == 15.0
    assert "GM9001, GM9002" in fig.computed
    assert [c.area for c in fig.components] == ["GM9001", "GM9002"]
    with pytest.raises(selectors.FigureNotFound):
        selectors.figure("GM9003", "politie:1.1.1", "2016")
