"""Intake: one write path for a new signal from every channel (forms, MMA, API, import, demo).

It checks the input, encrypts (by the fields), computes the blind indexes of every identifier,
counts earlier signals on the same identifiers (the enrichment, hit/no-hit per kind), sets the
deadline in working days and writes the first history entry, in one transaction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, IntegerField, Max
from django.db.models.functions import Cast, Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from regie.areas.models import Area
from regie.cases import pdok, workdays
from regie.cases.attachments import CleanFile
from regie.cases.keys import (
    Identifier,
    location_identifiers,
    pseudonym_of,
    subject_identifiers,
)
from regie.cases.models import (
    Attachment,
    Category,
    Channel,
    Dimension,
    ReferenceCounter,
    ReporterType,
    Signal,
    SignalEvent,
    Status,
    Subject,
    SubjectKey,
    SubjectKind,
    SubjectRole,
)
from regie.core.errors import ServiceError
from regie.core.models import Organisation
from regie.privacy import normalise

MAX_DESCRIPTION = 10_000
MAX_FIELD = 200
MAX_SUBJECTS = 20
#: Letters of a receipt code: no 0/O, 1/I/L (read aloud on the phone).
RECEIPT_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


@dataclass
class AddressIn:
    street: str = ""
    house_number: str = ""
    addition: str = ""
    postcode: str = ""
    city: str = ""
    bag_id: str = ""

    def is_empty(self) -> bool:
        return not any(
            (self.street, self.house_number, self.addition, self.postcode, self.city, self.bag_id)
        )


@dataclass
class SubjectIn:
    kind: str
    role: str = SubjectRole.CONCERNED
    surname: str = ""
    tussenvoegsel: str = ""
    first_names: str = ""
    birth_date: dt.date | None = None
    bsn: str = ""
    address: AddressIn = field(default_factory=AddressIn)
    organisation_name: str = ""
    kvk: str = ""
    kenteken: str = ""
    phone: str = ""
    email: str = ""


@dataclass
class SignalIn:
    organisation: Organisation
    channel: str
    category: Category
    description: str
    received_at: dt.datetime | None = None
    location: AddressIn = field(default_factory=AddressIn)
    reporter_type: str = ReporterType.ANONYMOUS
    reporter_name: str = ""
    reporter_phone: str = ""
    reporter_email: str = ""
    reporting_organisation: Organisation | None = None
    subjects: list[SubjectIn] = field(default_factory=list)
    files: list[CleanFile] = field(default_factory=list)


@dataclass(frozen=True)
class Intake:
    signal: Signal
    #: The code the reporter keeps to ask the status later (public form only), shown once.
    receipt_code: str
    #: Earlier signals per identifier kind that was present: kind → count (0 = no hit).
    hits: dict[str, int]


def receipt_digest(code: str) -> str:
    cleaned = "".join(ch for ch in code.upper() if ch in RECEIPT_ALPHABET)
    return hashlib.sha256(f"regie-receipt:{cleaned}".encode()).hexdigest()


def new_receipt_code() -> str:
    raw = "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def _user(by: Any) -> Any:
    """The registering user, or None (the public, a command, an organisation token)."""
    return by if getattr(by, "is_authenticated", False) and getattr(by, "pk", None) else None


def _check_reporter(data: SignalIn) -> None:
    anonymous = data.channel == Channel.MMA or data.reporter_type in (
        ReporterType.ANONYMOUS,
        ReporterType.MMA,
    )
    if anonymous and (data.reporter_name or data.reporter_phone or data.reporter_email):
        raise ServiceError(_("An anonymous signal has no contact details of the reporter."))
    if data.reporter_email and normalise.email(data.reporter_email) is None:
        raise ServiceError(_("The e-mail address of the reporter is not valid."))
    if data.reporter_phone and normalise.phone(data.reporter_phone) is None:
        raise ServiceError(_("The telephone number of the reporter is not valid."))


def _check(data: SignalIn) -> None:
    org = data.organisation
    if not org.is_gemeente or not org.is_active:
        raise ServiceError(_("Signals can only be sent to an active gemeente."))
    cat = data.category
    if cat.organisation_id != org.pk or not cat.is_active:
        raise ServiceError(_("Choose a category of this gemeente."))
    if data.channel not in Channel.values:
        raise ServiceError(_("Unknown channel."))
    if data.reporter_type not in ReporterType.values:
        raise ServiceError(_("Unknown kind of reporter."))
    if not data.description.strip():
        raise ServiceError(_("Describe what you saw or know."))
    if len(data.description) > MAX_DESCRIPTION:
        raise ServiceError(
            _("The description is longer than %(max)s characters.") % {"max": "10.000"}
        )
    if len(data.subjects) > MAX_SUBJECTS:
        raise ServiceError(_("A signal has at most %(max)s subjects.") % {"max": MAX_SUBJECTS})
    _check_reporter(data)
    for text in _all_short_texts(data):
        if len(text) > MAX_FIELD:
            raise ServiceError(
                _("A name, address or number is longer than %(max)s characters.")
                % {"max": MAX_FIELD}
            )
    if data.received_at and data.received_at > timezone.now() + dt.timedelta(minutes=5):
        raise ServiceError(_("A signal cannot be received in the future."))
    for subject in data.subjects:
        _check_subject(subject)


def _check_subject(subject: SubjectIn) -> None:
    if subject.kind not in SubjectKind.values or subject.role not in SubjectRole.values:
        raise ServiceError(_("Unknown kind or role of a subject."))
    if subject.bsn and normalise.bsn(subject.bsn) is None:
        raise ServiceError(_("The BSN %(value)s is not valid.") % {"value": subject.bsn})
    if subject.kvk and normalise.kvk(subject.kvk) is None:
        raise ServiceError(_("The KvK number %(value)s is not valid.") % {"value": subject.kvk})
    if subject.address.postcode and normalise.postcode(subject.address.postcode) is None:
        raise ServiceError(
            _("The postcode %(value)s is not valid.") % {"value": subject.address.postcode}
        )


def _all_short_texts(data: SignalIn) -> Iterable[str]:
    yield from (data.reporter_name, data.reporter_phone, data.reporter_email)
    yield from _address_texts(data.location)
    for s in data.subjects:
        yield from (s.surname, s.tussenvoegsel, s.first_names, s.bsn, s.organisation_name)
        yield from (s.kvk, s.kenteken, s.phone, s.email)
        yield from _address_texts(s.address)


def _address_texts(a: AddressIn) -> Iterable[str]:
    return (a.street, a.house_number, a.addition, a.postcode, a.city, a.bag_id)


def _highest_number(organisation: Organisation, prefix: str) -> int:
    """The highest number among the gemeente's references with ``prefix`` (numerically: 100000
    comes after 99999), read once per gemeente and year to start its counter."""
    found = (
        Signal.objects.filter(organisation=organisation, reference__startswith=prefix)
        .annotate(number=Cast(Substr("reference", len(prefix) + 1), IntegerField()))
        .aggregate(m=Max("number"))
        .get("m")
    )
    return int(found or 0)


def _next_reference(organisation: Organisation, year: int) -> str:
    """The next reference of the gemeente in ``year`` (GM0556-2024-00031): one locked counter
    row, so an intake never scans the year's signals (at least five digits; six after 99,999)."""
    prefix = f"{organisation.cbs_code or organisation.slug.upper()}-{year}-"
    counter = (
        ReferenceCounter.objects.select_for_update()
        .filter(organisation=organisation, year=year)
        .first()
    )
    if counter is None:
        counter = ReferenceCounter.objects.create(
            organisation=organisation, year=year, last=_highest_number(organisation, prefix)
        )
    ReferenceCounter.objects.filter(pk=counter.pk).update(last=F("last") + 1)
    counter.refresh_from_db(fields=["last"])
    return f"{prefix}{counter.last:05d}"


