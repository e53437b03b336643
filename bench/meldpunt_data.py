"""The Meldpunt benchmark's data: a million encrypted signals of one gemeente (a few of another).

Fictitious people on fictitious streets, seeded (the same data every time). Per signal: the
signal itself (description, location and, for some, the reporter's name, phone and e-mail: all
encrypted by the model fields), one subject (a person with surname, sometimes a tussenvoegsel,
first names, birth date, BSN and address: encrypted), the blind indexes the intake service
would write (``regie.cases.keys.subject_identifiers`` / ``location_identifiers``: person, BSN,
address of the person, address of the location) and the history entry "received" (plus
"closed" for a closed signal). About one person in ten and one address in ten is a recent one
again, so hermeldingen exist. Signals are spread over three years up to yesterday; statuses and
outcomes are mixed so that a retention run has work (signals not taken up, closed more than a
year ago; reporters to anonymise). References are numbered per gemeente and year as the
product numbers them (five digits, six after 99,999).

Rows go in with ``bulk_create`` in batches of :data:`BATCH` signals, one transaction per batch
(``bulk_create`` sends no ``post_save``: the audit log gets no entry for generated rows, as an
import of old registers would not either). Django must be set up (see
``bench/bench_meldpunt.py``).
"""

from __future__ import annotations

import datetime as dt
import random
import sys
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

GEMEENTE = ("Maassluis", "gm0556", "GM0556")
OTHER = ("Alblasserdam", "gm0482", "GM0482")
USER = "bench.adviseur"
BATCH = 5_000
SEED = 18
#: signals of the second gemeente (so that every query has to keep gemeenten apart)
OTHER_SIGNALS = 500
#: share of persons and of addresses that are a recent one again (hermeldingen)
REPEAT = 0.10
#: how many recent persons / addresses a repeat is drawn from
POOL = 20_000
YEARS = 3

SURNAMES = [
    "Bakker",
    "Visser",
    "Smit",
    "Meijer",
    "Mulder",
    "Bos",
    "Vos",
    "Peters",
    "Hendriks",
    "Dekker",
    "Brouwer",
    "Dijkstra",
    "Koster",
    "Prins",
    "Huisman",
    "Kuiper",
    "Veenstra",
    "Kramer",
    "Schouten",
    "Vink",
    "Post",
    "Blom",
    "Verhoef",
    "Timmermans",
    "Willems",
    "Wolters",
    "Hoekstra",
    "Koning",
    "Sluiter",
    "Gerritsen",
    "Lammers",
    "Hofman",
    "Boer",
    "Molenaar",
    "Jonker",
    "Verbeek",
    "Zwanenburg",
    "Oosterhout",
    "Kraaijeveld",
    "Ravesteijn",
    "Tolsma",
    "Wijnberg",
    "Haverkamp",
    "Stolk",
    "Rietveld",
]
TUSSENVOEGSELS = ("", "", "", "", "de", "van", "van der", "van den", "ter", "in 't")
FIRST_NAMES = [
    "Jan",
    "Piet",
    "Kees",
    "Anna",
    "Maria",
    "Sanne",
    "Lotte",
    "Daan",
    "Sem",
    "Noah",
    "Emma",
    "Julia",
    "Fleur",
    "Bram",
    "Thijs",
    "Lieke",
    "Ruben",
    "Iris",
    "Mila",
    "Jesse",
    "Finn",
    "Tess",
    "Sara",
    "Luuk",
    "Noor",
    "Milan",
    "Eva",
    "Lars",
    "Roos",
    "Ilse",
    "Gijs",
    "Femke",
]
STREETS = [
    "Verzonnenlaan",
    "Denkbeeldstraat",
    "Fictieweg",
    "Droomhof",
    "Nergenskade",
    "Fantasiesingel",
    "Proefpolderstraat",
    "Testakker",
    "Voorbeeldplein",
    "Schijnbaarweg",
    "Spiegeldreef",
    "Wolkenpad",
]
CITIES = ("Maassluis", "Maasland", "Schipluiden")
PHRASES = (
    "Buren melden al weken geluidsoverlast in de nachtelijke uren.",
    "Er wordt vaak bezoek ontvangen dat kort blijft; vermoedelijk handel.",
    "Bewoner gedraagt zich verward en spreekt voorbijgangers aan.",
    "Rolluiken zijn dag en nacht dicht en er is een sterke geur.",
    "Melder maakt zich zorgen over de kinderen in het gezin.",
    "Op sociale media worden oproepen tot ordeverstoring gedeeld.",
    "Bedrijfspand zonder zichtbare activiteit, wel veel contant geld.",
    "Meerdere personen lijken in het pand te wonen zonder inschrijving.",
    "Jongeren hangen rond en intimideren winkelend publiek.",
    "Er zijn signalen van uitbuiting van arbeidsmigranten.",
    "Wijkagent bevestigt eerdere meldingen over dit adres.",
    "Huisarts heeft zorgen geuit over de veiligheid van de bewoner.",
)

