"""What the veiligheidsbeeld pages show: tiles, sections and charts, built from :mod:`insight`.

Views stay thin: they parse the request, call one function here and render (or export one of
the charts). Every chart carries its table, so the table alternative, the CSV/XLSX downloads and
the chart itself show the same numbers.

Overview sentences never pick the most striking of many measures (that is selection bias: of 40
crime types tested at 5%, two "change significantly" by chance alone). A section's sentence is
about a fixed measure, chosen by :func:`lead_order`: the series with the **most recent whole
year**, then the most whole years, then catalogue order (source, catalogue position, code); in
High Impact Crimes a total computed from the police types leads when there is one. Beside it
the section says **how many** of its counts of events changed beyond chance, with the caveat
that about 1 in 20 does so by chance alone. A change in a percentage is given in procentpunt.
An area is never compared with itself: a tile compares the area with the **rest** of a region
(the region minus the area), and leaves a region out when it is the area itself or holds
nothing else.

The overview has a fixed list of themes (:func:`section_titles`): the total, High Impact Crimes
(the components that exist; a total only when every component does), ondermijning-related
types, cybercrime, other crime types, nuisance, local figures and the Veiligheidsmonitor. A theme
without figures says why in plain words; the source that would give them (table, type codes)
is in the section's technical details, and the hint to upload them is shown only to roles that
may upload. A theme's sentence, table and chart are all built from the same whole years
(:func:`whole_years`); a whole year is compared with the year right before it only
(:func:`_latest`). The total, High Impact Crimes and ondermijning are compared with regions and
peers in the measure and whole year most comparison areas have (:func:`best_comparison`);
areas without a figure are named with the true reason (:func:`_gap_reason`).
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from regie import stats
from regie.areas.models import Area, AreaLevel
from regie.core import charts
from regie.core.models import Organisation
from regie.monitor import catalogue, insight, wording
from regie.monitor.models import Measure, MeasureKind, ObservationStatus, Source, Unit
from regie.stats import periods


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


# --- Sections -----

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


def _police_source(wanted: Sequence[tuple[str, str]], table: str = POLICE_TABLE) -> str:
    """The technical line naming the police table and type codes that hold ``wanted``."""
    codes = [f"{code.split(':', 1)[1]} ({name})" for code, name in wanted]
    return ngettext(
        "Source that has it: police table %(table)s, crime type %(codes)s.",
        "Source that has them: police table %(table)s, crime types %(codes)s.",
        len(codes),
    ) % {"table": table, "codes": _types_text(codes)}


@dataclass(frozen=True)
class Reason:
    """Why figures are missing: a plain sentence, the source that would give them (technical
    details) and whether uploading them would help (said only to roles that may upload)."""

    sentence: str
    technical: str = ""
    uploadable: bool = True


def _empty_reason(key: str) -> Reason:
    """Why a section has no figures, in words; the source that would provide them apart."""
    if key == "total":
        return Reason(
            _("No figures: the loaded figures hold no total of registered crime for this area."),
            _(
                "Source that has it: police table %(table)s (type 0.0.0, total crime) or CBS "
                "table 83648NED."
            )
            % {"table": POLICE_TABLE},
        )
    if key == "hic":
        return Reason(
            _(
                "No figures: the loaded police figures hold none of the high impact crimes "
                "(%(types)s)."
            )
            % {"types": _types_text([n for _c, n in HIC_CODES])},
            _police_source(HIC_CODES),
        )
    if key == "ondermijning":
        return Reason(
            _(
                "No figures: the loaded police figures hold none of the ondermijning-related "
                "crimes (%(types)s). Most ondermijning stays out of sight: these registered "
                "crimes show only what the police found."
            )
            % {"types": _types_text([n for _c, n in ONDERMIJNING_CODES])},
            _police_source(ONDERMIJNING_CODES),
        )
    if key == "digital":
        return Reason(
            _(
                "No figures: the loaded police figures hold no cybercrime. The police count "
                "online fraud apart, as horizontal fraud, and that is not loaded either."
            ),
            _police_source(CYBER_CODES + FRAUD_CODES),
        )
    if key == "crime":
        return Reason(
            _("No figures: the loaded figures hold no other crime types for this area."),
            _("Source that has them: police table %(table)s or CBS table 83648NED.")
            % {"table": POLICE_TABLE},
        )
    if key == "overlast":
        return Reason(
            _(
                "No figures: the loaded figures hold no nuisance incidents and no meldingen "
                "registered by the gemeente itself."
            ),
            _(
                "Source that has them: police table 47021NED (nuisance incidents) or the "
                "gemeente's own registrations of meldingen."
            ),
        )
    if key == "local":
        return Reason(_("No figures: the gemeente has loaded no figures of its own."))
    return Reason(
        _("No figures: no results of the Veiligheidsmonitor are loaded."),
        _("Source that has them: CBS table 81877NED, or the gemeente's own results."),
    )


def _missing_types(
    present: set[str], wanted: Sequence[tuple[str, str]], table: str = POLICE_TABLE
) -> Reason | None:
    """Why the wanted crime types without figures are missing, or None when all are there."""
    absent = [(code, name) for code, name in wanted if code not in present]
    if not absent:
        return None
    return Reason(
        ngettext(
            "No figures for %(types)s: the loaded police figures do not hold this crime type.",
            "No figures for %(types)s: the loaded police figures do not hold these crime types.",
            len(absent),
        )
        % {"types": _types_text([name for _c, name in absent])},
        _police_source(absent, table),
    )


def _hic_missing(present: set[str], totals: set[str]) -> list[Reason]:
    """Which High Impact Crimes totals could not be computed and which components they lack."""
    lines: list[Reason] = []
    if "derived:hic-breed" not in totals:
        lacking = [(c, n) for c, n in HIC_CODES if c not in present]
        values = {"types": _types_text([n for _c, n in lacking])}
        if not lacking:
            # every component is held, but never all of them in one whole year
            lines.append(
                Reason(
                    _(
                        "No High Impact Crimes total is computed: there is no year in which "
                        "every component has a figure."
                    ),
                    uploadable=False,
                )
            )
            return lines
        if "derived:hic-kern" not in totals:
            sentence = ngettext(
                "No High Impact Crimes total is computed: it needs every component, and the "
                "loaded police figures do not hold %(types)s.",
                "No High Impact Crimes total is computed: it needs every component, and the "
                "loaded police figures do not hold %(types)s.",
                len(lacking),
            )
        else:
            sentence = _(
                "Only the police's core definition is computed; the broad definition also needs "
                "%(types)s, which the loaded police figures do not hold."
            )
        lines.append(Reason(sentence % values, _police_source(lacking) if lacking else ""))
    return lines


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
    if measure_unit in COUNT_LIKE:
        return charts.Column("value", label, "integer")
    return charts.Column("value", label, "number", 1)


COUNT_LIKE = frozenset({Unit.COUNT})


def _year_rows(series: insight.Series, name: str = "") -> list[dict[str, Any]]:
    return [
        {
            "measure": name or series.measure.name,
            "year": point.year,
            "value": point.value,
            "status": insight.status_label(point.status),
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


@dataclass(frozen=True)
class Latest:
    """The latest figure of a series against its alike predecessor, in one sentence."""

    sentence: str
    tested: bool = False  # a count of events, tested with the exact conditional test
    beyond_chance: bool = False


def _margins_differ(before: insight.Point, after: insight.Point) -> bool | None:
    """Beyond chance on the survey's published bounds; None when either has none."""
    if before.margin is None or after.margin is None or None in (before.value, after.value):
        return None
    return stats.margins_differ(
        float(before.value or 0.0), before.margin, float(after.value or 0.0), after.margin
    )


