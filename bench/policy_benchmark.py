"""Policy benchmark: every status of a plan with 50 indicators, against a query-per-indicator loop.

Per database (a SQLite file in a temporary directory; a fresh PostgreSQL database on 127.0.0.1,
dropped afterwards) one worker process:

1. migrates and loads the demo as ``regie demo`` does (organisations, accounts, areas with
   population, the shipped figures and the two demo plans), then adds seeded figures for
   Maassluis (GM0556): police monthly counts for every crime type, 2018–mid 2025, for the 23
   gemeenten of politie-eenheid Rotterdam and the 8 wijken of Maassluis; CBS registered crime
   per year; Veiligheidsmonitor percentages; and the gemeente's own figures (survey
   percentages, grades, counts, half years);
2. builds a plan of Maassluis with 4 priorities, 10 themes, 15 goals and 50 indicators bound to
   police counts (gemeente and wijk), CBS registered crime, survey percentages and grades, the
   derived high-impact-crime measures and local counts, with all five target kinds, baselines
   (whole years and a half year) and status overrides (one withdrawn, one replaced), so that
   every status (achieved, within the margin, at risk, not achieved, no new measurement — no
   data, only a part year, nothing after the baseline, an incomplete target) occurs; each
   indicator's target is derived from its own figures and checked to give the intended status;
3. times, interleaved, ``regie.policy.status.evaluate_plan(plan)`` (the product: a fixed number
   of queries) and the *naive* baseline a first implementation would write: walk the tree, and
   per indicator read its measure and area (no ``select_related``), its own
   ``selectors.load_series``, its own latest override, then ``engine.evaluate`` — after checking
   that both give the same status, computed status and explanation for every indicator and the
   same roll-up for every goal, theme, priority and the plan;
4. times the product's parts: loading the series the indicators use (``load_series`` once per
   area, as ``status.evaluate_indicators`` does) and ``measurements`` + the engine.

Times are wall-clock milliseconds of the call alone (the plan is fetched with its gemeente
before each call, outside the timer); queries are counted in a separate warm-up call with
``CaptureQueriesContext`` (recording queries slows the naive loop, so timed calls record none).
It prints a markdown section and puts it in ``docs/performance.md`` between its markers, and exits
with status 1 when the product's median is over the target (200 ms). Only 127.0.0.1 is used.

    .venv/bin/python bench/policy_benchmark.py [--databases sqlite postgresql] [--repeat 30]
        [--warmup 5] [--no-doc]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import math
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from import_benchmark import PG_SERVER, ROOT, _psql, write_doc

if TYPE_CHECKING:
    from regie.core.models import Organisation
    from regie.policy.models import Plan

BEGIN, END = "<!-- BEGIN policy-benchmark -->", "<!-- END policy-benchmark -->"
TARGET_MS = 200.0
TIME_LIMIT = 900  # seconds per worker; the process is killed by SIGALRM after that
GEMEENTE = "GM0556"
EENHEID = "RE07"
SEED = 556
FIRST_MONTH, LAST_MONTH = (2018, 1), (2025, 6)
PLAN_TITLE = "Integraal Veiligheidsplan 2023–2027 (benchmark, 50 indicatoren)"
#: share of the gemeente's police counts per wijk (WK055601 … WK055608)
WIJK_SHARES = (0.18, 0.16, 0.14, 0.13, 0.12, 0.10, 0.09, 0.08)


# --- The plan: 50 indicators ------------------------------------------------------------------

#: (key, title) of the priorities, themes and goals, in plan order
PRIORITIES = {
    "woon-en-leefomgeving": "Veilige woon- en leefomgeving",
    "high-impact-crime": "High impact crimes en geweld",
    "ondermijning": "Ondermijning en georganiseerde criminaliteit",
    "zorg-jeugd-digitaal": "Zorg, jeugd en digitale veiligheid",
}
THEMES = {
    "woninginbraak": ("woon-en-leefomgeving", "Woninginbraak en diefstal"),
    "wijken": ("woon-en-leefomgeving", "Veilige wijken"),
    "beleving": ("woon-en-leefomgeving", "Veiligheidsbeleving en overlast"),
    "hic": ("high-impact-crime", "High impact crimes"),
    "huiselijk-geweld": ("high-impact-crime", "Huiselijk geweld"),
    "drugs": ("ondermijning", "Drugscriminaliteit en barrièremodel"),
    "criminaliteit": ("ondermijning", "Geregistreerde criminaliteit (CBS)"),
    "jeugd-en-zorg": ("zorg-jeugd-digitaal", "Jeugdoverlast en personen met verward gedrag"),
    "digitaal": ("zorg-jeugd-digitaal", "Gedigitaliseerde criminaliteit"),
    "participatie": ("zorg-jeugd-digitaal", "Participatie en toezicht"),
}
GOALS = {
    "minder-woninginbraken": ("woninginbraak", "Het aantal woninginbraken daalt."),
    "diefstal-voertuigen": ("woninginbraak", "Minder diefstal van en uit voertuigen en fietsen."),
    "misdrijven-per-wijk": ("wijken", "Geen wijk waar de criminaliteit stijgt."),
    "vernieling": ("wijken", "Vernieling en zaakbeschadiging nemen af."),
    "rapportcijfers": ("beleving", "Inwoners geven hun buurt minstens een 7."),
    "overlast-beleving": ("beleving", "Minder ervaren overlast en onveiligheid."),
    "hic-kern": ("hic", "High impact crimes nemen af."),
    "geweld": ("hic", "Minder geweld op straat."),
    "aangiften-hg": ("huiselijk-geweld", "Huiselijk geweld eerder in beeld en minder vaak."),
    "drugscriminaliteit": ("drugs", "Drugshandel vaker opgespoord, drugspanden gesloten."),
    "barriere": ("drugs", "Het barrièremodel houdt malafide vestiging tegen."),
    "totaal": ("criminaliteit", "De geregistreerde criminaliteit daalt."),
    "overlast-jeugd": ("jeugd-en-zorg", "Minder meldingen van jeugdoverlast en verward gedrag."),
    "cybercrime": ("digitaal", "Cybercrime stijgt niet verder."),
    "burgernet": ("participatie", "Meer inwoners doen mee aan de veiligheid van hun buurt."),
}


@dataclass(frozen=True)
class Spec:
    """One indicator: its measure and area, the kind of target and the status it should get.

    ``intent`` is one of ``achieved``, ``margin`` (within the margin), ``risk`` (trajectory at
    risk), ``missed`` (not achieved), ``missed_due`` (trajectory whose goal year has passed),
    ``stale`` (no measurement after the baseline or start year), ``incomplete`` (direction
    target without baseline), ``part_year`` (only part-year figures), ``none`` (no figures),
    ``half_year`` (direction target on a half-year baseline, achieved).
    """

    goal: str
    key: str
    name: str
    measure: str
    area: str
    kind: str
    intent: str


SPECS: tuple[Spec, ...] = (
    # Woninginbraak en diefstal
    Spec("minder-woninginbraken", "woninginbraak", "Woninginbraken (politie)", "politie:1.1.1",
         GEMEENTE, "not_up", "achieved"),
    Spec("minder-woninginbraken", "woninginbraak-traject", "Woninginbraken: traject naar 2027",
         "politie:1.1.1", GEMEENTE, "trajectory", "margin"),
    Spec("minder-woninginbraken", "woninginbraak-mik", "Woninginbraken (Misdaad in kaart)",
         "local:mik_woninginbraak", GEMEENTE, "at_most", "achieved"),
    Spec("minder-woninginbraken", "woninginbraak-opgave", "Woninginbraken (politie-opgave)",
         "local:woninginbraak", GEMEENTE, "at_most", "part_year"),
    Spec("diefstal-voertuigen", "diefstal-uit-auto", "Diefstal uit/vanaf motorvoertuigen",
         "politie:1.2.1", GEMEENTE, "at_most", "missed"),
    Spec("diefstal-voertuigen", "fietsendiefstal", "Diefstal van brom-, snorfietsen en fietsen",
         "politie:1.2.3", GEMEENTE, "not_up", "margin"),
    Spec("diefstal-voertuigen", "autodiefstal", "Diefstal van motorvoertuigen: traject",
         "politie:1.2.2", GEMEENTE, "trajectory", "achieved"),
    # Veilige wijken
    Spec("misdrijven-per-wijk", "misdrijven-wijk-1", "Misdrijven in wijk 1", "politie:0.0.0",
         "WK055601", "not_up", "achieved"),
    Spec("misdrijven-per-wijk", "misdrijven-wijk-2", "Misdrijven in wijk 2", "politie:0.0.0",
         "WK055602", "at_most", "missed"),
    Spec("misdrijven-per-wijk", "misdrijven-wijk-3", "Misdrijven in wijk 3: traject",
         "politie:0.0.0", "WK055603", "trajectory", "missed_due"),
    Spec("misdrijven-per-wijk", "misdrijven-wijk-4", "Misdrijven in wijk 4", "politie:0.0.0",
         "WK055604", "not_up", "missed"),
    Spec("vernieling", "vernieling", "Vernieling en zaakbeschadiging (politie)", "politie:2.2.1",
         GEMEENTE, "at_most", "achieved"),
    Spec("vernieling", "vernielingen-cbs", "Vernielingen, misdrijven tegen openbare orde (CBS)",
         "cbs:CRI2000", GEMEENTE, "not_up", "margin"),
    # Veiligheidsbeleving en overlast
    Spec("rapportcijfers", "rapportcijfer-veiligheid", "Rapportcijfer veiligheid woonbuurt",
         "local:rapportcijfer_veiligheid_woonbuurt", GEMEENTE, "at_least", "achieved"),
    Spec("rapportcijfers", "rapportcijfer-leefbaarheid", "Rapportcijfer leefbaarheid woonbuurt",
         "local:rapportcijfer_leefbaarheid_woonbuurt", GEMEENTE, "at_least", "missed"),
    Spec("rapportcijfers", "onveilig-buurt", "Voelt zich wel eens onveilig in de buurt",
         "vm:onveilig_buurt_pct", GEMEENTE, "not_up", "incomplete"),
    Spec("overlast-beleving", "sociale-overlast", "Ervaren sociale overlast",
         "local:sociale_overlast_pct", GEMEENTE, "not_up", "achieved"),
    Spec("overlast-beleving", "te-hard-rijden", "Ervaren overlast: te hard rijden",
         "local:ervaren_overlast_te_hard_rijden_pct", GEMEENTE, "at_most", "missed"),
    Spec("overlast-beleving", "parkeerproblemen", "Ervaren overlast: parkeerproblemen (traject)",
         "local:ervaren_overlast_parkeerproblemen_pct", GEMEENTE, "trajectory", "risk"),
    Spec("overlast-beleving", "veel-criminaliteit", "Denkt dat er veel criminaliteit in buurt is",
         "vm:veel_criminaliteit_buurt_pct", GEMEENTE, "trajectory", "missed"),
    Spec("overlast-beleving", "onveilig-algemeen", "Voelt zich wel eens onveilig",
         "vm:onveilig_algemeen_pct", GEMEENTE, "not_up", "stale"),
    # High impact crimes
    Spec("hic-kern", "hic-kern", "High impact crimes (kerndefinitie)", "derived:hic-kern",
         GEMEENTE, "not_up", "margin"),
    Spec("hic-kern", "hic-breed", "High impact crimes (brede definitie)", "derived:hic-breed",
         GEMEENTE, "at_most", "achieved"),
    Spec("hic-kern", "hic-breed-traject", "High impact crimes (breed): traject vanaf 2024",
         "derived:hic-breed", GEMEENTE, "trajectory", "stale"),
    Spec("geweld", "mishandeling", "Mishandeling", "politie:1.4.5", GEMEENTE, "not_up", "missed"),
    Spec("geweld", "bedreiging", "Bedreiging", "politie:1.4.4", GEMEENTE, "at_most", "missed"),
    Spec("geweld", "straatroof", "Straatroof", "politie:1.4.6", GEMEENTE, "at_most", "achieved"),
    Spec("geweld", "openlijk-geweld", "Openlijk geweld tegen personen", "politie:1.4.3",
         GEMEENTE, "not_up", "stale"),
    Spec("geweld", "geweldsmisdrijven-cbs", "Gewelds- en seksuele misdrijven (CBS): traject",
         "cbs:CRI3000", GEMEENTE, "trajectory", "achieved"),
    # Huiselijk geweld
    Spec("aangiften-hg", "aangiften-hg", "Aangiften huiselijk geweld (eerste halfjaar)",
         "local:huiselijk_geweld_aangiften", GEMEENTE, "not_up", "half_year"),
    Spec("aangiften-hg", "huisverboden", "Opgelegde huisverboden", "local:huisverboden",
         GEMEENTE, "at_most", "missed"),
    Spec("aangiften-hg", "zeden", "Zedenmisdrijven", "politie:1.4.1", GEMEENTE, "not_up",
         "achieved"),
    # Drugscriminaliteit en barrièremodel
    Spec("drugscriminaliteit", "drugshandel", "Opgespoorde drugshandel", "politie:3.1.1",
         GEMEENTE, "not_down", "achieved"),
    Spec("drugscriminaliteit", "drugsmisdrijven-cbs", "Drugsmisdrijven (CBS)", "cbs:CRI6000",
         GEMEENTE, "at_most", "missed"),
    Spec("drugscriminaliteit", "sluitingen", "Sluitingen drugspanden (13b Opiumwet)",
         "local:sluitingen_drugspanden", GEMEENTE, "at_least", "part_year"),
    Spec("barriere", "bibob", "Bibob-onderzoeken", "local:bibob_onderzoeken", GEMEENTE,
         "at_least", "none"),
    Spec("barriere", "witwassen", "Witwassen (CBS)", "cbs:CRI1700", GEMEENTE, "not_down",
         "margin"),
    # Geregistreerde criminaliteit (CBS)
    Spec("totaal", "misdrijven-totaal", "Geregistreerde misdrijven (CBS)", "cbs:T001161",
         GEMEENTE, "not_up", "achieved"),
    Spec("totaal", "vermogensmisdrijven", "Vermogensmisdrijven (CBS): traject", "cbs:CRI1000",
         GEMEENTE, "trajectory", "margin"),
    Spec("totaal", "bedrog", "Bedrog (CBS)", "cbs:CRI1200", GEMEENTE, "at_most", "achieved"),
    Spec("totaal", "misdrijven-politie", "Misdrijven totaal (politie): doel 2024",
         "politie:0.0.0", GEMEENTE, "trajectory", "missed_due"),
    # Jeugdoverlast en verward gedrag
    Spec("overlast-jeugd", "jeugdoverlast", "Meldingen jeugdoverlast",
         "local:meldingen_overlast_jeugd", GEMEENTE, "not_up", "margin"),
    Spec("overlast-jeugd", "verward-gedrag", "Meldingen personen met verward gedrag",
         "local:meldingen_verward_gedrag", GEMEENTE, "at_most", "missed"),
    Spec("overlast-jeugd", "fixi", "Fixi-meldingen openbare ruimte",
         "local:fixi_meldingen_totaal", GEMEENTE, "not_down", "achieved"),
    # Gedigitaliseerde criminaliteit
    Spec("cybercrime", "cybercrime", "Cybercrime (gemeente-opgave)", "local:cybercrime",
         GEMEENTE, "not_up", "missed"),
    Spec("cybercrime", "cybercrime-politie", "Cybercrime (politie)", "politie:3.7.4", GEMEENTE,
         "at_most", "achieved"),
    Spec("cybercrime", "vertrouwen", "Vertrouwen in de lokale overheid: traject",
         "local:vertrouwen_in_lokale_overheid_pct", GEMEENTE, "trajectory", "risk"),
    # Participatie en toezicht
    Spec("burgernet", "burgernet", "Burgernet-deelnemers: traject", "local:burgernet_deelnemers",
         GEMEENTE, "trajectory", "achieved"),
    Spec("burgernet", "cameratoezicht", "Uren cameratoezicht", "local:cameratoezicht_uren",
         GEMEENTE, "at_least", "missed"),
    Spec("burgernet", "geweld-hulpverleners", "Geweld tegen politieambtenaren",
         "local:geweld_tegen_politieambtenaren", GEMEENTE, "at_most", "achieved"),
)  # fmt: skip

#: trajectories towards a higher value (everything else aims lower)
RISING = frozenset({"local:burgernet_deelnemers", "local:vertrouwen_in_lokale_overheid_pct"})
#: overrides, in the order they are made: (indicator key, status or "" to withdraw, reason)
OVERRIDES: tuple[tuple[str, str, str], ...] = (
    ("diefstal-uit-auto", "at_risk", "Politie meldt een daling sinds de aanpak in het voorjaar."),
    ("mishandeling", "within_margin", "Registratiewijziging bij de politie in 2024."),
    ("mishandeling", "", "Politie heeft de registratie hersteld; het berekende oordeel geldt."),
    ("bibob", "achieved", "Het Bibob-register telt vier onderzoeken; nog niet in de monitor."),
    ("parkeerproblemen", "not_achieved", "Klachten over parkeren stijgen volgens het KCC."),
    ("parkeerproblemen", "at_risk", "Na overleg met de wijkregisseurs: risico, niet rood."),
    ("vernielingen-cbs", "not_achieved", "Grote schade bij de jaarwisseling, nog niet bij CBS."),
)

INTENDED = {
    "achieved": "achieved",
    "half_year": "achieved",
    "margin": "within_margin",
    "risk": "at_risk",
    "missed": "not_achieved",
    "missed_due": "not_achieved",
    "stale": "no_measurement",
    "incomplete": "no_measurement",
    "part_year": "no_measurement",
    "none": "no_measurement",
}


# --- Figures ----------------------------------------------------------------------------------


def setup_gemeente(*, full: bool = True) -> Organisation:
    """The demo (as ``regie demo`` loads it) plus the benchmark's seeded figures; Maassluis.

    ``full`` adds the police monthly counts of the other gemeenten of the politie-eenheid and of
    the crime types no indicator uses (a realistic observation table; the plan reads only
    Maassluis and its wijken). Without it the figures load in a second (for the test).
    """
    from regie.core import audit
    from regie.core.models import Organisation
    from regie.demo import services as demo

    demo.build_demo()
    demo.load_figures()
    demo.load_plans()
    gemeente = Organisation.objects.get(cbs_code=GEMEENTE)
    with audit.acting_as(None, "bench"):
        add_figures(gemeente, full=full)
    return gemeente


def _months() -> list[tuple[int, int]]:
    (year, month), out = FIRST_MONTH, []
    while (year, month) <= LAST_MONTH:
        out.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def _status(period: str) -> Any:
    from regie.monitor.sources.base import Status

    return Status.VOORLOPIG if period.startswith("2025") else Status.DEFINITIEF


def _police_rows(full: bool, rng: Any) -> Iterator[tuple[str, str, str, float | None]]:
    """Poisson monthly counts around the national yearly count × the area's population share."""
    import numpy as np

    from regie.areas.models import Area, AreaLevel, Population
    from regie.monitor import catalogue

    national: dict[str, dict[int, int]] = {}
    path = catalogue.DATA / "politie" / "NL_Crime_47025NED_2012_2023.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        for rec in csv.DictReader(fh):
            label = rec["incident_type_code"]
            code = "0.0.0" if label.startswith("Totaal") else label.split(" ", 1)[0]
            national.setdefault(code, {})[int(rec["year"])] = int(rec["incident_count"])
    codes = [s.key for s in catalogue.politie_measures()]
    months = _months()
    gemeenten = [GEMEENTE]
    used = {s.measure for s in SPECS} | {
        c for spec in catalogue.derived_measures() for c in spec.components
    }
    if full:
        gemeenten = sorted(
            Area.objects.filter(
                level=AreaLevel.GEMEENTE, active=True, politie_eenheid__code=EENHEID
            ).values_list("code", flat=True)
        )
    population: dict[str, dict[int, int]] = {}
    for code, year, value in Population.objects.filter(area__code__in=gemeenten).values_list(
        "area__code", "year", "value"
    ):
        population.setdefault(code, {})[year] = value
    nl: dict[int, int] = dict(
        Population.objects.filter(area__level=AreaLevel.NL).values_list("year", "value")
    )

    def nearest(series: dict[int, int], year: int) -> int:
        return series[min(series, key=lambda y: (abs(y - year), -y))]

    areas: list[tuple[str, str, float]] = [(g, g, 1.0) for g in gemeenten]
    areas += [(f"WK0556{i:02d}", GEMEENTE, share) for i, share in enumerate(WIJK_SHARES, 1)]
    parts = [c for c in codes if c != "0.0.0"]
    years = sorted({y for y, _m in months})
    month_year = np.array([years.index(y) for y, _m in months])
    per_type = np.array(  # national yearly count per crime type, type × year
        [[nearest(national[c], y) if c in national else 0.0 for y in years] for c in parts]
    )
    for area, gemeente, share in areas:
        ratio = np.array([nearest(population[gemeente], y) / nearest(nl, y) for y in years])
        mean = (per_type * ratio[None, :])[:, month_year]  # type × month
        drawn = rng.poisson(mean * share / 12.0)
        totals, counts = drawn.sum(axis=0).tolist(), drawn.tolist()
        for i, (year, month) in enumerate(months):
            period = f"{year}M{month:02d}"
            yield area, "politie:0.0.0", period, float(totals[i])
            for j, code in enumerate(parts):
                if full or f"politie:{code}" in used:
                    yield area, f"politie:{code}", period, float(counts[j][i])


