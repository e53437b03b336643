"""The demo signals of the Meldpunt Veiligheid: about 300 fictitious signals over two years.

Everything is made up (``data/meldpunt/README.md``): fictitious people on fictitious streets with
postcodes in the gemeente's range but the letters ZX, ZY or ZZ, BSNs that start with 99 and pass
the eleven test, telephone numbers 06-00000xxx, e-mail addresses on ``voorbeeld.example``, KvK
numbers starting with 99 and licence plates ``QQ-999-A`` (no Dutch plate has a Q or a vowel).

Two steps:

- :func:`plan` makes the signals of one gemeente as plain data, without the database: the same
  gemeente, ``today`` and ``seed`` always give the same plan (``random.Random`` per gemeente).
  About 15% of the signals are about a person or address of an earlier signal of the same
  gemeente, written differently ("Knipperdam, de" / "de Knipperdam", "J." / "Jorinde",
  "12-a" / "12a", "3141zx" / "3141 ZX"), so the enrichment finds them as hermeldingen.
- :func:`load` writes a plan through the Meldpunt's own services (``receive``,
  ``change_status``, ``share``, ``set_legal_hold``), so encryption, blind indexes, enrichment,
  deadlines and history are real. A gemeente that has signals already is skipped.

**The demo back-dates.** The services stamp every change with the current time; a demo of two
years needs older dates. After each service call the generator moves what that call just wrote to
the planned moment: the signal's ``closed_at`` and the new history entries' ``at``
(:class:`~regie.cases.models.SignalEvent`), and a share's ``shared_at``. Nothing else does this;
in a real installation history is never rewritten.

:func:`demo_personal_strings` lists every personal text of the demo (names, BSNs, streets,
postcodes, telephone numbers, e-mail addresses, descriptions, reasons) for the acceptance test
that none of them is stored in plain text.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import random
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image

from regie.cases import services as cases
from regie.cases.models import (
    Category,
    Channel,
    Family,
    Outcome,
    ReporterType,
    Signal,
    SignalEvent,
    SignalShare,
    Status,
    SubjectKind,
    SubjectRole,
)
from regie.core.models import Organisation

DATA_DIR = Path(__file__).resolve().parent / "data" / "meldpunt"
DEFAULT_SEED = 18
#: Signals per gemeente (slug → number), about 300 together.
COUNTS = {"gm0556": 170, "gm0482": 130}
CITIES = {"gm0556": "Maassluis", "gm0482": "Alblasserdam"}
#: Two years back from ``today`` (within the hermelding window of 730 days).
DAYS = 729
#: More signals lately than two years ago (the age is DAYS × uniform ** RECENT).
RECENT = 1.4
#: Share of signals about a person or address of an earlier signal.
HERMELDING_SHARE = 0.17
ATTACHMENTS_PER_GEMEENTE = 5
EMAIL_DOMAIN = "voorbeeld.example"
POLICE = "politie-rotterdam"
CARE = "zorgpartner-demo"

#: (family, subcategory order or None for the main category) → weight.
CATEGORY_WEIGHTS: dict[tuple[str, int | None], int] = {
    (Family.ZORG, 0): 14,
    (Family.ZORG, 1): 8,
    (Family.ZORG, 2): 8,
    (Family.ZORG, 3): 14,
    (Family.ZORG, 4): 2,
    (Family.ONDERMIJNING, 0): 11,
    (Family.ONDERMIJNING, 1): 4,
    (Family.ONDERMIJNING, 2): 4,
    (Family.ONDERMIJNING, 3): 5,
    (Family.ONDERMIJNING, 4): 3,
    (Family.ONDERMIJNING, 5): 3,
    (Family.CYBER, 0): 3,
    (Family.CYBER, 1): 5,
    (Family.ONRUST, None): 7,
    (Family.OVERIG, None): 9,
}
CHANNEL_WEIGHTS = {
    Channel.PROFESSIONAL: 36,
    Channel.PUBLIC: 30,
    Channel.MMA: 5,
    Channel.API: 14,
    Channel.IMPORT: 15,
}
#: Share of signals of a family with a person concerned (others: 25%).
PERSON_SHARE: dict[str, float] = {Family.ZORG: 0.9, Family.ONDERMIJNING: 0.55, Family.CYBER: 0.6}
OUTCOME_WEIGHTS = {
    Outcome.NOT_TAKEN_UP: 25,
    Outcome.INFORMATION: 25,
    Outcome.HANDLED: 20,
    Outcome.REFERRED: 20,
    Outcome.CASE: 10,
}


# --- The plan (plain data) ----------------------------------------------------------------------


@dataclass(frozen=True)
class Address:
    street: str
    house_number: str
    addition: str
    postcode: str
    city: str


@dataclass(frozen=True)
class PlannedSubject:
    kind: str
    role: str
    surname: str = ""
    tussenvoegsel: str = ""
    first_names: str = ""
    birth_date: dt.date | None = None
    bsn: str = ""
    address: Address | None = None
    organisation_name: str = ""
    kvk: str = ""
    kenteken: str = ""


@dataclass
class PlannedSignal:
    """One demo signal; times are planned moments (the loader keeps them before "now")."""

    received_at: dt.datetime
    family: str
    sub: int | None
    channel: str
    reporter_type: str
    description: str = ""
    reporter_name: str = ""
    reporter_phone: str = ""
    reporter_email: str = ""
    reporting_organisation: str = ""
    by: str = ""
    location: Address | None = None
    subjects: list[PlannedSubject] = field(default_factory=list)
    status: str = Status.RECEIVED
    outcome: str = ""
    reason: str = ""
    in_progress_at: dt.datetime | None = None
    closed_at: dt.datetime | None = None
    shares: list[str] = field(default_factory=list)
    attachments: list[str] = field(default_factory=list)
    legal_hold: str = ""
    #: "person" or "address" when it repeats one of an earlier signal (written differently).
    repeats: str = ""


@dataclass(frozen=True)
class _Person:
    """A fictitious person as first written."""

    surname: str
    tussenvoegsel: str
    first_name: str
    birth_date: dt.date
    bsn: str
    address: Address | None

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.first_name, self.tussenvoegsel, self.surname) if p)


@dataclass(frozen=True)
class _Words:
    surnames: tuple[tuple[str, str], ...]
    first_names: tuple[str, ...]
    streets: dict[str, tuple[tuple[str, str], ...]]
    organisations: tuple[str, ...]
    texts: dict[tuple[str, int | None], tuple[str, ...]]
    reasons: dict[str, tuple[str, ...]]
    legal_hold: str


def _lines(name: str) -> list[str]:
    text = (DATA_DIR / name).read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and line[0] != "#"]


@cache
def words() -> _Words:
    """The word lists of ``data/meldpunt/`` (read once)."""
    surnames = tuple(
        (tv.strip(), name.strip())
        for tv, name in (ln.split("|") for ln in _lines("achternamen.txt"))
    )
    streets: dict[str, list[tuple[str, str]]] = {}
    for line in _lines("straten.txt"):
        slug, street, postcode = line.split(";")
        streets.setdefault(slug, []).append((street, postcode))
    data = json.loads((DATA_DIR / "omschrijvingen.json").read_text(encoding="utf-8"))
    texts = {(c["familie"], c["sub"]): tuple(c["teksten"]) for c in data["categorieen"]}
    return _Words(
        surnames=surnames,
        first_names=tuple(_lines("voornamen.txt")),
        streets={slug: tuple(items) for slug, items in streets.items()},
        organisations=tuple(_lines("organisaties.txt")),
        texts=texts,
        reasons={key: tuple(value) for key, value in data["redenen"].items()},
        legal_hold=data["bewaarplicht"],
    )


def _weighted(rng: random.Random, weights: dict[Any, int]) -> Any:
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def _bsn(rng: random.Random) -> str:
    """Nine digits starting with 99 that pass the eleven test (random, no real person)."""
    while True:
        digits = [9, 9, *(rng.randrange(10) for _ in range(6))]
        total = sum(d * w for d, w in zip(digits, range(9, 1, -1), strict=True))
        check = total % 11
        if check <= 9:  # a check digit of 10 cannot be written
            return "".join(map(str, digits)) + str(check)


class _Pool:
    """What one gemeente's plan has made so far: people, addresses, firms and vehicles to repeat."""

    def __init__(self, rng: random.Random, slug: str, today: dt.date) -> None:
        self.rng, self.slug, self.today = rng, slug, today
        self.people: list[_Person] = []
        self.addresses: list[Address] = []
        self.firms: dict[str, str] = {}
        self.plates: list[str] = []
        self.phones: set[str] = set()

    def address(self) -> Address:
        street, postcode = self.rng.choice(words().streets[self.slug])
        number = str(self.rng.randint(1, 180))
        addition = self.rng.choice("AB") if self.rng.random() < 0.2 else ""
        found = Address(street, number, addition, postcode, CITIES[self.slug])
        self.addresses.append(found)
        return found

    def person(self, *, young: bool, address: Address | None) -> _Person:
        rng = self.rng
        tussenvoegsel, surname = rng.choice(words().surnames)
        low, high = (13, 19) if young else (18, 86)
        born = self.today - dt.timedelta(days=rng.randint(low * 365, high * 365))
        bsn = _bsn(rng) if rng.random() < 0.35 else ""
        found = _Person(surname, tussenvoegsel, rng.choice(words().first_names), born, bsn, address)
        self.people.append(found)
        return found

    def firm(self) -> tuple[str, str]:
        name = self.rng.choice(words().organisations)
        if name not in self.firms:
            self.firms[name] = "99" + "".join(str(self.rng.randrange(10)) for _ in range(6))
        return name, self.firms[name]

    def plate(self) -> str:
        if self.plates and self.rng.random() < 0.3:
            return self.rng.choice(self.plates)
        plate = f"QQ-{self.rng.randrange(100, 1000)}-{self.rng.choice('QAE')}"
        self.plates.append(plate)
        return plate

    def phone(self) -> str:
        while True:
            number = f"06-00000{self.rng.randrange(1000):03d}"
            if number not in self.phones:
                self.phones.add(number)
                return number


