"""Charts that compare areas: a ranking (dot plot) and a map (choropleth).

See :mod:`regie.core.charts` for the conventions every chart follows.
"""

from __future__ import annotations

from typing import Any

import altair as alt
from django.utils.translation import gettext as _

from regie.core.charts_encoding import (
    _MAP_AREAS,
    _MAP_ROWS,
    _datum,
    _field,
    _finish,
    _literal,
    _tooltips,
)
from regie.core.charts_table import FLAGGED_FILL, MAP_HEIGHT, NO_DATA_FILL, OWN, PRIMARY, ChartTable


def ranking(
    table: ChartTable,
    *,
    label: str,
    value: str,
    lower: str | None = None,
    upper: str | None = None,
    highlight: str | None = None,
    description: str = "",
) -> dict[str, Any]:
    """Horizontal dot plot sorted by value (highest on top), with interval bars.

    The rows where ``highlight`` (a boolean column) is true, e.g. the own gemeente, get a
    different colour, a diamond instead of a circle, a legend entry and a bold axis label.
    """
    l_col, v_col = table.column(label), table.column(value)
    sort = alt.EncodingSortField(field=_field(value), order="descending")
    y_enc = alt.Y(_field(label), type="nominal", title=None, sort=sort)
    if highlight is not None:
        own = [str(row[label]) for row in table.rows if row.get(highlight)]
        if own:
            test = " || ".join(f"datum.value === {_literal(name)}" for name in own)
            y_enc = alt.Y(
                _field(label),
                type="nominal",
                title=None,
                sort=sort,
                axis=alt.Axis(labelFontWeight=alt.ExprRef(f"({test}) ? 'bold' : 'normal'")),
            )
    x_scale = alt.Scale(zero=False, nice=True)
    tooltips, calculations = _tooltips(table, [label, value, lower, upper])
    base = alt.Chart().transform_calculate(**calculations) if calculations else alt.Chart()
    layers: list[alt.Chart] = []
    if lower is not None and upper is not None:
        layers.append(
            base.mark_rule(strokeWidth=2, color="#767676").encode(
                y=y_enc,
                x=alt.X(_field(lower), type="quantitative", title=v_col.label, scale=x_scale),
                x2=alt.X2(_field(upper)),
                tooltip=tooltips,
            )
        )
    point_enc: dict[str, Any] = {
        "y": y_enc,
        "x": alt.X(_field(value), type="quantitative", title=v_col.label, scale=x_scale),
        "tooltip": tooltips,
    }
    if highlight is not None:
        h_label = table.column(highlight).label
        base = base.transform_calculate(
            __category=f"{_datum(highlight)} ? {_literal(h_label)} : {_literal(v_col.label)}"
        )
        domain = [v_col.label, h_label]
        legend = alt.Legend(title=None)
        point_enc["color"] = alt.Color(
            "__category",
            type="nominal",
            scale=alt.Scale(domain=domain, range=[PRIMARY, OWN]),
            legend=legend,
        )
        point_enc["shape"] = alt.Shape(
            "__category",
            type="nominal",
            scale=alt.Scale(domain=domain, range=["circle", "diamond"]),
            legend=legend,
        )
        points = base.mark_point(filled=True, size=90, opacity=1)
    else:
        points = base.mark_point(filled=True, size=60, opacity=1, color=PRIMARY)
    layers.append(points.encode(**point_enc))
    chart = alt.layer(*layers, data=alt.InlineData(values=table.rows)).properties(
        width="container", height=alt.Step(18)
    )
    auto = _("Dot plot of %(value)s per %(label)s, sorted from high to low.") % {
        "value": v_col.label,
        "label": l_col.label,
    }
    return _finish(chart, description=description or auto)


