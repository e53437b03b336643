"""The reports API: own gemeente only (another's is 404, as one that does not exist), organisation
tokens, the detail with the locked snapshot and the files' hashes."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from regie.accounts import services as account_services
from regie.accounts.models import Role, User
from regie.core.concurrency import edit_token
from regie.core.models import Organisation
from regie.programme.tests.test_programme_file import build_programme, make_plan
from regie.reports import services
from regie.reports.models import Report, ReportKind

pytestmark = pytest.mark.django_db

Login = Callable[[User], Client]
Member = Callable[[Organisation, str], User]


@pytest.fixture
def reports(maassluis: Organisation, alblasserdam: Organisation) -> dict[str, Report]:
    """A locked evaluation 2024 of each gemeente, by CBS code, with a stored file."""
    found = {}
    for org in (alblasserdam, maassluis):
        build_programme(make_plan(org))
        report = services.create_report(organisation=org, kind=ReportKind.EVALUATIE, period="2024")
        report = services.lock(report, version=edit_token(report))
        services.store_file(report, "xlsx", b"not really a workbook")
        found[org.cbs_code] = report
    return found


def _script(organisation: Organisation) -> Client:
    created = account_services.create_token(
        organisation=organisation, name="Script", created_by=None
    )
    return Client(HTTP_AUTHORIZATION=f"Bearer {created.secret}")


def _detail(report: Report) -> str:
    return reverse("api:report_detail", kwargs={"pk": report.pk})


def test_the_list_holds_only_own_reports(
    reports: dict[str, Report], member: Member, login: Login
) -> None:
    client = login(member(reports["GM0482"].organisation, Role.RAADPLEGER))
    response = client.get(reverse("api:report_list"))
    assert response.status_code == 200, response.content
    results = response.json()["results"]
    assert [(r["gemeente"], r["kind"], r["period"]) for r in results] == [
        ("GM0482", "evaluatie", "2024")
    ]
    assert "snapshot" not in results[0]
    other = reports["GM0556"].organisation.slug
    assert client.get(reverse("api:report_list"), {"org": other}).status_code == 404


def test_the_detail_gives_the_locked_numbers_and_the_files(
    reports: dict[str, Report], member: Member, login: Login
) -> None:
    report = reports["GM0482"]
    client = login(member(report.organisation, Role.ADVISEUR))
    data = client.get(_detail(report)).json()
    assert report.snapshot is not None
    assert data["snapshot"]["status"] == report.snapshot["status"]
    assert [f["format"] for f in data["files"]] == ["xlsx"]
    assert len(data["files"][0]["sha256"]) == 64
    assert "content" not in data["files"][0]
    assert client.get(_detail(reports["GM0556"])).status_code == 404


def test_roles_without_staff_rights_and_other_tokens_see_nothing(
    reports: dict[str, Report], member: Member, login: Login
) -> None:
    report = reports["GM0482"]
    partner = login(member(report.organisation, Role.KETENPARTNER))
    assert partner.get(_detail(report)).status_code == 404
    assert partner.get(reverse("api:report_list")).json()["results"] == []
    assert _script(report.organisation).get(_detail(report)).status_code == 200
    assert _script(reports["GM0556"].organisation).get(_detail(report)).status_code == 404
    assert Client().get(_detail(report)).status_code in {401, 403}