# --- written variants (hermeldingen) ------------------------------------------------------------


def address_variant(rng: random.Random, address: Address) -> Address:
    """The same address written differently: "12a" / "12-a" / "12 A", "3141zx" / "3141-ZX"."""
    postcode = rng.choice(
        [address.postcode.replace(" ", "").lower(), address.postcode.replace(" ", "-")]
    )
    number, addition = address.house_number, address.addition
    if addition:
        number, addition = rng.choice(
            [
                (f"{number}{addition.lower()}", ""),
                (f"{number}-{addition.lower()}", ""),
                (f"{number} {addition}", ""),
            ]
        )
    return Address(address.street, number, addition, postcode, address.city)


def person_variant(rng: random.Random, person: _Person) -> PlannedSubject:
    """The same person written differently: "Knipperdam, de", "J.", upper case, a spaced BSN."""
    surname, tussenvoegsel = person.surname, person.tussenvoegsel
    if tussenvoegsel:
        surname, tussenvoegsel = f"{surname}, {tussenvoegsel}", ""
    elif rng.random() < 0.5:
        surname = surname.upper()
    first = rng.choice([f"{person.first_name[0]}.", person.first_name.lower()])
    bsn = person.bsn
    if bsn and rng.random() < 0.5:
        bsn = f"{bsn[:3]} {bsn[3:6]} {bsn[6:]}"
    address = address_variant(rng, person.address) if person.address else None
    return PlannedSubject(
        kind=SubjectKind.PERSON,
        role=SubjectRole.CONCERNED,
        surname=surname,
        tussenvoegsel=tussenvoegsel,
        first_names=first,
        birth_date=person.birth_date,
        bsn=bsn,
        address=address,
    )


