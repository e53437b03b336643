"""The demo signals of the Meldpunt Veiligheid: fictitious, through the services, with
hermeldingen, MMA and anonymous entries; deterministic and idempotent."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from regie.accounts.models import Membership, Role, User
from regie.cases import selectors
from regie.cases.models import (
    AccessGrant,
    Attachment,
    Channel,
    Grant,
    ReporterType,
    Signal,
    SignalEvent,
    SignalShare,
    Status,
)
from regie.core import services as core_services
from regie.core.models import Organisation, OrganisationKind
from regie.demo import meldpunt
from regie.demo import services as demo_services
from regie.privacy import normalise

TODAY = dt.date(2026, 6, 15)


@pytest.fixture
def partners(db: Any) -> dict[str, Organisation]:
    return {
        slug: core_services.create_organisation(name=slug, slug=slug, kind=kind)
        for slug, kind in (
            (meldpunt.POLICE, OrganisationKind.POLITIE),
            (meldpunt.CARE, OrganisationKind.ZORGPARTNER),
        )
    }


def test_the_plan_is_the_same_for_the_same_seed_and_day() -> None:
    first = meldpunt.plan("gm0556", today=TODAY)
    assert first == meldpunt.plan("gm0556", today=TODAY)
    assert first != meldpunt.plan("gm0556", today=TODAY, seed=19)
    assert first != meldpunt.plan("gm0482", today=TODAY)


def test_the_plan_spans_two_years_over_every_channel_and_family() -> None:
    items = [i for slug in meldpunt.COUNTS for i in meldpunt.plan(slug, today=TODAY)]
    assert len(items) == 300
    ages = [(TODAY - i.received_at.date()).days for i in items]
    assert min(ages) >= 0
    assert max(ages) < 730
    assert {i.channel for i in items} == set(Channel.values)
    families = [i.family for i in items]
    assert families.count("zorg_veiligheid") > families.count("ondermijning") > len(items) / 5
    assert 0.03 < sum(i.channel == Channel.MMA for i in items) / len(items) < 0.08
    repeats = [i for i in items if i.repeats]
    assert 0.10 < len(repeats) / len(items) < 0.25
    assert {i.repeats for i in repeats} == {"person", "address"}


def test_the_identifiers_are_fictitious_but_valid() -> None:
    items = [i for slug in meldpunt.COUNTS for i in meldpunt.plan(slug, today=TODAY)]
    subjects = [s for i in items for s in i.subjects]
    bsns = [s.bsn for s in subjects if s.bsn]
    assert bsns
    assert all(normalise.bsn(b) and b.replace(" ", "").startswith("99") for b in bsns)
    for address in [i.location for i in items if i.location] + [
        s.address for s in subjects if s.address
    ]:
        code = normalise.postcode(address.postcode)
        assert code is not None
        assert code[4:] in ("ZX", "ZY", "ZZ")
        assert 2951 <= int(code[:4]) <= 2954 or 3141 <= int(code[:4]) <= 3147
    phones = [i.reporter_phone for i in items if i.reporter_phone]
    assert phones
    assert all(p.startswith("06-00000") and normalise.phone(p) for p in phones)
    emails = [i.reporter_email for i in items if i.reporter_email]
    assert emails
    assert all(e.endswith("@voorbeeld.example") and normalise.email(e) for e in emails)
    assert all(normalise.kvk(s.kvk) for s in subjects if s.kvk)
    assert all(s.kenteken.startswith("QQ-") for s in subjects if s.kenteken)


def test_demo_staff_names_are_no_subject_names() -> None:
    """The demo's own accounts are staff, not data subjects: no name is shared."""
    words = meldpunt.words()
    subject_names = {name for _tv, name in words.surnames} | set(words.first_names)
    for _username, first, last, _roles in demo_services.ACCOUNTS:
        assert first not in subject_names
        assert last.split()[-1] not in subject_names
    assert len(meldpunt.demo_personal_strings(today=TODAY)) > 300


