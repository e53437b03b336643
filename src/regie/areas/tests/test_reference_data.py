"""Tests of the area reference data read from ``regie/areas/data`` (plain pytest, no Django)."""

from __future__ import annotations

import re
from collections import Counter, defaultdict

import pytest

from regie.areas.reference_data import (
    DEMO_GEMEENTEN,
    LEVELS,
    AreaRecord,
    PopulationRecord,
    load_areas,
    load_population,
)

CODE_PATTERNS = {
    "nl": r"NL01",
    "provincie": r"PV(2\d|3[01])",
    "politie_eenheid": r"RE(0[1-9]|10)",
    "veiligheidsregio": r"VR(0[1-9]|1\d|2[0-5])",
    "gemeente": r"GM\d{4}",
    "wijk": r"WK\d{4}[0-9A-Z]{2}",  # Amsterdam uses letters: WK0363AA
    "buurt": r"BU\d{4}[0-9A-Z]{4}",
}


@pytest.fixture(scope="module")
def areas() -> list[AreaRecord]:
    return load_areas()


@pytest.fixture(scope="module")
def by_code(areas: list[AreaRecord]) -> dict[str, AreaRecord]:
    return {a.code: a for a in areas}


@pytest.fixture(scope="module")
def population() -> list[PopulationRecord]:
    return load_population()


@pytest.fixture(scope="module")
def pop(population: list[PopulationRecord]) -> dict[tuple[str, int], PopulationRecord]:
    return {(p.code, p.year): p for p in population}


def per_1000(count: int, inhabitants: int) -> float:
    return round(1000 * count / inhabitants, 1)


# ------------------------------------------------------------------------------------- areas


def test_counts_per_level(areas: list[AreaRecord]) -> None:
    counts = Counter(a.level for a in areas)
    assert set(counts) == set(LEVELS)
    assert counts["nl"] == 1
    assert counts["provincie"] == 12
    assert counts["politie_eenheid"] == 10
    assert counts["veiligheidsregio"] == 25
    assert counts["gemeente"] >= 342
    active = [a for a in areas if a.level == "gemeente" and a.active]
    assert len(active) == 342  # gemeente-indeling 2025


def test_codes_are_unique_trimmed_and_well_formed(areas: list[AreaRecord]) -> None:
    codes = [a.code for a in areas]
    assert len(codes) == len(set(codes))
    for a in areas:
        assert a.code == a.code.strip()
        assert re.fullmatch(CODE_PATTERNS[a.level], a.code), a
        for ref in (a.parent, a.politie_eenheid, a.veiligheidsregio):
            assert ref is None or ref == ref.strip()
        assert len(a.code) <= 12
        assert a.name
        assert a.name == a.name.strip()
        assert len(a.name) <= 200
        assert a.source
        assert len(a.source) <= 300


def test_placeholders_and_nl00_are_not_areas(by_code: dict[str, AreaRecord]) -> None:
    for code in ("NL00", "GM0000", "WK000000", "BU00000000", "PV99", "RE99", "GM0998", "GM0999"):
        assert code not in by_code


def test_parents_exist_and_precede_children(areas: list[AreaRecord]) -> None:
    seen: dict[str, AreaRecord] = {}
    expected_parent_level = {
        "provincie": "nl",
        "politie_eenheid": "nl",
        "veiligheidsregio": "nl",
        "gemeente": "provincie",
        "wijk": "gemeente",
        "buurt": "wijk",
    }
    for a in areas:
        if a.level == "nl":
            assert a.parent is None
        else:
            assert a.parent in seen, f"{a.code}: parent {a.parent} missing or later"
            assert seen[a.parent].level == expected_parent_level[a.level]
        for ref, level in (
            (a.politie_eenheid, "politie_eenheid"),
            (a.veiligheidsregio, "veiligheidsregio"),
        ):
            if ref is not None:
                assert ref in seen
                assert seen[ref].level == level
        seen[a.code] = a


def test_only_gemeenten_have_eenheid_and_regio(areas: list[AreaRecord]) -> None:
    for a in areas:
        if a.level == "gemeente":
            assert a.politie_eenheid is not None
            assert a.veiligheidsregio is not None
        else:
            assert a.politie_eenheid is None
            assert a.veiligheidsregio is None
            assert a.active or a.level in ("wijk", "buurt")