def whole_years(series: insight.Series) -> insight.Series:
    """The series' whole years only: what the overview's tables and charts show, so that its
    sentences are about the same figures."""
    return insight.Series(series.area, series.measure, list(series.years()))


def _named(point: insight.Point) -> str:
    """A period in a sentence, marked when its figure is provisional (never read as final)."""
    if point.status in (ObservationStatus.VOORLOPIG, ObservationStatus.NADER_VOORLOPIG):
        return _("%(period)s (provisional)") % {"period": point.label}
    return point.label


def _latest(series: insight.Series) -> Latest | None:
    """The latest figure against its alike predecessor (never chosen for being striking).

    A whole year is compared with the year right before it only: when that year has no figure
    the sentence says so and gives no change (never "2022 against 2016" without a word). A
    survey (held every two years) is compared with its previous edition.
    """
    pair = insight.latest_comparison(series)
    if pair is not None and series.kind != MeasureKind.SURVEY:
        before, after = pair
        whole = before.kind == after.kind == periods.PeriodKind.YEAR
        if whole and after.year - before.year > 1:
            assert after.value is not None  # noqa: S101 - latest_comparison pairs values
            return Latest(
                _(
                    "%(measure)s: %(value)s in %(period)s. There is no figure for %(previous)s, "
                    "the year before, so no change is given; the latest earlier figure is from "
                    "%(earlier)s."
                )
                % {
                    "measure": series.measure.name,
                    "value": wording.num(after.value),
                    "period": _named(after),
                    "previous": str(after.year - 1),
                    "earlier": _named(before),
                }
            )
    if pair is None:
        # the latest period counted whole: an incomplete month is never shown as the latest
        latest = series.latest(complete=True)
        if latest is None or latest.value is None:
            return None
        return Latest(
            _("%(measure)s: %(value)s in %(period)s; no alike earlier period to compare with.")
            % {
                "measure": series.measure.name,
                "value": wording.num(latest.value),
                "period": _named(latest),
            }
        )
    before, after = pair
    if before.value is None or after.value is None:  # latest_comparison only pairs values
        return None
    difference = after.value - before.value
    test = None
    percent = None  # a relative change only for counts of events, and not on small counts
    if series.is_count:
        test = stats.compare_counts(before.value, after.value)
        percent = test.percent_change
    sentence = wording.change(
        series.measure.name,
        (before.value, _named(before)),
        (after.value, _named(after)),
        difference,
        percent,
        test,
        unit=series.measure.unit,
        kind=series.kind,
        beyond=None if test else _margins_differ(before, after),
    )
    beyond = test is not None and test.verdict != stats.Verdict.WITHIN_CHANCE
    return Latest(sentence, tested=test is not None, beyond_chance=beyond)


def lead_order(members: Sequence[insight.Series]) -> list[insight.Series]:
    """The members in the order a section names them, by a fixed rule (never "the most
    striking"): the series with the **most recent whole year** first, then the one with the
    **most whole years**, then catalogue order (the order of ``members``). Series without a
    whole year come last. The first one leads the section's sentence and its comparison."""

    def key(item: tuple[int, insight.Series]) -> tuple[int, int, int]:
        index, series = item
        years = [p.year for p in series.years() if p.value is not None]
        return (-max(years, default=0), -len(years), index)

    return [series for _i, series in sorted(enumerate(members), key=key)]


def section_sentence(members: Sequence[insight.Series]) -> str:
    """The sentence of a section: its first measure with a figure, in the order of
    :func:`lead_order` (a fixed choice, never the most striking one) and, with several counts of
    events, how many changed beyond chance with the multiple-testing caveat."""
    found = [(series, _latest(series)) for series in members]
    lead = next((latest for _series, latest in found if latest is not None), None)
    if lead is None:
        return _("No figures yet.")
    tested = [latest for _series, latest in found if latest is not None and latest.tested]
    if len(tested) < 2:
        return lead.sentence
    beyond = sum(1 for latest in tested if latest.beyond_chance)
    # the verb agrees with the first number ("1 van de 4 aantallen veranderde")
    count = ngettext(
        "%(beyond)d of the %(tested)d counts changed more than chance explains since the alike "
        "earlier period; with this many comparisons about 1 in 20 does so by chance alone.",
        "%(beyond)d of the %(tested)d counts changed more than chance explains since the alike "
        "earlier period; with this many comparisons about 1 in 20 does so by chance alone.",
        beyond,
    ) % {"beyond": beyond, "tested": len(tested)}
    return f"{lead.sentence} {count}"


