"""The report pages through HTTP: create, texts, lock, build (an eager job), download, send.

Also: who may do what (a raadpleger reads and downloads only), another gemeente's report, build
and file ids are a 404, a stale text edit is refused with the input kept, and a sent report keeps
showing the numbers it was locked with after the statuses change.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from regie.accounts.models import Role, User
from regie.core.concurrency import edit_token
from regie.core.models import Organisation
from regie.demo import services as demo_services
from regie.policy import selectors as policy_selectors
from regie.policy.engine import Status
from regie.policy.models import Plan, StatusOverride
from regie.reports import services
from regie.reports.models import (
    BuildState,
    Report,
    ReportBuild,
    ReportFile,
    ReportKind,
    ReportState,
)
from tests.test_monitor_cli import demo_figures  # noqa: F401 - the module fixture

pytestmark = pytest.mark.django_db


@pytest.fixture
def orgs(demo_figures: Any, settings: Any) -> dict[str, Organisation]:  # noqa: F811
    settings.REGIE_TASKS_EAGER = True  # the build job runs in the request
    demo_services.load_plans()
    return {
        p.organisation.slug: p.organisation for p in Plan.objects.select_related("organisation")
    }


@pytest.fixture
def as_role(
    orgs: dict[str, Organisation], member: Callable[[Organisation, str], User], login: Any
) -> Callable[..., Client]:
    def make(role: str, slug: str = "gm0482") -> Client:
        return login(member(orgs[slug], role))  # type: ignore[no-any-return]

    return make


def url(name: str, org: Organisation | str, **kwargs: Any) -> str:
    slug = org if isinstance(org, str) else org.slug
    return reverse(f"reports:{name}", kwargs={"org": slug, **kwargs})


def rurl(name: str, report: Report, **kwargs: Any) -> str:
    return url(name, report.organisation, report_id=report.pk, **kwargs)


def text(response: Any) -> str:
    """The page's visible text, whitespace collapsed."""
    body = response.content.decode()
    body = re.sub(r"<script.*?</script>", " ", body, flags=re.S)
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)))


def locked_report(
    org: Organisation, kind: str = ReportKind.EVALUATIE, period: str = "2024"
) -> Report:
    report = services.create_report(organisation=org, kind=kind, period=period)
    return services.lock(report, version=edit_token(report))


