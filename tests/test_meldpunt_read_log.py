"""Acceptance (issue 18): every surface that shows personal data of a signal — page, API,
export, command — writes a read-log entry with a purpose, before anything is shown; without a
purpose nothing personal is shown and nothing is logged as read."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from regie.accounts.models import Role, User
from regie.cases.models import Attachment, Signal
from regie.cases.tests import factories
from regie.core.models import Organisation
from regie.privacy.models import ReadLogEntry

PURPOSE = "meldpunt-beoordelen"
SECRET = "Verzonnen geheime omschrijving"


@pytest.fixture
def signal(maassluis: Organisation) -> Signal:
    signal = factories.make_signal(
        maassluis, description=SECRET, subjects=[factories.person(bsn="111222333")]
    )
    Attachment.objects.create(
        signal=signal, name="foto.png", content_type="image/png", size=3, content=b"png"
    )
    factories.make_signal(maassluis, subjects=[factories.person()])  # a hermelding
    return signal


@pytest.fixture
def adviseur(maassluis: Organisation, member: Callable[[Organisation, str], User]) -> User:
    user = member(maassluis, Role.ADVISEUR)
    factories.grant(user, maassluis)
    return user


def _entry(operation: str) -> ReadLogEntry:
    entry = ReadLogEntry.objects.get(operation=operation)
    assert entry.processing_activity_code
    assert entry.legal_basis
    assert entry.trace_id
    assert entry.span_id
    assert entry.fields
    return entry


def _page_urls(org: Organisation, signal: Signal) -> dict[str, str]:
    attachment = signal.attachments.get()
    kwargs = {"org": org.slug, "ref": signal.reference}
    return {
        "signal.detail": reverse("cases:detail", kwargs=kwargs),
        "signal.attachment": reverse("cases:attachment", kwargs={**kwargs, "pk": attachment.pk}),
        "signal.matches": reverse("cases:matches", kwargs={**kwargs, "kind": "person"}),
    }


@pytest.mark.django_db
@pytest.mark.parametrize("operation", ["signal.detail", "signal.attachment", "signal.matches"])
def test_each_page_asks_a_purpose_then_logs_the_read(
    signal: Signal,
    adviseur: User,
    maassluis: Organisation,
    login: Callable[[User], Client],
    operation: str,
) -> None:
    client = login(adviseur)
    url = _page_urls(maassluis, signal)[operation]
    first = client.get(url)
    assert first.status_code == 302
    assert "/doel/" in first["Location"]
    assert not ReadLogEntry.objects.exists()
    purpose = reverse("cases:purpose", kwargs={"org": maassluis.slug, "ref": signal.reference})
    client.post(purpose, {"activity": PURPOSE})
    assert client.get(url).status_code == 200
    entry = _entry(operation)
    assert entry.surface == "page"
    assert entry.user == adviseur
    assert entry.object_ref == signal.reference
    assert entry.processing_activity_code == PURPOSE
    assert entry.data_subjects  # the person as a pseudonym
    assert "111222333" not in str(entry.data_subjects)


@pytest.mark.django_db
def test_the_api_needs_a_purpose_and_logs_the_read(
    signal: Signal, adviseur: User, login: Callable[[User], Client]
) -> None:
    client = login(adviseur)
    url = reverse("api:signal_detail", kwargs={"ref": signal.reference})
    refused = client.get(url)
    assert refused.status_code == 400
    assert SECRET not in refused.content.decode()
    assert not ReadLogEntry.objects.exists()
    answer = client.get(url, headers={"X-Regie-Purpose": PURPOSE})
    assert answer.status_code == 200
    assert SECRET in answer.content.decode()
    entry = _entry("api.signal.detail")
    assert entry.surface == "api"
    assert entry.processing_activity_code == PURPOSE


@pytest.mark.django_db
def test_the_inzage_export_logs_each_signal(
    signal: Signal,
    maassluis: Organisation,
    member: Callable[[Organisation, str], User],
    login: Callable[[User], Client],
) -> None:
    officer = member(maassluis, Role.PRIVACY_OFFICER)
    response = login(officer).post(
        reverse("privacy:inzage", kwargs={"org": maassluis.slug}),
        {"bsn": "111 222 333", "purpose": "rechten-betrokkene", "fmt": "json"},
    )
    assert response.status_code == 200
    entry = _entry("inzage")
    assert entry.surface == "export"
    assert entry.object_ref == signal.reference
    assert entry.processing_activity_code == "rechten-betrokkene"


@pytest.mark.django_db
def test_the_inzage_command_logs_each_signal(signal: Signal, tmp_path: Path) -> None:
    call_command("inzage", "--bsn", "111222333", "--out", str(tmp_path), stdout=io.StringIO())
    entry = _entry("inzage")
    assert entry.surface == "command"
    assert entry.object_ref == signal.reference
    assert entry.user is None


@pytest.mark.django_db
def test_the_werkvoorraad_shows_no_personal_data_and_logs_nothing(
    signal: Signal, adviseur: User, maassluis: Organisation, login: Callable[[User], Client]
) -> None:
    page = login(adviseur).get(reverse("cases:queue", kwargs={"org": maassluis.slug}))
    assert page.status_code == 200
    html = page.content.decode()
    assert signal.reference in html
    assert SECRET not in html
    assert "Vries" not in html
    assert not ReadLogEntry.objects.exists()


@pytest.mark.django_db
def test_the_read_log_is_append_only(
    signal: Signal, adviseur: User, maassluis: Organisation, login: Callable[[User], Client]
) -> None:
    from regie.core.models import AppendOnlyError

    client = login(adviseur)
    purpose = reverse("cases:purpose", kwargs={"org": maassluis.slug, "ref": signal.reference})
    client.post(purpose, {"activity": PURPOSE})
    client.get(_page_urls(maassluis, signal)["signal.detail"])
    entry = ReadLogEntry.objects.get()
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        ReadLogEntry.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        ReadLogEntry.objects.update(operation="x")
