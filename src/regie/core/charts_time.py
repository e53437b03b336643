"""Charts of figures over time: bars per year, a line per series, small multiples per facet.

See :mod:`regie.core.charts` for the conventions every chart follows.
"""

from __future__ import annotations

from typing import Any

import altair as alt
from django.utils.translation import gettext as _

from regie.core.charts_encoding import (
    _ROWS,
    _datum,
    _facet_count,
    _facet_header,
    _field,
    _finish,
    _highlight_band,
    _is_temporal,
    _is_year,
    _literal,
    _tooltips,
    _with_year_gaps,
    _x_encoding,
    _y_axis,
    _y_scale,
    _year_band,
    facet_columns,
)
from regie.core.charts_table import (
    HIGHLIGHT_FILL,
    NEUTRAL,
    PANEL_HEIGHT,
    PANEL_WIDTH,
    PRIMARY,
    ChartTable,
)


def bar_by_year(
    table: ChartTable,
    *,
    x: str,
    y: str,
    facet: str | None = None,
    highlight: str | None = None,
    columns: int = 3,
    independent_y: bool = True,
    description: str = "",
) -> dict[str, Any]:
    """Bars per year; with ``facet`` one small panel per facet value (e.g. crime type).

    ``highlight`` names a boolean column: those bars (e.g. COVID years) get a lighter fill with the
    same outline and a legend entry. Facet panels get their own y scale unless ``independent_y`` is
    false; charts.js fits the number of columns (at most ``columns``) to the page width.
    """
    x_col, y_col = table.column(x), table.column(y)
    tooltips, calculations = _tooltips(table, [facet, x, y])
    chart = alt.Chart(alt.InlineData(values=table.rows))
    if calculations:
        chart = chart.transform_calculate(**calculations)
    encoding: dict[str, Any] = {
        "x": _x_encoding(table, x_col, bars=True),
        "y": alt.Y(
            _field(y),
            type="quantitative",
            title=y_col.label,
            scale=_y_scale(y_col),
            axis=_y_axis(),
        ),
        "tooltip": tooltips,
    }
    if highlight is not None:
        h_label = table.column(highlight).label
        chart = chart.transform_calculate(
            __category=f"{_datum(highlight)} ? {_literal(h_label)} : {_literal(y_col.label)}",
            __highlight_text=f"{_datum(highlight)} ? {_literal(_('yes'))} : {_literal(_('no'))}",
        )
        encoding["fill"] = alt.Fill(
            "__category",
            type="nominal",
            scale=alt.Scale(domain=[y_col.label, h_label], range=[PRIMARY, HIGHLIGHT_FILL]),
            legend=alt.Legend(
                title=None, symbolType="square", symbolStrokeColor=PRIMARY, symbolStrokeWidth=1
            ),
        )
        tooltips.append(alt.Tooltip("__highlight_text", type="nominal", title=h_label))
        mark = chart.mark_bar(stroke=PRIMARY, strokeWidth=1)
    else:
        mark = chart.mark_bar(color=PRIMARY)
    bars = mark.encode(**encoding)
    auto = _("Bar chart of %(y)s by %(x)s.") % {"y": y_col.label, "x": x_col.label}
    if facet is None:
        return _finish(
            bars.properties(width="container", height=240), description=description or auto
        )
    f_col = table.column(facet)
    columns = facet_columns(_facet_count(table, facet), columns)
    faceted = bars.properties(width=PANEL_WIDTH, height=PANEL_HEIGHT).facet(
        facet=_facet_header(table, facet), columns=columns, spacing={"row": 24, "column": 16}
    )
    # every panel draws its own x axis: no axis under an empty cell of the last row
    faceted = faceted.resolve_axis(x="independent")
    if independent_y:
        faceted = faceted.resolve_scale(y="independent")
    auto = _("Bar charts of %(y)s by %(x)s, one panel per %(facet)s.") % {
        "y": y_col.label,
        "x": x_col.label,
        "facet": f_col.label,
    }
    spec = _finish(faceted, description=description or auto, container=False)
    spec["usermeta"] = {"regie": {"facet": {"maxColumns": columns, "minWidth": 160}}}
    return spec


def small_multiples(
    table: ChartTable,
    *,
    x: str,
    y: str,
    facet: str,
    highlight: str | None = None,
    columns: int = 3,
    description: str = "",
) -> dict[str, Any]:
    """One small line chart per value of ``facet`` (e.g. crime type), each with its own y scale
    from zero: a line over the years with a point per year, highlighted years (COVID) as a band.
    """
    x_col, y_col = table.column(x), table.column(y)
    tooltips, calculations = _tooltips(table, [facet, x, y])
    x_enc = _x_encoding(table, x_col, temporal_band=True)
    y_enc = alt.Y(
        _field(y), type="quantitative", title=y_col.label, scale=_y_scale(y_col), axis=_y_axis()
    )
    base = alt.Chart().transform_calculate(**calculations)
    layers: list[alt.Chart] = []
    if highlight is not None:
        band_calc, band_x, band_x2 = _year_band(table, x_col)
        h_label = table.column(highlight).label
        layers.append(
            _highlight_band(base, highlight, h_label, band_calc, (band_x, band_x2), tooltips[:2])
        )
    layers.append(
        base.mark_line(strokeWidth=2, color=PRIMARY).encode(x=x_enc, y=y_enc, tooltip=tooltips)
    )
    layers.append(
        base.mark_point(filled=True, size=50, opacity=1, color=PRIMARY).encode(
            x=x_enc, y=y_enc, tooltip=tooltips
        )
    )
    columns = facet_columns(_facet_count(table, facet), columns)
    faceted = (
        alt.layer(*layers)
        .properties(width=PANEL_WIDTH, height=PANEL_HEIGHT)
        .facet(
            facet=_facet_header(table, facet),
            data=alt.NamedData(name=_ROWS),
            columns=columns,
            spacing={"row": 24, "column": 16},
        )
        .resolve_scale(y="independent")
        # every panel draws its own x axis: no axis under an empty cell of the last row
        .resolve_axis(x="independent")
    )
    auto = _("Line charts of %(y)s by %(x)s, one panel per %(facet)s.") % {
        "y": y_col.label,
        "x": x_col.label,
        "facet": table.column(facet).label,
    }
    spec = _finish(faceted, description=description or auto, container=False)
    spec["usermeta"] = {"regie": {"facet": {"maxColumns": columns, "minWidth": 160}}}
    spec.setdefault("datasets", {})[_ROWS] = _with_year_gaps(table, x, y, facet)
    return spec


