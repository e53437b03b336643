"""Dutch area reference data and population on 1 January, read from the files in ``data/``.

Pure standard library (no Django), so it can be tested and reused on its own. Origin, licence and
filtering of every file are in ``data/PROVENANCE.md``.

Areas (:func:`load_areas`)
    * ``nl``: NL01 Nederland. The wijk/buurt table calls it ``NL00``; that code is mapped to NL01.
    * ``provincie``: PV20-PV31, names from the RegioS list of Politie 47013NED (edition 2025),
      with the suffix " (PV)" removed. PV99 "Niet in te delen" is skipped.
    * ``politie_eenheid``: RE01-RE10 from the same list (suffix " (RE)" removed, RE99 skipped).
    * ``veiligheidsregio``: VR01-VR25, names from CBS 84929NED "Gebieden in Nederland 2021"
      (via the minvws corona dashboard).
    * ``gemeente``: the union of the gemeente-indelingen 2021 (84929NED via minvws), 2022
      (CBS 83648NED), 2024 (Politie 47018NED) and 2025 (Politie 47013NED): 356 codes.
      ``active`` is False for the 14 that are not in the 2025 list (merged). Names: the
      47013NED 2025 title without the suffix " (gemeente)" ("Groningen", "'s-Gravenhage";
      "Bergen (NH.)" keeps its CBS suffix); for former gemeenten the 83648NED RegioS title.
      Veiligheidsregio: 84929NED indeling 2021 (for the four gemeenten created later, the
      minvws file gives the VR shared by all their predecessors). Politie-eenheid: **derived
      from the veiligheidsregio** (Politiewet 2012: an eenheid covers whole veiligheidsregio's;
      mapping in ``vr_codes.csv``), not taken from a published gemeente list. Provincie:
      Bernasco's ``municipality_in_province.csv`` (the 342 gemeenten of 2023-2025); for former
      gemeenten the provincie of their veiligheidsregio (every VR lies in one provincie; this
      is checked while loading).
    * ``wijk`` / ``buurt``: only Maassluis (GM0556) and Alblasserdam (GM0482), buurtindeling
      2024 (Politie 47018NED). A buurt's wijk is its code's first 8 characters with BU -> WK
      (the CBS code structure); the wijk name in the buurt's description is checked against it
      while loading. The placeholders GM0000 / WK000000 / BU00000000 ("... onbekend": crimes
      whose location is unknown) are skipped: they are not areas.

    The list is ordered nl, provincie, politie_eenheid, veiligheidsregio, gemeente, then per
    demo gemeente each wijk followed by its buurten, so every parent precedes its children.

Population (:func:`load_population`): inhabitants on **1 January** of ``year``
    CBS per-1,000 rates divide by the population on 1 January of the year, which is the
    population at the end of the previous year: ``year`` Y holds "Bevolking aan het einde van
    de periode" of Y-1. At most one record per (code, year).

    * NL01, provincies, gemeenten: CBS 37230ned StatLine export, end of 2002-2024, so years
      2003-2025. Regions are given by name there and are matched exactly to the codes above.
    * A gemeente gets a figure for year Y only if it existed on 1 January Y (it is in the
      indeling of Y or, for years without an indeling list, still has an end-of-year figure
      for Y). A gemeente dissolved on 1 January Y gets no figure for Y, although the export
      has its end-of-(Y-1) population.
    * Boundaries: the end-of-(Y-1) figure is in the boundaries of 31 December Y-1. When a
      gemeente was created or redrawn on 1 January Y ("Ontstaan" / "Gemeentelijke herindeling
      per 01-01-Y" in its 47013NED RegioS description) that figure is not its 1 January Y
      population and is dropped. Likewise all provincie figures of a year with a "Provinciale
      wijziging per 01-01-Y" (in range only 2019: Vijfheerenlanden). Former gemeenten have no
      description; their boundaries are assumed unchanged while they existed.
    * 2022: CBS 83648NED population on 1 January 2022 (indeling 2022) fills what the export
      lacks (Dijk en Waard, Land van Cuijk, Maashorst, and Purmerend after absorbing Beemster).
      Where both sources have a 2022 figure they must agree (checked while loading; they do).
    * A gemeente created on 1 January Y whose predecessors the minvws file lists (its four
      "AFGELEID" rows) and that has no other figure for Y gets the sum of its predecessors'
      end-of-(Y-1) populations. This yields only Voorne aan Zee (GM1992) 2023 = Brielle +
      Hellevoetsluis + Westvoorne. The same rule reproduces 83648NED's 1 January 2022 figures
      of Dijk en Waard, Land van Cuijk and Maashorst exactly.
    * Buurten of the two demo gemeenten: CBS 85984NED Kerncijfers wijken en buurten 2024,
      AantalInwoners = population on 1 January 2024 (CBS rounds these to multiples of 5; they
      sum to the end-of-2023 gemeente totals within rounding). A wijk is the sum of its
      buurten (all have a figure), so it carries the buurt rounding.
    * Politie-eenheden and veiligheidsregio's: the sum over their member gemeenten (those
      existing on 1 January Y), made only for years from the oldest gemeente-indeling in hand
      (2021) on, and only when **every** member gemeente has a figure for that year. Before
      2021 the area list lacks gemeenten that existed then, so no sum is made. Gaps: 2021 for
      VR01/RE01 (Eemsdelta created) and VR20/VR21/RE08/RE09 (Haaren split over Boxtel,
      Oisterwijk, Tilburg and Vught). Veiligheidsregio membership is that of 2021 in every
      year.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"

LEVEL_NL = "nl"
LEVEL_PROVINCIE = "provincie"
LEVEL_POLITIE_EENHEID = "politie_eenheid"
LEVEL_VEILIGHEIDSREGIO = "veiligheidsregio"
LEVEL_GEMEENTE = "gemeente"
LEVEL_WIJK = "wijk"
LEVEL_BUURT = "buurt"
LEVELS = (
    LEVEL_NL,
    LEVEL_PROVINCIE,
    LEVEL_POLITIE_EENHEID,
    LEVEL_VEILIGHEIDSREGIO,
    LEVEL_GEMEENTE,
    LEVEL_WIJK,
    LEVEL_BUURT,
)

NL_CODE = "NL01"
DEMO_GEMEENTEN = ("GM0482", "GM0556")  # Alblasserdam, Maassluis: the only ones with wijken/buurten

# Files in DATA_DIR.
REGIOS_47013_FILE = "47013NED_RegioS.csv"
BEVOLKING_EXPORT_FILE = "bevolking_einde_jaar_2002_2024_regio_statline_export.csv"
BEVOLKING_2022_FILE = "bevolking_1jan2022_regio.csv"
GEMEENTE_VR_FILE = "gemeente_veiligheidsregio_2021.csv"
VR_FILE = "vr_codes.csv"
PROVINCIE_FILE = "municipality_in_province.csv"
WIJKEN_BUURTEN_FILE = "WijkenEnBuurten_47018NED_subset.csv"
BUURT_POPULATION_FILE = "population_buurt_85984NED_2024_subset.csv"

SRC_REGIOS_2025 = "Politie 47013NED RegioS (indeling 2025)"
SRC_VR = "CBS 84929NED (via minvws), indeling 2021"
SRC_GEMEENTE = "47013NED RegioS 2025; VR: CBS 84929NED 2021 (via minvws); RE afgeleid van VR"
SRC_GEMEENTE_FORMER = (
    "naam: CBS 83648NED RegioS; VR: CBS 84929NED 2021 (via minvws); PV en RE afgeleid van VR; "
    "bestaat niet meer in indeling 2025"
)
SRC_WIJK_BUURT = "Politie 47018NED WijkenEnBuurten (buurtindeling 2024)"
SRC_POP_EXPORT = "CBS 37230ned, bevolking einde {prev} (StatLine-export via chels-j/NLViolentCrime)"
SRC_POP_2022 = "CBS 83648NED, bevolking 1 januari 2022 (via Matthijsvz88/Dashboard-crime-NL)"
SRC_POP_PREDECESSORS = "afgeleid: som voorgangers {codes}, CBS 37230ned bevolking einde {prev}"
SRC_POP_BUURT = "CBS 85984NED Kerncijfers wijken en buurten 2024, AantalInwoners (afgerond op 5)"
SRC_POP_WIJK = "som van {n} buurten, CBS 85984NED 2024 (afgerond op 5)"
SRC_POP_SUM = "som van {n} gemeenten (indeling 1 januari {year}), bevolking 1 januari"

# Province labels in municipality_in_province.csv that differ from the 47013NED names.
_PROVINCE_ALIASES = {"Friesland": "Fryslân"}
_NAME_SUFFIXES = {LEVEL_PROVINCIE: " (PV)", LEVEL_POLITIE_EENHEID: " (RE)"}
_GEMEENTE_SUFFIX = " (gemeente)"
_CHANGE_RE = re.compile(
    r"(Gemeentelijke herindeling|Ontstaan|Provinciale wijziging) per (\d\d)-(\d\d)-(\d{4})"
)
_PREDECESSORS_RE = re.compile(r"voorgangers \(([A-Z0-9+]+)\)")
_WIJK_IN_DESCRIPTION_RE = re.compile(r"is een buurt in wijk '(.*)' in de gemeente")


@dataclass(frozen=True)
class AreaRecord:
    """One area. ``code`` is the trimmed CBS code; ``parent`` follows the geographic tree."""

    code: str  # "NL01", "PV28", "RE07", "VR17", "GM0556", "WK055601", "BU05560101"
    name: str  # Dutch name: "Maassluis", "Rotterdam" (politie-eenheid), "Zuid-Holland"
    level: str  # one of LEVELS
    parent: str | None  # provincie/RE/VR -> NL01, gemeente -> PVxx, wijk -> GMxxxx, buurt -> WK
    politie_eenheid: str | None  # gemeenten only, e.g. "RE07"
    veiligheidsregio: str | None  # gemeenten only, e.g. "VR17"
    active: bool  # False for gemeenten absent from the newest indeling (2025)
    source: str  # short provenance


@dataclass(frozen=True)
class PopulationRecord:
    """Number of inhabitants of area ``code`` on 1 January of ``year``."""

    code: str
    year: int
    value: int
    source: str


# --------------------------------------------------------------------------------------------
# Reading the files


def _read_dicts(name: str) -> list[dict[str, str]]:
    with (DATA_DIR / name).open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def _strip_suffix(text: str, suffix: str) -> str:
    return text[: -len(suffix)] if text.endswith(suffix) else text


@dataclass(frozen=True)
class _Regio:
    code: str
    title: str  # as published, e.g. "Groningen (gemeente)", "Zuid-Holland (PV)"
    description: str


def _regios_2025() -> list[_Regio]:
    return [
        _Regio(row["Key"].strip(), row["Title"].strip(), row["Description"])
        for row in _read_dicts(REGIOS_47013_FILE)
    ]


def _is_real_code(code: str) -> bool:
    """False for the 'niet in te delen' / 'buitenland' / 'onbekend' placeholders."""
    return code not in {"PV99", "RE99", "GM0998", "GM0999", "GM0000", "WK000000", "BU00000000"}


def _changes(description: str) -> list[tuple[str, int, int, int]]:
    """(kind, day, month, year) of each dated change in a 47013NED RegioS description."""
    return [
        (kind, int(day), int(month), int(year))
        for kind, day, month, year in _CHANGE_RE.findall(description)
    ]


@dataclass(frozen=True)
class _Gemeente:
    code: str
    name: str
    export_name: str  # name in the 37230ned export
    provincie: str
    veiligheidsregio: str
    politie_eenheid: str
    active: bool
    redrawn_years: frozenset[int]  # years Y with "Ontstaan"/"herindeling per 01-01-Y"
    predecessors: tuple[str, ...]  # from the minvws "AFGELEID" rows, else ()


@dataclass(frozen=True)
class _Reference:
    nl_name: str
    provincies: dict[str, _Regio]
    eenheden: dict[str, _Regio]
    regios: dict[str, tuple[str, str]]  # VR code -> (name, RE code)
    gemeenten: dict[str, _Gemeente]
    indelingen: dict[int, frozenset[str]]  # year -> gemeente codes existing on 1 January
    province_change_years: frozenset[int]
    pop_2022: dict[str, int]  # 83648NED population on 1 January 2022
    wijk_buurt_rows: tuple[dict[str, str], ...]


@cache
def _reference() -> _Reference:
    regios = _regios_2025()
    nl = [r for r in regios if r.code == NL_CODE]
    if len(nl) != 1:
        raise ValueError(f"{REGIOS_47013_FILE}: expected one {NL_CODE} row")
    provincies = {r.code: r for r in regios if r.code.startswith("PV") and _is_real_code(r.code)}
    eenheden = {r.code: r for r in regios if r.code.startswith("RE") and _is_real_code(r.code)}
    gm_2025 = {r.code: r for r in regios if r.code.startswith("GM") and _is_real_code(r.code)}

    vr_rows = _read_dicts(VR_FILE)
    vr: dict[str, tuple[str, str]] = {
        row["vr_code"]: (row["vr_naam"], row["politie_eenheid_code_afgeleid"]) for row in vr_rows
    }
    for row in vr_rows:
        re_code = row["politie_eenheid_code_afgeleid"]
        if re_code not in eenheden:
            raise ValueError(f"{VR_FILE}: unknown politie-eenheid {re_code}")
        published = _strip_suffix(eenheden[re_code].title, _NAME_SUFFIXES[LEVEL_POLITIE_EENHEID])
        if published != row["politie_eenheid_naam_afgeleid"]:
            raise ValueError(f"{VR_FILE}: name of {re_code} differs from 47013NED")

    gm_vr_rows = _read_dicts(GEMEENTE_VR_FILE)
    gm_vr = {row["gemeente_code"]: row["vr_code"] for row in gm_vr_rows}
    predecessors: dict[str, tuple[str, ...]] = {}
    indeling_2021: set[str] = set()
    for row in gm_vr_rows:
        if row["bron"].startswith("AFGELEID"):
            match = _PREDECESSORS_RE.search(row["bron"])
            if match:
                predecessors[row["gemeente_code"]] = tuple(match.group(1).split("+"))
        else:
            indeling_2021.add(row["gemeente_code"])
        if vr[row["vr_code"]][0] != row["vr_naam"]:
            raise ValueError(f"{GEMEENTE_VR_FILE}: VR name mismatch for {row['gemeente_code']}")

    pop_2022: dict[str, int] = {}
    names_83648: dict[str, str] = {}
    for row in _read_dicts(BEVOLKING_2022_FILE):
        code = row["Key"].strip()
        names_83648[code] = row["Regio"].strip()
        if row["Populatie"].strip():
            pop_2022[code] = round(float(row["Populatie"]))
    indeling_2022 = {c for c in pop_2022 if c.startswith("GM")}

    wijk_buurt_rows = tuple(_read_dicts(WIJKEN_BUURTEN_FILE))
    indeling_2024 = {
        row["Key"].strip()
        for row in wijk_buurt_rows
        if row["Key"].startswith("GM") and _is_real_code(row["Key"].strip())
    }

    # Provincie per gemeente.
    pv_by_name = {
        _strip_suffix(r.title, _NAME_SUFFIXES[LEVEL_PROVINCIE]): code
        for code, r in provincies.items()
    }
    gm_pv: dict[str, str] = {}
    for row in _read_dicts(PROVINCIE_FILE):
        label = _PROVINCE_ALIASES.get(row["province_lab"], row["province_lab"])
        gm_pv["GM" + row["municipality_id"].strip()] = pv_by_name[label]
    pv_of_vr: dict[str, set[str]] = defaultdict(set)
    for code, pv in gm_pv.items():
        pv_of_vr[gm_vr[code]].add(pv)
    for vr_code, pvs in pv_of_vr.items():
        if len(pvs) != 1:
            raise ValueError(f"veiligheidsregio {vr_code} spans provincies {sorted(pvs)}")

    all_codes = set(gm_vr) | indeling_2022 | indeling_2024 | set(gm_2025)
    gemeenten: dict[str, _Gemeente] = {}
    for code in sorted(all_codes):
        if code not in gm_vr:
            raise ValueError(f"gemeente {code} has no veiligheidsregio")
        vr_code = gm_vr[code]
        regio = gm_2025.get(code)
        if regio is not None:
            export_name = regio.title
            name = _strip_suffix(regio.title, _GEMEENTE_SUFFIX)
            redrawn = frozenset(
                year
                for kind, day, month, year in _changes(regio.description)
                if kind != "Provinciale wijziging" and (day, month) == (1, 1)
            )
        else:
            export_name = name = names_83648[code]
            redrawn = frozenset()
        provincie = gm_pv.get(code) or next(iter(pv_of_vr[vr_code]))
        gemeenten[code] = _Gemeente(
            code=code,
            name=name,
            export_name=export_name,
            provincie=provincie,
            veiligheidsregio=vr_code,
            politie_eenheid=vr[vr_code][1],
            active=code in gm_2025,
            redrawn_years=redrawn,
            predecessors=predecessors.get(code, ()),
        )

    province_change_years = frozenset(
        year
        for r in gm_2025.values()
        for kind, day, month, year in _changes(r.description)
        if kind == "Provinciale wijziging" and (day, month) == (1, 1)
    )
    return _Reference(
        nl_name=nl[0].title,
        provincies=provincies,
        eenheden=eenheden,
        regios=vr,
        gemeenten=gemeenten,
        indelingen={
            2021: frozenset(indeling_2021),
            2022: frozenset(indeling_2022),
            2024: frozenset(indeling_2024),
            2025: frozenset(gm_2025),
        },
        province_change_years=province_change_years,
        pop_2022=pop_2022,
        wijk_buurt_rows=wijk_buurt_rows,
    )


# --------------------------------------------------------------------------------------------
# Areas


def _wijk_of(buurt_code: str) -> str:
    return "WK" + buurt_code[2:8]


def _wijken_en_buurten(ref: _Reference) -> list[AreaRecord]:
    wijken: dict[str, AreaRecord] = {}
    buurten: dict[str, list[AreaRecord]] = defaultdict(list)
    buurt_rows: list[tuple[str, dict[str, str]]] = []
    for row in ref.wijk_buurt_rows:
        code = row["Key"].strip()
        municipality = row["Municipality"].strip()
        if not _is_real_code(code) or municipality not in DEMO_GEMEENTEN:
            continue
        if code.startswith("WK"):
            wijken[code] = AreaRecord(
                code=code,
                name=row["Title"].strip(),
                level=LEVEL_WIJK,
                parent=municipality,
                politie_eenheid=None,
                veiligheidsregio=None,
                active=True,
                source=SRC_WIJK_BUURT,
            )
        elif code.startswith("BU"):
            buurt_rows.append((code, row))
    for code, row in buurt_rows:
        wijk = _wijk_of(code)
        if wijk not in wijken or wijken[wijk].parent != row["Municipality"].strip():
            raise ValueError(f"{WIJKEN_BUURTEN_FILE}: buurt {code} has no wijk {wijk}")
        match = _WIJK_IN_DESCRIPTION_RE.search(row["Description"])
        if match and match.group(1) != wijken[wijk].name:
            raise ValueError(f"{WIJKEN_BUURTEN_FILE}: buurt {code} lies in {match.group(1)!r}")
        buurten[wijk].append(
            AreaRecord(
                code=code,
                name=row["Title"].strip(),
                level=LEVEL_BUURT,
                parent=wijk,
                politie_eenheid=None,
                veiligheidsregio=None,
                active=True,
                source=SRC_WIJK_BUURT,
            )
        )
    records: list[AreaRecord] = []
    for wijk_code in sorted(wijken):
        records.append(wijken[wijk_code])
        records.extend(sorted(buurten[wijk_code], key=lambda r: r.code))
    return records


def load_areas() -> list[AreaRecord]:
    """Every area, parents before children (see the module docstring for sources and rules)."""
    ref = _reference()
    records = [AreaRecord(NL_CODE, ref.nl_name, LEVEL_NL, None, None, None, True, SRC_REGIOS_2025)]
    for level, regios in (
        (LEVEL_PROVINCIE, ref.provincies),
        (LEVEL_POLITIE_EENHEID, ref.eenheden),
    ):
        for code in sorted(regios):
            name = _strip_suffix(regios[code].title, _NAME_SUFFIXES[level])
            records.append(
                AreaRecord(code, name, level, NL_CODE, None, None, True, SRC_REGIOS_2025)
            )
    for code in sorted(ref.regios):
        name = ref.regios[code][0]
        records.append(
            AreaRecord(code, name, LEVEL_VEILIGHEIDSREGIO, NL_CODE, None, None, True, SRC_VR)
        )
    for gm in ref.gemeenten.values():
        records.append(
            AreaRecord(
                code=gm.code,
                name=gm.name,
                level=LEVEL_GEMEENTE,
                parent=gm.provincie,
                politie_eenheid=gm.politie_eenheid,
                veiligheidsregio=gm.veiligheidsregio,
                active=gm.active,
                source=SRC_GEMEENTE if gm.active else SRC_GEMEENTE_FORMER,
            )
        )
    records.extend(_wijken_en_buurten(ref))
    return records


# --------------------------------------------------------------------------------------------
# Population


def _read_export() -> dict[str, dict[int, int]]:
    """Region name -> {year: population at the end of that year} from the StatLine export."""
    with (DATA_DIR / BEVOLKING_EXPORT_FILE).open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle, delimiter=";"))
    header_at = next(i for i, row in enumerate(rows) if row and row[0] == "Regio's")
    header = rows[header_at]
    years = [int(cell) for cell in header[3:]]
    result: dict[str, dict[int, int]] = {}
    for row in rows[header_at + 1 :]:
        if len(row) != len(header):
            continue  # footer ("Bron: CBS")
        if row[0] in result:
            raise ValueError(f"{BEVOLKING_EXPORT_FILE}: region name {row[0]!r} is not unique")
        result[row[0]] = {
            year: int(cell) for year, cell in zip(years, row[3:], strict=True) if cell.isdigit()
        }
    return result


def _end_of_year(export: dict[str, dict[int, int]], name: str) -> dict[int, int]:
    if name not in export:
        raise ValueError(f"{BEVOLKING_EXPORT_FILE}: no row for {name!r}")
    return export[name]


def _exists(ref: _Reference, end_of_year: dict[int, int], code: str, year: int) -> bool:
    """Whether gemeente ``code`` existed on 1 January ``year``."""
    if year in ref.indelingen:
        return code in ref.indelingen[year]
    return year in end_of_year


def _gemeente_population(
    ref: _Reference, export: dict[str, dict[int, int]]
) -> dict[str, dict[int, PopulationRecord]]:
    end = {code: _end_of_year(export, gm.export_name) for code, gm in ref.gemeenten.items()}
    first = min(min(values) for values in end.values() if values) + 1
    last = max(max(values) for values in end.values() if values) + 1
    result: dict[str, dict[int, PopulationRecord]] = defaultdict(dict)
    for code, gm in ref.gemeenten.items():
        for year in range(first, last + 1):
            if not _exists(ref, end[code], code, year):
                continue
            prev = year - 1
            record: PopulationRecord | None = None
            if prev in end[code] and year not in gm.redrawn_years:
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
                and year in gm.redrawn_years
                and all(prev in end[p] for p in gm.predecessors)
            ):
                value = sum(end[p][prev] for p in gm.predecessors)
                src = SRC_POP_PREDECESSORS.format(codes="+".join(gm.predecessors), prev=prev)
                record = PopulationRecord(code, year, value, src)
            if record is not None:
                result[code][year] = record
    return result


def _sum_population(
    ref: _Reference,
    gemeente_pop: dict[str, dict[int, PopulationRecord]],
    export: dict[str, dict[int, int]],
) -> list[PopulationRecord]:
    """Politie-eenheid and veiligheidsregio figures summed from complete sets of gemeenten."""
    first = min(ref.indelingen)  # before this, the area list lacks gemeenten that existed then
    years = sorted({year for per_year in gemeente_pop.values() for year in per_year})
    records: list[PopulationRecord] = []
    for year in years:
        if year < first:
            continue
        members: dict[str, list[str]] = defaultdict(list)
        for code, gm in ref.gemeenten.items():
            end = _end_of_year(export, gm.export_name)
            if _exists(ref, end, code, year):
                members[gm.politie_eenheid].append(code)
                members[gm.veiligheidsregio].append(code)
        for group in sorted(members):
            codes = members[group]
            if all(year in gemeente_pop.get(code, {}) for code in codes):
                value = sum(gemeente_pop[code][year].value for code in codes)
                src = SRC_POP_SUM.format(n=len(codes), year=year)
                records.append(PopulationRecord(group, year, value, src))
    return records


def _buurt_population(areas: Iterable[AreaRecord]) -> list[PopulationRecord]:
    buurten = {a.code: a for a in areas if a.level == LEVEL_BUURT}
    wijken = {a.code for a in areas if a.level == LEVEL_WIJK}
    values: dict[str, int] = {}
    for row in _read_dicts(BUURT_POPULATION_FILE):
        code = row["nhood_id"].strip()
        cell = row["population"].strip()
        if code in buurten and cell.isdigit():
            values[code] = int(cell)
    records: list[PopulationRecord] = []
    for wijk in sorted(wijken):
        members = [code for code, b in buurten.items() if b.parent == wijk]
        if members and all(code in values for code in members):
            value = sum(values[code] for code in members)
            records.append(PopulationRecord(wijk, 2024, value, SRC_POP_WIJK.format(n=len(members))))
    records.extend(
        PopulationRecord(code, 2024, values[code], SRC_POP_BUURT) for code in sorted(values)
    )
    return records


def load_population() -> list[PopulationRecord]:
    """Population on 1 January per area and year, at most one record per (code, year).

    Ordered by level (as in :func:`load_areas`), then code, then year.
    """
    ref = _reference()
    export = _read_export()
    records: list[PopulationRecord] = []

    nl_end = _end_of_year(export, ref.nl_name)
    for prev in sorted(nl_end):
        year = prev + 1
        records.append(
            PopulationRecord(NL_CODE, year, nl_end[prev], SRC_POP_EXPORT.format(prev=prev))
        )
    for code in sorted(ref.provincies):
        pv_end = _end_of_year(export, ref.provincies[code].title)
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
    sums = _sum_population(ref, gemeente_pop, export)
    records.extend(r for r in sums if r.code.startswith("RE"))
    records.extend(r for r in sums if r.code.startswith("VR"))
    for code in sorted(gemeente_pop):
        records.extend(gemeente_pop[code][year] for year in sorted(gemeente_pop[code]))
    records.extend(_buurt_population(load_areas()))
    return records
