"""An inzage (AVG art. 15) as a document: collected once, written as JSON and as a tagged PDF.

:func:`collect` is the one path of ``regie inzage`` (surface ``command``) and the privacy
officer's page (surface ``export``): it tells the registered providers through which surface
and for which purpose they show (:func:`regie.privacy.selectors.current_inzage`; each provider
writes its own read-log entries) and gathers their sections.

The JSON is ``{"aangevraagd": date, "gevonden": N, "secties": [{"titel", "records"}]}``; each
record maps a (Dutch) label to a text or to a table (a list of label → text rows). The PDF
shows the same: a title, the date, per record a section with a table. It is PDF/UA-1 (tagged,
``lang="nl"``, the title as the window title); like the reports it loads nothing from outside
(only ``data:`` URIs), so no text in a record can make it fetch a file or a URL.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from regie.core import formats
from regie.core.models import Organisation
from regie.core.pdf import PDF_VARIANT, url_fetcher
from regie.privacy import selectors
from regie.privacy import services as privacy
from regie.privacy.models import Surface

DEFAULT_PURPOSE = selectors.DEFAULT_INZAGE_PURPOSE


@dataclass(frozen=True)
class InzageResult:
    requested_on: dt.date
    sections: list[privacy.InzageSection]
    organisation: Organisation | None = None

    @property
    def found(self) -> int:
        return sum(len(section.records) for section in self.sections)


def collect(
    *,
    identity: privacy.Identity,
    organisation: Organisation | None,
    reader: privacy.Reader,
    surface: str,
    purpose: str = DEFAULT_PURPOSE,
) -> InzageResult:
    """Everything held about ``identity`` (in ``organisation``, or everywhere when None)."""
    if surface not in (Surface.COMMAND, Surface.EXPORT):
        raise ValueError(surface)
    request = selectors.InzageRequest(surface=surface, purpose=purpose or DEFAULT_PURPOSE)
    with selectors.inzage_requested(request):
        sections = privacy.inzage(identity=identity, organisation=organisation, reader=reader)
    return InzageResult(
        requested_on=timezone.localdate(), sections=sections, organisation=organisation
    )


# --- JSON ----------------------------------------------------------------------------------


def as_data(result: InzageResult) -> dict[str, Any]:
    return {
        "aangevraagd": result.requested_on.isoformat(),
        "gevonden": result.found,
        "secties": [
            {"titel": section.title, "records": section.records} for section in result.sections
        ],
    }


def to_json(result: InzageResult) -> bytes:
    return json.dumps(as_data(result), ensure_ascii=False, indent=2, default=str).encode("utf-8")


# --- PDF -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One line of a record's table: a text, or a table of its own (``rows`` of pairs)."""

    label: str
    text: str
    tables: list[list[tuple[str, str]]]


def _row(label: str, value: Any) -> Row:
    if isinstance(value, list):
        tables = [
            [(str(k), str(v)) for k, v in item.items()]
            if isinstance(item, dict)
            else [("", str(item))]
            for item in value
        ]
        return Row(label=label, text="" if tables else "–", tables=tables)
    if isinstance(value, dict):
        return Row(label=label, text="", tables=[[(str(k), str(v)) for k, v in value.items()]])
    return Row(label=label, text=str(value) if value not in (None, "") else "–", tables=[])


def _sections(result: InzageResult) -> list[dict[str, Any]]:
    return [
        {
            "title": section.title,
            "records": [[_row(str(k), v) for k, v in record.items()] for record in section.records],
        }
        for section in result.sections
    ]


def title(result: InzageResult) -> str:
    return _("Inzage (AVG art. 15): the personal data we hold about you")


def to_html(result: InzageResult) -> str:
    return render_to_string(
        "privacy/inzage_document.html",
        {
            "title": title(result),
            "date": formats.date(result.requested_on),
            "organisation": result.organisation,
            "found": result.found,
            "sections": _sections(result),
        },
    )


def to_pdf(result: InzageResult) -> bytes:
    """The document as a tagged PDF (PDF/UA-1, A4); nothing is fetched while printing."""
    import weasyprint  # type: ignore[import-untyped, unused-ignore]

    rendered = weasyprint.HTML(
        string=to_html(result), base_url=None, url_fetcher=url_fetcher()
    ).render(pdf_variant=PDF_VARIANT)
    content: bytes = rendered.write_pdf(pdf_variant=PDF_VARIANT)
    return content