def _as_subject(person: _Person, role: str) -> PlannedSubject:
    return PlannedSubject(
        kind=SubjectKind.PERSON,
        role=role,
        surname=person.surname,
        tussenvoegsel=person.tussenvoegsel,
        first_names=person.first_name,
        birth_date=person.birth_date,
        bsn=person.bsn,
        address=person.address,
    )


# --- planning one signal ------------------------------------------------------------------------


def _moments(rng: random.Random, today: dt.date, count: int) -> list[dt.datetime]:
    zone = timezone.get_default_timezone()
    found = []
    for _index in range(count):
        day = today - dt.timedelta(days=int(DAYS * rng.random() ** RECENT))
        at = dt.time(rng.randint(7, 22), rng.randrange(60))
        found.append(dt.datetime.combine(day, at, tzinfo=zone))
    return sorted(found)


def _reporter(rng: random.Random, pool: _Pool, item: PlannedSignal) -> None:
    """Who reported, by channel: staff, handhavers and the police after login, residents on the
    public form (half of them anonymous), MMA never a reporter, partners through the API."""
    channel = item.channel
    if channel == Channel.MMA:
        item.reporter_type = ReporterType.MMA
        return
    if channel == Channel.PUBLIC:
        item.reporter_type = rng.choice(
            [
                ReporterType.ANONYMOUS,
                ReporterType.ANONYMOUS,
                ReporterType.RESIDENT,
                ReporterType.ENTREPRENEUR,
            ]
        )
    elif channel == Channel.API:
        item.reporter_type = ReporterType.PARTNER
        item.reporting_organisation = POLICE if item.family != Family.ZORG else CARE
    elif channel == Channel.PROFESSIONAL:
        _professional(rng, pool, item)
    else:
        item.reporter_type = rng.choice(
            [ReporterType.STAFF, ReporterType.RESIDENT, ReporterType.ANONYMOUS]
        )
    if item.reporter_type != ReporterType.ANONYMOUS:
        _contact(rng, pool, item)