def _yearly(rng: Any, level: float, years: range, trend: float = 0.0) -> dict[int, float]:
    """Counts around ``level`` (in 2022) with a yearly ``trend`` (fraction per year)."""
    return {y: float(rng.poisson(level * (1.0 + trend) ** (y - 2022))) for y in years}


def _survey(rng: Any, level: float, years: tuple[int, ...], step: float) -> dict[int, float]:
    """Percentages or grades around ``level`` in 2023, ``step`` per survey before, 1 decimal."""
    last = years[-1]
    return {
        y: round(level - step * (last - y) / 2 + float(rng.normal(0.0, abs(step) / 4)), 1)
        for y in years
    }


def add_figures(gemeente: Organisation, *, full: bool = True) -> None:
    """Seeded figures through the import service (same lineage as any import); idempotent."""
    import numpy as np

    from regie.monitor import services
    from regie.monitor.models import Dataset
    from regie.monitor.sources.base import Row

    if Dataset.objects.filter(table="bench-politie-maand").exists():
        return
    rng = np.random.default_rng(SEED)
    services.load_catalogue()

    def load(
        table: str,
        title: str,
        rows: Iterator[tuple[str, str, str, float | None]],
        organisation: Organisation | None = None,
    ) -> None:
        lookup = services.CatalogueLookup(organisation)
        dataset = services.get_or_create_dataset(
            table=table, source="Benchmark", title=title, organisation=organisation
        )
        report = services.import_rows(
            (
                Row(line, area, measure, period, value, _status(period))
                for line, (area, measure, period, value) in enumerate(rows, start=2)
            ),
            dataset=dataset,
            lookup=lookup,
            fmt="bench",
            filename=f"{table}.csv",
        )
        if report.rejected or report.errors:
            raise SystemExit(f"{table}: {report.summary()} {report.errors[:3]}")

    load(
        "bench-politie-maand",
        "Geregistreerde misdrijven; soort misdrijf, gemeente en wijk, maand (gezaaid)",
        _police_rows(full, rng),
    )

    # CBS 83648NED per year; 2022 of the total is the real figure the demo loaded (1245).
    cbs_years = range(2018, 2025)
    cbs: list[tuple[str, str, str, float | None]] = []
    for code, share, trend in (
        ("T001161", 1.0, -0.02),
        ("CRI1000", 0.55, -0.04),
        ("CRI1200", 0.12, 0.06),
        ("CRI1700", 0.012, 0.0),
        ("CRI2000", 0.14, -0.01),
        ("CRI3000", 0.17, -0.03),
        ("CRI6000", 0.04, 0.08),
    ):
        for year, value in _yearly(rng, 1245 * share, cbs_years, trend).items():
            if (code, year) != ("T001161", 2022):
                cbs.append((GEMEENTE, f"cbs:{code}", str(year), value))
    load("bench-cbs-jaar", "Geregistreerde criminaliteit; gemeente, jaar (gezaaid)", iter(cbs))

    # Veiligheidsmonitor: every two years, open data.
    surveys = (2017, 2019, 2021, 2023)
    vm: list[tuple[str, str, str, float | None]] = []
    for key, level, step in (
        ("onveilig_algemeen_pct", 31.0, -1.0),
        ("onveilig_buurt_pct", 16.0, -0.5),
        ("veel_criminaliteit_buurt_pct", 11.0, -0.8),
        ("criminaliteit_toegenomen_pct", 14.0, 0.5),
        ("rapportcijfer_veiligheid_buurt", 7.2, 0.1),
    ):
        for year, value in _survey(rng, level, surveys, step).items():
            vm.append((GEMEENTE, f"vm:{key}", str(year), value))
    load("bench-vm", "Veiligheidsmonitor; gemeente (gezaaid)", iter(vm))

    # The gemeente's own figures: survey percentages and grades, counts, half years.
    own: list[tuple[str, str, str, float | None]] = []
    for key, level, step in (
        ("rapportcijfer_veiligheid_woonbuurt", 7.4, 0.1),
        ("rapportcijfer_leefbaarheid_woonbuurt", 7.3, -0.1),
        ("sociale_overlast_pct", 12.0, -1.0),
        ("ervaren_overlast_te_hard_rijden_pct", 27.0, 1.0),
        ("ervaren_overlast_agressief_rijgedrag_pct", 7.0, 0.2),
        ("ervaren_overlast_parkeerproblemen_pct", 24.0, -1.0),
        ("vertrouwen_in_lokale_overheid_pct", 48.0, 1.5),
    ):
        years = (2019, 2023) if key.startswith("rapportcijfer") else surveys  # 2021 is in seed
        for year, value in _survey(rng, level, years, step).items():
            own.append((GEMEENTE, f"local:{key}", str(year), value))
    for key, level, trend, years in (
        ("huiselijk_geweld_aangiften", 60.0, 0.02, range(2022, 2025)),
        ("huisverboden", 16.0, -0.03, range(2022, 2025)),
        ("meldingen_verward_gedrag", 220.0, 0.05, range(2022, 2025)),
        ("meldingen_overlast_jeugd", 170.0, -0.02, range(2022, 2025)),
        ("burgernet_deelnemers", 2600.0, 0.08, range(2019, 2025)),
        ("cameratoezicht_uren", 900.0, 0.03, range(2019, 2025)),
        ("cybercrime", 70.0, 0.12, range(2019, 2025)),
        ("geweld_tegen_politieambtenaren", 12.0, 0.0, range(2019, 2025)),
        ("fixi_meldingen_totaal", 3400.0, 0.04, range(2019, 2025)),
    ):
        for year, value in _yearly(rng, level, years, trend).items():
            own.append((GEMEENTE, f"local:{key}", str(year), value))
    for key, level in (("huiselijk_geweld_aangiften", 30.0), ("sluitingen_drugspanden", 2.0)):
        for period in ("2024H1", "2025H1") if key.startswith("huiselijk") else ("2025H1",):
            own.append((GEMEENTE, f"local:{key}", period, float(rng.poisson(level))))
    load(
        f"bench-lokaal:{gemeente.slug}",
        f"Eigen cijfers van {gemeente.name} (gezaaid)",
        iter(own),
        organisation=gemeente,
    )


