"""The open data and seed figures shipped in ``data/`` (see its PROVENANCE.md), loaded by the demo.

Every file goes through the import service, so the demo data has the same lineage (dataset,
vintage, status) as anything a user imports. A file whose checksum was imported before into the
same dataset is skipped, so running the demo again adds no new vintages.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext as _

from regie.core.models import Organisation
from regie.monitor import services
from regie.monitor.catalogue import DATA
from regie.monitor.models import BatchState, ImportBatch
from regie.monitor.sources.base import Row, RowError, Status

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
    return ImportBatch.objects.filter(
        dataset__table=table,
        dataset__organisation=organisation,
        sha256=services.file_sha256(path),
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
    if _seen(path, table, organisation):
        return Loaded(table, None)
    report = services.import_file(
        path,
        fmt=fmt,
        table=table,
        organisation=organisation,
        period_status=period_status,
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


def load(gemeenten: list[Organisation]) -> list[Loaded]:
    """Load every shipped data set (idempotent). Returns what happened per file."""
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
        _import_file(
            DATA / "buurt" / "focus_buurten_47018NED_2023_verbatim.csv",
            fmt="odata-csv",
            table="47018NED",
            period_status={"2023JJ00": Status.DEFINITIEF},
        ),
        _import_file(
            DATA / "maand" / "sample_47022NED_typed_met_labels.tsv",
            fmt="odata-csv",
            table="47022NED",
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
    return loaded
