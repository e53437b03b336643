"""The privacy core's use cases: processing activities, purposes, the read log, retention runs
and the registries through which apps that hold personal data take part (retention, inzage)."""

from __future__ import annotations

import datetime as dt
import logging
import re
import secrets
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from regie.core.errors import ServiceError
from regie.core.models import Organisation
from regie.privacy import blind_index, normalise
from regie.privacy.models import (
    ProcessingActivity,
    ReadLogEntry,
    RetentionRun,
    Surface,
    Tombstone,
)

logger = logging.getLogger(__name__)


def blind_digest(kind: str, normalised: str) -> str:
    """The blind index of a normalised identifier (:mod:`regie.privacy.blind_index`)."""
    return blind_index.digest(kind, normalised)


def ensure_demo_keys() -> bool:
    """Write the demo keys file when no key is configured at all (``regie demo``, ``make run``);
    True when written. A configured installation is left alone."""
    from django.conf import settings

    from regie.privacy import keys

    if settings.REGIE_ENCRYPTION_KEYS:
        return False
    written = keys.write_keys_file(Path(settings.REGIE_KEYS_FILE))
    if written:
        keys.reset()
    return written


# --- Processing activities -------------------------------------------------------------------

#: (code, name, purpose, legal basis): the register a gemeente starts with; its privacy
#: officer checks and changes them (docs/privacy.md).
DEFAULT_ACTIVITIES: tuple[tuple[str, Any, Any, Any], ...] = (
    (
        "meldpunt-beoordelen",
        gettext_lazy("Assessing a signal"),
        gettext_lazy("Read a signal to assess and weigh it, and decide who acts."),
        gettext_lazy(
            "AVG art. 6(1)(e): public task of the mayor (Gemeentewet art. 172, public order)."
        ),
    ),
    (
        "meldpunt-verrijken",
        gettext_lazy("Enriching a signal with earlier signals"),
        gettext_lazy(
            "Compare a signal with earlier signals on the same person, address, "
            "organisation or vehicle (hermeldingen)."
        ),
        gettext_lazy(
            "AVG art. 6(1)(e); art. 10 with Uitvoeringswet AVG art. 33 for "
            "criminal data (CCV Modelprotocol ondermijning)."
        ),
    ),
    (
        "meldpunt-afhandelen",
        gettext_lazy("Handling a signal and reporting back"),
        gettext_lazy("Handle the signal, share it with a partner, tell the reporter."),
        gettext_lazy(
            "AVG art. 6(1)(e); for health data art. 9(2)(g) with the Wvggz and the "
            "Wet publieke gezondheid."
        ),
    ),
    (
        "rechten-betrokkene",
        gettext_lazy("Rights of the data subject"),
        gettext_lazy("Answer a request for access, correction or erasure (AVG art. 15–17)."),
        gettext_lazy("AVG art. 6(1)(c): legal obligation (AVG art. 12–17)."),
    ),
    (
        "toezicht-fg",
        gettext_lazy("Supervision by the data protection officer"),
        gettext_lazy("Check that personal data is processed lawfully (AVG art. 39)."),
        gettext_lazy("AVG art. 6(1)(c) with art. 38–39."),
    ),
)


def activities(organisation: Organisation) -> list[ProcessingActivity]:
    """The organisation's active processing activities; the defaults on first use."""
    found = list(ProcessingActivity.objects.filter(organisation=organisation, is_active=True))
    if found or ProcessingActivity.objects.filter(organisation=organisation).exists():
        return found
    with transaction.atomic():
        for order, (code, name, purpose, basis) in enumerate(DEFAULT_ACTIVITIES):
            ProcessingActivity.objects.get_or_create(
                organisation=organisation,
                code=code,
                defaults={
                    "name": str(name),
                    "purpose": str(purpose),
                    "legal_basis": str(basis),
                    "order": order,
                },
            )
    return list(ProcessingActivity.objects.filter(organisation=organisation, is_active=True))