# --- Building the plan ------------------------------------------------------------------------


def _round(value: float, count: bool) -> float:
    """A count is a whole number >= 0 (the engine refuses anything else); others 2 decimals."""
    return float(max(0, round(value))) if count else round(value, 2)


def _target(spec: Spec, found: list[Any], is_count: bool) -> dict[str, Any]:
    """The indicator's target fields, from its own figures, meant to give ``spec.intent``."""
    from regie.policy import engine

    fields: dict[str, Any] = {"target_kind": spec.kind, "decimals": 0 if is_count else 1}
    whole = [m for m in found if m.whole_year]
    if spec.intent in ("none", "part_year"):
        fields["target_value"] = 10.0
        return fields
    if spec.intent == "incomplete":
        return fields  # a direction target without a baseline
    if spec.intent == "half_year":
        latest = [m for m in found if m.period.endswith("H1")][-1]
        base = _round(latest.value * 1.15 + 1, is_count)
        return {**fields, "baseline_period": f"{latest.year - 1}H1", "baseline_value": base}
    m = whole[-1]
    v, y = m.value, m.year
    earlier = [w.year for w in whole if w.year < y]
    start = 2019 if 2019 in earlier else (earlier[0] if earlier else y - 1)
    margin = engine.margin_of(m)
    lo, hi = margin if margin is not None else (v, v)
    kind = spec.kind
    if kind in ("at_least", "at_most"):
        sign = 1.0 if kind == "at_least" else -1.0
        edge = hi if kind == "at_least" else lo
        value = {
            "achieved": v - sign * (0.1 * v + 0.5),
            "margin": v + (edge - v) / 2,
            "missed": edge + sign * (0.2 * v + 2) if is_count else v + sign * 1.0,
        }[spec.intent]
        return {**fields, "target_value": _round(value, is_count)}
    if kind in ("not_up", "not_down"):
        sign = 1.0 if kind == "not_up" else -1.0  # the direction a baseline is "better" in
        if spec.intent == "stale":
            return {**fields, "baseline_period": str(y), "baseline_value": _round(v, is_count)}
        base = {
            "achieved": v + sign * (0.15 * v + 1),
            "margin": v - sign * max(1.0, round(0.3 * math.sqrt(v))),
            "missed": v * (0.6 if sign > 0 else 1.6) if is_count else v - sign * 2.0,
        }[spec.intent]
        return {**fields, "baseline_period": str(start), "baseline_value": _round(base, is_count)}
    # trajectory: sign +1 aims higher, -1 lower; the start value is behind the figure
    sign = 1.0 if spec.measure in RISING else -1.0
    gap = 0.3 * v + 2
    start_value = v - sign * gap
    end_year = y if spec.intent == "missed_due" else 2027
    if spec.intent == "stale":
        start, end_year = y, y + 3
    expected = {
        "achieved": v - sign * (0.02 * v + 1),
        "margin": v + (hi - v) / 2 if sign > 0 else v - (v - lo) / 2,
        "risk": start_value + (v - start_value) / 0.95,
        "missed": start_value + (v - start_value) / 0.5,
        "missed_due": v + sign * max(gap, 3 * math.sqrt(v) + 3),
        "stale": v + sign * gap,
    }[spec.intent]
    share = 1.0 if spec.intent == "stale" else (y - start) / (end_year - start)
    end_value = start_value + (expected - start_value) / share
    return {
        **fields,
        "start_year": start,
        "start_value": round(start_value, 2),
        "end_year": end_year,
        "end_value": round(end_value, 2),
    }


