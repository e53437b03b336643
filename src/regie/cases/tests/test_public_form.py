"""The public Meldpunt form (``/melden/<gemeente>/``): anonymous visitors, plain HTTP posts.

Messages are checked by their Dutch text where it is fixed data (category names, codes) and by
field names, status codes and stored rows otherwise, so the tests pass before and after the
translations are compiled.
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import override_settings
from django.urls import reverse
from PIL import Image

from regie.cases import ratelimit, services
from regie.cases.models import Attachment, Category, Channel, ReporterType, Signal, Status
from regie.cases.tests.factories import make_signal
from regie.cases.views import public
from regie.core.models import Organisation, OrganisationKind
from regie.core.tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

DESCRIPTION = "Verzonnen: er wordt 's nachts vaak gehandeld bij de speeltuin."
EMAIL = "melder.verzonnen@example.org"
PDF_BYTES = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


def form_url(org: str = "gm0556") -> str:
    return reverse("melden:form", kwargs={"org": org})


def received_url(org: str = "gm0556") -> str:
    return reverse("melden:received", kwargs={"org": org})


def status_url(org: str = "gm0556") -> str:
    return reverse("melden:status", kwargs={"org": org})


def data(**extra: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "description": DESCRIPTION,
        "category": "weet_ik_niet",
        "street": "Verzonnenstraat",
        "house_number": "12",
        "postcode": "",
        "city": "Maassluis",
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


def jpeg_with_gps() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "SECRETCAM"
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (51.0, 55.0, 12.5)
    gps[3] = "E"
    gps[4] = (4.0, 15.0, 1.5)
    out = io.BytesIO()
    Image.new("RGB", (40, 20), "red").save(out, "JPEG", exif=exif)
    raw = out.getvalue()
    assert Image.open(io.BytesIO(raw)).getexif().get_ifd(0x8825)
    return raw


def nothing_stored() -> bool:
    return not Signal.objects.exists() and not Attachment.objects.exists()


def receipt_code(html: str) -> str:
    marker = 'id="receipt-code">'
    assert marker in html, html
    return html.split(marker, 1)[1].split("<", 1)[0].strip()


@pytest.fixture
def client() -> Client:
    return Client()


# --- The form --------------------------------------------------------------------------------


def test_the_form_opens_for_an_active_gemeente_without_menu_or_login(
    client: Client, maassluis: Organisation
) -> None:
    response = client.get(form_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="nl"' in html
    assert 'enctype="multipart/form-data"' in html
    assert "csrfmiddlewaretoken" in html
    assert "<script" not in html
    assert 'name="website"' in html
    assert 'tabindex="-1"' in html
    assert 'aria-hidden="true"' in html
    for autocomplete in ('autocomplete="name"', 'autocomplete="tel"', 'autocomplete="email"'):
        assert autocomplete in html
    # main categories only (the preloaded tree), plus "don't know"
    assert "Ondermijning" in html
    assert "Drugs en hennep" not in html
    assert 'value="weet_ik_niet"' in html
    # no menu, no account links, no language switch form of the logged-in shell
    assert "utrecht-nav-bar" not in html
    assert "/account/" not in html


def test_the_form_is_404_for_a_partner_an_inactive_or_an_unknown_organisation(
    client: Client, maassluis: Organisation
) -> None:
    OrganisationFactory(slug="politie-zh", kind=OrganisationKind.POLITIE)
    Organisation.objects.filter(pk=maassluis.pk).update(is_active=False)
    for slug in ("politie-zh", "gm0556", "gm9999"):
        assert client.get(form_url(slug)).status_code == 404
        assert client.post(form_url(slug), data()).status_code == 404
        assert client.get(status_url(slug)).status_code == 404


def test_an_anonymous_report_is_stored_and_its_code_shown_once(
    client: Client, maassluis: Organisation
) -> None:
    response = client.post(form_url(), data(seen_on="03-12-2026"))
    assert response.status_code == 302
    assert response["Location"] == received_url()
    signal = Signal.objects.get()
    assert signal.channel == Channel.PUBLIC
    assert signal.reporter_type == ReporterType.ANONYMOUS
    assert (signal.reporter_name, signal.reporter_phone, signal.reporter_email) == ("", "", "")
    assert signal.description.startswith(DESCRIPTION)
    assert signal.description.endswith("03-12-2026")
    assert signal.street == "Verzonnenstraat"
    assert signal.category.parent_id is None
    assert signal.category.family == "overig"

    page = client.get(received_url())
    code = receipt_code(page.content.decode())
    assert signal.receipt_digest == services.receipt_digest(code)
    assert signal.reference not in page.content.decode()
    again = client.get(received_url()).content.decode()
    assert code not in again
    assert 'id="receipt-code"' not in again


def test_a_main_category_can_be_chosen_and_a_subcategory_cannot(
    client: Client, maassluis: Organisation
) -> None:
    client.get(form_url())  # the tree is created on first use
    main = Category.objects.get(organisation=maassluis, parent=None, family="ondermijning")
    sub = Category.objects.filter(organisation=maassluis, parent=main).first()
    assert sub is not None
    refused = client.post(form_url(), data(category=str(sub.pk)))
    assert refused.status_code == 200
    assert "category" in refused.context["form"].errors
    assert nothing_stored()
    assert client.post(form_url(), data(category=str(main.pk))).status_code == 302
    assert Signal.objects.get().category == main


def test_contact_details_are_stored_encrypted(client: Client, maassluis: Organisation) -> None:
    response = client.post(
        form_url(),
        data(
            contact="met_naam",
            reporter_type="ondernemer",
            name="Verzonnen Melder",
            phone="06 12345678",
            email=EMAIL,
        ),
    )
    assert response.status_code == 302
    signal = Signal.objects.get()
    assert signal.reporter_type == ReporterType.ENTREPRENEUR
    assert signal.reporter_email == EMAIL
    assert signal.reporter_name == "Verzonnen Melder"
    table = Signal._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT reporter_email, reporter_name, description FROM {table}"  # noqa: S608
        )
        row = cursor.fetchone()
    raw = " ".join(str(bytes(v) if isinstance(v, memoryview) else v) for v in row)
    assert EMAIL not in raw
    assert "Verzonnen Melder" not in raw
    assert "speeltuin" not in raw


def test_with_name_needs_a_name_and_a_way_to_contact(
    client: Client, maassluis: Organisation
) -> None:
    response = client.post(form_url(), data(contact="met_naam"))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "name" in errors
    assert "phone" in errors
    html = response.content.decode()
    assert 'href="#id_name"' in html  # the error summary links to the field
    assert DESCRIPTION.replace("'", "&#x27;") in html  # the typed text is kept
    assert nothing_stored()


def test_anonymous_with_contact_details_is_refused(client: Client, maassluis: Organisation) -> None:
    response = client.post(form_url(), data(email=EMAIL))
    assert "email" in response.context["form"].errors
    assert nothing_stored()


def test_a_description_is_required_and_at_most_5000_characters(
    client: Client, maassluis: Organisation
) -> None:
    for text in ("", "x" * 5001):
        response = client.post(form_url(), data(description=text))
        assert "description" in response.context["form"].errors
    assert nothing_stored()


def test_a_date_in_the_future_or_not_dutch_is_refused(
    client: Client, maassluis: Organisation
) -> None:
    for value in ("31-12-2999", "2026-13-45", "gisteren"):
        response = client.post(form_url(), data(seen_on=value))
        assert "seen_on" in response.context["form"].errors, value
    assert nothing_stored()


# --- Robots and limits -----------------------------------------------------------------------


def test_a_filled_honeypot_looks_like_success_and_stores_nothing(
    client: Client, maassluis: Organisation
) -> None:
    response = client.post(form_url(), data(website="https://spam.example"))
    assert response.status_code == 302
    assert response["Location"] == received_url()
    page = client.get(received_url())
    assert page.status_code == 200
    assert page.context["fresh"] is True
    assert 'id="receipt-code"' not in page.content.decode()
    assert nothing_stored()


@override_settings(REGIE_PUBLIC_FORM_PER_HOUR=5)
def test_the_sixth_post_in_an_hour_is_429_and_stores_nothing(
    client: Client, maassluis: Organisation
) -> None:
    for _ in range(5):
        assert client.post(form_url(), data()).status_code == 302
    assert Signal.objects.count() == 5
    response = client.post(form_url(), data())
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "112" in response.content.decode()
    assert response.templates[0].name == "cases/public_limited.html"
    assert Signal.objects.count() == 5
    # another address is not limited
    assert Client(REMOTE_ADDR="192.0.2.77").post(form_url(), data()).status_code == 302


def test_the_limit_key_holds_no_address(rf: Any) -> None:
    request = rf.post("/melden/gm0556/", REMOTE_ADDR="198.51.100.23")
    digest = ratelimit.client_digest(request, ratelimit.FORM)
    assert "198.51.100.23" not in digest
    assert len(digest) == 64
    assert digest != ratelimit.client_digest(request, ratelimit.STATUS)


# --- Files -----------------------------------------------------------------------------------


def pdf_of(megabytes: int) -> bytes:
    filler = b"0" * (megabytes * 1024 * 1024 - len(PDF_BYTES))
    return PDF_BYTES[:-6] + b"%" + filler + b"\n%%EOF\n"


def test_a_20_mb_file_is_refused_and_nothing_stored(
    client: Client, maassluis: Organisation
) -> None:
    big = SimpleUploadedFile("groot.jpg", b"\xff\xd8\xff" + b"0" * (20 * 1024 * 1024))
    response = client.post(form_url(), data(attachments=[big]))
    assert nothing_stored()
    assert response.status_code == 200


def test_a_20_mb_file_is_named_on_the_form_with_the_text_kept(
    client: Client, maassluis: Organisation
) -> None:
    big = SimpleUploadedFile("groot.jpg", b"\xff\xd8\xff" + b"0" * (20 * 1024 * 1024))
    response = client.post(form_url(), data(attachments=[big]))
    assert response.status_code == 200
    assert response.context["form"].errors.as_data()["attachments"][0].code == "too_large"
    html = response.content.decode()
    assert "groot.jpg" in html
    assert "Verzonnenstraat" in html
    assert nothing_stored()


def test_three_files_of_9_mb_are_accepted(client: Client, maassluis: Organisation) -> None:
    files = [SimpleUploadedFile(f"stuk{n}.pdf", pdf_of(9)) for n in range(3)]
    response = client.post(form_url(), data(attachments=files))
    assert response.status_code == 302
    assert Attachment.objects.count() == 3


def test_a_request_above_the_views_bound_gets_the_dutch_page(
    client: Client, maassluis: Organisation
) -> None:
    files = [SimpleUploadedFile(f"stuk{n}.pdf", pdf_of(14)) for n in range(3)]
    response = client.post(form_url(), data(attachments=files))
    assert response.status_code == 413
    assert form_url() in response.content.decode()  # the way back to the form
    assert nothing_stored()


def test_a_file_above_10_mb_is_named_in_the_message_and_the_text_kept(
    client: Client, maassluis: Organisation
) -> None:
    big = SimpleUploadedFile("foto-groot.jpg", b"\xff\xd8\xff" + b"0" * (11 * 1024 * 1024))
    response = client.post(form_url(), data(attachments=[big]))
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors.as_data()["attachments"][0].code == "too_large"
    assert form.had_files
    html = response.content.decode()
    assert "foto-groot.jpg" in html
    assert "Verzonnenstraat" in html
    assert nothing_stored()


def test_an_executable_named_jpg_is_refused_and_nothing_stored(
    client: Client, maassluis: Organisation
) -> None:
    exe = SimpleUploadedFile("photo.jpg", b"MZ\x90\x00" + b"\x00" * 200, "image/jpeg")
    response = client.post(form_url(), data(attachments=[exe]))
    assert response.status_code == 200
    assert response.context["form"].errors.as_data()["attachments"][0].code == "not_accepted"
    assert "photo.jpg" in response.content.decode()
    assert nothing_stored()


def test_four_files_are_refused(client: Client, maassluis: Organisation) -> None:
    files = [SimpleUploadedFile(f"d{n}.pdf", PDF_BYTES) for n in range(4)]
    response = client.post(form_url(), data(attachments=files))
    assert response.context["form"].errors.as_data()["attachments"][0].code == "too_many"
    assert nothing_stored()


def test_a_photo_is_stored_without_exif(client: Client, maassluis: Organisation) -> None:
    photo = SimpleUploadedFile("IMG_1.JPG", jpeg_with_gps(), "image/jpeg")
    pdf = SimpleUploadedFile("brief.pdf", PDF_BYTES, "application/pdf")
    assert client.post(form_url(), data(attachments=[photo, pdf])).status_code == 302
    stored = list(Attachment.objects.order_by("pk"))
    assert [a.content_type for a in stored] == ["image/jpeg", "application/pdf"]
    image = Image.open(io.BytesIO(bytes(stored[0].content)))
    assert not image.getexif()
    assert not image.getexif().get_ifd(0x8825)
    assert b"SECRETCAM" not in bytes(stored[0].content)
    assert bytes(stored[1].content) == PDF_BYTES


def test_the_view_declares_its_own_bound() -> None:
    """Three files at the limit and the form: more than the site's 20 MB."""
    assert public.REQUEST_MAX_BYTES >= 3 * 10 * 1024 * 1024 + 1024 * 1024
    assert public.form.regie_request_max_bytes == public.REQUEST_MAX_BYTES  # type: ignore[attr-defined]
    assert callable(public.form.regie_too_large_view)  # type: ignore[attr-defined]


