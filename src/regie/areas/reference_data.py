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
    * ``gemeente``: every gemeente that existed on or after 1 January 2000 (605 codes), from the
      RvIG Tabel 33 / CBS history table ``gemeenten_herindelingen.csv``: ``valid_from``,
      ``valid_to`` (the herindeling date, exclusive; Weesp 2022-03-24) and ``successors``. Pseudo
      rows (GM0998, GM0999) and the openbaar lichaam GM0996 are not areas. The codes valid on
      1 January of 2021, 2022, 2023, 2024 and 2025 are checked against the CBS lists held
      (84929NED via minvws, 83648NED, 47022NED, 47018NED, 47013NED); a difference stops the load.
      Successors: the table's ``successors_all`` for the recorded splits (Littenseradiel 2018,
      Winsum 2019, Haaren 2021, the last checked against CBS ``2021-wijziging.csv``), the codes
      named in a "split" note (Boarnsterhim 2014), else the one Tabel 33 successor. ``active``
      is ``valid_to is None`` (342 gemeenten).
      Names: the 47013NED 2025 title without " (gemeente)" ("Groningen", "Bergen (NH.)"); for
      former gemeenten the 83648NED name, else the row name of the 37230ned export (the StatLine
      spelling, "Hengelo (Gld.)"), else the Tabel 33 name. ``names`` adds the name in each
      indeling year held (2022, 2023, 2024, 2025) and other spellings without a year (Tabel 33,
      CBS/NLExtract, 37230ned).
      Provincie: Bernasco's ``municipality_in_province.csv`` for the 342 current gemeenten, the
      CBS province of the history table for former ones.
      Veiligheidsregio: 84929NED indeling 2021 (for the four gemeenten created later the minvws
      file gives the VR of their predecessors). **Derived**: a gemeente not in that list (every
      gemeente dissolved before 2021) gets the VR of its *current successor* (Tabel 33
      ``current_code``), so Leerdam (Zuid-Holland until 2019) carries VR09 Utrecht of
      Vijfheerenlanden; ``Area.source`` says so. Politie-eenheid: **derived from the
      veiligheidsregio** (Politiewet 2012: an eenheid covers whole veiligheidsregio's; mapping in
      ``vr_codes.csv``), not taken from a published gemeente list.
    * ``wijk`` / ``buurt``: every wijk and buurt of the buurtindelingen held, one record per code:
      2024 (Politie 47018NED, 3,393 wijken and 14,574 buurten) and 2023 (Politie 47022NED,
      3,353 and 14,421). Name, gemeente and ``active`` follow the newest indeling with the code;
      ``names`` holds each year's name. The name is the one in the row's description ("Buurt
      'Annen' (BU16800000) is ..."): StatLine titles stop at 40 characters, and the title is kept
      as a second name of that year. A buurt's wijk is its code's first 8 characters with
      BU -> WK (the CBS code structure); the wijk name in the buurt's description is checked
      against it while loading. The placeholders GM0000 / WK000000 / BU00000000 ("... onbekend")
      are skipped: they are not areas.

    The list is ordered nl, provincie, politie_eenheid, veiligheidsregio, gemeente, then each
    wijk followed by its buurten, so every parent precedes its children.

Population (:func:`load_population`): inhabitants on **1 January** of ``year``
    CBS per-1,000 rates divide by the population on 1 January of the year, which is the
    population at the end of the previous year: ``year`` Y holds "Bevolking aan het einde van
    de periode" of Y-1. At most one record per (code, year).

    * NL01, provincies, gemeenten: CBS 37230ned StatLine export, end of 2002-2024, so years
      2003-2025. Regions are given by name there and are matched exactly to the codes above.
    * A gemeente gets a figure for year Y only if it existed on 1 January Y (its validity in
      the history table). A gemeente dissolved on 1 January Y gets no figure for Y, although the
      export has its end-of-(Y-1) population. Former gemeenten are matched to export rows by
      name (83648NED, CBS, Tabel 33 spellings; each row used once); those dissolved before 2003
      have no row.
    * Boundaries: the end-of-(Y-1) figure is in the boundaries of 31 December Y-1. When a
      gemeente was created or redrawn on 1 January Y ("Ontstaan" / "Gemeentelijke herindeling
      per 01-01-Y" in its 47013NED RegioS description) that figure is not its 1 January Y
      population and is dropped. Likewise all provincie figures of a year with a "Provinciale
      wijziging per 01-01-Y" (in range only 2019: Vijfheerenlanden). The history table adds the
      same for every gemeente created on 1 January Y or receiving (part of) a dissolved gemeente
      then (Venray 2010, Súdwest-Fryslân 2014, ...), and for the successors of a mid-year
      herindeling that CBS still counted separately at the end of that year (Olst-Wijhe 2003:
      CBS books such changes on the next 1 January). Boundary corrections between gemeenten that
      both continue are not in any file held.
    * 2022: CBS 83648NED population on 1 January 2022 (indeling 2022) fills what the export
      lacks (Dijk en Waard, Land van Cuijk, Maashorst, and Purmerend after absorbing Beemster).
      Where both sources have a 2022 figure they must agree (checked while loading; they do).
    * A gemeente created on 1 January Y whose predecessors the minvws file lists (its four
      "AFGELEID" rows) and that has no other figure for Y gets the sum of its predecessors'
      end-of-(Y-1) populations. This yields only Voorne aan Zee (GM1992) 2023 = Brielle +
      Hellevoetsluis + Westvoorne. The same rule reproduces 83648NED's 1 January 2022 figures
      of Dijk en Waard, Land van Cuijk and Maashorst exactly.
    * Buurten of buurtindeling 2024 (all 14,574): CBS 85984NED Kerncijfers wijken en buurten
      2024, AantalInwoners = population on 1 January 2024 (CBS rounds these to multiples of 5;
      they sum to the end-of-2023 gemeente totals within rounding). A wijk of 2024 is the sum of
      its 2024 buurten when all of them have a figure, so it carries the buurt rounding. Wijken
      and buurten only in the 2023 indeling get no figure.
    * Politie-eenheden and veiligheidsregio's: the sum over their member gemeenten (those
      existing on 1 January Y), made only for years from 2021 on (veiligheidsregio membership
      is known for 2021 and later only) and only when **every** member gemeente has a figure
      for that year. Gaps: 2021 for
      VR01/RE01 (Eemsdelta created) and VR20/VR21/RE08/RE09 (Haaren split over Boxtel,
      Oisterwijk, Tilburg and Vught). Veiligheidsregio membership is that of 2021 in every
      year.
"""

from __future__ import annotations

import csv
import gzip
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
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
DEMO_GEMEENTEN = ("GM0482", "GM0556")  # Alblasserdam, Maassluis: the gemeenten of the demo
SCOPE_START = date(2000, 1, 1)  # former gemeenten: those that still existed on or after this day

# Files in DATA_DIR.
REGIOS_47013_FILE = "47013NED_RegioS.csv"
BEVOLKING_EXPORT_FILE = "bevolking_einde_jaar_2002_2024_regio_statline_export.csv"
BEVOLKING_2022_FILE = "bevolking_1jan2022_regio.csv"
GEMEENTE_VR_FILE = "gemeente_veiligheidsregio_2021.csv"
VR_FILE = "vr_codes.csv"
PROVINCIE_FILE = "municipality_in_province.csv"
HERINDELINGEN_FILE = "gemeenten_herindelingen.csv"
WIJZIGING_2021_FILE = "2021-wijziging.csv"
# Region lists per buurtindeling year: (file, delimiter, table).
WIJKEN_BUURTEN_FILES = {
    2024: ("WijkenEnBuurten_47018NED_2024.csv.gz", ",", "Politie 47018NED"),
    2023: ("WijkenEnBuurten_47022NED_2023.tsv.gz", "\t", "Politie 47022NED"),
}
BUURT_POPULATION_FILE = "population_buurt_85984NED_2024.csv.gz"

SRC_REGIOS_2025 = "Politie 47013NED RegioS (indeling 2025)"
SRC_VR = "CBS 84929NED (via minvws), indeling 2021"
SRC_GEMEENTE = "47013NED RegioS 2025; VR: CBS 84929NED 2021 (via minvws); RE afgeleid van VR"
SRC_GEMEENTE_FORMER = (
    "opgeheven gemeente: RvIG Tabel 33 / CBS gemeentelijke indeling (code, geldigheid, "
    "opvolgers); naam: CBS; PV: CBS; VR en RE: {vr_source}"
)
SRC_VR_OWN = "CBS 84929NED 2021 (via minvws), RE afgeleid van VR"
SRC_VR_SUCCESSOR = "afgeleid: die van de huidige opvolger {code}"
SRC_WIJK_BUURT = "{table} WijkenEnBuurten (buurtindeling {years})"
SRC_NAME_GEMEENTE = {
    2022: "CBS 83648NED RegioS (gemeentelijke indeling 2022)",
    2025: "Politie 47013NED RegioS (gemeentelijke indeling 2025)",
}
SRC_NAME_OTHER = "andere schrijfwijze: {source}"
SRC_POP_EXPORT = "CBS 37230ned, bevolking einde {prev}"
SRC_POP_2022 = "CBS 83648NED, bevolking 1 januari 2022"
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
_NAME_IN_DESCRIPTION_RE = re.compile(r"^(?:Wijk|Buurt) '(.*)' \(((?:WK|BU)[0-9A-Z]+)\)")
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
    active: bool  # False for former gemeenten, wijken/buurten absent from the newest indeling
    source: str  # short provenance
    valid_from: date | None = None  # gemeenten: first day (None: before 1970 / not recorded)
    valid_to: date | None = None  # gemeenten: herindeling date, exclusive (None: still exists)
    successors: tuple[str, ...] = ()  # former gemeenten: the gemeente(n) they went into
    # Names per indeling year, (year, name, source); year None: another spelling, no year.
    names: tuple[tuple[int | None, str, str], ...] = ()


@dataclass(frozen=True)
class PopulationRecord:
    """Number of inhabitants of area ``code`` on 1 January of ``year``."""

    code: str
    year: int
    value: int
    source: str


# --------------------------------------------------------------------------------------------
# Reading the files


def _read_dicts(name: str, delimiter: str = ",") -> list[dict[str, str]]:
    path = DATA_DIR / name
    if name.endswith(".gz"):
        with gzip.open(path, "rt", encoding="utf-8-sig", newline="") as handle:
            return list(csv.DictReader(handle, delimiter=delimiter))
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle, delimiter=delimiter))


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
class _Herindeling:
    """One row of the gemeente history table (RvIG Tabel 33 / CBS indelingen)."""

    code: str
    name: str  # RvIG Tabel 33 spelling ("Hengelo (Gld)")
    cbs_name: str  # CBS spelling in the yearly lists (NLExtract)
    valid_from: date | None
    valid_to: date | None
    successors: tuple[str, ...]
    current_code: str
    kind: str  # gemeente / pseudo / openbaar_lichaam
    province: str

    def exists_on(self, day: date) -> bool:
        if self.valid_from is not None and self.valid_from > day:
            return False
        return self.valid_to is None or self.valid_to > day


def _iso(text: str) -> date | None:
    return date.fromisoformat(text) if text.strip() else None


def _wijziging_2021() -> dict[str, tuple[str, ...]]:
    """Opgeheven code -> new or receiving codes, from CBS's list of changes on 1 January 2021."""
    with (DATA_DIR / WIJZIGING_2021_FILE).open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    result: dict[str, list[str]] = defaultdict(list)
    for row in rows:
        if len(row) >= 3 and row[0].isdigit() and row[2].isdigit():
            result["GM" + row[0]].append("GM" + row[2])
    return {code: tuple(codes) for code, codes in result.items()}


_SPLIT_NOTE_RE = re.compile(r"^split \d{4}:")
_GM_CODE_RE = re.compile(r"GM\d{4}")


def _herindelingen() -> dict[str, _Herindeling]:
    """Every gemeente code of the history table, with its successor(s).

    Successors: ``successors_all`` for the splits the table records (Littenseradiel 2018,
    Winsum 2019, Haaren 2021; Haaren's list must equal CBS's 2021-wijziging.csv), the codes a
    "split ..." note names (Boarnsterhim 2014: Leeuwarden, De Friese Meren, Heerenveen,
    Súdwest-Fryslân), else the one Tabel 33 successor.
    """
    splits_2021 = _wijziging_2021()
    result: dict[str, _Herindeling] = {}
    for row in _read_dicts(HERINDELINGEN_FILE):
        code = row["code"].strip()
        successors: list[str] = []
        if row["successors_all"].strip():
            successors = row["successors_all"].strip().split("|")
        elif row["successor_code"].strip():
            successors = [row["successor_code"].strip()]
            if _SPLIT_NOTE_RE.match(row["note"]):
                successors += [c for c in _GM_CODE_RE.findall(row["note"]) if c not in successors]
        if code in splits_2021 and sorted(splits_2021[code]) != sorted(successors):
            raise ValueError(f"{HERINDELINGEN_FILE}: successors of {code} differ from 2021 list")
        result[code] = _Herindeling(
            code=code,
            name=row["name"].strip(),
            cbs_name=row["cbs_name"].strip(),
            valid_from=_iso(row["valid_from"]),
            valid_to=_iso(row["valid_to"]),
            successors=tuple(successors),
            current_code=row["current_code"].strip(),
            kind=row["kind"].strip(),
            province=row["province"].strip(),
        )
    for code, later in splits_2021.items():
        if code not in result or result[code].successors == ():
            raise ValueError(f"{WIJZIGING_2021_FILE}: {code} is not a former gemeente")
        del later
    return result


@dataclass(frozen=True)
class _Gemeente:
    code: str
    name: str
    export_name: str | None  # name in the 37230ned export (None: not in it)
    provincie: str | None
    veiligheidsregio: str
    politie_eenheid: str
    vr_source: str  # where the VR comes from (own 2021 row or the current successor's)
    valid_from: date | None
    valid_to: date | None
    successors: tuple[str, ...]
    redrawn_years: frozenset[int]  # years Y with "Ontstaan"/"herindeling per 01-01-Y"
    predecessors: tuple[str, ...]  # from the minvws "AFGELEID" rows, else ()
    names: tuple[tuple[int | None, str, str], ...]  # (year, name, source) besides ``name``

    @property
    def active(self) -> bool:
        return self.valid_to is None

    def exists_on(self, day: date) -> bool:
        if self.valid_from is not None and self.valid_from > day:
            return False
        return self.valid_to is None or self.valid_to > day


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
    wijk_buurt_rows: dict[int, tuple[dict[str, str], ...]]  # buurtindeling year -> rows


def _dotted(name: str) -> str:
    """Tabel 33 "Hengelo (Gld)" -> CBS "Hengelo (Gld.)"."""
    return re.sub(r"\(([A-Za-z]+)\)$", r"(\1.)", name)


def _match_export_names(
    candidates: dict[str, list[str]], history: dict[str, _Herindeling], export_names: set[str]
) -> dict[str, str]:
    """Gemeente code -> its row name in the 37230ned export; each export row used at most once."""
    result: dict[str, str] = {}
    taken: set[str] = set()
    for code in sorted(candidates, key=lambda c: (history[c].valid_to is not None, c)):
        for name in candidates[code]:
            if name in export_names and name not in taken:
                result[code] = name
                taken.add(name)
                break
    return result


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

    wijk_buurt_rows = {
        year: tuple(_read_dicts(name, delimiter))
        for year, (name, delimiter, _table) in WIJKEN_BUURTEN_FILES.items()
    }
    gm_names_by_year: dict[int, dict[str, str]] = {
        year: {
            row["Key"].strip(): row["Title"].strip()
            for row in rows
            if row["Key"].startswith("GM") and _is_real_code(row["Key"].strip())
        }
        for year, rows in wijk_buurt_rows.items()
    }
    indeling_2024 = set(gm_names_by_year[2024])

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

    # Every gemeente that existed on or after SCOPE_START (the history table), checked
    # against the yearly lists in hand.
    history = _herindelingen()
    in_scope = {
        code: h
        for code, h in history.items()
        if h.kind == "gemeente" and (h.valid_to is None or h.valid_to > SCOPE_START)
    }
    indelingen = {
        2021: frozenset(indeling_2021),
        2022: frozenset(indeling_2022),
        2023: frozenset(gm_names_by_year[2023]),
        2024: frozenset(indeling_2024),
        2025: frozenset(gm_2025),
    }
    for year, codes in indelingen.items():
        valid = {c for c, h in in_scope.items() if h.exists_on(date(year, 1, 1))}
        if valid != codes:
            raise ValueError(
                f"{HERINDELINGEN_FILE}: gemeenten on 1 January {year} differ from the CBS "
                f"list: {sorted(valid ^ codes)}"
            )
    for h in in_scope.values():
        for successor in h.successors:
            if successor not in in_scope:
                raise ValueError(f"{HERINDELINGEN_FILE}: successor {successor} of {h.code}")

    export_names = set(_read_export())
    name_candidates: dict[str, list[str]] = {}
    for code, h in in_scope.items():
        regio = gm_2025.get(code)
        options = [regio.title] if regio is not None else []
        if code in names_83648:
            options.append(names_83648[code])
        options += [h.cbs_name, h.name, _dotted(h.name), f"{h.cbs_name} (gemeente)"]
        name_candidates[code] = [o for o in options if o]
    export_of = _match_export_names(name_candidates, in_scope, export_names)

    gemeenten: dict[str, _Gemeente] = {}
    for code in sorted(in_scope):
        h = in_scope[code]
        if code in gm_vr:
            vr_code, vr_source = gm_vr[code], SRC_VR_OWN
        else:
            vr_code = gm_vr[h.current_code]
            vr_source = SRC_VR_SUCCESSOR.format(code=h.current_code)
        regio = gm_2025.get(code)
        names: list[tuple[int | None, str, str]] = []
        if regio is not None:
            name = _strip_suffix(regio.title, _GEMEENTE_SUFFIX)
            redrawn = frozenset(
                year
                for kind, day, month, year in _changes(regio.description)
                if kind != "Provinciale wijziging" and (day, month) == (1, 1)
            )
            names.append((2025, name, SRC_NAME_GEMEENTE[2025]))
        else:
            name = names_83648.get(code) or export_of.get(code) or h.name
            redrawn = frozenset()
        if code in indeling_2022:
            names.append((2022, names_83648[code], SRC_NAME_GEMEENTE[2022]))
        for year, (_file, _delimiter, table) in WIJKEN_BUURTEN_FILES.items():
            if code in gm_names_by_year[year]:
                source = f"{table} WijkenEnBuurten ({year})"
                names.append((year, gm_names_by_year[year][code], source))
        for other, source in (
            (h.name, "RvIG Tabel 33"),
            (h.cbs_name, "CBS gemeentelijke indeling (NLExtract)"),
            (export_of.get(code, ""), "CBS 37230ned"),
        ):
            if other and other != name and not other.endswith(_GEMEENTE_SUFFIX):
                names.append((None, other, SRC_NAME_OTHER.format(source=source)))
        provincie = gm_pv.get(code) or pv_by_name.get(_PROVINCE_ALIASES.get(h.province, h.province))
        gemeenten[code] = _Gemeente(
            code=code,
            name=name,
            export_name=export_of.get(code),
            provincie=provincie,
            veiligheidsregio=vr_code,
            politie_eenheid=vr[vr_code][1],
            vr_source=vr_source,
            valid_from=h.valid_from,
            valid_to=h.valid_to,
            successors=h.successors,
            redrawn_years=redrawn,
            predecessors=predecessors.get(code, ()),
            names=tuple(dict.fromkeys(names)),
        )
    missing_export = [
        code for code, gm in gemeenten.items() if gm.export_name is None and _in_export_years(gm)
    ]
    if missing_export:
        raise ValueError(f"{BEVOLKING_EXPORT_FILE}: no row for {missing_export}")

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
        indelingen=indelingen,
        province_change_years=province_change_years,
        pop_2022=pop_2022,
        wijk_buurt_rows=wijk_buurt_rows,
    )