def _professional(rng: random.Random, pool: _Pool, item: PlannedSignal) -> None:
    town = "maassluis" if pool.slug == "gm0556" else "alblasserdam"
    roll = rng.random()
    if roll < 0.2:
        item.reporter_type, item.by = ReporterType.PARTNER, "politie.rotterdam"
        item.reporting_organisation = POLICE
    elif roll < 0.45 and pool.slug == "gm0556":
        item.reporter_type, item.by = ReporterType.ENFORCER, "handhaver.maassluis"
    else:
        item.reporter_type, item.by = ReporterType.STAFF, f"adviseur.{town}"


def _contact(rng: random.Random, pool: _Pool, item: PlannedSignal) -> None:
    tussenvoegsel, surname = rng.choice(words().surnames)
    first = rng.choice(words().first_names)
    item.reporter_name = " ".join(p for p in (first, tussenvoegsel, surname) if p)
    if rng.random() < 0.8:
        item.reporter_phone = pool.phone()
    if rng.random() < 0.6 or not item.reporter_phone:
        local = re.sub(r"[^a-z]", "", f"{tussenvoegsel}{surname}".lower())
        item.reporter_email = f"{first.lower()}.{local}@{EMAIL_DOMAIN}"


def _people(rng: random.Random, pool: _Pool, item: PlannedSignal) -> None:
    """The persons, firms and vehicles of the signal, and its location."""
    repeat = pool.people and rng.random() < HERMELDING_SHARE
    kind = rng.choice(["person", "address"]) if repeat else ""
    if kind == "address" and pool.addresses:
        item.location = address_variant(rng, rng.choice(pool.addresses))
        item.repeats = "address"
    elif rng.random() < 0.85:
        item.location = pool.address()
    if kind == "person":
        item.subjects.append(person_variant(rng, rng.choice(pool.people)))
        item.repeats = "person"
    elif rng.random() < PERSON_SHARE.get(item.family, 0.25):
        young = (item.family, item.sub) == (Family.ZORG, 2)
        person = pool.person(young=young, address=item.location if item.location else None)
        role = SubjectRole.VICTIM if (item.family, item.sub) == (Family.CYBER, 1) else None
        item.subjects.append(_as_subject(person, role or SubjectRole.CONCERNED))
    if (item.family, item.sub) == (Family.ZORG, 1) and rng.random() < 0.5:
        victim = pool.person(young=False, address=item.location)
        item.subjects.append(_as_subject(victim, SubjectRole.VICTIM))
    _things(rng, pool, item)


