"""A :class:`~regie.reports.document.Document` as a tagged PDF (PDF/UA-1) with WeasyPrint.

The PDF is the standalone HTML of :mod:`regie.reports.render.html` on A4 paper: tagged (headings,
paragraphs, tables with their header cells, figures with their text alternative), in the
document's language, with its title shown as the window title, page numbers in the footer and
the charts as vectors.

Nothing is fetched while printing: texts come from users, so the URL fetcher refuses every URL
except ``data:`` URIs (a file, an intranet address or a tracking pixel never reaches the PDF).
"""

from __future__ import annotations

from typing import Any, Final

from django.utils.translation import gettext as _

from regie.reports.document import Document
from regie.reports.render.cells import Progress, step
from regie.reports.render.html import document_html

PDF_VARIANT: Final = "pdf/ua-1"
#: Every URL scheme the printed report may load (inline images and fonts only).
ALLOWED_SCHEMES: Final = frozenset({"data"})


class RefusedURL(ValueError):
    """A URL the report renderer does not fetch."""


def check_url(url: str) -> str:
    """``url`` if the PDF may load it (a ``data:`` URI), else :class:`RefusedURL`."""
    scheme, colon, _rest = url.partition(":")
    if not colon or scheme.strip().lower() not in ALLOWED_SCHEMES:
        raise RefusedURL(f"The report does not load {url[:80]!r}")
    return url


def url_fetcher() -> Any:
    """A WeasyPrint URL fetcher that loads ``data:`` URIs and refuses everything else."""
    from weasyprint.urls import (  # type: ignore[import-untyped, unused-ignore]
        URLFetcher,
    )

    class ReportURLFetcher(URLFetcher):  # type: ignore[misc, unused-ignore]
        def fetch(self, url: str, headers: Any = None) -> Any:
            return super().fetch(check_url(url), headers)

    return ReportURLFetcher(allowed_protocols=ALLOWED_SCHEMES, allow_redirects=False, timeout=1)


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
