"""The measures catalogue as shipped in ``data/`` (plain Python, no database).

- ``politie:<code>``  the 59 police crime types (flat; ``0.0.0`` is the total)
- ``overlast:<code>`` the 9 police nuisance registration types (``0.0.0`` is the total)
- ``cbs:<code>``      the 75 CBS 83648NED crime types (hierarchical: T001161 ⊃ CRI1000 ⊃ CRI1100 …)
- ``vm:<key>``        Veiligheidsmonitor indicators, each with its published 95 % bounds
                      ``vm:<key>.ondergrens`` / ``vm:<key>.bovengrens`` (hidden from pickers)
- ``cbs:bevolking``   the population on 1 January (a user may import newer vintages)
- ``local:<key>``     local figures (the keys of the seed figures)
- ``derived:<key>``   sums of other measures, defined as data and computed on read
"""

from __future__ import annotations

import csv
import functools
from dataclasses import dataclass, field
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True)
class MeasureSpec:
    code: str
    source: str
    key: str
    name: str
    description: str = ""
    unit: str = "count"
    #: a :class:`regie.monitor.models.MeasureKind` value: which statistics apply
    kind: str = "event_count"
    is_rollup: bool = False
    parent: str = ""
    category: str = ""
    sort_order: int = 0
    components: tuple[str, ...] = field(default=())
    #: other labels that name this measure in files (StatLine exports, VM column headers)
    labels: tuple[str, ...] = field(default=())


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


POLITIE_GROUPS = {
    "1": "Misdrijven met een slachtoffer (vermogen, geweld)",
    "2": "Misdrijven tegen de leefomgeving",
    "3": "Misdrijven tegen de maatschappelijke integriteit",
}


def politie_measures() -> list[MeasureSpec]:
    specs = []
    for order, row in enumerate(_read(DATA / "politie" / "SoortMisdrijf_politie.csv")):
        key = row["Key"].strip()
        title = row["Title"].strip()
        name = title[len(key) :].strip() if title.startswith(key) else title
        specs.append(
            MeasureSpec(
                code=f"politie:{key}",
                source="politie",
                key=key,
                name=name,
                description=(row.get("Description") or "").strip(),
                is_rollup=key == "0.0.0",
                parent="" if key == "0.0.0" else "politie:0.0.0",
                category=POLITIE_GROUPS.get(key[0], ""),
                sort_order=order,
                labels=(title, name),
            )
        )
    return specs


def overlast_measures() -> list[MeasureSpec]:
    specs = []
    for order, row in enumerate(_read(DATA / "politie" / "SoortOverlast_politie.csv")):
        key = row["Key"].strip()
        title = row["Title"].strip()
        specs.append(
            MeasureSpec(
                code=f"overlast:{key}",
                source="overlast",
                key=key,
                name=title,
                description=(row.get("Description") or "").strip(),
                is_rollup=key == "0.0.0",
                parent="" if key == "0.0.0" else "overlast:0.0.0",
                category="Overlast",
                sort_order=order,
                labels=(title,),
            )
        )
    return specs


def _cbs_parent(key: str, known: set[str]) -> str:
    if key == "T001161":
        return ""
    digits = key[3:]
    for keep in (3, 2, 1):
        candidate = "CRI" + digits[:keep] + "0" * (4 - keep)
        if candidate != key and candidate in known:
            return candidate
    return "T001161"


def cbs_measures() -> list[MeasureSpec]:
    rows = _read(DATA / "cbs" / "SoortMisdrijf_83648NED.csv")
    keys = {row["Key"].strip() for row in rows}
    parents = {key: _cbs_parent(key, keys) for key in keys}
    has_children = set(parents.values())
    specs = []
    for order, row in enumerate(rows):
        key = row["Key"].strip()
        title = row["Title"].strip()
        parent = parents[key]
        specs.append(
            MeasureSpec(
                code=f"cbs:{key}",
                source="cbs",
                key=key,
                name=title,
                description=(row.get("Description") or "").strip(),
                is_rollup=key in has_children,
                parent=f"cbs:{parent}" if parent else "",
                category=title if parent == "T001161" else "",
                sort_order=order,
                labels=(title,),
            )
        )
    return specs


