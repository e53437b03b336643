"""What the report pages share: lookups within the URL's organisation, the page context and the
way sizes and moments are written."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from regie.accounts.permissions import EDITOR_ROLES
from regie.core import formats
from regie.core.models import Organisation
from regie.reports import services
from regie.reports.models import Report, ReportBuild, ReportFile, ReportKind

#: The menu place of these pages (accounts.navigation).
NAV = "rapportage"


def report_in(organisation: Organisation, report_id: int) -> Report:
    """The report ``report_id`` of ``organisation``; 404 for another organisation's report."""
    return get_object_or_404(
        Report.objects.select_related("organisation", "plan", "programme"),
        pk=report_id,
        organisation=organisation,
    )


def build_in(report: Report, build_id: int) -> ReportBuild:
    """A build of ``report`` (so of the URL's organisation); 404 otherwise."""
    return get_object_or_404(
        ReportBuild.objects.select_related("file").defer("file__content"),
        pk=build_id,
        report=report,
    )


def file_in(report: Report, file_id: int) -> ReportFile:
    """A file of ``report`` (so of the URL's organisation); 404 otherwise."""
    return get_object_or_404(ReportFile, pk=file_id, report=report)


def is_editor(request: HttpRequest) -> bool:
    return getattr(request, "role", None) in EDITOR_ROLES


def can_edit(request: HttpRequest, report: Report) -> bool:
    """May the user change this report now (an editor role, and the report is not sent)?"""
    return is_editor(request) and not report.is_frozen


def moment(value: dt.datetime | None) -> str:
    """A moment as "06-12-2026 14:05" (local time); "–" when there is none."""
    if value is None:
        return "–"
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{formats.date(local)} {local:%H:%M}"


def size(value: int) -> str:
    """A file size: "850 bytes", "12 kB", "1,4 MB"."""
    if value < 1024:
        return _("%(size)s bytes") % {"size": formats.num(value)}
    if value < 1024 * 1024:
        return _("%(size)s kB") % {"size": formats.num(round(value / 1024))}
    return _("%(size)s MB") % {"size": formats.num(value / (1024 * 1024), 1)}


def kind_label(report: Report) -> str:
    return str(ReportKind(report.kind).label)


def download_name(report: Report, fmt: str) -> str:
    """ "alblasserdam-evaluatie-2024.pdf": the gemeente, the kind, the period."""
    from django.utils.text import slugify

    name = slugify(report.organisation.name) or report.organisation.slug
    return f"{name}-{report.kind}-{report.period.lower()}.{fmt}"


def file_row(report: Report, stored: ReportFile) -> dict[str, Any]:
    """What the pages show of a stored file."""
    return {
        "file": stored,
        "format": stored.get_format_display(),
        "name": download_name(report, stored.format),
        "size": size(stored.size),
        "built": moment(stored.built_at),
        "sha256": stored.sha256,
        "sent": stored.sent,
    }


def report_context(
    request: HttpRequest, organisation: Organisation, report: Report
) -> dict[str, Any]:
    return {
        "organisation": organisation,
        "report": report,
        "kind_label": kind_label(report),
        "period_label": services.period_label(report.period),
        "sent_on": formats.date(report.sent_on) if report.sent_on else "",
        "locked_at": moment(report.snapshot_taken_at) if report.snapshot else "",
        "can_edit": can_edit(request, report),
        "is_editor": is_editor(request),
        "nav": NAV,
    }
