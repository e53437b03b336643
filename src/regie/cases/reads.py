"""Reading a signal's personal data: one home for the read-log entry every surface writes.

A page, API answer, export or command that shows personal data of a signal calls
:func:`log_signal_read` with the purpose (a processing activity of the signal's gemeente) and
the fields it shows; the entry carries the pseudonyms of the persons concerned.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext_lazy as _

from regie.cases.models import Outcome, Signal
from regie.privacy import selectors as privacy_selectors
from regie.privacy import services as privacy
from regie.privacy.models import ProcessingActivity, ReadLogEntry

#: The personal fields a full view of a signal shows (the reporter's only with their grant).
SIGNAL_FIELDS = (
    "description",
    "location",
    "subjects",
    "attachments",
    "history",
)
REPORTER_FIELDS = ("reporter_name", "reporter_phone", "reporter_email")


def purpose_key(signal: Signal) -> str:
    return f"signal:{signal.pk}"


def pseudonyms(signal: Signal) -> list[str]:
    return [p for p in signal.subjects.values_list("person_pseudonym", flat=True) if p]


def log_signal_read(
    *,
    reader: privacy.Reader,
    signal: Signal,
    activity: ProcessingActivity,
    surface: str,
    operation: str,
    fields: Iterable[str],
) -> ReadLogEntry:
    return privacy.record_read(
        reader=reader,
        organisation=signal.organisation,
        activity=activity,
        surface=surface,
        operation=operation,
        object_type="signal",
        object_ref=signal.reference,
        fields=fields,
        data_subjects=pseudonyms(signal),
    )


def purpose_of(request: Any, signal: Signal) -> ProcessingActivity | None:
    """The purpose this session gave for ``signal`` (asked once per signal per session)."""
    code = privacy.remembered_purpose(request.session, purpose_key(signal))
    if not code:
        return None
    for item in privacy.activities(signal.organisation):
        if item.code == code:
            return item
    return None


def remember(request: Any, signal: Signal, activity: ProcessingActivity) -> None:
    privacy.remember_purpose(request.session, purpose_key(signal), activity.code)


#: The Dutch names of the codes the read log and retention keep, for the privacy officer.
LABELS: dict[str, dict[str, Any]] = {
    "field": {
        "description": _("description"),
        "location": _("location"),
        "subjects": _("persons, addresses, organisations and vehicles"),
        "attachments": _("attachments"),
        "history": _("history"),
        "outcome_reason": _("reason of the outcome"),
        "legal_hold_reason": _("reason for the legal hold"),
        "hermeldingen": _("hermeldingen"),
        "reporter_name": _("name of the reporter"),
        "reporter_phone": _("telephone of the reporter"),
        "reporter_email": _("e-mail of the reporter"),
    },
    "operation": {
        "signal.detail": _("signal page"),
        "signal.attachment": _("attachment"),
        "signal.matches": _("hermeldingen"),
        "api.signal.detail": _("signal in the API"),
        "inzage": _("inzage"),
    },
    "kind": {
        "person": _("person"),
        "bsn": _("BSN"),
        "address": _("address"),
        "bag": _("BAG address"),
        "kvk": _("KvK number"),
        "phone": _("telephone"),
        "email": _("e-mail"),
        "kenteken": _("licence plate"),
    },
    "count": {
        "cases.destroyed": _("signals destroyed"),
        "cases.anonymised": _("reporters' details removed"),
        "cases.held": _("kept for a legal hold"),
    },
    "outcome": dict(Outcome.choices),
}
for _kind, _labels in LABELS.items():
    privacy_selectors.register_labels(_kind, _labels)
