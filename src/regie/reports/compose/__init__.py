"""From a report's locked snapshot and its text blocks to one :class:`Document`.

Only the snapshot is read (never the live figures), so every format and every rebuild shows the
same numbers. Effort (inspanning: the actions) and effect (the indicators) are shown side by side
in their own columns, each with its own name, and never combined into one status.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from regie.core import formats
from regie.reports import services
from regie.reports.compose import parts
from regie.reports.document import Document, Heading
from regie.reports.models import Report, ReportKind


def colophon(report: Report, snap: dict[str, Any]) -> list[tuple[str, str]]:
    taken = timezone.localtime(dt.datetime.fromisoformat(snap["taken_at"]))
    lines = [
        (_("Gemeente"), snap["gemeente"]["name"]),
        (_("Period"), services.period_label(report.period)),
        (_("Figures locked on"), f"{formats.date(taken)} {taken:%H:%M}"),
    ]
    if "plan" in snap:
        plan = snap["plan"]
        lines.append(
            (
                _("Plan"),
                _("%(title)s (version %(version)s)")
                % {"title": plan["title"], "version": plan["version"]},
            )
        )
    if "programme" in snap:
        lines.append((_("Uitvoeringsprogramma"), snap["programme"]["title"]))
    if report.is_frozen and report.sent_on:
        lines.append((_("Sent on"), formats.date(report.sent_on)))
    else:
        lines.append((_("State"), _("Concept")))
    return lines


def _text(document: Document, report: Report, key: str, heading: str) -> None:
    text = (report.texts or {}).get(key, "").strip()
    if text:
        document.add(Heading(heading))
        document.text(text)


def document(report: Report) -> Document:
    snap: dict[str, Any] = report.snapshot or {}
    doc = Document(
        title=report.title,
        subtitle=_("Gemeente %(name)s · %(kind)s %(period)s")
        % {
            "name": snap.get("gemeente", {}).get("name", report.organisation.name),
            "kind": ReportKind(report.kind).label,
            "period": services.period_label(report.period),
        },
        organisation=report.organisation.name,
        kind=report.kind,
        period=report.period,
        colophon=colophon(report, snap),
    )
    if report.kind == ReportKind.BRIEFING:
        _briefing(doc, report, snap)
    elif report.kind == ReportKind.RAADSINFORMATIEBRIEF:
        _letter(doc, report, snap)
    else:
        _evaluation(doc, report, snap)
    return doc


def _evaluation(doc: Document, report: Report, snap: dict[str, Any]) -> None:
    _text(doc, report, "inleiding", _("Introduction"))
    parts.effort_and_effect(doc, snap)
    parts.indicators(doc, snap, charts=True)
    parts.actions(doc, snap, results=True)
    parts.budget(doc, snap)
    parts.capacity(doc, snap)
    _text(doc, report, "conclusies", _("Conclusions"))
    parts.programme_evaluation(doc, snap)
    _text(doc, report, "voorstellen", _("Proposals for the next programme"))


def _letter(doc: Document, report: Report, snap: dict[str, Any]) -> None:
    _text(doc, report, "aanleiding", _("Introduction"))
    parts.effort_and_effect(doc, snap)
    parts.indicators(doc, snap, charts=True)
    parts.actions(doc, snap, results=False)
    parts.budget(doc, snap)
    _text(doc, report, "ontwikkelingen", _("Developments"))
    _text(doc, report, "vervolg", _("Next steps"))


def _briefing(doc: Document, report: Report, snap: dict[str, Any]) -> None:
    _text(doc, report, "kern", _("Key points"))
    parts.months(doc, snap)
    parts.changed(doc, snap)
    parts.cases(doc, snap)
    _text(doc, report, "besluitpunten", _("Points for decision"))
