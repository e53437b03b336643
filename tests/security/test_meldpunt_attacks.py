"""Attacks on the Meldpunt Veiligheid and the privacy core (issue 18), each reproduced.

Every test is an attack. Those that hold are kept as guards; those that succeed are left
failing on purpose (marked ``FINDING`` in their docstring) until the product code is fixed.

1. Tenancy: another gemeente's signal, attachment, subject, share, category, saved filter,
   grant or handhaver in URLs and POST bodies; a shared account with roles in both gemeenten.
2. Need-to-know: a ketenpartner on signals not shared with it, on the hermeldingen of its own
   signal (page, matches page, werkvoorraad), the list filters, the public status lookup.
3. Sessions and methods: a password-only session, a POST without the CSRF token, a GET on a
   write.
4. The purpose gate and the read log: attachment, matches and error re-render without a
   purpose; the werkvoorraad and API list without personal data; the read log append-only and
   pseudonymous.
5. Audit and logs: no plaintext personal data after intake, status, correction, share, hold,
   retention; no personal data in log records.
6. The public form: rate limit and X-Forwarded-For, honeypot, huge texts, hostile files, the
   receipt-code lookup.
7. Injection: HTML in every text on every page, formulas in the read-log CSV.
8. The API: read tokens, another gemeente, another partner, a foreign purpose, mass assignment.
9. Keys: a value in another column or row, a wrong key, no key at deploy.
10. The register import: too many rows, a zip bomb.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from PIL import Image

from regie.accounts import services as account_services
from regie.accounts.models import ApiTokenScope, Membership, Role, User
from regie.cases import register_import, services
from regie.cases.attachments import CleanFile
from regie.cases.models import (
    AccessGrant,
    Attachment,
    Category,
    Channel,
    Grant,
    Outcome,
    ReporterType,
    SavedFilter,
    Signal,
    SignalShare,
    Status,
    Subject,
)
from regie.cases.register_import import files as import_files
from regie.cases.tests import factories
from regie.core.models import AppendOnlyError, AuditEntry, Organisation, OrganisationKind
from regie.privacy import checks as privacy_checks
from regie.privacy import crypto, keys
from regie.privacy import services as privacy
from regie.privacy.models import ProcessingActivity, ReadLogEntry, Tombstone
from regie.privacy.views import read_log_csv

pytestmark = pytest.mark.django_db

Member = Callable[..., User]
Login = Callable[[User], Client]

PURPOSE = "meldpunt-beoordelen"
# Personal data that must never appear in plain text outside the encrypted columns and pages.
SURNAME = "Zwartkruidsma"
FIRST = "Hieronymus"
BSN = "111222333"
DESCRIPTION = "Geheimomschrijving Qx7 over de buren"
REPORTER = "Melder Geheimnaam"
REPORTER_EMAIL = "melder.geheim@example.org"
STREET = "Verborgenlaan"
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"  # noqa: E501
SECRETS = (SURNAME, FIRST, BSN, DESCRIPTION, REPORTER, REPORTER_EMAIL, STREET)


# --- the world ------------------------------------------------------------------------------------


@pytest.fixture
def partner(db: Any) -> Organisation:
    return Organisation.objects.create(
        name="Politie Aanval", slug="politie-aanval", kind=OrganisationKind.POLITIE
    )


@pytest.fixture
def other_partner(db: Any) -> Organisation:
    return Organisation.objects.create(
        name="Zorgpartner Aanval", slug="zorg-aanval", kind=OrganisationKind.ZORGPARTNER
    )


def staff(member: Member, org: Organisation, *grants: str, role: str = Role.ADVISEUR) -> User:
    user = member(org, role)
    factories.grant(user, org, *(grants or tuple(Grant.values)))
    return user


def person(**extra: Any) -> services.SubjectIn:
    values: dict[str, Any] = {
        "surname": SURNAME,
        "first_names": FIRST,
        "tussenvoegsel": "",
        "birth_date": dt.date(1979, 4, 5),
        "bsn": BSN,
    }
    values.update(extra)
    return factories.person(**values)


def signal_of(
    org: Organisation,
    *,
    subjects: list[services.SubjectIn] | None = None,
    files: list[CleanFile] | None = None,
    by: Any = None,
    reporting_organisation: Organisation | None = None,
    description: str = DESCRIPTION,
    category_name: str = "Woonoverlast",
    reporter: bool = True,
) -> Signal:
    data = services.SignalIn(
        organisation=org,
        channel=Channel.PROFESSIONAL,
        category=factories.category(org, category_name),
        description=description,
        reporter_type=ReporterType.RESIDENT if reporter else ReporterType.ANONYMOUS,
        reporter_name=REPORTER if reporter else "",
        reporter_email=REPORTER_EMAIL if reporter else "",
        reporting_organisation=reporting_organisation,
        subjects=[person()] if subjects is None else subjects,
        location=services.AddressIn(street=STREET, house_number="7", city="Maassluis"),
        files=files or [],
    )
    return services.receive(data, by=by, label="aanval").signal


def with_file(org: Organisation, **kwargs: Any) -> Signal:
    return signal_of(org, files=[CleanFile("stuk.pdf", "application/pdf", PDF)], **kwargs)


def url(name: str, signal: Signal, org: Organisation | None = None, **kwargs: Any) -> str:
    org = org or signal.organisation
    return reverse(f"cases:{name}", kwargs={"org": org.slug, "ref": signal.reference, **kwargs})


def with_purpose(client: Client, signal: Signal, org: Organisation | None = None) -> Client:
    response = client.post(url("purpose", signal, org), {"activity": PURPOSE})
    assert response.status_code == 302, response.content
    return client


def csrf_client(user: User) -> Client:
    """A verified login whose POSTs need a CSRF token (as a browser's)."""
    device, _ = TOTPDevice.objects.get_or_create(
        user=user, name="test", defaults={"confirmed": True}
    )
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def token_client(organisation: Organisation, scope: str = ApiTokenScope.WRITE) -> Client:
    created = account_services.create_token(
        organisation=organisation, name="Koppeling", created_by=None, scope=scope
    )
    return Client(HTTP_AUTHORIZATION=f"Bearer {created.secret}")


API_LIST = "/api/v1/signals/"
API_BODY: dict[str, Any] = {
    "gemeente": "GM0556",
    "categorie": "Woonoverlast",
    "omschrijving": "Verzonnen overlast via de koppeling",
    "betrokkenen": [{"soort": "persoon", "achternaam": "Proefpersoon", "bsn": "111222333"}],
}


def api_post(client: Client, body: dict[str, Any]) -> Any:
    return client.post(API_LIST, data=json.dumps(body), content_type="application/json")


def api_detail(signal: Signal) -> str:
    return reverse("api:signal_detail", kwargs={"ref": signal.reference})


# === 1. Tenancy ===================================================================================


def test_the_other_gemeentes_staff_get_404_for_every_signal_url(
    maassluis: Organisation, alblasserdam: Organisation, member: Member, login: Login
) -> None:
    signal = with_file(maassluis)
    attachment = Attachment.objects.get(signal=signal)
    subject = signal.subjects.get()
    outsider = login(staff(member, alblasserdam, role=Role.BEHEERDER))
    for org in (maassluis, alblasserdam):  # the signal's gemeente, and the outsider's own
        for name, extra in (
            ("detail", {}),
            ("purpose", {}),
            ("attachment", {"pk": attachment.pk}),
            ("matches", {"kind": "person"}),
        ):
            assert outsider.get(url(name, signal, org, **extra)).status_code == 404, (name, org)
        for name, extra in (
            ("status", {}),
            ("share", {}),
            ("hold", {}),
            ("correct", {"subject": subject.pk}),
        ):
            response = outsider.post(url(name, signal, org, **extra), {"status": "afgehandeld"})
            assert response.status_code == 404, (name, org)
    assert outsider.get(api_detail(signal), HTTP_X_REGIE_PURPOSE=PURPOSE).status_code == 404
    assert signal.reference not in outsider.get(API_LIST).content.decode()
    assert not ReadLogEntry.objects.exists()


def test_an_account_with_roles_in_both_gemeenten_sees_only_by_each_gemeentes_grants(
    maassluis: Organisation, alblasserdam: Organisation, member: Member, login: Login
) -> None:
    """Adviseur in both gemeenten, with every grant in Alblasserdam and none in Maassluis."""
    user = staff(member, alblasserdam)
    Membership.objects.create(user=user, organisation=maassluis, role=Role.ADVISEUR)
    signal = signal_of(maassluis)
    client = login(user)
    for org in (maassluis, alblasserdam):
        assert client.get(url("detail", signal, org)).status_code == 404
        assert client.post(url("purpose", signal, org), {"activity": PURPOSE}).status_code == 404
    assert client.get(api_detail(signal), HTTP_X_REGIE_PURPOSE=PURPOSE).status_code == 404
    listed = client.get(API_LIST, {"org": alblasserdam.slug}).json()
    assert signal.reference not in json.dumps(listed)


def test_an_attachment_of_another_signal_is_not_served_through_a_visible_one(
    maassluis: Organisation, member: Member, login: Login
) -> None:
    user = staff(member, maassluis, Grant.ZORG)
    mine = signal_of(maassluis)  # Woonoverlast: zorg & veiligheid
    hidden = with_file(maassluis, category_name="Witwassen")  # ondermijning: no grant
    client = with_purpose(login(user), mine)
    pk = Attachment.objects.get(signal=hidden).pk
    response = client.get(url("attachment", mine, pk=pk))
    assert response.status_code == 404
    assert PDF not in response.content


def test_a_subject_or_share_of_another_signal_cannot_be_changed_through_a_visible_one(
    maassluis: Organisation, partner: Organisation, member: Member, login: Login
) -> None:
    user = staff(member, maassluis, Grant.ZORG)
    mine = signal_of(maassluis)
    hidden = signal_of(maassluis, category_name="Witwassen")
    share = services.share(hidden, organisation=partner, by=None, label="test")
    subject = hidden.subjects.get()
    client = with_purpose(login(user), mine)
    response = client.post(
        url("correct", mine, subject=subject.pk),
        {
            f"s{subject.pk}-field": "surname",
            f"s{subject.pk}-value": "X",
            f"s{subject.pk}-reason": "r",
        },
    )
    assert response.status_code == 404
    assert Subject.objects.get(pk=subject.pk).surname == SURNAME
    assert client.post(url("share_revoke", mine, pk=share.pk)).status_code == 404
    assert SignalShare.objects.get(pk=share.pk).revoked_at is None


def test_a_category_of_the_other_gemeente_in_the_intake_form_is_refused(
    maassluis: Organisation, alblasserdam: Organisation, member: Member, login: Login
) -> None:
    client = login(staff(member, maassluis))
    foreign = factories.category(alblasserdam, "Woonoverlast")
    response = client.post(
        reverse("cases:new", kwargs={"org": maassluis.slug}),
        {
            "received": "15-01-2025 10:30",
            "channel": Channel.PROFESSIONAL,
            "category": foreign.pk,
            "description": "Verzonnen",
            "reporter_type": ReporterType.STAFF,
        },
    )
    assert response.status_code == 200
    assert not Signal.objects.exists()


def test_sharing_with_a_gemeente_an_inactive_partner_or_a_foreign_handhaver_is_refused(
    maassluis: Organisation,
    alblasserdam: Organisation,
    partner: Organisation,
    member: Member,
    login: Login,
) -> None:
    signal = signal_of(maassluis)
    client = with_purpose(login(staff(member, maassluis)), signal)
    partner.is_active = False
    partner.save()
    foreign_handhaver = member(alblasserdam, Role.HANDHAVER)
    for body in (
        {"organisation": alblasserdam.pk},
        {"organisation": maassluis.pk},
        {"organisation": partner.pk},
        {"user": foreign_handhaver.pk},
        {"user": member(maassluis, Role.RAADPLEGER).pk},
    ):
        response = client.post(url("share", signal), body)
        assert response.status_code == 200, body  # the page again, with the error
    assert not SignalShare.objects.exists()


def test_saved_filters_categories_and_grants_of_the_other_gemeente_are_out_of_reach(
    maassluis: Organisation, alblasserdam: Organisation, member: Member, login: Login
) -> None:
    mine = staff(member, maassluis, role=Role.BEHEERDER)
    theirs = staff(member, alblasserdam, role=Role.BEHEERDER)
    saved = SavedFilter.objects.create(organisation=alblasserdam, user=theirs, name="B", query="")
    client = login(mine)
    delete = reverse("cases:filter_delete", kwargs={"org": maassluis.slug, "pk": saved.pk})
    assert client.post(delete).status_code == 404
    assert SavedFilter.objects.filter(pk=saved.pk).exists()
    foreign = factories.category(alblasserdam, "Woonoverlast")
    edit = reverse("cases:category_edit", kwargs={"org": maassluis.slug, "pk": foreign.pk})
    assert client.get(edit).status_code == 404
    assert client.post(edit, {"delete": "1", "edit_token": foreign.lock_version}).status_code == 404
    assert Category.objects.filter(pk=foreign.pk).exists()
    # A filter saved with the other gemeente's category keeps nothing of it.
    save = reverse("cases:filter_save", kwargs={"org": maassluis.slug})
    client.post(save, {"name": "Lek", "query": f"categorie={foreign.pk}"})
    assert str(foreign.pk) not in "".join(
        SavedFilter.objects.filter(user=mine).values_list("query", flat=True)
    )
    # A grant for a member of the other gemeente posted in this gemeente's grants form.
    grants = reverse("cases:grants", kwargs={"org": maassluis.slug})
    before = set(AccessGrant.objects.filter(user=theirs).values_list("organisation_id", "grant"))
    client.post(grants, {f"user_{theirs.pk}": [Grant.ONDERMIJNING]})
    after = set(AccessGrant.objects.filter(user=theirs).values_list("organisation_id", "grant"))
    assert after == before


# === 2. Need-to-know of partners and handhavers ==================================================


def test_a_ketenpartner_gets_404_for_a_signal_not_shared_with_it(
    maassluis: Organisation,
    partner: Organisation,
    other_partner: Organisation,
    member: Member,
    login: Login,
) -> None:
    signal = with_file(maassluis, reporting_organisation=other_partner)
    pk = Attachment.objects.get(signal=signal).pk
    client = login(member(partner, Role.KETENPARTNER))
    for name, extra in (("detail", {}), ("purpose", {}), ("attachment", {"pk": pk})):
        assert client.get(url(name, signal, partner, **extra)).status_code == 404, name
    assert client.get(url("matches", signal, partner, kind="person")).status_code == 404
    queue = client.get(
        reverse("cases:queue", kwargs={"org": partner.slug}), {"zoek": signal.reference}
    )
    assert url("detail", signal, partner) not in queue.content.decode()
    assert client.get(api_detail(signal), HTTP_X_REGIE_PURPOSE=PURPOSE).status_code == 404
    token = token_client(partner, ApiTokenScope.READ)
    assert token.get(api_detail(signal), HTTP_X_REGIE_PURPOSE=PURPOSE).status_code == 404
    assert signal.reference not in token.get(API_LIST).content.decode()
    # Shared, then revoked: gone again.
    share = services.share(signal, organisation=partner, by=None, label="test")
    assert client.get(url("purpose", signal, partner)).status_code == 200
    services.revoke_share(share, by=None, label="test")
    assert client.get(url("detail", signal, partner)).status_code == 404


def _partner_with_hermelding(
    maassluis: Organisation, partner: Organisation
) -> tuple[Signal, Signal]:
    """An earlier zorg signal about the person (not shared), and one the partner reported."""
    earlier = signal_of(maassluis, category_name="Onbegrepen gedrag")
    own = signal_of(maassluis, reporting_organisation=partner)
    assert own.enrichment.get("person") == 1
    return earlier, own


def test_a_ketenpartner_does_not_learn_of_hermeldingen_on_its_own_signals_page(
    maassluis: Organisation, partner: Organisation, member: Member, login: Login
) -> None:
    """FINDING: the signal page shows the hermelding counts (with links to the matches page) to
    everyone who may open it, a ketenpartner and a handhaver too. A police partner learns that
    the person has earlier (health) signals at the gemeente. The API hides the counts from
    anyone but gemeente staff (``hits = None``); the page should do the same."""
    _earlier, own = _partner_with_hermelding(maassluis, partner)
    client = with_purpose(login(member(partner, Role.KETENPARTNER)), own, partner)
    html = client.get(url("detail", own, partner)).content.decode()
    assert url("matches", own, partner, kind="person") not in html
    assert url("matches", own, partner, kind="bsn") not in html


def test_a_ketenpartner_cannot_open_the_matches_page_of_its_own_signal(
    maassluis: Organisation, partner: Organisation, member: Member, login: Login
) -> None:
    """FINDING: ``cases:matches`` answers a ketenpartner with the number of other signals about
    the person (``found.hidden``/``found.total``), although it sees none of them."""
    earlier, own = _partner_with_hermelding(maassluis, partner)
    client = with_purpose(login(member(partner, Role.KETENPARTNER)), own, partner)
    response = client.get(url("matches", own, partner, kind="person"))
    assert earlier.reference not in response.content.decode()
    assert response.status_code == 404


def test_a_ketenpartners_werkvoorraad_does_not_flag_hermeldingen(
    maassluis: Organisation, partner: Organisation, member: Member, login: Login
) -> None:
    """FINDING: the partner's werkvoorraad marks its signal "hermelding" (the gemeente holds
    earlier signals on the same person): the same leak as the page, one bit per row."""
    _partner_with_hermelding(maassluis, partner)
    client = login(member(partner, Role.KETENPARTNER))
    html = client.get(reverse("cases:queue", kwargs={"org": partner.slug})).content.decode()
    assert "regie-hermelding" not in html


def test_a_partner_token_sees_no_hermeldingen_in_the_api(
    maassluis: Organisation, partner: Organisation
) -> None:
    _earlier, own = _partner_with_hermelding(maassluis, partner)
    answer = token_client(partner, ApiTokenScope.READ).get(
        api_detail(own), HTTP_X_REGIE_PURPOSE=PURPOSE
    )
    assert answer.status_code == 200
    assert answer.json()["hermeldingen"] is None
    assert answer.json()["melder"]["naam"] is None


def test_the_public_status_lookup_is_per_gemeente_and_never_shows_content(
    maassluis: Organisation, alblasserdam: Organisation
) -> None:
    data = services.SignalIn(
        organisation=maassluis,
        channel=Channel.PUBLIC,
        category=factories.category(maassluis),
        description=DESCRIPTION,
        location=services.AddressIn(street=STREET),
    )
    code = services.receive(data, by=None, label="publiek").receipt_code
    client = Client()
    other = client.post(reverse("melden:status", kwargs={"org": alblasserdam.slug}), {"code": code})
    own = client.post(reverse("melden:status", kwargs={"org": maassluis.slug}), {"code": code})
    assert other.status_code == own.status_code == 200
    assert str(Status(Status.RECEIVED).label) not in other.content.decode()
    html = own.content.decode()
    for secret in (DESCRIPTION, STREET, "Woonoverlast", "GM0556-"):
        assert secret not in html


# === 3. Sessions and methods =====================================================================


def test_a_password_only_session_changes_nothing(maassluis: Organisation, member: Member) -> None:
    user = staff(member, maassluis, role=Role.BEHEERDER)
    signal = signal_of(maassluis)
    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    client = Client()
    client.force_login(user)  # the password only
    response = client.post(url("purpose", signal), {"activity": PURPOSE})
    assert response.status_code == 302
    assert "purpose" not in response["Location"]
    client.post(url("status", signal), {"status": Status.IN_PROGRESS})
    assert Signal.objects.get(pk=signal.pk).status == Status.RECEIVED
    assert client.get(url("detail", signal)).status_code == 302
    assert client.get(api_detail(signal), HTTP_X_REGIE_PURPOSE=PURPOSE).status_code in {401, 403}
    assert not ReadLogEntry.objects.exists()


def test_every_post_of_the_meldpunt_needs_the_csrf_token(
    maassluis: Organisation, partner: Organisation, member: Member
) -> None:
    user = staff(member, maassluis, role=Role.BEHEERDER)
    Membership.objects.filter(user=user).update(role=Role.BEHEERDER)
    signal = signal_of(maassluis)
    share = services.share(signal, organisation=partner, by=None, label="test")
    saved = SavedFilter.objects.create(organisation=maassluis, user=user, name="F", query="")
    subject = signal.subjects.get()
    client = csrf_client(user)
    org = {"org": maassluis.slug}
    urls = [
        url("purpose", signal),
        url("status", signal),
        url("share", signal),
        url("share_revoke", signal, pk=share.pk),
        url("hold", signal),
        url("correct", signal, subject=subject.pk),
        reverse("cases:filter_save", kwargs=org),
        reverse("cases:filter_delete", kwargs={**org, "pk": saved.pk}),
        reverse("cases:new", kwargs=org),
        reverse("cases:categories", kwargs=org),
        reverse("cases:grants", kwargs=org),
        reverse("melden:form", kwargs=org),
        reverse("melden:status", kwargs=org),
    ]
    changes = AuditEntry.objects.exclude(object_type="event").count()
    for target in urls:
        response = client.post(target, {"activity": PURPOSE, "status": Status.IN_PROGRESS})
        assert response.status_code == 403, target
    assert AuditEntry.objects.exclude(object_type="event").count() == changes
    privacy_officer = member(maassluis, Role.PRIVACY_OFFICER)
    inzage = csrf_client(privacy_officer).post(
        reverse("privacy:inzage", kwargs=org), {"bsn": BSN, "purpose": "rechten-betrokkene"}
    )
    assert inzage.status_code == 403
    assert not ReadLogEntry.objects.exists()


def test_the_writes_refuse_get(
    maassluis: Organisation, partner: Organisation, member: Member, login: Login
) -> None:
    user = staff(member, maassluis)
    signal = signal_of(maassluis)
    share = services.share(signal, organisation=partner, by=None, label="test")
    saved = SavedFilter.objects.create(organisation=maassluis, user=user, name="F", query="")
    client = login(user)
    for target in (
        url("status", signal),
        url("share", signal),
        url("share_revoke", signal, pk=share.pk),
        url("hold", signal),
        url("correct", signal, subject=signal.subjects.get().pk),
        reverse("cases:filter_save", kwargs={"org": maassluis.slug}),
        reverse("cases:filter_delete", kwargs={"org": maassluis.slug, "pk": saved.pk}),
    ):
        assert client.get(target).status_code == 405, target
    assert SignalShare.objects.get(pk=share.pk).revoked_at is None


# === 4. The purpose gate and the read log ========================================================


def test_nothing_personal_is_shown_before_a_purpose(
    maassluis: Organisation, member: Member, login: Login
) -> None:
    signal = with_file(maassluis)
    earlier = signal_of(maassluis)
    assert earlier.reference
    client = login(staff(member, maassluis))
    pk = Attachment.objects.get(signal=signal).pk
    for target in (
        url("detail", signal),
        url("attachment", signal, pk=pk),
        url("matches", signal, kind="person"),
    ):
        response = client.get(target)
        assert response.status_code == 302, target
        assert (
            reverse("cases:purpose", kwargs={"org": maassluis.slug, "ref": signal.reference})
            in response["Location"]
        )
    # A refused status change renders the page again: still no personal data without a purpose.
    response = client.post(url("status", signal), {"status": Status.CLOSED})
    assert response.status_code == 302
    assert DESCRIPTION not in response.content.decode()
    # The werkvoorraad and the API list never carry personal data.
    queue = client.get(reverse("cases:queue", kwargs={"org": maassluis.slug})).content.decode()
    listed = client.get(API_LIST).content.decode()
    for text in (queue, listed):
        assert signal.reference in text
        for secret in SECRETS:
            assert secret not in text
    answer = client.get(api_detail(signal))
    assert answer.status_code == 400
    assert DESCRIPTION not in answer.content.decode()
    assert not ReadLogEntry.objects.exists()


def test_every_showing_writes_a_pseudonymous_read_log_entry(
    maassluis: Organisation, member: Member, login: Login
) -> None:
    signal = with_file(maassluis)
    signal_of(maassluis)  # a hermelding
    user = staff(member, maassluis)
    client = with_purpose(login(user), signal)
    pk = Attachment.objects.get(signal=signal).pk
    client.get(url("detail", signal))
    assert client.get(url("attachment", signal, pk=pk)).content == PDF
    client.get(url("matches", signal, kind="person"))
    client.get(api_detail(signal), HTTP_X_REGIE_PURPOSE=PURPOSE)
    operations = sorted(ReadLogEntry.objects.values_list("operation", flat=True))
    assert operations == [
        "api.signal.detail",
        "signal.attachment",
        "signal.detail",
        "signal.matches",
    ]
    dumped = json.dumps(list(ReadLogEntry.objects.values()), default=str)
    for secret in SECRETS:
        assert secret not in dumped
    assert all(entry.data_subjects for entry in ReadLogEntry.objects.all())


def test_a_read_about_a_person_known_by_bsn_only_names_a_pseudonym(
    maassluis: Organisation, member: Member, login: Login
) -> None:
    """FINDING: the read log's data subject is the *person* blind index (surname + initial +
    birth date). A person known only by a BSN (the usual case for a partner's report) has no
    pseudonym, so the read of their data names no data subject and the privacy officer can
    never find who read about them (Logboek Dataverwerkingen: the data subject is required)."""
    subject = services.SubjectIn(kind="persoon", bsn=BSN)
    signal = signal_of(maassluis, subjects=[subject])
    client = with_purpose(login(staff(member, maassluis)), signal)
    client.get(url("detail", signal))
    entry = ReadLogEntry.objects.get()
    assert entry.data_subjects, "a read about a BSN-only person names no data subject"
    assert BSN not in json.dumps(entry.data_subjects)


def _read_entry(maassluis: Organisation, member: Member) -> ReadLogEntry:
    signal = signal_of(maassluis)
    user = staff(member, maassluis)
    return privacy.record_read(
        reader=privacy.Reader(user=user, label=user.get_username()),
        organisation=maassluis,
        activity=privacy.activity(maassluis, PURPOSE),
        surface="page",
        operation="signal.detail",
        object_type="signal",
        object_ref=signal.reference,
        fields=["description"],
    )


def test_the_read_log_refuses_changes_through_the_models_api(
    maassluis: Organisation, member: Member
) -> None:
    entry = _read_entry(maassluis, member)
    entry.actor_label = "iemand anders"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        ReadLogEntry.objects.filter(pk=entry.pk).update(actor_label="x")
    with pytest.raises(AppendOnlyError):
        ReadLogEntry.objects.all().delete()
    assert ReadLogEntry.objects.get(pk=entry.pk).actor_label != "iemand anders"
    with pytest.raises(AppendOnlyError), transaction.atomic():
        ReadLogEntry.objects.bulk_update([entry], ["actor_label"])
    assert ReadLogEntry.objects.get(pk=entry.pk).actor_label != "iemand anders"


def test_the_read_log_refuses_changes_through_the_base_manager(
    maassluis: Organisation, member: Member
) -> None:
    """FINDING: ``ReadLogEntry._base_manager`` (and ``Tombstone._base_manager``) is Django's plain
    manager: its ``update()``/``delete()`` skip the append-only queryset. Django itself uses it
    (cascades, ``refresh_from_db``), and any code may. Fix: ``Meta.base_manager_name = "objects"``
    on :class:`AppendOnly` (or a manager class used for both), plus database triggers below."""
    entry = _read_entry(maassluis, member)
    with pytest.raises(AppendOnlyError):
        ReadLogEntry._base_manager.filter(pk=entry.pk).update(actor_label="x")
    with pytest.raises(AppendOnlyError):
        Tombstone._base_manager.all().delete()
    assert ReadLogEntry.objects.get(pk=entry.pk).actor_label != "x"


def test_the_read_log_is_append_only_in_the_database(
    maassluis: Organisation, member: Member
) -> None:
    """FINDING: unlike the audit log (ADR 0012, ``core.append_only`` triggers) the read log and
    the tombstones have no database triggers: raw SQL changes or removes who read what."""
    entry = _read_entry(maassluis, member)
    table = ReadLogEntry._meta.db_table
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET actor_label = %s WHERE id = %s", ["x", entry.pk])  # noqa: S608
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table}")  # noqa: S608
    assert ReadLogEntry.objects.filter(pk=entry.pk).exists()


