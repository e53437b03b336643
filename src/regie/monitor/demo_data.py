"""The open data and seed figures shipped in ``data/`` (see its PROVENANCE.md), loaded by the demo.

Every file goes through the import service, so the demo data has the same lineage (dataset,
vintage, status) as anything a user imports. A file whose checksum was imported before into the
same dataset is skipped, so running the demo again adds no new vintages.
"""

from __future__ import annotations

import csv
import gzip
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext as _

from regie.core.models import Organisation
from regie.monitor import services
from regie.monitor.catalogue import DATA
from regie.monitor.models import BatchState, ImportBatch
from regie.monitor.sources.base import Row, RowError, Status
from regie.monitor.sources.local import NOT_A_NUMBER

PROVENANCE = "src/regie/monitor/data/PROVENANCE.md"
#: names the seed figures use for comparison areas
COMPARE_AREAS = {"Politie Eenheid Rotterdam": "RE07", "Nederland": "NL01"}


@dataclass(frozen=True)
class Loaded:
    name: str
    report: services.ImportReport | None  # None: this file was imported before

    def __str__(self) -> str:
        if self.report is None:
            return _("%(name)s: already imported") % {"name": self.name}
        return f"{self.name}: {self.report.summary()}"


def _seen(path: Path, table: str, organisation: Organisation | None) -> bool:
    return _seen_sha256(services.file_sha256(path), table, organisation)


def _seen_sha256(sha256: str, table: str, organisation: Organisation | None) -> bool:
    return ImportBatch.objects.filter(
        dataset__table=table,
        dataset__organisation=organisation,
        sha256=sha256,
        state=BatchState.DONE,
    ).exists()


def _import_rows(
    path: Path,
    *,
    table: str,
    source: str,
    title: str,
    rows: Callable[[services.CatalogueLookup], Iterator[Row | RowError]],
    organisation: Organisation | None = None,
) -> Loaded:
    if _seen(path, table, organisation):
        return Loaded(f"{source} {table}", None)
    lookup = services.CatalogueLookup(organisation)
    dataset = services.get_or_create_dataset(
        table=table,
        source=source,
        title=title,
        organisation=organisation,
        provenance=f"{PROVENANCE}: {path.relative_to(DATA)}",
    )
    report = services.import_rows(
        rows(lookup),
        dataset=dataset,
        lookup=lookup,
        fmt="demo",
        filename=path.name,
        sha256=services.file_sha256(path),
    )
    return Loaded(f"{source} {table}", report)


def _import_file(
    path: Path,
    *,
    fmt: str,
    table: str,
    organisation: Organisation | None = None,
    period_status: dict[str, Status] | None = None,
) -> Loaded:
    """Import a shipped file through :func:`services.import_file`; a ``.gz`` file of a format
    that reads plain text (``odata-csv``) is unpacked first, and the import is recognised by the
    checksum of the unpacked text."""
    source: Path | bytes = path
    if path.suffix == ".gz" and fmt != "incidents":
        source = gzip.decompress(path.read_bytes())
    if _seen_sha256(services.file_sha256(source), table, organisation):
        return Loaded(table, None)
    report = services.import_file(
        source,
        fmt=fmt,
        table=table,
        organisation=organisation,
        period_status=period_status,
        filename=path.name.removesuffix(".gz") if isinstance(source, bytes) else "",
        provenance=f"{PROVENANCE}: {path.relative_to(DATA)}",
    )
    return Loaded(table, report)


def _label_year_count(
    path: Path, source: str, provisional_from: int
) -> Callable[[services.CatalogueLookup], Iterator[Row | RowError]]:
    """Rows of the national yearly files: ``incident_type_code`` (a label), ``year``, count."""

    def rows(lookup: services.CatalogueLookup) -> Iterator[Row | RowError]:
        with path.open(encoding="utf-8", newline="") as fh:
            for line, rec in enumerate(csv.DictReader(fh), start=2):
                code = lookup.measure_by_label(source, rec["incident_type_code"])
                if code is None:
                    yield RowError(
                        line, "incident_type_code", rec["incident_type_code"], "unknown measure"
                    )
                    continue
                year = int(rec["year"])
                status = Status.VOORLOPIG if year >= provisional_from else Status.DEFINITIEF
                value = float(rec["incident_count"]) if rec["incident_count"] else None
                yield Row(line, "NL01", code, str(year), value, status)

    return rows