def line_series(
    table: ChartTable,
    *,
    x: str,
    y: str,
    color: str | None = None,
    lower: str | None = None,
    upper: str | None = None,
    target: str | None = None,
    highlight: str | None = None,
    description: str = "",
) -> dict[str, Any]:
    """Line with points per series; optional interval band, dashed target line, shaded periods.

    ``x`` is a year (int, ordinal) or a month (``"2024-03"``, temporal with Dutch month names from
    the time-format locale). ``lower``/``upper`` draw an interval band, ``target`` a dashed line of
    the target per x, ``highlight`` (a boolean column) a grey band behind those periods.
    """
    x_col, y_col = table.column(x), table.column(y)
    temporal = _is_temporal(table, x_col)
    x_enc = _x_encoding(table, x_col, temporal_band=temporal and highlight is not None)
    y_scale = _y_scale(y_col)
    base = alt.Chart()
    color_enc: Any = alt.Undefined
    if color is not None:
        table.column(color)  # fail early on an unknown key
        color_enc = alt.Color(
            _field(color),
            type="nominal",
            title=None,
            legend=alt.Legend(title=None, orient="bottom", direction="vertical", labelLimit=0),
            sort=None,
        )
    layers: list[alt.Chart] = []
    if highlight is not None:
        h_label = table.column(highlight).label
        band_tooltips, band_calc = _tooltips(table, [x])
        band_x2: Any = alt.Undefined
        band_x: Any = _x_encoding(table, x_col)
        if _is_year(table, x_col):
            year_calc, band_x, band_x2 = _year_band(table, x_col)
            band_calc.update(year_calc)
        layers.append(
            _highlight_band(base, highlight, h_label, band_calc, (band_x, band_x2), band_tooltips)
        )
    if lower is not None and upper is not None:
        band_tooltips, band_calc = _tooltips(table, [color, x, lower, upper])
        band = base.transform_calculate(**band_calc) if band_calc else base
        layers.append(
            band.mark_area(opacity=0.25, color=PRIMARY if color is None else alt.Undefined).encode(
                x=x_enc,
                y=alt.Y(_field(lower), type="quantitative", title=y_col.label, scale=y_scale),
                y2=alt.Y2(_field(upper)),
                color=color_enc,
                tooltip=band_tooltips,
            )
        )
    if target is not None:
        t_col = table.column(target)
        target_tooltips, target_calc = _tooltips(table, [color, x, target])
        target_base = base.transform_calculate(__target=_literal(t_col.label), **target_calc)
        layers.append(
            target_base.mark_line(
                strokeWidth=2, color=NEUTRAL if color is None else alt.Undefined
            ).encode(
                x=x_enc,
                y=alt.Y(_field(target), type="quantitative", title=y_col.label, scale=y_scale),
                detail=alt.Detail(_field(color), type="nominal") if color else alt.Undefined,
                color=color_enc,
                strokeDash=alt.StrokeDash(
                    "__target",
                    type="nominal",
                    scale=alt.Scale(domain=[t_col.label], range=[[6, 4]]),
                    legend=alt.Legend(title=None, symbolStrokeColor=NEUTRAL),
                ),
                tooltip=target_tooltips,
            )
        )
    tooltips, calculations = _tooltips(table, [color, x, y, lower, upper, target])
    main = base.transform_calculate(**calculations) if calculations else base
    y_enc = alt.Y(_field(y), type="quantitative", title=y_col.label, scale=y_scale, axis=_y_axis())
    layers.append(
        main.mark_line(strokeWidth=2, color=PRIMARY if color is None else alt.Undefined).encode(
            x=x_enc, y=y_enc, color=color_enc, tooltip=tooltips
        )
    )
    layers.append(
        main.mark_point(
            filled=True, size=50, opacity=1, color=PRIMARY if color is None else alt.Undefined
        ).encode(x=x_enc, y=y_enc, color=color_enc, tooltip=tooltips)
    )
    # The rows go into `datasets` after to_dict(): Altair would copy them for every layer.
    chart = alt.layer(*layers, data=alt.NamedData(name=_ROWS)).properties(
        width="container", height=260
    )
    auto = _("Line chart of %(y)s by %(x)s.") % {"y": y_col.label, "x": x_col.label}
    spec = _finish(chart, description=description or auto)
    spec.setdefault("datasets", {})[_ROWS] = _with_year_gaps(table, x, y, color)
    return spec
