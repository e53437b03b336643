"""The files in ``data/`` and what is read from them directly: constants, the records of
:mod:`regie.areas.reference_data`, the RegioS list, the gemeente history table and the population
export (rules: see the docstring of :mod:`regie.areas.reference_data`)."""

from __future__ import annotations

import csv
import gzip
import re
from collections import defaultdict
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
PROVINCE_ALIASES = {"Friesland": "Fryslân"}
NAME_SUFFIXES = {LEVEL_PROVINCIE: " (PV)", LEVEL_POLITIE_EENHEID: " (RE)"}
GEMEENTE_SUFFIX = " (gemeente)"
CHANGE_RE = re.compile(
    r"(Gemeentelijke herindeling|Ontstaan|Provinciale wijziging) per (\d\d)-(\d\d)-(\d{4})"
)
PREDECESSORS_RE = re.compile(r"voorgangers \(([A-Z0-9+]+)\)")
NAME_IN_DESCRIPTION_RE = re.compile(r"^(?:Wijk|Buurt) '(.*)' \(((?:WK|BU)[0-9A-Z]+)\)")
WIJK_IN_DESCRIPTION_RE = re.compile(r"is een buurt in wijk '(.*)' in de gemeente")


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


def read_dicts(name: str, delimiter: str = ",") -> list[dict[str, str]]:
    path = DATA_DIR / name
    if name.endswith(".gz"):
        with gzip.open(path, "rt", encoding="utf-8-sig", newline="") as handle:
            return list(csv.DictReader(handle, delimiter=delimiter))
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle, delimiter=delimiter))


def strip_suffix(text: str, suffix: str) -> str:
    return text[: -len(suffix)] if text.endswith(suffix) else text


@dataclass(frozen=True)
class Regio:
    code: str
    title: str  # as published, e.g. "Groningen (gemeente)", "Zuid-Holland (PV)"
    description: str


def regios_2025() -> list[Regio]:
    return [
        Regio(row["Key"].strip(), row["Title"].strip(), row["Description"])
        for row in read_dicts(REGIOS_47013_FILE)
    ]


def is_real_code(code: str) -> bool:
    """False for the 'niet in te delen' / 'buitenland' / 'onbekend' placeholders."""
    return code not in {"PV99", "RE99", "GM0998", "GM0999", "GM0000", "WK000000", "BU00000000"}


def changes(description: str) -> list[tuple[str, int, int, int]]:
    """(kind, day, month, year) of each dated change in a 47013NED RegioS description."""
    return [
        (kind, int(day), int(month), int(year))
        for kind, day, month, year in CHANGE_RE.findall(description)
    ]


@dataclass(frozen=True)
class Herindeling:
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


def iso_date(text: str) -> date | None:
    return date.fromisoformat(text) if text.strip() else None


def wijziging_2021() -> dict[str, tuple[str, ...]]:
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


def herindelingen() -> dict[str, Herindeling]:
    """Every gemeente code of the history table, with its successor(s).

    Successors: ``successors_all`` for the splits the table records (Littenseradiel 2018,
    Winsum 2019, Haaren 2021; Haaren's list must equal CBS's 2021-wijziging.csv), the codes a
    "split ..." note names (Boarnsterhim 2014: Leeuwarden, De Friese Meren, Heerenveen,
    Súdwest-Fryslân), else the one Tabel 33 successor.
    """
    splits_2021 = wijziging_2021()
    result: dict[str, Herindeling] = {}
    for row in read_dicts(HERINDELINGEN_FILE):
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
        result[code] = Herindeling(
            code=code,
            name=row["name"].strip(),
            cbs_name=row["cbs_name"].strip(),
            valid_from=iso_date(row["valid_from"]),
            valid_to=iso_date(row["valid_to"]),
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


@cache
def read_export() -> dict[str, dict[int, int]]:
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