STATUS_WEIGHTS = (("afgehandeld", 85), ("in_behandeling", 10), ("ontvangen", 5))
RECENT_STATUS_WEIGHTS = (("afgehandeld", 30), ("in_behandeling", 40), ("ontvangen", 30))
OUTCOME_WEIGHTS = (
    ("niet_opgepakt", 10),
    ("informatiepositie", 40),
    ("afgehandeld_gemeente", 25),
    ("doorgezet", 15),
    ("casus", 10),
)
CHANNEL_WEIGHTS = (("professioneel", 60), ("publiek", 25), ("mma", 5), ("api", 7), ("import", 3))
#: share of signals with a named reporter (name, phone, e-mail)
NAMED_REPORTER = 0.15
#: share of signals with a location of their own (else the person's address only)
WITH_LOCATION = 0.70


def _say(what: str) -> None:
    print(f"meldpunt   {what}", file=sys.stderr, flush=True)


def _weighted(rng: random.Random, pairs: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([p[0] for p in pairs], weights=[p[1] for p in pairs])[0]


def bsn(rng: random.Random) -> str:
    """A nine-digit number that passes the elfproef (fictitious, drawn at random)."""
    while True:
        digits = [rng.randint(1, 9)] + [rng.randint(0, 9) for _ in range(7)]
        total = sum(d * w for d, w in zip(digits, range(9, 1, -1), strict=True))
        last = total % 11
        if last <= 9:
            return "".join(map(str, digits)) + str(last)


def postcode(rng: random.Random) -> str:
    letters = "".join(rng.choice("ABCEGHJKLMNPRTVWXZ") for _ in range(2))
    return f"{rng.randint(1000, 9999)} {letters}"


@dataclass(frozen=True)
class Address:
    street: str
    house_number: str
    addition: str
    postcode: str
    city: str


@dataclass(frozen=True)
class Person:
    surname: str
    tussenvoegsel: str
    first_names: str
    birth_date: dt.date
    bsn: str
    address: Address


@dataclass
class World:
    """What the benchmark needs besides the signals: gemeenten, categories, an adviseur."""

    gemeente: Any
    other: Any
    user: Any
    categories: list[Any] = field(default_factory=list)
    other_categories: list[Any] = field(default_factory=list)


def setup_world() -> World:
    """The two gemeenten, their category trees, a team per main category and the adviseur of
    the first gemeente with every grant (idempotent)."""
    from regie.accounts.models import Membership, Role, User
    from regie.cases import services
    from regie.cases.models import AccessGrant, Category, Grant, Team
    from regie.core.models import Organisation, OrganisationKind

    orgs = []
    for name, slug, code in (GEMEENTE, OTHER):
        org, _ = Organisation.objects.get_or_create(
            slug=slug, defaults={"name": name, "kind": OrganisationKind.GEMEENTE, "cbs_code": code}
        )
        services.ensure_categories(org)
        for main in Category.objects.filter(organisation=org, parent=None):
            if main.team_id is None:
                team, _ = Team.objects.get_or_create(organisation=org, name=f"Team {main.name}")
                Category.objects.filter(pk=main.pk).update(team=team)
        orgs.append(org)
    user, made = User.objects.get_or_create(
        username=USER, defaults={"email": "bench@example.org", "first_name": "Bench"}
    )
    if made:
        user.set_unusable_password()
        user.save()
    Membership.objects.get_or_create(
        user=user, organisation=orgs[0], defaults={"role": Role.ADVISEUR}
    )
    for code in Grant.values:
        AccessGrant.objects.get_or_create(organisation=orgs[0], user=user, grant=code)

    def leaves(org: Any) -> list[Any]:
        rows = Category.objects.filter(organisation=org).select_related("parent", "team")
        return [c for c in rows if c.parent_id is not None or not c.children.exists()]

    return World(orgs[0], orgs[1], user, leaves(orgs[0]), leaves(orgs[1]))


class Maker:
    """Draws persons, addresses and signals; keeps recent ones for repeats."""

    def __init__(self, seed: int = SEED) -> None:
        self.rng = random.Random(seed)  # noqa: S311 - seeded fictitious data, no secret
        self.people: deque[Person] = deque(maxlen=POOL)
        self.places: deque[Address] = deque(maxlen=POOL)
        self._digests: dict[Person | Address, list[Any]] = {}

    def address(self) -> Address:
        rng = self.rng
        if self.places and rng.random() < REPEAT:
            return rng.choice(self.places)
        place = Address(
            street=rng.choice(STREETS),
            house_number=str(rng.randint(1, 400)),
            addition=rng.choice(("", "", "", "", "", "", "A", "B", "bis")),
            postcode=postcode(rng),
            city=rng.choice(CITIES),
        )
        self.places.append(place)
        return place

    def person(self) -> Person:
        rng = self.rng
        if self.people and rng.random() < REPEAT:
            return rng.choice(self.people)
        born = dt.date(1940, 1, 1) + dt.timedelta(days=rng.randint(0, 365 * 65))
        found = Person(
            surname=rng.choice(SURNAMES),
            tussenvoegsel=rng.choice(TUSSENVOEGSELS),
            first_names=" ".join(rng.sample(FIRST_NAMES, rng.choice((1, 1, 2, 3)))),
            birth_date=born,
            bsn=bsn(rng),
            address=self.address(),
        )
        self.people.append(found)
        return found

    def description(self) -> str:
        return " ".join(self.rng.sample(PHRASES, self.rng.randint(1, 4)))


def _fill_address(obj: Any, place: Address) -> None:
    from regie.privacy import normalise

    obj.street, obj.house_number, obj.addition = place.street, place.house_number, place.addition
    obj.postcode = normalise.postcode(place.postcode) or place.postcode
    obj.city = place.city


@dataclass
class Batch:
    signals: list[Any] = field(default_factory=list)
    subjects: list[Any] = field(default_factory=list)
    #: per signal: (identifiers of the subject, identifiers of the location)
    idents: list[tuple[list[Any], list[Any]]] = field(default_factory=list)


class Generator:
    """Writes ``count`` signals of one gemeente, oldest first, ``received_at`` up to ``end``."""

    def __init__(self, world: World, end: dt.datetime, maker: Maker | None = None) -> None:
        self.world = world
        self.end = end
        self.start = end - dt.timedelta(days=365 * YEARS)
        self.maker = maker or Maker()
        self.numbers: dict[tuple[str, int], int] = {}
        self._deadlines: dict[dt.date, dt.date] = {}

    def deadline(self, day: dt.date) -> dt.date:
        from django.conf import settings

        from regie.cases import workdays

        if day not in self._deadlines:
            self._deadlines[day] = workdays.add_working_days(
                day, settings.REGIE_SIGNAL_DEADLINE_WORKING_DAYS
            )
        return self._deadlines[day]

    def reference(self, org: Any, year: int) -> str:
        """The next reference of ``org`` in ``year``, as the product numbers them: at least five
        digits, six after 99,999 (``GM0556-2026-100000``; a year of the benchmark has about
        333,000 signals). The product's counter starts after the highest of them."""
        number = self.numbers.get((org.cbs_code, year), 0) + 1
        self.numbers[(org.cbs_code, year)] = number
        return f"{org.cbs_code}-{year}-{number:05d}"

    def signal(self, org: Any, categories: list[Any], received: dt.datetime) -> Any:
        from django.utils import timezone

        from regie.cases.models import Signal

        m, rng = self.maker, self.maker.rng
        category = rng.choice(categories)
        channel = _weighted(rng, CHANNEL_WEIGHTS)
        named = channel in ("professioneel", "publiek") and rng.random() < NAMED_REPORTER
        age = (self.end - received).days
        status = _weighted(rng, STATUS_WEIGHTS if age > 60 else RECENT_STATUS_WEIGHTS)
        closed = received + dt.timedelta(days=rng.randint(1, 60), hours=rng.randint(0, 8))
        is_closed = status == "afgehandeld" and closed < self.end
        status = status if is_closed or status != "afgehandeld" else "in_behandeling"
        name = f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}"
        signal = Signal(
            organisation=org,
            reference=self.reference(org, timezone.localtime(received).year),
            received_at=received,
            registered_at=received,
            channel=channel,
            category=category,
            family=category.family,
            team=category.team or (category.parent.team if category.parent else None),
            description=m.description(),
            reporter_type="mma" if channel == "mma" else ("inwoner" if named else "anoniem"),
            reporter_name=name if named else "",
            reporter_phone=f"06{rng.randint(10000000, 99999999)}" if named else "",
            reporter_email=f"melder{rng.randint(1, 10**6)}@example.org" if named else "",
            verification_needed=channel == "mma",
            status=status,
            outcome=_weighted(rng, OUTCOME_WEIGHTS) if is_closed else "",
            closed_at=closed if is_closed else None,
            deadline=self.deadline(timezone.localtime(received).date()),
            enrichment={},
        )
        if rng.random() < WITH_LOCATION:
            _fill_address(signal, m.address())
        return signal

    def subject(self, signal: Any) -> tuple[Any, list[Any]]:
        from regie.cases.keys import subject_identifiers
        from regie.cases.models import Subject

        who = self.maker.person()
        subject = Subject(
            signal=signal,
            kind="persoon",
            role=self.maker.rng.choice(("betrokkene", "betrokkene", "bewoner", "eigenaar")),
            surname=who.surname,
            tussenvoegsel=who.tussenvoegsel,
            first_names=who.first_names,
            birth_date=who.birth_date,
            bsn=who.bsn,
        )
        _fill_address(subject, who.address)
        cache = self.maker._digests
        if who not in cache:
            if len(cache) > 4 * POOL:
                cache.clear()
            cache[who] = subject_identifiers(subject)
        idents = cache[who]
        person = next((i for i in idents if i.kind == "person"), None)
        subject.person_pseudonym = person.digest if person else ""
        return subject, idents

    def batch(self, org: Any, categories: list[Any], times: list[dt.datetime]) -> Batch:
        from regie.cases.keys import location_identifiers

        out = Batch()
        for received in times:
            signal = self.signal(org, categories, received)
            subject, idents = self.subject(signal)
            out.signals.append(signal)
            out.subjects.append(subject)
            out.idents.append((idents, location_identifiers(signal)))
        return out

    def times(self, count: int) -> Iterator[dt.datetime]:
        """``count`` moments between start and end, in order (seeded)."""
        span = (self.end - self.start).total_seconds()
        rng = random.Random(SEED + 1)  # noqa: S311 - seeded fictitious data
        for n in range(count):
            offset = (n + rng.random()) / count * span
            yield self.start + dt.timedelta(seconds=offset)


