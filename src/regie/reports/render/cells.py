"""What every renderer shares: a cell value as Dutch text by its column kind, the Excel number
format of a cell, the numbering and captions of tables and figures, the "Bron:" lines and the
progress callback.

One home for the text of a cell, so the HTML page, the PDF and the Word file show the very same
figure: numbers are rounded half up at the column's decimals (36,55 → 36,6, as the charts and the
page tables show them), grouped the Dutch way (1.234,5), negative numbers with the minus sign of
:mod:`regie.core.formats`, percentages as "24,6 %", years never grouped, and ``None`` (not
published) as "–", never 0.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Final

from django.utils.translation import gettext as _

from regie.core import formats
from regie.core.charts import Chart, ChartTable, Column
from regie.core.templatetags.regie_charts import format_value
from regie.reports.document import Block, Document, Figure, Table

#: ``progress(percent, step)``: percent 0–100, step a translated sentence for the build page.
Progress = Callable[[int, str], None]

NOT_AVAILABLE: Final = "–"
#: At most this many decimals when a column does not fix them (d3's ``~f`` shows up to six).
_MAX_DECIMALS: Final = 6


def step(progress: Progress | None, percent: int, text: str) -> None:
    """Report a step to ``progress`` (if any), ``percent`` kept within 0–100."""
    if progress is not None:
        progress(max(0, min(100, int(percent))), text)


def _finite(value: Any) -> bool:
    if isinstance(value, Decimal):
        return value.is_finite()
    return not isinstance(value, float) or math.isfinite(value)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def decimals_of(value: int | float | Decimal, column: Column) -> int:
    """The decimals ``value`` is shown with: the column's, else as many as it has (at most 6)."""
    if column.kind == "integer":
        return 0
    if column.decimals is not None:
        return max(0, column.decimals)
    if isinstance(value, int):
        return 0
    if isinstance(value, Decimal):
        # a Decimal carries its own decimals (an indicator's value rounded at the plan's
        # decimals: 7,30 stays 7,30)
        exponent = value.as_tuple().exponent
        return min(max(0, -exponent), _MAX_DECIMALS) if isinstance(exponent, int) else 0
    text = f"{Decimal(repr(float(value))):f}"
    fraction = text.partition(".")[2].rstrip("0")
    return min(len(fraction), _MAX_DECIMALS)


def cell_text(value: Any, column: Column) -> str:
    """``value`` as people read it in a report (Dutch when Dutch is active); "–" for None."""
    if value is None or (_is_number(value) and not _finite(value)):
        return NOT_AVAILABLE
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if column.is_numeric and _is_number(value):
        decimals = decimals_of(value, column)
        if column.kind == "percent":
            return formats.percent(float(value), decimals)
        return formats.num(float(value), decimals)
    if column.kind == "period" and _is_number(value):
        return str(int(value)) if float(value).is_integer() else str(value)
    return format_value(value, column)


def number_value(value: Any, column: Column) -> float | None:
    """The number an Excel cell holds for ``value`` (None: not a number, write it as text)."""
    if not _is_number(value) or not _finite(value):
        return None
    if column.is_numeric or (column.kind == "period" and float(value).is_integer()):
        return float(value)
    return None


def number_format(value: int | float | Decimal, column: Column) -> str:
    """The Excel number format of a numeric cell (Excel shows Dutch separators in Dutch)."""
    if column.kind == "period":
        return "0"
    if column.kind == "integer" or column.decimals == 0:
        base = "#,##0"
    elif column.decimals is not None:
        base = "#,##0." + "0" * column.decimals
    elif isinstance(value, Decimal):
        places = decimals_of(value, column)
        base = "#,##0." + "0" * places if places else "#,##0"
    elif float(value).is_integer():
        base = "#,##0"
    else:
        base = "#,##0.0" + "#" * (_MAX_DECIMALS - 1)
    return base + '" %"' if column.kind == "percent" else base


def row_header_index(table: ChartTable) -> int:
    """The column whose cells head their row (the first text or period column), else -1."""
    return next(
        (i for i, column in enumerate(table.columns) if column.kind in ("text", "period")), -1
    )


def source_lines(table: ChartTable) -> list[str]:
    """ "Bron: …" once per source line of the table."""
    return [_("Source: %(source)s") % {"source": line} for line in table.sources]


def figure_caption(number: int, title: str) -> str:
    return _("Figure %(number)s. %(title)s") % {"number": number, "title": title}


def table_caption(number: int, title: str) -> str:
    return _("Table %(number)s. %(title)s") % {"number": number, "title": title}


def chart_label(chart: Chart) -> str:
    """The text alternative of a chart: its description, the spec's, else the table title."""
    if chart.description:
        return chart.description
    description = (chart.spec or {}).get("description")
    return str(description) if description else chart.table.title


@dataclass(frozen=True)
class Numbered:
    """A block with the numbers of its figure and table (0 = none), in document order."""

    block: Block
    figure: int = 0
    table: int = 0


def numbered(document: Document) -> Iterator[Numbered]:
    """The blocks with figures and tables numbered separately ("Figuur 2", "Tabel 3").

    A figure without a spec is a table only; a figure's table gets a table number too.
    """
    figures = tables = 0
    for block in document.blocks:
        if isinstance(block, Figure):
            tables += 1
            if block.chart.spec is not None:
                figures += 1
                yield Numbered(block, figures, tables)
            else:
                yield Numbered(block, 0, tables)
        elif isinstance(block, Table):
            tables += 1
            yield Numbered(block, 0, tables)
        else:
            yield Numbered(block)


def table_of(block: Block) -> ChartTable | None:
    if isinstance(block, Table):
        return block.table
    if isinstance(block, Figure):
        return block.chart.table
    return None


def figure_specs(items: list[Numbered]) -> list[dict[str, Any]]:
    """The Vega-Lite specs of the numbered figures, in document order (what gets drawn)."""
    return [
        item.block.chart.spec
        for item in items
        if isinstance(item.block, Figure) and item.figure and item.block.chart.spec is not None
    ]