def _in_export_years(gm: _Gemeente) -> bool:
    """Whether the 37230ned export (end of 2002-2024) should have a row for the gemeente."""
    return gm.valid_to is None or gm.valid_to > date(2003, 1, 1)


# --------------------------------------------------------------------------------------------
# Areas


def _wijk_of(buurt_code: str) -> str:
    return "WK" + buurt_code[2:8]


def _full_name(code: str, row: dict[str, str]) -> str:
    """The name in the description ("Buurt 'Annen' (BU16800000) is ..."): titles stop at 40
    characters ("Wijk 06 Van Stolkpark en Scheveningse Bo"), descriptions do not."""
    title = row["Title"].strip()
    match = _NAME_IN_DESCRIPTION_RE.match(row["Description"] or "")
    if match is None or match.group(2) != code:
        return title
    full = match.group(1)
    if not _same_start(full, title):
        raise ValueError(f"{code}: title {title!r} does not fit description name {full!r}")
    return full


def _same_start(full: str, title: str) -> bool:
    """Whether ``title`` is ``full`` or a shortening of it (cut at 40 characters or abbreviated)."""
    if full == title or full.startswith(title):
        return True
    return len(title) <= 40 and full[:4] == title[:4]


@dataclass
class _Seen:
    """A wijk or buurt code in the buurtindelingen: {year: (name, gemeente)}."""

    code: str
    per_year: dict[int, tuple[str, str, str]]  # year -> (full name, gemeente, StatLine title)

    @property
    def newest(self) -> int:
        return max(self.per_year)


