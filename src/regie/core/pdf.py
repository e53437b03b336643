"""Printing user texts to PDF with WeasyPrint without fetching anything: one home for the rule.

Texts come from users, so the URL fetcher refuses every URL except ``data:`` URIs (a file, an
intranet address or a tracking pixel never reaches a PDF). Used by the council reports and the
inzage document.
"""

from __future__ import annotations

from typing import Any, Final

#: The tagged variant every PDF of the product is written in.
PDF_VARIANT: Final = "pdf/ua-1"
#: Every URL scheme a printed document may load (inline images and fonts only).
ALLOWED_SCHEMES: Final = frozenset({"data"})


class RefusedURL(ValueError):
    """A URL a printed document does not fetch."""


def check_url(url: str) -> str:
    """``url`` if the PDF may load it (a ``data:`` URI), else :class:`RefusedURL`."""
    scheme, colon, _rest = url.partition(":")
    if not colon or scheme.strip().lower() not in ALLOWED_SCHEMES:
        raise RefusedURL(f"A printed document does not load {url[:80]!r}")
    return url


def url_fetcher() -> Any:
    """A WeasyPrint URL fetcher that loads ``data:`` URIs and refuses everything else."""
    from weasyprint.urls import (  # type: ignore[import-untyped, unused-ignore]
        URLFetcher,
    )

    class DataOnlyURLFetcher(URLFetcher):  # type: ignore[misc, unused-ignore]
        def fetch(self, url: str, headers: Any = None) -> Any:
            return super().fetch(check_url(url), headers)

    return DataOnlyURLFetcher(allowed_protocols=ALLOWED_SCHEMES, allow_redirects=False, timeout=1)
