"""The real reference data loaded into the database: history, names, predecessors, loading.

One load per class (``setUpTestData``): loading 18,000 areas for every test would be slow.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.db.models import Q
from django.test import TestCase

from regie.areas.models import Area, AreaLevel, AreaName, Population
from regie.areas.selectors import (
    AmbiguousAreaName,
    merged_predecessors,
    name_index,
)
from regie.areas.services import load_reference_data
from regie.core.models import AuditAction, AuditEntry

# Gemeenten on 1 January 2000 ... 2026 (CBS; SOURCE.md of cbs-gemeentelijke-herindelingen).
GEMEENTEN_PER_YEAR = dict(
    zip(
        range(2000, 2027),
        [
            *(537, 504, 496, 489, 483, 467, 458, 443, 443, 441, 431, 418, 415, 408, 403),
            *(393, 390, 388, 380, 355, 355, 352, 345, 342, 342, 342, 342),
        ],
        strict=True,
    )
)


class LoadedAreasTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.report = load_reference_data()

    # ------------------------------------------------------------------ former gemeenten

    def test_gemeenten_valid_on_each_1_january_match_cbs(self) -> None:
        gemeenten = Area.objects.filter(level=AreaLevel.GEMEENTE)
        for year, expected in GEMEENTEN_PER_YEAR.items():
            day = date(year, 1, 1)
            valid = gemeenten.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=day)).filter(
                Q(valid_to__isnull=True) | Q(valid_to__gt=day)
            )
            assert valid.count() == expected, year
        # Weesp went into Amsterdam mid-year (valid_to is exclusive): 344 on 24 March 2022.
        for day, expected in ((date(2022, 3, 23), 345), (date(2022, 3, 24), 344)):
            valid = gemeenten.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=day)).filter(
                Q(valid_to__isnull=True) | Q(valid_to__gt=day)
            )
            assert valid.count() == expected, day

    def test_every_gemeente_since_2000_and_no_pseudo_rows(self) -> None:
        gemeenten = Area.objects.filter(level=AreaLevel.GEMEENTE)
        assert gemeenten.count() == 605
        assert not gemeenten.filter(valid_to__lte=date(2000, 1, 1)).exists()
        assert not Area.objects.filter(code__in=["GM0996", "GM0998", "GM0999"]).exists()
        # active is "still exists": exactly the gemeenten without an end date.
        assert set(gemeenten.filter(active=True)) == set(gemeenten.filter(valid_to=None))
        assert gemeenten.filter(active=True).count() == 342
        # Every former gemeente has a provincie, a veiligheidsregio and a politie-eenheid.
        former = gemeenten.filter(active=False)
        assert not former.filter(
            Q(parent=None) | Q(veiligheidsregio=None) | Q(politie_eenheid=None)
        ).exists()
        assert not former.filter(successors=None).exists()

    def test_former_gemeente_history(self) -> None:
        leerdam = Area.objects.get(code="GM0545")
        assert (leerdam.name, leerdam.active, leerdam.valid_to) == (
            "Leerdam",
            False,
            date(2019, 1, 1),
        )
        assert [a.code for a in leerdam.successors.all()] == ["GM1961"]
        assert leerdam.parent is not None
        assert leerdam.parent.code == "PV28"
        weesp = Area.objects.get(code="GM0457")
        assert weesp.valid_to == date(2022, 3, 24)
        assert [a.code for a in weesp.successors.all()] == ["GM0363"]
        haaren = Area.objects.get(code="GM0788")
        assert sorted(a.code for a in haaren.successors.all()) == [
            "GM0757",
            "GM0824",
            "GM0855",
            "GM0865",
        ]
        assert Area.objects.get(code="GM1992").valid_from == date(2023, 1, 1)

    # ------------------------------------------------------------------ predecessors

    def test_merged_predecessors(self) -> None:
        voorne = merged_predecessors(Area.objects.get(code="GM1992"))
        assert [(p.code, p.name, p.valid_to) for p in voorne] == [
            ("GM0501", "Brielle", date(2023, 1, 1)),
            ("GM0530", "Hellevoetsluis", date(2023, 1, 1)),
            ("GM0614", "Westvoorne", date(2023, 1, 1)),
        ]
        # Haaren was split (2021): it is no whole predecessor of any of its successors.
        for code in ("GM0824", "GM0865", "GM0757", "GM0855"):
            assert "GM0788" not in {
                p.code for p in merged_predecessors(Area.objects.get(code=code))
            }
        # Recursion: De Fryske Marren <- De Friese Meren (renamed 2015) <- Skarsterlân (2014).
        fryske = {p.code: p for p in merged_predecessors(Area.objects.get(code="GM1940"))}
        assert fryske["GM1921"].valid_to == date(2015, 7, 1)
        assert {"GM0051", "GM0082", "GM0653"} <= set(fryske)
        assert "GM0055" not in fryske  # Boarnsterhim was split over four gemeenten
        assert merged_predecessors(Area.objects.get(code="GM0556")) == []

    # ------------------------------------------------------------------ wijken and buurten

    def test_every_wijk_and_buurt_with_names_per_indeling(self) -> None:
        wijken = Area.objects.filter(level=AreaLevel.WIJK)
        buurten = Area.objects.filter(level=AreaLevel.BUURT)
        assert wijken.filter(names__year=2024).distinct().count() == 3393
        assert buurten.filter(names__year=2024).distinct().count() == 14574
        assert buurten.filter(names__year=2023).distinct().count() == 14421
        assert buurten.filter(active=True).count() == 14574
        # BU07620100 was "Vlierden" in buurtindeling 2023 and is "De Vennen" in 2024.
        buurt = Area.objects.get(code="BU07620100")
        assert buurt.name == "De Vennen"
        assert set(buurt.names.values_list("year", "name")) == {
            (2023, "Vlierden"),
            (2024, "De Vennen"),
        }
        # Titles stop at 40 characters; the name is the full one, the title another name.
        wijk = Area.objects.get(code="WK051806")
        assert wijk.name == "Wijk 06 Van Stolkpark en Scheveningse Bosjes"
        assert AreaName.objects.filter(
            area=wijk, year=2024, name="Wijk 06 Van Stolkpark en Scheveningse Bo"
        ).exists()

    def test_buurt_and_wijk_population_2024(self) -> None:
        assert Population.objects.filter(area__level=AreaLevel.BUURT, year=2024).count() == 14574
        assert Population.objects.get(area__code="BU05560303", year=2024).value == 1125
        wijk = Area.objects.get(code="WK055603")
        total = sum(
            Population.objects.filter(area__parent=wijk, year=2024).values_list("value", flat=True)
        )
        assert Population.objects.get(area=wijk, year=2024).value == total

    # ------------------------------------------------------------------ name resolution

    def test_resolve_real_names(self) -> None:
        index = name_index()
        assert index.resolve("Amsterdam", level=AreaLevel.GEMEENTE) == "GM0363"
        assert index.resolve("Amsterdam", level=AreaLevel.POLITIE_EENHEID) == "RE05"
        assert index.resolve("Amsterdam (RE)") == "RE05"
        assert index.resolve("Utrecht (PV)") == "PV26"
        assert index.resolve("Utrecht (gemeente)") == "GM0344"
        assert index.resolve("Friesland (PV)") == "PV21"
        assert index.resolve("Nederland") == "NL01"
        assert index.resolve("Wijk 00 Annen") == "WK168000"
        assert index.resolve("Leerdam", year=2015) == "GM0545"
        assert index.resolve("Bergen (NH.)") == "GM0373"
        assert index.resolve("Bergen (L.)") == "GM0893"
        assert index.resolve("Bergen (L.)", level=AreaLevel.GEMEENTE, year=2024) == "GM0893"
        # 47022NED 2023 called Beek (L.) just "Beek".
        assert index.resolve("Beek", year=2023) == "GM0888"
        assert index.resolve("Onbekend gebied") is None

    def test_ties_are_reported(self) -> None:
        index = name_index()
        for name, expected in (("Utrecht", {"PV26", "GM0344"}), ("Groningen", {"PV20", "GM0014"})):
            with pytest.raises(AmbiguousAreaName) as info:
                index.resolve(name)
            assert expected <= {code for code, _name, _level in info.value.candidates}

    def test_a_buurt_never_captures_a_gemeente_name(self) -> None:
        index = name_index()
        # Buurten named Hoorn (Terschelling, Heerde) and Schiermonnikoog (in Schiermonnikoog).
        assert Area.objects.filter(level=AreaLevel.BUURT, name="Hoorn").count() >= 2
        assert index.resolve("Hoorn") == "GM0405"
        assert index.resolve("Hoorn", year=2024) == "GM0405"
        assert Area.objects.filter(level=AreaLevel.BUURT, name="Schiermonnikoog").exists()
        assert index.resolve("Schiermonnikoog") == "GM0088"
        # Asked for at buurt level, the buurt is found.
        assert index.resolve("Schiermonnikoog", level=AreaLevel.BUURT) == "BU00880000"

    def test_a_name_read_within_a_gemeente(self) -> None:
        """In a list of Terschelling's buurten "Hoorn" is not silently the gemeente Hoorn: an
        own buurt against another gemeente of that name is a tie with both candidates; in
        Terschelling's own figures (only own areas accepted) it is the buurt. A name only the
        gemeente has a buurt of is that buurt."""
        index = name_index()
        with pytest.raises(AmbiguousAreaName) as info:
            index.resolve("Hoorn", year=2024, within="GM0093")
        assert {code for code, _name, _level in info.value.candidates} == {"BU00930419", "GM0405"}
        assert index.resolve("Hoorn", within="GM0093", within_only=True) == "BU00930419"
        assert index.resolve("Binnenstad", within="GM0556") == "BU05560303"
        assert index.resolve("Vlaardingen", within="GM0556") == "GM0622"

    def test_buurt_names_follow_the_year(self) -> None:
        index = name_index()
        # "De Vennen" (Deurne) was BU07620007 in 2023 and is BU07620100 in 2024.
        assert index.resolve("De Vennen", level=AreaLevel.BUURT, year=2023) == "BU07620007"
        assert index.resolve("De Vennen", level=AreaLevel.BUURT, year=2024) == "BU07620100"
        assert index.resolve("Vlierden", level=AreaLevel.BUURT, year=2023) == "BU07620100"
        assert index.resolve("Vlierden", level=AreaLevel.WIJK, year=2024) == "WK076205"

    # ------------------------------------------------------------------ loading

    def test_second_load_changes_nothing_and_writes_no_event(self) -> None:
        assert self.report.areas_created == Area.objects.count()
        events = AuditEntry.objects.filter(action=AuditAction.IMPORT, actor_label="gebiedenlader")
        assert events.count() == 1
        again = load_reference_data()
        assert (again.areas_created, again.areas_updated) == (0, 0)
        assert (again.populations_created, again.populations_updated) == (0, 0)
        assert again.populations_removed == 0
        assert events.count() == 1

    def test_reload_repairs_changed_history_and_names(self) -> None:
        leerdam = Area.objects.get(code="GM0545")
        leerdam.successors.set([Area.objects.get(code="GM0363")])
        AreaName.objects.filter(area__code="BU07620100", year=2023).delete()
        stale = Population.objects.create(area=leerdam, year=1990, value=1, source="t")
        report = load_reference_data()
        assert report.areas_updated == 2
        assert report.populations_removed == 1
        assert not Population.objects.filter(pk=stale.pk).exists()
        assert [a.code for a in leerdam.successors.all()] == ["GM1961"]
        assert AreaName.objects.filter(area__code="BU07620100", year=2023).exists()
