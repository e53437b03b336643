"""Charts: one table of figures plus one Vega-Lite spec (built with Altair) per chart.

A :class:`Chart` is what a page section hands to ``core/_chart.html``: the :class:`ChartTable`
is the table alternative and the source of the CSV/XLSX downloads (``monitor.exports``), the spec is
embedded in the browser with vega-embed (``static/regie/charts.js``) and rendered to SVG/PNG on the
server with vl-convert. Every builder below takes a table and column keys and returns a plain dict.

Conventions shared by the builders:

- ``None`` in a row means *not published*: never drawn as 0 (Vega-Lite drops invalid values).
- Column kinds: ``text`` (nominal), ``number``/``integer``/``percent`` (quantitative; ``percent``
  holds percentage points, 24.6 means 24,6 %), ``period`` (a year as an int, a month as
  ``"2024-03"`` or a date as ``"2024-03-01"``). Periods are always on a time axis: years that are
  missing keep their place (2016, 2021 and 2022 are not equally spaced), and a year is shown as
  ``%Y`` on axes and as plain text in tooltips, never with a thousands separator ("2.025").
- Column labels are words with their unit ("Geregistreerde misdrijven (aantal)"), never "Value";
  quantitative scales of counts start at zero and have a nice number of ticks; a column may fix
  its scale's ``domain`` (a rapportcijfer 1–10, a percentage 0–100).
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
_ROWS: Final = "regie-table"


@dataclass(frozen=True)
class Column:
    key: str
    label: str  # already translated text
    kind: str  # "text" | "number" | "integer" | "percent" | "period"
    decimals: int | None = None  # display decimals for number/percent
    domain: tuple[float, float] | None = None  # a fixed scale (rapportcijfer 1–10)

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
    """A month or a date column (``"2024-03"``): a field Vega-Lite parses as a date."""
    if column.kind != "period":
        return False
    value = _first_value(table, column.key)
    return isinstance(value, str) and len(value) >= 7 and value[4] == "-"


def _is_year(table: ChartTable, column: Column) -> bool:
    """A year column (an int): drawn on a time axis through a computed date field."""
    if column.kind != "period":
        return False
    value = _first_value(table, column.key)
    return isinstance(value, int) and not isinstance(value, bool)


def _year_field(key: str) -> str:
    return f"__date_{key}"


def _year_calculations(table: ChartTable, keys: list[str | None]) -> dict[str, str]:
    """The date field (1 January, UTC) and the plain text of every year column in ``keys``."""
    calculations: dict[str, str] = {}
    for key in keys:
        if key is None:
            continue
        column = table.column(key)
        if _is_year(table, column):
            calculations[_year_field(key)] = f"utc({_datum(key)}, 0, 1)"
            calculations[f"__text_{key}"] = f"'' + {_datum(key)}"
    return calculations


def _with_year_gaps(
    table: ChartTable, x: str, y: str, group: str | None = None
) -> list[dict[str, Any]]:
    """The rows to draw, with an empty row for every year missing inside a series, so that a
    line breaks there instead of suggesting figures for the years in between (2016 → 2021)."""
    if not _is_year(table, table.column(x)):
        return table.rows
    seen: dict[Any, set[int]] = {}
    for row in table.rows:
        if isinstance(row.get(x), int):
            seen.setdefault(row.get(group) if group else None, set()).add(row[x])
    filler = [
        {**({group: key} if group else {}), x: year, y: None}
        for key, years in seen.items()
        for year in range(min(years), max(years) + 1)
        if year not in years
    ]
    return table.rows + filler


def _wrap(text: str, width: int = 24) -> list[str]:
    """``text`` as lines of at most about ``width`` characters (whole words)."""
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [text]


def _wrapped_label_expr(values: list[str], width: int = 24) -> str:
    """A Vega expression that shows each of ``values`` wrapped over lines (an array of lines)."""
    expr = "datum.value"
    for value in reversed(values):
        lines = _wrap(value, width)
        if len(lines) < 2:
            continue
        array = "[" + ", ".join(_literal(line) for line in lines) + "]"
        expr = f"datum.value === {_literal(value)} ? {array} : ({expr})"
    return expr


def _y_scale(column: Column) -> alt.Scale:
    """Counts and rates from zero, a fixed domain where the column has one, nice ticks."""
    if column.domain is not None:
        return alt.Scale(domain=list(column.domain), nice=False, zero=False)
    return alt.Scale(zero=True, nice=True)


def _y_axis() -> alt.Axis:
    return alt.Axis(tickCount=5, labelFlush=False)


def _tooltip(table: ChartTable, column: Column) -> alt.Tooltip:
    """The tooltip of a text or period column (numbers go through :func:`_number_text`)."""
    if _is_year(table, column):
        # plain text: a number would be shown with a thousands separator ("2.025")
        return alt.Tooltip(f"__text_{column.key}", type="nominal", title=column.label)
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
    calculations: dict[str, str] = _year_calculations(table, keys)
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


def _year_axis(table: ChartTable, column: Column) -> alt.Axis:
    """Years on a time axis: a tick and a label ("%Y", never grouped) per year or two."""
    years = [r[column.key] for r in table.rows if isinstance(r.get(column.key), int)]
    span = (max(years) - min(years)) if years else 0
    return alt.Axis(
        format="%Y",
        formatType="utc",
        labelOverlap=True,
        labelAngle=0,
        tickCount={"interval": "year", "step": 1 if span <= 12 else 2},
    )


def _year_band(table: ChartTable, column: Column) -> tuple[dict[str, str], alt.X, alt.X2]:
    """A band one year wide centred on the year's point (1 January), e.g. behind COVID years."""
    key = column.key
    calculations = {
        "__band_from": f"utc({_datum(key)} - 1, 6, 2)",
        "__band_to": f"utc({_datum(key)}, 6, 2)",
    }
    x = alt.X(
        "__band_from",
        type="temporal",
        title=column.label,
        scale=alt.Scale(type="utc", padding=18),
        axis=_year_axis(table, column),
    )
    return calculations, x, alt.X2("__band_to")