def _cbs_totals(path: Path) -> Callable[[services.CatalogueLookup], Iterator[Row | RowError]]:
    """83648NED 2022, total crime per gemeente (OData column TotaalGeregistreerdeMisdrijven_1)."""

    def rows(lookup: services.CatalogueLookup) -> Iterator[Row | RowError]:
        with path.open(encoding="utf-8", newline="") as fh:
            for line, rec in enumerate(csv.DictReader(fh), start=2):
                raw = rec["TotaalGeregistreerdeMisdrijven_1"].strip()
                value = float(raw) if raw not in ("", ".") else None
                # Downloaded in 2023, when CBS still marked 2022 as provisional ("2022*").
                yield Row(
                    line,
                    rec["gemeente_code"].strip(),
                    "cbs:T001161",
                    rec["jaar"],
                    value,
                    Status.VOORLOPIG,
                )

    return rows


#: The years the police mark provisional in the 2026 editions of 47018NED and 47022NED.
PROVISIONAL_FROM = 2024
#: 47018NED (gemeenten, 2012–2025): the status of each year, as the table's Perioden say.
STATUS_47018NED = {
    f"{year}JJ00": Status.VOORLOPIG if year >= PROVISIONAL_FROM else Status.DEFINITIEF
    for year in range(2012, 2026)
}
#: the years of the E33 sheet, in its columns 3 to 7
E33_YEARS = range(2013, 2018)
#: a count with dots as thousands separators ("1.053"), as the police E33 sheet writes them
_DOT_THOUSANDS = re.compile(r"\d{1,3}(?:\.\d{3})*")


def _year_status(year: int) -> Status:
    return Status.VOORLOPIG if year >= PROVISIONAL_FROM else Status.DEFINITIEF


def _total_per_year(path: Path) -> Callable[[services.CatalogueLookup], Iterator[Row | RowError]]:
    """Total registered crime (``politie:0.0.0``) per calendar year of a gemeente and each of
    its buurten, from the ``veiligheid.trend`` blocks of the woonikveilig.nl files (the sums of
    the twelve months of 47022NED, see PROVENANCE.md). One row per area and year; the line is
    the area's place in the file (1 the gemeente, then its buurten)."""

    def rows(lookup: services.CatalogueLookup) -> Iterator[Row | RowError]:
        data = json.loads(path.read_text(encoding="utf-8"))
        for line, area in enumerate([data, *data.get("buurten", [])], start=1):
            trend = (area.get("veiligheid") or {}).get("trend") or {}
            for year, value in sorted(trend.items()):
                if value is not None and not isinstance(value, int):
                    yield RowError(line, "trend", str(value), NOT_A_NUMBER)
                    continue
                yield Row(
                    line,
                    area["code"],
                    "politie:0.0.0",
                    year,
                    None if value is None else float(value),
                    _year_status(int(year)),
                )

    return rows


def _e33_per_gemeente(path: Path) -> Callable[[services.CatalogueLookup], Iterator[Row | RowError]]:
    """Police E33 registrations ("overlast door verward/overspannen persoon") per gemeente
    2013–2017: ``;``-separated, no header, columns name; code; 2013 … 2017; then the collector's
    own rates per 1,000 (not read). Counts have dots as thousands separators."""

    def rows(lookup: services.CatalogueLookup) -> Iterator[Row | RowError]:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            for line, rec in enumerate(csv.reader(fh, delimiter=";"), start=1):
                if len(rec) < 2 + len(E33_YEARS):
                    yield RowError(line, "E33", ";".join(rec), NOT_A_NUMBER)
                    continue
                code = rec[1].strip()
                for offset, year in enumerate(E33_YEARS, start=2):
                    raw = rec[offset].strip()
                    if not _DOT_THOUSANDS.fullmatch(raw):
                        yield RowError(line, f"E33 {year}", raw, NOT_A_NUMBER)
                        continue
                    value = float(raw.replace(".", ""))
                    yield Row(line, code, "overlast:E33", str(year), value, Status.DEFINITIEF)

    return rows


def _seed_figures(
    path: Path, gemeente: Organisation
) -> Callable[[services.CatalogueLookup], Iterator[Row | RowError]]:
    def rows(lookup: services.CatalogueLookup) -> Iterator[Row | RowError]:
        with path.open(encoding="utf-8", newline="") as fh:
            for line, rec in enumerate(csv.DictReader(fh), start=2):
                if rec["gemeente_code"] != gemeente.cbs_code:
                    continue
                area = COMPARE_AREAS.get(rec["compare_area"], rec["compare_area"]) or (
                    gemeente.cbs_code
                )
                yield Row(
                    line,
                    area,
                    f"local:{rec['measure']}",
                    rec["period"],
                    float(rec["value"]),
                    Status.DEFINITIEF,
                )

    return rows


