"""The areas of :mod:`regie.areas.reference_data` (:func:`load_areas`): Nederland, provincies,
politie-eenheden, veiligheidsregio's, gemeenten, then each wijk followed by its buurten."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import cache

from regie.areas.reference_build import Reference, reference
from regie.areas.reference_files import (
    LEVEL_BUURT,
    LEVEL_GEMEENTE,
    LEVEL_NL,
    LEVEL_POLITIE_EENHEID,
    LEVEL_PROVINCIE,
    LEVEL_VEILIGHEIDSREGIO,
    LEVEL_WIJK,
    NAME_IN_DESCRIPTION_RE,
    NAME_SUFFIXES,
    NL_CODE,
    PROVINCE_ALIASES,
    PROVINCIE_FILE,
    SRC_GEMEENTE,
    SRC_GEMEENTE_FORMER,
    SRC_NAME_OTHER,
    SRC_REGIOS_2025,
    SRC_VR,
    SRC_WIJK_BUURT,
    WIJK_IN_DESCRIPTION_RE,
    WIJKEN_BUURTEN_FILES,
    AreaRecord,
    is_real_code,
    strip_suffix,
)


def _wijk_of(buurt_code: str) -> str:
    return "WK" + buurt_code[2:8]


def _full_name(code: str, row: dict[str, str]) -> str:
    """The name in the description ("Buurt 'Annen' (BU16800000) is ..."): titles stop at 40
    characters ("Wijk 06 Van Stolkpark en Scheveningse Bo"), descriptions do not."""
    title = row["Title"].strip()
    match = NAME_IN_DESCRIPTION_RE.match(row["Description"] or "")
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


def _wijken_en_buurten(ref: Reference) -> list[AreaRecord]:
    """Every wijk and buurt of the buurtindelingen in hand (one record per code).

    Name, gemeente and ``active`` follow the newest indeling that has the code; ``names`` holds
    the name of every indeling year that has it.
    """
    newest_year = max(ref.wijk_buurt_rows)
    seen: dict[str, _Seen] = {}
    for year in sorted(ref.wijk_buurt_rows):
        _read_indeling(ref, year, seen)
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


def _read_indeling(ref: Reference, year: int, seen: dict[str, _Seen]) -> None:
    """Adds the wijken and buurten of one buurtindeling to ``seen``, checking that each lies in
    a known gemeente and each buurt in a wijk of that indeling."""
    file_name = WIJKEN_BUURTEN_FILES[year][0]
    wijk_names: dict[str, str] = {}
    for row in ref.wijk_buurt_rows[year]:
        code = row["Key"].strip()
        if code.startswith("WK") and is_real_code(code):
            wijk_names[code] = _full_name(code, row)
    for row in ref.wijk_buurt_rows[year]:
        code = row["Key"].strip()
        if not is_real_code(code) or not code.startswith(("WK", "BU")):
            continue
        municipality = row["Municipality"].strip()
        if municipality not in ref.gemeenten:
            raise ValueError(f"{file_name}: {code} lies in unknown gemeente {municipality}")
        if code.startswith("BU"):
            wijk = _wijk_of(code)
            if wijk not in wijk_names:
                raise ValueError(f"{file_name}: buurt {code} has no wijk {wijk}")
            match = WIJK_IN_DESCRIPTION_RE.search(row["Description"] or "")
            if match and match.group(1) != wijk_names[wijk]:
                raise ValueError(f"{file_name}: buurt {code} lies in {match.group(1)!r}")
        seen.setdefault(code, _Seen(code, {})).per_year[year] = (
            _full_name(code, row),
            municipality,
            row["Title"].strip(),
        )


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
    ref = reference()
    records = [AreaRecord(NL_CODE, ref.nl_name, LEVEL_NL, None, None, None, True, SRC_REGIOS_2025)]
    for level, regios in (
        (LEVEL_PROVINCIE, ref.provincies),
        (LEVEL_POLITIE_EENHEID, ref.eenheden),
    ):
        for code in sorted(regios):
            name = strip_suffix(regios[code].title, NAME_SUFFIXES[level])
            aliases: tuple[tuple[int | None, str, str], ...] = tuple(
                (None, alias, SRC_NAME_OTHER.format(source=PROVINCIE_FILE))
                for alias, current in PROVINCE_ALIASES.items()
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