def build_plan(gemeente: Organisation) -> Plan:
    """The benchmark plan (replaced when it exists); checks every indicator's intended status."""
    from regie.accounts.models import User
    from regie.areas.models import Area
    from regie.core import audit
    from regie.monitor import selectors
    from regie.monitor.models import Measure
    from regie.policy import services, status
    from regie.policy.models import Goal, Indicator, Plan, Priority, Theme

    Plan.objects.filter(organisation=gemeente, title=PLAN_TITLE).delete()
    measures = {m.code: m for m in Measure.objects.filter(code__in={s.measure for s in SPECS})}
    areas = {a.code: a for a in Area.objects.filter(code__in={s.area for s in SPECS})}
    series = selectors.load_series(gemeente, list(areas.values()), list(measures.values()))
    user = User.objects.filter(username="adviseur.maassluis").first()
    with audit.acting_as(user, None):
        plan = Plan.objects.create(
            organisation=gemeente,
            title=PLAN_TITLE,
            summary="Een plan van 50 indicatoren om de statusberekening te meten.",
            start_year=2023,
            end_year=2027,
        )
        priorities = {
            key: Priority.objects.create(plan=plan, key=key, title=title, position=i)
            for i, (key, title) in enumerate(PRIORITIES.items())
        }
        themes = {
            key: Theme.objects.create(priority=priorities[p], key=key, title=title, position=i)
            for i, (key, (p, title)) in enumerate(THEMES.items())
        }
        goals = {
            key: Goal.objects.create(theme=themes[t], key=key, aim=aim, position=i)
            for i, (key, (t, aim)) in enumerate(GOALS.items())
        }
        indicators: dict[str, Indicator] = {}
        for i, spec in enumerate(SPECS):
            measure, area = measures[spec.measure], areas[spec.area]
            is_count = measure.unit in selectors.COUNT_UNITS
            found = status.measurements(series[(area.pk, measure.pk)], is_count=is_count)
            indicators[spec.key] = Indicator.objects.create(
                goal=goals[spec.goal],
                key=spec.key,
                name=spec.name,
                measure=measure,
                area=area,
                position=i,
                **_target(spec, found, is_count),
            )
        for key, state, reason in OVERRIDES:
            services.override_status(
                indicator=indicators[key],
                status=status.Status(state) if state else None,
                reason=reason,
                user=user,
                version=services.history_version(indicators[key]),
            )
    _check_plan(plan)
    return plan