def load(gemeenten: list[Organisation], *, samples: bool = False) -> list[Loaded]:
    """Load every shipped data set (idempotent). Returns what happened per file.

    ``samples`` also loads the format samples that are no figures of the demo gemeenten (the
    monthly 47022NED sample of Aa en Hunze): tests of month handling use them; the demo does not
    show them, as they would look like comparison figures.
    """
    services.load_catalogue()
    politie = DATA / "politie"
    loaded = [
        _import_rows(
            politie / "NL_Crime_47025NED_2012_2023.csv",
            table="47025NED",
            source="Politie",
            title="Geregistreerde misdrijven; soort misdrijf, regio (Nederland, jaarcijfers)",
            rows=_label_year_count(politie / "NL_Crime_47025NED_2012_2023.csv", "politie", 2023),
        ),
        _import_rows(
            politie / "NL_Overlast_47021NED_2012_2023.csv",
            table="47021NED",
            source="Politie",
            title="Geregistreerde overlast; soort overlast, regio (Nederland, jaarcijfers)",
            rows=_label_year_count(
                politie / "NL_Overlast_47021NED_2012_2023.csv", "overlast", 2023
            ),
        ),
        _import_rows(
            DATA / "cbs" / "gemeenten_2022_83648NED_totaal_attributes.csv",
            table="83648NED",
            source="CBS",
            title="Geregistreerde criminaliteit; soort misdrijf, regio",
            rows=_cbs_totals(DATA / "cbs" / "gemeenten_2022_83648NED_totaal_attributes.csv"),
        ),
        # Twelve crime types for every gemeente 2012–2025 (GM0000 "Gemeente onbekend" is
        # skipped as a pseudo-region): trends, peers, and region sums of their gemeenten.
        _import_file(
            DATA / "politie47018" / "47018NED_gemeenten_2012_2025.csv.gz",
            fmt="odata-csv",
            table="47018NED",
            period_status=STATUS_47018NED,
        ),
        # Total crime 2021–2025 of both gemeenten and their buurten (47022NED, the months
        # summed per year). It is the only source of politie:0.0.0 for these areas: the 2023
        # buurt file of 47018NED (data/buurt) is not loaded, so no series mixes the two tables.
        *(
            _import_rows(
                DATA / "politie47022" / f"{code}.json",
                table="47022NED-jaarsom",
                source="Politie",
                title=(
                    "Geregistreerde misdrijven, totaal per jaar (som van de maandcijfers van "
                    "47022NED), gemeente en buurt"
                ),
                rows=_total_per_year(DATA / "politie47022" / f"{code}.json"),
            )
            for code in ("GM0556", "GM0482")
        ),
        _import_rows(
            DATA / "politie_e33" / "dataMap.csv",
            table="E33-2013-2017",
            source="Politie",
            title=(
                "Registraties overlast door verward/overspannen persoon (E33) per gemeente, "
                "2013–2017"
            ),
            rows=_e33_per_gemeente(DATA / "politie_e33" / "dataMap.csv"),
        ),
        _import_file(
            DATA / "vm" / "veiligheidsbeleving_81877NED_provincie_2013_2017_statline_export.csv",
            fmt="statline-csv",
            table="81877NED",
        ),
        _import_file(
            DATA / "incidents" / "MiK-Nederland-PC4_woninginbraak_2023-04_2026-06.csv.gz",
            fmt="incidents",
            table="misdaad-in-kaart",
        ),
    ]
    if samples:
        loaded.append(
            _import_file(
                DATA / "maand" / "sample_47022NED_typed_met_labels.tsv",
                fmt="odata-csv",
                table="47022NED",
            )
        )
    seed = DATA / "seed" / "figures.csv"
    for gemeente in gemeenten:
        loaded.append(
            _import_rows(
                seed,
                table=f"lokaal:{gemeente.slug}",
                source=gemeente.name,
                title=_("Local figures of %(gemeente)s (from its IVB)")
                % {"gemeente": gemeente.name},
                rows=_seed_figures(seed, gemeente),
                organisation=gemeente,
            )
        )
    # Fixi meldingen per category: the seed gives only the totals and "over 60% parking"; the
    # split is invented for the demo, shipped apart and named so on every page that shows it.
    fixi = DATA / "seed" / "fixi-categories-demo.csv"
    for gemeente in gemeenten:
        with fixi.open(encoding="utf-8") as fh:
            if not any(line.startswith(f"{gemeente.cbs_code},") for line in fh):
                continue
        loaded.append(
            _import_rows(
                fixi,
                # the table code is what a source line shows: it says the split is invented
                table="fixi-demo (verzonnen verdeling)",
                source=gemeente.name,
                title=_("Fixi reports per category of %(gemeente)s (demo: invented split)")
                % {"gemeente": gemeente.name},
                rows=_seed_figures(fixi, gemeente),
                organisation=gemeente,
            )
        )
    return loaded