def _x_encoding(
    table: ChartTable, column: Column, *, temporal_band: bool = False, bars: bool = False
) -> alt.X:
    if _is_year(table, column):
        if bars:  # a bar spans its year
            return alt.X(
                _year_field(column.key),
                type="temporal",
                timeUnit="utcyear",
                title=column.label,
                axis=_year_axis(table, column),
            )
        # a point on 1 January of its year, right above the year's tick and label
        return alt.X(
            _year_field(column.key),
            type="temporal",
            title=column.label,
            scale=alt.Scale(type="utc", padding=18),
            axis=_year_axis(table, column),
        )
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
                "labelLimit": 0,  # full labels (names of areas): never cut off
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
                "labelLimit": 0,  # full labels: never cut off
            },
            "header": {
                "labelFontSize": 13,
                "labelColor": "#1A1A1A",
                "titleFontSize": 13,
                "labelLimit": 0,
            },
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


def facet_columns(count: int, most: int = 3) -> int:
    """Columns for ``count`` panels, at most ``most``: as few rows as ``most`` columns need, and
    those rows as full as possible (4 panels in 2 × 2, not 3 + 1; 5 in 3 + 2)."""
    if count <= 1:
        return 1
    most = max(1, min(most, count))
    rows = -(-count // most)
    return -(-count // rows)


def _facet_count(table: ChartTable, facet: str) -> int:
    return len({str(r[facet]) for r in table.rows if r.get(facet) is not None})


def _facet_header(table: ChartTable, facet: str) -> alt.Facet:
    """One panel per value of ``facet``, its full name as the panel title (wrapped, not cut)."""
    values = list(dict.fromkeys(str(r[facet]) for r in table.rows if r.get(facet) is not None))
    return alt.Facet(
        _field(facet),
        type="nominal",
        title=None,
        header=alt.Header(
            labelAnchor="start",
            labelFontWeight="bold",
            labelLimit=0,
            labelExpr=_wrapped_label_expr(values),
        ),
        sort=values,
    )


def _highlight_band(
    base: alt.Chart,
    highlight: str,
    label: str,
    calculations: dict[str, Any],
    x: tuple[Any, Any],
    tooltips: list[Any],
) -> Any:
    """The band behind highlighted periods (the coronajaren), in the legend with its label."""
    return (
        base.transform_filter(f"{_datum(highlight)} === true")
        .transform_calculate(__highlight=_literal(label), **calculations)
        .mark_rect(opacity=1, clip=True)
        .encode(
            x=x[0],
            x2=x[1],
            fill=alt.Fill(
                "__highlight",
                type="nominal",
                scale=alt.Scale(domain=[label], range=[HIGHLIGHT_BAND]),
                legend=alt.Legend(title=None, symbolType="square"),
            ),
            tooltip=[*tooltips, alt.Tooltip("__highlight", type="nominal", title=_("Note"))],
        )
    )


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


def to_json(spec: dict[str, Any]) -> str:
    """The spec as JSON that is safe inside ``<script type="application/json">``."""
    text = json.dumps(spec, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