def _wijken_en_buurten(ref: _Reference) -> list[AreaRecord]:
    """Every wijk and buurt of the buurtindelingen in hand (one record per code).

    Name, gemeente and ``active`` follow the newest indeling that has the code; ``names`` holds
    the name of every indeling year that has it.
    """
    newest_year = max(ref.wijk_buurt_rows)
    seen: dict[str, _Seen] = {}
    for year in sorted(ref.wijk_buurt_rows):
        file_name = WIJKEN_BUURTEN_FILES[year][0]
        wijk_names: dict[str, str] = {}
        for row in ref.wijk_buurt_rows[year]:
            code = row["Key"].strip()
            if code.startswith("WK") and _is_real_code(code):
                wijk_names[code] = _full_name(code, row)
        for row in ref.wijk_buurt_rows[year]:
            code = row["Key"].strip()
            if not _is_real_code(code) or not code.startswith(("WK", "BU")):
                continue
            municipality = row["Municipality"].strip()
            if municipality not in ref.gemeenten:
                raise ValueError(f"{file_name}: {code} lies in unknown gemeente {municipality}")
            if code.startswith("BU"):
                wijk = _wijk_of(code)
                if wijk not in wijk_names:
                    raise ValueError(f"{file_name}: buurt {code} has no wijk {wijk}")
                match = _WIJK_IN_DESCRIPTION_RE.search(row["Description"] or "")
                if match and match.group(1) != wijk_names[wijk]:
                    raise ValueError(f"{file_name}: buurt {code} lies in {match.group(1)!r}")
            seen.setdefault(code, _Seen(code, {})).per_year[year] = (
                _full_name(code, row),
                municipality,
                row["Title"].strip(),
            )
    records: list[AreaRecord] = []
    wijken = sorted(c for c in seen if c.startswith("WK"))
    buurten_of: dict[str, list[str]] = defaultdict(list)
    for code in sorted(c for c in seen if c.startswith("BU")):
        buurten_of[_wijk_of(code)].append(code)
    name_sources = {
        year: f"{table} WijkenEnBuurten (buurtindeling {year})"
        for year, (_file, _delimiter, table) in WIJKEN_BUURTEN_FILES.items()
    }
    for wijk_code in wijken:
        for code in [wijk_code, *buurten_of.pop(wijk_code, [])]:
            item = seen[code]
            name, municipality, _title = item.per_year[item.newest]
            years = sorted(item.per_year)
            table = WIJKEN_BUURTEN_FILES[item.newest][2]
            records.append(
                AreaRecord(
                    code=code,
                    name=name,
                    level=LEVEL_WIJK if code.startswith("WK") else LEVEL_BUURT,
                    parent=municipality if code.startswith("WK") else _wijk_of(code),
                    politie_eenheid=None,
                    veiligheidsregio=None,
                    active=item.newest == newest_year,
                    source=SRC_WIJK_BUURT.format(
                        table=table, years=", ".join(str(y) for y in years)
                    ),
                    names=_names_of(item, years, name_sources),
                )
            )
    if buurten_of:
        raise ValueError(f"buurten without a wijk in any indeling: {sorted(buurten_of)[:5]}")
    return records


