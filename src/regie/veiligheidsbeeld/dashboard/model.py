"""The objects the veiligheidsbeeld pages are made of (tiles, sections), the themes and the
police type codes they hold, and the value column of a table in words."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from regie import stats
from regie.areas.models import Area, AreaLevel
from regie.core import charts
from regie.monitor import selectors
from regie.monitor.models import Measure, Source, Unit


@dataclass
class Tile:
    key: str
    title: str
    value: str
    detail: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    measure: str = ""


@dataclass
class Section:
    """One theme of the overview: one heading, its sentences, its charts (each with its table)
    and, when it has no figures or lacks some, why (which source would provide them)."""

    key: str
    title: str
    sentence: str
    chart: charts.Chart | None
    measures: list[Measure]
    sentences: list[str] = field(default_factory=list)
    extra_charts: list[charts.Chart] = field(default_factory=list)
    #: why the section is empty or incomplete, in words a raadslid understands
    missing: list[str] = field(default_factory=list)
    help_key: str = ""  # an explanation ({% explain %}) that belongs to this section
    #: the sources (tables, type codes) that would provide the missing figures: shown in the
    #: section's technical details only
    technical: list[str] = field(default_factory=list)
    #: whether uploading figures would fill a gap (the template says so to roles that may upload)
    uploadable: bool = False

    @property
    def all_charts(self) -> list[charts.Chart]:
        return ([self.chart] if self.chart is not None else []) + self.extra_charts


@dataclass
class Overview:
    area: Area
    tiles: list[Tile]
    sections: list[Section]

    def charts(self) -> dict[str, charts.Chart]:
        return {c.table.key: c for s in self.sections for c in s.all_charts}


#: The police crime types of the total, High Impact Crimes (broad definition, DOMAIN §5),
#: ondermijning and cyber, with their plain Dutch names (the type codes only go into the
#: technical details).
TOTAL_CODES: tuple[str, ...] = ("politie:0.0.0", "cbs:T001161")


HIC_CODES: tuple[tuple[str, str], ...] = (
    ("politie:1.1.1", "woninginbraak"),
    ("politie:1.4.6", "straatroof"),
    ("politie:1.4.7", "overval"),
    ("politie:1.4.5", "mishandeling"),
    ("politie:1.4.4", "bedreiging"),
    ("politie:1.4.3", "openlijk geweld tegen personen"),
    ("politie:1.4.2", "moord en doodslag"),
)


HIC_TOTALS: tuple[str, ...] = ("derived:hic-breed", "derived:hic-kern", "local:high_impact_crimes")


ONDERMIJNING_CODES: tuple[tuple[str, str], ...] = (
    ("politie:3.1.1", "drugshandel"),
    ("politie:3.1.2", "mensensmokkel"),
    ("politie:3.1.3", "wapenhandel"),
    ("politie:1.6.3", "mensenhandel"),
)


CYBER_CODES: tuple[tuple[str, str], ...] = (("politie:3.7.4", "cybercrime"),)


#: Online fraud: a police type of its own (named where cybercrime is missing, not in the theme).
FRAUD_CODES: tuple[tuple[str, str], ...] = (("politie:3.9.1", "horizontale fraude"),)


#: The police table that holds every crime type per gemeente per month and year.
POLICE_TABLE = "47013NED"


def _category(measure: Measure) -> str:
    return (measure.category or "").lower()


def _section_of(measure: Measure) -> str:
    code = measure.code
    if code in TOTAL_CODES:
        return "total"
    if code in HIC_TOTALS or code in dict(HIC_CODES) or measure.key == "high_impact_crimes":
        return "hic"
    if code in dict(ONDERMIJNING_CODES):
        return "ondermijning"
    if code in dict(CYBER_CODES) or "digit" in _category(measure) or "cyber" in measure.key:
        return "digital"
    if measure.unit in (Unit.GRADE, Unit.PERCENT) or measure.source == Source.VM:
        return "perception"
    if measure.source == Source.DERIVED:
        return "hic"
    if measure.source == Source.OVERLAST or _category(measure) == "leefbaarheid":
        return "overlast"
    if measure.source in (Source.POLITIE, Source.CBS) or _category(measure) == (
        "objectieve veiligheid"
    ):
        return "crime"
    return "local"


def section_titles() -> list[tuple[str, str]]:
    return [
        ("total", _("Registered crime, total")),
        ("hic", _("High impact crimes")),
        ("ondermijning", _("Ondermijning-related crime")),
        ("digital", _("Cybercrime")),
        ("crime", _("Other crime types")),
        ("overlast", _("Nuisance")),
        ("local", _("Local figures")),
        ("perception", _("Subjective safety")),
    ]


_HELP = {
    "total": "geregistreerde-misdrijven",
    "hic": "high-impact-crimes",
    "ondermijning": "ondermijning",
    "perception": "rapportcijfer",
}


def and_list(items: Sequence[str]) -> str:
    """ "a, b and c" in the active language."""
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return _("%(first)s and %(last)s") % {"first": ", ".join(items[:-1]), "last": items[-1]}


def _types_text(names: Sequence[str]) -> str:
    return and_list(list(names))


def _is_covid(year: int) -> bool:
    return stats.is_covid_year(year)


def value_label(measure_unit: str, source: str = "", *, per_1000: bool = False) -> str:
    """The value axis and column in words with its unit ("Registered crimes (number)")."""
    if per_1000 or measure_unit == Unit.RATE:
        return _("Per 1,000 inhabitants")
    if measure_unit == Unit.GRADE:
        return _("Report mark (1–10)")
    if measure_unit == Unit.PERCENT:
        return _("Percentage")
    if measure_unit == Unit.EURO:
        return _("Amount (euro)")
    if source in (Source.POLITIE, Source.CBS, Source.DERIVED):
        return _("Registered crimes (number)")
    if source == Source.OVERLAST:
        return _("Incidents reported (number)")
    return _("Number")


def value_column(measure_unit: str, source: str = "", *, per_1000: bool = False) -> charts.Column:
    label = value_label(measure_unit, source, per_1000=per_1000)
    if per_1000 or measure_unit == Unit.RATE:
        return charts.Column("value", label, "number", 1)
    if measure_unit == Unit.GRADE:
        return charts.Column("value", label, "number", 1, domain=(1.0, 10.0))
    if measure_unit == Unit.PERCENT:
        return charts.Column("value", label, "percent", 1)
    if measure_unit in selectors.COUNT_UNITS:
        return charts.Column("value", label, "integer")
    return charts.Column("value", label, "number", 1)


def _year_rows(series: selectors.Series, name: str = "") -> list[dict[str, Any]]:
    return [
        {
            "measure": name or series.measure.name,
            "year": point.year,
            "value": point.value,
            "status": selectors.status_label(point.status),
            "source": point.source_line,
            "covid": _is_covid(point.year),
        }
        for point in series.years()
    ]


def _year_columns(value: charts.Column) -> list[charts.Column]:
    return [
        charts.Column("measure", _("Measure"), "text"),
        charts.Column("year", _("Year"), "period"),
        value,
        charts.Column("status", _("Status"), "text"),
        charts.Column("source", _("Source"), "text"),
        charts.Column("covid", _("COVID year"), "text"),
    ]


#: Buurten and wijken with fewer inhabitants than this give unreliable rates.
SMALL_POPULATION = 500


def _area_name(area: Area) -> str:
    if area.level in (AreaLevel.POLITIE_EENHEID, AreaLevel.VEILIGHEIDSREGIO):
        return f"{area.get_level_display()} {area.name}"
    return area.name
