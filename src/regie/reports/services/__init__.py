"""The writes of council reports and briefings: one path for pages, commands and jobs.

Rules that live here and nowhere else:

- A report is of one kind and period per gemeente: an *evaluatie* of a year (``2024``), a
  *raadsinformatiebrief* of a half year (``2024H1``), a *briefing* of a month (``2024-10``).
- Its numbers come from its locked snapshot (:func:`lock`), never from the live data; locking
  again (while a concept) takes the figures anew and records a new status momentopname.
- The adviseur writes the text blocks (:data:`TEXT_BLOCKS`); the numbers are not typed.
- A report marked *verzonden* is frozen: texts and snapshot can no longer change; its files
  are built from that snapshot, kept with their SHA-256 and flagged as sent.
- A file is built by a durable job (:func:`request_build`) or at once (:func:`build_now`, the
  command line); both render the same document.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from regie.core import concurrency, formats
from regie.core.concurrency import StaleEditError
from regie.core.errors import ServiceError
from regie.core.models import Organisation
from regie.policy import selectors as policy
from regie.policy import services as policy_services
from regie.policy.models import StatusSnapshot
from regie.programme import selectors as programmes
from regie.programme.models import PERIOD_PATTERN
from regie.reports.models import (
    BuildState,
    Report,
    ReportBuild,
    ReportFile,
    ReportFormat,
    ReportKind,
    ReportState,
)
from regie.reports.services import briefing, snapshot
from regie.stats import periods

__all__ = [
    "TEXT_BLOCKS",
    "ReportFrozen",
    "ServiceError",
    "build_now",
    "check_period",
    "create_report",
    "lock",
    "mark_sent",
    "render",
    "request_build",
    "save_texts",
]

Progress = Callable[[int, str], None]

#: The text blocks the adviseur writes, per kind: (key, label, help).
TEXT_BLOCKS: dict[str, list[tuple[str, Any, Any]]] = {
    ReportKind.RAADSINFORMATIEBRIEF: [
        (
            "aanleiding",
            gettext_lazy("Introduction"),
            gettext_lazy("Why the council receives this letter."),
        ),
        (
            "ontwikkelingen",
            gettext_lazy("Developments"),
            gettext_lazy("What happened in this half year."),
        ),
        ("vervolg", gettext_lazy("Next steps"), gettext_lazy("What comes next.")),
    ],
    ReportKind.EVALUATIE: [
        ("inleiding", gettext_lazy("Introduction"), gettext_lazy("What this evaluation covers.")),
        ("conclusies", gettext_lazy("Conclusions"), gettext_lazy("What came of the programme.")),
        ("voorstellen", gettext_lazy("Proposals for the next programme"), gettext_lazy("")),
    ],
    ReportKind.BRIEFING: [
        ("kern", gettext_lazy("Key points"), gettext_lazy("The two or three things to discuss.")),
        ("besluitpunten", gettext_lazy("Points for decision"), gettext_lazy("")),
    ],
}

#: At most this many characters per text block (a page of text is about 3,000).
MAX_TEXT = 20_000


class ReportFrozen(ServiceError):
    """The report has been sent: it stays as it was."""


def _frozen_error(report: Report) -> ReportFrozen:
    return ReportFrozen(
        _("This report was sent on %(date)s and cannot be changed.")
        % {"date": formats.date(report.sent_on) if report.sent_on else "?"}
    )


#: The first year a report can be about (police figures in this form start in 2012).
MIN_YEAR = 2000


def _check_year(period: str) -> str:
    """Refuse a year no report can be about (0000, 2999): from :data:`MIN_YEAR` to next year."""
    year, last = int(period[:4]), timezone.localdate().year + 1
    if not MIN_YEAR <= year <= last:
        raise ServiceError(
            _("Give a period from %(first)s to %(last)s, not “%(value)s”.")
            % {"first": MIN_YEAR, "last": last, "value": period}
        )
    return period


def check_period(kind: str, period: str) -> str:
    """``period`` cleaned for ``kind``, or a ServiceError saying what is expected."""
    period = (period or "").strip().upper()
    if kind == ReportKind.BRIEFING:
        try:
            briefing.month_of(period)
        except ValueError:
            raise ServiceError(
                _("Give the month of a briefing as year-month (2024-10), not “%(value)s”.")
                % {"value": period}
            ) from None
        return _check_year(period)
    match = PERIOD_PATTERN.match(period)
    if kind == ReportKind.EVALUATIE and (match is None or match["half"]):
        raise ServiceError(
            _("An evaluation covers a year, for example 2024, not “%(value)s”.") % {"value": period}
        )
    if kind == ReportKind.RAADSINFORMATIEBRIEF and (match is None or not match["half"]):
        raise ServiceError(
            _("A raadsinformatiebrief covers a half year, for example 2024H1, not “%(value)s”.")
            % {"value": period}
        )
    if kind not in ReportKind.values:
        raise ServiceError(_("“%(value)s” is not a kind of report.") % {"value": kind})
    return _check_year(period)


def period_label(period: str) -> str:
    """A report's period as people read it (``stats.periods.label``, the one home of period
    words): ``2024`` → "2024", ``2024H1`` → "1e halfjaar 2024", ``2024-10`` → "oktober 2024"."""
    code = period.replace("-", "M") if "-" in period else period
    try:
        return periods.label(periods.parse(code))
    except periods.PeriodError:  # stored before periods were checked: shown as it is
        return period


def default_title(kind: str, period: str) -> str:
    if kind == ReportKind.EVALUATIE:
        text = _("Evaluation of integral safety %(period)s")
    elif kind == ReportKind.RAADSINFORMATIEBRIEF:
        text = _("Raadsinformatiebrief integral safety, %(period)s")
    else:
        text = _("Briefing driehoek, %(period)s")
    return text % {"period": period_label(period)}


def _programme_for(organisation: Organisation, kind: str, period: str) -> Any:
    """The programme a report accounts for: the half year's own programme, else the year's."""
    year = period[:4]
    if kind == ReportKind.RAADSINFORMATIEBRIEF:
        return programmes.programme_for(organisation, period) or programmes.programme_for(
            organisation, year
        )
    if kind == ReportKind.EVALUATIE:
        return (
            programmes.programme_for(organisation, year)
            or programmes.programme_for(organisation, f"{year}H2")
            or programmes.programme_for(organisation, f"{year}H1")
        )
    return programmes.programme_for(organisation, year)


@transaction.atomic
def create_report(
    *, organisation: Organisation, kind: str, period: str, title: str = "", user: Any = None
) -> Report:
    """A concept report of ``kind`` for ``period``, tied to the plan covering the period and its
    uitvoeringsprogramma (when there is one)."""
    period = check_period(kind, period)
    exists = ServiceError(
        _("There is already a %(kind)s for %(period)s.")
        % {"kind": ReportKind(kind).label.lower(), "period": period}
    )
    if Report.objects.filter(organisation=organisation, kind=kind, period=period).exists():
        raise exists
    plan = policy.plan_covering(organisation, int(period[:4]))
    programme = _programme_for(organisation, kind, period)
    report = Report(
        organisation=organisation,
        kind=kind,
        period=period,
        title=(title.strip() or default_title(kind, period))[:200],
        plan=plan,
        programme=programme,
        created_by=user if getattr(user, "is_authenticated", False) else None,
    )
    try:
        with transaction.atomic():
            report.save()
    except IntegrityError:
        raise exists from None
    return report


def _locked(report: Report) -> Report:
    stored = (
        Report.objects.select_for_update()
        .filter(pk=report.pk)
        .values_list("state", "sent_on")
        .first()
    )
    if stored is None:
        raise StaleEditError
    report.state, report.sent_on = stored
    return report


@transaction.atomic
def save_texts(report: Report, *, version: str, texts: dict[str, str]) -> Report:
    """The adviseur's text blocks (only the kind's own blocks; each at most :data:`MAX_TEXT`)."""
    _locked(report)
    if report.is_frozen:
        raise _frozen_error(report)
    allowed = {key for key, _label, _help in TEXT_BLOCKS[report.kind]}
    for key, text in texts.items():
        if key not in allowed:
            raise ServiceError(_("“%(key)s” is not a text block of this report.") % {"key": key})
        if len(text) > MAX_TEXT:
            raise ServiceError(
                _("A text block holds at most %(max)s characters.") % {"max": formats.num(MAX_TEXT)}
            )
    concurrency.claim(report, version)
    new = {key: texts.get(key, "").strip() for key in sorted(allowed)}
    if {k: v for k, v in new.items() if v} == {k: v for k, v in (report.texts or {}).items() if v}:
        return report  # nothing changed: the files built since stay current
    report.texts = new
    report.save()
    return report


def _moment_label(report: Report) -> str:
    base = f"{ReportKind(report.kind).label} {report.period}"
    label, number = base, 2
    while StatusSnapshot.objects.filter(plan=report.plan, label=label).exists():
        label, number = f"{base} ({number})", number + 1
    return label[:40]


@transaction.atomic
def lock(report: Report, *, version: str, user: Any = None) -> Report:
    """Take the report's snapshot now: the plan's status momentopname (kept in the Beleid
    section too), the figures with their vintage, the actions and the budget."""
    _locked(report)
    if report.is_frozen:
        raise _frozen_error(report)
    concurrency.claim(report, version)
    moment = None
    # The snapshot keeps sentences (explanations, labels): always in the report's language,
    # whatever language the person locking it reads the site in.
    with translation.override(settings.LANGUAGE_CODE):
        if report.plan is not None:
            moment = policy_services.take_snapshot(
                plan=report.plan, label=_moment_label(report), user=user
            )
        report.status_snapshot = moment
        report.snapshot = snapshot.build(report, status_payload=moment.payload if moment else None)
    report.snapshot_taken_at = timezone.now()
    report.save()
    return report


@transaction.atomic
def mark_sent(report: Report, *, version: str, sent_on: dt.date, user: Any = None) -> Report:
    """Freeze the report as sent on ``sent_on``; files built from now on are flagged as sent."""
    _locked(report)
    if report.is_frozen:
        raise _frozen_error(report)
    if not report.snapshot:
        raise ServiceError(_("Lock the figures before the report is sent."))
    concurrency.claim(report, version)
    report.state, report.sent_on = ReportState.SENT, sent_on
    report.save()
    for fmt in ReportFormat.values:  # the files as sent, kept with their SHA-256
        try:
            _request_build(report, fmt, user=user)
        except ServiceError:  # the gemeente's builds are queued full: built on request later
            break
    return report


def render(report: Report, fmt: str, *, progress: Progress | None = None) -> bytes:
    """The report as ``fmt`` bytes, from its snapshot and texts only."""
    from regie.reports import compose
    from regie.reports.render import render_docx, render_pdf, render_xlsx

    if not report.snapshot:
        raise ServiceError(_("The report has no locked figures yet."))
    with translation.override(settings.LANGUAGE_CODE):
        document = compose.document(report)
    renderers = {
        ReportFormat.PDF: render_pdf,
        ReportFormat.DOCX: render_docx,
        ReportFormat.XLSX: render_xlsx,
    }
    if fmt not in renderers:
        raise ServiceError(_("“%(value)s” is not a format of a report.") % {"value": fmt})
    with translation.override(settings.LANGUAGE_CODE):
        data: bytes = renderers[ReportFormat(fmt)](document, progress=progress)
    return data


def store_file(report: Report, fmt: str, content: bytes, *, user: Any = None) -> ReportFile:
    return ReportFile.objects.create(
        report=report,
        format=fmt,
        content=content,
        sha256=hashlib.sha256(content).hexdigest(),
        size=len(content),
        sent=report.is_frozen,
        built_by=user if getattr(user, "is_authenticated", False) else None,
    )


def build_now(
    report: Report, fmt: str, *, user: Any = None, progress: Progress | None = None
) -> ReportFile:
    """Render and store one file at once (the command line; the job calls it too)."""
    content = render(report, fmt, progress=progress)
    report.refresh_from_db(fields=["state", "sent_on"])
    return store_file(report, fmt, content, user=user)


def request_build(report: Report, fmt: str, *, user: Any = None) -> ReportBuild:
    """Queue a durable job that builds ``fmt``; the page follows its :class:`ReportBuild`."""
    if fmt not in ReportFormat.values:
        raise ServiceError(_("“%(value)s” is not a format of a report.") % {"value": fmt})
    if not report.snapshot:
        raise ServiceError(_("Lock the figures before building the report."))
    with transaction.atomic():
        # one request at a time per report: two clicks never queue two builds
        Report.objects.select_for_update().filter(pk=report.pk).first()
        return _request_build(report, fmt, user=user)


#: At most this many builds of one gemeente wait or run at once (the queue is shared).
MAX_WAITING_BUILDS = 6


def _request_build(report: Report, fmt: str, *, user: Any) -> ReportBuild:
    from regie.reports import tasks

    running = report.builds.filter(
        format=fmt, state__in=[BuildState.QUEUED, BuildState.RUNNING]
    ).first()
    if running is not None:
        return running
    waiting = ReportBuild.objects.filter(
        report__organisation_id=report.organisation_id,
        state__in=[BuildState.QUEUED, BuildState.RUNNING],
    ).count()
    if waiting >= MAX_WAITING_BUILDS:
        raise ServiceError(
            _("%(n)s files of your gemeente are being built; wait until one is ready.")
            % {"n": waiting}
        )
    current = latest_files(report).get(fmt)
    if current is not None and current.built_at >= report.updated_at:
        # Built since the last change: the same document again would only fill the disk.
        return ReportBuild.objects.create(
            report=report,
            format=fmt,
            state=BuildState.DONE,
            progress=100,
            file=current,
            requested_by=user if getattr(user, "is_authenticated", False) else None,
            finished_at=timezone.now(),
        )
    return tasks.queue_build(report, fmt, user=user)


def latest_files(report: Report) -> dict[str, ReportFile]:
    """The newest file of each format (without its content loaded)."""
    found: dict[str, ReportFile] = {}
    for row in report.files.defer("content").order_by("format", "-built_at", "-pk"):
        found.setdefault(row.format, row)
    return found