def _later_parts(series: insight.Series) -> str:
    """A sentence on figures for parts of a year after the last whole year (shown on the
    measure page, not in the overview's yearly table), or ""."""
    years = [p for p in series.years() if p.value is not None]
    last_year = years[-1].year if years else None
    later = [
        p
        for p in series.points
        if p.kind != periods.PeriodKind.YEAR
        and p.value is not None
        and not p.incomplete
        and (last_year is None or p.year > last_year)
    ]
    if not later:
        return ""
    latest = max(later, key=lambda p: periods.parse(p.period).end)
    if not years:
        return _(
            "%(measure)s has no whole years yet, only figures for parts of a year (latest: "
            "%(period)s); they are on its own page."
        ) % {"measure": series.measure.name, "period": latest.label}
    return _(
        "%(measure)s also has figures for part of a later year (latest: %(period)s); a part of "
        "a year is only compared with the same months of a year before, on its own page."
    ) % {"measure": series.measure.name, "period": latest.label}


def _series_label(series: insight.Series) -> str:
    """A series named with its source, where two series of one thing stand side by side."""
    tables = ", ".join(dict.fromkeys(t for p in series.points for t in p.tables))
    return _("%(measure)s – %(source)s, table %(tables)s") % {
        "measure": series.measure.name,
        "source": series.measure.get_source_display(),
        "tables": tables or "–",
    }


def _section_charts(
    key: str,
    members: Sequence[insight.Series],
    names: dict[str, str],
    *,
    together: bool = False,
) -> list[charts.Chart]:
    """Per unit: the members' whole years as a line (one member) or small multiples of lines
    (several); members with a single year are in the table, not drawn as single bars.
    ``together``: the members measure one thing (two totals): one chart, a line per member
    with a legend naming each by ``names``."""
    by_unit: dict[tuple[str, str], list[insight.Series]] = {}
    for series in members:
        source = series.measure.source
        family = Source.POLITIE if source in (Source.CBS, Source.DERIVED) else source
        by_unit.setdefault((str(series.measure.unit), str(family)), []).append(series)
    built: list[charts.Chart] = []
    for index, ((unit, source), group) in enumerate(by_unit.items()):
        rows = [
            row
            for series in group
            for row in _year_rows(series, names.get(series.measure.code, ""))
        ]
        if not rows:
            continue
        value = value_column(unit, source)
        drawn = [s for s in group if sum(1 for p in s.years() if p.value is not None) >= 2]
        title = _("Per year: %(what)s") % {"what": value.label.lower()}
        table = charts.ChartTable(
            key=f"sectie-{key}" + (f"-{index + 1}" if index else ""),
            title=title,
            columns=_year_columns(value),
            rows=rows,
            sources=_sources(group),
        )
        spec = None
        named = {str(r["measure"]) for r in rows if r["value"] is not None}
        if together and len(named) > 1:
            spec = charts.line_series(
                charts.ChartTable(
                    key=table.key,
                    title=title,
                    columns=table.columns,
                    rows=[r for r in rows if r["value"] is not None],
                ),
                x="year",
                y="value",
                color="measure",
                highlight="covid",
                description=_("Line chart per year of %(measures)s, one line each.")
                % {"measures": and_list(sorted(named))},
            )
        elif len(drawn) == 1:
            only = drawn[0].measure.name
            names_drawn = names.get(drawn[0].measure.code, only)
            spec = charts.line_series(
                charts.ChartTable(
                    key=table.key,
                    title=title,
                    columns=table.columns,
                    rows=[r for r in rows if r["measure"] == names_drawn],
                ),
                x="year",
                y="value",
                highlight="covid",
                description=_("Line chart of %(measure)s per year.") % {"measure": names_drawn},
            )
        elif len(drawn) > 1:
            shown = {names.get(s.measure.code, s.measure.name) for s in drawn}
            spec = charts.small_multiples(
                charts.ChartTable(
                    key=table.key,
                    title=title,
                    columns=table.columns,
                    rows=[r for r in rows if r["measure"] in shown],
                ),
                x="year",
                y="value",
                facet="measure",
                highlight="covid",
            )
        description = _("%(what)s per year of %(measures)s; the figures are in the table.") % {
            "what": value.label,
            "measures": and_list(list(dict.fromkeys(str(r["measure"]) for r in rows))),
        }
        built.append(charts.Chart(table, spec, description=description))
    return built


def overview(organisation: Organisation, area: Area) -> Overview:
    """Tiles and one section per theme for a gemeente (or wijk/buurt); a theme without figures
    says which source would provide them."""
    measures = insight.measures_with_data(organisation, area)
    loaded = insight.load_series(organisation, [area], measures)
    by_section: dict[str, list[insight.Series]] = {}
    for measure in measures:
        series = loaded[(area.pk, measure.pk)]
        if not series.points:
            continue
        by_section.setdefault(_section_of(measure), []).append(series)
    sections: list[Section] = []
    # the comparison areas, found once for every section that compares
    others = _comparison_others(area) if area.level == AreaLevel.GEMEENTE else []
    for key, title in section_titles():
        members = lead_order(by_section.get(key, []))
        section = _section(organisation, area, key, title, members, others)
        sections.append(section)
    return Overview(
        area=area, tiles=_tiles(organisation, area, loaded, measures), sections=sections
    )


