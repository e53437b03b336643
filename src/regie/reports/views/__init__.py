"""The pages of council reports and briefings, under ``/<org>/rapportage/``.

Thin views: look the report up within the URL's organisation (and every build and file within
that report, so another gemeente's ids are a 404), validate with :mod:`regie.reports.forms`,
write through :mod:`regie.reports.services`, render. Raadplegers read and download; beheerders
and adviseurs write the texts, lock the figures, build the files and mark a report as sent.

:mod:`.reports` (the list, a report's page, its texts, locking and sending), :mod:`.files`
(building as a durable job with its progress page, downloads) and :mod:`.common` (lookups and
the page context).
"""

from regie.reports.views.files import build_request, build_status, file_download
from regie.reports.views.reports import (
    index,
    report_create,
    report_detail,
    report_lock,
    report_send,
    report_texts,
)

__all__ = [
    "build_request",
    "build_status",
    "file_download",
    "index",
    "report_create",
    "report_detail",
    "report_lock",
    "report_send",
    "report_texts",
]