def write(batch: Batch) -> int:
    """Store one batch (signals, subjects, blind indexes, history) in one transaction."""
    from django.db import transaction

    from regie.cases.models import Signal, SignalEvent, Subject, SubjectKey

    with transaction.atomic():
        Signal.objects.bulk_create(batch.signals)
        for signal, subject in zip(batch.signals, batch.subjects, strict=True):
            subject.signal = signal
        Subject.objects.bulk_create(batch.subjects)
        keys, events = [], []
        for signal, subject, (own, place) in zip(
            batch.signals, batch.subjects, batch.idents, strict=True
        ):
            for ident, who in [*((i, subject) for i in own), *((i, None) for i in place)]:
                keys.append(
                    SubjectKey(
                        organisation_id=signal.organisation_id,
                        signal=signal,
                        subject=who,
                        kind=ident.kind,
                        digest=ident.digest,
                        received_at=signal.received_at,
                    )
                )
            events.append(
                SignalEvent(
                    signal=signal,
                    dimension="status",
                    new="ontvangen",
                    at=signal.received_at,
                    by_label="import",
                )
            )
            if signal.closed_at is not None:
                events.append(
                    SignalEvent(
                        signal=signal,
                        dimension="status",
                        old="ontvangen",
                        new="afgehandeld",
                        at=signal.closed_at,
                        by_label="bench.adviseur",
                    )
                )
        SubjectKey.objects.bulk_create(keys, batch_size=2_000)
        SignalEvent.objects.bulk_create(events, batch_size=2_000)
    return len(keys)


