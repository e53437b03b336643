"""merged_predecessors and name_index on small hand-made area sets (the real data: test_loaded)."""

from __future__ import annotations

from datetime import date

import pytest

from regie.areas.models import Area, AreaLevel, AreaName
from regie.areas.selectors import AmbiguousAreaName, merged_predecessors, name_index

pytestmark = pytest.mark.django_db


def _area(code: str, name: str, level: str, **kw: object) -> Area:
    return Area.objects.create(code=code, name=name, level=level, source="test", **kw)


def _former(code: str, name: str, valid_to: date, *successors: Area) -> Area:
    area = _area(code, name, AreaLevel.GEMEENTE, active=False, valid_to=valid_to)
    area.successors.set(successors)
    return area


def test_merged_predecessors_whole_and_recursive_but_not_splits() -> None:
    fryske = _area("GM1940", "De Fryske Marren", AreaLevel.GEMEENTE)
    friese = _former("GM1921", "De Friese Meren", date(2015, 7, 1), fryske)
    _former("GM0051", "Skarsterlân", date(2014, 1, 1), friese)
    _former("GM0055", "Boarnsterhim", date(2014, 1, 1), friese, fryske)  # split
    oisterwijk = _area("GM0824", "Oisterwijk", AreaLevel.GEMEENTE)
    vught = _area("GM0865", "Vught", AreaLevel.GEMEENTE)
    _former("GM0788", "Haaren", date(2021, 1, 1), oisterwijk, vught)

    preds = merged_predecessors(fryske)
    assert [(p.code, p.name, p.valid_to) for p in preds] == [
        ("GM0051", "Skarsterlân", date(2014, 1, 1)),
        ("GM1921", "De Friese Meren", date(2015, 7, 1)),
    ]
    assert merged_predecessors(oisterwijk) == []
    assert merged_predecessors(vught) == []


def test_name_index_levels_suffixes_and_ties() -> None:
    nl = _area("NL01", "Nederland", AreaLevel.NL)
    pv = _area("PV26", "Utrecht", AreaLevel.PROVINCIE, parent=nl)
    fr = _area("PV21", "Fryslân", AreaLevel.PROVINCIE, parent=nl)
    AreaName.objects.create(area=fr, year=None, name="Friesland", source="t")
    _area("RE05", "Amsterdam", AreaLevel.POLITIE_EENHEID, parent=nl)
    _area("GM0363", "Amsterdam", AreaLevel.GEMEENTE, parent=pv)
    gm = _area("GM0344", "Utrecht", AreaLevel.GEMEENTE, parent=pv)
    wk = _area("WK034401", "Wijk 01 Binnenstad", AreaLevel.WIJK, parent=gm)
    _area("BU03440101", "Utrecht", AreaLevel.BUURT, parent=wk)
    index = name_index()

    assert index.resolve("Amsterdam", level=AreaLevel.GEMEENTE) == "GM0363"
    assert index.resolve("Amsterdam", level=AreaLevel.POLITIE_EENHEID) == "RE05"
    assert index.resolve("Amsterdam (RE)") == "RE05"
    assert index.resolve("Utrecht (PV)") == "PV26"
    assert index.resolve("utrecht (gemeente)") == "GM0344"
    assert index.resolve("Friesland (PV)") == "PV21"
    assert index.resolve("Nederland") == "NL01"
    assert index.resolve("Binnenstad", level=AreaLevel.WIJK) == "WK034401"
    assert index.resolve("Utrecht", level=AreaLevel.BUURT) == "BU03440101"
    assert index.resolve("Onbekend") is None
    with pytest.raises(AmbiguousAreaName) as info:
        index.resolve("Utrecht")
    assert info.value.candidates == [
        ("GM0344", "Utrecht", "gemeente"),
        ("PV26", "Utrecht", "provincie"),
    ]


def test_name_index_year_picks_the_gemeente_of_that_year() -> None:
    new = _area("GM1961", "Vijfheerenlanden", AreaLevel.GEMEENTE, valid_from=date(2019, 1, 1))
    _former("GM0545", "Leerdam", date(2019, 1, 1), new)
    wk = _area("WK196101", "Leerdam", AreaLevel.WIJK, parent=new)
    old = _former("GM0001", "Oudstad", date(2010, 1, 1), new)
    _area("GM0002", "Oudstad", AreaLevel.GEMEENTE, valid_from=date(2012, 1, 1))
    buurt = _area("BU19610101", "Nieuw", AreaLevel.BUURT, parent=wk)
    AreaName.objects.create(area=buurt, year=2023, name="Oud", source="t")
    AreaName.objects.create(area=buurt, year=2024, name="Nieuw", source="t")
    _area("BU19610102", "Oud", AreaLevel.BUURT, parent=wk)
    AreaName.objects.create(
        area=Area.objects.get(code="BU19610102"), year=2024, name="Oud", source="t"
    )
    index = name_index()

    assert index.resolve("Leerdam", year=2015) == "GM0545"
    assert index.resolve("Leerdam") == "GM0545"  # the gemeente beats the wijk
    assert index.resolve("Leerdam", level=AreaLevel.WIJK) == "WK196101"
    assert index.resolve("Oudstad", year=2005) == old.code
    assert index.resolve("Oudstad", year=2020) == "GM0002"
    assert index.resolve("Oudstad") == "GM0002"  # without a year: the one that exists
    assert index.resolve("Oud", year=2023) == "BU19610101"
    assert index.resolve("Oud", year=2024) == "BU19610102"
