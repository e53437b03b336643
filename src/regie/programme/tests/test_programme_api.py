"""The programme API: own gemeente only (another's is 404, as one that does not exist), tokens of
one organisation, the list with its counts, the detail with actions and effort (never effect)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from regie.accounts import services as account_services
from regie.accounts.models import Role, User
from regie.core.models import Organisation
from regie.programme.models import Programme
from regie.programme.tests.test_programme_file import build_programme, make_plan

pytestmark = pytest.mark.django_db

Login = Callable[[User], Client]
Member = Callable[[Organisation, str], User]


@pytest.fixture
def programmes(maassluis: Organisation, alblasserdam: Organisation) -> dict[str, Programme]:
    """An adopted programme 2024 of each gemeente, by CBS code."""
    return {org.cbs_code: build_programme(make_plan(org)) for org in (alblasserdam, maassluis)}


def script(organisation: Organisation) -> Client:
    created = account_services.create_token(
        organisation=organisation, name="Script", created_by=None
    )
    return Client(HTTP_AUTHORIZATION=f"Bearer {created.secret}")


def detail(programme: Programme) -> str:
    return reverse("api:programme_detail", kwargs={"pk": programme.pk})


def test_list_shows_own_programmes_with_counts(
    programmes: dict[str, Programme], member: Member, login: Login
) -> None:
    client = login(member(programmes["GM0482"].organisation, Role.RAADPLEGER))
    response = client.get(reverse("api:programme_list"))
    assert response.status_code == 200, response.content
    results = response.json()["results"]
    assert [r["gemeente"] for r in results] == ["GM0482"]
    item = results[0]
    assert item["period"] == "2024"
    assert item["state"] == "vastgesteld"
    assert item["adopted_on"] == "2024-03-12"
    assert item["plan"] == programmes["GM0482"].plan_id
    assert item["action_counts"] == {
        "niet_gestart": 1,
        "loopt": 1,
        "vertraagd": 0,
        "gereed": 0,
        "vervallen": 0,
        "total": 2,
    }


def test_detail_gives_actions_and_effort_per_goal(
    programmes: dict[str, Programme], member: Member, login: Login
) -> None:
    programme = programmes["GM0482"]
    client = login(member(programme.organisation, Role.ADVISEUR))
    response = client.get(detail(programme))
    assert response.status_code == 200, response.content
    data = response.json()
    first = data["actions"][0]
    assert first["key"] == "buurtpreventie-uitbreiden"
    assert first["goals"] == [
        "veilige-woonomgeving/woninginbraak/minder-inbraken",
        "veilige-woonomgeving/woninginbraak/meer-preventie",
    ]
    assert first["budget"] == "12000.50"
    assert first["spent"] == 9000
    assert first["scenario_line"] == {
        "theme": "woninginbraak",
        "scenario": "B",
        "line": "Buurtpreventie",
    }
    assert first["notes"][0]["moment"] == "2024H1"
    assert data["actions"][1]["budget"] is None
    goals = {g["path"]: g for g in data["goals"]}
    assert goals["jeugd/overlast/minder-overlast"]["effort"]["effort"] == "niet_gestart"
    assert goals["jeugd/overlast/minder-overlast"]["actions"] == ["jongerenwerk"]
    inbraak = goals["veilige-woonomgeving/woninginbraak/minder-inbraken"]["effort"]
    assert inbraak["effort"] == "volgens_planning"
    assert inbraak["counts"]["loopt"] == 1
    # effort only: no indicator status anywhere in the goal
    overlast = goals["jeugd/overlast/minder-overlast"]
    assert set(overlast) == {"id", "path", "aim", "actions", "effort"}
    assert data["evaluation"] == {"summary": "Goed op weg.", "proposals": "Doorgaan."}


def test_another_gemeentes_programme_is_not_found(
    programmes: dict[str, Programme], member: Member, login: Login
) -> None:
    client = login(member(programmes["GM0482"].organisation, Role.ADVISEUR))
    assert client.get(detail(programmes["GM0556"])).status_code == 404
    assert client.get(reverse("api:programme_list"), {"org": "gm0556"}).status_code == 404
    missing = reverse("api:programme_detail", kwargs={"pk": 999999})
    assert client.get(missing).status_code == 404


def test_anonymous_is_refused(programmes: dict[str, Programme]) -> None:
    anonymous = Client()
    assert anonymous.get(reverse("api:programme_list")).status_code in {401, 403}
    assert anonymous.get(detail(programmes["GM0482"])).status_code in {401, 403}


def test_a_write_is_refused(programmes: dict[str, Programme], member: Member, login: Login) -> None:
    client = login(member(programmes["GM0482"].organisation, Role.BEHEERDER))
    url = detail(programmes["GM0482"])
    assert client.post(url, {}, content_type="application/json").status_code in {403, 405}
    assert client.delete(url).status_code in {403, 405}


def test_organisation_token_reads_its_own_programmes_only(
    programmes: dict[str, Programme],
) -> None:
    client = script(programmes["GM0482"].organisation)
    own = client.get(detail(programmes["GM0482"]))
    assert own.status_code == 200, own.content
    listed = client.get(reverse("api:programme_list")).json()["results"]
    assert {r["gemeente"] for r in listed} == {"GM0482"}
    assert client.get(detail(programmes["GM0556"])).status_code == 404
    assert client.get(reverse("api:programme_list"), {"org": "gm0556"}).status_code == 404