def generate(
    world: World,
    count: int,
    *,
    end: dt.datetime,
    batch_size: int = BATCH,
    other: int = OTHER_SIGNALS,
    say: Callable[[str], None] = _say,
) -> dict[str, Any]:
    """``count`` signals for the first gemeente and ``other`` for the second; counts and seconds."""
    from regie.core import audit

    started = time.perf_counter()
    gen = Generator(world, end)
    keys = 0
    with audit.acting_as(None, "bench"):
        times = list(gen.times(other))
        for at in range(0, len(times), batch_size):
            part = times[at : at + batch_size]
            keys += write(gen.batch(world.other, world.other_categories, part))
        done = 0
        chunk: list[dt.datetime] = []
        for received in gen.times(count):
            chunk.append(received)
            if len(chunk) == batch_size:
                keys += write(gen.batch(world.gemeente, world.categories, chunk))
                done += len(chunk)
                chunk = []
                if done % (batch_size * 10) == 0 or done == count:
                    rate = done / (time.perf_counter() - started)
                    say(f"{done:,}/{count:,} signals ({rate:,.0f}/s)")
        if chunk:
            keys += write(gen.batch(world.gemeente, world.categories, chunk))
    return {
        "signals": count,
        "other_signals": other,
        "subject_keys": keys,
        "seconds": time.perf_counter() - started,
    }
