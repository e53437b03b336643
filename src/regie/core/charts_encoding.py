"""Building blocks of the chart specs: field names, axes, scales, tooltips, facets, the config.

Private to the chart builders (:mod:`regie.core.charts_time`, :mod:`regie.core.charts_areas`);
see :mod:`regie.core.charts` for the conventions.
"""

from __future__ import annotations

import json
from typing import Any, Final, Literal

import altair as alt
from django.utils.translation import gettext as _

from regie.core.charts_table import FONT, HIGHLIGHT_BAND, PALETTE, ChartTable, Column

_MAP_AREAS: Final = "regie-areas"
_MAP_ROWS: Final = "regie-rows"
_ROWS: Final = "regie-table"


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
