"""The professional intake form (``cases:new``) through HTTP: staff, MMA, handhavers and
ketenpartners; encrypted subjects, Dutch dates, field errors that keep the input, files."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse
from PIL import Image

from regie.accounts.models import Role, User
from regie.cases import services
from regie.cases.attachments import MAX_BYTES
from regie.cases.models import (
    Attachment,
    Channel,
    ReporterType,
    Signal,
    Subject,
    SubjectKind,
)
from regie.cases.tests import factories
from regie.core.errors import ServiceError
from regie.core.models import Organisation, OrganisationKind
from regie.core.tests.factories import OrganisationFactory

Member = Callable[..., User]
Login = Callable[[User], Client]


def new_url(organisation: Organisation, gemeente: Organisation | None = None) -> str:
    url = reverse("cases:new", kwargs={"org": organisation.slug})
    return f"{url}?gemeente={gemeente.slug}" if gemeente else url


def form_data(gemeente: Organisation, **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "received": "15-01-2025 10:30",
        "channel": Channel.PROFESSIONAL,
        "category": factories.category(gemeente, "Woonoverlast").pk,
        "description": "Verzonnen overlast in een verzonnen straat",
        "street": "Verzonnenlaan",
        "house_number": "12",
        "postcode": "3141 AB",
        "city": "Maassluis",
        "reporter_type": ReporterType.STAFF,
        "reporter_name": "Piet Medewerker",
        "reporter_phone": "010 123 45 67",
        "reporter_email": "piet@example.org",
        "persoon1-role": "betrokkene",
        "persoon1-surname": "Zonnebloemsma",
        "persoon1-tussenvoegsel": "van",
        "persoon1-first_names": "Jan",
        "persoon1-birth_date": "3-2-1980",
        "persoon1-bsn": "",
        "persoon2-role": "betrokkene",
        "persoon3-role": "betrokkene",
        "adres1-role": "locatie",
        "adres2-role": "locatie",
        "organisatie1-role": "betrokkene",
        "voertuig1-role": "betrokkene",
        "voertuig2-role": "betrokkene",
    }
    data.update(extra)
    return data


def png(name: str = "foto.png") -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(out, format="PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def templates(response: Any) -> list[str]:
    return [t.name for t in response.templates if t.name]


@pytest.fixture
def staff(maassluis: Organisation, member: Member) -> User:
    user = member(maassluis, Role.ADVISEUR)
    factories.grant(user, maassluis)
    return user


@pytest.fixture
def partner(db: Any) -> Organisation:
    return OrganisationFactory(
        name="Politie Verzonnen", slug="politie-x", kind=OrganisationKind.POLITIE
    )


@pytest.mark.django_db
def test_staff_form_creates_signal_with_encrypted_subjects(
    maassluis: Organisation, staff: User, login: Login
) -> None:
    response = login(staff).post(new_url(maassluis), form_data(maassluis))

    signal = Signal.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "cases:detail", kwargs={"org": maassluis.slug, "ref": signal.reference}
    )
    assert signal.channel == Channel.PROFESSIONAL
    assert signal.created_by == staff
    assert signal.reporting_organisation is None
    assert signal.reporter_name == "Piet Medewerker"
    subject = Subject.objects.get(signal=signal)
    assert subject.kind == SubjectKind.PERSON
    assert subject.surname == "Zonnebloemsma"
    assert subject.birth_date == dt.date(1980, 2, 3)  # "3-2-1980", day first
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM cases_subject")
        subject_rows = repr(cursor.fetchall())
        cursor.execute("SELECT * FROM cases_signal")
        signal_rows = repr(cursor.fetchall())
    assert "Zonnebloemsma" not in subject_rows
    assert "1980" not in subject_rows
    assert "Verzonnen overlast" not in signal_rows
    assert "Piet Medewerker" not in signal_rows
    assert signal.received_at.date() == dt.date(2025, 1, 15)


@pytest.mark.django_db
def test_form_page_opens_with_preloaded_categories(
    maassluis: Organisation, staff: User, login: Login
) -> None:
    response = login(staff).get(new_url(maassluis))

    assert response.status_code == 200
    assert "cases/intake_form.html" in templates(response)
    body = response.content.decode()
    assert "Woonoverlast" in body
    assert 'name="persoon3-surname"' in body
    assert 'name="voertuig2-kenteken"' in body
    assert 'enctype="multipart/form-data"' in body
    assert re.search(r'name="received" value="\d\d-\d\d-\d{4} \d\d:\d\d"', body)


@pytest.mark.django_db
def test_invalid_bsn_is_a_field_error_and_input_is_kept(
    maassluis: Organisation, staff: User, login: Login
) -> None:
    response = login(staff).post(
        new_url(maassluis), form_data(maassluis, **{"persoon1-bsn": "123456789"})
    )

    assert response.status_code == 200
    forms = response.context["forms"]
    assert [e.code for e in forms.persons[0].errors.as_data()["bsn"]] == ["invalid_bsn"]
    body = response.content.decode()
    assert 'value="123456789"' in body
    assert 'value="Zonnebloemsma"' in body
    assert 'href="#id_persoon1-bsn"' in body  # the error summary links to the field
    assert not Signal.objects.exists()


@pytest.mark.django_db
def test_invalid_birth_date_keeps_what_was_typed(
    maassluis: Organisation, staff: User, login: Login
) -> None:
    response = login(staff).post(
        new_url(maassluis), form_data(maassluis, **{"persoon1-birth_date": "31-02-1980"})
    )

    assert response.status_code == 200
    errors = response.context["forms"].persons[0].errors.as_data()
    assert [e.code for e in errors["birth_date"]] == ["invalid_date"]
    assert 'value="31-02-1980"' in response.content.decode()
    assert not Signal.objects.exists()


@pytest.mark.django_db
def test_empty_blocks_are_skipped_and_a_filled_block_needs_a_name(
    maassluis: Organisation, staff: User, login: Login
) -> None:
    client = login(staff)
    response = client.post(
        new_url(maassluis), form_data(maassluis, **{"persoon2-first_names": "Kees"})
    )
    assert response.status_code == 200
    assert "surname" in response.context["forms"].persons[1].errors

    response = client.post(
        new_url(maassluis),
        form_data(
            maassluis,
            **{
                "adres1-postcode": "3141AB",
                "adres1-house_number": "3",
                "voertuig1-kenteken": "12-ABC-3",
            },
        ),
    )
    assert response.status_code == 302
    kinds = sorted(Subject.objects.values_list("kind", flat=True))
    assert kinds == sorted([SubjectKind.PERSON, SubjectKind.ADDRESS, SubjectKind.VEHICLE])


@pytest.mark.django_db
def test_mma_entry_has_no_reporter_and_needs_verification(
    maassluis: Organisation, staff: User, login: Login
) -> None:
    response = login(staff).post(new_url(maassluis), form_data(maassluis, channel=Channel.MMA))

    assert response.status_code == 302
    signal = Signal.objects.get()
    assert signal.channel == Channel.MMA
    assert signal.reporter_type == ReporterType.MMA
    assert (signal.reporter_name, signal.reporter_phone, signal.reporter_email) == ("", "", "")
    assert signal.verification_needed is True


@pytest.mark.django_db
def test_anonymous_reporter_with_contact_details_is_a_field_error(
    maassluis: Organisation, staff: User, login: Login
) -> None:
    response = login(staff).post(
        new_url(maassluis), form_data(maassluis, reporter_type=ReporterType.ANONYMOUS)
    )

    assert response.status_code == 200
    errors = response.context["forms"].signal.errors.as_data()
    assert [e.code for e in errors["reporter_name"]] == ["anonymous_contact"]
    assert not Signal.objects.exists()


@pytest.mark.django_db
def test_partner_chooses_gemeente_then_reports(
    maassluis: Organisation, partner: Organisation, member: Member, login: Login
) -> None:
    user = member(partner, Role.KETENPARTNER)
    client = login(user)

    step1 = client.get(new_url(partner))
    assert step1.status_code == 200
    assert "cases/intake_choose.html" in templates(step1)
    assert maassluis.name in step1.content.decode()

    step2 = client.get(new_url(partner, maassluis))
    assert "cases/intake_form.html" in templates(step2)
    assert 'name="channel"' not in step2.content.decode()  # a partner has no MMA channel

    data = form_data(maassluis, reporter_type=ReporterType.PARTNER)
    del data["channel"]
    response = client.post(new_url(partner, maassluis), data)

    assert response.status_code == 200
    assert "cases/intake_done.html" in templates(response)
    signal = Signal.objects.get()
    assert signal.organisation == maassluis
    assert signal.reporting_organisation == partner
    assert signal.reference in response.content.decode()
    assert "hits" not in response.context  # no enrichment for the partner


@pytest.mark.django_db
def test_partner_cannot_use_a_category_of_another_gemeente(
    maassluis: Organisation,
    alblasserdam: Organisation,
    partner: Organisation,
    member: Member,
    login: Login,
) -> None:
    user = member(partner, Role.KETENPARTNER)
    other = factories.category(alblasserdam, "Woonoverlast")
    data = form_data(maassluis, category=other.pk, reporter_type=ReporterType.PARTNER)

    response = login(user).post(new_url(partner, maassluis), data)

    assert response.status_code == 200
    assert "category" in response.context["forms"].signal.errors
    assert not Signal.objects.exists()


@pytest.mark.django_db
def test_partner_with_unknown_gemeente_is_back_at_step_one(
    partner: Organisation, member: Member, login: Login
) -> None:
    user = member(partner, Role.KETENPARTNER)
    response = login(user).get(new_url(partner) + "?gemeente=nergens")

    assert response.status_code == 200
    assert "cases/intake_choose.html" in templates(response)
    assert response.context["form"].errors


@pytest.mark.django_db
def test_handhaver_gets_a_confirmation_not_the_signal(
    maassluis: Organisation, member: Member, login: Login
) -> None:
    user = member(maassluis, Role.HANDHAVER)
    data = form_data(maassluis, reporter_type=ReporterType.ENFORCER)

    response = login(user).post(new_url(maassluis), data)

    assert response.status_code == 200
    assert "cases/intake_done.html" in templates(response)
    signal = Signal.objects.get()
    assert signal.created_by == user
    assert signal.reference in response.content.decode()


@pytest.mark.django_db
def test_staff_without_grant_for_the_family_gets_a_confirmation(
    maassluis: Organisation, member: Member, login: Login
) -> None:
    user = member(maassluis, Role.ADVISEUR)
    factories.grant(user, maassluis, "ondermijning")  # Woonoverlast is zorg & veiligheid

    response = login(user).post(new_url(maassluis), form_data(maassluis))

    assert response.status_code == 200
    assert "cases/intake_done.html" in templates(response)


@pytest.mark.django_db
def test_handhaver_of_one_gemeente_cannot_post_to_another(
    maassluis: Organisation, alblasserdam: Organisation, member: Member, login: Login
) -> None:
    user = member(maassluis, Role.HANDHAVER)
    client = login(user)

    assert client.get(new_url(alblasserdam)).status_code == 404
    response = client.post(new_url(alblasserdam), form_data(alblasserdam))
    assert response.status_code == 404
    assert not Signal.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.RAADPLEGER, Role.PRIVACY_OFFICER, Role.KETENPARTNER])
def test_other_roles_of_a_gemeente_are_refused(
    maassluis: Organisation, member: Member, login: Login, role: str
) -> None:
    user = member(maassluis, role)
    assert login(user).get(new_url(maassluis)).status_code == 403


@pytest.mark.django_db
def test_a_file_is_stored_cleaned(maassluis: Organisation, staff: User, login: Login) -> None:
    data = form_data(maassluis, attachments=[png()])

    response = login(staff).post(new_url(maassluis), data)

    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert attachment.content_type == "image/png"
    assert attachment.name == "foto.png"


@pytest.mark.django_db
def test_four_files_are_refused_and_nothing_is_stored(
    maassluis: Organisation, staff: User, login: Login
) -> None:
    data = form_data(maassluis, attachments=[png(f"foto{n}.png") for n in range(4)])

    response = login(staff).post(new_url(maassluis), data)

    assert response.status_code == 200
    errors = response.context["forms"].signal.errors.as_data()
    assert [e.code for e in errors["attachments"]] == ["too_many"]
    assert response.context["forms"].sent_files  # the page asks to choose them again
    assert not Signal.objects.exists()
    assert not Attachment.objects.exists()


@pytest.mark.django_db
def test_executable_named_jpg_is_refused_and_nothing_is_stored(
    maassluis: Organisation, staff: User, login: Login
) -> None:
    exe = SimpleUploadedFile("vakantie.jpg", b"MZ\x90\x00" + b"\x00" * 200, "image/jpeg")

    response = login(staff).post(new_url(maassluis), form_data(maassluis, attachments=[exe]))

    assert response.status_code == 200
    errors = response.context["forms"].signal.errors.as_data()
    assert [e.code for e in errors["attachments"]] == ["not_accepted"]
    assert not Signal.objects.exists()
    assert not Attachment.objects.exists()


@pytest.mark.django_db
def test_category_taken_out_of_use_meanwhile_is_refused(
    maassluis: Organisation, staff: User, login: Login
) -> None:
    category = factories.category(maassluis, "Woonoverlast")
    client = login(staff)
    page = client.get(new_url(maassluis))
    assert page.status_code == 200
    category.is_active = False  # taken out of use after the page was opened
    category.save()

    response = client.post(new_url(maassluis), form_data(maassluis, category=category.pk))

    assert response.status_code == 200
    assert response.context["forms"].signal.errors
    assert 'value="Zonnebloemsma"' in response.content.decode()
    assert not Signal.objects.exists()


@pytest.mark.django_db
def test_received_in_the_future_is_refused(
    maassluis: Organisation, staff: User, login: Login
) -> None:
    response = login(staff).post(
        new_url(maassluis), form_data(maassluis, received="01-01-2999 10:00")
    )

    assert response.status_code == 200
    errors = response.context["forms"].signal.errors.as_data()
    assert [e.code for e in errors["received"]] == ["future"]


@pytest.mark.django_db
def test_service_refusal_is_a_non_field_error_with_input_kept(
    maassluis: Organisation, staff: User, login: Login, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise ServiceError("refused by the service")

    monkeypatch.setattr(services, "receive", refuse)
    data = form_data(maassluis, attachments=[png()])

    response = login(staff).post(new_url(maassluis), data)

    assert response.status_code == 200
    forms = response.context["forms"]
    assert forms.signal.non_field_errors() == ["refused by the service"]
    assert forms.sent_files
    body = response.content.decode()
    assert "refused by the service" in body
    assert 'value="Zonnebloemsma"' in body
    assert not Signal.objects.exists()


@pytest.mark.django_db
def test_file_over_ten_megabytes_is_refused_and_nothing_is_stored(
    maassluis: Organisation, staff: User, login: Login
) -> None:
    big = SimpleUploadedFile("groot.pdf", b"%PDF-1.4\n" + b"0" * MAX_BYTES, "application/pdf")

    response = login(staff).post(new_url(maassluis), form_data(maassluis, attachments=[big]))

    assert response.status_code == 200
    errors = response.context["forms"].signal.errors.as_data()
    assert [e.code for e in errors["attachments"]] == ["too_large"]
    assert not Signal.objects.exists()
    assert not Attachment.objects.exists()
