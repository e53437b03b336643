"""Inzage (AVG art. 15) of the Meldpunt: every signal of the person, nothing about anyone else."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from regie.cases import (
    inzage,  # noqa: F401 - registers the provider
    services,
)
from regie.cases.models import ReporterType
from regie.cases.tests import factories
from regie.core.models import AuditEntry, Organisation
from regie.core.tests.factories import OrganisationFactory
from regie.privacy import inzage_document
from regie.privacy import services as privacy
from regie.privacy.models import ReadLogEntry, Surface

pytestmark = pytest.mark.django_db

BSN = "111222333"
OTHER_BSN = "123456782"


def jan(**extra: Any) -> services.SubjectIn:
    return factories.person("Vries", "de", "Jan", dt.date(1980, 2, 3), **extra)


def piet() -> services.SubjectIn:
    return factories.person("Bakker", "", "Pieter", dt.date(1975, 6, 7), phone="0612345678")


def command_reader() -> privacy.Reader:
    return privacy.Reader(user=None, label="regie inzage")


def collect(identity: privacy.Identity, org: Organisation | None) -> dict[str, Any]:
    result = inzage_document.collect(
        identity=identity, organisation=org, reader=command_reader(), surface=Surface.COMMAND
    )
    return inzage_document.as_data(result)


def text_of(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False)


@pytest.fixture
def world(maassluis: Organisation) -> dict[str, Any]:
    politie = OrganisationFactory(name="Politie Eenheid Testland", slug="politie-test")
    first = factories.make_signal(
        maassluis,
        description="Eerste verzonnen melding over overlast",
        subjects=[jan(bsn=BSN), piet()],
        reporter_type=ReporterType.RESIDENT,
        reporter_name="Melder Geheimnaam",
        reporter_phone="0687654321",
        reporter_email="melder@example.org",
    )
    second = factories.make_signal(
        maassluis,
        description="Tweede verzonnen melding",
        subjects=[factories.person("de Vries", "", "J.", dt.date(1980, 2, 3))],
        reporting_organisation=politie,
        reporter_type=ReporterType.PARTNER,
    )
    someone_else = factories.make_signal(
        maassluis,
        description="Melding over iemand anders",
        subjects=[factories.person("Jansen", "", "Kees", dt.date(1990, 1, 1), bsn=OTHER_BSN)],
    )
    row = services.share(first, organisation=politie, by=None, label="test")
    services.revoke_share(row, by=None, label="test")
    return {"first": first, "second": second, "other": someone_else, "politie": politie}


@pytest.mark.parametrize(
    ("surname", "tussenvoegsel", "first_names", "born"),
    [
        ("Vries", "de", "Jan", "3-2-1980"),
        ("Vries, de", "", "J.", "03-02-1980"),
        ("de Vries", "", "jan willem", "1980-02-03"),
        ("VRIES", "De", "J", "3 februari 1980"),
    ],
)
def test_inzage_by_name_finds_every_signal_of_the_person(
    world: dict[str, Any],
    maassluis: Organisation,
    surname: str,
    tussenvoegsel: str,
    first_names: str,
    born: str,
) -> None:
    identity = privacy.Identity.of(
        surname=surname, tussenvoegsel=tussenvoegsel, first_names=first_names, birth_date=born
    )
    data = collect(identity, maassluis)
    assert data["gevonden"] == 2
    text = text_of(data)
    assert world["first"].reference in text
    assert world["second"].reference in text
    assert world["other"].reference not in text


def test_inzage_shows_nothing_about_anyone_else(
    world: dict[str, Any], maassluis: Organisation
) -> None:
    data = collect(privacy.Identity.of(bsn=BSN), maassluis)
    assert data["gevonden"] == 1
    text = text_of(data)
    assert world["first"].reference in text
    assert "Eerste verzonnen melding" in text
    assert BSN in text
    assert "Vries" in text
    assert "03-02-1980" in text
    # the other person in the same signal
    assert "Bakker" not in text
    assert "Pieter" not in text
    assert "0612345678" not in text
    assert "1975" not in text
    # the reporter's contact data
    assert "Geheimnaam" not in text
    assert "0687654321" not in text
    assert "melder@example" not in text
    # another person's signal
    assert "Jansen" not in text
    assert OTHER_BSN not in text
    assert "iemand anders" not in text


def test_inzage_names_the_recipients(world: dict[str, Any], maassluis: Organisation) -> None:
    identity = privacy.Identity.of(
        surname="Vries", tussenvoegsel="de", first_names="Jan", birth_date="3-2-1980"
    )
    data = collect(identity, maassluis)
    records = {r_text(r): r for r in data["secties"][0]["records"]}
    first = records[world["first"].reference]
    second = records[world["second"].reference]
    # shared and revoked: still a recipient
    assert "Politie Eenheid Testland" in json.dumps(first, ensure_ascii=False)
    # the reporting organisation
    assert "Politie Eenheid Testland" in json.dumps(second, ensure_ascii=False)


def r_text(record: dict[str, Any]) -> str:
    return str(next(iter(record.values())))


def test_every_signal_shown_is_in_the_read_log_with_its_purpose(
    world: dict[str, Any], maassluis: Organisation
) -> None:
    identity = privacy.Identity.of(
        surname="Vries", tussenvoegsel="de", first_names="Jan", birth_date="3-2-1980"
    )
    before = AuditEntry.objects.count()
    collect(identity, maassluis)
    entries = list(ReadLogEntry.objects.filter(operation="inzage"))
    assert sorted(e.object_ref for e in entries) == sorted(
        [world["first"].reference, world["second"].reference]
    )
    assert {e.surface for e in entries} == {Surface.COMMAND}
    assert {e.processing_activity_code for e in entries} == {"rechten-betrokkene"}
    assert {e.actor_label for e in entries} == {"regie inzage"}
    assert len({e.trace_id for e in entries}) == 1
    assert AuditEntry.objects.count() > before
    event = AuditEntry.objects.filter(object_type="event").order_by("-id").first()
    assert event is not None
    assert "2" in event.object_repr
    assert "Vries" not in event.object_repr


def test_another_purpose_is_logged(world: dict[str, Any], maassluis: Organisation) -> None:
    inzage_document.collect(
        identity=privacy.Identity.of(bsn=BSN),
        organisation=maassluis,
        reader=command_reader(),
        surface=Surface.EXPORT,
        purpose="toezicht-fg",
    )
    entry = ReadLogEntry.objects.get(operation="inzage")
    assert entry.processing_activity_code == "toezicht-fg"
    assert entry.surface == Surface.EXPORT


def test_inzage_per_gemeente_and_installation_wide(
    world: dict[str, Any], maassluis: Organisation, alblasserdam: Organisation
) -> None:
    theirs = factories.make_signal(alblasserdam, subjects=[jan(bsn=BSN)])
    identity = privacy.Identity.of(bsn=BSN)
    here = text_of(collect(identity, maassluis))
    assert theirs.reference not in here
    there = collect(identity, alblasserdam)
    assert there["gevonden"] == 1
    assert theirs.reference in text_of(there)
    everywhere = collect(identity, None)
    assert everywhere["gevonden"] == 2
    assert {
        e.organisation_id for e in ReadLogEntry.objects.filter(object_ref=theirs.reference)
    } == {alblasserdam.pk}


def test_nobody_found(maassluis: Organisation) -> None:
    data = collect(privacy.Identity.of(bsn=OTHER_BSN), maassluis)
    assert data["gevonden"] == 0
    assert not ReadLogEntry.objects.exists()
