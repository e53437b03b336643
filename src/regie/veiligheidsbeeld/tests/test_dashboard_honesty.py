"""Overview sentences and tiles that keep users honest (DOMAIN §5): no headline picked as the
most significant of many measures, a percentage's change in procentpunt, and an area never
compared with itself."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import translation

from regie.areas.models import Population
from regie.core.models import Organisation
from regie.monitor import selectors, services
from regie.monitor.models import Measure
from regie.monitor.tests.factories import load
from regie.veiligheidsbeeld import dashboard

pytestmark = pytest.mark.django_db


def _crime_measures(n: int) -> list[Measure]:
    """Police crime types of the section "other crime types" (not HIC, ondermijning, cyber)."""
    services.load_catalogue()
    themed = {
        code
        for code, _name in (
            *dashboard.HIC_CODES,
            *dashboard.ONDERMIJNING_CODES,
            *dashboard.CYBER_CODES,
        )
    }
    return list(
        Measure.objects.filter(source="politie", is_rollup=False)
        .exclude(code="politie:0.0.0")
        .exclude(code__in=themed)
        .order_by("sort_order", "code")[:n]
    )


def _section(page: dashboard.Overview, key: str) -> dashboard.Section:
    return next(s for s in page.sections if s.key == key)


def test_the_section_sentence_is_not_the_most_significant_of_many(
    areas: Any, maassluis: Organisation
) -> None:
    measures = _crime_measures(12)
    rows = []
    for measure in measures:
        rows += [("GM0556", measure.code, "2022", 100), ("GM0556", measure.code, "2023", 102)]
    striking = measures[-1]  # last in catalogue order, with a change far beyond chance
    rows[-1] = ("GM0556", striking.code, "2023", 300)
    load(*rows, table="POL")
    with translation.override("en"):
        page = dashboard.overview(maassluis, areas["gm"])
    sentence = _section(page, "crime").sentence
    # The fixed choice: the first measure in catalogue order, not the striking one …
    assert sentence.startswith(f"{measures[0].name}:"), sentence
    assert not sentence.startswith(striking.name)
    # … and the count of changes beyond chance, with the multiple-testing caveat.
    assert "1 of the 12 counts changed more than chance explains" in sentence
    assert "about 1 in 20 does so by chance alone" in sentence


def test_a_change_in_a_percentage_is_in_percentage_points(
    areas: Any, maassluis: Organisation
) -> None:
    load(
        ("GM0556", "vm:onveilig_buurt_pct", "2021", 20.0),
        ("GM0556", "vm:onveilig_buurt_pct", "2023", 22.0),
        table="VM",
    )
    with translation.override("en"):
        page = dashboard.overview(maassluis, areas["gm"])
    sentence = _section(page, "perception").sentence
    assert "+2.0 percentage points" in sentence, sentence
    assert "10%" not in sentence  # not the relative change of a percentage


def _tile(page: dashboard.Overview, key: str) -> dashboard.Tile:
    return next(t for t in page.tiles if t.key == key)


def test_an_area_is_never_compared_with_its_own_region(areas: Any, maassluis: Organisation) -> None:
    # A politie-eenheid that holds only this gemeente: comparing them compares the area with
    # itself. The tile must leave it out instead of saying "no difference beyond chance".
    Population.objects.create(area=areas["re07"], year=2022, value=34110, source="test")
    load(
        ("GM0556", "cbs:T001161", "2022", 1245),
        ("RE07", "cbs:T001161", "2022", 1245),
        table="83648NED",
    )
    with translation.override("en"):
        page = dashboard.overview(maassluis, areas["gm"])
    detail = " ".join(_tile(page, "totaal").detail)
    assert "Rotterdam" not in detail, detail
    assert "no difference beyond chance" not in detail


def test_a_region_is_compared_without_the_area_itself(areas: Any, maassluis: Organisation) -> None:
    # RE07: 1245 + 2755 = 4000 crimes, 34,110 + 65,890 = 100,000 inhabitants. The rest of the
    # region has 2755 / 65,890 = 41.8 per 1,000; the region as a whole 40.0.
    Population.objects.create(area=areas["re07"], year=2022, value=100000, source="test")
    load(
        ("GM0556", "cbs:T001161", "2022", 1245),
        ("RE07", "cbs:T001161", "2022", 4000),
        table="83648NED",
    )
    with translation.override("en"):
        page = dashboard.overview(maassluis, areas["gm"])
    detail = " ".join(_tile(page, "totaal").detail)
    assert "40.0 per 1,000" in detail, detail
    assert "rest of the region (41.8 per 1,000)" in detail, detail


def test_an_incomplete_month_is_never_shown_as_the_latest_figure(
    areas: Any, maassluis: Organisation
) -> None:
    """The current month is still being counted: no sentence presents it as the latest."""
    import datetime as dt

    services.load_catalogue()
    today = dt.date.today()
    load(("GM0556", "politie:1.1.1", f"{today.year}M{today.month:02d}", 5), table="POL")
    measure = Measure.objects.get(code="politie:1.1.1")
    series = selectors.load_series(maassluis, [areas["gm"]], [measure])[
        (areas["gm"].pk, measure.pk)
    ]
    assert series.latest() is not None  # the figure is there …
    assert dashboard._latest(series) is None  # … but is not presented as a whole month
