"""A :class:`~regie.reports.document.Document` as a tagged PDF (PDF/UA-1) with WeasyPrint.

The PDF is the standalone HTML of :mod:`regie.reports.render.html` on A4 paper: tagged (headings,
paragraphs, tables with their header cells, figures with their text alternative), in the
document's language, with its title shown as the window title, page numbers in the footer and
the charts as vectors.

Nothing is fetched while printing: texts come from users, so the URL fetcher refuses every URL
except ``data:`` URIs (a file, an intranet address or a tracking pixel never reaches the PDF).
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from regie.core.pdf import (  # re-exported: the reports' tests and attacks name them here
    ALLOWED_SCHEMES as ALLOWED_SCHEMES,
)
from regie.core.pdf import (
    PDF_VARIANT,
    url_fetcher,
)
from regie.core.pdf import (
    RefusedURL as RefusedURL,
)
from regie.core.pdf import (
    check_url as check_url,
)
from regie.reports.document import Document
from regie.reports.render.cells import Progress, step
from regie.reports.render.html import document_html


def render_pdf(doc: Document, progress: Progress | None = None) -> bytes:
    """``doc`` as PDF/UA-1 bytes (A4, tagged, ``lang`` and title from the document)."""
    import weasyprint  # type: ignore[import-untyped, unused-ignore]

    html = document_html(doc, progress)
    step(progress, 65, _("Laying out the pages"))
    rendered = weasyprint.HTML(string=html, base_url=None, url_fetcher=url_fetcher()).render(
        pdf_variant=PDF_VARIANT
    )
    step(progress, 85, _("Writing the PDF"))
    content: bytes = rendered.write_pdf(pdf_variant=PDF_VARIANT)
    step(progress, 100, _("Done"))
    return content
