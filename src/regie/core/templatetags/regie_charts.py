"""Template helpers for ``core/_chart.html``: the spec as safe JSON and the formatted table."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django import template
from django.utils.formats import date_format, number_format
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from regie.core.charts import Chart, ChartTable, Column, round_half_up, to_json

register = template.Library()


@dataclass(frozen=True)
class Cell:
    html: SafeString
    numeric: bool
    is_header: bool


@register.filter
def chart_json(spec: dict[str, Any]) -> SafeString:
    """``{{ chart.spec|chart_json }}`` inside ``<script type="application/json">``."""
    return mark_safe(to_json(spec))  # noqa: S308 - to_json escapes <, > and & as \\u003c etc.


@register.filter
def chart_description(chart: Chart) -> str:
    """The text alternative: the chart's own description, else the spec's."""
    if chart.description:
        return chart.description
    return str((chart.spec or {}).get("description", ""))


def _period(value: Any) -> str:
    if isinstance(value, str) and len(value) in (7, 10) and value[4] == "-":
        try:
            if len(value) == 7:
                return date_format(datetime.date(int(value[:4]), int(value[5:7]), 1), "F Y")
            return date_format(datetime.date.fromisoformat(value), "j F Y")
        except ValueError:
            return value
    return str(value)


def format_value(value: Any, column: Column) -> str:
    """``value`` as text in the active language (Dutch: 1.245,5); ``None`` is not handled here."""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if column.kind == "period":
        return _period(value)
    if column.is_numeric and isinstance(value, int | float | Decimal):
        decimals = 0 if column.kind == "integer" else column.decimals
        text = number_format(
            round_half_up(value, decimals), decimal_pos=decimals, use_l10n=True, force_grouping=True
        )
        return f"{text}\u00a0%" if column.kind == "percent" else text
    return str(value)


def _not_published() -> SafeString:
    return format_html(
        '<span aria-hidden="true">–</span><span class="regie-chart__sr-only">{}</span>',
        _("not published"),
    )


@register.simple_tag
def chart_rows(table: ChartTable) -> list[list[Cell]]:
    """The table's rows as formatted cells; the first text column is the row header."""
    columns = table.columns
    header_index = next((i for i, c in enumerate(columns) if c.kind in ("text", "period")), -1)
    not_published = _not_published()
    rows: list[list[Cell]] = []
    for row in table.rows:
        cells = []
        for index, column in enumerate(columns):
            value = row.get(column.key)
            html = (
                not_published if value is None else format_html("{}", format_value(value, column))
            )
            cells.append(Cell(html, column.is_numeric, index == header_index))
        rows.append(cells)
    return rows
