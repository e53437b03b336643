"""The areas JSON API: open data for every logged-in user."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from regie.accounts.models import Role
from regie.areas.models import Area, Population

pytestmark = pytest.mark.django_db

AREAS = reverse("api:area_list")


def codes(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [a["code"] for a in response.json()["results"]]


def test_list_every_area_by_code(areas, member, maassluis, login):
    response = login(member(maassluis, Role.HANDHAVER)).get(AREAS)
    assert codes(response) == ["BU05560101", "GM0556", "NL01", "PV28", "RE07", "WK055601"]
    gm = next(a for a in response.json()["results"] if a["code"] == "GM0556")
    assert gm == {
        "code": "GM0556",
        "name": "Maassluis",
        "level": "gemeente",
        "parent": "PV28",
        "politie_eenheid": "RE07",
        "veiligheidsregio": None,
        "active": True,
        "valid_from": None,
        "valid_to": None,
        "successors": [],
        "population": 34110,
        "population_year": 2022,
    }


def test_filter_by_level_and_parent(areas, member, maassluis, login):
    client = login(member(maassluis))
    assert codes(client.get(AREAS, {"level": "gemeente"})) == ["GM0556"]
    assert codes(client.get(AREAS, {"parent": "gm0556"})) == ["WK055601"]
    assert codes(client.get(AREAS, {"parent": "NL01"})) == ["PV28", "RE07"]
    assert codes(client.get(AREAS, {"level": "wijk", "parent": "NL01"})) == []
    response = client.get(AREAS, {"level": "land"})
    assert response.status_code == 400
    assert "level" in response.json()


def test_detail_has_population_per_year(areas, member, maassluis, login):
    Population.objects.create(area=areas["gm"], year=2021, value=33800, source="test")
    response = login(member(maassluis)).get(reverse("api:area_detail", kwargs={"code": "GM0556"}))
    assert response.status_code == 200
    data = response.json()
    assert data["name"] == "Maassluis"
    assert data["population"] == 34110
    assert data["populations"] == [
        {"year": 2021, "value": 33800, "source": "test"},
        {"year": 2022, "value": 34110, "source": "test"},
    ]


def test_detail_unknown_code_is_404_json(areas, member, maassluis, login):
    response = login(member(maassluis)).get(reverse("api:area_detail", kwargs={"code": "GM9999"}))
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"


def test_list_queries_do_not_grow_with_areas(
    areas, member, maassluis, login, django_assert_max_num_queries
):
    for i in range(2, 12):
        area = Area.objects.create(
            code=f"WK0556{i:02d}", name=f"Wijk {i}", level="wijk", parent=areas["gm"], source="t"
        )
        Population.objects.create(area=area, year=2022, value=100 + i, source="t")
    client = login(member(maassluis))
    client.get(AREAS)
    # session, user, OTP device, count, rows, successors, session save (3): none per area.
    with django_assert_max_num_queries(9):
        assert len(codes(client.get(AREAS))) == 16


def test_anonymous_and_writes_are_refused(areas, member, maassluis, login):
    assert Client().get(AREAS).status_code in {401, 403}
    client = login(member(maassluis, Role.BEHEERDER))
    assert client.post(AREAS, {}).status_code in {403, 405}
    url = reverse("api:area_detail", kwargs={"code": "GM0556"})
    assert client.delete(url).status_code in {403, 405}


def test_former_gemeente_has_validity_successors_and_names(areas, member, maassluis, login):
    from datetime import date

    from regie.areas.models import AreaName

    former = Area.objects.create(
        code="GM0545",
        name="Leerdam",
        level="gemeente",
        parent=areas["pv"],
        active=False,
        valid_to=date(2019, 1, 1),
        source="t",
    )
    former.successors.set([areas["gm"]])
    AreaName.objects.create(area=areas["bu"], year=2023, name="Oude buurt", source="t")
    AreaName.objects.create(area=areas["bu"], year=2024, name="Buurt 01", source="t")
    client = login(member(maassluis))
    row = next(a for a in client.get(AREAS).json()["results"] if a["code"] == "GM0545")
    assert (row["active"], row["valid_from"], row["valid_to"]) == (False, None, "2019-01-01")
    assert row["successors"] == ["GM0556"]
    detail = client.get(reverse("api:area_detail", kwargs={"code": "GM0556"})).json()
    assert detail["predecessors"] == ["GM0545"]
    buurt = client.get(reverse("api:area_detail", kwargs={"code": "BU05560101"})).json()
    assert buurt["names"] == [
        {"year": 2023, "name": "Oude buurt"},
        {"year": 2024, "name": "Buurt 01"},
    ]