def _names_of(
    item: _Seen, years: list[int], sources: dict[int, str]
) -> tuple[tuple[int | None, str, str], ...]:
    names: list[tuple[int | None, str, str]] = []
    for year in years:
        full, _municipality, title = item.per_year[year]
        names.append((year, full, sources[year]))
        if title != full:
            names.append((year, title, sources[year]))
    return tuple(names)


def load_areas() -> list[AreaRecord]:
    """Every area, parents before children (see the module docstring for sources and rules)."""
    return list(_area_records())


@cache
def _area_records() -> tuple[AreaRecord, ...]:
    ref = _reference()
    records = [AreaRecord(NL_CODE, ref.nl_name, LEVEL_NL, None, None, None, True, SRC_REGIOS_2025)]
    for level, regios in (
        (LEVEL_PROVINCIE, ref.provincies),
        (LEVEL_POLITIE_EENHEID, ref.eenheden),
    ):
        for code in sorted(regios):
            name = _strip_suffix(regios[code].title, _NAME_SUFFIXES[level])
            aliases: tuple[tuple[int | None, str, str], ...] = tuple(
                (None, alias, SRC_NAME_OTHER.format(source=PROVINCIE_FILE))
                for alias, current in _PROVINCE_ALIASES.items()
                if current == name and level == LEVEL_PROVINCIE
            )
            records.append(
                AreaRecord(
                    code, name, level, NL_CODE, None, None, True, SRC_REGIOS_2025, names=aliases
                )
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
                source=(
                    SRC_GEMEENTE
                    if gm.active
                    else SRC_GEMEENTE_FORMER.format(vr_source=gm.vr_source)
                ),
                valid_from=gm.valid_from,
                valid_to=gm.valid_to,
                successors=gm.successors,
                names=gm.names,
            )
        )
    records.extend(_wijken_en_buurten(ref))
    return tuple(records)