def _check_plan(plan: Plan) -> None:
    """Every spec got its intended computed status; every status and target kind occurs."""
    from regie.policy import status

    result = status.evaluate_plan(plan)
    by_key = {s.indicator.key: s for s in result.by_indicator.values()}
    wrong = [
        f"{s.key} ({s.kind}, {s.intent}): {by_key[s.key].computed.status} — "
        f"{by_key[s.key].computed.explanation}"
        for s in SPECS
        if by_key[s.key].computed.status != INTENDED[s.intent]
    ]
    if wrong:
        raise SystemExit("the plan misses its intended statuses:\n" + "\n".join(wrong))
    kinds = {s.indicator.target_kind for s in by_key.values()}
    computed = {s.computed.status for s in by_key.values()}
    final = {s.status for s in by_key.values()}
    if len(by_key) != 50 or len(kinds) != 5 or len(computed) != 5 or len(final) != 5:
        raise SystemExit(f"plan coverage: {len(by_key)} indicators, {kinds}, {computed}, {final}")
    if sum(1 for s in by_key.values() if s.override is not None) != 4:
        raise SystemExit("expected 4 overrides in force (one withdrawn, one replaced)")


# --- The naive baseline -----------------------------------------------------------------------


def naive_evaluate(plan: Plan) -> dict[str, Any]:
    """Every status of ``plan`` the obvious way: a few queries per indicator.

    Returns ``{"indicators": {pk: (status, computed status, computed explanation)},
    "nodes": {(kind, pk): status}}``, the same facts :func:`status.evaluate_plan` gives.
    """

    from regie.monitor import selectors
    from regie.policy import engine, status

    organisation = plan.organisation
    indicators: dict[int, tuple[str, str, str]] = {}
    nodes: dict[tuple[str, int], str] = {}
    all_statuses: list[engine.Status] = []
    for priority in plan.priorities.all():
        p_statuses: list[engine.Status] = []
        for theme in priority.themes.all():
            t_statuses: list[engine.Status] = []
            for goal in theme.goals.all():
                g_statuses: list[engine.Status] = []
                for indicator in goal.indicators.all():
                    measure, area = indicator.measure, indicator.area  # a query each
                    series = selectors.load_series(organisation, [area], [measure])
                    is_count = measure.unit in selectors.COUNT_UNITS
                    found = status.measurements(series[(area.pk, measure.pk)], is_count=is_count)
                    # the product's rule for one indicator (the naive part is the queries)
                    computed = status.evaluate_indicator(indicator, found)
                    override = indicator.overrides.order_by("-created_at", "-pk").first()
                    final = (
                        engine.Status(override.status)
                        if override is not None and override.status
                        else computed.status
                    )
                    indicators[indicator.pk] = (final, computed.status, computed.explanation)
                    g_statuses.append(final)
                nodes[("goal", goal.pk)] = engine.roll_up(g_statuses)
                t_statuses += g_statuses
            nodes[("theme", theme.pk)] = engine.roll_up(t_statuses)
            p_statuses += t_statuses
        nodes[("priority", priority.pk)] = engine.roll_up(p_statuses)
        all_statuses += p_statuses
    nodes[("plan", plan.pk)] = engine.roll_up(all_statuses)
    return {"indicators": indicators, "nodes": nodes}