def _section(
    organisation: Organisation,
    area: Area,
    key: str,
    title: str,
    members: list[insight.Series],
    others: Sequence[Area] = (),
) -> Section:
    present = {s.measure.code for s in members if any(p.value is not None for p in s.years())}
    reasons: list[Reason] = []
    if key == "hic":
        reasons += _hic_missing(present, present & set(HIC_TOTALS))
        # the totals computed from the police types first: the section's sentence is about the
        # total when there is one (a gemeente's own total follows the rule of lead_order)
        order = {code: i for i, code in enumerate(HIC_TOTALS) if code.startswith("derived:")}
        members = sorted(members, key=lambda s: order.get(s.measure.code, len(order)))
    elif key == "ondermijning":
        found = _missing_types(present, ONDERMIJNING_CODES)
        if found is not None:
            reasons.append(found)
    # cybercrime: a series of the theme (the police's or the gemeente's own) is enough; the
    # empty theme says why below
    if not members:
        reason = _empty_reason(key)
        return Section(
            key=key,
            title=title,
            sentence="",
            chart=None,
            measures=[],
            missing=[reason.sentence],
            help_key=_HELP.get(key, ""),
            technical=[reason.technical] if reason.technical else [],
            uploadable=reason.uploadable,
        )
    missing = [r.sentence for r in reasons]
    technical = [r.technical for r in reasons if r.technical]
    yearly = [whole_years(s) for s in members]
    sentence = section_sentence(yearly)
    sentences = [line for s in members if (line := _later_parts(s))]
    if key == "total" and len(present) > 1:
        sentences.append(
            _(
                "The police and CBS count the total differently (their own classification of "
                "crimes, and another moment of counting), so the two totals differ a little; "
                "compare each only with itself."
            )
        )
    together = key == "total" and len(present) > 1
    names = {s.measure.code: _series_label(s) for s in members} if together else {}
    built = _section_charts(key, members, names, together=together)
    extra: list[charts.Chart] = []
    if key in COMPARED_SECTIONS and area.level == AreaLevel.GEMEENTE:
        comparison = best_comparison(
            organisation,
            area,
            [s.measure for s in members],
            key=f"sectie-{key}-vergelijking",
            others=others,
        )
        if comparison is not None:
            extra.append(comparison)
    return Section(
        key=key,
        title=title,
        sentence=sentence if sentence != _("No figures yet.") else "",
        chart=built[0] if built else None,
        measures=[m.measure for m in members],
        sentences=sentences,
        extra_charts=built[1:] + extra,
        missing=missing,
        help_key=_HELP.get(key, ""),
        technical=technical,
        uploadable=any(r.uploadable for r in reasons),
    )


#: The sections compared with regions and peers (:func:`best_comparison`).
COMPARED_SECTIONS = ("total", "hic", "ondermijning")


def _sources(members: Sequence[insight.Series]) -> list[str]:
    """One line per measure: its tables, latest import and statuses (no codes: those are in the
    technical details of the measure page)."""
    lines: list[str] = []
    for series in members:
        tables = dict.fromkeys(t for p in series.points for t in p.tables)
        latest = max((p.vintage for p in series.points if p.vintage), default=None)
        statuses = sorted({insight.status_label(p.status) for p in series.points})
        line = _("%(measure)s: %(tables)s; latest import %(vintage)s; %(status)s") % {
            "measure": series.measure.name,
            "tables": ", ".join(tables),
            "vintage": f"{latest:%d-%m-%Y}" if latest else "–",
            "status": ", ".join(statuses),
        }
        if series.measure.is_derived:
            line += " " + _("(computed on read from its parts)")
        lines.append(line)
    return lines


# --- Tiles -----


_TOTALS = TOTAL_CODES
_HIC = ("derived:hic-breed", "derived:hic-kern", "local:high_impact_crimes")


def _pick(
    area: Area,
    loaded: dict[tuple[int, int], insight.Series],
    measures: list[Measure],
    codes: Sequence[str],
) -> insight.Series | None:
    by_code = {m.code: m for m in measures}
    for code in codes:
        measure = by_code.get(code)
        if measure is not None:
            series = loaded[(area.pk, measure.pk)]
            if any(p.value is not None for p in series.years()):
                return series
    return None


def _tiles(
    organisation: Organisation,
    area: Area,
    loaded: dict[tuple[int, int], insight.Series],
    measures: list[Measure],
) -> list[Tile]:
    tiles: list[Tile] = []
    total = _pick(area, loaded, measures, _TOTALS)
    if total is not None:
        tiles.append(_count_tile(organisation, "totaal", _("Total registered crime"), total))
    hic = _pick(area, loaded, measures, _HIC)
    if hic is not None:
        tiles.append(_count_tile(organisation, "hic", _("High impact crimes"), hic))
    perception = [m for m in measures if m.unit == Unit.GRADE]
    for measure in perception[:1]:
        series = loaded[(area.pk, measure.pk)]
        latest = series.latest()
        if latest is None:
            continue
        margin = latest.margin
        tiles.append(
            Tile(
                key="beleving",
                title=measure.name,
                value=wording.num(latest.value, 1),
                detail=[
                    latest.label,
                    _("95%% margin of the survey: %(low)s–%(high)s")
                    % {"low": wording.num(margin[0], 1), "high": wording.num(margin[1], 1)}
                    if margin is not None
                    else _(
                        "The survey's margin is not in the data: small differences may be chance."
                    ),
                ],
                sources=[latest.source_line],
                measure=measure.code,
            )
        )
    return tiles


def _count_tile(organisation: Organisation, key: str, title: str, series: insight.Series) -> Tile:
    years = [p for p in series.years() if p.value is not None]
    latest = years[-1]
    area = series.area
    detail: list[str] = [latest.label]
    sources = [latest.source_line]
    people = insight.populations([area], [latest.year], organisation=organisation)
    own_rate = insight.rate(latest, people.get((area.pk, latest.year)), kind=series.kind)
    if own_rate is not None:
        detail.append(
            _("%(rate)s per 1,000 inhabitants (95%% interval %(low)s–%(high)s)")
            % {
                "rate": wording.num(own_rate.value, 1),
                "low": wording.num(own_rate.lower, 1),
                "high": wording.num(own_rate.upper, 1),
            }
        )
        for region in _regions(area):
            region_series = insight.load_series(organisation, [region], [series.measure])[
                (region.pk, series.measure.pk)
            ]
            point = next(
                (
                    p
                    for p in insight.area_years(
                        organisation, region, series.measure, region_series, years=[latest.year]
                    )
                    if p.year == latest.year
                ),
                None,
            )
            region_people = insight.populations(
                [region], [latest.year], organisation=organisation
            ).get((region.pk, latest.year))
            region_rate = (
                insight.rate(point, region_people, kind=series.kind) if point is not None else None
            )
            if region_rate is None or point is None:
                continue
            rest = _rest_of_region(point.value, region_rate.population, latest.value, own_rate)
            if rest is None:
                continue  # the region is this area itself: nothing to compare with
            rest_count, rest_people = rest
            test = stats.compare_counts(
                rest_count,
                latest.value or 0.0,
                exposure_before=float(rest_people),
                exposure_after=float(own_rate.population),
            )
            detail.append(
                _(
                    "%(region)s: %(rate)s per 1,000; %(area)s against the rest of the region "
                    "(%(rest)s per 1,000): %(verdict)s"
                )
                % {
                    "region": region.name
                    if region.level == AreaLevel.NL
                    else f"{region.get_level_display()} {region.name}",
                    "rate": wording.num(region_rate.value, 1),
                    "area": area.name,
                    "rest": wording.num(1000.0 * rest_count / rest_people, 1),
                    "verdict": _relative(test),
                }
            )
            sources.append(f"{region.name}: {point.source_line}")
    change = _latest(whole_years(series))
    if change is not None:
        detail.append(change.sentence)
    return Tile(
        key=key,
        title=title,
        value=wording.num(latest.value),
        detail=detail,
        sources=sources,
        measure=series.measure.code,
    )


