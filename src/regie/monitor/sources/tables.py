"""The CBS/politie tables the OData formats know: which dimension holds the measure and which
topic column carries the count (re-exported by :mod:`regie.monitor.sources.base`)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TableSpec:
    """How a CBS/politie table maps onto measures: which dimension holds the measure code and
    which topic column carries the main count."""

    table: str
    source: str  # "politie", "overlast", "cbs", "vm"
    title: str
    measure_dimension: str  # "SoortMisdrijf", "SoortOverlast"
    count_topics: tuple[str, ...]  # topic keys that hold the count, first match wins
    area_dimensions: tuple[str, ...] = ("RegioS", "WijkenEnBuurten")
    #: a table without a measure dimension (``measure_dimension`` ""): the measure of every
    #: value (population tables: ``cbs:bevolking``)
    fixed_measure: str = ""
    #: breakdown dimensions of which only the total is imported: (dimension, total keys)
    totals: tuple[tuple[str, tuple[str, ...]], ...] = ()
    #: years added to the period: "Bevolking aan het einde van de periode" of year Y is the
    #: population on 1 January Y+1 (CONTRACT I3); of the months only December is imported then
    year_shift: int = 0


#: Known tables. Other tables can be read when the measure dimension and topic are given.
TABLES: dict[str, TableSpec] = {
    spec.table: spec
    for spec in (
        TableSpec(
            "83648NED",
            "cbs",
            "Geregistreerde criminaliteit; soort misdrijf, regio",
            "SoortMisdrijf",
            ("TotaalGeregistreerdeMisdrijven_1",),
        ),
        TableSpec(
            "47013NED",
            "politie",
            "Geregistreerde misdrijven en aangiften; soort misdrijf, gemeente",
            "SoortMisdrijf",
            ("GeregistreerdeMisdrijven_1",),
        ),
        TableSpec(
            "47018NED",
            "politie",
            "Geregistreerde misdrijven; soort misdrijf, wijk, buurt, jaarcijfers",
            "SoortMisdrijf",
            ("GeregistreerdeMisdrijven_1",),
        ),
        TableSpec(
            "47022NED",
            "politie",
            "Geregistreerde misdrijven; soort misdrijf, wijk, buurt, maandcijfers",
            "SoortMisdrijf",
            ("GeregistreerdeMisdrijven_1", "GeregistreerdeMisdrijven"),
        ),
        TableSpec(
            "47025NED",
            "politie",
            "Geregistreerde misdrijven; soort misdrijf, regio",
            "SoortMisdrijf",
            ("GeregistreerdeMisdrijven_1",),
        ),
        TableSpec(
            "03759NED",
            "cbs",
            "Bevolking op 1 januari en gemiddeld; geslacht, leeftijd en regio",
            "",
            ("BevolkingOp1Januari_1",),
            fixed_measure="cbs:bevolking",
            totals=(
                ("Geslacht", ("T001038",)),
                ("Leeftijd", ("10000",)),
                ("BurgerlijkeStaat", ("T001019",)),
            ),
        ),
        TableSpec(
            "70072NED",
            "cbs",
            "Regionale kerncijfers Nederland",
            "",
            ("TotaleBevolking_1",),
            fixed_measure="cbs:bevolking",
        ),
        TableSpec(
            "37230NED",
            "cbs",
            "Bevolkingsontwikkeling; regio per maand",
            "",
            ("BevolkingAanHetEindeVanDePeriode_15", "BevolkingAanHetEindeVanDePeriode"),
            fixed_measure="cbs:bevolking",
            year_shift=1,
        ),
        TableSpec(
            "47021NED",
            "overlast",
            "Geregistreerde overlast; soort overlast, regio",
            "SoortOverlast",
            ("GeregistreerdeOverlast_1", "Registraties_1"),
        ),
    )
}