# === 5. Audit and logs ===========================================================================


def _audit_text() -> str:
    rows = AuditEntry.objects.values("object_repr", "before", "after", "purpose")
    return json.dumps(list(rows), default=str, ensure_ascii=False)


def test_no_audit_entry_holds_plaintext_personal_data(
    maassluis: Organisation, partner: Organisation, member: Member, login: Login
) -> None:
    user = staff(member, maassluis)
    handhaver = member(maassluis, Role.HANDHAVER)
    signal = with_file(maassluis, by=user)
    not_taken_up = signal_of(maassluis, description="Wordt vernietigd " + DESCRIPTION)
    subject = signal.subjects.get()
    client = with_purpose(login(user), signal)
    prefix = f"s{subject.pk}"
    client.post(
        url("correct", signal, subject=subject.pk),
        {
            f"{prefix}-field": "first_names",
            f"{prefix}-value": FIRST + "x",
            f"{prefix}-reason": "Geheimreden " + SURNAME,
        },
    )
    client.post(url("share", signal), {"organisation": partner.pk})
    client.post(url("share", signal), {"user": handhaver.pk})
    client.post(url("hold", signal), {"on": "1", "reason": "Rechtszaak " + SURNAME})
    client.post(url("hold", signal), {"on": "0", "reason": ""})
    client.post(
        url("status", signal),
        {
            "status": Status.CLOSED,
            "outcome": "niet_opgepakt",
            "reason": "Afgesloten " + SURNAME,
            "edit_token": signal.lock_version,
        },
    )
    subject.refresh_from_db()
    assert subject.first_names == FIRST + "x"
    services.change_status(
        not_taken_up,
        status=Status.CLOSED,
        outcome=Outcome.NOT_TAKEN_UP,
        reason="Niet opgepakt " + SURNAME,
        by=None,
        label="test",
    )
    assert SignalShare.objects.filter(signal=signal).count() == 2
    later = timezone.localdate() + dt.timedelta(days=800)
    privacy.run_retention(today=later, label="test")
    assert not Signal.objects.filter(pk=not_taken_up.pk).exists()
    text = _audit_text()
    for secret in SECRETS:
        assert secret not in text, secret
    assert "Geheimreden" not in text
    assert "Rechtszaak" not in text
    assert "Afgesloten" not in text


