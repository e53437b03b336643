"""Acceptance: written variants of the same person and address link as hermelding; different
people and addresses never do (issue 18)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from regie.cases import selectors, services
from regie.cases.models import SubjectKey
from regie.cases.tests import factories

#: One person (Jan de Vries, 3 February 1980, BSN 111222333) as registers and forms write him.
PERSON_VARIANTS: list[dict[str, Any]] = [
    {"surname": "Vries", "tussenvoegsel": "de", "first_names": "Jan", "birth_date": "03-02-1980"},
    {"surname": "Vries, de", "tussenvoegsel": "", "first_names": "J.", "birth_date": "3-2-1980"},
    {
        "surname": "DE VRIES",
        "tussenvoegsel": "",
        "first_names": "JAN WILLEM",
        "birth_date": "1980-02-03",
    },
    {
        "surname": "de  vries",
        "tussenvoegsel": "",
        "first_names": "j",
        "birth_date": "3 februari 1980",
    },
    {"surname": "Vries", "tussenvoegsel": "De", "first_names": "Jàn", "birth_date": "03.02.1980"},
    {
        "surname": "vries, de",
        "tussenvoegsel": "",
        "first_names": "J.W.",
        "birth_date": "3 feb 1980",
    },
]
#: Other people who only look alike: none may link with Jan de Vries or with each other.
OTHER_PEOPLE: list[dict[str, Any]] = [
    {"surname": "Vries", "tussenvoegsel": "de", "first_names": "Piet", "birth_date": "03-02-1980"},
    {"surname": "Vries", "tussenvoegsel": "de", "first_names": "Jan", "birth_date": "02-03-1980"},
    {"surname": "Vries", "tussenvoegsel": "", "first_names": "Jan", "birth_date": "03-02-1981"},
    {"surname": "Vries", "tussenvoegsel": "van", "first_names": "Kees", "birth_date": "04-02-1980"},
    {"surname": "Fries", "tussenvoegsel": "de", "first_names": "Jan", "birth_date": "05-02-1980"},
]
#: One address (3141 AB 12a) as written; and addresses that only look alike.
ADDRESS_VARIANTS = [
    ("3141 AB", "12a", ""),
    ("3141ab", "12", "A"),
    ("3141-AB", "12-a", ""),
    (" 3141 ab ", "12 A", ""),
    ("3141AB", "12", "-a"),
]
OTHER_ADDRESSES = [("3141 AB", "12", "B"), ("3141 AB", "14", "A"), ("3141 AC", "12", "A")]


def _subject(person: dict[str, Any], address: tuple[str, str, str]) -> services.SubjectIn:
    from regie.privacy import normalise

    return services.SubjectIn(
        kind="persoon",
        surname=person["surname"],
        tussenvoegsel=person["tussenvoegsel"],
        first_names=person["first_names"],
        birth_date=normalise.birth_date(person["birth_date"]),
        address=services.AddressIn(
            postcode=address[0], house_number=address[1], addition=address[2]
        ),
    )


@pytest.mark.django_db
def test_every_variant_links_and_no_other_person_does(maassluis: Any) -> None:
    start = dt.datetime(2025, 1, 6, 9, tzinfo=dt.UTC)
    jan = [
        factories.make_signal(
            maassluis,
            subjects=[_subject(p, ADDRESS_VARIANTS[i % len(ADDRESS_VARIANTS)])],
            received_at=start + dt.timedelta(days=i),
        )
        for i, p in enumerate(PERSON_VARIANTS)
    ]
    others = [
        factories.make_signal(
            maassluis,
            subjects=[_subject(p, OTHER_ADDRESSES[i % len(OTHER_ADDRESSES)])],
            received_at=start + dt.timedelta(days=20 + i),
        )
        for i, p in enumerate(OTHER_PEOPLE)
    ]
    jan_refs = {s.reference for s in jan}
    for signal in jan:
        hits = {h.kind: set(h.references) for h in selectors.hermeldingen(signal)}
        assert hits["person"] == jan_refs - {signal.reference}, signal.reference
        assert hits["address"] == jan_refs - {signal.reference}, signal.reference
    for signal in others:
        hits = {h.kind: set(h.references) for h in selectors.hermeldingen(signal)}
        assert hits.get("person", set()) == set(), signal.reference
        assert not (hits.get("address", set()) & jan_refs), signal.reference
    # At intake, each later variant counted every earlier one.
    for i, signal in enumerate(jan):
        assert signal.enrichment.get("person") == i
        assert signal.enrichment.get("address") == i


@pytest.mark.django_db
def test_bsn_written_differently_links(maassluis: Any) -> None:
    first = factories.make_signal(
        maassluis, subjects=[factories.person(bsn="111222333", birth_date=None)]
    )
    second = factories.make_signal(
        maassluis, subjects=[factories.person(surname="Anders", bsn="111.222.333", birth_date=None)]
    )
    hits = {h.kind: h.references for h in selectors.hermeldingen(second)}
    assert hits["bsn"] == (first.reference,)
    assert "person" not in hits  # no birth date: no person key at all


@pytest.mark.django_db
def test_hermeldingen_stay_within_the_gemeente(maassluis: Any, alblasserdam: Any) -> None:
    factories.make_signal(maassluis)
    there = factories.make_signal(alblasserdam)
    assert there.enrichment == {"person": 0}
    assert all(h.count == 0 for h in selectors.hermeldingen(there))
    assert SubjectKey.objects.filter(organisation=alblasserdam).count() == 1


@pytest.mark.django_db
def test_outside_the_window_is_no_hermelding(maassluis: Any, settings: Any) -> None:
    settings.REGIE_HERMELDING_WINDOW_DAYS = 30
    old = dt.datetime(2024, 1, 1, 12, tzinfo=dt.UTC)
    factories.make_signal(maassluis, received_at=old)
    new = factories.make_signal(maassluis, received_at=old + dt.timedelta(days=31))
    assert new.enrichment == {"person": 0}
