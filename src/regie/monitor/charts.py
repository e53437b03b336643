"""Charts: one table of figures plus one Vega-Lite spec (built with Altair) per chart.

A :class:`Chart` is what a page section hands to ``monitor/_chart.html``: the :class:`ChartTable`
is the table alternative and the source of the CSV/XLSX downloads (``monitor.exports``), the spec is
embedded in the browser with vega-embed (``static/regie/charts.js``) and rendered to SVG/PNG on the
server with vl-convert. Every builder below takes a table and column keys and returns a plain dict.

Conventions shared by the builders:

- ``None`` in a row means *not published*: never drawn as 0 (Vega-Lite drops invalid values).
- Column kinds: ``text`` (nominal), ``number``/``integer``/``percent`` (quantitative; ``percent``
  holds percentage points, 24.6 means 24,6 %), ``period`` (a year as an int is ordinal, a month as
  ``"2024-03"`` or a date as ``"2024-03-01"`` is temporal).
- Column keys are used as Vega-Lite field names: keep them simple identifiers (dots are escaped).
- Colours: Okabe–Ito based, each at least 3:1 against white (WCAG 1.4.11); a highlight is never
  shown by colour alone (lighter fill *with* an outline, a different point shape, bold labels).
- Specs are built without Altair's schema validation (~15 ms per spec); the tests validate every
  builder against the Vega-Lite schema instead.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Final, Literal

import altair as alt
from django.utils.translation import gettext as _

KINDS: Final = frozenset({"text", "number", "integer", "percent", "period"})
NUMERIC_KINDS: Final = frozenset({"number", "integer", "percent"})

#: Categorical colours (Okabe–Ito, darkened where needed): contrast with white 3.06–12.2.
PALETTE: Final = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#A36A00", "#595959", "#332288")
PRIMARY: Final = "#0072B2"
#: The own gemeente in a ranking (vermilion: distinguishable from blue for all common CVD types).
OWN: Final = "#D55E00"
#: Lighter fill of highlighted bars (always drawn with a PRIMARY outline).
HIGHLIGHT_FILL: Final = "#A6CEE3"
#: Background band behind highlighted periods in a line chart.
HIGHLIGHT_BAND: Final = "#E8E8E8"
NEUTRAL: Final = "#4D4D4D"
FLAGGED_FILL: Final = "#B3B3B3"
NO_DATA_FILL: Final = "#F2F2F2"
FONT: Final = '"Noto Sans Variable", Arial, sans-serif'

#: Width of one facet panel in server renderings; charts.js recomputes it from the page width.
PANEL_WIDTH: Final = 200
PANEL_HEIGHT: Final = 130
MAP_HEIGHT: Final = 520
_MAP_AREAS: Final = "regie-areas"
_MAP_ROWS: Final = "regie-rows"


@dataclass(frozen=True)
class Column:
    key: str
    label: str  # already translated text
    kind: str  # "text" | "number" | "integer" | "percent" | "period"
    decimals: int | None = None  # display decimals for number/percent

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"Unknown column kind {self.kind!r} for {self.key!r}")

    @property
    def is_numeric(self) -> bool:
        return self.kind in NUMERIC_KINDS

    @property
    def d3_format(self) -> str:
        """The d3-format specifier for this column (Dutch separators come from the locale)."""
        if self.kind == "integer":
            return ",d"
        if self.decimals is not None:
            return f",.{self.decimals}f"
        return ",~f"


@dataclass
class ChartTable:
    key: str  # slug, used in download file names, unique per page
    title: str
    columns: list[Column]
    # values: str, int, float, bool or None (None = not published: "–", never 0)
    rows: list[dict[str, Any]]
    # lineage lines shown under the chart, e.g. "CBS 83648NED, import 23 november 2026, voorlopig"
    sources: list[str] = field(default_factory=list)
    note: str = ""  # one sentence shown under the title (what changed / caveat)

    def column(self, key: str) -> Column:
        for column in self.columns:
            if column.key == key:
                return column
        raise KeyError(f"Table {self.key!r} has no column {key!r}")


@dataclass
class Chart:
    table: ChartTable
    spec: dict[str, Any] | None  # Vega-Lite spec; None = table only
    description: str = ""  # text alternative summary (aria)


def round_half_up(value: int | float, decimals: int | None) -> int | float | Decimal:
    """``value`` rounded half up to ``decimals`` as the charts (d3-format) show it: 36.55 → 36.6.

    The table and the CSV use it, so that all three show the same figure (Django's number_format
    would truncate instead).
    """
    if decimals is None or isinstance(value, int) or not math.isfinite(value):
        return value
    return Decimal(repr(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


# --- helpers ---------------------------------------------------------------------------------


def _field(key: str) -> str:
    """A column key as a Vega-Lite field name (a dot would mean a nested property)."""
    return key.replace(".", "\\.")


def _literal(text: str) -> str:
    """A string literal for a Vega expression."""
    return json.dumps(text)


def _datum(key: str) -> str:
    return f"datum[{_literal(key)}]"


def _first_value(table: ChartTable, key: str) -> Any:
    for row in table.rows:
        value = row.get(key)
        if value is not None:
            return value
    return None


def _is_temporal(table: ChartTable, column: Column) -> bool:
    if column.kind != "period":
        return False
    value = _first_value(table, column.key)
    return isinstance(value, str) and len(value) >= 7 and value[4] == "-"


def _tooltip(table: ChartTable, column: Column) -> alt.Tooltip:
    """The tooltip of a text or period column (numbers go through :func:`_number_text`)."""
    if _is_temporal(table, column):
        return alt.Tooltip(
            _field(column.key),
            type="temporal",
            timeUnit="utcyearmonth",
            format="%B %Y",
            title=column.label,
        )
    return alt.Tooltip(_field(column.key), type="nominal", title=column.label)


def _number_text(column: Column) -> tuple[str, str]:
    """(field, expression) of a numeric column as tooltip text: "36,5", "24,6 %", "not published".

    The expression's ``format`` uses the view's d3 locale, so the text follows the page's language.
    """
    value = _datum(column.key)
    suffix = " + ' %'" if column.kind == "percent" else ""
    expr = (
        f"isValid({value}) && isFinite({value}) ? "
        f"format({value}, {_literal(column.d3_format)}){suffix} : {_literal(_('not published'))}"
    )
    return f"__text_{column.key}", expr


def _tooltips(
    table: ChartTable, keys: list[str | None]
) -> tuple[list[alt.Tooltip], dict[str, str]]:
    """Tooltips for ``keys`` (titles = column labels) and the calculations their numbers need."""
    tooltips: list[alt.Tooltip] = []
    calculations: dict[str, str] = {}
    for key in keys:
        if key is None:
            continue
        column = table.column(key)
        if column.is_numeric:
            name, expr = _number_text(column)
            calculations[name] = expr
            tooltips.append(alt.Tooltip(name, type="nominal", title=column.label))
        else:
            tooltips.append(_tooltip(table, column))
    return tooltips, calculations


def _x_encoding(table: ChartTable, column: Column, *, temporal_band: bool = False) -> alt.X:
    if _is_temporal(table, column):
        return alt.X(
            _field(column.key),
            type="temporal",
            timeUnit="utcyearmonth",
            title=column.label,
            bandPosition=0.5 if temporal_band else alt.Undefined,
            axis=alt.Axis(labelOverlap=True),
        )
    kind: Literal["nominal", "ordinal"] = "nominal" if column.kind == "text" else "ordinal"
    return alt.X(
        _field(column.key),
        type=kind,
        title=column.label,
        axis=alt.Axis(labelAngle=0, labelOverlap="parity"),
    )


def _finish(
    chart: alt.TopLevelMixin, *, description: str, container: bool = True
) -> dict[str, Any]:
    spec: dict[str, Any] = chart.to_dict(validate=False)
    spec["description"] = description
    config: dict[str, Any] = spec.setdefault("config", {})
    config.update(
        {
            "font": FONT,
            "aria": False,  # charts.js labels the whole SVG (role="img"); the table has the detail
            "axis": {
                "labelFontSize": 12,
                "titleFontSize": 12,
                "titleFontWeight": "normal",
                "labelColor": "#333333",
                "titleColor": "#333333",
                "gridColor": "#E0E0E0",
                "domainColor": "#767676",
                "tickColor": "#767676",
            },
            "legend": {
                "labelFontSize": 12,
                "titleFontSize": 12,
                "labelColor": "#333333",
                "titleColor": "#333333",
                "orient": "top",
                "direction": "horizontal",
                "labelLimit": 320,
            },
            "header": {"labelFontSize": 13, "labelColor": "#1A1A1A", "titleFontSize": 13},
            "range": {"category": list(PALETTE)},
            "view": {"stroke": None},
            # None = not published: no mark, a gap in lines, but the period keeps its place.
            "mark": {"invalid": "break-paths-show-domains"},
        }
    )
    if container:
        spec["autosize"] = {"type": "fit-x", "contains": "padding"}
    return spec


# --- builders --------------------------------------------------------------------------------


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
        "x": _x_encoding(table, x_col),
        "y": alt.Y(_field(y), type="quantitative", title=y_col.label),
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
    faceted = bars.properties(width=PANEL_WIDTH, height=PANEL_HEIGHT).facet(
        facet=alt.Facet(
            _field(facet),
            type="nominal",
            title=None,
            header=alt.Header(labelAnchor="start", labelFontWeight="bold", labelLimit=PANEL_WIDTH),
            sort=None,
        ),
        columns=columns,
        spacing={"row": 24, "column": 16},
    )
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
    y_scale = alt.Scale(zero=False, nice=True)
    base = alt.Chart()
    color_enc: Any = alt.Undefined
    if color is not None:
        table.column(color)  # fail early on an unknown key
        color_enc = alt.Color(
            _field(color), type="nominal", title=None, legend=alt.Legend(title=None), sort=None
        )
    layers: list[alt.Chart] = []
    if highlight is not None:
        h_label = table.column(highlight).label
        band_tooltips, band_calc = _tooltips(table, [x])
        layers.append(
            base.transform_filter(f"{_datum(highlight)} === true")
            .transform_calculate(__highlight=_literal(h_label), **band_calc)
            .mark_rect(opacity=1)
            .encode(
                x=_x_encoding(table, x_col),
                fill=alt.Fill(
                    "__highlight",
                    type="nominal",
                    scale=alt.Scale(domain=[h_label], range=[HIGHLIGHT_BAND]),
                    legend=alt.Legend(title=None, symbolType="square"),
                ),
                tooltip=[
                    *band_tooltips,
                    alt.Tooltip("__highlight", type="nominal", title=_("Note")),
                ],
            )
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
    y_enc = alt.Y(_field(y), type="quantitative", title=y_col.label, scale=y_scale)
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
    chart = alt.layer(*layers, data=alt.InlineData(values=table.rows)).properties(
        width="container", height=260
    )
    auto = _("Line chart of %(y)s by %(x)s.") % {"y": y_col.label, "x": x_col.label}
    return _finish(chart, description=description or auto)


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
    description: str = "",
) -> dict[str, Any]:
    """A map of the GeoJSON polygons coloured by ``value``, joined on ``properties[feature_key]``.

    Areas without a row or with ``None`` are shown light grey ("not published"); rows where
    ``flag`` (a boolean column) is true, e.g. unreliable because of a tiny population, are shown
    grey with their own legend entry. Tooltips show ``properties[feature_name]`` and the value.
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
    chart = (
        alt.layer(*layers, data=alt.NamedData(name=_MAP_AREAS), projection=projection)
        .resolve_scale(color="independent")
        .properties(width="container", height=MAP_HEIGHT)
    )
    auto = _("Map of %(value)s per area.") % {"value": v_col.label}
    spec = _finish(chart, description=description or auto)
    spec["datasets"] = {_MAP_AREAS: features, _MAP_ROWS: rows}
    return spec


def to_json(spec: dict[str, Any]) -> str:
    """The spec as JSON that is safe inside ``<script type="application/json">``."""
    text = json.dumps(spec, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
