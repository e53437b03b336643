"""A :class:`~regie.reports.document.Document` as HTML: the fragment the report page includes
(``reports/_document.html``) and the full document WeasyPrint prints (``reports/document.html``).

Semantic HTML only: ``h1``–``h6``, ``p``, ``figure`` with the chart as inline SVG (vector, drawn
from the same Vega-Lite spec as the pages) and its ``figcaption``, and directly after every chart
its table (``caption``, ``th scope="col"``/``scope="row"``) with the sources ("Bron: …") under
each figure and table. Every text goes through Django's autoescaping: texts come from users.
"""

from __future__ import annotations

import base64
import re
from contextlib import closing
from dataclasses import dataclass, field, replace
from typing import Any, Final

from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from regie.core import exports
from regie.core.charts import Chart, ChartTable
from regie.reports.document import Document, Figure, Heading, Paragraph, Table
from regie.reports.render.cells import (
    Numbered,
    Progress,
    cell_text,
    chart_label,
    figure_caption,
    figure_specs,
    numbered,
    row_header_index,
    source_lines,
    step,
    table_caption,
)
from regie.reports.render.drawing import drawn
from regie.reports.render.svg import safe_svg

FRAGMENT_TEMPLATE: Final = "reports/_document.html"
STANDALONE_TEMPLATE: Final = "reports/document.html"
ID_PREFIX: Final = "regie-report"
_PLACEHOLDER: Final = re.compile(r"%\((page|pages)\)s")


@dataclass(frozen=True)
class CellView:
    text: str
    numeric: bool
    header: bool
    missing: bool


@dataclass(frozen=True)
class ColumnView:
    label: str
    numeric: bool


@dataclass(frozen=True)
class TableView:
    id: str
    number: int
    caption: str  # "Tabel 3. Woninginbraken per jaar"
    title: str
    note: str
    columns: list[ColumnView]
    rows: list[list[CellView]]
    sources: list[str]  # "Bron: …" lines


@dataclass(frozen=True)
class BlockView:
    """One block for the templates; ``kind`` is heading, paragraph, table or figure."""

    kind: str
    text: str = ""
    level: int = 2
    style: str = ""
    table: TableView | None = None
    figure_id: str = ""
    caption: str = ""  # "Figuur 2. …"
    note: str = ""
    label: str = ""  # the chart's text alternative
    svg: SafeString | None = None
    sources: list[str] = field(default_factory=list)


def table_view(table: ChartTable, number: int) -> TableView:
    """``table`` with every cell formatted (Dutch when Dutch is active)."""
    header = row_header_index(table)
    rows = [
        [
            CellView(
                text=cell_text(row.get(column.key), column),
                numeric=column.is_numeric,
                header=index == header,
                missing=row.get(column.key) is None,
            )
            for index, column in enumerate(table.columns)
        ]
        for row in table.rows
    ]
    return TableView(
        id=f"{ID_PREFIX}-table-{number}",
        number=number,
        caption=table_caption(number, table.title),
        title=table.title,
        note=table.note,
        columns=[ColumnView(column.label, column.is_numeric) for column in table.columns],
        rows=rows,
        sources=source_lines(table),
    )


def _figure_view(chart: Chart, item: Numbered, drawing: str) -> BlockView:
    figure_id = f"{ID_PREFIX}-figure-{item.figure}"
    label = chart_label(chart)
    svg = safe_svg(drawing, label=label, prefix=figure_id, css_class="regie-report__chart")
    return BlockView(
        kind="figure",
        table=table_view(chart.table, item.table),
        figure_id=figure_id,
        caption=figure_caption(item.figure, chart.table.title),
        note=chart.table.note,
        label=label,
        svg=mark_safe(svg),  # noqa: S308 - parsed and re-serialised by safe_svg: escaped, no scripts
        sources=source_lines(chart.table),
    )