#: The two bounds of a survey measure: suffix of the code and the words of its name.
BOUNDS = (("ondergrens", "ondergrens 95%-interval"), ("bovengrens", "bovengrens 95%-interval"))


def vm_measures() -> list[MeasureSpec]:
    """Each Veiligheidsmonitor measure, followed by its published lower and upper bound."""
    specs: list[MeasureSpec] = []
    rows = _read(DATA / "catalogue" / "vm_measures.csv")
    for order, row in enumerate(rows):
        main = MeasureSpec(
            code=f"vm:{row['key']}",
            source="vm",
            key=row["key"],
            name=row["name"],
            description="Veiligheidsmonitor (CBS); enquête met 95%-betrouwbaarheidsmarges.",
            unit=row["unit"],
            kind="survey_pct",
            category="Subjectieve veiligheid",
            sort_order=order,
            labels=(row["label"],),
        )
        specs.append(main)
        for suffix, words in BOUNDS:
            specs.append(
                MeasureSpec(
                    code=f"{main.code}.{suffix}",
                    source="vm",
                    key=f"{main.key}.{suffix}",
                    name=f"{main.name} ({words})",
                    description=(
                        f"De {words} die CBS publiceert bij {main.code} (dimensie Marges)."
                    ),
                    unit=main.unit,
                    kind="survey_pct",
                    category="Marges Veiligheidsmonitor",
                    sort_order=len(rows) + order,
                )
            )
    return specs


#: The measure of the population on 1 January (the denominator of rates per 1,000).
POPULATION_MEASURE = "cbs:bevolking"


def population_measures() -> list[MeasureSpec]:
    """``cbs:bevolking``: inhabitants on 1 January (period 2022 = on 1 January 2022)."""
    return [
        MeasureSpec(
            code=POPULATION_MEASURE,
            source="cbs",
            key="bevolking",
            name="Bevolking op 1 januari",
            description=(
                "Aantal inwoners op 1 januari van het jaar (CBS). Periode 2022 is de bevolking "
                "op 1 januari 2022; een tabel met de stand aan het einde van 2021 levert die ook. "
                "Noemer van cijfers per 1.000 inwoners."
            ),
            kind="stock",
            category="Bevolking",
            sort_order=10_000,
            labels=("Bevolking op 1 januari", "Bevolking"),
        )
    ]


def local_measures() -> list[MeasureSpec]:
    return [
        MeasureSpec(
            code=f"local:{row['key']}",
            source="local",
            key=row["key"],
            name=row["name"],
            description=row["description"],
            unit=row["unit"],
            kind=row.get("kind") or "event_count",
            category=row["category"],
            sort_order=order,
            labels=(row["name"], *[x for x in (row.get("labels") or "").split("|") if x]),
        )
        for order, row in enumerate(_read(DATA / "catalogue" / "local_measures.csv"))
    ]


def derived_measures() -> list[MeasureSpec]:
    return [
        MeasureSpec(
            code=f"derived:{row['key']}",
            source="derived",
            key=row["key"],
            name=row["name"],
            description=row["description"],
            category="High impact crimes (HIC)",
            sort_order=order,
            components=tuple(row["components"].split()),
        )
        for order, row in enumerate(_read(DATA / "catalogue" / "derived.csv"))
    ]


def all_measures() -> list[MeasureSpec]:
    """Every catalogue measure, parents before children, components before derived measures."""
    return (
        politie_measures()
        + overlast_measures()
        + cbs_measures()
        + population_measures()
        + vm_measures()
        + local_measures()
        + derived_measures()
    )


@functools.cache
def _kinds() -> dict[str, str]:
    return {spec.code: spec.kind for spec in all_measures()}


def kind_of(code: str) -> str | None:
    """The kind the catalogue states for ``code``; None for a measure outside the catalogue."""
    return _kinds().get(code)


def is_unofficial(code: str) -> bool:
    """Figures of Misdaad in kaart (``local:mik_*``): an incident feed, not official statistics."""
    return code.startswith("local:mik_")