def _place(signal: Signal, location: AddressIn) -> None:
    """Fill the location; with PDOK configured, the found address with its wijk and buurt."""
    signal.street, signal.house_number = location.street.strip(), location.house_number.strip()
    signal.addition, signal.city = location.addition.strip(), location.city.strip()
    signal.postcode = normalise.postcode(location.postcode) or location.postcode.strip()
    signal.bag_id = normalise.bag_id(location.bag_id) or ""
    if not (location.postcode and location.house_number):
        return
    match = pdok.lookup_address(location.postcode, location.house_number, location.addition)
    if match is None or match.gemeente_code != signal.organisation.cbs_code:
        return
    signal.street, signal.city, signal.postcode = match.street, match.city, match.postcode
    signal.bag_id = match.bag_id
    areas = {a.code: a for a in Area.objects.filter(code__in=[match.wijk_code, match.buurt_code])}
    signal.wijk, signal.buurt = areas.get(match.wijk_code), areas.get(match.buurt_code)


def count_earlier(
    organisation: Organisation,
    identifiers: Iterable[Identifier],
    *,
    before: dt.datetime,
    exclude_signal: int | None = None,
) -> dict[str, int]:
    """Per identifier kind: how many earlier signals of the gemeente (received within the
    window before ``before``) share it — the enrichment at intake. The signal page counts both
    sides of the window (:func:`regie.cases.selectors.hermeldingen`)."""
    window = dt.timedelta(days=settings.REGIE_HERMELDING_WINDOW_DAYS)
    by_kind: dict[str, set[str]] = {}
    for ident in identifiers:
        by_kind.setdefault(ident.kind, set()).add(ident.digest)
    counts: dict[str, int] = {}
    for kind, digests in sorted(by_kind.items()):
        rows = SubjectKey.objects.filter(
            organisation=organisation,
            digest__in=sorted(digests),
            received_at__gte=before - window,
            received_at__lte=before,
        )
        if exclude_signal is not None:
            rows = rows.exclude(signal_id=exclude_signal)
        counts[kind] = rows.values("signal_id").distinct().count()
    return counts