def test_names_have_no_statline_level_suffix(areas: list[AreaRecord]) -> None:
    for a in areas:
        assert not a.name.endswith((" (PV)", " (RE)", " (gemeente)")), a


@pytest.mark.parametrize(
    ("code", "name", "veiligheidsregio"),
    [("GM0556", "Maassluis", "VR17"), ("GM0482", "Alblasserdam", "VR18")],
)
def test_demo_gemeenten(
    by_code: dict[str, AreaRecord], code: str, name: str, veiligheidsregio: str
) -> None:
    gm = by_code[code]
    assert gm.name == name
    assert gm.level == "gemeente"
    assert gm.active
    assert gm.parent == "PV28"
    assert gm.politie_eenheid == "RE07"
    assert gm.veiligheidsregio == veiligheidsregio


def test_named_regions(by_code: dict[str, AreaRecord]) -> None:
    assert by_code["NL01"].name == "Nederland"
    assert by_code["PV28"].name == "Zuid-Holland"
    assert by_code["PV21"].name == "Fryslân"
    assert by_code["RE07"].name == "Rotterdam"
    assert by_code["VR17"].name == "Rotterdam-Rijnmond"
    assert by_code["VR18"].name == "Zuid-Holland Zuid"
    assert by_code["GM0014"].name == "Groningen"
    assert by_code["GM0014"].parent == "PV20"


def test_veiligheidsregio_lies_in_one_provincie_and_one_eenheid(areas: list[AreaRecord]) -> None:
    provincies: dict[str, set[str | None]] = defaultdict(set)
    eenheden: dict[str, set[str | None]] = defaultdict(set)
    for a in areas:
        # Former gemeenten carry the VR of their current successor (Leerdam: VR09 Utrecht) but
        # keep their own provincie (Zuid-Holland), so only the existing gemeenten are checked.
        if a.level == "gemeente" and a.veiligheidsregio and a.active:
            provincies[a.veiligheidsregio].add(a.parent)
            eenheden[a.veiligheidsregio].add(a.politie_eenheid)
    assert len(provincies) == 25
    assert all(len(v) == 1 for v in provincies.values())
    assert all(len(v) == 1 for v in eenheden.values())
    assert eenheden["VR17"] == eenheden["VR18"] == {"RE07"}


def test_former_gemeenten_are_inactive(by_code: dict[str, AreaRecord]) -> None:
    # Merged into Amsterdam (2022), Dijk en Waard (2022) and Voorne aan Zee (2023).
    for code in ("GM0457", "GM0398", "GM0416", "GM0501", "GM0530", "GM0614"):
        assert not by_code[code].active
    assert by_code["GM0457"].name == "Weesp"
    assert by_code["GM0457"].parent == "PV27"
    for code in ("GM0363", "GM1980", "GM1992"):
        assert by_code[code].active


def test_wijken_and_buurten_of_all_gemeenten(areas: list[AreaRecord]) -> None:
    codes = {a.code: a for a in areas}
    wijken = [a for a in areas if a.level == "wijk"]
    buurten = [a for a in areas if a.level == "buurt"]
    in_2024 = [a for a in wijken + buurten if any(y == 2024 for y, _n, _s in a.names)]
    # Buurtindeling 2024 (47018NED): 3,394 wijken and 14,575 buurten less the placeholders.
    assert Counter(a.level for a in in_2024) == {"wijk": 3393, "buurt": 14574}
    assert all(a.active for a in in_2024)
    assert {codes[str(w.parent)].level for w in wijken} == {"gemeente"}
    assert len({w.parent for w in in_2024 if w.level == "wijk"}) == 342
    per_gemeente = Counter(codes[str(b.parent)].parent for b in buurten if b.active)
    assert per_gemeente["GM0482"] == 29
    assert per_gemeente["GM0556"] == 19
    assert Counter(w.parent for w in wijken)["GM0556"] == 8
    for b in buurten:
        wijk = codes[str(b.parent)]
        assert wijk.level == "wijk"
        assert b.code[2:8] == wijk.code[2:]
    assert codes["BU05560303"].name == "Binnenstad"
    assert codes["BU05560303"].parent == "WK055603"
    for gm in DEMO_GEMEENTEN:
        assert all(w.parent == gm for w in wijken if w.code[2:6] == gm[2:])