def product_facts(plan: Plan) -> dict[str, Any]:
    """The facts of :func:`naive_evaluate`, from the product's ``evaluate_plan``."""
    from regie.policy import status

    result = status.evaluate_plan(plan)
    indicators = {
        pk: (s.status, s.computed.status, s.computed.explanation)
        for pk, s in result.by_indicator.items()
    }
    nodes: dict[tuple[str, int], str] = {("plan", plan.pk): result.status}

    def walk(node: status.Node) -> None:
        nodes[(node.kind, node.obj.pk)] = node.status
        for child in node.children:
            walk(child)

    for priority in result.priorities:
        walk(priority)
    return {"indicators": indicators, "nodes": nodes}


# --- Measuring --------------------------------------------------------------------------------


def _fresh(pk: int) -> Plan:
    from regie.policy.models import Plan

    return Plan.objects.select_related("organisation").get(pk=pk)


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def _parts(pk: int) -> dict[str, Callable[[Plan], Any]]:
    """Diagnostics: the product's parts, on inputs prepared once (untimed).

    ``loading`` is the product's loading (``load_series`` of only the series the indicators use,
    one call per area) and ``engine`` is ``measurements`` + ``engine.evaluate`` for every
    indicator on its result.
    """
    from regie.monitor import selectors
    from regie.policy import engine, status
    from regie.policy.models import Indicator

    plan = _fresh(pk)
    indicators = list(
        Indicator.objects.filter(goal__theme__priority__plan=plan).select_related("measure", "area")
    )
    areas = list({i.area_id: i.area for i in indicators}.values())
    by_area: dict[int, dict[int, Any]] = {}
    for i in indicators:
        by_area.setdefault(i.area_id, {})[i.measure_id] = i.measure

    def per_area(plan: Plan) -> Any:
        loaded: dict[tuple[int, int], Any] = {}
        for area in areas:
            loaded |= selectors.load_series(
                plan.organisation, [area], list(by_area[area.pk].values())
            )
        return loaded

    loaded = per_area(plan)

    def evaluate(_plan: Plan) -> Any:
        for i in indicators:
            is_count = i.measure.unit in selectors.COUNT_UNITS
            found = status.measurements(loaded[(i.area_id, i.measure_id)], is_count=is_count)
            target = status.target_of(i)
            if not engine.target_problems(target):
                engine.evaluate(target, found, decimals=i.decimals)

    return {"loading": per_area, "engine": evaluate}


