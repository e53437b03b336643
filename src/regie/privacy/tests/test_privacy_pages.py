"""The privacy officer's pages: only that role, only its own organisation."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from regie.accounts.models import Role, User
from regie.cases import inzage  # noqa: F401 - registers the provider
from regie.cases.tests import factories
from regie.core.models import AuditEntry, Organisation
from regie.privacy import services as privacy
from regie.privacy.models import ReadLogEntry, RetentionRun, Surface, Tombstone

pytestmark = pytest.mark.django_db

PAGES = ("readlog", "readlog_export", "activities", "retention", "inzage")
BSN = "111222333"


def url(name: str, org: Organisation) -> str:
    return reverse(f"privacy:{name}", kwargs={"org": org.slug})


@pytest.fixture
def officer(member: Callable[..., User], maassluis: Organisation) -> User:
    return member(maassluis, Role.PRIVACY_OFFICER)


@pytest.fixture
def client_(login: Callable[[User], Client], officer: User) -> Client:
    return login(officer)


def read(
    org: Organisation,
    ref: str,
    *,
    label: str = "adv1",
    surface: str = Surface.PAGE,
    at: dt.datetime | None = None,
) -> ReadLogEntry:
    activity = privacy.activity(org, "meldpunt-beoordelen")
    return ReadLogEntry.objects.create(
        trace_id="t" * 32,
        span_id="s" * 16,
        operation="signal.detail",
        surface=surface,
        at=at or timezone.now(),
        organisation=org,
        actor_label=label,
        actor_organisation=org.name,
        processing_activity=activity,
        processing_activity_code=activity.code,
        legal_basis=activity.legal_basis,
        object_type="signal",
        object_ref=ref,
        fields=["description"],
    )


@pytest.mark.parametrize("page", PAGES)
def test_privacy_officer_sees_the_pages(
    client_: Client, maassluis: Organisation, page: str
) -> None:
    response = client_.get(url(page, maassluis))
    assert response.status_code == 200


@pytest.mark.parametrize("role", [Role.ADVISEUR, Role.BEHEERDER, Role.RAADPLEGER, Role.HANDHAVER])
@pytest.mark.parametrize("page", PAGES)
def test_other_roles_are_refused(
    member: Callable[..., User],
    login: Callable[[User], Client],
    maassluis: Organisation,
    role: str,
    page: str,
) -> None:
    client = login(member(maassluis, role))
    assert client.get(url(page, maassluis)).status_code == 403


@pytest.mark.parametrize("page", PAGES)
def test_other_gemeente_is_not_found(
    client_: Client, alblasserdam: Organisation, page: str
) -> None:
    assert client_.get(url(page, alblasserdam)).status_code == 404


def test_anonymous_is_sent_to_login(maassluis: Organisation) -> None:
    response = Client().get(url("readlog", maassluis))
    assert response.status_code == 302


def test_read_log_lists_and_filters(
    client_: Client, maassluis: Organisation, alblasserdam: Organisation
) -> None:
    read(maassluis, "GM0556-2026-00001", label="adv1")
    read(maassluis, "GM0556-2026-00002", label="adv2", surface=Surface.API)
    read(alblasserdam, "GM0482-2026-00009")
    old = read(maassluis, "GM0556-2025-00003", at=timezone.make_aware(dt.datetime(2025, 3, 1, 10)))
    page = client_.get(url("readlog", maassluis)).content.decode()
    assert "GM0556-2026-00001" in page
    assert "GM0556-2026-00002" in page
    assert "GM0482" not in page
    assert old.at.strftime("%d-%m-%Y") in page
    only = client_.get(url("readlog", maassluis), {"user": "ADV2"}).content.decode()
    assert "GM0556-2026-00002" in only
    assert "GM0556-2026-00001" not in only
    by_surface = client_.get(url("readlog", maassluis), {"surface": "api"}).content.decode()
    assert "GM0556-2026-00002" in by_surface
    assert "GM0556-2026-00001" not in by_surface
    by_ref = client_.get(url("readlog", maassluis), {"object_ref": "gm0556-2026-00001"})
    assert "GM0556-2026-00002" not in by_ref.content.decode()
    dated = client_.get(
        url("readlog", maassluis), {"date_from": "1-3-2025", "date_to": "01-03-2025"}
    )
    text = dated.content.decode()
    assert "GM0556-2025-00003" in text
    assert "GM0556-2026-00001" not in text
    wrong = client_.get(url("readlog", maassluis), {"date_from": "gisteren"})
    assert wrong.status_code == 200
    assert "date_from" in wrong.context["form"].errors


def test_read_log_empty_state(client_: Client, maassluis: Organisation) -> None:
    response = client_.get(url("readlog", maassluis))
    assert response.context["page"].paginator.count == 0
    assert "<table" not in response.content.decode()


def test_read_log_export_is_csv_and_escapes_formulas(
    client_: Client, maassluis: Organisation
) -> None:
    read(maassluis, "GM0556-2026-00001", label='=HYPERLINK("http://x")')
    read(maassluis, "GM0556-2026-00002", label="adv2")
    before = AuditEntry.objects.filter(object_type="event").count()
    response = client_.get(url("readlog_export", maassluis), {"user": '=HYPERLINK("http://x")'})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content).decode("utf-8")  # type: ignore[attr-defined]
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff")), delimiter=";"))
    assert len(rows) == 2  # header + the one matching entry
    assert rows[1][1] == '\'=HYPERLINK("http://x")'
    assert rows[1][8] == "GM0556-2026-00001"
    assert AuditEntry.objects.filter(object_type="event").count() == before + 1


def test_activities_page_lists_the_register(client_: Client, maassluis: Organisation) -> None:
    page = client_.get(url("activities", maassluis)).content.decode()
    assert "rechten-betrokkene" in page
    assert "meldpunt-beoordelen" in page


def test_retention_page_shows_runs_and_tombstones(
    client_: Client, maassluis: Organisation, alblasserdam: Organisation
) -> None:
    run = RetentionRun.objects.create(
        today=dt.date(2026, 1, 5),
        actor_label="bewaartermijnen",
        counts={"cases.destroyed": 4},
        per_organisation={str(maassluis.pk): {"cases.destroyed": 3}},
    )
    for org, ref in ((maassluis, "GM0556-2024-00007"), (alblasserdam, "GM0482-2024-00008")):
        privacy.write_tombstone(
            organisation=org,
            object_type="signal",
            object_ref=ref,
            category="Woonoverlast",
            received_on=dt.date(2024, 1, 2),
            closed_on=None,
            outcome="niet_opgepakt",
            action="vernietigd",
            reason="termijn verstreken",
            policy="CCV",
            run=run,
        )
    assert Tombstone.objects.count() == 2
    response = client_.get(url("retention", maassluis))
    page = response.content.decode()
    assert "05-01-2026" in page
    assert "meldingen vernietigd: 3" in page  # this gemeente's own count, named
    assert "4" not in page.split("meldingen vernietigd")[1][:20]
    assert "GM0556-2024-00007" in page
    assert "GM0482-2024-00008" not in page
    try:
        from regie.cases import retention  # noqa: F401
    except ImportError:  # pragma: no cover
        pytest.skip("regie.cases.retention is not there yet: the rules part is not tested")
    rules = response.context["rules"]
    assert rules, "the effective retention rules are shown"
    assert any("CCV" in rule.source for rule in rules)
    assert any(rule.is_default for rule in rules)


def _jan(bsn: str = BSN) -> Any:
    return factories.person("Vries", "de", "Jan", dt.date(1980, 2, 3), bsn=bsn)


def test_inzage_page_returns_json_for_its_gemeente_only(
    client_: Client, officer: User, maassluis: Organisation, alblasserdam: Organisation
) -> None:
    ours = factories.make_signal(maassluis, subjects=[_jan()])
    theirs = factories.make_signal(alblasserdam, subjects=[_jan()])
    response = client_.post(
        url("inzage", maassluis),
        {"bsn": "111 222 333", "purpose": "rechten-betrokkene", "fmt": "json"},
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    data = json.loads(response.content)
    assert data["gevonden"] == 1
    text = json.dumps(data, ensure_ascii=False)
    assert ours.reference in text
    assert theirs.reference not in text
    entry = ReadLogEntry.objects.get(operation="inzage")
    assert entry.surface == Surface.EXPORT
    assert entry.object_ref == ours.reference
    assert entry.user == officer
    assert entry.processing_activity_code == "rechten-betrokkene"


def test_inzage_page_by_name_as_pdf(client_: Client, maassluis: Organisation) -> None:
    factories.make_signal(maassluis, subjects=[_jan()])
    response = client_.post(
        url("inzage", maassluis),
        {
            "surname": "Vries, de",
            "first_names": "J.",
            "birth_date": "03-02-1980",
            "purpose": "toezicht-fg",
            "fmt": "pdf",
        },
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert ReadLogEntry.objects.get(operation="inzage").processing_activity_code == "toezicht-fg"


def test_inzage_page_without_identity_keeps_the_form(
    client_: Client, maassluis: Organisation
) -> None:
    response = client_.post(
        url("inzage", maassluis),
        {"surname": "Vries", "purpose": "rechten-betrokkene", "fmt": "json"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    assert 'value="Vries"' in response.content.decode()
    assert not ReadLogEntry.objects.exists()
