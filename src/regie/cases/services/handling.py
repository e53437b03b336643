"""Handling a signal: status, outcome, sharing, legal hold and corrections — separate
dimensions, each change one append-only history entry (:class:`SignalEvent`) and audited."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from regie.cases.keys import pseudonym_of, subject_identifiers
from regie.cases.models import (
    Dimension,
    Outcome,
    Signal,
    SignalEvent,
    SignalShare,
    Status,
    Subject,
    SubjectKey,
)
from regie.core.concurrency import claim
from regie.core.errors import ServiceError
from regie.core.models import Organisation
from regie.privacy import normalise

MAX_REASON = 2_000

#: The steps of the simple handling status (a later stage adds weging and cases on top).
NEXT: dict[str, tuple[str, ...]] = {
    Status.RECEIVED: (Status.IN_PROGRESS, Status.CLOSED),
    Status.IN_PROGRESS: (Status.CLOSED,),
    Status.CLOSED: (Status.IN_PROGRESS,),
}

#: Fields of a subject a correction may change (with history of old and new value).
CORRECTABLE = (
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
    "organisation_name",
    "kvk",
    "kenteken",
    "phone",
    "email",
)


def _event(signal: Signal, dimension: str, *, by: Any, label: str, **values: Any) -> None:
    SignalEvent.objects.create(
        signal=signal,
        dimension=dimension,
        by=by if getattr(by, "is_authenticated", False) else None,
        by_label=label,
        **values,
    )


def _reason(reason: str) -> str:
    reason = reason.strip()
    if len(reason) > MAX_REASON:
        raise ServiceError(_("The reason is longer than %(max)s characters.") % {"max": "2.000"})
    return reason


@transaction.atomic
def change_status(
    signal: Signal,
    *,
    status: str,
    outcome: str = "",
    reason: str = "",
    by: Any,
    label: str,
    token: Any = None,
) -> Signal:
    """Move the signal to ``status``; closing needs an outcome and a reason."""
    signal = Signal.objects.select_for_update().get(pk=signal.pk)
    if token is not None:
        claim(signal, token)
    if status not in NEXT.get(signal.status, ()):
        raise ServiceError(_("This status change is not possible."))
    reason = _reason(reason)
    if status == Status.CLOSED:
        if outcome not in Outcome.values:
            raise ServiceError(_("Choose the outcome of the signal."))
        if not reason:
            raise ServiceError(_("Give the reason for this outcome."))
    old_status, old_outcome = signal.status, signal.outcome
    signal.status = status
    if status == Status.CLOSED:
        signal.closed_at = timezone.now()
        signal.outcome, signal.outcome_reason = outcome, reason
    else:  # reopened (or taken in hand): an open signal has no outcome
        signal.closed_at = None
        signal.outcome, signal.outcome_reason = "", ""
    signal.save()
    _event(signal, Dimension.STATUS, old=old_status, new=status, reason=reason, by=by, label=label)
    if signal.outcome != old_outcome:
        _event(signal, Dimension.OUTCOME, old=old_outcome, new=signal.outcome, by=by, label=label)
    return signal


@transaction.atomic
def share(
    signal: Signal,
    *,
    organisation: Organisation | None = None,
    user: Any = None,
    by: Any,
    label: str,
) -> SignalShare:
    """Share the signal with a partner organisation (or one user of the gemeente)."""
    if (organisation is None) == (user is None):
        raise ServiceError(_("Share with one organisation or one person."))
    if organisation is not None and organisation.pk == signal.organisation_id:
        raise ServiceError(_("The gemeente itself needs no sharing."))
    if organisation is not None and not organisation.is_active:
        raise ServiceError(_("This organisation is not active."))
    active = SignalShare.objects.filter(signal=signal, revoked_at__isnull=True)
    if active.filter(organisation=organisation, user=user).exists():
        raise ServiceError(_("The signal is already shared with them."))
    row = SignalShare.objects.create(
        signal=signal, organisation=organisation, user=user, shared_by=by
    )
    _event(signal, Dimension.SHARING, new=str(organisation or user)[:200], by=by, label=label)
    return row


@transaction.atomic
def revoke_share(row: SignalShare, *, by: Any, label: str) -> None:
    if row.revoked_at is not None:
        return
    row.revoked_at = timezone.now()
    row.save(update_fields=["revoked_at"])
    who = str(row.organisation or row.user)[:200]
    _event(row.signal, Dimension.SHARING, old=who, by=by, label=label)


@transaction.atomic
def set_legal_hold(signal: Signal, *, on: bool, reason: str, by: Any, label: str) -> Signal:
    """A legal hold stops retention for this signal (e.g. a court case or an inzage request)."""
    signal = Signal.objects.select_for_update().get(pk=signal.pk)
    reason = _reason(reason)
    if on and not reason:
        raise ServiceError(_("Give the reason for the legal hold."))
    if signal.legal_hold == on:
        return signal
    signal.legal_hold, signal.legal_hold_reason = on, reason if on else ""
    signal.save()
    _event(
        signal,
        Dimension.LEGAL_HOLD,
        old=str(not on).lower(),
        new=str(on).lower(),
        reason=reason,
        by=by,
        label=label,
    )
    return signal


#: Corrected identifiers must be valid as at intake: a mistyped BSN would become the person's
#: blind index and hide the signal from their inzage and from hermeldingen.
_VALIDATORS = {
    "bsn": normalise.bsn,
    "kvk": normalise.kvk,
    "postcode": normalise.postcode,
    "phone": normalise.phone,
    "email": normalise.email,
    "kenteken": normalise.kenteken,
}


def _check_correction(field: str, value: Any) -> None:
    check = _VALIDATORS.get(field)
    if check is not None and value not in (None, "") and check(str(value)) is None:
        raise ServiceError(_("The new value %(value)s is not valid here.") % {"value": value})


@transaction.atomic
def correct_subject(
    subject: Subject, *, field: str, value: Any, reason: str, by: Any, label: str
) -> Subject:
    """Correct one field of a subject (AVG art. 16): old and new value kept, encrypted, in the
    history; the blind indexes follow."""
    if field not in CORRECTABLE:
        raise ServiceError(_("This field cannot be corrected."))
    reason = _reason(reason)
    if not reason:
        raise ServiceError(_("Give the reason for the correction."))
    _check_correction(field, value)
    old = getattr(subject, field)
    setattr(subject, field, value)
    subject.save()
    SubjectKey.objects.filter(subject=subject).delete()
    idents = subject_identifiers(subject)
    signal = subject.signal
    SubjectKey.objects.bulk_create(
        SubjectKey(
            organisation_id=signal.organisation_id,
            signal=signal,
            subject=subject,
            kind=i.kind,
            digest=i.digest,
            received_at=signal.received_at,
        )
        for i in idents
    )
    Subject.objects.filter(pk=subject.pk).update(person_pseudonym=pseudonym_of(idents))
    _event(
        signal,
        Dimension.CORRECTION,
        field=field,
        old_value="" if old is None else str(old),
        new_value="" if value is None else str(value),
        reason=reason,
        by=by,
        label=label,
    )
    return subject


@transaction.atomic
def anonymise_reporter(signal: Signal, *, label: str) -> None:
    """Remove the reporter's contact details (retention); the signal itself stays."""
    signal.reporter_name = signal.reporter_phone = signal.reporter_email = ""
    signal.reporter_anonymised_at = timezone.now()
    signal.save()
    _event(signal, Dimension.REPORTER, new="removed", by=None, label=label)