def test_load_areas_returns_fresh_lists() -> None:
    first = load_areas()
    first.clear()
    assert load_areas()


# -------------------------------------------------------------------------------- population


def test_one_figure_per_area_and_year(
    population: list[PopulationRecord], by_code: dict[str, AreaRecord]
) -> None:
    keys = [(p.code, p.year) for p in population]
    assert len(keys) == len(set(keys))
    for p in population:
        assert p.code in by_code, p
        assert p.code == p.code.strip()
        assert p.value >= 0
        if by_code[p.code].level not in ("wijk", "buurt"):
            assert p.value > 0, p  # only a buurt or wijk (a business park) can have none
        assert p.source
        assert len(p.source) <= 300


def test_maassluis_2022_rate_matches_cbs(pop: dict[tuple[str, int], PopulationRecord]) -> None:
    # CBS 83648NED 2022: Maassluis 1,245 crimes = 36.5 per 1,000; Alblasserdam 530 = 26.4.
    assert per_1000(1245, pop[("GM0556", 2022)].value) == 36.5
    assert per_1000(530, pop[("GM0482", 2022)].value) == 26.4


def test_population_is_on_1_january(pop: dict[tuple[str, int], PopulationRecord]) -> None:
    # Maassluis at the end of 2021 / 2022 / 2023 / 2024 (CBS): 34,148 / 35,303 / 35,832 / 36,436.
    assert [pop[("GM0556", y)].value for y in (2022, 2023, 2024, 2025)] == [
        34148,
        35303,
        35832,
        36436,
    ]
    assert [pop[("GM0482", y)].value for y in (2022, 2023, 2024, 2025)] == [
        20087,
        20356,
        20314,
        20242,
    ]
    assert pop[("NL01", 2022)].value == 17590672


def test_years_per_level(
    population: list[PopulationRecord], by_code: dict[str, AreaRecord]
) -> None:
    years: dict[str, set[int]] = defaultdict(set)
    for p in population:
        years[by_code[p.code].level].add(p.year)
    assert years["nl"] == set(range(2003, 2026))
    assert years["provincie"] == set(range(2003, 2026)) - {2019}  # Vijfheerenlanden moved
    assert years["gemeente"] == set(range(2003, 2026))
    assert years["politie_eenheid"] == years["veiligheidsregio"] == set(range(2021, 2026))
    assert years["wijk"] == years["buurt"] == {2024}


def test_gemeenten_add_up_to_nl_and_provincies(
    population: list[PopulationRecord],
    by_code: dict[str, AreaRecord],
    pop: dict[tuple[str, int], PopulationRecord],
) -> None:
    for year in (2022, 2023, 2024, 2025):
        gemeenten = [
            p for p in population if p.year == year and by_code[p.code].level == "gemeente"
        ]
        assert sum(p.value for p in gemeenten) == pop[("NL01", year)].value
        per_pv: Counter[str] = Counter()
        for p in gemeenten:
            per_pv[str(by_code[p.code].parent)] += p.value
        for pv, total in per_pv.items():
            assert total == pop[(pv, year)].value, (pv, year)


@pytest.mark.parametrize("level", ["politie_eenheid", "veiligheidsregio"])
def test_eenheden_and_regios_add_up_to_nl(
    level: str,
    population: list[PopulationRecord],
    by_code: dict[str, AreaRecord],
    pop: dict[tuple[str, int], PopulationRecord],
) -> None:
    expected = 10 if level == "politie_eenheid" else 25
    for year in (2022, 2023, 2024, 2025):
        rows = [p for p in population if p.year == year and by_code[p.code].level == level]
        assert len(rows) == expected
        assert sum(p.value for p in rows) == pop[("NL01", year)].value


def test_eenheid_sum_only_when_every_member_has_a_figure(
    pop: dict[tuple[str, int], PopulationRecord],
) -> None:
    # 2021: Eemsdelta (VR01/RE01) was created and Haaren split (VR20, VR21) on 1 January 2021.
    for code in ("RE01", "RE08", "RE09", "VR01", "VR20", "VR21"):
        assert (code, 2021) not in pop
    assert ("GM1979", 2021) not in pop
    assert ("RE07", 2021) in pop
    # Before 2021 the area list lacks gemeenten of that time, so no sums at all.
    assert ("RE07", 2020) not in pop


