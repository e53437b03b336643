"""The monitor's JSON API through HTTP: filters, null values, derived figures and tenancy."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from regie.accounts.models import Role
from regie.areas.models import Area, AreaLevel
from regie.monitor import selectors
from regie.monitor.sources.base import Status
from regie.monitor.tests.factories import load

pytestmark = pytest.mark.django_db

OBSERVATIONS = reverse("api:observation_list")


def figure_url(area: str, measure: str, period: str, **query: str) -> str:
    url = reverse("api:figure", kwargs={"area": area, "measure": measure, "period": period})
    return f"{url}?{urlencode(query)}" if query else url


@pytest.fixture
def figures(areas, maassluis, alblasserdam):
    """Open data for Maassluis and NL, plus own figures of Maassluis and of Alblasserdam."""
    Area.objects.create(
        code="GM0482", name="Alblasserdam", level=AreaLevel.GEMEENTE, parent=areas["pv"], source="t"
    )
    load(("GM0556", "cbs:T001161", "2022", 1245.0, Status.VOORLOPIG), table="83648NED")
    load(
        ("GM0556", "politie:1.1.1", "2022", 40.0),
        ("GM0556", "politie:1.4.6", "2022", 3.0),
        ("GM0556", "politie:1.4.7", "2022", 1.0),
        ("GM0556", "politie:1.1.1", "2022H1", 22.0),
        ("GM0556", "politie:1.1.1", "2023M10", 4.0),
        ("GM0556", "politie:1.1.1", "2019", 55.0),
        ("GM0556", "politie:1.4.6", "2019", None),
        ("GM0556", "politie:1.4.7", "2019", 2.0),
        ("NL01", "politie:1.1.1", "2022", 20500.5),
        table="47022NED",
    )
    load(("GM0556", "politie:1.1.1", "2021", 31.0), table="EIGEN", organisation=maassluis)
    load(
        ("GM0482", "politie:1.1.1", "2021", 777.0),
        ("GM0556", "politie:1.1.1", "2021", 888.0),
        table="EIGEN",
        organisation=alblasserdam,
    )


def rows(client: Client, **query: str | list[str]) -> list[dict]:
    response = client.get(OBSERVATIONS, query)
    assert response.status_code == 200, response.content
    return response.json()["results"]


def test_observation_rows_carry_value_status_and_lineage(figures, member, maassluis, login):
    client = login(member(maassluis, Role.RAADPLEGER))
    (row,) = rows(client, measure="cbs:T001161")
    assert row["area"] == "GM0556"
    assert row["period"] == "2022"
    assert row["period_type"] == "year"
    assert row["value"] == 1245
    assert isinstance(row["value"], int)
    assert row["status"] == "voorlopig"
    assert (row["source"], row["table"], row["owner"]) == ("CBS", "83648NED", None)
    assert isinstance(row["import"], int)
    assert row["vintage"]


def test_observation_filters(figures, member, maassluis, login):
    client = login(member(maassluis, Role.ADVISEUR))
    got = rows(client, measure="politie:1.1.1", area="GM0556", period_type="year")
    assert [(r["period"], r["owner"]) for r in got] == [
        ("2019", None),
        ("2021", "gm0556"),
        ("2022", None),
    ]
    both = rows(client, measure="politie:1.1.1", area="GM0556,NL01", period_type="year")
    assert {r["area"] for r in both} == {"GM0556", "NL01"}
    repeated = rows(client, measure="politie:1.1.1", area=["GM0556", "NL01"], period_from="2022")
    assert {r["area"] for r in repeated} == {"GM0556", "NL01"}
    assert 20500.5 in [r["value"] for r in repeated]


def test_period_range_compares_dates_not_strings(figures, member, maassluis, login):
    client = login(member(maassluis, Role.ADVISEUR))
    got = rows(client, measure="politie:1.1.1", area="GM0556", period_from="2022H1")
    # 2022 starts before 2022H1 ends but also on 1 January: it starts on or after 2022-01-01.
    assert sorted(r["period"] for r in got) == ["2022", "2022H1", "2023M10"]
    got = rows(client, measure="politie:1.1.1", area="GM0556", period_to="2022H1")
    assert sorted(r["period"] for r in got) == ["2019", "2021", "2022H1"]
    got = rows(
        client, measure="politie:1.1.1", area="GM0556", period_from="2023", period_to="2023M10"
    )
    assert [r["period"] for r in got] == ["2023M10"]  # "2023M10" < "2023" as strings, not as dates
    assert [r["period"] for r in rows(client, period_type="month")] == ["2023M10"]


@pytest.mark.parametrize(
    "query", [{"period_from": "2022Q7"}, {"period_to": "gisteren"}, {"period_type": "decade"}]
)
def test_bad_filters_are_400_with_a_message(figures, member, maassluis, login, query):
    response = login(member(maassluis)).get(OBSERVATIONS, query)
    assert response.status_code == 400
    assert set(response.json()) == set(query)


def test_unpublished_stays_null_not_zero(figures, member, maassluis, login):
    client = login(member(maassluis))
    (row,) = rows(client, measure="politie:1.4.6", period_from="2019", period_to="2019")
    assert row["value"] is None
    response = client.get(figure_url("GM0556", "derived:hic-kern", "2019"))
    assert response.status_code == 200
    assert response.json()["value"] is None
    assert response.json()["components"][1]["value"] is None


def test_derived_figure_is_the_sum_of_its_components(figures, member, maassluis, login):
    response = login(member(maassluis)).get(figure_url("GM0556", "derived:hic-kern", "2022"))
    assert response.status_code == 200
    data = response.json()
    assert data["value"] == 44  # 40 + 3 + 1
    assert data["definition"] == "politie:1.1.1 + politie:1.4.6 + politie:1.4.7"
    assert [c["measure"] for c in data["components"]] == [
        "politie:1.1.1",
        "politie:1.4.6",
        "politie:1.4.7",
    ]


@pytest.mark.parametrize(
    ("area", "measure", "period", "org"),
    [
        ("GM0556", "cbs:T001161", "2022", None),
        ("gm0556", "politie:1.1.1", "2022H1", None),
        ("GM0556", "derived:hic-kern", "2022", None),
        ("GM0556", "politie:1.1.1", "2021", "gm0556"),
        ("NL01", "politie:1.1.1", "2022", "gm0556"),
    ],
)
def test_api_figure_equals_the_selector(
    figures, member, maassluis, login, area, measure, period, org
):
    query = {"org": org} if org else {}
    response = login(member(maassluis)).get(figure_url(area, measure, period, **query))
    assert response.status_code == 200
    expected = selectors.figure(area, measure, period, organisation=maassluis if org else None)
    assert response.json() == expected.as_dict()


def test_twelve_month_window_in_the_path(figures, member, maassluis, login):
    url = figure_url("GM0556", "politie:1.1.1", "2021-03/2022-03")
    assert "/2021-03/2022-03/" in url
    response = login(member(maassluis)).get(url)
    assert response.status_code == 404  # routed to the view; no such figure held
    assert "2021-03/2022-03" in response.json()["detail"]


@pytest.mark.parametrize(
    ("area", "measure", "period"),
    [
        ("GM9999", "politie:1.1.1", "2022"),
        ("GM0556", "politie:9.9.9", "2022"),
        ("GM0556", "politie:1.1.1", "2022Q7"),
        ("GM0556", "politie:1.1.2", "2022"),
    ],
)
def test_figure_not_found_is_404_json(figures, member, maassluis, login, area, measure, period):
    response = login(member(maassluis)).get(figure_url(area, measure, period))
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["detail"]


def test_own_figures_only_with_org_and_a_staff_role(figures, member, maassluis, login):
    client = login(member(maassluis, Role.RAADPLEGER))
    assert client.get(figure_url("GM0556", "politie:1.1.1", "2021")).status_code == 404
    own = client.get(figure_url("GM0556", "politie:1.1.1", "2021", org="gm0556"))
    assert own.status_code == 200
    assert own.json()["value"] == 31
    handhaver = login(member(maassluis, Role.HANDHAVER))
    url = figure_url("GM0556", "politie:1.1.1", "2021", org="gm0556")
    assert handhaver.get(url).status_code == 404
    assert handhaver.get(figure_url("GM0556", "politie:1.1.1", "2022")).status_code == 200


def test_maassluis_never_sees_alblasserdam_figures(figures, member, maassluis, login):
    client = login(member(maassluis, Role.BEHEERDER))
    got = rows(client, measure="politie:1.1.1")
    assert "gm0482" not in {r["owner"] for r in got}
    assert 777 not in [r["value"] for r in got]
    assert 888 not in [r["value"] for r in got]
    assert rows(client, area="GM0482") == []
    for org in ("gm0482", "bestaat-niet"):
        response = client.get(figure_url("GM0482", "politie:1.1.1", "2021", org=org))
        assert response.status_code == 404
        assert "777" not in response.content.decode()
    assert client.get(figure_url("GM0482", "politie:1.1.1", "2021")).status_code == 404


def test_observations_of_every_staff_organisation(figures, member, maassluis, alblasserdam, login):
    user = member(maassluis, Role.ADVISEUR)
    from regie.accounts.tests.factories import MembershipFactory

    MembershipFactory(user=user, organisation=alblasserdam, role=Role.RAADPLEGER)
    got = rows(login(user), measure="politie:1.1.1", period_type="year")
    assert {r["owner"] for r in got} == {None, "gm0556", "gm0482"}
    handhaver = member(maassluis, Role.HANDHAVER)
    got = rows(login(handhaver), measure="politie:1.1.1")
    assert {r["owner"] for r in got} == {None}


def test_measures_list_and_detail(figures, member, maassluis, login):
    client = login(member(maassluis))
    response = client.get(reverse("api:measure_list"), {"source": "derived"})
    assert response.status_code == 200
    codes = [m["code"] for m in response.json()["results"]]
    assert "derived:hic-kern" in codes
    assert all(code.startswith("derived:") for code in codes)
    url = reverse("api:measure_detail", kwargs={"code": "politie:1.1.1"})
    assert url.endswith("/measures/politie:1.1.1/")
    detail = client.get(url)
    assert detail.status_code == 200
    assert (detail.json()["code"], detail.json()["owner"]) == ("politie:1.1.1", None)
    hic = client.get(reverse("api:measure_detail", kwargs={"code": "derived:hic-kern"})).json()
    assert [c["code"] for c in hic["components"]] == [
        "politie:1.1.1",
        "politie:1.4.6",
        "politie:1.4.7",
    ]
    assert client.get(reverse("api:measure_list"), {"source": "nope"}).status_code == 400
    missing = reverse("api:measure_detail", kwargs={"code": "politie:9.9.9"})
    assert client.get(missing).status_code == 404


def test_own_measures_of_another_gemeente_are_hidden(
    figures, member, maassluis, alblasserdam, login
):
    from regie.monitor.services import define_derived_measure

    define_derived_measure(
        key="eigen",
        name="Eigen som",
        components=["politie:1.1.1", "politie:1.4.6"],
        organisation=alblasserdam,
    )
    client = login(member(maassluis))
    codes = [m["code"] for m in client.get(reverse("api:measure_list")).json()["results"]]
    assert "derived:eigen" not in codes
    url = reverse("api:measure_detail", kwargs={"code": "derived:eigen"})
    assert client.get(url).status_code == 404
    assert client.get(figure_url("GM0556", "derived:eigen", "2022")).status_code == 404
    theirs = login(member(alblasserdam)).get(url)
    assert theirs.status_code == 200
    assert theirs.json()["owner"] == "gm0482"


def test_observation_list_query_count_is_bounded(
    figures, member, maassluis, login, django_assert_max_num_queries
):
    client = login(member(maassluis))
    client.get(OBSERVATIONS)  # warm up the session
    load(*[("GM0556", "politie:1.1.2", f"{2000 + i}", float(i)) for i in range(20)], table="X")
    # session, user, OTP device, memberships, count, rows, session save (3): none per row.
    with django_assert_max_num_queries(10):
        response = client.get(OBSERVATIONS, {"limit": 100})
    assert response.status_code == 200
    assert len(response.json()["results"]) > 25


def test_pagination_limit_is_capped(figures, member, maassluis, login):
    client = login(member(maassluis))
    first = client.get(OBSERVATIONS, {"limit": 2}).json()
    assert len(first["results"]) == 2
    assert first["count"] > 2
    assert "offset=2" in first["next"]
    big = client.get(OBSERVATIONS, {"limit": 50_000}).json()
    assert len(big["results"]) == big["count"]  # capped at 10,000, more than held here


def test_anonymous_is_refused(figures):
    for url in (
        OBSERVATIONS,
        reverse("api:measure_list"),
        figure_url("GM0556", "cbs:T001161", "2022"),
    ):
        response = Client().get(url)
        assert response.status_code in {401, 403}, url
        assert response["Content-Type"] == "application/json"


def test_unverified_user_gets_json_not_a_redirect(figures, member, maassluis):
    user = member(maassluis, Role.ADVISEUR)
    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    client = Client()
    client.force_login(user)  # password only, no second factor
    response = client.get(OBSERVATIONS)
    assert response.status_code == 403
    assert response["Content-Type"] == "application/json"
    assert response.json()["detail"]
    enrol = member(maassluis, Role.BEHEERDER)  # must enrol first (no device yet)
    client = Client()
    client.force_login(enrol)
    assert client.get(figure_url("GM0556", "cbs:T001161", "2022")).status_code == 403


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_read_only(figures, member, maassluis, login, method):
    client = login(member(maassluis, Role.BEHEERDER))
    for url in (OBSERVATIONS, figure_url("GM0556", "cbs:T001161", "2022")):
        response = getattr(client, method)(url, {}, content_type="application/json")
        assert response.status_code in {403, 405}, url