def _store_subjects(signal: Signal, subjects: list[SubjectIn]) -> list[Identifier]:
    found: list[Identifier] = []
    keys: list[SubjectKey] = []
    for item in subjects:
        subject = Subject(signal=signal, kind=item.kind, role=item.role)
        for name in ("surname", "tussenvoegsel", "first_names", "bsn", "organisation_name"):
            setattr(subject, name, getattr(item, name).strip())
        for name in ("kvk", "kenteken", "phone", "email"):
            setattr(subject, name, getattr(item, name).strip())
        subject.birth_date = item.birth_date
        a = item.address
        subject.street, subject.house_number = a.street.strip(), a.house_number.strip()
        subject.addition, subject.city = a.addition.strip(), a.city.strip()
        subject.postcode = normalise.postcode(a.postcode) or a.postcode.strip()
        subject.bag_id = a.bag_id.strip()
        idents = subject_identifiers(subject)
        subject.person_pseudonym = pseudonym_of(idents)
        subject.save()
        for ident in idents:
            keys.append(_key(signal, subject, ident))
        found.extend(idents)
    for ident in location_identifiers(signal):
        keys.append(_key(signal, None, ident))
        found.append(ident)
    SubjectKey.objects.bulk_create(keys)
    return found


def _key(signal: Signal, subject: Subject | None, ident: Identifier) -> SubjectKey:
    return SubjectKey(
        organisation_id=signal.organisation_id,
        signal=signal,
        subject=subject,
        kind=ident.kind,
        digest=ident.digest,
        received_at=signal.received_at,
    )


def receive(data: SignalIn, *, by: Any | None, label: str) -> Intake:
    """Register a new signal from any channel; the whole intake or nothing."""
    _check(data)
    received = data.received_at or timezone.now()
    for attempt in range(5):
        try:
            with transaction.atomic():
                return _receive(data, received=received, by=by, label=label)
        except IntegrityError:
            if attempt == 4:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def _receive(data: SignalIn, *, received: dt.datetime, by: Any | None, label: str) -> Intake:
    category = data.category
    family = category.parent.family if category.parent_id and category.parent else category.family
    mma = data.channel == Channel.MMA
    signal = Signal(
        organisation=data.organisation,
        reference=_next_reference(data.organisation, timezone.localtime(received).year),
        received_at=received,
        channel=data.channel,
        category=category,
        family=family,
        team=category.team or (category.parent.team if category.parent else None),
        description=data.description.strip(),
        reporter_type=ReporterType.MMA if mma else data.reporter_type,
        reporter_name=data.reporter_name.strip(),
        reporter_phone=data.reporter_phone.strip(),
        reporter_email=data.reporter_email.strip(),
        reporting_organisation=data.reporting_organisation,
        created_by=_user(by),
        verification_needed=mma or data.reporter_type == ReporterType.MMA,
        deadline=workdays.add_working_days(
            timezone.localtime(received).date(), settings.REGIE_SIGNAL_DEADLINE_WORKING_DAYS
        ),
    )
    _place(signal, data.location)
    code = new_receipt_code() if data.channel == Channel.PUBLIC else ""
    signal.receipt_digest = receipt_digest(code) if code else ""
    signal.save()
    identifiers = _store_subjects(signal, data.subjects)
    hits = count_earlier(data.organisation, identifiers, before=received, exclude_signal=signal.pk)
    signal.enrichment = hits
    Signal.objects.filter(pk=signal.pk).update(enrichment=hits)
    for clean in data.files:
        Attachment.objects.create(
            signal=signal,
            name=clean.name,
            content_type=clean.content_type,
            size=len(clean.data),
            content=clean.data,
        )
    SignalEvent.objects.create(
        signal=signal,
        dimension=Dimension.STATUS,
        new=Status.RECEIVED,
        at=received,
        by=signal.created_by,
        by_label=label,
    )
    return Intake(signal=signal, receipt_code=code, hits=hits)