def _things(rng: random.Random, pool: _Pool, item: PlannedSignal) -> None:
    if item.family != Family.ONDERMIJNING:
        return
    if item.sub in (1, 2, 3) and rng.random() < 0.8:
        name, kvk = pool.firm()
        item.subjects.append(
            PlannedSubject(
                kind=SubjectKind.ORGANISATION,
                role=SubjectRole.OPERATOR,
                organisation_name=name,
                kvk=kvk,
                address=item.location,
            )
        )
    if item.sub in (0, 4, 5) and rng.random() < 0.5:
        item.subjects.append(
            PlannedSubject(kind=SubjectKind.VEHICLE, role=SubjectRole.OTHER, kenteken=pool.plate())
        )


def _describe(rng: random.Random, pool: _Pool, item: PlannedSignal) -> None:
    persons = [s for s in item.subjects if s.kind == SubjectKind.PERSON]
    values = {
        "naam": _full_name(persons[0]) if persons else "",
        "straat": item.location.street if item.location else "",
        "organisatie": next(
            (s.organisation_name for s in item.subjects if s.organisation_name), ""
        ),
        "kenteken": next((s.kenteken for s in item.subjects if s.kenteken), ""),
    }
    if not values["straat"]:
        values["straat"] = rng.choice(words().streets[pool.slug])[0]
    templates = [
        t
        for t in words().texts[(item.family, item.sub)]
        if all(values[key] for key in re.findall(r"{(\w+)}", t))
    ]
    item.description = rng.choice(templates or ["{straat}"]).format(**values)


def _full_name(subject: PlannedSubject) -> str:
    """The name as a reporter would write it in a description ("J. de Knipperdam")."""
    first = subject.first_names
    first = first if first.endswith(".") else first.capitalize()
    surname, tussenvoegsel = subject.surname, subject.tussenvoegsel
    if "," in surname:
        surname, _sep, tussenvoegsel = surname.partition(",")
    surname = surname.capitalize() if surname.isupper() else surname
    return " ".join(p for p in (first, tussenvoegsel.strip(), surname) if p)


def _handling(rng: random.Random, item: PlannedSignal, today: dt.date) -> None:
    """Older signals are closed (with an outcome and a reason), some in progress; recent ones
    received — some of them past their deadline."""
    age = (today - item.received_at.date()).days
    roll = rng.random()
    if age >= 60:
        status = Status.CLOSED if roll < 0.9 else Status.IN_PROGRESS
    elif age >= 15:
        status = (
            Status.CLOSED if roll < 0.4 else Status.IN_PROGRESS if roll < 0.85 else Status.RECEIVED
        )
    elif age >= 5:
        status = Status.IN_PROGRESS if roll < 0.4 else Status.RECEIVED
    else:
        status = Status.RECEIVED
    item.status = status
    if status == Status.RECEIVED:
        return
    if status == Status.IN_PROGRESS or rng.random() < 0.7:
        item.in_progress_at = item.received_at + dt.timedelta(hours=rng.randint(2, 96))
    if status == Status.CLOSED:
        days = rng.randint(5, min(60, age))
        item.closed_at = item.received_at + dt.timedelta(days=days, hours=rng.randint(0, 8))
        item.outcome = _weighted(rng, OUTCOME_WEIGHTS)
        item.reason = rng.choice(words().reasons[item.outcome])