def measure(pk: int, repeat: int, warmup: int) -> dict[str, Any]:
    """Interleaved timings (wall clock and this process's CPU) of the product, the naive loop
    and the product's parts (:func:`_parts`); queries counted in one extra call of each."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from regie.policy import status

    runs: dict[str, Callable[[Plan], Any]] = {
        "product": status.evaluate_plan,
        "naive": naive_evaluate,
        **_parts(pk),
    }
    result: dict[str, Any] = {}
    for name, run in runs.items():
        with CaptureQueriesContext(connection) as queries:
            run(_fresh(pk))
        result[name] = {"queries": len(queries.captured_queries), "ms": [], "cpu": []}
    for _ in range(warmup):
        for run in runs.values():
            run(_fresh(pk))
    for _ in range(repeat):
        for name, run in runs.items():
            plan = _fresh(pk)
            wall, cpu = time.perf_counter(), time.process_time()
            run(plan)
            result[name]["cpu"].append((time.process_time() - cpu) * 1000)
            result[name]["ms"].append((time.perf_counter() - wall) * 1000)
    for item in result.values():
        item["median"] = statistics.median(item["ms"])
        item["p95"] = _p95(item["ms"])
        item["cpu_median"] = statistics.median(item["cpu"])
    return result


def work(repeat: int, warmup: int) -> dict[str, Any]:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "regie.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from regie.monitor.models import Observation

    started = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    gemeente = setup_gemeente()
    plan = build_plan(gemeente)
    setup = time.perf_counter() - started
    naive, product = naive_evaluate(_fresh(plan.pk)), product_facts(_fresh(plan.pk))
    if naive != product:
        raise SystemExit("the naive loop and evaluate_plan disagree")
    from regie.policy.models import Indicator

    indicators = Indicator.objects.filter(goal__theme__priority__plan=plan)
    load_before = os.getloadavg()[0]
    result = measure(plan.pk, repeat, warmup)
    result["load"] = [load_before, os.getloadavg()[0]]
    result["setup_seconds"] = setup
    result["observations"] = Observation.objects.count()
    result["indicators"] = indicators.count()
    result["areas"] = indicators.values("area").distinct().count()
    result["series"] = indicators.values("measure", "area").distinct().count()
    result["statuses"] = sorted({s for s, _c, _e in product["indicators"].values()})
    return result


# --- The driver -------------------------------------------------------------------------------


def bench_database(kind: str, repeat: int, warmup: int) -> dict[str, Any]:
    tmp = Path(tempfile.mkdtemp(prefix="regie-bench-policy-"))
    pg_name = f"bench_policy_{os.getpid()}"
    if kind == "sqlite":
        url = f"sqlite:///{tmp / 'regie.sqlite3'}"
    else:
        _psql(f'CREATE DATABASE "{pg_name}"')
        url = f"{PG_SERVER}/{pg_name}"
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "REGIE_VAR_DIR": str(tmp),
        "REGIE_DEBUG": "0",
        "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT / "bench")]),
    }
    try:
        _say(kind, "migrate, demo, figures, plan; then timing")
        out = subprocess.run(  # noqa: S603 - our own script, fixed arguments
            [sys.executable, __file__, "--worker", f"--repeat={repeat}", f"--warmup={warmup}"],
            env=env,
            cwd=ROOT,
            check=True,
            stdout=subprocess.PIPE,
            text=True,
        )
        result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
        _say(kind, f"set up in {result['setup_seconds']:.0f} s")
        for name in ("product", "naive"):
            r = result[name]
            _say(kind, f"{name:8} median {r['median']:7.1f} ms  p95 {r['p95']:7.1f} ms  "
                 f"{r['queries']} queries")  # fmt: skip
        return result
    finally:
        if kind != "sqlite":
            _psql(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')
        shutil.rmtree(tmp, ignore_errors=True)


def _say(kind: str, what: str) -> None:
    print(f"{kind:10} {what}", file=sys.stderr, flush=True)


_DB = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


def _ms(value: float) -> str:
    return f"{value:,.0f}" if value >= 100 else f"{value:.1f}"


def passed(results: dict[str, dict[str, Any]]) -> bool:
    return all(r["product"]["median"] <= TARGET_MS for r in results.values())


def section(results: dict[str, dict[str, Any]], repeat: int) -> str:
    first = next(iter(results.values()))
    verdict = "PASS" if passed(results) else "FAIL"
    medians = ", ".join(f"{_DB[k]} {_ms(r['product']['median'])} ms" for k, r in results.items())
    lines = [
        "# Performance: every status of a plan (50 indicators)",
        "",
        "What is measured: `regie.policy.status.evaluate_plan(plan)` — every indicator's status "
        "from the monitor's figures, with overrides, rolled up goal → theme → priority → plan — "
        f"for a plan of Maassluis with {first['indicators']} indicators ({first['series']} "
        "distinct measure × area series: police counts per gemeente and wijk, CBS registered "
        "crime, Veiligheidsmonitor and local survey percentages and grades, the derived "
        "high-impact-crime measures, local counts and half years; all five target kinds; four "
        "overrides in force, one withdrawn and one replaced), so that every status occurs "
        f"({', '.join(first['statuses'])}). The baseline, timed in the same run, is the naive "
        "loop a first implementation would write: walk the tree and per indicator read its "
        "measure and area without `select_related`, its own `selectors.load_series`, its own "
        "latest override, then `engine.evaluate`. Both give the same status, computed status "
        "and explanation for every indicator and the same roll-ups (checked before timing).",
        "",
        f"Run {dt.date.today().isoformat()} on {platform.system()} {platform.machine()}, "
        f"{os.cpu_count()} cores (shared with other work), Python {platform.python_version()}; "
        "fresh databases with the demo (`regie demo`) plus seeded figures: police monthly "
        "counts 2018–mid 2025 of every crime type for the 23 gemeenten of eenheid Rotterdam "
        f"and the 8 wijken of Maassluis ({first['observations']:,} observations in all). "
        f"{repeat} timed calls each, interleaved, after warm-up: wall-clock ms of the call "
        "alone (the plan is fetched before it), and the CPU time of the benchmark's process, "
        "which other work on the machine disturbs less (on PostgreSQL the server's own time "
        "is not in it). Queries counted in one extra call with `CaptureQueriesContext`.",
        "",
    ]
    for kind, r in results.items():
        p, n = r["product"], r["naive"]
        lines += [
            f"**{_DB[kind]}**",
            "",
            "| Approach | Median (ms) | p95 (ms) | CPU median (ms) | Queries | "
            "Naive ÷ this (median) |",
            "|---|---:|---:|---:|---:|---:|",
            f"| `evaluate_plan` (product) | {_ms(p['median'])} | {_ms(p['p95'])} | "
            f"{_ms(p['cpu_median'])} | {p['queries']} | {n['median'] / p['median']:.1f}× |",
            f"| naive: queries per indicator (baseline) | {_ms(n['median'])} | {_ms(n['p95'])} "
            f"| {_ms(n['cpu_median'])} | {n['queries']} | 1.0× |",
            "",
            "Where the product's time goes (medians, timed in the same loop): loading the "
            f"series the indicators use (`load_series` per area, {r['areas']} areas, "
            f"{r['loading']['queries']} queries) {_ms(r['loading']['median'])} ms; "
            f"`measurements` and `engine.evaluate` for the {r['indicators']} indicators "
            f"{_ms(r['engine']['median'])} ms; the rest is the tree, the overrides and the "
            "roll-up. "
            f"Load average (1 min) {r['load'][0]:.1f} before and {r['load'][1]:.1f} after the "
            "timed calls.",
            "",
        ]
    lines += [
        f"Target: the product's median at most {TARGET_MS:.0f} ms on each database, with a "
        f"fixed number of queries (no query per indicator). Result: **{verdict}** ({medians}).",
        "",
        "Regenerate with `make bench-policy` (`bench/policy_benchmark.py`, about three minutes; "
        "needs PostgreSQL on 127.0.0.1:5432; options `--databases`, `--repeat`, `--warmup`, "
        "`--no-doc`).",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument(
        "--databases", nargs="+", choices=("sqlite", "postgresql"), default=["sqlite", "postgresql"]
    )
    parser.add_argument("--repeat", type=int, default=30, help="timed calls per approach")
    parser.add_argument("--warmup", type=int, default=5, help="untimed calls per approach first")
    parser.add_argument("--no-doc", action="store_true", help="do not update docs/performance.md")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        signal.alarm(TIME_LIMIT)
        print(json.dumps(work(args.repeat, args.warmup)))
        return
    results = {kind: bench_database(kind, args.repeat, args.warmup) for kind in args.databases}
    text = section(results, args.repeat)
    print(text)
    ok = passed(results)
    print("PASS" if ok else "FAIL", f"(target: median ≤ {TARGET_MS:.0f} ms)")
    if not args.no_doc:
        write_doc(text, BEGIN, END)
    if not ok:
        sys.exit(1)


if __name__ == "__main__":
    main()