def test_the_too_large_page_is_dutch_and_offers_the_way_back(
    rf: Any, maassluis: Organisation
) -> None:
    request = rf.post(form_url(), HTTP_ACCEPT_LANGUAGE="nl")
    response = public._request_too_large(request, org="gm0556")
    assert response.status_code == 413
    html = response.content.decode()
    assert '<html lang="nl"' in html
    assert form_url() in html
    assert "csrfmiddlewaretoken" not in html


# --- Status ----------------------------------------------------------------------------------


def test_status_by_code_shows_the_status_only(client: Client, maassluis: Organisation) -> None:
    client.post(form_url(), data())
    code = receipt_code(client.get(received_url()).content.decode())
    assert client.get(status_url()).status_code == 200
    response = client.post(status_url(), {"code": code.lower().replace("-", " ")})
    assert response.status_code == 200
    assert response.context["found"]["label"] == Status.RECEIVED.label
    html = response.content.decode()
    assert "speeltuin" not in html
    assert "Verzonnenstraat" not in html
    assert Signal.objects.get().reference not in html


def test_a_wrong_code_gets_the_polite_message(client: Client, maassluis: Organisation) -> None:
    make_signal(maassluis)  # a professional signal has no code
    for code in ("ABCD-EFGH-JKMN", "x"):
        response = client.post(status_url(), {"code": code})
        assert response.status_code == 200
        assert response.context["looked_up"] is True
        assert response.context["found"] is None
        assert 'id="status-result"' in response.content.decode()


def test_the_status_lookup_is_limited(client: Client, maassluis: Organisation) -> None:
    for _ in range(ratelimit.STATUS_PER_HOUR):
        assert client.post(status_url(), {"code": "ABCD-EFGH-JKMN"}).status_code == 200
    response = client.post(status_url(), {"code": "ABCD-EFGH-JKMN"})
    assert response.status_code == 429
    assert response.has_header("Retry-After")