def _plan_one(rng: random.Random, pool: _Pool, received: dt.datetime) -> PlannedSignal:
    family, sub = _weighted(rng, CATEGORY_WEIGHTS)
    channel = _weighted(rng, CHANNEL_WEIGHTS)
    if channel == Channel.MMA and family not in (Family.ONDERMIJNING, Family.OVERIG):
        family, sub = Family.ONDERMIJNING, 0
    item = PlannedSignal(
        received_at=received, family=family, sub=sub, channel=channel, reporter_type=""
    )
    _reporter(rng, pool, item)
    _people(rng, pool, item)
    _describe(rng, pool, item)
    _handling(rng, item, pool.today)
    return item


def _extras(rng: random.Random, items: list[PlannedSignal], today: dt.date) -> None:
    """Attachments on a few signals, a few shared with partners, one legal hold."""
    with_files = [i for i in items if i.channel in (Channel.PUBLIC, Channel.PROFESSIONAL)]
    for number, item in enumerate(rng.sample(with_files, ATTACHMENTS_PER_GEMEENTE)):
        kind = ("png", "jpg", "pdf")[number % 3]
        stem = "verslag" if kind == "pdf" else "IMG"
        item.attachments.append(f"{stem}_{rng.randrange(1000, 10000)}.{kind}")
    handled = [i for i in items if i.status != Status.RECEIVED and not i.reporting_organisation]
    care = [i for i in handled if i.family == Family.ZORG]
    police = [i for i in handled if i.family == Family.ONDERMIJNING]
    for item in rng.sample(care, min(3, len(care))):
        item.shares.append(CARE)
    for item in rng.sample(police, min(3, len(police))):
        item.shares.append(POLICE)
    old = [
        i
        for i in items
        if i.outcome == Outcome.NOT_TAKEN_UP and (today - i.received_at.date()).days > 400
    ] or [i for i in items if i.status == Status.CLOSED]
    if old:
        rng.choice(old).legal_hold = words().legal_hold


def plan(
    slug: str, *, today: dt.date, seed: int = DEFAULT_SEED, count: int | None = None
) -> list[PlannedSignal]:
    """The demo signals of the gemeente ``slug`` (``COUNTS``), oldest first; no database."""
    rng = random.Random(f"{seed}:{slug}")  # noqa: S311 - demo data, not security
    pool = _Pool(rng, slug, today)
    items = [_plan_one(rng, pool, when) for when in _moments(rng, today, count or COUNTS[slug])]
    _extras(rng, items, today)
    return items


# --- the personal texts (acceptance test) -------------------------------------------------------


def _subject_texts(subject: PlannedSubject) -> Iterable[str]:
    yield from (subject.surname, subject.first_names, subject.bsn, subject.organisation_name)
    yield from (subject.kvk, subject.kenteken, subject.bsn.replace(" ", ""))
    if subject.address:
        yield from _address_texts(subject.address)


def _address_texts(address: Address) -> Iterable[str]:
    return (address.street, address.postcode)


def _signal_texts(item: PlannedSignal) -> Iterable[str]:
    yield from (item.description, item.reason, item.legal_hold, item.reporter_name)
    yield from (item.reporter_phone, item.reporter_email, item.reporter_phone.replace("-", ""))
    yield from item.attachments
    if item.location:
        yield from _address_texts(item.location)
    for subject in item.subjects:
        yield from _subject_texts(subject)


