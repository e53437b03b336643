"""Rates per 1,000, comparisons of two periods and the waterbed analysis through the JSON API."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.urls import reverse

from regie.accounts.models import Role
from regie.areas.models import Area, AreaLevel
from regie.monitor.tests.factories import load
from regie.veiligheidsbeeld import insight

pytestmark = pytest.mark.django_db

WATERBED = reverse("api:waterbed")
OWN = "local:huiselijk_geweld_aangiften"


def figure_url(area: str, measure: str, period: str, **query: str) -> str:
    url = reverse("api:figure", kwargs={"area": area, "measure": measure, "period": period})
    return f"{url}?{urlencode(query)}" if query else url


def compare_url(area: str, measure: str, first: str, second: str, **query: str) -> str:
    kwargs = {"area": area, "measure": measure, "first": first, "second": second}
    url = reverse("api:compare", kwargs=kwargs)
    return f"{url}?{urlencode(query)}" if query else url


def waterbed_query(**changes: str) -> dict[str, str]:
    query = {
        "measure": "politie:1.1.1",
        "target": "GM0556",
        "displacement": "WK055601",
        "control": "BU05560101",
        "before": "2023M01:2023M12",
        "after": "2024M01:2024M12",
    }
    query.update(changes)
    return {k: v for k, v in query.items() if v}


@pytest.fixture
def figures(areas, maassluis, alblasserdam):
    """Open yearly and monthly counts; own figures of Maassluis (as in its seed file)."""
    Area.objects.create(
        code="GM0482", name="Alblasserdam", level=AreaLevel.GEMEENTE, parent=areas["pv"], source="t"
    )
    load(
        ("GM0556", "cbs:T001161", "2022", 1245.0),
        ("GM0556", "cbs:T001161", "2021", 1300.0),  # no population held for 2021
        ("GM0556", "cbs:T001161", "2022H1", 600.0),
        table="83648NED",
    )
    load(
        *[
            (area, "politie:1.1.1", f"{year}M{month:02d}", float(base + month % 3))
            for area, base in (("GM0556", 10), ("WK055601", 4), ("BU05560101", 6))
            for year in (2019, 2023, 2024)
            for month in range(1, 13)
        ],
        table="47022NED",
    )
    load(
        ("GM0556", OWN, "2019", 66.0),
        ("GM0556", OWN, "2021", 32.0),
        ("GM0556", OWN, "2022H1", 27.0),
        ("GM0556", "local:huisverboden", "2019", 19.0),
        ("GM0556", "local:huisverboden", "2021", 14.0),
        table="lokaal:gm0556",
        organisation=maassluis,
    )


def test_per_1000_adds_the_rate_with_its_population(figures, member, maassluis, login):
    client = login(member(maassluis, Role.RAADPLEGER))
    response = client.get(figure_url("GM0556", "cbs:T001161", "2022", per="1000"))
    assert response.status_code == 200, response.content
    data = response.json()
    assert data == insight.rate_figure("GM0556", "cbs:T001161", "2022", organisation=None).as_dict()
    assert data["value"] == 1245
    rate = data["per_1000"]
    assert round(rate["value"], 1) == 36.5  # 1245 / 34,110 × 1,000
    assert rate["lower"] < rate["value"] < rate["upper"]
    assert (rate["population"], rate["population_date"]) == (34110, "2022-01-01")
    plain = client.get(figure_url("GM0556", "cbs:T001161", "2022")).json()
    assert "per_1000" not in plain


@pytest.mark.parametrize(
    ("period", "per", "status", "code"),
    [
        ("2022", "100", 400, "per"),
        ("2022H1", "1000", 400, "not_a_year"),
        ("2021", "1000", 400, "no_population"),
        ("2019", "1000", 404, "not_found"),
    ],
)
def test_per_1000_refusals_say_why(figures, member, maassluis, login, period, per, status, code):
    response = login(member(maassluis)).get(figure_url("GM0556", "cbs:T001161", period, per=per))
    assert response.status_code == status
    assert response.json()["code"] == code
    assert response.json()["detail"]


def test_compare_gives_the_comparison_of_insight(figures, member, maassluis, login):
    client = login(member(maassluis, Role.ADVISEUR))
    response = client.get(compare_url("GM0556", OWN, "2019", "2021", org="gm0556"))
    assert response.status_code == 200, response.content
    data = response.json()
    expected = insight.compare_periods("GM0556", OWN, "2019", "2021", organisation=maassluis)
    assert data == expected.as_dict()
    assert (data["first"]["value"], data["second"]["value"], data["difference"]) == (66, 32, -34)
    assert data["percent_change"] == -51.5
    assert data["test"]["verdict"] == "lower"
    small = client.get(compare_url("GM0556", "local:huisverboden", "2019", "2021", org="gm0556"))
    assert small.status_code == 200
    assert small.json()["percent_change"] is None  # 14 < 20: small numbers, no percentage
    assert small.json()["test"]["small_counts"] is True


def test_compare_not_alike_is_422_with_the_explanation(figures, member, maassluis, login):
    client = login(member(maassluis, Role.ADVISEUR))
    response = client.get(compare_url("GM0556", OWN, "2022H1", "2021", org="gm0556"))
    assert response.status_code == 422
    data = response.json()
    assert data["code"] == "not_alike"
    assert "2022H1" in data["detail"]
    assert "2021" in data["detail"]


@pytest.mark.parametrize(
    ("first", "second", "status", "code"),
    [("2019", "2020", 404, "not_found"), ("2019", "2022Q7", 400, "period")],
)
def test_compare_errors(figures, member, maassluis, login, first, second, status, code):
    client = login(member(maassluis))
    response = client.get(compare_url("GM0556", OWN, first, second, org="gm0556"))
    assert response.status_code == status
    assert response.json()["code"] == code


def test_another_gemeentes_own_figures_stay_hidden(figures, member, alblasserdam, login):
    client = login(member(alblasserdam, Role.BEHEERDER))
    for query in ({}, {"org": "gm0556"}, {"org": "gm0482"}):
        response = client.get(compare_url("GM0556", OWN, "2019", "2021", **query))
        assert response.status_code == 404, query
        assert "66" not in response.content.decode()
    response = client.get(figure_url("GM0556", OWN, "2019", per="1000", org="gm0556"))
    assert response.status_code == 404


def test_handhaver_gets_no_own_figures(figures, member, maassluis, login):
    client = login(member(maassluis, Role.HANDHAVER))
    response = client.get(compare_url("GM0556", OWN, "2019", "2021", org="gm0556"))
    assert response.status_code == 404


def test_waterbed_computes_wdd_and_wdq(figures, member, maassluis, login):
    response = login(member(maassluis)).get(WATERBED, waterbed_query())
    assert response.status_code == 200, response.content
    data = response.json()
    expected = insight.waterbed(
        "politie:1.1.1",
        target=["GM0556"],
        displacement=["WK055601"],
        control_target=["BU05560101"],
        before=insight.parse_window("2023M01:2023M12"),
        after=insight.parse_window("2024M01:2024M12"),
        organisation=None,
    )
    assert data == expected.as_dict()
    counts = data["counts"]
    # Every month holds base + month % 3: 12·base + 12 a year for each area.
    assert (counts["target_before"], counts["target_after"]) == (132, 132)
    assert counts["control_displacement_before"] == counts["control_target_before"] == 84
    assert data["wdd"]["value"] == 0
    assert data["areas"]["control_displacement"] == ["BU05560101"]


@pytest.mark.parametrize(
    ("changes", "status", "code"),
    [
        ({"after": "2024M01:2024M06"}, 422, "unequal_length"),
        ({"before": "2019M01:2019M12", "after": "2020M01:2020M12"}, 422, "covid"),
        ({"after": "2024M03:2025M02"}, 422, "different_months"),
        ({"before": "2023"}, 400, "window"),
        ({"control": ""}, 400, "required"),
        ({"measure": "politie:9.9.9"}, 400, "measure"),
        ({"target": "GM9999"}, 400, "areas"),
        ({"before": "2022M01:2022M12"}, 400, "missing"),
    ],
)
def test_waterbed_refusals_say_why(figures, member, maassluis, login, changes, status, code):
    response = login(member(maassluis)).get(WATERBED, waterbed_query(**changes))
    assert response.status_code == status, response.content
    assert response.json()["code"] == code
    assert response.json()["detail"]


def test_waterbed_of_another_gemeente_is_404(figures, member, alblasserdam, login):
    client = login(member(alblasserdam, Role.BEHEERDER))
    assert client.get(WATERBED, waterbed_query(org="gm0556")).status_code == 404
    own = waterbed_query(measure=OWN, before="2023M01:2023M12", after="2024M01:2024M12")
    response = client.get(WATERBED, {**own, "org": "gm0482"})
    assert response.status_code == 400  # Maassluis's own figures are not there to count
    assert response.json()["code"] == "missing"


# --- Statistics rules through the API (issue 14) ----------------------------------------------


def test_compare_reads_in_time_order_whatever_the_url_order(figures, member, maassluis, login):
    client = login(member(maassluis, Role.RAADPLEGER))
    reversed_url = client.get(compare_url("GM0556", OWN, "2021", "2019", org="gm0556"))
    in_order = client.get(compare_url("GM0556", OWN, "2019", "2021", org="gm0556"))
    assert reversed_url.status_code == 200, reversed_url.content
    data = reversed_url.json()
    assert data == in_order.json()
    assert (data["first"]["period"], data["second"]["period"]) == ("2019", "2021")
    assert data["difference"] == -34
    assert data["test"]["verdict"] == "lower"
    assert data["kind"] == "event_count"


def test_compare_of_the_same_period_is_422(figures, member, maassluis, login):
    client = login(member(maassluis, Role.RAADPLEGER))
    response = client.get(compare_url("GM0556", "cbs:T001161", "2022", "2022"))
    assert response.status_code == 422
    assert response.json()["code"] == "not_alike"


def test_waterbed_refuses_one_area_in_two_roles_with_422(figures, member, maassluis, login):
    response = login(member(maassluis)).get(
        WATERBED, waterbed_query(displacement="BU05560101", control="BU05560101")
    )
    assert response.status_code == 422, response.content
    assert response.json()["code"] == "roles"


def test_figure_of_a_survey_measure_has_its_margin_and_kind(areas, member, maassluis, login):
    vm = "vm:onveilig_buurt_pct"
    load(
        ("GM0556", vm, "2023", 19.9),
        ("GM0556", f"{vm}.ondergrens", "2023", 17.6),
        ("GM0556", f"{vm}.bovengrens", "2023", 22.3),
        table="81877NED",
    )
    client = login(member(maassluis, Role.RAADPLEGER))
    data = client.get(figure_url("GM0556", vm, "2023")).json()
    assert data["margin"] == {"lower": 17.6, "upper": 22.3}
    assert data["kind"] == "survey_pct"
    measure = client.get(reverse("api:measure_detail", kwargs={"code": vm})).json()
    assert measure["kind"] == "survey_pct"