def test_adviseur_creates_writes_locks_builds_downloads_and_sends(
    orgs: dict[str, Organisation], as_role: Callable[..., Client]
) -> None:
    org = orgs["gm0482"]
    client = as_role(Role.ADVISEUR)
    # The empty list explains the three kinds.
    page = text(client.get(url("index", org)))
    assert "Raadsinformatiebrief" in page
    assert "Evaluatie" in page
    assert "Briefing" in page

    # Create: a wrong period is refused with the input kept.
    response = client.post(url("report_create", org), {"kind": "evaluatie", "period": "2024H1"})
    assert response.status_code == 200
    assert 'value="2024H1"' in response.content.decode()
    assert not Report.objects.exists()
    response = client.post(url("report_create", org), {"kind": "evaluatie", "period": "2024"})
    report = Report.objects.get(organisation=org)
    assert response.status_code == 302
    assert response["Location"] == rurl("report_detail", report)
    assert report.kind == ReportKind.EVALUATIE
    assert report.period == "2024"
    # The same kind and period twice: refused on the form.
    again = client.post(url("report_create", org), {"kind": "evaluatie", "period": "2024"})
    assert again.status_code == 200
    assert Report.objects.filter(organisation=org).count() == 1

    # Texts: the kind's own blocks, saved at the version the page showed.
    detail = client.get(rurl("report_detail", report))
    assert detail.status_code == 200
    assert 'name="text_inleiding"' in detail.content.decode()
    response = client.post(
        rurl("report_texts", report),
        {"edit_token": edit_token(report), "text_inleiding": "Dit jaar deden we veel."},
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.texts["inleiding"] == "Dit jaar deden we veel."

    # Without locked figures there is nothing to build.
    response = client.post(rurl("build_request", report), {"format": "pdf"})
    assert response.status_code == 302
    assert not ReportBuild.objects.exists()

    # Lock: the report keeps the figures of this moment.
    response = client.post(rurl("report_lock", report), {"edit_token": edit_token(report)})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.snapshot
    assert report.status_snapshot is not None
    page = text(client.get(rurl("report_detail", report)))
    assert "Dit jaar deden we veel." in page  # the preview holds the text

    # Build a PDF: the job runs eagerly; the status page offers the download.
    response = client.post(rurl("build_request", report), {"format": "pdf"})
    build = ReportBuild.objects.get(report=report)
    assert response["Location"] == rurl("build_status", report, build_id=build.pk)
    assert build.state == BuildState.DONE
    assert build.file is not None
    status_page = client.get(response["Location"])
    assert status_page.status_code == 200
    download = rurl("file_download", report, file_id=build.file.pk)
    assert download in status_page.content.decode()
    assert build.file.sha256 in status_page.content.decode()
    got = client.get(download)
    assert got.status_code == 200
    assert got["Content-Type"] == "application/pdf"
    assert 'filename="alblasserdam-evaluatie-2024.pdf"' in got["Content-Disposition"]
    content = got.content
    assert content.startswith(b"%PDF")
    assert content == bytes(build.file.content)
    # The report page lists the file with its hash, not as sent.
    body = client.get(rurl("report_detail", report)).content.decode()
    assert download in body
    assert build.file.sha256 in body
    assert "zoals verzonden" not in body

    # Mark as sent: a confirmation page that explains the freeze.
    confirm = client.get(rurl("report_send", report))
    assert confirm.status_code == 200
    assert "niet meer worden gewijzigd" in text(confirm)  # what the freeze means
    response = client.post(
        rurl("report_send", report),
        {"edit_token": edit_token(report), "sent_on": "05-12-2026", "confirm": "on"},
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.state == ReportState.SENT
    assert report.sent_on == dt.date(2026, 12, 5)

    # Sent: no edit controls; editing is refused.
    body = client.get(rurl("report_detail", report)).content.decode()
    assert "05-12-2026" in body
    assert 'name="text_inleiding"' not in body
    assert rurl("report_lock", report) not in body
    assert rurl("report_send", report) not in body
    response = client.post(
        rurl("report_texts", report),
        {"edit_token": edit_token(report), "text_inleiding": "Achteraf anders."},
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.texts["inleiding"] == "Dit jaar deden we veel."
    assert client.post(rurl("report_lock", report), {"edit_token": edit_token(report)})
    report.refresh_from_db()
    assert report.state == ReportState.SENT
    assert client.get(rurl("report_send", report)).status_code == 302

    # A file built now is flagged as sent.
    client.post(rurl("build_request", report), {"format": "xlsx"})
    xlsx = ReportFile.objects.get(report=report, format="xlsx")
    assert xlsx.sent
    body = client.get(rurl("report_detail", report)).content.decode()
    assert "zoals verzonden" in body or "as sent" in body
    index = text(client.get(url("index", org)))
    assert report.title in index
    assert "05-12-2026" in index


def test_a_future_send_date_is_refused_with_the_input_kept(
    orgs: dict[str, Organisation], as_role: Callable[..., Client]
) -> None:
    report = locked_report(orgs["gm0482"])
    future = (timezone.localdate() + dt.timedelta(days=3)).strftime("%d-%m-%Y")
    response = as_role(Role.ADVISEUR).post(
        rurl("report_send", report),
        {"edit_token": edit_token(report), "sent_on": future, "confirm": "on"},
    )
    assert response.status_code == 200
    assert f'value="{future}"' in response.content.decode()
    report.refresh_from_db()
    assert report.state == ReportState.CONCEPT


def test_a_raadpleger_reads_and_downloads_but_does_not_write(
    orgs: dict[str, Organisation], as_role: Callable[..., Client]
) -> None:
    report = locked_report(orgs["gm0482"])
    build = services.request_build(report, "pdf")
    assert build.file is not None
    client = as_role(Role.RAADPLEGER)
    for address in (
        url("index", report.organisation),
        rurl("report_detail", report),
        rurl("build_status", report, build_id=build.pk),
        rurl("file_download", report, file_id=build.file.pk),
    ):
        assert client.get(address).status_code == 200, address
    body = client.get(rurl("report_detail", report)).content.decode()
    assert "<textarea" not in body
    assert rurl("report_lock", report) not in body
    assert rurl("build_request", report) not in body
    assert url("report_create", report.organisation) not in body
    assert client.get(url("report_create", report.organisation)).status_code == 403
    assert client.get(rurl("report_send", report)).status_code == 403
    version = edit_token(report)
    writes = {
        url("report_create", report.organisation): {"kind": "briefing", "period": "2024-10"},
        rurl("report_texts", report): {"edit_token": version, "text_inleiding": "x"},
        rurl("report_lock", report): {"edit_token": version},
        rurl("build_request", report): {"format": "docx"},
        rurl("report_send", report): {"edit_token": version, "sent_on": "01-12-2026"},
    }
    for address, data in writes.items():
        assert client.post(address, data).status_code == 403, address
    report.refresh_from_db()
    assert report.texts == {}
    assert report.state == ReportState.CONCEPT
    assert Report.objects.count() == 1
    assert not ReportFile.objects.filter(format="docx").exists()


def test_writes_are_post_only(
    orgs: dict[str, Organisation], as_role: Callable[..., Client]
) -> None:
    report = locked_report(orgs["gm0482"])
    client = as_role(Role.ADVISEUR)
    for name in ("report_texts", "report_lock", "build_request"):
        assert client.get(rurl(name, report)).status_code == 405, name
    assert Client().get(rurl("report_lock", report)).status_code == 405


def test_another_gemeentes_report_build_and_file_are_404(
    orgs: dict[str, Organisation], as_role: Callable[..., Client]
) -> None:
    """An adviseur of Maassluis tries Alblasserdam's ids, under both slugs."""
    theirs = locked_report(orgs["gm0482"])
    their_build = services.request_build(theirs, "pdf")
    assert their_build.file is not None
    ours = locked_report(orgs["gm0556"])
    our_build = services.request_build(ours, "pdf")
    attacker = as_role(Role.ADVISEUR, "gm0556")
    own = orgs["gm0556"].slug
    ids = {"report_id": theirs.pk}
    gets = [
        url("report_detail", own, **ids),
        url("report_send", own, **ids),
        url("build_status", own, **ids, build_id=their_build.pk),
        url("file_download", own, **ids, file_id=their_build.file.pk),
        # Their build and file under our own report: looked up within the report.
        url("build_status", own, report_id=ours.pk, build_id=their_build.pk),
        url("file_download", own, report_id=ours.pk, file_id=their_build.file.pk),
        # Their slug: not a member there.
        rurl("report_detail", theirs),
        rurl("file_download", theirs, file_id=their_build.file.pk),
        url("index", theirs.organisation),
    ]
    for address in gets:
        assert attacker.get(address).status_code == 404, address
    version = edit_token(theirs)
    posts = {
        url("report_texts", own, **ids): {"edit_token": version, "text_inleiding": "Gehackt"},
        url("report_lock", own, **ids): {"edit_token": version},
        url("report_send", own, **ids): {
            "edit_token": version,
            "sent_on": "01-12-2026",
            "confirm": "on",
        },
        url("build_request", own, **ids): {"format": "docx"},
        rurl("report_texts", theirs): {"edit_token": version, "text_inleiding": "Gehackt"},
    }
    for address, data in posts.items():
        assert attacker.post(address, data).status_code == 404, address
    theirs.refresh_from_db()
    assert theirs.texts == {}
    assert theirs.state == ReportState.CONCEPT
    assert not ReportBuild.objects.filter(report=theirs, format="docx").exists()
    # Our own still works.
    assert attacker.get(rurl("build_status", ours, build_id=our_build.pk)).status_code == 200


def test_a_stale_text_edit_is_refused_with_the_input_kept(
    orgs: dict[str, Organisation], as_role: Callable[..., Client]
) -> None:
    report = services.create_report(
        organisation=orgs["gm0482"], kind="raadsinformatiebrief", period="2024H2"
    )
    seen = edit_token(report)
    # A colleague saves first.
    services.save_texts(report, version=seen, texts={"aanleiding": "Van de collega."})
    response = as_role(Role.ADVISEUR).post(
        rurl("report_texts", report), {"edit_token": seen, "text_aanleiding": "Mijn eigen tekst."}
    )
    assert response.status_code == 200
    page = text(response)
    assert "Mijn eigen tekst." in page  # the input is kept
    assert "iemand anders" in page.lower() or "someone else" in page.lower()
    report.refresh_from_db()
    assert report.texts["aanleiding"] == "Van de collega."
    # A stale lock is refused too (the figures are not taken).
    response = as_role(Role.ADVISEUR).post(rurl("report_lock", report), {"edit_token": seen})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.snapshot is None


def test_a_sent_report_keeps_its_locked_statuses(
    orgs: dict[str, Organisation], as_role: Callable[..., Client]
) -> None:
    report = locked_report(orgs["gm0482"])
    report = services.mark_sent(report, version=edit_token(report), sent_on=dt.date(2026, 12, 1))
    assert report.plan is not None
    item = report.snapshot["indicators"][0]
    old = item["status"]
    new = Status.NOT_ACHIEVED if old != Status.NOT_ACHIEVED else Status.ACHIEVED
    found = next(
        i
        for i in policy_selectors.plan_evaluation(report.plan).by_indicator.values()
        if i.indicator.key == item["key"]
    )
    StatusOverride.objects.create(indicator=found.indicator, status=new, reason="Nieuwe inzichten")
    live = policy_selectors.plan_evaluation(report.plan).by_indicator[found.indicator.pk]
    assert live.status == new  # the live plan has moved on …
    body = as_role(Role.RAADPLEGER).get(rurl("report_detail", report)).content.decode()
    # … the report's indicator table still says what was locked.
    row = _row_of(body, item["name"])
    assert policy_selectors.status_label(old) in row
    assert policy_selectors.status_label(new) not in row


def _row_of(body: str, name: str) -> str:
    """The table row of the preview's indicator table whose first cell is ``name``."""
    preview = body.split('class="regie-report"', 1)[1]
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", preview, flags=re.S):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, flags=re.S)
        if cells and html.unescape(re.sub(r"<[^>]+>", "", cells[0])).strip() == name:
            return html.unescape(row)
    raise AssertionError(f"no row for {name!r}")


def test_the_build_page_follows_a_queued_job_without_javascript(
    orgs: dict[str, Organisation], as_role: Callable[..., Client], settings: Any
) -> None:
    report = locked_report(orgs["gm0482"])
    settings.REGIE_TASKS_EAGER = False  # the job waits in the database for a worker
    client = as_role(Role.ADVISEUR)
    response = client.post(rurl("build_request", report), {"format": "docx"})
    build = ReportBuild.objects.get(report=report)
    assert build.state == BuildState.QUEUED
    page = client.get(response["Location"])
    body = page.content.decode()
    assert '<meta http-equiv="refresh"' in body  # reloads itself without JavaScript
    assert "hx-get" in body
    assert "<progress" in body
    # The report page links to the build while it waits.
    detail = client.get(rurl("report_detail", report)).content.decode()
    assert rurl("build_status", report, build_id=build.pk) in detail
    # A second request while it waits follows the same build.
    again = client.post(rurl("build_request", report), {"format": "docx"})
    assert again["Location"] == response["Location"]
    # The progress the job writes shows, as a fragment for htmx too.
    ReportBuild.objects.filter(pk=build.pk).update(
        state=BuildState.RUNNING, progress=40, step="Grafiek 2 van 5 tekenen"
    )
    fragment = client.get(response["Location"], headers={"HX-Request": "true"})
    assert "<html" not in fragment.content.decode()
    assert "40" in text(fragment)
    assert "Grafiek 2 van 5 tekenen" in text(fragment)
    # Failed: the error, and (for an editor) a way to try again; no more refreshing.
    ReportBuild.objects.filter(pk=build.pk).update(state=BuildState.FAILED, error="Kapot.")
    done = client.get(response["Location"])
    assert "Kapot." in text(done)
    assert "http-equiv" not in done.content.decode()
    assert rurl("build_request", report) in done.content.decode()


@pytest.mark.parametrize(
    ("kind", "period", "block"),
    [("briefing", "2024-10", "kern"), ("raadsinformatiebrief", "2024H1", "aanleiding")],
)
def test_a_briefing_and_a_letter_show_on_screen(
    orgs: dict[str, Organisation],
    as_role: Callable[..., Client],
    kind: str,
    period: str,
    block: str,
) -> None:
    org = orgs["gm0482"]
    client = as_role(Role.BEHEERDER)
    response = client.post(url("report_create", org), {"kind": kind, "period": period})
    assert response.status_code == 302
    report = Report.objects.get(organisation=org, kind=kind)
    body = client.get(rurl("report_detail", report)).content.decode()
    assert f'name="text_{block}"' in body
    assert 'class="regie-report"' not in body  # no preview before the figures are locked
    client.post(
        rurl("report_texts", report), {"edit_token": edit_token(report), f"text_{block}": "Kern."}
    )
    report.refresh_from_db()
    client.post(rurl("report_lock", report), {"edit_token": edit_token(report)})
    page = client.get(rurl("report_detail", report))
    assert page.status_code == 200
    assert 'class="regie-report"' in page.content.decode()
    assert "Kern." in text(page)