def test_no_log_record_holds_personal_data(
    maassluis: Organisation,
    member: Member,
    login: Login,
    caplog: pytest.LogCaptureFixture,
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    from regie.cases import pdok

    settings.REGIE_PDOK_LOCATIESERVER_URL = "https://pdok.invalid/locatieserver/free"

    def broken(address: str) -> bytes:
        raise OSError(f"cannot reach {address}")

    monkeypatch.setattr(pdok, "fetch_url", broken)
    caplog.set_level(logging.DEBUG)
    signal_of(maassluis)
    factories.category(maassluis)
    Client().post(
        reverse("melden:form", kwargs={"org": maassluis.slug}),
        {
            "description": DESCRIPTION,
            "category": "weet_ik_niet",
            "street": STREET,
            "house_number": "7",
            "postcode": "3141 AB",
            "city": "Maassluis",
            "contact": "met_naam",
            "reporter_type": "inwoner",
            "name": REPORTER,
            "phone": "",
            "email": REPORTER_EMAIL,
            "website": "",
        },
    )
    assert Signal.objects.filter(channel=Channel.PUBLIC).exists()
    register = tmp_path / "register.csv"
    register.write_text(
        "ontvangen;categorie;omschrijving;achternaam;bsn;straat;melder_email\n"
        f"3-2-2024;Woonoverlast;{DESCRIPTION};{SURNAME};{BSN};{STREET};{REPORTER_EMAIL}\n"
        f"3-2-2024;Onbekend;{DESCRIPTION};{SURNAME};123;{STREET};geen-mail\n",
        encoding="utf-8",
    )
    with pytest.raises(Exception):  # noqa: B017, PT011 - the second row is refused
        register_import.import_register(register, maassluis, label="test")
    logged = "\n".join(r.getMessage() for r in caplog.records)
    for secret in (*SECRETS, "3141", "3141AB"):
        assert secret not in logged, secret


# === 6. The public form ==========================================================================


def public_data(**extra: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "description": "Verzonnen: overlast bij de speeltuin.",
        "category": "weet_ik_niet",
        "street": "",
        "house_number": "",
        "postcode": "",
        "city": "",
        "seen_on": "",
        "contact": "anoniem",
        "reporter_type": "inwoner",
        "name": "",
        "phone": "",
        "email": "",
        "website": "",
    }
    values.update(extra)
    return values


def form_url(org: Organisation) -> str:
    return reverse("melden:form", kwargs={"org": org.slug})


def test_a_spoofed_forwarded_for_header_does_not_reset_the_rate_limit(
    maassluis: Organisation, settings: Any
) -> None:
    settings.REGIE_PROXY_COUNT = 0
    settings.REGIE_PUBLIC_FORM_PER_HOUR = 3
    client = Client()
    statuses = [
        client.post(
            form_url(maassluis), public_data(description=""), HTTP_X_FORWARDED_FOR=f"10.0.0.{n}"
        ).status_code
        for n in range(5)
    ]
    assert statuses[:3] == [200, 200, 200]
    assert statuses[3:] == [429, 429]
    assert not Signal.objects.exists()


def test_the_honeypot_and_a_huge_description_store_nothing(maassluis: Organisation) -> None:
    client = Client()
    trapped = client.post(form_url(maassluis), public_data(website="http://spam.example"))
    assert trapped.status_code == 302
    huge = client.post(form_url(maassluis), public_data(description="x" * 200_000))
    assert huge.status_code == 200
    assert not Signal.objects.exists()


def _png_claiming(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(out, "PNG")
    raw = bytearray(out.getvalue())
    ihdr = struct.pack(">II", width, height) + bytes(raw[24:29])
    raw[16:29] = ihdr
    raw[29:33] = struct.pack(">I", zlib.crc32(b"IHDR" + ihdr) & 0xFFFFFFFF)
    return bytes(raw)


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("bom.png", _png_claiming(100_000, 100_000)),
        ("foto.jpg", b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>"),
        ("foto.jpg", b"<!doctype html><script>alert(1)</script>"),
        ("foto.jpg", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64),
        ("foto.jpg", b"\xff\xd8\xff\xe0 not really a jpeg"),
        ("stuk.pdf", b"%PDF-1.4 without an end"),
    ],
)
def test_hostile_files_are_refused_and_nothing_is_stored(
    maassluis: Organisation, name: str, content: bytes
) -> None:
    upload = SimpleUploadedFile(name, content, content_type="image/jpeg")
    response = Client().post(form_url(maassluis), {**public_data(), "attachments": [upload]})
    assert response.status_code == 200
    assert not Signal.objects.exists()
    assert not Attachment.objects.exists()


def test_a_path_in_the_file_name_is_dropped_and_a_pdf_is_served_as_a_download(
    maassluis: Organisation, member: Member, login: Login
) -> None:
    """Note: a PDF with JavaScript is kept byte for byte (only its start and end are checked);
    it is served as an attachment, never inline, with ``nosniff``."""
    upload = SimpleUploadedFile("../../../etc/passwd<script>.pdf", PDF, content_type="text/html")
    response = Client().post(form_url(maassluis), {**public_data(), "attachments": [upload]})
    assert response.status_code == 302
    stored = Attachment.objects.get()
    assert "/" not in stored.name
    assert ".." not in stored.name
    assert "<" not in stored.name
    signal = stored.signal
    client = with_purpose(login(staff(member, maassluis)), signal)
    served = client.get(url("attachment", signal, pk=stored.pk))
    assert served["Content-Type"] == "application/pdf"
    assert served["Content-Disposition"].startswith("attachment;")
    assert served["X-Content-Type-Options"] == "nosniff"


def test_the_receipt_code_lookup_is_rate_limited(maassluis: Organisation) -> None:
    client = Client()
    target = reverse("melden:status", kwargs={"org": maassluis.slug})
    statuses = [
        client.post(
            target, {"code": f"AAAA-BBBB-{n:04d}"}, HTTP_X_FORWARDED_FOR=f"10.1.{n}.1"
        ).status_code
        for n in range(25)
    ]
    assert statuses[:20] == [200] * 20
    assert set(statuses[20:]) == {429}


# === 7. Injection ================================================================================

HOSTILE = "<script>alert('x')</script>"


def test_html_in_every_text_is_escaped_on_every_page(
    maassluis: Organisation, member: Member, login: Login
) -> None:
    subject = services.SubjectIn(
        kind="persoon", surname=HOSTILE, first_names=HOSTILE, birth_date=dt.date(1980, 1, 1)
    )
    signal = signal_of(maassluis, subjects=[subject], description=HOSTILE)
    signal_of(maassluis, subjects=[subject], description=HOSTILE)
    Category.objects.filter(pk=signal.category_id).update(name=HOSTILE + "cat")
    user = staff(member, maassluis)
    User.objects.filter(pk=user.pk).update(first_name=HOSTILE, last_name=HOSTILE)
    client = with_purpose(login(user), signal)
    pages = [
        client.get(url("detail", signal)),
        client.get(url("matches", signal, kind="person")),
        client.get(reverse("cases:queue", kwargs={"org": maassluis.slug})),
        client.get(reverse("cases:queue", kwargs={"org": maassluis.slug}), {"zoek": HOSTILE}),
    ]
    officer = login(member(maassluis, Role.PRIVACY_OFFICER))
    pages.append(
        officer.get(reverse("privacy:readlog", kwargs={"org": maassluis.slug}), {"user": HOSTILE})
    )
    for response in pages:
        assert response.status_code == 200
        assert "<script>alert(" not in response.content.decode(), response.request["PATH_INFO"]


def test_the_inzage_document_escapes_html(maassluis: Organisation) -> None:
    from regie.privacy import inzage_document

    subject = services.SubjectIn(kind="persoon", bsn=BSN, surname=HOSTILE)
    signal_of(maassluis, subjects=[subject], description=HOSTILE + '<img src="http://x/y">')
    result = inzage_document.collect(
        identity=privacy.Identity.of(bsn=BSN),
        organisation=maassluis,
        reader=privacy.Reader(user=None, label="test"),
        surface="command",
    )
    assert result.found == 1
    html = inzage_document.to_html(result)
    assert "<script>alert(" not in html
    assert '<img src="http://x/y">' not in html
    assert json.loads(inzage_document.to_json(result))["gevonden"] == 1


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_the_read_log_export_defuses_formulas(
    maassluis: Organisation, member: Member, start: str
) -> None:
    entry = _read_entry(maassluis, member)
    formula = f'{start}HYPERLINK("http://x";"klik")'
    hostile = ReadLogEntry.objects.create(
        **{
            f.attname: getattr(entry, f.attname)
            for f in ReadLogEntry._meta.concrete_fields
            if f.attname != "id"
        }
        | {"actor_label": formula, "actor_organisation": formula, "span_id": "ab"}
    )
    text = b"".join(read_log_csv(ReadLogEntry.objects.filter(pk=hostile.pk))).decode("utf-8")
    for line in text.splitlines()[1:]:
        for cell in line.split(";"):
            assert not cell.lstrip('"').startswith(("=", "+", "-", "@")), cell


def test_a_formula_in_a_register_stays_text(tmp_path: Path, maassluis: Organisation) -> None:
    register = tmp_path / "register.csv"
    register.write_text(
        "ontvangen;categorie;omschrijving\n3-2-2024;Woonoverlast;\"=cmd|' /C calc'!A0\"\n",
        encoding="utf-8",
    )
    register_import.import_register(register, maassluis, label="test")
    assert Signal.objects.get().description == "=cmd|' /C calc'!A0"


# === 8. The API ==================================================================================


def test_a_read_token_and_a_foreign_gemeente_token_cannot_post(
    maassluis: Organisation, alblasserdam: Organisation
) -> None:
    assert api_post(token_client(maassluis, ApiTokenScope.READ), API_BODY).status_code == 403
    assert api_post(token_client(alblasserdam), API_BODY).status_code == 404
    assert not Signal.objects.exists()


def test_a_partner_token_does_not_read_another_partners_signal(
    maassluis: Organisation, partner: Organisation, other_partner: Organisation
) -> None:
    theirs = signal_of(maassluis, reporting_organisation=other_partner)
    client = token_client(partner)
    assert client.get(api_detail(theirs), HTTP_X_REGIE_PURPOSE=PURPOSE).status_code == 404
    assert client.get(API_LIST, {"org": other_partner.slug}).status_code == 404
    assert client.get(API_LIST, {"org": maassluis.slug}).status_code == 404
    assert theirs.reference not in client.get(API_LIST).content.decode()


def test_a_purpose_of_another_gemeente_is_refused(
    maassluis: Organisation, alblasserdam: Organisation, member: Member, login: Login
) -> None:
    privacy.activities(alblasserdam)
    ProcessingActivity.objects.create(
        organisation=alblasserdam,
        code="alleen-alblasserdam",
        name="B",
        purpose="B",
        legal_basis="B",
    )
    signal = signal_of(maassluis)
    client = login(staff(member, maassluis))
    answer = client.get(api_detail(signal), HTTP_X_REGIE_PURPOSE="alleen-alblasserdam")
    assert answer.status_code == 400
    page = client.post(url("purpose", signal), {"activity": "alleen-alblasserdam"})
    assert page.status_code == 200
    assert client.get(url("detail", signal)).status_code == 302
    assert not ReadLogEntry.objects.exists()


def test_the_intake_api_ignores_fields_it_does_not_know(
    maassluis: Organisation, partner: Organisation, other_partner: Organisation, member: Member
) -> None:
    someone = member(maassluis, Role.BEHEERDER)
    body = {
        **API_BODY,
        "status": Status.CLOSED,
        "outcome": "niet_opgepakt",
        "reporting_organisation": other_partner.pk,
        "created_by": someone.pk,
        "kanaal": Channel.PUBLIC,
        "channel": Channel.PUBLIC,
        "reference": "GM0556-2020-99999",
        "referentie": "GM0556-2020-99999",
        "family": "cyber",
        "legal_hold": True,
        "receipt_digest": "0" * 64,
    }
    answer = api_post(token_client(partner), body)
    assert answer.status_code == 201, answer.content
    signal = Signal.objects.get()
    assert signal.status == Status.RECEIVED
    assert not signal.outcome
    assert signal.reporting_organisation == partner
    assert signal.created_by is None
    assert signal.channel == Channel.API
    assert signal.reference != "GM0556-2020-99999"
    assert signal.family == signal.category.family or signal.family == signal.category.parent.family  # type: ignore[union-attr]
    assert not signal.legal_hold
    assert not signal.receipt_digest


def test_an_api_signal_that_claims_to_be_mma_needs_verification(
    maassluis: Organisation, partner: Organisation
) -> None:
    """FINDING: a partner system may send ``melder.type = "mma"``: the signal then carries the
    reporter type Meld Misdaad Anoniem but is not marked "verificatie nodig" (only the channel
    mma sets that). Either refuse the type mma from the API (MMA entries come from the form's
    MMA channel) or set ``verification_needed`` whenever the reporter type is MMA."""
    answer = api_post(token_client(partner), {**API_BODY, "melder": {"type": "mma"}})
    if answer.status_code == 400:
        return
    assert answer.status_code == 201, answer.content
    signal = Signal.objects.get()
    assert signal.reporter_type != ReporterType.MMA or signal.verification_needed


def test_an_api_session_post_needs_the_csrf_token(maassluis: Organisation, member: Member) -> None:
    client = csrf_client(staff(member, maassluis))
    assert api_post(client, API_BODY).status_code == 403
    assert not Signal.objects.exists()


# === 9. Keys =====================================================================================


def test_a_value_copied_into_another_column_does_not_decrypt(maassluis: Organisation) -> None:
    signal = signal_of(maassluis)
    with connection.cursor() as cursor:
        cursor.execute("SELECT description FROM cases_signal WHERE id = %s", [signal.pk])
        blob = bytes(cursor.fetchone()[0])
    assert DESCRIPTION.encode() not in blob
    assert crypto.decrypt(blob, context="cases.signal.description") == DESCRIPTION.encode()
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(blob, context="cases.signal.reporter_name")
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE cases_signal SET reporter_name = %s WHERE id = %s", [blob, signal.pk]
        )
    with pytest.raises(crypto.DecryptionError):
        Signal.objects.get(pk=signal.pk)


