"""The population of :mod:`regie.areas.reference_data` (:func:`load_population`): inhabitants
on 1 January per area and year (rules: see the docstring of :mod:`regie.areas.reference_data`)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from regie.areas.reference_areas import load_areas
from regie.areas.reference_build import Reference, reference
from regie.areas.reference_files import (
    BEVOLKING_EXPORT_FILE,
    BUURT_POPULATION_FILE,
    LEVEL_BUURT,
    LEVEL_WIJK,
    NL_CODE,
    SRC_POP_2022,
    SRC_POP_BUURT,
    SRC_POP_EXPORT,
    SRC_POP_PREDECESSORS,
    SRC_POP_SUM,
    SRC_POP_WIJK,
    AreaRecord,
    PopulationRecord,
    read_dicts,
    read_export,
)


def end_of_year(export: dict[str, dict[int, int]], name: str | None) -> dict[int, int]:
    if name is None:
        return {}
    if name not in export:
        raise ValueError(f"{BEVOLKING_EXPORT_FILE}: no row for {name!r}")
    return export[name]


def _exists(ref: Reference, code: str, year: int) -> bool:
    """Whether gemeente ``code`` existed on 1 January ``year`` (validity in the history table)."""
    return ref.gemeenten[code].exists_on(date(year, 1, 1))


def _redrawn_by_history(ref: Reference, end: dict[str, dict[int, int]]) -> dict[str, set[int]]:
    """Gemeente -> years Y whose end-of-(Y-1) figure is not in the boundaries of 1 January Y.

    That is: created or receiving (part of) a gemeente on 1 January Y; and for a mid-year
    herindeling in Y-1 (Olst 26 March 2002) that CBS still counted separately at the end of Y-1
    (CBS books such changes on the next 1 January), the successors in year Y.
    """
    result: dict[str, set[int]] = defaultdict(set)
    for gm in ref.gemeenten.values():
        if gm.valid_from is not None and (gm.valid_from.month, gm.valid_from.day) == (1, 1):
            result[gm.code].add(gm.valid_from.year)
        if gm.valid_to is None:
            continue
        if (gm.valid_to.month, gm.valid_to.day) == (1, 1):
            years = {gm.valid_to.year}
        elif gm.valid_to.year in end[gm.code]:
            years = {gm.valid_to.year + 1}
        else:
            years = set()
        for successor in gm.successors:
            result[successor] |= years
    return result


def _gemeente_population(
    ref: Reference, export: dict[str, dict[int, int]]
) -> dict[str, dict[int, PopulationRecord]]:
    end = {code: end_of_year(export, gm.export_name) for code, gm in ref.gemeenten.items()}
    first = min(min(values) for values in end.values() if values) + 1
    last = max(max(values) for values in end.values() if values) + 1
    redrawn_by_history = _redrawn_by_history(ref, end)
    result: dict[str, dict[int, PopulationRecord]] = defaultdict(dict)
    for code, gm in ref.gemeenten.items():
        redrawn = gm.redrawn_years | redrawn_by_history.get(code, set())
        for year in range(first, last + 1):
            if not _exists(ref, code, year):
                continue
            prev = year - 1
            record: PopulationRecord | None = None
            if prev in end[code] and year not in redrawn:
                src = SRC_POP_EXPORT.format(prev=prev)
                record = PopulationRecord(code, year, end[code][prev], src)
            if year == 2022 and code in ref.pop_2022:
                if record is None:
                    record = PopulationRecord(code, year, ref.pop_2022[code], SRC_POP_2022)
                elif record.value != ref.pop_2022[code]:
                    raise ValueError(f"{code} 2022: 37230ned and 83648NED disagree")
            if (
                record is None
                and gm.predecessors
                and year in redrawn
                and all(prev in end[p] for p in gm.predecessors)
            ):
                value = sum(end[p][prev] for p in gm.predecessors)
                src = SRC_POP_PREDECESSORS.format(codes="+".join(gm.predecessors), prev=prev)
                record = PopulationRecord(code, year, value, src)
            if record is not None:
                result[code][year] = record
    return result


# Veiligheidsregio membership is known for the indeling of 2021 (84929NED) and carried to the
# gemeenten created later; for earlier years it is not, so no sums are made before this year.
FIRST_SUM_YEAR = 2021


def _sum_population(
    ref: Reference,
    gemeente_pop: dict[str, dict[int, PopulationRecord]],
) -> list[PopulationRecord]:
    """Politie-eenheid and veiligheidsregio figures summed from complete sets of gemeenten."""
    years = sorted({year for per_year in gemeente_pop.values() for year in per_year})
    records: list[PopulationRecord] = []
    for year in years:
        if year < FIRST_SUM_YEAR:
            continue
        members: dict[str, list[str]] = defaultdict(list)
        for code, gm in ref.gemeenten.items():
            if _exists(ref, code, year):
                members[gm.politie_eenheid].append(code)
                members[gm.veiligheidsregio].append(code)
        for group in sorted(members):
            codes = members[group]
            if all(year in gemeente_pop.get(code, {}) for code in codes):
                value = sum(gemeente_pop[code][year].value for code in codes)
                src = SRC_POP_SUM.format(n=len(codes), year=year)
                records.append(PopulationRecord(group, year, value, src))
    return records


BUURT_POPULATION_YEAR = 2024  # 85984NED 2024: 1 January 2024, buurtindeling 2024


def _buurt_population(areas: Iterable[AreaRecord]) -> list[PopulationRecord]:
    """Buurten of the 2024 indeling; a wijk (2024) only when all its 2024 buurten have a figure."""
    year = BUURT_POPULATION_YEAR

    def in_indeling(area: AreaRecord) -> bool:
        return any(name_year == year for name_year, _name, _source in area.names)

    members: dict[str, list[str]] = defaultdict(list)
    wijken: list[str] = []
    for area in areas:
        if area.level == LEVEL_BUURT and in_indeling(area) and area.parent:
            members[area.parent].append(area.code)
        elif area.level == LEVEL_WIJK and in_indeling(area):
            wijken.append(area.code)
    buurten = {code for codes in members.values() for code in codes}
    values: dict[str, int] = {}
    for row in read_dicts(BUURT_POPULATION_FILE):
        code = row["nhood_id"].strip()
        cell = row["population"].strip()
        if code in buurten and cell.isdigit():
            values[code] = int(cell)
    records: list[PopulationRecord] = []
    for wijk in sorted(wijken):
        codes = members.get(wijk, [])
        if codes and all(code in values for code in codes):
            value = sum(values[code] for code in codes)
            records.append(PopulationRecord(wijk, year, value, SRC_POP_WIJK.format(n=len(codes))))
    records.extend(
        PopulationRecord(code, year, values[code], SRC_POP_BUURT) for code in sorted(values)
    )
    return records


def load_population() -> list[PopulationRecord]:
    """Population on 1 January per area and year, at most one record per (code, year).

    Ordered by level (as in :func:`load_areas`), then code, then year.
    """
    ref = reference()
    export = read_export()
    records: list[PopulationRecord] = []

    nl_end = end_of_year(export, ref.nl_name)
    for prev in sorted(nl_end):
        year = prev + 1
        records.append(
            PopulationRecord(NL_CODE, year, nl_end[prev], SRC_POP_EXPORT.format(prev=prev))
        )
    for code in sorted(ref.provincies):
        pv_end = end_of_year(export, ref.provincies[code].title)
        for prev in sorted(pv_end):
            year = prev + 1
            if year in ref.province_change_years:
                continue
            records.append(
                PopulationRecord(code, year, pv_end[prev], SRC_POP_EXPORT.format(prev=prev))
            )
    for code in [NL_CODE, *ref.provincies]:
        if code in ref.pop_2022:
            mine = [r for r in records if r.code == code and r.year == 2022]
            if mine and mine[0].value != ref.pop_2022[code]:
                raise ValueError(f"{code} 2022: 37230ned and 83648NED disagree")

    gemeente_pop = _gemeente_population(ref, export)
    sums = _sum_population(ref, gemeente_pop)
    records.extend(r for r in sums if r.code.startswith("RE"))
    records.extend(r for r in sums if r.code.startswith("VR"))
    for code in sorted(gemeente_pop):
        records.extend(gemeente_pop[code][year] for year in sorted(gemeente_pop[code]))
    records.extend(_buurt_population(load_areas()))
    return records