def demo_personal_strings(*, today: dt.date, seed: int = DEFAULT_SEED) -> set[str]:
    """Every personal text of the demo signals of both gemeenten, as written (at least four
    characters: initials, house numbers and places are left out)."""
    found: set[str] = set()
    for slug in COUNTS:
        for item in plan(slug, today=today, seed=seed):
            found.update(text for text in _signal_texts(item) if len(text) >= 4)
    return found


# --- attachments ----------------------------------------------------------------------------------


def _file(rng: random.Random, name: str) -> Any:
    """A 64×64 coloured square as PNG, JPEG or a one-page PDF, checked like any upload."""
    colour = (rng.randrange(256), rng.randrange(256), rng.randrange(256))
    buffer = io.BytesIO()
    fmt = {"png": "PNG", "jpg": "JPEG", "pdf": "PDF"}[name.rsplit(".", 1)[1]]
    Image.new("RGB", (64, 64), colour).save(buffer, fmt)
    return cases.clean_upload(name, buffer.getvalue())


# --- loading ------------------------------------------------------------------------------------


@dataclass
class _Context:
    organisation: Organisation
    categories: dict[tuple[str, int | None], Category]
    partners: dict[str, Organisation]
    users: dict[str, Any]
    now: dt.datetime
    rng: random.Random

    def handler(self) -> tuple[Any, str]:
        town = "maassluis" if self.organisation.slug == "gm0556" else "alblasserdam"
        user = self.users.get(f"adviseur.{town}")
        return user, _label(user)

    def at(self, moment: dt.datetime) -> dt.datetime:
        return min(moment, self.now)


def _label(user: Any) -> str:
    if user is None:
        return _("demo")
    return str(user.get_full_name() or user.get_username())


def _categories(organisation: Organisation) -> dict[tuple[str, int | None], Category]:
    cases.ensure_categories(organisation)
    rows = list(Category.objects.filter(organisation=organisation, is_active=True))
    mains = {c.pk: c for c in rows if c.parent_id is None}
    found: dict[tuple[str, int | None], Category] = {(c.family, None): c for c in mains.values()}
    for row in rows:
        if row.parent_id in mains:
            found.setdefault((mains[row.parent_id].family, row.order), row)
    return found


def _category(context: _Context, item: PlannedSignal) -> Category:
    found = context.categories.get((item.family, item.sub)) or context.categories.get(
        (item.family, None)
    )
    return found or next(iter(context.categories.values()))


def _address_in(address: Address | None) -> cases.AddressIn:
    if address is None:
        return cases.AddressIn()
    return cases.AddressIn(
        street=address.street,
        house_number=address.house_number,
        addition=address.addition,
        postcode=address.postcode,
        city=address.city,
    )


def _subject_in(subject: PlannedSubject) -> cases.SubjectIn:
    return cases.SubjectIn(
        kind=subject.kind,
        role=subject.role,
        surname=subject.surname,
        tussenvoegsel=subject.tussenvoegsel,
        first_names=subject.first_names,
        birth_date=subject.birth_date,
        bsn=subject.bsn,
        address=_address_in(subject.address),
        organisation_name=subject.organisation_name,
        kvk=subject.kvk,
        kenteken=subject.kenteken,
    )


def _intake_label(context: _Context, item: PlannedSignal, by: Any) -> str:
    if item.channel == Channel.PROFESSIONAL:
        return _label(by)
    if item.channel == Channel.API and item.reporting_organisation in context.partners:
        return str(context.partners[item.reporting_organisation])
    labels: dict[str, str] = {
        Channel.PUBLIC: _("public form"),
        Channel.MMA: _("Meld Misdaad Anoniem"),
        Channel.API: _("partner system"),
        Channel.IMPORT: _("import of a register"),
    }
    return labels[item.channel]