@pytest.fixture
def fresh_keys(settings: Any) -> Iterator[Any]:
    keys.reset()
    yield settings
    keys.reset()


def test_a_wrong_key_fails_loudly(maassluis: Organisation, fresh_keys: Any) -> None:
    signal = signal_of(maassluis)
    current = keys.keyring()
    other = keys.encode_key(bytes(range(32)))
    fresh_keys.REGIE_ENCRYPTION_KEYS = f"{current.current.id}:{other}"
    keys.reset()
    with pytest.raises(crypto.DecryptionError):
        Signal.objects.get(pk=signal.pk)
    fresh_keys.REGIE_ENCRYPTION_KEYS = f"zz:{other}"
    keys.reset()
    with pytest.raises(crypto.DecryptionError):
        Signal.objects.get(pk=signal.pk)


def test_the_deploy_check_fails_without_keys(fresh_keys: Any, tmp_path: Path) -> None:
    fresh_keys.REGIE_ENCRYPTION_KEYS = ""
    fresh_keys.REGIE_BLIND_INDEX_KEY = ""
    fresh_keys.REGIE_KEYS_FILE = str(tmp_path / "geen.json")
    keys.reset()
    assert [m.id for m in privacy_checks.keys_configured()] == ["privacy.E001"]
    keys.write_keys_file(tmp_path / "demo.json")
    fresh_keys.REGIE_KEYS_FILE = str(tmp_path / "demo.json")
    keys.reset()
    assert [m.id for m in privacy_checks.keys_configured()] == ["privacy.E002"]