def test_merged_gemeenten(pop: dict[tuple[str, int], PopulationRecord]) -> None:
    # Weesp existed on 1 January 2022 (merged into Amsterdam on 24 March 2022).
    assert pop[("GM0457", 2022)].value == 20766
    assert ("GM0457", 2023) not in pop
    # Heerhugowaard + Langedijk = Dijk en Waard from 1 January 2022 (CBS 83648NED).
    assert ("GM0398", 2022) not in pop
    assert pop[("GM0398", 2021)].value == 58387
    assert pop[("GM1980", 2022)].value == 87695
    assert ("GM1980", 2021) not in pop
    # Purmerend absorbed Beemster on 1 January 2022: the end-2021 figure (old boundaries) is not
    # its 1 January 2022 population; 83648NED's is.
    assert pop[("GM0439", 2022)].value == 92240
    # Voorne aan Zee (2023): sum of Brielle, Hellevoetsluis and Westvoorne at the end of 2022.
    vaz = pop[("GM1992", 2023)]
    assert vaz.value == 18024 + 40930 + 14991
    assert vaz.source.startswith("afgeleid")
    # Groningen was redrawn on 1 January 2019.
    assert ("GM0014", 2019) not in pop
    assert ("GM0014", 2020) in pop


def test_buurt_and_wijk_population(
    areas: list[AreaRecord], pop: dict[tuple[str, int], PopulationRecord]
) -> None:
    buurten = [a for a in areas if a.level == "buurt" and a.active]  # buurtindeling 2024
    assert all((b.code, 2024) in pop for b in buurten)
    assert not any((b.code, 2024) in pop for b in areas if b.level == "buurt" and not b.active)
    members_of: dict[str, list[AreaRecord]] = defaultdict(list)
    for b in buurten:
        members_of[str(b.parent)].append(b)
    for wijk in (a for a in areas if a.level == "wijk" and a.active):
        members = members_of[wijk.code]
        assert pop[(wijk.code, 2024)].value == sum(pop[(b.code, 2024)].value for b in members)
    for gm in DEMO_GEMEENTEN:
        members = [b for b in buurten if b.code[2:6] == gm[2:]]
        total = sum(pop[(b.code, 2024)].value for b in members)
        # KWB 2024 buurt figures are rounded to 5; they sum to the 1 January 2024 gemeente total.
        assert abs(total - pop[(gm, 2024)].value) <= 2.5 * len(members)
    assert pop[("BU05560303", 2024)].value == 1125


# ----------------------------------------------------------------------------- history


def test_gemeenten_valid_on_each_1_january(areas: list[AreaRecord]) -> None:
    from datetime import date

    expected = [537, 504, 496, 489, 483, 467, 458, 443, 443, 441, 431, 418, 415, 408]
    expected += [403, 393, 390, 388, 380, 355, 355, 352, 345, 342, 342, 342, 342]
    gemeenten = [a for a in areas if a.level == "gemeente"]
    for year, count in zip(range(2000, 2027), expected, strict=True):
        day = date(year, 1, 1)
        valid = [
            a
            for a in gemeenten
            if (a.valid_from is None or a.valid_from <= day)
            and (a.valid_to is None or a.valid_to > day)
        ]
        assert len(valid) == count, year
    assert all(a.active == (a.valid_to is None) for a in gemeenten)


def test_former_gemeenten_have_figures_while_they_existed(
    pop: dict[tuple[str, int], PopulationRecord],
) -> None:
    # Leerdam existed on 1 January 2003-2018, not 2019 (Vijfheerenlanden).
    assert all(("GM0545", year) in pop for year in range(2003, 2019))
    assert ("GM0545", 2019) not in pop
    # Venray received part of Meerlo-Wanssum (2010), Súdwest-Fryslân part of Boarnsterhim
    # (2014): their end-of-previous-year figures are in the old boundaries.
    assert ("GM0984", 2010) not in pop
    assert ("GM0984", 2011) in pop
    assert ("GM1900", 2014) not in pop
    # Olst went into Olst-Wijhe on 26 March 2002, but CBS counted it apart until the end of
    # 2002: Olst-Wijhe's end-2002 figure is not its 1 January 2003 population.
    assert ("GM1773", 2003) not in pop
    assert ("GM1773", 2004) in pop
