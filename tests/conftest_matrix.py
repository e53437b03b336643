"""A tiny area tree for tests that need GM0556 without loading the reference files."""

from __future__ import annotations

from typing import Any

import pytest

from regie.areas.models import Area, AreaLevel, Population

AreaFixture = dict[str, Area]


def build_areas() -> AreaFixture:
    nl = Area.objects.create(code="NL01", name="Nederland", level=AreaLevel.NL, source="test")
    pv = Area.objects.create(
        code="PV28", name="Zuid-Holland", level=AreaLevel.PROVINCIE, parent=nl, source="test"
    )
    re07 = Area.objects.create(
        code="RE07", name="Rotterdam", level=AreaLevel.POLITIE_EENHEID, parent=nl, source="test"
    )
    gm = Area.objects.create(
        code="GM0556",
        name="Maassluis",
        level=AreaLevel.GEMEENTE,
        parent=pv,
        politie_eenheid=re07,
        source="test",
    )
    wk = Area.objects.create(
        code="WK055601", name="Wijk 01", level=AreaLevel.WIJK, parent=gm, source="test"
    )
    bu = Area.objects.create(
        code="BU05560101", name="Buurt 01", level=AreaLevel.BUURT, parent=wk, source="test"
    )
    Population.objects.create(area=gm, year=2022, value=34110, source="test")
    return {"nl": nl, "pv": pv, "re07": re07, "gm": gm, "wk": wk, "bu": bu}


@pytest.fixture
def areas(db: Any) -> AreaFixture:
    return build_areas()