# === 10. The register import =====================================================================


def test_a_register_with_too_many_rows_is_refused_before_anything_is_stored(
    tmp_path: Path, maassluis: Organisation
) -> None:
    register = tmp_path / "groot.csv"
    row = "3-2-2024;Woonoverlast;x\n"
    register.write_text(
        "ontvangen;categorie;omschrijving\n" + row * (import_files.MAX_ROWS + 1), encoding="utf-8"
    )
    with pytest.raises(register_import.FileRefused):
        register_import.import_register(register, maassluis, label="test")
    assert not Signal.objects.exists()


def test_a_zip_bomb_workbook_is_refused_without_unpacking(tmp_path: Path) -> None:
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (20 * 1024 * 1024))
    with pytest.raises(register_import.FileRefused):
        import_files.xlsx_table(bomb.getvalue())


def test_an_invalid_row_stores_nothing(tmp_path: Path, maassluis: Organisation) -> None:
    register = tmp_path / "half.csv"
    register.write_text(
        "ontvangen;categorie;omschrijving;bsn\n"
        "3-2-2024;Woonoverlast;goed;111222333\n"
        "3-2-2024;Woonoverlast;fout;123456789\n",
        encoding="utf-8",
    )
    with pytest.raises(register_import.ImportRefused):
        register_import.import_register(register, maassluis, label="test")
    assert not Signal.objects.exists()


