"""Inzage (AVG art. 15): what the Meldpunt holds about one person.

The provider registered with :func:`regie.privacy.services.register_inzage` finds the person's
subjects by blind index (:class:`~regie.cases.models.SubjectKey` rows of kind ``bsn`` and/or
``person`` whose digest equals the identity's), in one gemeente or — for installation beheer
(``regie inzage`` without ``--gemeente``) — in all of them, and gives one record per signal.

What a record holds, and what it deliberately leaves out:

- the signal as it concerns this person: reference, gemeente, date received, category, status,
  outcome, the description and the location, the source (channel and kind of reporter);
- every stored field of *this person's* subject rows (all of them, with the role);
- the recipients (AVG art. 15(1)(c)): the organisations the signal was shared with, revoked
  shares included, with their dates, and the organisation that reported it;
- **not** the personal data of anyone else. Other subjects of the same signal (other persons,
  addresses, organisations, vehicles) are only counted: "N other subjects (not shown)";
- **not** the reporter's name, telephone or e-mail address: the reporter is another person
  whose identity the gemeente protects (AVG art. 15(4), art. 23; CCV Modelprotocol). Only the
  kind of reporter is given as the source of the data.

Every signal shown is written to the read log (surface and purpose from
:func:`regie.privacy.selectors.current_inzage`), and the request itself to the audit log
without personal data (only the number of signals).

The module also lends the privacy officer's retention page the Meldpunt's effective retention
rules (:func:`retention_rules`, from :mod:`regie.cases.retention`): the privacy core imports
no app, so the Meldpunt hands them over, like its inzage records.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from regie.cases import reads
from regie.cases.models import (
    Outcome,
    RetentionAction,
    RetentionStart,
    Signal,
    SignalShare,
    Subject,
    SubjectKey,
)
from regie.core import formats
from regie.core.models import AuditAction, Organisation
from regie.core.services import record_event
from regie.privacy import selectors as privacy_selectors
from regie.privacy import services as privacy
from regie.privacy.models import ProcessingActivity

#: The subject fields a record shows (all stored fields of the person's subject row).
SUBJECT_FIELDS = (
    "surname",
    "tussenvoegsel",
    "first_names",
    "birth_date",
    "bsn",
    "street",
    "house_number",
    "addition",
    "postcode",
    "city",
    "bag_id",
    "organisation_name",
    "kvk",
    "kenteken",
    "phone",
    "email",
)
#: What the read-log entry of an inzage says was shown.
READ_FIELDS = ("description", "location", "subjects", "status", "outcome", "shares")
KEY_KINDS = ("bsn", "person")


def _text(value: Any) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, dt.datetime):
        return formats.date(timezone.localtime(value))
    if isinstance(value, dt.date):
        return formats.date(value)
    return str(value)


def matching_subjects(
    identity: privacy.Identity, organisation: Organisation | None
) -> list[Subject]:
    """The subject rows of this person (by BSN and/or person key), oldest signal first."""
    match = Q(pk__in=[])
    for kind, digest in identity.digests():
        if kind in KEY_KINDS:
            match |= Q(kind=kind, digest=digest)
    keys = SubjectKey.objects.filter(match, subject__isnull=False)
    if organisation is not None:
        keys = keys.filter(organisation=organisation)
    subject_ids = keys.values("subject_id")
    by_bsn = set()
    if identity.bsn:
        bsn_digest = dict(identity.digests())["bsn"]
        by_bsn = set(
            keys.filter(kind="bsn", digest=bsn_digest).values_list("subject_id", flat=True)
        )
    found = (
        Subject.objects.filter(pk__in=subject_ids)
        .select_related(
            "signal__organisation",
            "signal__category__parent",
            "signal__reporting_organisation",
        )
        .order_by("signal__received_at", "signal__pk", "pk")
    )
    # The person key has only the initial: a twin with another first name is someone else
    # (a match on the BSN is the person, whatever the first name).
    return [s for s in found if s.pk in by_bsn or not identity.excludes(s.first_names)]


def _label(name: str) -> str:
    return capfirst(str(getattr(Subject._meta.get_field(name), "verbose_name", name)))


def _subject(subject: Subject) -> dict[str, str]:
    row = {
        _label("kind"): subject.get_kind_display(),
        _label("role"): subject.get_role_display(),
    }
    for name in SUBJECT_FIELDS:
        value = _text(getattr(subject, name))
        if value:
            row[_label(name)] = value
    return row


def _location(signal: Signal) -> str:
    number = " ".join(p for p in (signal.house_number, signal.addition) if p)
    street = " ".join(p for p in (signal.street, number) if p)
    place = " ".join(p for p in (signal.postcode, signal.city) if p)
    return ", ".join(p for p in (street, place) if p)


def _recipients(signal: Signal) -> list[dict[str, str]]:
    """The organisations that received the signal: who reported it, and every share (also
    revoked ones). A share with one employee of the gemeente names no person."""
    rows: list[dict[str, str]] = []
    if signal.reporting_organisation is not None:
        rows.append(
            {
                _("Organisation"): signal.reporting_organisation.name,
                _("How"): _("reported the signal"),
                _("From"): _text(signal.received_at),
                _("Until"): "",
            }
        )
    shares = SignalShare.objects.filter(signal=signal).select_related("organisation")
    for share in shares.order_by("shared_at", "pk"):
        name = (
            share.organisation.name
            if share.organisation is not None
            else _("an employee of %(gemeente)s") % {"gemeente": signal.organisation.name}
        )
        rows.append(
            {
                _("Organisation"): name,
                _("How"): _("shared with") if share.revoked_at is None else _("shared (revoked)"),
                _("From"): _text(share.shared_at),
                _("Until"): _text(share.revoked_at),
            }
        )
    return rows


def _others(signal: Signal, own: list[Subject]) -> str:
    count = Subject.objects.filter(signal=signal).exclude(pk__in=[s.pk for s in own]).count()
    return ngettext(
        "There is %(n)s other subject (not shown).",
        "There are %(n)s other subjects (not shown).",
        count,
    ) % {"n": count}


def _source(signal: Signal) -> str:
    # The kind of reporter only: the reporter's name and contact data are another person's.
    return f"{signal.get_channel_display()} ({signal.get_reporter_type_display()})"


def signal_record(signal: Signal, own: list[Subject]) -> dict[str, Any]:
    """One signal as it concerns the person of ``own`` (label → text or table)."""
    return {
        _("Reference"): signal.reference,
        _("Gemeente"): signal.organisation.name,
        _("Received"): _text(signal.received_at),
        _("Category"): str(signal.category),
        _("Status"): signal.get_status_display(),
        _("Outcome"): signal.get_outcome_display() if signal.outcome else "",
        _("Description"): signal.description,
        _("Location"): _location(signal),
        _("Source"): _source(signal),
        _("About you"): [_subject(s) for s in own],
        _("Other subjects"): _others(signal, own),
        _("Recipients"): _recipients(signal),
    }


def _purposes(signals: list[Signal], code: str) -> dict[int, ProcessingActivity]:
    """The purpose of each gemeente involved, all looked up before anything is shown (an
    unknown purpose refuses the whole request)."""
    found: dict[int, ProcessingActivity] = {}
    for signal in signals:
        if signal.organisation_id not in found:
            found[signal.organisation_id] = privacy.activity(signal.organisation, code)
    return found


def provider(
    identity: privacy.Identity, organisation: Organisation | None, reader: privacy.Reader
) -> list[privacy.InzageSection]:
    """The Meldpunt's part of an inzage: one record per signal about this person."""
    request = privacy_selectors.current_inzage(reader)
    by_signal: dict[int, list[Subject]] = defaultdict(list)
    signals: dict[int, Signal] = {}
    for subject in matching_subjects(identity, organisation):
        by_signal[subject.signal_id].append(subject)
        signals[subject.signal_id] = subject.signal
    purposes = _purposes(list(signals.values()), request.purpose)
    records = []
    for signal_id, signal in signals.items():
        records.append(signal_record(signal, by_signal[signal_id]))
        reads.log_signal_read(
            reader=reader,
            signal=signal,
            activity=purposes[signal.organisation_id],
            surface=request.surface,
            operation="inzage",
            fields=READ_FIELDS,
        )
    record_event(
        action=AuditAction.READ,
        user=reader.user,
        label=reader.label,
        organisation=organisation,
        description=ngettext(
            "Inzage request (AVG art. 15): %(n)s signal",
            "Inzage request (AVG art. 15): %(n)s signals",
            len(records),
        )
        % {"n": len(records)},
    )
    return [privacy.InzageSection(title=_("Meldpunt Veiligheid: signals"), records=records)]


def _choice_label(choices: Any, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def retention_rules(organisation: Organisation) -> list[privacy_selectors.RetentionRuleRow]:
    """The Meldpunt's effective retention rules with their source, as the page shows them."""
    from regie.cases import retention

    return [
        privacy_selectors.RetentionRuleRow(
            action=_choice_label(RetentionAction, rule.action),
            category=rule.category_name or _("All categories"),
            outcome=_choice_label(Outcome, rule.outcome) if rule.outcome else _("Any outcome"),
            months=rule.months,
            starts=_choice_label(RetentionStart, rule.starts),
            source=str(rule.source),
            is_default=rule.is_default,
            name=str(rule.default_name or ""),
        )
        for rule in retention.rules_for(organisation)
    ]


privacy.register_inzage("cases", provider)
privacy_selectors.register_retention_rules("cases", retention_rules)