def activity(organisation: Organisation, code: str) -> ProcessingActivity:
    for item in activities(organisation):
        if item.code == code:
            return item
    raise ServiceError(_("Choose one of the purposes of the list."))


# --- Purposes asked once per object per session ----------------------------------------------

SESSION_KEY = "regie_purposes"
#: At most this many remembered purposes per session (oldest forgotten first).
MAX_REMEMBERED = 200


def remembered_purpose(session: Any, key: str) -> str | None:
    return (session.get(SESSION_KEY) or {}).get(key)


def remember_purpose(session: Any, key: str, code: str) -> None:
    data = dict(session.get(SESSION_KEY) or {})
    data.pop(key, None)
    data[key] = code
    while len(data) > MAX_REMEMBERED:
        data.pop(next(iter(data)))
    session[SESSION_KEY] = data


# --- The read log --------------------------------------------------------------------------


@dataclass(frozen=True)
class Reader:
    """Who reads: a user (page, API, export) or a command, in which organisation, in which
    trace (one request or command run)."""

    user: Any | None
    label: str
    organisation_name: str = ""
    trace_id: str = field(default_factory=lambda: uuid.uuid4().hex)


def reader_for(request: Any, organisation_name: str = "") -> Reader:
    """One :class:`Reader` per request: its entries share a trace id."""
    existing = getattr(request, "_regie_reader", None)
    if isinstance(existing, Reader):
        return existing
    user = getattr(request, "user", None)
    label = ""
    if user is not None and getattr(user, "pk", None) is None:  # an organisation token
        label, user = str(user) if user.is_authenticated else "", None
    label = user.get_username() if user is not None else (label or _("organisation token"))
    token = getattr(request, "auth", None)
    org_name = organisation_name or str(getattr(getattr(token, "organisation", None), "name", ""))
    reader = Reader(user=user, label=label, organisation_name=org_name)
    request._regie_reader = reader
    return reader


def person_pseudonym(identity: str | None) -> str:
    """The pseudonym of a data subject in the read log: the blind index of its person key."""
    return blind_index.digest("person", identity) if identity else ""


def record_read(
    *,
    reader: Reader,
    organisation: Organisation,
    activity: ProcessingActivity,
    surface: str,
    operation: str,
    object_type: str,
    object_ref: str,
    fields: Iterable[str],
    data_subjects: Iterable[str] = (),
) -> ReadLogEntry:
    """Write one read-log entry. A read without a purpose of the organisation is refused."""
    if activity.organisation_id != organisation.pk or not activity.is_active:
        raise ServiceError(_("Choose one of the purposes of the list."))
    if surface not in Surface.values:
        raise ValueError(surface)
    return ReadLogEntry.objects.create(
        trace_id=reader.trace_id,
        span_id=secrets.token_hex(8),
        operation=operation[:80],
        surface=surface,
        organisation=organisation,
        user=reader.user,
        actor_label=reader.label[:150],
        actor_organisation=reader.organisation_name[:200],
        processing_activity=activity,
        processing_activity_code=activity.code,
        legal_basis=activity.legal_basis,
        object_type=object_type,
        object_ref=object_ref,
        fields=sorted(set(fields)),
        data_subjects=sorted({s for s in data_subjects if s}),
    )


# --- Retention: apps register what they keep ------------------------------------------------

RetentionHandler = Callable[[dt.date, bool, RetentionRun], dict[str, int]]
_retention: dict[str, RetentionHandler] = {}


def register_retention(name: str, handler: RetentionHandler) -> None:
    """``handler(today, dry_run, run)`` applies its app's retention rules and returns counts."""
    _retention[name] = handler


