"""The renderers of council reports: one :class:`~regie.reports.document.Document`, four formats.

- :func:`render_html` — the fragment the report page includes, or the full HTML the PDF prints;
- :func:`render_pdf` — tagged PDF (PDF/UA-1, WeasyPrint), charts as vectors, nothing fetched;
- :func:`render_docx` — Word with real headings, captions and tables, charts as images;
- :func:`render_xlsx` — Excel with one sheet per table, numbers as numbers, a sources sheet.

Each takes an optional ``progress(percent, step)`` callback (percent 0–100, a translated step)
for the durable build job. The same document always gives the same numbers and texts: every
cell is formatted by :mod:`regie.reports.render.cells`.
"""

from __future__ import annotations

from regie.reports.render.docx import render_docx
from regie.reports.render.html import html_context, render_html
from regie.reports.render.pdf import render_pdf
from regie.reports.render.xlsx import render_xlsx

RENDERERS = {"pdf": render_pdf, "docx": render_docx, "xlsx": render_xlsx}

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

__all__ = [
    "CONTENT_TYPES",
    "RENDERERS",
    "html_context",
    "render_docx",
    "render_html",
    "render_pdf",
    "render_xlsx",
]