def _receive(context: _Context, item: PlannedSignal) -> Signal:
    by = context.users.get(item.by) if item.by else None
    data = cases.SignalIn(
        organisation=context.organisation,
        channel=item.channel,
        category=_category(context, item),
        description=item.description,
        received_at=context.at(item.received_at),
        location=_address_in(item.location),
        reporter_type=item.reporter_type,
        reporter_name=item.reporter_name,
        reporter_phone=item.reporter_phone,
        reporter_email=item.reporter_email,
        reporting_organisation=context.partners.get(item.reporting_organisation),
        subjects=[_subject_in(s) for s in item.subjects],
        files=[_file(context.rng, name) for name in item.attachments],
    )
    return cases.receive(data, by=by, label=_intake_label(context, item, by)).signal


def _backdate(signal: Signal, since: int, moment: dt.datetime) -> None:
    """Move the history entries written after entry ``since`` to ``moment`` (demo only)."""
    SignalEvent.objects.filter(signal=signal, pk__gt=since).update(at=moment)


def _last_event(signal: Signal) -> int:
    return int(SignalEvent.objects.filter(signal=signal).aggregate(m=Max("pk"))["m"] or 0)


def _handle(context: _Context, signal: Signal, item: PlannedSignal) -> None:
    by, label = context.handler()
    if item.in_progress_at is not None:
        since = _last_event(signal)
        signal = cases.change_status(signal, status=Status.IN_PROGRESS, by=by, label=label)
        _backdate(signal, since, context.at(item.in_progress_at))
    if item.status == Status.CLOSED and item.closed_at is not None:
        since = _last_event(signal)
        signal = cases.change_status(
            signal,
            status=Status.CLOSED,
            outcome=item.outcome,
            reason=item.reason,
            by=by,
            label=label,
        )
        closed = context.at(item.closed_at)
        Signal.objects.filter(pk=signal.pk).update(closed_at=closed)
        _backdate(signal, since, closed)
    for slug in item.shares:
        partner = context.partners.get(slug)
        if partner is None:
            continue
        moment = context.at((item.in_progress_at or item.received_at) + dt.timedelta(hours=1))
        since = _last_event(signal)
        row = cases.share(signal, organisation=partner, by=by, label=label)
        SignalShare.objects.filter(pk=row.pk).update(shared_at=moment)
        _backdate(signal, since, moment)
    if item.legal_hold:
        since = _last_event(signal)
        cases.set_legal_hold(signal, on=True, reason=item.legal_hold, by=by, label=label)
        _backdate(
            signal, since, context.at((item.closed_at or item.received_at) + dt.timedelta(days=30))
        )


def _context(organisation: Organisation, *, seed: int) -> _Context:
    usernames = ["adviseur.maassluis", "adviseur.alblasserdam", "handhaver.maassluis"]
    users = get_user_model().objects.filter(username__in=[*usernames, "politie.rotterdam"])
    partners = Organisation.objects.filter(slug__in=[POLICE, CARE], is_active=True)
    return _Context(
        organisation=organisation,
        categories=_categories(organisation),
        partners={p.slug: p for p in partners},
        users={u.get_username(): u for u in users},
        now=timezone.now() - dt.timedelta(minutes=1),
        rng=random.Random(f"{seed}:{organisation.slug}:files"),  # noqa: S311 - demo data
    )


@transaction.atomic
def load(
    organisation: Organisation,
    *,
    today: dt.date | None = None,
    seed: int = DEFAULT_SEED,
    count: int | None = None,
) -> int:
    """Write the demo signals of ``organisation`` (one of :data:`COUNTS`) through the Meldpunt's
    services; the number written (0 when the gemeente has signals already)."""
    if organisation.slug not in COUNTS:
        return 0
    if Signal.objects.filter(organisation=organisation).exists():
        return 0
    context = _context(organisation, seed=seed)
    items = plan(organisation.slug, today=today or timezone.localdate(), seed=seed, count=count)
    for item in items:
        signal = _receive(context, item)
        _handle(context, signal, item)
    return len(items)