def block_views(
    document: Document, progress: Progress | None = None, *, heading_offset: int = 0
) -> list[BlockView]:
    """The document's blocks ready for the templates; the charts are drawn here (the slow
    part: ``progress`` hears of each chart, from 5 to 60 %). Headings move ``heading_offset``
    levels down (a fragment inside a page section)."""
    items = list(numbered(document))
    specs = figure_specs(items)
    views: list[BlockView] = []
    with closing(drawn(specs, exports.to_svg, progress=progress)) as drawings:
        for item in items:
            block = item.block
            if isinstance(block, Heading):
                level = _level(block.level + heading_offset)
                views.append(BlockView(kind="heading", text=block.text, level=level))
            elif isinstance(block, Paragraph):
                views.append(BlockView(kind="paragraph", text=block.text, style=block.style))
            elif isinstance(block, Figure) and item.figure:
                views.append(_figure_view(block.chart, item, next(drawings)))
            elif isinstance(block, Figure):
                table = table_view(block.chart.table, item.table)
                views.append(BlockView(kind="table", table=table))
            elif isinstance(block, Table):
                views.append(BlockView(kind="table", table=table_view(block.table, item.table)))
    return views


def _level(level: int) -> int:
    return max(1, min(6, int(level)))


def _css_string(text: str) -> str:
    """``text`` as a CSS string literal, safe inside a ``<style>`` element."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\3c ")
    return '"' + re.sub(r"[\r\n\f]", " ", escaped) + '"'


def page_counter_css() -> SafeString:
    """The footer's CSS ``content``: "pagina " counter(page) " van " counter(pages)."""
    text = _("page %(page)s of %(pages)s")
    parts: list[str] = []
    position = 0
    for match in _PLACEHOLDER.finditer(text):
        if match.start() > position:
            parts.append(_css_string(text[position : match.start()]))
        parts.append(f"counter({match[1]})")
        position = match.end()
    if position < len(text):
        parts.append(_css_string(text[position:]))
    return mark_safe(" ".join(parts))  # noqa: S308 - every text part is a CSS-escaped string


def html_context(
    document: Document, progress: Progress | None = None, *, heading_offset: int = 0
) -> dict[str, Any]:
    """The context of ``reports/_document.html`` (for a page that includes the fragment):
    the title is ``h1`` and sections ``h2``, or ``heading_offset`` levels lower."""
    return {
        "document": document,
        "title_level": _level(1 + heading_offset),
        "blocks": block_views(document, progress, heading_offset=heading_offset),
        "show_organisation": bool(document.organisation)
        and document.organisation not in document.subtitle,
    }


def document_html(document: Document, progress: Progress | None = None) -> str:
    """The full HTML document with print CSS that WeasyPrint prints (progress 0–60 %)."""
    step(progress, 0, _("Preparing the document"))
    context = html_context(document, progress)
    context["blocks"] = [_as_image(view) for view in context["blocks"]]
    context["page_counter"] = page_counter_css()
    return render_to_string(STANDALONE_TEMPLATE, context)


def _as_image(view: BlockView) -> BlockView:
    """For the PDF a drawing goes in as one ``<img>`` of its SVG (a ``data:`` URI, still a
    vector): WeasyPrint tags it as a figure with its ``alt``, and does not parse and style the
    thousands of elements of 50 inline drawings (a third of a long report's print time)."""
    if view.kind != "figure" or view.svg is None:
        return view
    encoded = base64.b64encode(str(view.svg).encode("utf-8")).decode("ascii")
    image = format_html(
        '<img class="regie-report__chart" src="data:image/svg+xml;base64,{}" alt="{}">',
        encoded,
        view.label,
    )
    return replace(view, svg=image)


def render_html(
    doc: Document,
    *,
    standalone: bool = False,
    progress: Progress | None = None,
    heading_offset: int = 0,
) -> str:
    """``doc`` as an HTML fragment (an ``<article>`` for the report page) or, ``standalone``,
    as a full HTML document with print CSS (what :func:`regie.reports.render.render_pdf` prints).

    ``heading_offset`` (fragment only) moves every heading down: under a page's ``h2`` pass 2,
    so the report's title is an ``h3`` and its sections ``h4``."""
    if standalone:
        html = document_html(doc, progress)
    else:
        step(progress, 0, _("Preparing the document"))
        context = html_context(doc, progress, heading_offset=heading_offset)
        html = render_to_string(FRAGMENT_TEMPLATE, context)
    step(progress, 100, _("Done"))
    return html
