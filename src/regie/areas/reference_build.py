"""The reference of :mod:`regie.areas.reference_data`: provincies, politie-eenheden,
veiligheidsregio's and every gemeente (with its names, provincie, veiligheidsregio, validity and
successors), read from the files and checked against each other (rules: see the docstring of
:mod:`regie.areas.reference_data`)."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from functools import cache

from regie.areas.reference_files import (
    BEVOLKING_2022_FILE,
    BEVOLKING_EXPORT_FILE,
    GEMEENTE_SUFFIX,
    GEMEENTE_VR_FILE,
    HERINDELINGEN_FILE,
    LEVEL_POLITIE_EENHEID,
    LEVEL_PROVINCIE,
    NAME_SUFFIXES,
    NL_CODE,
    PREDECESSORS_RE,
    PROVINCE_ALIASES,
    PROVINCIE_FILE,
    REGIOS_47013_FILE,
    SCOPE_START,
    SRC_NAME_GEMEENTE,
    SRC_NAME_OTHER,
    SRC_VR_OWN,
    SRC_VR_SUCCESSOR,
    VR_FILE,
    WIJKEN_BUURTEN_FILES,
    Herindeling,
    Regio,
    changes,
    herindelingen,
    is_real_code,
    read_dicts,
    read_export,
    regios_2025,
    strip_suffix,
)


@dataclass(frozen=True)
class Gemeente:
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
class Reference:
    nl_name: str
    provincies: dict[str, Regio]
    eenheden: dict[str, Regio]
    regios: dict[str, tuple[str, str]]  # VR code -> (name, RE code)
    gemeenten: dict[str, Gemeente]
    indelingen: dict[int, frozenset[str]]  # year -> gemeente codes existing on 1 January
    province_change_years: frozenset[int]
    pop_2022: dict[str, int]  # 83648NED population on 1 January 2022
    wijk_buurt_rows: dict[int, tuple[dict[str, str], ...]]  # buurtindeling year -> rows


def _dotted(name: str) -> str:
    """Tabel 33 "Hengelo (Gld)" -> CBS "Hengelo (Gld.)"."""
    return re.sub(r"\(([A-Za-z]+)\)$", r"(\1.)", name)


def _match_export_names(
    candidates: dict[str, list[str]], history: dict[str, Herindeling], export_names: set[str]
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


@dataclass(frozen=True)
class _Inputs:
    """What the files say about gemeenten, gathered before the gemeenten are built."""

    vr: dict[str, tuple[str, str]]  # VR code -> (name, RE code)
    gm_vr: dict[str, str]  # gemeente -> VR code (indeling 2021, and those created later)
    predecessors: dict[str, tuple[str, ...]]
    names_83648: dict[str, str]
    indeling_2022: set[str]
    gm_names_by_year: dict[int, dict[str, str]]
    gm_2025: dict[str, Regio]
    gm_pv: dict[str, str]
    pv_by_name: dict[str, str]
    export_of: dict[str, str]  # gemeente -> its row name in the 37230ned export


@cache
def reference() -> Reference:
    regios = regios_2025()
    nl = [r for r in regios if r.code == NL_CODE]
    if len(nl) != 1:
        raise ValueError(f"{REGIOS_47013_FILE}: expected one {NL_CODE} row")
    provincies = {r.code: r for r in regios if r.code.startswith("PV") and is_real_code(r.code)}
    eenheden = {r.code: r for r in regios if r.code.startswith("RE") and is_real_code(r.code)}
    gm_2025 = {r.code: r for r in regios if r.code.startswith("GM") and is_real_code(r.code)}
    vr = _vr_codes(eenheden)
    gm_vr, predecessors, indeling_2021 = _gemeente_vr(vr)
    pop_2022, names_83648 = _population_2022()
    indeling_2022 = {c for c in pop_2022 if c.startswith("GM")}
    wijk_buurt_rows = {
        year: tuple(read_dicts(name, delimiter))
        for year, (name, delimiter, _table) in WIJKEN_BUURTEN_FILES.items()
    }
    gm_names_by_year: dict[int, dict[str, str]] = {
        year: {
            row["Key"].strip(): row["Title"].strip()
            for row in rows
            if row["Key"].startswith("GM") and is_real_code(row["Key"].strip())
        }
        for year, rows in wijk_buurt_rows.items()
    }
    pv_by_name, gm_pv = _gemeente_provincies(provincies, gm_vr)
    indelingen = {
        2021: frozenset(indeling_2021),
        2022: frozenset(indeling_2022),
        2023: frozenset(gm_names_by_year[2023]),
        2024: frozenset(gm_names_by_year[2024]),
        2025: frozenset(gm_2025),
    }
    in_scope = _in_scope(indelingen)
    inputs = _Inputs(
        vr=vr,
        gm_vr=gm_vr,
        predecessors=predecessors,
        names_83648=names_83648,
        indeling_2022=indeling_2022,
        gm_names_by_year=gm_names_by_year,
        gm_2025=gm_2025,
        gm_pv=gm_pv,
        pv_by_name=pv_by_name,
        export_of=_export_names(in_scope, gm_2025, names_83648),
    )
    gemeenten = {code: _gemeente(in_scope[code], inputs) for code in sorted(in_scope)}
    missing_export = [
        code for code, gm in gemeenten.items() if gm.export_name is None and _in_export_years(gm)
    ]
    if missing_export:
        raise ValueError(f"{BEVOLKING_EXPORT_FILE}: no row for {missing_export}")
    province_change_years = frozenset(
        year
        for r in gm_2025.values()
        for kind, day, month, year in changes(r.description)
        if kind == "Provinciale wijziging" and (day, month) == (1, 1)
    )
    return Reference(
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


def _vr_codes(eenheden: dict[str, Regio]) -> dict[str, tuple[str, str]]:
    """VR code -> (name, RE code); the derived eenheid must be one of 47013NED, by name."""
    vr_rows = read_dicts(VR_FILE)
    vr: dict[str, tuple[str, str]] = {
        row["vr_code"]: (row["vr_naam"], row["politie_eenheid_code_afgeleid"]) for row in vr_rows
    }
    for row in vr_rows:
        re_code = row["politie_eenheid_code_afgeleid"]
        if re_code not in eenheden:
            raise ValueError(f"{VR_FILE}: unknown politie-eenheid {re_code}")
        published = strip_suffix(eenheden[re_code].title, NAME_SUFFIXES[LEVEL_POLITIE_EENHEID])
        if published != row["politie_eenheid_naam_afgeleid"]:
            raise ValueError(f"{VR_FILE}: name of {re_code} differs from 47013NED")
    return vr


def _gemeente_vr(
    vr: dict[str, tuple[str, str]],
) -> tuple[dict[str, str], dict[str, tuple[str, ...]], set[str]]:
    """(gemeente -> VR code, gemeente -> predecessors, the gemeenten of indeling 2021)."""
    gm_vr_rows = read_dicts(GEMEENTE_VR_FILE)
    gm_vr = {row["gemeente_code"]: row["vr_code"] for row in gm_vr_rows}
    predecessors: dict[str, tuple[str, ...]] = {}
    indeling_2021: set[str] = set()
    for row in gm_vr_rows:
        if row["bron"].startswith("AFGELEID"):
            match = PREDECESSORS_RE.search(row["bron"])
            if match:
                predecessors[row["gemeente_code"]] = tuple(match.group(1).split("+"))
        else:
            indeling_2021.add(row["gemeente_code"])
        if vr[row["vr_code"]][0] != row["vr_naam"]:
            raise ValueError(f"{GEMEENTE_VR_FILE}: VR name mismatch for {row['gemeente_code']}")
    return gm_vr, predecessors, indeling_2021


def _population_2022() -> tuple[dict[str, int], dict[str, str]]:
    """(code -> 83648NED population on 1 January 2022, code -> 83648NED name)."""
    pop_2022: dict[str, int] = {}
    names_83648: dict[str, str] = {}
    for row in read_dicts(BEVOLKING_2022_FILE):
        code = row["Key"].strip()
        names_83648[code] = row["Regio"].strip()
        if row["Populatie"].strip():
            pop_2022[code] = round(float(row["Populatie"]))
    return pop_2022, names_83648


def _gemeente_provincies(
    provincies: dict[str, Regio], gm_vr: dict[str, str]
) -> tuple[dict[str, str], dict[str, str]]:
    """(provincie name -> code, gemeente -> provincie); a veiligheidsregio lies in one
    provincie."""
    pv_by_name = {
        strip_suffix(r.title, NAME_SUFFIXES[LEVEL_PROVINCIE]): code
        for code, r in provincies.items()
    }
    gm_pv: dict[str, str] = {}
    for row in read_dicts(PROVINCIE_FILE):
        label = PROVINCE_ALIASES.get(row["province_lab"], row["province_lab"])
        gm_pv["GM" + row["municipality_id"].strip()] = pv_by_name[label]
    pv_of_vr: dict[str, set[str]] = defaultdict(set)
    for code, pv in gm_pv.items():
        pv_of_vr[gm_vr[code]].add(pv)
    for vr_code, pvs in pv_of_vr.items():
        if len(pvs) != 1:
            raise ValueError(f"veiligheidsregio {vr_code} spans provincies {sorted(pvs)}")
    return pv_by_name, gm_pv


def _in_scope(indelingen: dict[int, frozenset[str]]) -> dict[str, Herindeling]:
    """Every gemeente that existed on or after SCOPE_START (the history table), checked
    against the yearly lists in hand."""
    history = herindelingen()
    in_scope = {
        code: h
        for code, h in history.items()
        if h.kind == "gemeente" and (h.valid_to is None or h.valid_to > SCOPE_START)
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
    return in_scope


def _export_names(
    in_scope: dict[str, Herindeling], gm_2025: dict[str, Regio], names_83648: dict[str, str]
) -> dict[str, str]:
    export_names = set(read_export())
    name_candidates: dict[str, list[str]] = {}
    for code, h in in_scope.items():
        regio = gm_2025.get(code)
        options = [regio.title] if regio is not None else []
        if code in names_83648:
            options.append(names_83648[code])
        options += [h.cbs_name, h.name, _dotted(h.name), f"{h.cbs_name} (gemeente)"]
        name_candidates[code] = [o for o in options if o]
    return _match_export_names(name_candidates, in_scope, export_names)


def _gemeente(h: Herindeling, inputs: _Inputs) -> Gemeente:
    code = h.code
    if code in inputs.gm_vr:
        vr_code, vr_source = inputs.gm_vr[code], SRC_VR_OWN
    else:
        vr_code = inputs.gm_vr[h.current_code]
        vr_source = SRC_VR_SUCCESSOR.format(code=h.current_code)
    regio = inputs.gm_2025.get(code)
    names: list[tuple[int | None, str, str]] = []
    if regio is not None:
        name = strip_suffix(regio.title, GEMEENTE_SUFFIX)
        redrawn = frozenset(
            year
            for kind, day, month, year in changes(regio.description)
            if kind != "Provinciale wijziging" and (day, month) == (1, 1)
        )
        names.append((2025, name, SRC_NAME_GEMEENTE[2025]))
    else:
        name = inputs.names_83648.get(code) or inputs.export_of.get(code) or h.name
        redrawn = frozenset()
    names += _other_names(h, name, inputs)
    provincie = inputs.gm_pv.get(code) or inputs.pv_by_name.get(
        PROVINCE_ALIASES.get(h.province, h.province)
    )
    return Gemeente(
        code=code,
        name=name,
        export_name=inputs.export_of.get(code),
        provincie=provincie,
        veiligheidsregio=vr_code,
        politie_eenheid=inputs.vr[vr_code][1],
        vr_source=vr_source,
        valid_from=h.valid_from,
        valid_to=h.valid_to,
        successors=h.successors,
        redrawn_years=redrawn,
        predecessors=inputs.predecessors.get(code, ()),
        names=tuple(dict.fromkeys(names)),
    )


def _other_names(h: Herindeling, name: str, inputs: _Inputs) -> list[tuple[int | None, str, str]]:
    """The gemeente's names of 2022 and the buurtindeling years, then other spellings."""
    code = h.code
    names: list[tuple[int | None, str, str]] = []
    if code in inputs.indeling_2022:
        names.append((2022, inputs.names_83648[code], SRC_NAME_GEMEENTE[2022]))
    for year, (_file, _delimiter, table) in WIJKEN_BUURTEN_FILES.items():
        if code in inputs.gm_names_by_year[year]:
            source = f"{table} WijkenEnBuurten ({year})"
            names.append((year, inputs.gm_names_by_year[year][code], source))
    for other, source in (
        (h.name, "RvIG Tabel 33"),
        (h.cbs_name, "CBS gemeentelijke indeling (NLExtract)"),
        (inputs.export_of.get(code, ""), "CBS 37230ned"),
    ):
        if other and other != name and not other.endswith(GEMEENTE_SUFFIX):
            names.append((None, other, SRC_NAME_OTHER.format(source=source)))
    return names


def _in_export_years(gm: Gemeente) -> bool:
    """Whether the 37230ned export (end of 2002-2024) should have a row for the gemeente."""
    return gm.valid_to is None or gm.valid_to > date(2003, 1, 1)
