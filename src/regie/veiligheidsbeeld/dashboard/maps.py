"""The measure page's map of the politie-eenheid and its table of wijken and buurten."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from regie.areas.models import Area, AreaLevel
from regie.core import charts
from regie.core.models import Organisation
from regie.monitor import selectors
from regie.veiligheidsbeeld import insight
from regie.veiligheidsbeeld.dashboard.comparisons import compare_areas
from regie.veiligheidsbeeld.dashboard.model import SMALL_POPULATION

if TYPE_CHECKING:  # the page is built in .measure, which adds its comparisons from here
    from regie.veiligheidsbeeld.dashboard.measure import MeasurePage


def boundaries_of(codes: set[str]) -> dict[str, Any]:
    data = selectors.gemeente_boundaries()
    return {
        **data,
        "features": [
            f for f in data.get("features", []) if f.get("properties", {}).get("statcode") in codes
        ],
    }


def _add_comparisons(
    organisation: Organisation,
    page: MeasurePage,
    peer_codes: Sequence[str],
    own: Sequence[selectors.Point],
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
        gemeenten = selectors.members(region, former=False)
        series_map = selectors.load_series(organisation, gemeenten, [measure])
        people_map = selectors.populations(gemeenten, [year], organisation=organisation)
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
        series_parts = selectors.load_series(organisation, parts, [measure])
        latest_parts = {
            part.pk: points[-1]
            for part in parts
            if (
                points := [
                    p for p in series_parts[(part.pk, measure.pk)].years() if p.value is not None
                ]
            )
        }
        people_parts = selectors.populations(
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