@pytest.mark.django_db
def test_loading_writes_every_signal_through_the_services(
    maassluis: Organisation, alblasserdam: Organisation, partners: dict[str, Organisation]
) -> None:
    today = timezone.localdate()
    first, second = demo_services.load_signals(today=today)
    assert first.startswith("Maassluis: 170 ")
    assert second.startswith("Alblasserdam: 130 ")
    assert demo_services.load_signals(today=today) == []
    assert Signal.objects.filter(organisation=maassluis).count() == 170
    assert Signal.objects.filter(organisation=alblasserdam).count() == 130
    signals = list(Signal.objects.all())
    _hermeldingen_are_found(maassluis, today, signals)
    mma = [s for s in signals if s.channel == Channel.MMA]
    assert mma
    assert all(s.reporter_type == ReporterType.MMA for s in mma)
    assert all(s.verification_needed and not s.reporter_name for s in mma)
    assert all(not s.reporter_phone and not s.reporter_email for s in mma)
    anonymous = [s for s in signals if s.reporter_type == ReporterType.ANONYMOUS]
    assert anonymous
    assert not any(s.reporter_name or s.reporter_phone for s in anonymous)
    assert any(s.reporter_name and s.reporter_phone for s in signals)
    _handling_is_realistic(signals, today)
    assert Attachment.objects.count() == 2 * meldpunt.ATTACHMENTS_PER_GEMEENTE
    assert {a.content_type for a in Attachment.objects.all()} == {
        "image/png",
        "image/jpeg",
        "application/pdf",
    }
    shared = SignalShare.objects.values_list("organisation__slug", flat=True)
    assert set(shared) == {meldpunt.POLICE, meldpunt.CARE}
    assert any(s.reporting_organisation == partners[meldpunt.POLICE] for s in signals)


def _hermeldingen_are_found(org: Organisation, today: dt.date, signals: list[Signal]) -> None:
    """Every planned repeat, written differently, is found by the enrichment at intake."""
    planned = meldpunt.plan(org.slug, today=today)
    stored = sorted((s for s in signals if s.organisation_id == org.pk), key=lambda s: s.reference)
    assert len(planned) == len(stored)
    for item, signal in zip(planned, stored, strict=True):
        assert signal.description == item.description
        if item.repeats:
            assert signal.enrichment.get(item.repeats, 0) > 0, (item, signal.enrichment)
    assert any(s.enrichment.get("person", 0) > 0 for s in stored)
    assert any(s.enrichment.get("address", 0) > 0 for s in stored)


def _handling_is_realistic(signals: list[Signal], today: dt.date) -> None:
    statuses = {s.status for s in signals}
    assert statuses == {Status.RECEIVED, Status.IN_PROGRESS, Status.CLOSED}
    closed = [s for s in signals if s.status == Status.CLOSED]
    assert {s.outcome for s in closed} >= {"niet_opgepakt", "doorgezet", "informatiepositie"}
    assert all(s.closed_at and s.received_at < s.closed_at <= timezone.now() for s in closed)
    assert min(s.closed_at for s in closed if s.closed_at).date() < today - dt.timedelta(days=300)
    overdue = [s for s in signals if s.status != Status.CLOSED and s.deadline < today]
    assert overdue
    assert sum(s.legal_hold for s in signals) == 2
    old_events = SignalEvent.objects.filter(dimension="status", new=Status.CLOSED)
    assert old_events.filter(at__lt=timezone.now() - dt.timedelta(days=300)).exists()


@pytest.mark.django_db
def test_loading_again_changes_nothing(maassluis: Organisation) -> None:
    assert meldpunt.load(maassluis, today=TODAY, count=12) == 12
    references = set(Signal.objects.values_list("reference", flat=True))
    assert meldpunt.load(maassluis, today=TODAY, count=12) == 0
    assert set(Signal.objects.values_list("reference", flat=True)) == references


@pytest.mark.django_db
def test_another_organisation_gets_no_demo_signals(partners: dict[str, Organisation]) -> None:
    assert meldpunt.load(partners[meldpunt.POLICE], today=TODAY) == 0
    assert not Signal.objects.exists()


@pytest.mark.django_db
def test_the_demo_accounts_get_their_meldpunt_grants() -> None:
    demo_services.build_demo()
    gm0556 = Organisation.objects.get(slug="gm0556")
    gm0482 = Organisation.objects.get(slug="gm0482")

    def grants(username: str, org: Organisation) -> set[str]:
        user = User.objects.get(username=username)
        return set(
            AccessGrant.objects.filter(user=user, organisation=org).values_list("grant", flat=True)
        )

    everything = set(Grant.values)
    assert grants("adviseur.maassluis", gm0556) == everything
    assert grants("adviseur.regio", gm0482) == everything
    assert grants("beheerder.alblasserdam", gm0482) == everything - {"melder_contact"}
    assert grants("zorg.alblasserdam", gm0482) == {"zorg_veiligheid"}
    assert grants("raadpleger.maassluis", gm0556) == set()
    fg = Membership.objects.get(user__username="fg.maassluis")
    assert (fg.organisation, fg.role) == (gm0556, Role.PRIVACY_OFFICER)
    for org in (gm0556, gm0482):
        meldpunt.load(org, today=TODAY, count=60)
    police = User.objects.get(username="politie.rotterdam")
    partner = Organisation.objects.get(slug=meldpunt.POLICE)
    assert selectors.visible_signals(police, partner, Role.KETENPARTNER).exists()
    zorg = User.objects.get(username="zorg.alblasserdam")
    families = set(
        selectors.visible_signals(zorg, gm0482, Role.ADVISEUR).values_list("family", flat=True)
    )
    assert families == {"zorg_veiligheid"}