# === 11. More: redirects, the privacy officer, corrections, the reader's organisation ==========


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example/x",
        "https://evil.example/",
        "/\\evil.example",
        "\\\\evil.example",
        "javascript:alert(1)",
        " //evil.example",
        "/\tevil",
    ],
)
def test_the_purpose_form_does_not_redirect_elsewhere(
    maassluis: Organisation, member: Member, login: Login, target: str
) -> None:
    signal = signal_of(maassluis)
    client = login(staff(member, maassluis))
    response = client.post(url("purpose", signal), {"activity": PURPOSE, "next": target})
    assert response.status_code == 302
    assert response["Location"] == url("detail", signal)


def test_the_privacy_officer_sees_only_the_own_gemeente(
    maassluis: Organisation, alblasserdam: Organisation, member: Member, login: Login
) -> None:
    subject = services.SubjectIn(kind="persoon", bsn=BSN)
    mine = signal_of(maassluis, subjects=[subject])
    theirs = signal_of(alblasserdam, subjects=[subject], description="Alleen Alblasserdam")
    officer = login(member(maassluis, Role.PRIVACY_OFFICER))
    answer = officer.post(
        reverse("privacy:inzage", kwargs={"org": maassluis.slug}),
        {"bsn": BSN, "purpose": "rechten-betrokkene", "fmt": "json"},
    )
    assert answer.status_code == 200, answer.content[:500]
    text = answer.content.decode()
    assert mine.reference in text
    assert theirs.reference not in text
    assert "Alleen Alblasserdam" not in text
    for name in ("readlog", "readlog_export", "activities", "retention", "inzage"):
        target = reverse(f"privacy:{name}", kwargs={"org": alblasserdam.slug})
        assert officer.get(target).status_code == 404, name
    # The officer reads no signal pages (own role, own pages).
    assert officer.get(url("detail", mine)).status_code == 403
    assert officer.get(api_detail(mine), HTTP_X_REGIE_PURPOSE=PURPOSE).status_code == 404


