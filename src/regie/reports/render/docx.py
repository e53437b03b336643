"""A :class:`~regie.reports.document.Document` as a Word file (python-docx).

Editable, and structured the way Word users expect: the title in the Title style, sections in
real Heading 1–3 styles (the navigation pane and a table of contents work), paragraphs as plain
text, tables with a header row that repeats on every page, a caption above every figure and
table ("Figuur 1. …", "Tabel 2. …" in the Caption style), charts as PNG images (from the same
Vega-Lite spec as the pages, with the chart's text alternative as the image description) each
followed by its table, and the sources ("Bron: …") under each. Numbers are Dutch text, formatted
exactly as in the PDF.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import closing
from typing import Final

from django.utils.translation import gettext as _
from docx import Document as new_document
from docx.document import Document as WordDocument
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.table import Table as WordTable

from regie.core import exports
from regie.core.charts import Chart, ChartTable
from regie.reports.document import Document, Figure, Heading, Paragraph, Table, xml_safe
from regie.reports.render.cells import (
    Numbered,
    Progress,
    cell_text,
    chart_label,
    figure_caption,
    figure_specs,
    numbered,
    source_lines,
    step,
    table_caption,
)
from regie.reports.render.drawing import drawn

IMAGE_WIDTH: Final = Cm(16)
LANGUAGE: Final = "nl-NL"
_NOTE_SIZE: Final = Pt(8.5)
_NOTE_COLOUR: Final = RGBColor(0x33, 0x33, 0x33)
_LEAD_SIZE: Final = Pt(12)


def _language_code(lang: str) -> str:
    return LANGUAGE if lang.lower().startswith("nl") else lang


def _set_language(word: WordDocument, code: str) -> None:
    """Spelling and hyphenation in the document's language (the default run properties)."""
    styles = word.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    if defaults is None:
        return
    run_defaults = defaults.find(qn("w:rPrDefault"))
    if run_defaults is None:
        return
    properties = run_defaults.find(qn("w:rPr"))
    if properties is None:
        properties = OxmlElement("w:rPr")
        run_defaults.append(properties)
    language = properties.find(qn("w:lang"))
    if language is None:
        language = OxmlElement("w:lang")
        properties.append(language)
    language.set(qn("w:val"), code)
    language.set(qn("w:eastAsia"), code)
    language.set(qn("w:bidi"), code)


def _paragraph(word: WordDocument, text: str, *, style: str = "") -> None:
    """A paragraph (``style`` "", "note" or "lead"); single line breaks stay line breaks."""
    paragraph = word.add_paragraph()
    for index, line in enumerate(text.split("\n")):
        run = paragraph.add_run()
        if index:
            run.add_break()
        run.add_text(line)
        if style == "note":
            run.font.size = _NOTE_SIZE
            run.font.color.rgb = _NOTE_COLOUR
        elif style == "lead":
            run.font.size = _LEAD_SIZE


def _caption(word: WordDocument, text: str) -> None:
    caption = word.add_paragraph(text, style="Caption")
    caption.paragraph_format.keep_with_next = True


def _repeat_header(table: WordTable) -> None:
    row_properties = table.rows[0]._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    row_properties.append(header)


def _cant_split(table: WordTable) -> None:
    for row in table.rows:
        row_properties = row._tr.get_or_add_trPr()
        element = OxmlElement("w:cantSplit")
        element.set(qn("w:val"), "true")
        row_properties.append(element)


def _table(word: WordDocument, table: ChartTable, number: int) -> None:
    _caption(word, table_caption(number, table.title))
    if table.note:
        _paragraph(word, table.note, style="note")
    columns = table.columns
    grid = word.add_table(rows=1, cols=len(columns))
    grid.style = word.styles["Table Grid"]
    grid.alignment = WD_TABLE_ALIGNMENT.LEFT
    for cell, column in zip(grid.rows[0].cells, columns, strict=True):
        cell.text = ""
        run = cell.paragraphs[0].add_run(column.label)
        run.bold = True
        if column.is_numeric:
            cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _repeat_header(grid)
    if not table.rows:
        cells = grid.add_row().cells
        merged = cells[0].merge(cells[-1]) if len(cells) > 1 else cells[0]
        merged.text = _("No figures published.")
    for row in table.rows:
        cells = grid.add_row().cells
        for cell, column in zip(cells, columns, strict=True):
            cell.text = cell_text(row.get(column.key), column)
            if column.is_numeric:
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _cant_split(grid)
    for line in source_lines(table):
        _paragraph(word, line, style="note")


def _figure(word: WordDocument, chart: Chart, number: int, png: bytes) -> None:
    _caption(word, figure_caption(number, chart.table.title))
    if chart.table.note:
        _paragraph(word, chart.table.note, style="note")
    picture = word.add_paragraph()
    picture.paragraph_format.keep_with_next = True
    run = picture.add_run()
    shape = run.add_picture(io.BytesIO(png), width=IMAGE_WIDTH)
    label = chart_label(chart)
    properties = shape._inline.docPr
    properties.set("descr", label)
    properties.set("title", chart.table.title)
    for line in source_lines(chart.table):
        _paragraph(word, line, style="note")


def _title_page(word: WordDocument, doc: Document) -> None:
    word.add_heading(doc.title, level=0)
    if doc.subtitle:
        word.add_paragraph(doc.subtitle, style="Subtitle")
    if doc.organisation and doc.organisation not in doc.subtitle:
        word.add_paragraph(doc.organisation)
    for label, value in doc.colophon:
        paragraph = word.add_paragraph()
        paragraph.add_run(f"{label}: ").bold = True
        paragraph.add_run(value)
    word.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def _block(word: WordDocument, item: Numbered, images: Iterator[bytes]) -> None:
    block = item.block
    if isinstance(block, Heading):
        word.add_heading(block.text, level=max(1, min(9, block.level - 1)))
    elif isinstance(block, Paragraph):
        _paragraph(word, block.text, style=block.style)
    elif isinstance(block, Table):
        _table(word, block.table, item.table)
    elif isinstance(block, Figure):
        if item.figure:
            _figure(word, block.chart, item.figure, next(images))
        _table(word, block.chart.table, item.table)


def render_docx(doc: Document, progress: Progress | None = None) -> bytes:
    """``doc`` as a .docx file: Title, Heading 1–3 (section level 2 is Heading 1), captions,
    tables with a repeated header row, charts as images followed by their table."""
    step(progress, 0, _("Preparing the document"))
    doc = xml_safe(doc)
    word = new_document()
    code = _language_code(doc.lang)
    properties = word.core_properties
    properties.title = doc.title
    properties.subject = doc.subtitle
    properties.author = doc.organisation
    properties.language = code
    properties.keywords = doc.kind
    _set_language(word, code)
    _title_page(word, doc)
    items = list(numbered(doc))
    specs = figure_specs(items)
    with closing(drawn(specs, exports.to_png, progress=progress, end=85)) as images:
        for item in items:
            _block(word, item, images)
    step(progress, 90, _("Writing the Word file"))
    buffer = io.BytesIO()
    word.save(buffer)
    step(progress, 100, _("Done"))
    return buffer.getvalue()
