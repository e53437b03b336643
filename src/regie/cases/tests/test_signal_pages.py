"""The signal page and its handling, through HTTP with verified logins: purpose first, every
showing logged, need-to-know on every lookup."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import reverse

from regie.accounts.models import Role, User
from regie.cases import services
from regie.cases.models import (
    Attachment,
    Dimension,
    Grant,
    Signal,
    SignalEvent,
    SignalShare,
    Status,
)
from regie.cases.tests import factories
from regie.core.models import Organisation
from regie.core.tests.factories import OrganisationFactory
from regie.privacy.models import ReadLogEntry

pytestmark = pytest.mark.django_db

Member = Callable[..., User]
Login = Callable[[User], Client]
PURPOSE = "meldpunt-beoordelen"


def url(name: str, signal: Signal, org: Organisation | None = None, **kwargs: Any) -> str:
    org = org or signal.organisation
    return reverse(f"cases:{name}", kwargs={"org": org.slug, "ref": signal.reference, **kwargs})


def staff(member: Member, org: Organisation, *grants: str, role: str = Role.ADVISEUR) -> User:
    user = member(org, role)
    if grants:
        factories.grant(user, org, *grants)
    return user


def with_purpose(
    client: Client, signal: Signal, org: Organisation | None = None, code: str = PURPOSE
) -> Client:
    response = client.post(url("purpose", signal, org), {"activity": code})
    assert response.status_code == 302, response.content
    return client


def open_page(client: Client, signal: Signal, org: Organisation | None = None) -> str:
    response = client.get(url("detail", signal, org))
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def partner(db: Any) -> Organisation:
    return OrganisationFactory(name="Politie Eenheid Test", slug="politie-eenheid")


# --- purpose and the read log ------------------------------------------------------------------


def test_purpose_first_then_every_showing_is_logged(
    maassluis: Organisation, member: Member, login: Login
) -> None:
    user = staff(member, maassluis, Grant.ZORG)
    signal = factories.make_signal(maassluis)
    client = login(user)
    detail = url("detail", signal)

    first = client.get(detail)
    assert first.status_code == 302
    assert first["Location"] == f"{url('purpose', signal)}?next={quote(detail, safe='')}"
    assert not ReadLogEntry.objects.exists()

    form = client.get(first["Location"])
    assert form.status_code == 200
    assert signal.description not in form.content.decode()

    chosen = client.post(first["Location"], {"activity": PURPOSE, "next": detail})
    assert chosen.status_code == 302
    assert chosen["Location"] == detail

    page = open_page(client, signal)
    assert signal.description in page
    open_page(client, signal)
    entries = list(ReadLogEntry.objects.order_by("pk"))
    assert len(entries) == 2
    for entry in entries:
        assert entry.processing_activity_code == PURPOSE
        assert entry.operation == "signal.detail"
        assert entry.surface == "page"
        assert entry.object_ref == signal.reference
        assert {"description", "subjects", "history"} <= set(entry.fields)
        assert entry.user == user
        assert entry.data_subjects  # the person's pseudonym


def test_purpose_must_be_one_of_the_list_and_next_must_be_of_this_site(
    maassluis: Organisation, member: Member, login: Login
) -> None:
    user = staff(member, maassluis, Grant.ZORG)
    signal = factories.make_signal(maassluis)
    client = login(user)
    refused = client.post(url("purpose", signal), {"activity": "iets-anders"})
    assert refused.status_code == 200
    assert "activity" in refused.context["form"].errors
    for bad in ("https://evil.example/", "//evil.example/x", "/\t/evil.example", "javascript:x"):
        response = client.post(url("purpose", signal), {"activity": PURPOSE, "next": bad})
        assert response["Location"] == url("detail", signal)


def test_purpose_page_shows_the_activities(
    maassluis: Organisation, member: Member, login: Login
) -> None:
    user = staff(member, maassluis, Grant.ZORG)
    signal = factories.make_signal(maassluis)
    response = login(user).get(url("purpose", signal))
    codes = [a.code for a in response.context["form"].activities]
    assert PURPOSE in codes
    assert len(codes) >= 3


def test_contact_details_are_masked_without_their_grant(
    maassluis: Organisation, member: Member, login: Login
) -> None:
    signal = factories.make_signal(
        maassluis, reporter_type="inwoner", reporter_name="Melder Zichtbaarnaam"
    )
    without = staff(member, maassluis, Grant.ZORG)
    page = open_page(with_purpose(login(without), signal), signal)
    assert "Zichtbaarnaam" not in page
    entry = ReadLogEntry.objects.get(user=without)
    assert "reporter_name" not in entry.fields

    with_grant = staff(member, maassluis, Grant.ZORG, Grant.REPORTER_CONTACT)
    client = with_purpose(login(with_grant), signal)
    page = open_page(client, signal)
    assert "Zichtbaarnaam" in page
    assert "reporter_name" in ReadLogEntry.objects.get(user=with_grant).fields

    services.anonymise_reporter(Signal.objects.get(pk=signal.pk), label="retention")
    response = client.get(url("detail", signal))
    assert response.context["page"].contact_state == "removed"
    assert "Zichtbaarnaam" not in response.content.decode()


def test_signal_of_another_family_or_gemeente_is_not_found(
    maassluis: Organisation, alblasserdam: Organisation, member: Member, login: Login
) -> None:
    signal = factories.make_signal(maassluis, category_name="Witwassen")
    zorg = staff(member, maassluis, Grant.ZORG)
    assert login(zorg).get(url("detail", signal)).status_code == 404
    assert login(zorg).get(url("purpose", signal)).status_code == 404
    elsewhere = staff(member, alblasserdam, *Grant.values)
    assert login(elsewhere).get(url("detail", signal)).status_code == 404
    assert login(elsewhere).get(url("detail", signal, alblasserdam)).status_code == 404


# --- handling ---------------------------------------------------------------------------------


def test_status_change_with_a_stale_version_is_refused(
    maassluis: Organisation, member: Member, login: Login
) -> None:
    user = staff(member, maassluis, *Grant.values)
    signal = factories.make_signal(maassluis)
    client = with_purpose(login(user), signal)
    seen = signal.lock_version
    Signal.objects.get(pk=signal.pk).save()  # someone else changes it
    response = client.post(
        url("status", signal), {"status": Status.IN_PROGRESS, "edit_token": seen}
    )
    assert response.status_code == 200
    assert response.context["status_form"].non_field_errors()
    assert Signal.objects.get(pk=signal.pk).status == Status.RECEIVED

    fresh = Signal.objects.get(pk=signal.pk)
    ok = client.post(
        url("status", signal), {"status": Status.IN_PROGRESS, "edit_token": fresh.lock_version}
    )
    assert ok.status_code == 302
    assert Signal.objects.get(pk=signal.pk).status == Status.IN_PROGRESS


def test_closing_needs_a_reason_and_keeps_the_input(
    maassluis: Organisation, member: Member, login: Login
) -> None:
    user = staff(member, maassluis, *Grant.values)
    signal = factories.make_signal(maassluis)
    client = with_purpose(login(user), signal)
    data = {
        "status": Status.CLOSED,
        "outcome": "informatiepositie",
        "reason": "",
        "edit_token": signal.lock_version,
    }
    response = client.post(url("status", signal), data)
    assert response.status_code == 200
    form = response.context["status_form"]
    assert form.non_field_errors()
    assert form["outcome"].value() == "informatiepositie"
    assert 'value="informatiepositie" selected' in response.content.decode()
    assert Signal.objects.get(pk=signal.pk).status == Status.RECEIVED

    data["reason"] = "Bekend bij de wijkagent"
    assert client.post(url("status", signal), data).status_code == 302
    closed = Signal.objects.get(pk=signal.pk)
    assert (closed.status, closed.outcome) == (Status.CLOSED, "informatiepositie")
    page = open_page(client, signal)
    assert "Bekend bij de wijkagent" in page


def test_read_only_roles_cannot_handle(
    maassluis: Organisation, member: Member, login: Login
) -> None:
    handhaver = staff(member, maassluis, role=Role.HANDHAVER)
    signal = factories.make_signal(maassluis, by=handhaver)
    client = with_purpose(login(handhaver), signal)
    page = open_page(client, signal)
    assert url("status", signal) not in page
    response = client.post(url("status", signal), {"status": Status.IN_PROGRESS})
    assert response.status_code == 403


def test_share_with_a_partner_then_revoke(
    maassluis: Organisation, partner: Organisation, member: Member, login: Login
) -> None:
    user = staff(member, maassluis, *Grant.values)
    keten = member(partner, Role.KETENPARTNER)
    signal = factories.make_signal(maassluis)
    partner_client = login(keten)
    assert partner_client.get(url("detail", signal, partner)).status_code == 404

    client = with_purpose(login(user), signal)
    assert client.post(url("share", signal), {"organisation": partner.pk}).status_code == 302
    row = SignalShare.objects.get(signal=signal, organisation=partner)

    queue_page = partner_client.get(reverse("cases:queue", kwargs={"org": partner.slug}))
    assert signal.reference in queue_page.content.decode()
    with_purpose(partner_client, signal, partner)
    page = open_page(partner_client, signal, partner)
    assert signal.description in page
    assert url("status", signal, partner) not in page  # read only

    revoke = url("share_revoke", signal, pk=row.pk)
    assert client.post(revoke).status_code == 302
    assert partner_client.get(url("detail", signal, partner)).status_code == 404
    assert SignalEvent.objects.filter(signal=signal, dimension=Dimension.SHARING).count() == 2


def test_share_with_a_handhaver_and_refusals(
    maassluis: Organisation, member: Member, login: Login
) -> None:
    user = staff(member, maassluis, *Grant.values)
    handhaver = member(maassluis, Role.HANDHAVER)
    signal = factories.make_signal(maassluis)
    client = with_purpose(login(user), signal)
    neither = client.post(url("share", signal), {})
    assert neither.status_code == 200
    assert neither.context["share_form"].non_field_errors()
    assert client.post(url("share", signal), {"user": handhaver.pk}).status_code == 302
    assert open_page(with_purpose(login(handhaver), signal), signal)
    other = factories.make_signal(maassluis)
    other_row = SignalShare.objects.create(signal=other, user=handhaver, shared_by=user)
    assert client.post(url("share_revoke", signal, pk=other_row.pk)).status_code == 404


def test_legal_hold_on_and_off(maassluis: Organisation, member: Member, login: Login) -> None:
    user = staff(member, maassluis, *Grant.values)
    signal = factories.make_signal(maassluis)
    client = with_purpose(login(user), signal)
    refused = client.post(url("hold", signal), {"on": "1", "reason": ""})
    assert refused.status_code == 200
    assert refused.context["hold_form"].non_field_errors()
    assert client.post(url("hold", signal), {"on": "1", "reason": "Rechtszaak"}).status_code == 302
    assert Signal.objects.get(pk=signal.pk).legal_hold
    assert client.post(url("hold", signal), {"on": "0", "reason": ""}).status_code == 302
    assert not Signal.objects.get(pk=signal.pk).legal_hold


def test_correct_a_birth_date_in_dutch_notation(
    maassluis: Organisation, member: Member, login: Login
) -> None:
    user = staff(member, maassluis, *Grant.values)
    signal = factories.make_signal(maassluis)
    subject = signal.subjects.get()
    client = with_purpose(login(user), signal)
    target = url("correct", signal, subject=subject.pk)
    prefix = f"s{subject.pk}"
    bad = client.post(
        target,
        {
            f"{prefix}-field": "birth_date",
            f"{prefix}-value": "31-02-1980",
            f"{prefix}-reason": "typfout",
        },
    )
    assert bad.status_code == 200
    assert "value" in bad.context["correct_forms"][subject.pk].errors
    good = client.post(
        target,
        {
            f"{prefix}-field": "birth_date",
            f"{prefix}-value": "4 maart 1981",
            f"{prefix}-reason": "typfout",
        },
    )
    assert good.status_code == 302
    subject.refresh_from_db()
    assert subject.birth_date == dt.date(1981, 3, 4)
    other = factories.make_signal(maassluis)
    foreign = url("correct", signal, subject=other.subjects.get().pk)
    assert client.post(foreign, {}).status_code == 404


def test_writes_are_post_only(maassluis: Organisation, member: Member, login: Login) -> None:
    user = staff(member, maassluis, *Grant.values)
    signal = factories.make_signal(maassluis)
    client = with_purpose(login(user), signal)
    for name in ("status", "share", "hold"):
        assert client.get(url(name, signal)).status_code == 405


# --- attachments and hermeldingen ------------------------------------------------------------


def attach(signal: Signal, name: str = "foto van de straat.jpg") -> Attachment:
    return Attachment.objects.create(
        signal=signal, name=name, content_type="image/jpeg", size=4, content=b"\xff\xd8ab"
    )


def test_attachment_download_is_logged(
    maassluis: Organisation, member: Member, login: Login
) -> None:
    user = staff(member, maassluis, *Grant.values)
    signal = factories.make_signal(maassluis)
    item = attach(signal, name='../"evil"\r\nname.jpg')
    client = login(user)
    target = url("attachment", signal, pk=item.pk)
    assert client.get(target).status_code == 302  # a purpose first
    with_purpose(client, signal)
    response = client.get(target)
    assert response.status_code == 200
    assert response.content == b"\xff\xd8ab"
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "\r" not in disposition
    assert "\n" not in disposition
    assert "../" not in disposition
    entry = ReadLogEntry.objects.get(operation="signal.attachment")
    assert entry.fields == ["attachments"]
    assert entry.processing_activity_code == PURPOSE

    other = factories.make_signal(maassluis)
    foreign = attach(other)
    assert client.get(url("attachment", signal, pk=foreign.pk)).status_code == 404


def test_matches_hide_signals_outside_the_users_families(
    maassluis: Organisation, member: Member, login: Login
) -> None:
    zorg_user = staff(member, maassluis, Grant.ZORG)
    first = factories.make_signal(maassluis, category_name="Woonoverlast")
    hidden = factories.make_signal(maassluis, category_name="Witwassen")
    shown = factories.make_signal(maassluis, category_name="Huiselijk geweld")
    client = login(zorg_user)
    target = url("matches", first, kind="person")
    assert client.get(target).status_code == 302  # a purpose for this signal first
    with_purpose(client, first)

    page = client.get(url("detail", first)).content.decode()
    assert target in page

    response = client.get(target)
    assert response.status_code == 200
    html = response.content.decode()
    assert shown.reference in html
    assert hidden.reference not in html
    found = response.context["found"]
    assert (found.total, found.hidden) == (2, 1)
    entry = ReadLogEntry.objects.get(operation="signal.matches")
    assert entry.fields == ["hermeldingen:person"]

    assert client.get(url("matches", first, kind="schoenmaat")).status_code == 404


def test_history_shows_dutch_codes_as_labels(
    maassluis: Organisation, member: Member, login: Login
) -> None:
    user = staff(member, maassluis, *Grant.values)
    signal = factories.make_signal(maassluis)
    client = with_purpose(login(user), signal)
    client.post(
        url("status", signal), {"status": Status.IN_PROGRESS, "edit_token": signal.lock_version}
    )
    response = client.get(url("detail", signal))
    changes = [e.change for e in response.context["page"].events]
    assert Status.IN_PROGRESS.value not in " ".join(changes)
    assert str(Status.IN_PROGRESS.label) in " ".join(changes)