# --------------------------------------------------------------------------------------------
# Population


@cache
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


def _end_of_year(export: dict[str, dict[int, int]], name: str | None) -> dict[int, int]:
    if name is None:
        return {}
    if name not in export:
        raise ValueError(f"{BEVOLKING_EXPORT_FILE}: no row for {name!r}")
    return export[name]


def _exists(ref: _Reference, code: str, year: int) -> bool:
    """Whether gemeente ``code`` existed on 1 January ``year`` (validity in the history table)."""
    return ref.gemeenten[code].exists_on(date(year, 1, 1))


def _redrawn_by_history(ref: _Reference, end: dict[str, dict[int, int]]) -> dict[str, set[int]]:
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
    ref: _Reference, export: dict[str, dict[int, int]]
) -> dict[str, dict[int, PopulationRecord]]:
    end = {code: _end_of_year(export, gm.export_name) for code, gm in ref.gemeenten.items()}
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
    ref: _Reference,
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
    for row in _read_dicts(BUURT_POPULATION_FILE):
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
    sums = _sum_population(ref, gemeente_pop)
    records.extend(r for r in sums if r.code.startswith("RE"))
    records.extend(r for r in sums if r.code.startswith("VR"))
    for code in sorted(gemeente_pop):
        records.extend(gemeente_pop[code][year] for year in sorted(gemeente_pop[code]))
    records.extend(_buurt_population(load_areas()))
    return records
