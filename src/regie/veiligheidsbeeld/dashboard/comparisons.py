"""The area per 1,000 inhabitants against its regions, the Netherlands and peers, in the year
most of them have a figure; areas without one are named with the true reason."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from regie.areas.models import Area, AreaLevel
from regie.core import charts
from regie.core.models import Organisation
from regie.monitor import selectors
from regie.monitor.models import Measure
from regie.veiligheidsbeeld import insight
from regie.veiligheidsbeeld.dashboard.model import _area_name, value_label


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
    counts = [m for m in candidates if m.is_event_count and m.organisation_id is None]
    if not counts:
        return None
    others = list(others) if others is not None else _comparison_others(area)
    loaded = selectors.load_series(organisation, [area, *others], counts)

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
    if not measure.is_event_count:
        return None
    others = list(others) if others is not None else _comparison_others(area, peer_codes)
    everyone = [area, *others]
    loaded = selectors.load_series(organisation, everyone, [measure])
    own_years = sorted(
        (p.year for p in loaded[(area.pk, measure.pk)].years() if p.value is not None),
        reverse=True,
    )
    if not own_years:
        return None

    def years_of(a: Area, years: list[int]) -> dict[int, selectors.Point]:
        found = selectors.area_years(
            organisation, a, measure, loaded[(a.pk, measure.pk)], years=years
        )
        return {p.year: p for p in found if p.value is not None}

    points = {area.pk: years_of(area, own_years)}
    people = selectors.populations(everyone, list(points[area.pk]), organisation=organisation)
    own_years = [y for y in points[area.pk] if (area.pk, y) in people]
    if not own_years:
        return None
    # The latest year first: when every comparison area has a rate then, no other year can do
    # better (ties go to the later year), and the sums of the other years are not needed.
    points.update({a.pk: years_of(a, [max(own_years)]) for a in others})

    def covered(y: int) -> int:
        return sum(1 for a in others if y in points[a.pk] and (a.pk, y) in people)

    if covered(max(own_years)) < len(others):
        points.update({a.pk: years_of(a, own_years) for a in others})
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


def _source_name(measure: Measure, point: selectors.Point) -> str:
    """The source of a figure in a title: "CBS, table 83648NED"."""
    tables = ", ".join(dict.fromkeys(point.tables))
    source = str(measure.get_source_display())
    if not tables:
        return source
    return _("%(source)s, table %(tables)s") % {"source": source, "tables": tables}
