"""A report as a renderer sees it: headings, paragraphs, tables and charts, in order.

The composers (:mod:`regie.reports.compose`) turn a locked snapshot and the adviseur's text blocks
into a :class:`Document`; the renderers (:mod:`regie.reports.render`) turn that one document into
HTML (the report page, and the PDF through WeasyPrint), Word and Excel. Tables and charts are the
shared building blocks of the pages (:mod:`regie.core.charts`): a chart carries the Vega-Lite spec
the pages draw *and* the table behind it, so every chart in every format has its table.

Cell values are raw: numbers as ``int``/``float``/``Decimal`` (``None`` = not available, shown as
"–", never 0), text as ``str``. Renderers format them: Dutch text in HTML/PDF/Word, numbers as
numbers with a number format in Excel.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any

from regie.core.charts import Chart, ChartTable


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 2  # 1 is the document title; sections start at 2


@dataclass(frozen=True)
class Paragraph:
    text: str
    style: str = ""  # "" | "note" (small, grey: sources, caveats) | "lead"


@dataclass(frozen=True)
class Table:
    """A table without a chart; ``table.sources`` are printed under it."""

    table: ChartTable


@dataclass(frozen=True)
class Figure:
    """A chart with the table behind it (always both)."""

    chart: Chart


Block = Heading | Paragraph | Table | Figure


@dataclass
class Document:
    title: str
    subtitle: str  # "Gemeente Alblasserdam · Evaluatie 2024"
    organisation: str
    kind: str  # ReportKind value
    period: str
    lang: str = "nl"
    blocks: list[Block] = field(default_factory=list)
    # What the snapshot says about itself, printed on the title page and in the sources sheet:
    # ("Momentopname", "6-12-2026 14:05"), ("Stand van de cijfers", "…").
    colophon: list[tuple[str, str]] = field(default_factory=list)

    def tables(self) -> list[ChartTable]:
        """Every table in document order (a figure's table included): the Excel sheets."""
        found: list[ChartTable] = []
        for block in self.blocks:
            if isinstance(block, Table):
                found.append(block.table)
            elif isinstance(block, Figure):
                found.append(block.chart.table)
        return found

    def add(self, *blocks: Block) -> None:
        self.blocks.extend(blocks)

    def text(self, text: str, style: str = "") -> None:
        """Add the adviseur's text: paragraphs separated by blank lines."""
        for part in (p.strip() for p in text.replace("\r\n", "\n").split("\n\n")):
            if part:
                self.blocks.append(Paragraph(part, style))


def describe(document: Document) -> dict[str, Any]:
    """A short summary for logs and tests: counts of each block kind."""
    counts: dict[str, int] = {}
    for block in document.blocks:
        name = type(block).__name__.lower()
        counts[name] = counts.get(name, 0) + 1
    return {"title": document.title, **counts}


#: Characters XML 1.0 cannot hold (C0 controls but tab, newline, carriage return; two
#: non-characters): a Word file with one of them cannot be written.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_text(value: Any) -> Any:
    """``value`` with the characters XML cannot hold replaced by a space (other values kept)."""
    return _NOT_XML.sub(" ", value) if isinstance(value, str) else value


def _xml_table(table: ChartTable) -> ChartTable:
    return replace(
        table,
        title=xml_text(table.title),
        note=xml_text(table.note),
        sources=[xml_text(line) for line in table.sources],
        columns=[replace(c, label=xml_text(c.label)) for c in table.columns],
        rows=[{key: xml_text(value) for key, value in row.items()} for row in table.rows],
    )


def xml_safe(document: Document) -> Document:
    """A copy of ``document`` whose texts XML can hold: text typed by users (a report sent with
    a stray control character) must not stop its Word file from being built."""
    blocks: list[Block] = []
    for block in document.blocks:
        if isinstance(block, Heading | Paragraph):
            blocks.append(replace(block, text=xml_text(block.text)))
        elif isinstance(block, Table):
            blocks.append(Table(_xml_table(block.table)))
        else:
            chart = block.chart
            blocks.append(
                Figure(
                    Chart(
                        table=_xml_table(chart.table),
                        spec=chart.spec,
                        description=xml_text(chart.description),
                    )
                )
            )
    return replace(
        document,
        title=xml_text(document.title),
        subtitle=xml_text(document.subtitle),
        organisation=xml_text(document.organisation),
        blocks=blocks,
        colophon=[(xml_text(k), xml_text(v)) for k, v in document.colophon],
    )