def _rest_of_region(
    region_count: float | None,
    region_people: int,
    own_count: float | None,
    own_rate: stats.Rate,
) -> tuple[float, int] | None:
    """The region without the area (count, inhabitants); None when nothing else is left (the
    region is the area itself) or the figures do not add up."""
    if region_count is None or own_count is None:
        return None
    rest_count = region_count - own_count
    rest_people = region_people - own_rate.population
    if rest_people <= 0 or rest_count < 0 or not float(rest_count).is_integer():
        return None
    return rest_count, rest_people


def _relative(test: stats.CountComparison) -> str:
    if test.verdict == stats.Verdict.HIGHER:
        return _("higher, beyond chance")
    if test.verdict == stats.Verdict.LOWER:
        return _("lower, beyond chance")
    return _("no difference beyond chance")


def _regions(area: Area) -> list[Area]:
    """The politie-eenheid and the Netherlands: each once, never the area itself."""
    regions = [a for a in (area.politie_eenheid,) if a is not None]
    nl = Area.objects.filter(level=AreaLevel.NL).first()
    if nl is not None:
        regions.append(nl)
    return list({a.pk: a for a in regions if a.pk != area.pk}.values())


# --- Geometry -----


@functools.cache
def gemeente_boundaries() -> dict[str, Any]:
    """The shipped gemeente boundaries (CBS 2022, see PROVENANCE.md)."""
    path = catalogue.DATA / "cbs" / "gemeenten_2022_83648NED_2022.geojson"
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def boundaries_of(codes: set[str]) -> dict[str, Any]:
    data = gemeente_boundaries()
    return {
        **data,
        "features": [
            f for f in data.get("features", []) if f.get("properties", {}).get("statcode") in codes
        ],
    }


# --- The measure page -----


@dataclass
class MeasurePage:
    area: Area
    measure: Measure
    per_1000: bool
    baseline: stats.Baseline
    exclude_covid: bool
    compare_with: list[Area]
    charts: dict[str, charts.Chart]
    sentences: list[str]
    trend: str
    ranking_note: str = ""
    small_areas: list[dict[str, Any]] = field(default_factory=list)

    @property
    def has_provisional(self) -> bool:
        """Whether a figure on the page is voorlopig (its explanation then goes beside it)."""
        provisional = {insight.status_label("voorlopig"), insight.status_label("nader_voorlopig")}
        return any(
            str(row.get("status", "")) in provisional
            for chart in self.charts.values()
            for row in chart.table.rows
        )

    @property
    def description(self) -> str:
        return plain_description(self.measure)

    @property
    def source_description(self) -> str:
        return technical_description(self.measure)

    @property
    def can_rate(self) -> bool:
        """Rates per 1,000 with an interval: counts of events only (not stocks or amounts)."""
        return self.measure.kind == MeasureKind.EVENT_COUNT


#: What makes a source's description technical: incident codes of the police classification
#: ("A20", "F5293"), police type codes ("1.4.6"), stored measure codes and web addresses.
_TECHNICAL = re.compile(
    r"\b[A-Z]{1,2}\d{2,5}\b|\b\d+\.\d+\.\d+\b|https?://|www\.|"
    r"\b(?:politie|cbs|local|vm|overlast|derived):"
)


def plain_description(measure: Measure) -> str:
    """The measure's description as one plain Dutch line for the top of its page, or "" when
    the source's text is a classification list (incident codes, addresses): that text is for
    the technical details (:func:`technical_description`)."""
    text = " ".join((measure.description or "").split())
    if not text or text == '"NA"' or _TECHNICAL.search(text):
        return ""
    first = text.split(". ", 1)[0].rstrip(".")
    return f"{first}." if len(first) <= 200 else ""


def technical_description(measure: Measure) -> str:
    """The source's full description when it is not shown as the plain line, else ""."""
    text = " ".join((measure.description or "").split())
    if not text or text == '"NA"' or plain_description(measure) == text:
        return ""
    return text


def _value_column(per_1000: bool, unit: str, source: str = "") -> charts.Column:
    return value_column(unit, source, per_1000=per_1000)


