"""The Bronnen pages through HTTP: datasets, revisions, and the upload → check → import flow."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from regie.accounts.models import Role, User
from regie.core.models import Organisation
from regie.monitor import services, tasks
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

Login = Callable[[User], Client]
Member = Callable[[Organisation, str], User]


@pytest.fixture(autouse=True)
def _setup(settings: Any, tmp_path: Path, areas: Any) -> None:
    settings.REGIE_TASKS_EAGER = True  # the test transaction is invisible to other threads
    settings.VAR_DIR = tmp_path
    services.load_catalogue()


def url(name: str, org: Organisation, **kwargs: Any) -> str:
    return reverse(f"monitor:{name}", kwargs={"org": org.slug, **kwargs})


def csv_file(text: str, name: str = "cijfers.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def upload(client: Client, org: Organisation, text: str, name: str = "cijfers.csv") -> Any:
    return client.post(url("upload", org), {"file": csv_file(text, name)})


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
    maassluis: Organisation, alblasserdam: Organisation, member: Member, login: Login
) -> None:
    import_directly(maassluis, VALID)
    import_directly(alblasserdam, VALID.replace("WK055601;huisverboden;2022;3;;\n", ""))
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
    response = upload(client, maassluis, MALFORMED)
    assert response.status_code == 200
    assert response.context["token"] == ""
    report = response.context["report"]
    assert report.state == BatchState.REJECTED
    assert report.rejected == 2
    errors = {(e["row"], e["column"], e["value"]) for e in response.context["errors"]}
    assert errors == {(2, "waarde", "veertien"), (3, "gebied", "GM9999")}
    html = response.content.decode()
    assert "veertien" in html
    assert "GM9999" in html
    assert Observation.objects.count() == before
    assert not any(uploads_dir(settings).iterdir())  # the refused file is not kept
    assert not client.session.get(SESSION_KEY)
    assert url("upload_confirm", maassluis) not in html


def test_unreadable_file_is_a_form_error(
    maassluis: Organisation, member: Member, login: Login, settings: Any
) -> None:
    client = login(member(maassluis, Role.ADVISEUR))
    response = upload(client, maassluis, "dit is geen sjabloon\n1;2;3\n")
    assert response.status_code == 200
    assert response.context["form"].errors["file"]
    assert Observation.objects.count() == 0
    assert not any(uploads_dir(settings).iterdir())


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
    response = upload(client, maassluis, VALID)
    assert response.status_code == 200
    report = response.context["report"]
    assert report.state == BatchState.DRY_RUN
    assert (report.rows_read, report.stored, report.rejected) == (3, 3, 0)
    token = response.context["token"]
    assert token
    assert (uploads_dir(settings) / token).is_file()
    assert url("upload_confirm", maassluis) in response.content.decode()
    assert Observation.objects.count() == 0  # the check stores nothing

    response = confirm(client, maassluis, token)
    assert response.status_code == 302
    batch = ImportBatch.objects.exclude(state=BatchState.DRY_RUN).get()
    assert response["Location"] == url("import_status", maassluis, batch_id=batch.pk)
    assert batch.state == BatchState.DONE
    assert batch.imported_by_label == batch.imported_by.get_username()
    assert Observation.objects.filter(owner=maassluis).count() == 3
    assert not (uploads_dir(settings) / token).exists()

    page = client.get(response["Location"])
    assert page.status_code == 200
    assert page.context["batch"].rows_stored == 3
    html = page.content.decode()
    assert url("dataset_detail", maassluis, dataset_id=batch.dataset_id) in html
    assert "hx-trigger" not in html  # finished: no more polling

    # The token is used up: confirming again imports nothing twice.
    again = confirm(client, maassluis, token)
    assert again["Location"] == url("upload", maassluis)
    assert ImportBatch.objects.exclude(state=BatchState.DRY_RUN).count() == 1


def test_revision_log_after_a_second_upload(
    maassluis: Organisation, member: Member, login: Login
) -> None:
    client = login(member(maassluis, Role.BEHEERDER))
    confirm(client, maassluis, upload(client, maassluis, VALID).context["token"])
    changed = VALID.replace(
        "GM0556;huisverboden;2022;12;voorlopig", "GM0556;huisverboden;2022;13;definitief"
    )
    preview = upload(client, maassluis, changed)
    assert (preview.context["report"].revised, preview.context["report"].unchanged) == (1, 2)
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
    token = upload(client, maassluis, VALID).context["token"]

    colleague = login(member(maassluis, Role.BEHEERDER))
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
    token = upload(client, maassluis, VALID).context["token"]
    assert confirm(client, alblasserdam, token)["Location"] == url("upload", alblasserdam)
    assert Observation.objects.count() == 0


def test_cancel_deletes_the_file(
    maassluis: Organisation, member: Member, login: Login, settings: Any
) -> None:
    client = login(member(maassluis, Role.ADVISEUR))
    token = upload(client, maassluis, VALID).context["token"]
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
        dataset=dataset, format="local", filename="x.csv", imported_by_label="x"
    )
    tasks._report(batch.pk, 20_000, 50_000)
    try:
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
    finally:
        tasks._forget(batch.pk)


def test_import_of_another_gemeente_is_404(
    maassluis: Organisation, alblasserdam: Organisation, member: Member, login: Login
) -> None:
    import_directly(alblasserdam, VALID.replace("WK055601;huisverboden;2022;3;;\n", ""))
    batch = ImportBatch.objects.get()
    client = login(member(maassluis, Role.BEHEERDER))
    assert client.get(url("import_status", maassluis, batch_id=batch.pk)).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_background_runner_imports_in_a_thread(
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
    tasks.EXECUTOR.submit(lambda: None).result(timeout=30)  # wait for the queue to drain
    batch.refresh_from_db()
    assert batch.state == BatchState.DONE
    assert batch.rows_stored == 3
    assert not path.exists()
    assert tasks.progress_of(batch.pk) is None