def test_a_correction_cannot_store_an_invalid_bsn(
    maassluis: Organisation, member: Member, login: Login
) -> None:
    """FINDING: the intake checks a BSN (elfproef), a correction does not: ``correct_subject``
    stores any text as BSN (and its blind index). A typo then hides the signal from the
    person's inzage by BSN and from the hermeldingen. Fix: validate the corrected value as the
    intake does (BSN, KvK, postcode, phone, e-mail) in ``handling.correct_subject``."""
    signal = signal_of(maassluis)
    subject = signal.subjects.get()
    client = with_purpose(login(staff(member, maassluis)), signal)
    prefix = f"s{subject.pk}"
    client.post(
        url("correct", signal, subject=subject.pk),
        {f"{prefix}-field": "bsn", f"{prefix}-value": "123456789", f"{prefix}-reason": "typo"},
    )
    assert Subject.objects.get(pk=subject.pk).bsn == BSN


def test_an_api_read_by_a_session_names_the_readers_organisation(
    maassluis: Organisation, member: Member, login: Login
) -> None:
    """FINDING (minor): the API detail writes the read-log entry of a session user without the
    reader's organisation (``access.reader`` calls ``privacy.reader_for(request)`` without a
    name, and a session has no token): the field the page fills is empty for the API."""
    signal = signal_of(maassluis)
    client = login(staff(member, maassluis))
    assert client.get(api_detail(signal), HTTP_X_REGIE_PURPOSE=PURPOSE).status_code == 200
    assert ReadLogEntry.objects.get().actor_organisation == maassluis.name


