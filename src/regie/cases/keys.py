"""The identifiers of a subject or location as blind indexes (one home for which are taken)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from regie.privacy import normalise
from regie.privacy.services import blind_digest


@dataclass(frozen=True)
class Identifier:
    kind: str
    digest: str


def _make(kind: str, value: str | None) -> list[Identifier]:
    return [Identifier(kind, blind_digest(kind, value))] if value else []


def address_identifiers(obj: Any) -> list[Identifier]:
    """Postcode + house number (+ addition), and the BAG id when known."""
    found = _make("address", normalise.address(obj.postcode, obj.house_number, obj.addition))
    return found + _make("bag", normalise.bag_id(obj.bag_id))


def subject_identifiers(subject: Any) -> list[Identifier]:
    found = _make(
        "person",
        normalise.person(
            subject.surname, subject.tussenvoegsel, subject.first_names, subject.birth_date
        ),
    )
    found += _make("bsn", normalise.bsn(subject.bsn))
    found += address_identifiers(subject)
    found += _make("kvk", normalise.kvk(subject.kvk))
    found += _make("phone", normalise.phone(subject.phone))
    found += _make("email", normalise.email(subject.email))
    found += _make("kenteken", normalise.kenteken(subject.kenteken))
    return found


def pseudonym_of(identifiers: list[Identifier]) -> str:
    """The pseudonym of a person in the read log: its person key, else its BSN (blind indexes
    both: never the identifier itself)."""
    for kind in ("person", "bsn"):
        found = next((i for i in identifiers if i.kind == kind), None)
        if found is not None:
            return found.digest
    return ""


def location_identifiers(signal: Any) -> list[Identifier]:
    return address_identifiers(signal)