def measure_page(
    organisation: Organisation,
    area: Area,
    measure: Measure,
    *,
    per_1000: bool = False,
    compare_codes: Sequence[str] = (),
    baseline: stats.Baseline = stats.Baseline.Y2019,
    exclude_covid: bool = False,
) -> MeasurePage:
    # Rates, intervals and trends are for counts of events only (not stocks or amounts).
    is_count = measure.kind == MeasureKind.EVENT_COUNT
    per_1000 = per_1000 and is_count
    extra = list(Area.objects.filter(code__in=[c.strip().upper() for c in compare_codes]))
    areas = [area, *{a.pk: a for a in extra if a.pk != area.pk}.values()]
    loaded = insight.load_series(organisation, areas, [measure])
    own = loaded[(area.pk, measure.pk)]
    years_by_area = {
        a.pk: insight.area_years(organisation, a, measure, loaded[(a.pk, measure.pk)])
        for a in areas
    }
    all_years = {p.year for points in years_by_area.values() for p in points}
    people = insight.populations(areas, all_years, organisation=organisation)
    built: dict[str, charts.Chart] = {}

    # 1. Whole years, per area (own area first), as counts or per 1,000 with intervals.
    rows: list[dict[str, Any]] = []
    for a in areas:
        for point in years_by_area[a.pk]:
            row: dict[str, Any] = {
                "area": _area_name(a),
                "year": point.year,
                "count": point.value,
                "population": people.get((a.pk, point.year)),
                "value": point.value,
                "lower": None,
                "upper": None,
                "status": insight.status_label(point.status),
                "source": point.source_line,
                "covid": _is_covid(point.year),
            }
            if per_1000:
                found = insight.rate(point, people.get((a.pk, point.year)), kind=measure.kind)
                row["value"] = found.value if found else None
                row["lower"] = found.lower if found else None
                row["upper"] = found.upper if found else None
            rows.append(row)
    columns = [
        charts.Column("area", _("Area"), "text"),
        charts.Column("year", _("Year"), "period"),
        _value_column(per_1000, measure.unit, measure.source),
    ]
    if per_1000:
        columns += [
            charts.Column("lower", _("Lower bound (95%)"), "number", 1),
            charts.Column("upper", _("Upper bound (95%)"), "number", 1),
            charts.Column("count", _("Number"), "integer"),
            charts.Column("population", _("Inhabitants on 1 January"), "integer"),
        ]
    columns += [
        charts.Column("status", _("Status"), "text"),
        charts.Column("source", _("Source"), "text"),
        charts.Column("covid", _("COVID year"), "text"),
    ]
    year_table = charts.ChartTable(
        key="per-jaar",
        title=_("%(measure)s per year") % {"measure": measure.name}
        + (" – " + _("per 1,000 inhabitants") if per_1000 else ""),
        columns=columns,
        rows=rows,
        sources=sorted({str(r["source"]) for r in rows}),
        note=" ".join(
            [
                _("COVID years 2020 and 2021 are marked: they were abnormal.") if rows else "",
                *[
                    _("%(area)s has no figures for this measure in the loaded sources.")
                    % {"area": _area_name(a)}
                    for a in areas[1:]
                    if not any(p.value is not None for p in years_by_area[a.pk])
                ],
            ]
        ).strip(),
    )
    if rows:
        built["per-jaar"] = charts.Chart(
            year_table,
            charts.line_series(
                year_table,
                x="year",
                y="value",
                color="area" if len(areas) > 1 else None,
                lower="lower" if per_1000 else None,
                upper="upper" if per_1000 else None,
                highlight="covid",
            ),
            description=year_table.title,
        )

    # 2. Months with the rolling twelve-month sum.
    months = own.months()
    if months:
        monthly = {(p.year, p.month or 0): p.value for p in months}
        rolling = dict(stats.rolling_12(monthly))
        month_rows = [
            {
                "month": f"{p.year}-{p.month:02d}",
                "label": p.label,
                "value": p.value,
                "rolling": rolling.get((p.year, p.month or 0)),
                "status": insight.status_label(p.status),
                "source": p.source_line,
            }
            for p in months
        ]
        month_table = charts.ChartTable(
            key="per-maand",
            title=_("%(measure)s per month") % {"measure": measure.name},
            columns=[
                charts.Column("month", _("Month"), "period"),
                charts.Column("label", _("Period"), "text"),
                _value_column(False, measure.unit, measure.source),
                charts.Column("rolling", _("Sum of the last twelve months (number)"), "integer"),
                charts.Column("status", _("Status"), "text"),
                charts.Column("source", _("Source"), "text"),
            ],
            rows=month_rows,
            sources=sorted({str(r["source"]) for r in month_rows}),
            note=_("The rolling sum covers the twelve months up to and including each month."),
        )
        built["per-maand"] = charts.Chart(
            month_table,
            charts.line_series(month_table, x="month", y="value"),
            description=month_table.title,
        )
        if any(r["rolling"] is not None for r in month_rows):
            rolling_table = charts.ChartTable(
                key="twaalf-maanden",
                title=_("%(measure)s, rolling twelve months") % {"measure": measure.name},
                columns=month_table.columns,
                rows=[r for r in month_rows if r["rolling"] is not None],
                sources=month_table.sources,
                note=month_table.note,
            )
            built["twaalf-maanden"] = charts.Chart(
                rolling_table,
                charts.line_series(rolling_table, x="month", y="rolling"),
                description=rolling_table.title,
            )

    # 3. Sentences: latest against its alike predecessor, and against the baseline.
    sentences: list[str] = []
    latest = _latest(own)
    if latest is not None:
        sentences.append(latest.sentence)
    own_years = {p.year: p.value for p in years_by_area[area.pk]}
    base = stats.baseline_value(own_years, baseline)
    whole = [p for p in years_by_area[area.pk] if p.value is not None]
    if base is not None and whole and whole[-1].year > max(stats.baseline_years(baseline)):
        last = whole[-1]
        n = len(stats.baseline_years(baseline))
        label = _("the mean of %(years)s") % {"years": baseline.value} if n > 1 else baseline.value
        assert last.value is not None  # noqa: S101 - filtered above
        test = (
            stats.compare_counts(base * n, last.value, exposure_before=float(n))
            if own.is_count and float(base * n).is_integer()
            else None
        )
        sentences.append(
            wording.change(
                measure.name,
                (base, str(label)),
                (last.value, _named(last)),
                last.value - base,
                test.percent_change if test else None,
                test,
                unit=measure.unit,
                kind=own.kind,
            )
        )

    # 4. Trend over whole years with a population offset.
    trend_text = ""
    if is_count:
        trend_text = insight.year_trend(
            own, years_by_area[area.pk], people, exclude_covid=exclude_covid
        ).sentence

    page = MeasurePage(
        area=area,
        measure=measure,
        per_1000=per_1000,
        baseline=baseline,
        exclude_covid=exclude_covid,
        compare_with=areas[1:],
        charts=built,
        sentences=sentences,
        trend=trend_text,
    )
    if is_count and area.level == AreaLevel.GEMEENTE:
        _add_comparisons(organisation, page, compare_codes, years_by_area[area.pk])
    return page


#: Buurten and wijken with fewer inhabitants than this give unreliable rates.
SMALL_POPULATION = 500


def _area_name(area: Area) -> str:
    if area.level in (AreaLevel.POLITIE_EENHEID, AreaLevel.VEILIGHEIDSREGIO):
        return f"{area.get_level_display()} {area.name}"
    return area.name


def _comparison_others(area: Area, peer_codes: Sequence[str] = ()) -> list[Area]:
    """The regions, the Netherlands and the peers: never the area itself, each once."""
    others = insight.comparison_areas(area, [c for c in peer_codes if c.upper().startswith("GM")])
    return list({a.pk: a for a in others if a.pk != area.pk and a.code != area.code}.values())


