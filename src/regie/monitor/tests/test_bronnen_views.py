"""The Bronnen pages through HTTP: datasets, revisions, and the upload → check → import flow."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from regie.accounts.models import Role, User
from regie.areas.models import Area, AreaLevel
from regie.core.models import Organisation
from regie.monitor import batches, services, tasks
from regie.monitor.models import BatchState, Dataset, ImportBatch, Observation, Revision
from regie.monitor.views import SESSION_KEY

VALID = (
    "gebied;maatstaf;periode;waarde;status;toelichting\n"
    "GM0556;huisverboden;2021;14;definitief;\n"
    "GM0556;huisverboden;2022;12;voorlopig;nog niet compleet\n"
    "WK055601;huisverboden;2022;3;;\n"
)
MALFORMED = (
    "gebied;maatstaf;periode;waarde;status\n"
    "GM0556;huisverboden;2021;veertien;definitief\n"
    "GM9999;huisverboden;2022;3;\n"
    "GM0556;huisverboden;2022;12;voorlopig\n"
)

#: Figures of Alblasserdam: a gemeente uploads figures of its own areas only.
ALBLASSERDAM = VALID.replace("GM0556", "GM0482").replace("WK055601;huisverboden;2022;3;;\n", "")

Login = Callable[[User], Client]
Member = Callable[[Organisation, str], User]


@pytest.fixture(autouse=True)
def _setup(settings: Any, tmp_path: Path, areas: Any) -> None:
    settings.REGIE_TASKS_EAGER = True  # the test transaction is invisible to other threads
    settings.VAR_DIR = tmp_path
    services.load_catalogue()


@pytest.fixture
def gm0482(areas: Any) -> Area:
    return Area.objects.create(
        code="GM0482", name="Alblasserdam", level=AreaLevel.GEMEENTE, source="test"
    )


def url(name: str, org: Organisation, **kwargs: Any) -> str:
    return reverse(f"monitor:{name}", kwargs={"org": org.slug, **kwargs})


def csv_file(text: str, name: str = "cijfers.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def upload(client: Client, org: Organisation, text: str, name: str = "cijfers.csv") -> Any:
    return client.post(url("upload", org), {"file": csv_file(text, name)})


def check(client: Client, org: Organisation, text: str, name: str = "cijfers.csv") -> Any:
    """Upload and follow to the check page (the check ran eagerly: it shows the preview)."""
    response = upload(client, org, text, name)
    assert response.status_code == 302, response
    assert response["Location"].startswith(url("upload", org))
    return client.get(response["Location"])


def uploads_dir(settings: Any) -> Path:
    return Path(settings.VAR_DIR) / "uploads"


def confirm(client: Client, org: Organisation, token: str) -> Any:
    return client.post(url("upload_confirm", org), {"token": token})


def import_directly(org: Organisation, text: str) -> None:
    report = services.import_file(text.encode(), fmt="local", organisation=org, filename="x.csv")
    assert report.state == BatchState.DONE, report.errors


# --- Datasets -----------------------------------------------------------------------------------


def test_empty_state(maassluis: Organisation, member: Member, login: Login) -> None:
    response = login(member(maassluis, Role.RAADPLEGER)).get(url("dataset_list", maassluis))
    assert response.status_code == 200
    assert response.context["rows"] == []


def test_list_and_detail_show_own_datasets_only(
    maassluis: Organisation, alblasserdam: Organisation, member: Member, login: Login, gm0482: Area
) -> None:
    import_directly(maassluis, VALID)
    import_directly(alblasserdam, ALBLASSERDAM)
    own = Dataset.objects.get(organisation=maassluis)
    other = Dataset.objects.get(organisation=alblasserdam)
    client = login(member(maassluis, Role.RAADPLEGER))

    response = client.get(url("dataset_list", maassluis))
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [r["dataset"].pk for r in rows] == [own.pk]
    assert rows[0]["dataset"].rows == 3
    assert rows[0]["latest"].state == BatchState.DONE
    html = response.content.decode()
    assert url("dataset_detail", maassluis, dataset_id=own.pk) in html
    assert "1 januari 2021" in html
    assert "31 december 2022" in html

    response = client.get(url("dataset_detail", maassluis, dataset_id=own.pk))
    assert response.status_code == 200
    assert [b.rows_stored for b in response.context["imports"]] == [3]
    assert client.get(url("dataset_detail", maassluis, dataset_id=other.pk)).status_code == 404


def test_open_data_is_listed_for_every_gemeente(
    maassluis: Organisation, member: Member, login: Login
) -> None:
    services.get_or_create_dataset(
        table="83648NED", source="CBS", title="Geregistreerde criminaliteit", organisation=None
    )
    response = login(member(maassluis, Role.ADVISEUR)).get(url("dataset_list", maassluis))
    assert [r["dataset"].table for r in response.context["rows"]] == ["83648NED"]
    assert response.context["rows"][0]["latest"] is None


def test_raadpleger_may_view_but_not_upload(
    maassluis: Organisation, member: Member, login: Login
) -> None:
    client = login(member(maassluis, Role.RAADPLEGER))
    assert client.get(url("dataset_list", maassluis)).status_code == 200
    assert client.get(url("upload", maassluis)).status_code == 403
    assert upload(client, maassluis, VALID).status_code == 403
    assert client.post(url("upload_confirm", maassluis), {"token": "x" * 32}).status_code == 403
    assert client.get(url("upload_check", maassluis, batch_id=1)).status_code == 403
    assert Observation.objects.count() == 0


def test_handhaver_sees_no_sources(maassluis: Organisation, member: Member, login: Login) -> None:
    client = login(member(maassluis, Role.HANDHAVER))
    assert client.get(url("dataset_list", maassluis)).status_code == 403
    assert (
        url("dataset_list", maassluis)
        not in client.get(
            reverse("org_areas:overview", kwargs={"org": maassluis.slug})
        ).content.decode()
    )


def test_nav_links_to_sources(maassluis: Organisation, member: Member, login: Login) -> None:
    client = login(member(maassluis, Role.RAADPLEGER))
    page = client.get(reverse("org_areas:overview", kwargs={"org": maassluis.slug}))
    assert url("dataset_list", maassluis) in page.content.decode()


# --- Upload: check ------------------------------------------------------------------------------


def test_upload_page_offers_the_template(
    maassluis: Organisation, member: Member, login: Login
) -> None:
    client = login(member(maassluis, Role.ADVISEUR))
    html = client.get(url("upload", maassluis)).content.decode()
    assert url("template_csv", maassluis) in html
    assert url("template_xlsx", maassluis) in html
    csv = client.get(url("template_csv", maassluis))
    assert csv.status_code == 200
    assert b"gebied" in csv.content
    assert "attachment" in csv["Content-Disposition"]
    xlsx = client.get(url("template_xlsx", maassluis))
    assert xlsx.status_code == 200
    assert xlsx.content.startswith(b"PK")


def test_malformed_upload_shows_errors_and_stores_nothing(
    maassluis: Organisation, member: Member, login: Login, settings: Any
) -> None:
    client = login(member(maassluis, Role.ADVISEUR))
    before = Observation.objects.count()
    response = check(client, maassluis, MALFORMED)
    assert response.status_code == 200
    assert response.context["token"] == ""
    batch = response.context["batch"]
    assert batch.state == BatchState.REJECTED
    assert batch.dry_run
    assert batch.rows_rejected == 2
    errors = {(e["row"], e["column"], e["value"]) for e in response.context["errors"]}
    assert errors == {(2, "waarde", "veertien"), (3, "gebied", "GM9999")}
    html = response.content.decode()
    assert "veertien" in html
    assert "GM9999" in html
    assert "hx-trigger" not in html  # finished: no more polling
    assert Observation.objects.count() == before
    assert not any(uploads_dir(settings).iterdir())  # the refused file is not kept
    assert not client.session.get(SESSION_KEY)
    assert url("upload_confirm", maassluis) not in html


def test_unreadable_file_is_refused_with_the_reason(
    maassluis: Organisation, member: Member, login: Login, settings: Any
) -> None:
    client = login(member(maassluis, Role.ADVISEUR))
    response = check(client, maassluis, "dit is geen sjabloon\n1;2;3\n")
    assert response.status_code == 200
    batch = response.context["batch"]
    assert batch.state == BatchState.REJECTED
    assert batch.notes
    assert "cijfers.csv" in batch.notes[0]
    html = response.content.decode()
    assert batch.notes[0] in html
    assert url("upload_confirm", maassluis) not in html
    assert Observation.objects.count() == 0
    assert not any(uploads_dir(settings).iterdir())
    assert not client.session.get(SESSION_KEY)


def test_the_upload_request_only_queues_the_check(
    maassluis: Organisation,
    member: Member,
    login: Login,
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """No request reads the file: the check is a background job, its page polls."""
    settings.REGIE_TASKS_EAGER = False

    def no_reading(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the file was read in the request")

    monkeypatch.setattr(services, "import_file", no_reading)
    client = login(member(maassluis, Role.ADVISEUR))
    response = upload(client, maassluis, VALID)
    batch = ImportBatch.objects.get()
    assert (batch.state, batch.dry_run) == (BatchState.QUEUED, True)
    # The job waits in the database for a worker (regie worker), stored with the batch.
    job = DBTaskResult.objects.get()
    assert (job.status, job.queue_name, str(job.pk)) == ("READY", "checks", batch.task_id)
    assert batch.heartbeat_at
    assert response["Location"] == url("upload_check", maassluis, batch_id=batch.pk)
    (token,) = client.session[SESSION_KEY]
    assert (uploads_dir(settings) / token).is_file()
    page = client.get(response["Location"])
    html = page.content.decode()
    assert 'hx-trigger="every 1s"' in html
    assert "htmx.min.js" in html
    assert url("upload_confirm", maassluis) not in html  # nothing to confirm yet
    # Confirming before the check has finished imports nothing and keeps the upload.
    early = confirm(client, maassluis, token)
    assert early["Location"] == response["Location"]
    assert client.session[SESSION_KEY][token]
    assert ImportBatch.objects.count() == 1


def test_check_page_polls_with_progress(
    maassluis: Organisation, member: Member, login: Login
) -> None:
    user = member(maassluis, Role.ADVISEUR)
    batch = ImportBatch.objects.create(
        dataset=services.local_dataset(maassluis),
        format="local",
        filename="x.csv",
        imported_by=user,
        imported_by_label="x",
        dry_run=True,
        state=BatchState.RUNNING,
        progress=12_000,
        heartbeat_at=timezone.now(),
    )
    client = login(user)
    fragment = client.get(
        url("upload_check", maassluis, batch_id=batch.pk), headers={"HX-Request": "true"}
    )
    html = fragment.content.decode()
    assert "<html" not in html
    assert 'hx-trigger="every 1s"' in html
    assert "12.000" in html  # rows read so far, from the batch row (another process)


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("cijfers.txt", b"a;b", "extension"),
        ("cijfers.xlsx", b"gebied;maatstaf", "not_xlsx"),
        ("cijfers.csv", b"", "empty"),
    ],
)
def test_upload_form_refuses_wrong_files(
    maassluis: Organisation, member: Member, login: Login, name: str, content: bytes, code: str
) -> None:
    client = login(member(maassluis, Role.ADVISEUR))
    response = client.post(url("upload", maassluis), {"file": SimpleUploadedFile(name, content)})
    assert response.status_code == 200
    assert response.context["form"].has_error("file", code)


def test_upload_form_refuses_large_files(
    maassluis: Organisation, member: Member, login: Login, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("regie.monitor.forms.MAX_UPLOAD_BYTES", 10)
    client = login(member(maassluis, Role.ADVISEUR))
    response = upload(client, maassluis, VALID)
    assert response.context["form"].has_error("file", "size")


# --- Upload: confirm, progress, report ----------------------------------------------------------


def test_valid_upload_previews_then_imports(
    maassluis: Organisation, member: Member, login: Login, settings: Any
) -> None:
    client = login(member(maassluis, Role.ADVISEUR))
    response = check(client, maassluis, VALID)
    assert response.status_code == 200
    check_batch = response.context["batch"]
    assert check_batch.state == BatchState.DRY_RUN
    assert (check_batch.rows_read, check_batch.rows_stored, check_batch.rows_rejected) == (3, 3, 0)
    token = response.context["token"]
    assert token
    assert (uploads_dir(settings) / token).is_file()
    html = response.content.decode()
    assert url("upload_confirm", maassluis) in html
    assert "hx-trigger" not in html
    assert Observation.objects.count() == 0  # the check stores nothing

    response = confirm(client, maassluis, token)
    assert response.status_code == 302
    batch = ImportBatch.objects.exclude(state=BatchState.DRY_RUN).get()
    assert response["Location"] == url("import_status", maassluis, batch_id=batch.pk)
    assert batch.state == BatchState.DONE
    assert batch.imported_by_label == batch.imported_by.get_username()
    assert batch.dataset_id == check_batch.dataset_id
    assert Observation.objects.filter(owner=maassluis).count() == 3
    assert not (uploads_dir(settings) / token).exists()

    page = client.get(response["Location"])
    assert page.status_code == 200
    assert page.context["batch"].rows_stored == 3
    html = page.content.decode()
    assert url("dataset_detail", maassluis, dataset_id=batch.dataset_id) in html
    assert "hx-trigger" not in html  # finished: no more polling

    # The token is used up: confirming again imports nothing twice, and the check page
    # no longer offers it.
    again = confirm(client, maassluis, token)
    assert again["Location"] == url("upload", maassluis)
    assert ImportBatch.objects.exclude(state=BatchState.DRY_RUN).count() == 1
    revisit = client.get(url("upload_check", maassluis, batch_id=check_batch.pk))
    assert revisit.context["token"] == ""
    assert url("upload_confirm", maassluis) not in revisit.content.decode()


def test_revision_log_after_a_second_upload(
    maassluis: Organisation, member: Member, login: Login
) -> None:
    client = login(member(maassluis, Role.BEHEERDER))
    confirm(client, maassluis, check(client, maassluis, VALID).context["token"])
    changed = VALID.replace(
        "GM0556;huisverboden;2022;12;voorlopig", "GM0556;huisverboden;2022;13;definitief"
    )
    preview = check(client, maassluis, changed)
    batch = preview.context["batch"]
    assert (batch.rows_revised, batch.rows_unchanged) == (1, 2)
    confirm(client, maassluis, preview.context["token"])

    revision = Revision.objects.get()
    assert (revision.old_value, revision.new_value) == (12.0, 13.0)
    dataset = Dataset.objects.get(organisation=maassluis)
    response = client.get(url("dataset_detail", maassluis, dataset_id=dataset.pk))
    assert list(response.context["page"].object_list) == [revision]
    html = response.content.decode()
    assert "2022" in html
    assert "Opgelegde huisverboden" in html
    assert len(response.context["imports"]) == 2
    assert Observation.objects.get(owner=maassluis, period="2022", area__code="GM0556").value == 13


def test_a_token_of_another_user_or_session_cannot_be_confirmed(
    maassluis: Organisation, member: Member, login: Login, settings: Any
) -> None:
    owner = member(maassluis, Role.ADVISEUR)
    client = login(owner)
    preview = check(client, maassluis, VALID)
    token = preview.context["token"]

    colleague = login(member(maassluis, Role.BEHEERDER))
    # A colleague may see the check, without its buttons.
    seen = colleague.get(url("upload_check", maassluis, batch_id=preview.context["batch"].pk))
    assert seen.status_code == 200
    assert seen.context["token"] == ""
    assert token not in seen.content.decode()
    response = confirm(colleague, maassluis, token)
    assert response.status_code == 302
    assert response["Location"] == url("upload", maassluis)
    other_session = login(owner)  # same user, another browser
    assert confirm(other_session, maassluis, token)["Location"] == url("upload", maassluis)
    cancel = colleague.post(url("upload_cancel", maassluis), {"token": token})
    assert cancel.status_code == 302
    assert Observation.objects.count() == 0
    assert (uploads_dir(settings) / token).is_file()  # nobody else can remove it either

    assert confirm(client, maassluis, token).status_code == 302
    assert Observation.objects.count() == 3


def test_a_token_is_bound_to_the_organisation(
    maassluis: Organisation, alblasserdam: Organisation, login: Login, member: Member
) -> None:
    user = member(maassluis, Role.ADVISEUR)
    from regie.accounts.tests.factories import MembershipFactory

    MembershipFactory(user=user, organisation=alblasserdam, role=Role.ADVISEUR)
    client = login(user)
    preview = check(client, maassluis, VALID)
    token = preview.context["token"]
    assert confirm(client, alblasserdam, token)["Location"] == url("upload", alblasserdam)
    other = url("upload_check", alblasserdam, batch_id=preview.context["batch"].pk)
    assert client.get(other).status_code == 404
    assert Observation.objects.count() == 0


def test_cancel_deletes_the_file(
    maassluis: Organisation, member: Member, login: Login, settings: Any
) -> None:
    client = login(member(maassluis, Role.ADVISEUR))
    token = check(client, maassluis, VALID).context["token"]
    response = client.post(url("upload_cancel", maassluis), {"token": token})
    assert response.status_code == 302
    assert not (uploads_dir(settings) / token).exists()
    assert confirm(client, maassluis, token)["Location"] == url("upload", maassluis)
    assert Observation.objects.count() == 0


def test_confirm_and_cancel_accept_post_only(
    maassluis: Organisation, member: Member, login: Login
) -> None:
    client = login(member(maassluis, Role.ADVISEUR))
    assert client.get(url("upload_confirm", maassluis)).status_code == 405
    assert client.get(url("upload_cancel", maassluis)).status_code == 405


def test_status_fragment_polls_while_running(
    maassluis: Organisation, member: Member, login: Login
) -> None:
    dataset = services.get_or_create_dataset(
        table="lokaal:gm0556", source="gemeente", title="x", organisation=maassluis
    )
    batch = ImportBatch.objects.create(
        dataset=dataset,
        format="local",
        filename="x.csv",
        imported_by_label="x",
        heartbeat_at=timezone.now(),
        progress=20_000,  # stored by the job's heartbeat, in whatever process it runs
        progress_total=50_000,
    )
    client = login(member(maassluis, Role.RAADPLEGER))
    status_url = url("import_status", maassluis, batch_id=batch.pk)
    fragment = client.get(status_url, headers={"HX-Request": "true"})
    html = fragment.content.decode()
    assert "<html" not in html
    assert 'hx-trigger="every 1s"' in html
    assert 'max="50000"' in html
    assert 'value="20000"' in html
    page = client.get(status_url).content.decode()
    assert "<html" in page
    assert "htmx.min.js" in page
    # The next heartbeat: the rows processed at its time.
    ImportBatch.objects.filter(pk=batch.pk).update(progress=30_000)
    html = client.get(status_url, headers={"HX-Request": "true"}).content.decode()
    assert "30.000" in html


def test_an_abandoned_import_is_marked_failed_when_shown(
    maassluis: Organisation, member: Member, login: Login
) -> None:
    dataset = services.local_dataset(maassluis)
    stale = timezone.now() - batches.ABANDONED_AFTER - dt.timedelta(minutes=1)
    batch = ImportBatch.objects.create(
        dataset=dataset,
        format="local",
        filename="x.csv",
        imported_by_label="x",
        state=BatchState.RUNNING,
        worker_host="elders",
        worker_pid=1,
        heartbeat_at=stale,
    )
    client = login(member(maassluis, Role.RAADPLEGER))
    page = client.get(url("import_status", maassluis, batch_id=batch.pk))
    html = page.content.decode()
    assert "hx-trigger" not in html
    assert batches.abandoned_note() in html  # "Afgebroken: … er is niets opgeslagen."
    batch.refresh_from_db()
    assert batch.state == BatchState.FAILED
    assert batch.finished_at is not None
    # The dataset page does the same for the imports it lists.
    other = ImportBatch.objects.create(
        dataset=dataset,
        format="local",
        filename="y.csv",
        imported_by_label="x",
        state=BatchState.QUEUED,
        heartbeat_at=stale,
    )
    client.get(url("dataset_detail", maassluis, dataset_id=dataset.pk))
    other.refresh_from_db()
    assert other.state == BatchState.FAILED
    # …and the list of datasets for the latest import it shows.
    latest = ImportBatch.objects.create(
        dataset=dataset,
        format="local",
        filename="z.csv",
        imported_by_label="x",
        state=BatchState.RUNNING,
        worker_host="elders",
        heartbeat_at=stale,
    )
    listed = client.get(url("dataset_list", maassluis))
    assert listed.context["rows"][0]["latest"].pk == latest.pk
    assert listed.context["rows"][0]["latest"].state == BatchState.FAILED
    latest.refresh_from_db()
    assert latest.state == BatchState.FAILED


def test_import_of_another_gemeente_is_404(
    maassluis: Organisation, alblasserdam: Organisation, member: Member, login: Login, gm0482: Area
) -> None:
    import_directly(alblasserdam, ALBLASSERDAM)
    batch = ImportBatch.objects.get()
    client = login(member(maassluis, Role.BEHEERDER))
    assert client.get(url("import_status", maassluis, batch_id=batch.pk)).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_background_worker_imports(
    maassluis: Organisation, member: Member, settings: Any, tmp_path: Path
) -> None:
    settings.REGIE_TASKS_EAGER = False
    user = member(maassluis, Role.ADVISEUR)
    dataset = services.get_or_create_dataset(
        table="lokaal:gm0556", source="gemeente", title="x", organisation=maassluis
    )
    path = tmp_path / "upload"
    path.write_text(VALID, encoding="utf-8")
    batch = tasks.queue_local_import(
        path=path,
        organisation=maassluis,
        dataset=dataset,
        user=user,
        filename="cijfers.csv",
        expected_rows=3,
    )
    call_command("worker", "--batch")
    batch.refresh_from_db()
    assert batch.state == BatchState.DONE
    assert batch.rows_stored == 3
    assert not path.exists()
    assert tasks.progress_of(batch.pk) is None


@pytest.mark.django_db(transaction=True)
def test_background_worker_checks(
    maassluis: Organisation, member: Member, settings: Any, tmp_path: Path
) -> None:
    settings.REGIE_TASKS_EAGER = False
    user = member(maassluis, Role.ADVISEUR)
    good, bad = tmp_path / "good", tmp_path / "bad"
    good.write_text(VALID, encoding="utf-8")
    bad.write_text(MALFORMED, encoding="utf-8")
    checked = tasks.queue_local_check(
        path=good, organisation=maassluis, user=user, filename="cijfers.csv"
    )
    call_command("worker", "--batch")
    refused = tasks.queue_local_check(
        path=bad, organisation=maassluis, user=user, filename="fout.csv"
    )
    call_command("worker", "--batch")
    checked.refresh_from_db()
    refused.refresh_from_db()
    assert (checked.state, checked.rows_stored) == (BatchState.DRY_RUN, 3)
    assert checked.sha256 == services.file_sha256(good)  # filled in by the job
    assert good.exists()  # kept for the confirmation
    assert (refused.state, refused.rows_rejected) == (BatchState.REJECTED, 2)
    assert not bad.exists()
    assert Observation.objects.count() == 0
