"""The overview: its tiles and one section per theme, each with its charts and tables."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.translation import gettext as _

from regie.areas.models import Area, AreaLevel
from regie.core import charts, formats
from regie.core.models import Organisation
from regie.monitor import selectors
from regie.monitor.models import Source
from regie.veiligheidsbeeld import insight
from regie.veiligheidsbeeld.dashboard.comparisons import _comparison_others, best_comparison
from regie.veiligheidsbeeld.dashboard.missing import (
    Reason,
    _empty_reason,
    _hic_missing,
    _missing_types,
)
from regie.veiligheidsbeeld.dashboard.model import (
    _HELP,
    HIC_TOTALS,
    ONDERMIJNING_CODES,
    Overview,
    Section,
    _section_of,
    _year_columns,
    _year_rows,
    and_list,
    section_titles,
    value_column,
)
from regie.veiligheidsbeeld.dashboard.sentences import (
    _later_parts,
    _series_label,
    lead_order,
    section_sentence,
    whole_years,
)
from regie.veiligheidsbeeld.dashboard.tiles import _tiles


def _section_charts(
    key: str,
    members: Sequence[selectors.Series],
    names: dict[str, str],
    *,
    together: bool = False,
) -> list[charts.Chart]:
    """Per unit: the members' whole years as a line (one member) or small multiples of lines
    (several); members with a single year are in the table, not drawn as single bars.
    ``together``: the members measure one thing (two totals): one chart, a line per member
    with a legend naming each by ``names``."""
    by_unit: dict[tuple[str, str], list[selectors.Series]] = {}
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
    with selectors.reusing_sums():  # the tiles and the comparisons share the sums of regions
        return _overview(organisation, area)


def _overview(organisation: Organisation, area: Area) -> Overview:
    measures = insight.measures_with_data(organisation, area)
    loaded = selectors.load_series(organisation, [area], measures)
    by_section: dict[str, list[selectors.Series]] = {}
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
    members: list[selectors.Series],
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


def _sources(members: Sequence[selectors.Series]) -> list[str]:
    """One line per measure: its tables, latest import and statuses (no codes: those are in the
    technical details of the measure page)."""
    lines: list[str] = []
    for series in members:
        tables = dict.fromkeys(t for p in series.points for t in p.tables)
        latest = max((p.vintage for p in series.points if p.vintage), default=None)
        statuses = sorted({selectors.status_label(p.status) for p in series.points})
        line = _("%(measure)s: %(tables)s; latest import %(vintage)s; %(status)s") % {
            "measure": series.measure.name,
            "tables": ", ".join(tables),
            "vintage": formats.date(latest),
            "status": ", ".join(statuses),
        }
        if series.measure.is_derived:
            line += " " + _("(computed on read from its parts)")
        lines.append(line)
    return lines