def _gap_reason(
    organisation: Organisation, other: Area, measure: Measure, year: int, has_point: bool
) -> str:
    """Why a comparison area has no rate for ``year``, as it is (a region's figures may be
    loaded but not added up)."""
    if has_point:
        return _("no population on 1 January %(year)s") % {"year": str(year)}
    gap = "no_figures"
    if other.level != AreaLevel.GEMEENTE:
        gap = insight.region_gap(organisation, other, measure, year)
    values = {"year": str(year)}
    if gap == "region_population":
        return (
            _(
                "its gemeenten have figures for %(year)s, but the region's population on 1 "
                "January %(year)s is not known, so they are not added up"
            )
            % values
        )
    if gap == "gemeente_population":
        return (
            _(
                "its gemeenten have figures for %(year)s, but not every one of them has a "
                "population on 1 January %(year)s, so they are not added up"
            )
            % values
        )
    if gap == "missing_gemeenten":
        return (
            _(
                "not every gemeente of the region has a figure for %(year)s, so they are not "
                "added up"
            )
            % values
        )
    return _("no figure for %(year)s in the loaded sources") % values


def best_comparison(
    organisation: Organisation,
    area: Area,
    candidates: Sequence[Measure],
    *,
    key: str,
    others: Sequence[Area] | None = None,
) -> charts.Chart | None:
    """The comparison of the candidate (in the given order) and whole year where the most
    comparison areas have a published figure of their own; ties go to the later year, then to
    the earlier candidate. Regions' sums of gemeenten are only worked out for the chosen one
    (:func:`compare_areas` then picks its year with them), which keeps the overview cheap."""
    counts = [
        m for m in candidates if m.kind == MeasureKind.EVENT_COUNT and m.organisation_id is None
    ]
    if not counts:
        return None
    others = list(others) if others is not None else _comparison_others(area)
    loaded = insight.load_series(organisation, [area, *others], counts)

    def score(measure: Measure) -> tuple[int, int]:
        own = {p.year for p in loaded[(area.pk, measure.pk)].years() if p.value is not None}
        held = [
            {p.year for p in loaded[(a.pk, measure.pk)].years() if p.value is not None}
            for a in others
        ]
        return max(((sum(1 for h in held if y in h), y) for y in own), default=(-1, 0))

    scored = [(score(m), -i, m) for i, m in enumerate(counts)]
    (found, _year), _index, chosen = max(scored, key=lambda item: (item[0], item[1]))
    if found < 0:
        return None
    return compare_areas(organisation, area, chosen, key=key, others=others)


def compare_areas(
    organisation: Organisation,
    area: Area,
    measure: Measure,
    *,
    key: str = "vergelijking",
    peer_codes: Sequence[str] = (),
    others: Sequence[Area] | None = None,
) -> charts.Chart | None:
    """The gemeente per 1,000 inhabitants against its politie-eenheid, veiligheidsregio, the
    Netherlands and gemeenten of similar size, in the whole year of the gemeente where the
    most of them have a figure (ties: the later year); the comparison areas without a figure
    are named with the true reason (:func:`_gap_reason`).

    None when the gemeente has no rate at all (stocks and amounts have no rate per 1,000)."""
    if measure.kind != MeasureKind.EVENT_COUNT:
        return None
    others = list(others) if others is not None else _comparison_others(area, peer_codes)
    everyone = [area, *others]
    loaded = insight.load_series(organisation, everyone, [measure])
    own_years = sorted(
        (p.year for p in loaded[(area.pk, measure.pk)].years() if p.value is not None),
        reverse=True,
    )
    if not own_years:
        return None
    points = {
        a.pk: {
            p.year: p
            for p in insight.area_years(
                organisation, a, measure, loaded[(a.pk, measure.pk)], years=own_years
            )
            if p.value is not None
        }
        for a in everyone
    }
    people = insight.populations(everyone, list(points[area.pk]), organisation=organisation)
    own_years = [y for y in points[area.pk] if (area.pk, y) in people]
    if not own_years:
        return None

    def covered(y: int) -> int:
        return sum(1 for a in others if y in points[a.pk] and (a.pk, y) in people)

    year = max(own_years, key=lambda y: (covered(y), y))
    own_point = points[area.pk][year]
    rows: list[dict[str, Any]] = []
    missing: list[str] = []
    for a in everyone:
        point = points[a.pk].get(year)
        found = insight.rate(point, people.get((a.pk, year)), kind=measure.kind) if point else None
        if point is None or found is None:
            if a.pk == area.pk:
                return None
            reason = _gap_reason(organisation, a, measure, year, point is not None)
            missing.append(f"{_area_name(a)} ({reason})")
            continue
        rows.append(
            {
                "area": _area_name(a),
                "code": a.code,
                "value": found.value,
                "lower": found.lower,
                "upper": found.upper,
                "count": point.value,
                "population": found.population,
                "own": a.pk == area.pk,
                "source": point.source_line,
            }
        )
    about = _(
        "The politie-eenheid, the veiligheidsregio, the Netherlands and five gemeenten of similar "
        "population; intervals are exact 95%% Poisson intervals."
    )
    note = about % {}  # the msgid is a format string ("95%%"): formatting makes it "95%"
    if missing:
        note += " " + ngettext(
            "Without a figure for %(year)s: %(areas)s.",
            "Without a figure for %(year)s: %(areas)s.",
            len(missing),
        ) % {"year": str(year), "areas": "; ".join(missing)}
    table = charts.ChartTable(
        key=key,
        title=_("%(measure)s per 1,000 inhabitants in %(year)s (%(source)s): comparison")
        % {"measure": measure.name, "year": str(year), "source": _source_name(measure, own_point)},
        columns=[
            charts.Column("area", _("Area"), "text"),
            charts.Column("code", _("Area code"), "text"),
            charts.Column("value", _("Per 1,000 inhabitants"), "number", 1),
            charts.Column("lower", _("Lower bound (95%)"), "number", 1),
            charts.Column("upper", _("Upper bound (95%)"), "number", 1),
            charts.Column("count", value_label(measure.unit, measure.source), "integer"),
            charts.Column("population", _("Inhabitants on 1 January"), "integer"),
            charts.Column("own", _("Own gemeente"), "text"),
            charts.Column("source", _("Source"), "text"),
        ],
        rows=sorted(rows, key=lambda r: -r["value"]),
        sources=sorted({str(r["source"]) for r in rows}),
        note=note,
    )
    spec = (
        charts.ranking(
            table, label="area", value="value", lower="lower", upper="upper", highlight="own"
        )
        if len(rows) > 1
        else None
    )
    return charts.Chart(table, spec, description=table.title)