def run_retention(
    *, today: dt.date | None = None, dry_run: bool = False, label: str
) -> RetentionRun:
    """Apply every registered app's retention rules as of ``today``; the run is logged."""
    today = today or timezone.localdate()
    run = RetentionRun.objects.create(today=today, dry_run=dry_run, actor_label=label)
    counts: dict[str, int] = {}
    per_organisation: dict[str, dict[str, int]] = {}
    for name, handler in sorted(_retention.items()):
        run.per_organisation = {}  # the handler adds its counts per gemeente
        for key, value in handler(today, dry_run, run).items():
            counts[f"{name}.{key}"] = counts.get(f"{name}.{key}", 0) + value
        for org_pk, own in run.per_organisation.items():
            mine = per_organisation.setdefault(str(org_pk), {})
            for key, value in own.items():
                mine[f"{name}.{key}"] = mine.get(f"{name}.{key}", 0) + value
    run.counts, run.per_organisation = counts, per_organisation
    run.finished_at = timezone.now()
    run.save(update_fields=["counts", "per_organisation", "finished_at"])
    logger.info("retention run %s as of %s: %s", run.pk, today, counts)
    return run


def write_tombstone(
    *,
    organisation: Organisation,
    object_type: str,
    object_ref: str,
    category: str,
    received_on: dt.date | None,
    closed_on: dt.date | None,
    outcome: str,
    action: str,
    reason: str,
    policy: str,
    run: RetentionRun | None,
) -> Tombstone:
    return Tombstone.objects.create(
        organisation=organisation,
        object_type=object_type,
        object_ref=object_ref,
        category=category[:200],
        received_on=received_on,
        closed_on=closed_on,
        outcome=outcome,
        action=action,
        reason=reason,
        policy=policy,
        run=run,
    )


# --- Inzage (AVG art. 15): apps register what they hold about a person -------------------


def first_given_name(first_names: str | None) -> str | None:
    """The first given name in normalised form, or None when absent or only an initial."""
    word = re.search(r"[^\W\d_]+", normalise.text_key_words(first_names or ""))
    if word is None or len(word.group()) < 2:
        return None
    return word.group()


@dataclass(frozen=True)
class Identity:
    """Whom an inzage is about: a BSN, or a name with a birth date (normalised)."""

    bsn: str | None = None
    person: str | None = None
    #: The first given name as asked (normalised), when more than an initial: the person key
    #: keeps only the initial, so twins Jan and Joost are told apart by it.
    first_name: str | None = None

    @classmethod
    def of(
        cls,
        *,
        bsn: str | None = None,
        surname: str | None = None,
        tussenvoegsel: str | None = None,
        first_names: str | None = None,
        birth_date: str | dt.date | None = None,
    ) -> Identity:
        number = None
        if bsn:
            number = normalise.bsn(bsn)
            if number is None:
                raise ServiceError(_("This is not a valid BSN."))
        # With both, both are searched: signals that recorded the person by name and date of
        # birth only belong to the answer too.
        key = normalise.person(surname, tussenvoegsel, first_names, birth_date)
        if key is None and number is None:
            raise ServiceError(_("Give a BSN, or a surname, first name and date of birth."))
        first = first_given_name(first_names) if key else None
        return cls(bsn=number, person=key, first_name=first)

    def excludes(self, first_names: str | None) -> bool:
        """Whether a record with these first names is someone else (both names known, not
        initials, and different)."""
        theirs = first_given_name(first_names)
        return bool(self.first_name and theirs and theirs != self.first_name)

    def digests(self) -> list[tuple[str, str]]:
        found = []
        if self.bsn:
            found.append(("bsn", blind_index.digest("bsn", self.bsn)))
        if self.person:
            found.append(("person", blind_index.digest("person", self.person)))
        return found


@dataclass
class InzageSection:
    """What one app holds about the person: a title and records (label → text)."""

    title: str
    records: list[dict[str, Any]]


InzageProvider = Callable[[Identity, Organisation | None, Reader], list[InzageSection]]
_inzage: dict[str, InzageProvider] = {}


def register_inzage(name: str, provider: InzageProvider) -> None:
    _inzage[name] = provider


def inzage(
    *, identity: Identity, organisation: Organisation | None, reader: Reader
) -> list[InzageSection]:
    """Everything the registered apps hold about ``identity`` (each app logs its reads)."""
    sections: list[InzageSection] = []
    for _name, provider in sorted(_inzage.items()):
        sections.extend(provider(identity, organisation, reader))
    return sections