def test_an_anonymous_public_report_keeps_no_contact_details(maassluis: Organisation) -> None:
    factories.category(maassluis)
    response = Client().post(form_url(maassluis), public_data(name=REPORTER, email=REPORTER_EMAIL))
    assert response.status_code == 200
    assert not Signal.objects.exists()


def test_tombstones_hold_no_personal_data(maassluis: Organisation) -> None:
    signal = signal_of(maassluis)
    services.change_status(
        signal,
        status=Status.CLOSED,
        outcome=Outcome.NOT_TAKEN_UP,
        reason="Reden " + SURNAME,
        by=None,
        label="test",
    )
    privacy.run_retention(today=timezone.localdate() + dt.timedelta(days=800), label="test")
    stones = json.dumps(list(Tombstone.objects.values()), default=str)
    assert signal.reference in stones
    for secret in SECRETS:
        assert secret not in stones


def test_an_inzage_by_name_does_not_give_a_twin_the_other_twins_signals(
    maassluis: Organisation,
) -> None:
    """FINDING: the inzage by name and birth date matches on the person blind index, which keeps
    only the first *initial* ("J." = "Jan", for the hermeldingen). Twins Jan and Joost de Vries,
    born the same day, share it: Jan's inzage (AVG art. 15) hands him the signal about Joost,
    his description and all his stored fields. Acceptance: "nothing about anyone else". Fix: in
    ``cases.inzage.matching_subjects``, keep a person-key match only when the decrypted
    first names agree with the request (or ask for the BSN when they differ)."""
    from regie.privacy import inzage_document

    born = dt.date(1990, 6, 1)
    jan = services.SubjectIn(
        kind="persoon", surname="Vries", tussenvoegsel="de", first_names="Jan", birth_date=born
    )
    joost = services.SubjectIn(
        kind="persoon", surname="Vries", tussenvoegsel="de", first_names="Joost", birth_date=born
    )
    signal_of(maassluis, subjects=[jan], description="Over Jan")
    other = signal_of(maassluis, subjects=[joost], description="Over Joost, niet over Jan")
    result = inzage_document.collect(
        identity=privacy.Identity.of(
            surname="Vries", tussenvoegsel="de", first_names="Jan", birth_date=born
        ),
        organisation=maassluis,
        reader=privacy.Reader(user=None, label="test"),
        surface="command",
    )
    text = inzage_document.to_json(result).decode()
    assert "Over Jan" in text
    assert other.reference not in text
    assert "Joost" not in text


def test_moving_a_category_to_another_family_moves_its_signals_need_to_know(
    maassluis: Organisation, member: Member, login: Login
) -> None:
    """FINDING: a signal's ``family`` (the need-to-know key) is copied from its category at
    intake and never follows a change of the category. When a beheerder moves "Woonoverlast"
    from Zorg & veiligheid to Ondermijning, its existing signals stay visible to zorg staff only
    and hidden from the ondermijning team. Fix: ``change_category`` (and ``_follow_main``)
    update ``Signal.family`` of the category's signals in the same transaction (audited), or
    ``visible_signals`` filters on ``category__family``/``category__parent__family``."""
    from regie.cases.services import categories as category_services

    signal = signal_of(maassluis)
    category = Category.objects.get(pk=signal.category_id)
    main = category.parent or category
    moved = Category.objects.get(pk=main.pk)
    category_services.change_category(
        moved,
        category_services.CategoryChange(
            name=moved.name,
            parent=None,
            family="ondermijning",
            team=moved.team,
            is_active=True,
        ),
        version=moved.lock_version,
    )
    assert Category.objects.get(pk=category.pk).family == "ondermijning"
    zorg_only = login(staff(member, maassluis, Grant.ZORG))
    assert zorg_only.get(url("purpose", signal)).status_code == 404
    ondermijning_only = login(staff(member, maassluis, Grant.ONDERMIJNING))
    assert ondermijning_only.get(url("purpose", signal)).status_code == 200


def test_a_handhaver_does_not_learn_of_hermeldingen_either(
    maassluis: Organisation, member: Member, login: Login
) -> None:
    """FINDING (as for the ketenpartner): a handhaver sees the hermelding counts of a signal
    they registered, counting signals of families they may not see."""
    signal_of(maassluis, category_name="Onbegrepen gedrag")
    handhaver = member(maassluis, Role.HANDHAVER)
    own = signal_of(maassluis, by=handhaver)
    client = with_purpose(login(handhaver), own)
    html = client.get(url("detail", own)).content.decode()
    assert url("matches", own, kind="person") not in html


def test_an_ipv6_client_cannot_rotate_addresses_in_its_own_network(
    maassluis: Organisation, settings: Any
) -> None:
    """FINDING: the limit counts per full client address. An IPv6 client owns at least a /64
    (2^64 addresses) and gets a fresh limit with every address of it, for the form and the
    receipt-code lookup alike. Fix: count IPv6 clients per /64 prefix in
    ``ratelimit.client_digest`` (IPv4 per address)."""
    settings.REGIE_PROXY_COUNT = 0
    settings.REGIE_PUBLIC_FORM_PER_HOUR = 3
    client = Client()
    statuses = [
        client.post(
            form_url(maassluis), public_data(description=""), REMOTE_ADDR=f"2001:db8:1:2::{n:x}"
        ).status_code
        for n in range(1, 6)
    ]
    assert statuses[3:] == [429, 429]