def _source_name(measure: Measure, point: insight.Point) -> str:
    """The source of a figure in a title: "CBS, table 83648NED"."""
    tables = ", ".join(dict.fromkeys(point.tables))
    source = str(measure.get_source_display())
    if not tables:
        return source
    return _("%(source)s, table %(tables)s") % {"source": source, "tables": tables}


def _add_comparisons(
    organisation: Organisation,
    page: MeasurePage,
    peer_codes: Sequence[str],
    own: Sequence[insight.Point],
) -> None:
    """Ranking against regions and peers, a map of the politie-eenheid, and wijken/buurten."""
    area, measure = page.area, page.measure
    own_years = [p for p in own if p.value is not None]
    if not own_years:
        return
    year = own_years[-1].year
    comparison = compare_areas(organisation, area, measure, peer_codes=peer_codes)
    if comparison is not None:
        page.charts["vergelijking"] = comparison
    # The map: every gemeente of the politie-eenheid with a figure that year.
    region = area.politie_eenheid
    if region is not None:
        gemeenten = insight.members(region, former=False)
        series_map = insight.load_series(organisation, gemeenten, [measure])
        people_map = insight.populations(gemeenten, [year], organisation=organisation)
        map_rows = []
        for g in gemeenten:
            point = next(
                (p for p in series_map[(g.pk, measure.pk)].years() if p.year == year), None
            )
            found = (
                insight.rate(point, people_map.get((g.pk, year)), kind=measure.kind)
                if point
                else None
            )
            if found is None or point is None:
                continue
            map_rows.append(
                {
                    "code": g.code,
                    "area": g.name,
                    "value": found.value,
                    "count": point.value,
                    "population": found.population,
                    "small": found.population < SMALL_POPULATION,
                    "source": point.source_line,
                }
            )
        if len(map_rows) > 1:
            map_table = charts.ChartTable(
                key="kaart",
                title=_(
                    "%(measure)s per 1,000 inhabitants in %(year)d: gemeenten of politie-eenheid "
                    "%(region)s"
                )
                % {"measure": measure.name, "year": year, "region": region.name},
                columns=[
                    charts.Column("code", _("Code"), "text"),
                    charts.Column("area", _("Area"), "text"),
                    charts.Column("value", _("Per 1,000 inhabitants"), "number", 1),
                    charts.Column("count", _("Number"), "integer"),
                    charts.Column("population", _("Inhabitants on 1 January"), "integer"),
                    charts.Column("small", _("Small population (unreliable)"), "text"),
                    charts.Column("source", _("Source"), "text"),
                ],
                rows=map_rows,
                sources=sorted({str(r["source"]) for r in map_rows}),
                note=_("Boundaries: CBS gemeenten 2022."),
            )
            geo = boundaries_of({str(r["code"]) for r in map_rows})
            page.charts["kaart"] = charts.Chart(
                map_table,
                charts.choropleth(
                    map_table,
                    geojson=geo,
                    key="code",
                    value="value",
                    flag="small",
                    own=area.code,
                    own_label=_("%(area)s (own gemeente)") % {"area": area.name},
                )
                if geo["features"]
                else None,
                description=map_table.title,
            )
    # Wijken and buurten of the gemeente.
    parts = list(Area.objects.filter(parent=area, level=AreaLevel.WIJK, active=True)) + list(
        Area.objects.filter(parent__parent=area, level=AreaLevel.BUURT, active=True)
    )
    if parts:
        series_parts = insight.load_series(organisation, parts, [measure])
        latest_parts = {
            part.pk: points[-1]
            for part in parts
            if (
                points := [
                    p for p in series_parts[(part.pk, measure.pk)].years() if p.value is not None
                ]
            )
        }
        people_parts = insight.populations(
            parts, {p.year for p in latest_parts.values()}, organisation=organisation
        )
        small_rows = []
        for part in sorted(parts, key=lambda a: a.code):
            last = latest_parts.get(part.pk)
            if last is None:
                continue
            people_part = people_parts.get((part.pk, last.year))
            found = insight.rate(last, people_part, kind=measure.kind)
            small_rows.append(
                {
                    "code": part.code,
                    "area": part.name,
                    "level": part.get_level_display(),
                    "year": last.year,
                    "count": last.value,
                    "population": people_part,
                    "value": found.value if found else None,
                    "lower": found.lower if found else None,
                    "upper": found.upper if found else None,
                    "small": bool(people_part is None or people_part < SMALL_POPULATION),
                    "source": last.source_line,
                }
            )
        if small_rows:
            table = charts.ChartTable(
                key="wijken-buurten",
                title=_("%(measure)s in wijken and buurten") % {"measure": measure.name},
                columns=[
                    charts.Column("code", _("Code"), "text"),
                    charts.Column("area", _("Area"), "text"),
                    charts.Column("level", _("Level"), "text"),
                    charts.Column("year", _("Year"), "period"),
                    charts.Column("count", _("Number"), "integer"),
                    charts.Column("population", _("Inhabitants on 1 January"), "integer"),
                    charts.Column("value", _("Per 1,000 inhabitants"), "number", 1),
                    charts.Column("lower", _("Lower bound (95%)"), "number", 1),
                    charts.Column("upper", _("Upper bound (95%)"), "number", 1),
                    charts.Column("small", _("Small population (unreliable)"), "text"),
                    charts.Column("source", _("Source"), "text"),
                ],
                rows=small_rows,
                sources=sorted({str(r["source"]) for r in small_rows}),
                note=_(
                    "Areas with fewer than %(n)d inhabitants are flagged: their rates are "
                    "unreliable."
                )
                % {"n": SMALL_POPULATION},
            )
            page.charts["wijken-buurten"] = charts.Chart(table, None, description=table.title)
