"""The signals API: intake by partner systems (write tokens only; a gemeente only to itself), the
list without personal data, the detail only with a purpose and logged, and need-to-know (404 for
what the request may not see)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from regie.accounts import services as account_services
from regie.accounts.models import ApiTokenScope, Role, User
from regie.cases import services
from regie.cases.api.views import field_errors
from regie.cases.models import Channel, ReporterType, Signal
from regie.cases.tests import factories
from regie.core.models import Organisation, OrganisationKind
from regie.core.tests.factories import OrganisationFactory
from regie.privacy.models import ReadLogEntry

pytestmark = pytest.mark.django_db

Login = Callable[[User], Client]
Member = Callable[[Organisation, str], User]

LIST = "/api/v1/signals/"
PURPOSE = {"HTTP_X_REGIE_PURPOSE": "meldpunt-beoordelen"}
BODY: dict[str, Any] = {
    "gemeente": "GM0556",
    "ontvangen": "3-2-2024 14:30",
    "categorie": "Woonoverlast",
    "omschrijving": "Verzonnen overlast bij de buren",
    "locatie": {"straat": "Proefstraat", "huisnummer": "12", "postcode": "3141 AB"},
    "melder": {"type": "ketenpartner", "naam": "Agent Proef", "telefoon": "06-12345678"},
    "betrokkenen": [
        {
            "soort": "persoon",
            "rol": "bewoner",
            "achternaam": "Verzonnen",
            "voornamen": "Kees",
            "geboortedatum": "1980-02-03",
            "bsn": "111222333",
        },
        {"soort": "voertuig", "kenteken": "12-ABC-3"},
    ],
}


@pytest.fixture
def politie(db: Any) -> Organisation:
    return OrganisationFactory(
        name="Politie Proef", slug="politie-proef", kind=OrganisationKind.POLITIE
    )


def token_client(organisation: Organisation, scope: str = ApiTokenScope.WRITE, **kw: Any) -> Client:
    created = account_services.create_token(
        organisation=organisation, name="Koppeling", created_by=None, scope=scope, **kw
    )
    return Client(HTTP_AUTHORIZATION=f"Bearer {created.secret}")


def post(client: Client, body: dict[str, Any]) -> Any:
    return client.post(LIST, data=json.dumps(body), content_type="application/json")


def detail(signal: Signal) -> str:
    return reverse("api:signal_detail", kwargs={"ref": signal.reference})


def staff(member: Member, organisation: Organisation, *grants: str) -> User:
    user = member(organisation, Role.ADVISEUR)
    factories.grant(user, organisation, *grants)
    return user


# --- Intake ----------------------------------------------------------------------------------


def test_partner_token_reports_to_a_gemeente(
    maassluis: Organisation, politie: Organisation
) -> None:
    response = post(token_client(politie), BODY)
    assert response.status_code == 201, response.content
    answer = response.json()
    assert set(answer) == {"referentie", "ontvangen", "status"}
    assert answer["status"] == "ontvangen"
    signal = Signal.objects.get(reference=answer["referentie"])
    assert signal.organisation == maassluis
    assert signal.reporting_organisation == politie
    assert signal.channel == Channel.API
    assert signal.reporter_type == ReporterType.PARTNER
    assert signal.reporter_name == "Agent Proef"
    assert sorted(signal.subjects.values_list("kind", flat=True)) == ["persoon", "voertuig"]
    assert response["Location"] == detail(signal)
    # a second signal on the same person: counted, but never told to the partner
    second = post(token_client(politie), BODY)
    assert set(second.json()) == {"referentie", "ontvangen", "status"}
    assert Signal.objects.get(reference=second.json()["referentie"]).enrichment["person"] == 1


def test_read_token_may_not_post(maassluis: Organisation, politie: Organisation) -> None:
    response = post(token_client(politie, ApiTokenScope.READ), BODY)
    assert response.status_code == 403
    assert not Signal.objects.exists()


def test_gemeente_token_reports_only_to_itself(
    maassluis: Organisation, alblasserdam: Organisation
) -> None:
    client = token_client(alblasserdam)
    assert post(client, BODY).status_code == 404
    response = post(client, {**BODY, "gemeente": "gm0482", "melder": {}})
    assert response.status_code == 201, response.content
    signal = Signal.objects.get()
    assert signal.organisation == alblasserdam
    assert signal.reporting_organisation is None
    assert signal.reporter_type == ReporterType.STAFF


def test_unknown_gemeente_is_not_found(politie: Organisation) -> None:
    assert post(token_client(politie), {**BODY, "gemeente": "GM9999"}).status_code == 404
    missing = post(token_client(politie), {**BODY, "gemeente": ""})
    assert missing.status_code == 400
    assert set(missing.json()) == {"gemeente"}


def test_validation_errors_by_field_path(maassluis: Organisation, politie: Organisation) -> None:
    body = json.loads(json.dumps(BODY))
    body["locatie"]["postcode"] = "99"
    body["betrokkenen"][0]["bsn"] = "123456789"
    body["betrokkenen"][1] = {"soort": "voertuig"}
    body["categorie"] = "Bestaat niet"
    body["ontvangen"] = "31-02-2024"
    del body["omschrijving"]
    response = post(token_client(politie), body)
    assert response.status_code == 400
    assert set(response.json()) == {
        "locatie.postcode",
        "betrokkenen[0].bsn",
        "betrokkenen[1]",
        "categorie",
        "ontvangen",
        "omschrijving",
    }
    assert not Signal.objects.exists()


def test_category_by_id_and_anonymous_with_contact(
    maassluis: Organisation, politie: Organisation
) -> None:
    category = factories.category(maassluis, "Drugs en hennep")
    client = token_client(politie)
    refused = post(
        client, {**BODY, "categorie": category.pk, "melder": {"type": "anoniem", "naam": "X"}}
    )
    assert refused.status_code == 400
    assert "melder" in refused.json()
    response = post(client, {**BODY, "categorie": category.pk})
    assert response.status_code == 201
    assert Signal.objects.get().category == category


def test_session_of_a_ketenpartner_and_of_a_raadpleger(
    maassluis: Organisation, politie: Organisation, member: Member, login: Login
) -> None:
    response = login(member(politie, Role.KETENPARTNER)).post(
        LIST, data=json.dumps(BODY), content_type="application/json"
    )
    assert response.status_code == 201, response.content
    assert Signal.objects.get().reporting_organisation == politie
    reader = login(member(maassluis, Role.RAADPLEGER))
    assert (
        reader.post(LIST, data=json.dumps(BODY), content_type="application/json").status_code == 403
    )


def test_field_errors_flattened() -> None:
    nested = {"a": ["x"], "b": {"c": ["y"]}, "d": [{}, {"e": ["z"], "non_field_errors": ["w"]}]}
    assert field_errors(nested) == {"a": ["x"], "b.c": ["y"], "d[1].e": ["z"], "d[1]": ["w"]}


# --- Reading ---------------------------------------------------------------------------------


def test_list_has_no_personal_data(
    maassluis: Organisation, alblasserdam: Organisation, member: Member, login: Login
) -> None:
    signal = factories.make_signal(
        maassluis,
        reporter_name="Melder Proef",
        location=services.AddressIn(street="Geheimestraat", house_number="9", postcode="3141AB"),
    )
    factories.make_signal(alblasserdam)
    client = login(staff(member, maassluis))
    response = client.get(LIST)
    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["referentie"] for r in results] == [signal.reference]
    assert set(results[0]) == {
        "referentie",
        "gemeente",
        "ontvangen",
        "categorie",
        "familie",
        "status",
        "uitkomst",
        "deadline",
        "kanaal",
    }
    text = response.content.decode()
    for secret in ("Vries", "Jan", "Verzonnen omschrijving", "Geheimestraat", "Melder Proef"):
        assert secret not in text
    assert client.get(LIST, {"org": "gm0556"}).status_code == 200
    assert client.get(LIST, {"org": "gm0482"}).status_code == 404


def test_list_by_grant_only(maassluis: Organisation, member: Member, login: Login) -> None:
    factories.make_signal(maassluis)  # Woonoverlast: zorg & veiligheid
    client = login(staff(member, maassluis, "ondermijning"))
    assert client.get(LIST).json()["results"] == []


def test_detail_needs_a_purpose_and_is_logged(
    maassluis: Organisation, member: Member, login: Login
) -> None:
    signal = factories.make_signal(maassluis, reporter_name="Melder Proef")
    user = staff(member, maassluis, "zorg_veiligheid")
    client = login(user)
    refused = client.get(detail(signal))
    assert refused.status_code == 400
    assert "meldpunt-beoordelen" in [d["code"] for d in refused.json()["doelen"]]
    assert "X-Regie-Purpose" in refused.json()["detail"]
    assert client.get(detail(signal), HTTP_X_REGIE_PURPOSE="onzin").status_code == 400
    assert not ReadLogEntry.objects.exists()
    response = client.get(detail(signal), **PURPOSE)
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["omschrijving"] == "Verzonnen omschrijving van overlast"
    assert data["betrokkenen"][0]["achternaam"] == "Vries"
    assert data["melder"] == {
        "type": "medewerker",
        "afgeschermd": True,
        "naam": None,
        "telefoon": None,
        "email": None,
    }
    assert data["hermeldingen"] == {"person": 0}
    entry = ReadLogEntry.objects.get()
    assert entry.surface == "api"
    assert entry.operation == "api.signal.detail"
    assert entry.object_ref == signal.reference
    assert entry.user == user
    assert entry.processing_activity_code == "meldpunt-beoordelen"
    assert entry.fields == ["description", "location", "subjects"]


def test_detail_shows_contact_with_its_grant(
    maassluis: Organisation, member: Member, login: Login
) -> None:
    signal = factories.make_signal(maassluis, reporter_name="Melder Proef")
    client = login(staff(member, maassluis))
    data = client.get(detail(signal), **PURPOSE).json()
    assert data["melder"]["naam"] == "Melder Proef"
    assert not data["melder"]["afgeschermd"]
    assert "reporter_name" in ReadLogEntry.objects.get().fields


def test_other_gemeente_is_not_found(
    maassluis: Organisation, alblasserdam: Organisation, member: Member, login: Login
) -> None:
    signal = factories.make_signal(maassluis)
    client = login(staff(member, alblasserdam))
    assert client.get(detail(signal), **PURPOSE).status_code == 404
    assert client.get(detail(signal)).status_code == 404  # not found before the purpose


def test_partner_token_sees_only_reported_or_shared(
    maassluis: Organisation, politie: Organisation
) -> None:
    signal = factories.make_signal(maassluis)
    client = token_client(politie, ApiTokenScope.READ)
    assert client.get(detail(signal), **PURPOSE).status_code == 404
    assert client.get(LIST).json()["results"] == []
    services.share(signal, organisation=politie, by=None, label="test")
    response = client.get(detail(signal), **PURPOSE)
    assert response.status_code == 200, response.content
    assert response.json()["hermeldingen"] is None
    assert response.json()["melder"]["afgeschermd"]
    entry = ReadLogEntry.objects.get()
    assert entry.user is None
    assert entry.actor_organisation == "Politie Proef"
    assert [r["referentie"] for r in client.get(LIST).json()["results"]] == [signal.reference]


def test_partner_token_sees_what_it_reported(
    maassluis: Organisation, politie: Organisation
) -> None:
    client = token_client(politie)
    reference = post(client, BODY).json()["referentie"]
    listed = client.get(LIST).json()["results"]
    assert [r["referentie"] for r in listed] == [reference]
    assert client.get(f"{LIST}{reference}/", **PURPOSE).status_code == 200


def test_gemeente_organisation_token_sees_no_signals(maassluis: Organisation) -> None:
    signal = factories.make_signal(maassluis)
    client = token_client(maassluis)
    assert client.get(LIST).json()["results"] == []
    assert client.get(detail(signal), **PURPOSE).status_code == 404


def test_personal_token_has_its_users_view(maassluis: Organisation, member: Member) -> None:
    signal = factories.make_signal(maassluis)
    user = staff(member, maassluis)
    client = token_client(maassluis, ApiTokenScope.READ, user=user)
    assert client.get(detail(signal), **PURPOSE).status_code == 200
    assert ReadLogEntry.objects.get().user == user


def test_anonymous_is_refused(maassluis: Organisation) -> None:
    signal = factories.make_signal(maassluis)
    assert Client().get(LIST).status_code == 403
    assert Client().get(detail(signal)).status_code == 403
    assert post(Client(), BODY).status_code == 403