def choropleth(
    table: ChartTable,
    *,
    geojson: dict[str, Any],
    key: str,
    value: str,
    flag: str | None = None,
    feature_key: str = "statcode",
    feature_name: str = "statnaam",
    own: str | None = None,
    own_label: str = "",
    description: str = "",
) -> dict[str, Any]:
    """A map of the GeoJSON polygons coloured by ``value``, joined on ``properties[feature_key]``.

    Areas without a row or with ``None`` are shown light grey ("not published"); rows where
    ``flag`` (a boolean column) is true, e.g. unreliable because of a tiny population, are shown
    grey with their own legend entry. Tooltips show ``properties[feature_name]`` and the value.
    ``own`` (a feature key, e.g. the own gemeente) is outlined in black with a legend entry
    (``own_label``) and named on the map; the legend of the colours is titled with the value
    column's label, which carries the unit ("Per 1.000 inwoners").
    """
    v_col = table.column(value)
    fields = [key, value] + ([flag] if flag else [])
    rows = [{k: row.get(k) for k in fields} for row in table.rows]
    features = [
        {
            "type": "Feature",
            "geometry": feature["geometry"],
            "properties": {
                feature_key: feature["properties"].get(feature_key),
                feature_name: feature["properties"].get(feature_name),
            },
        }
        for feature in geojson["features"]
    ]
    lookup = alt.LookupData(
        data=alt.NamedData(name=_MAP_ROWS), key=_field(key), fields=[_field(k) for k in fields[1:]]
    )
    name_tooltip = alt.Tooltip(f"properties.{feature_name}", type="nominal", title=_("Area"))
    value_tooltips, calculations = _tooltips(table, [value])
    not_published = _("Not published")
    projection = alt.Projection(type="mercator")
    # Features and rows go into `datasets` after to_dict(): Altair would hash and copy ~0.5 MB.
    base = alt.Chart().mark_geoshape(stroke="#FFFFFF", strokeWidth=0.5)
    joined = base.transform_lookup(lookup=f"properties.{feature_key}", from_=lookup)
    if calculations:
        joined = joined.transform_calculate(**calculations)
    valid = f"isValid({_datum(value)}) && isFinite({_datum(value)})"
    not_flagged = f" && !{_datum(flag)}" if flag else ""
    layers = [
        base.transform_calculate(__missing=_literal(not_published))
        .encode(
            color=alt.Color(
                "__missing",
                type="nominal",
                scale=alt.Scale(domain=[not_published], range=[NO_DATA_FILL]),
                legend=alt.Legend(title=None, symbolStrokeColor="#767676", symbolType="square"),
            ),
            tooltip=[name_tooltip],
        )
        .mark_geoshape(stroke="#767676", strokeWidth=0.5),
        joined.transform_filter(valid + not_flagged).encode(
            color=alt.Color(
                _field(value),
                type="quantitative",
                title=v_col.label,
                scale=alt.Scale(scheme={"name": "blues", "extent": [0.2, 1]}),
                legend=alt.Legend(
                    format=v_col.d3_format, direction="horizontal", gradientLength=220
                ),
            ),
            tooltip=[name_tooltip, *value_tooltips],
        ),
    ]
    if flag is not None:
        f_label = table.column(flag).label
        layers.append(
            joined.transform_filter(f"{_datum(flag)} === true")
            .transform_calculate(__flag=_literal(f_label))
            .encode(
                color=alt.Color(
                    "__flag",
                    type="nominal",
                    scale=alt.Scale(domain=[f_label], range=[FLAGGED_FILL]),
                    legend=alt.Legend(title=None, symbolType="square"),
                ),
                tooltip=[
                    name_tooltip,
                    *value_tooltips,
                    alt.Tooltip("__flag", type="nominal", title=_("Note")),
                ],
            )
        )
    centroid = None
    if own is not None:
        label = own_label or _("Own gemeente")
        layers.append(
            base.transform_filter(f"datum.properties[{_literal(feature_key)}] === {_literal(own)}")
            .transform_calculate(__own=_literal(label))
            .mark_geoshape(fillOpacity=0, strokeWidth=3, filled=False)
            .encode(
                stroke=alt.Stroke(
                    "__own",
                    type="nominal",
                    scale=alt.Scale(domain=[label], range=["#000000"]),
                    legend=alt.Legend(title=None, symbolType="square", symbolStrokeWidth=3),
                ),
                tooltip=[name_tooltip, alt.Tooltip("__own", type="nominal", title=_("Note"))],
            )
        )
        centroid = _centroid(geojson, feature_key, own)
        if centroid is not None:
            name = next(
                (
                    str(f["properties"].get(feature_name))
                    for f in features
                    if f["properties"].get(feature_key) == own
                ),
                own,
            )
            layers.append(
                alt.Chart(alt.InlineData(values=[{"lon": centroid[0], "lat": centroid[1]}]))
                .transform_calculate(__name=_literal(name))
                .mark_text(
                    fontSize=13,
                    fontWeight="bold",
                    color="#000000",
                    stroke="#FFFFFF",
                    strokeWidth=3,
                    strokeOpacity=0.9,
                    dy=-2,
                )
                .encode(longitude="lon:Q", latitude="lat:Q", text="__name:N")
            )
            layers.append(
                alt.Chart(alt.InlineData(values=[{"lon": centroid[0], "lat": centroid[1]}]))
                .transform_calculate(__name=_literal(name))
                .mark_text(fontSize=13, fontWeight="bold", color="#000000", dy=-2)
                .encode(longitude="lon:Q", latitude="lat:Q", text="__name:N")
            )
    chart = (
        alt.layer(*layers, data=alt.NamedData(name=_MAP_AREAS), projection=projection)
        .resolve_scale(color="independent")
        .properties(width="container", height=MAP_HEIGHT)
    )
    auto = _("Map of %(value)s per area.") % {"value": v_col.label}
    spec = _finish(chart, description=description or auto)
    spec.setdefault("datasets", {}).update({_MAP_AREAS: features, _MAP_ROWS: rows})
    return spec


def _centroid(geojson: dict[str, Any], feature_key: str, code: str) -> tuple[float, float] | None:
    """The mean of the outer ring of the largest polygon of a feature: where its name goes."""
    for feature in geojson.get("features", []):
        if feature.get("properties", {}).get(feature_key) != code:
            continue
        geometry = feature.get("geometry") or {}
        polygons = (
            [geometry.get("coordinates", [])]
            if geometry.get("type") == "Polygon"
            else geometry.get("coordinates", [])
        )
        rings = [polygon[0] for polygon in polygons if polygon and polygon[0]]
        if not rings:
            return None
        ring = max(rings, key=len)
        return (
            sum(float(p[0]) for p in ring) / len(ring),
            sum(float(p[1]) for p in ring) / len(ring),
        )
    return None
