"""The waterbed page for people (issue 15): choices from lists of what holds figures, defaults that
give a result, every problem at once with the choices kept, tenancy and permissions."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from regie.accounts.models import Role
from regie.areas.models import Area, AreaLevel
from regie.monitor.sources.base import Status
from regie.monitor.tests.factories import load
from regie.stats.waterbed import Window, window_problems
from regie.veiligheidsbeeld import insight, waterbed_data
from regie.veiligheidsbeeld.tests.test_insight import import_as

pytestmark = pytest.mark.django_db

URL = "/gm0556/veiligheidsbeeld/waterbed/"
MEASURE = "politie:1.1.1"
YEARS = (2019, 2022, 2023, 2024)


def _months(*years: int) -> list[tuple[int, int]]:
    return [(year, month) for year in years for month in range(1, 13)]


@pytest.fixture
def monthly(areas: Any, maassluis: Any, alblasserdam: Any) -> dict[str, Area]:
    """Monthly open counts for Maassluis, its neighbour Vlaardingen and Alblasserdam (same
    politie-eenheid), with a gap in Vlaardingen (March 2022) and a month still being counted
    (December 2024, an incident list); Alblasserdam's own figures of a local measure."""
    vlaardingen = Area.objects.create(
        code="GM0622",
        name="Vlaardingen",
        level=AreaLevel.GEMEENTE,
        parent=areas["pv"],
        politie_eenheid=areas["re07"],
        source="t",
    )
    alblasserdam_area = Area.objects.create(
        code="GM0482",
        name="Alblasserdam",
        level=AreaLevel.GEMEENTE,
        parent=areas["pv"],
        politie_eenheid=areas["re07"],
        source="t",
    )
    Area.objects.create(
        code="WK048201", name="Alblasserdam-Noord", level=AreaLevel.WIJK,
        parent=alblasserdam_area, source="t",
    )  # fmt: skip
    import_as(
        "incidents",
        *[
            (code, MEASURE, f"{year}M{month:02d}", float(base + (month * year) % 5))
            for code, base in (("GM0556", 30), ("GM0622", 60), ("GM0482", 25))
            for year, month in _months(*YEARS)
            if (year, month) != (2024, 12) and not (code == "GM0622" and (year, month) == (2022, 3))
        ],
        *[(code, MEASURE, "2024M12", 3.0, Status.VOORLOPIG) for code in ("GM0556", "GM0622")],
        *[("GM0482", MEASURE, "2024M12", 20.0)],
        table="47022NED",
    )
    # Alblasserdam's own monthly figures: invisible to Maassluis.
    load(
        *[
            (code, "local:woninginbraak", f"{year}M{month:02d}", 777.0)
            for code in ("GM0482", "WK048201")
            for year, month in _months(2023, 2024)
        ],
        *[("WK048201", MEASURE, f"{y}M{m:02d}", 555.0) for y, m in _months(2023, 2024)],
        table="lokaal:gm0482",
        organisation=alblasserdam,
    )
    return {"gm": areas["gm"], "vlaardingen": vlaardingen, "alblasserdam": alblasserdam_area}


def _options(page: str, name: str) -> list[str]:
    select = re.search(rf'<select name="{name}".*?</select>', page, re.S)
    assert select, name
    return re.findall(r'<option value="([^"]*)"', select.group(0))


def _selected(page: str, name: str) -> str:
    select = re.search(rf'<select name="{name}".*?</select>', page, re.S)
    assert select, name
    found = re.search(r'<option value="([^"]*)"[^>]*selected', select.group(0))
    return found.group(1) if found else ""


def _checked(page: str, name: str) -> set[str]:
    return set(
        re.findall(rf'<input type="checkbox" name="{name}" value="([^"]*)"[^>]*checked', page)
    )


def _query(**changes: Any) -> dict[str, Any]:
    query: dict[str, Any] = {
        "measure": MEASURE,
        "target": ["GM0556"],
        "displacement": ["GM0622"],
        "control": ["GM0482"],
        "before_from": "2022M12",
        "before_to": "2023M11",
        "after_from": "2023M12",
        "after_to": "2024M11",
    }
    query.update(changes)
    return {k: v for k, v in query.items() if v is not None}


def test_the_page_with_its_defaults_gives_a_result(monthly, member, maassluis, login):
    response = login(member(maassluis, Role.RAADPLEGER)).get(URL)
    assert response.status_code == 200
    result = response.context["result"]
    assert result is not None, response.context["form"].errors
    # The gemeente itself, its neighbour (shared boundary) and a gemeente further away.
    assert result.groups["target"] == ["GM0556"]
    assert result.groups["displacement"] == ["GM0622"]
    assert result.groups["control_target"] == ["GM0482"]
    # The latest twelve whole months of all three, against the same months a year earlier:
    # December 2024 is still being counted, so the windows end in November.
    assert result.after == waterbed_data.window((2023, 12), (2024, 11))
    assert result.before == waterbed_data.window((2022, 12), (2023, 11))
    # The page shows the same numbers as the service the API and CLI use.
    expected = insight.waterbed(
        MEASURE,
        target=["GM0556"],
        displacement=["GM0622"],
        control_target=["GM0482"],
        before=result.before,
        after=result.after,
        organisation=maassluis,
    )
    assert result.as_dict() == expected.as_dict()
    page = response.content.decode()
    assert "Vlaardingen" in page
    assert "Alblasserdam" in page
    # Codes only in the technical details.
    before_details = page.split("<details", 1)[0]
    assert "GM0622" not in before_details
    assert MEASURE not in before_details
    assert "december 2023" in page  # months in words


def test_only_months_with_complete_figures_are_offered(monthly, member, maassluis, login):
    page = login(member(maassluis)).get(URL).content.decode()
    offered = _options(page, "before_from")
    assert offered == _options(page, "after_to")
    # Every month some area holds complete (December 2024 is complete in Alblasserdam only);
    # no year without figures (2017, 2018) and no COVID year.
    assert offered == [waterbed_data.month_code(m) for m in _months(*YEARS)]
    assert ">januari 2023<" in page
    # A window over Vlaardingen's missing month or the incomplete month is refused by name.
    response = login(member(maassluis)).get(
        URL,
        _query(
            before_from="2022M01",
            before_to="2022M12",
            after_from="2024M01",
            after_to="2024M12",
        ),
    )
    form = response.context["form"]
    assert response.context["result"] is None
    assert "Vlaardingen" in " ".join(form.errors["before_from"])
    assert "maart 2022" in " ".join(form.errors["before_from"])
    assert "december 2024" in " ".join(form.errors["after_from"])


def test_months_outside_the_offer_are_refused(monthly, member, maassluis, login):
    response = login(member(maassluis)).get(URL, _query(before_from="2020M01", before_to="2020M11"))
    assert set(response.context["form"].errors) >= {"before_from", "before_to"}
    assert response.context["result"] is None


def test_an_impossible_choice_shows_every_problem_at_once_and_keeps_the_choices(
    monthly, member, maassluis, login
):
    query = _query(
        displacement=["GM0556"],  # the target area again
        control=[],  # none
        after_from="2024M03",  # not the same months, and 9 months against 12
    )
    response = login(member(maassluis)).get(URL, query)
    assert response.status_code == 200
    assert response.context["result"] is None
    errors = response.context["form"].errors
    assert set(errors) == {"displacement", "control", "after_from", "after_to"}
    assert len(response.context["problems"]) == sum(len(e) for e in errors.values())
    page = response.content.decode()
    for name in errors:
        assert f'href="#field-{name}"' in page
    # What the user chose is still chosen.
    assert _checked(page, "target") == {"GM0556"}
    assert _checked(page, "displacement") == {"GM0556"}
    assert _selected(page, "after_from") == "2024M03"
    assert _selected(page, "before_to") == "2023M11"


def test_window_problems_are_all_named(monthly: Any) -> None:
    before = waterbed_data.window((2023, 1), (2023, 12))
    after = waterbed_data.window((2024, 3), (2024, 12))
    codes = [p.code for p in window_problems(before, after)]
    assert codes == ["unequal_length", "different_months"]
    covid = window_problems(
        waterbed_data.window((2021, 6), (2021, 6)), waterbed_data.window((2021, 3), (2021, 3))
    )
    assert [p.code for p in covid] == ["order", "different_months", "covid"]
    assert window_problems(before, waterbed_data.window((2024, 1), (2024, 12))) == []


def test_choosing_another_measure_gives_its_defaults(monthly, member, maassluis, login):
    load(
        *[
            (code, "politie:1.4.6", f"{year}M{month:02d}", 9.0 + month % 4)
            for code in ("GM0556", "GM0622", "GM0482")
            for year, month in _months(2023, 2024)
        ],
        table="47022NED",
    )
    client = login(member(maassluis))
    response = client.get(URL, {**_query(), "measure": "politie:1.4.6", "step": "measure"})
    result = response.context["result"]
    assert result is not None, response.context["form"].errors
    assert result.measure == "politie:1.4.6"
    assert result.after == waterbed_data.window((2024, 1), (2024, 12))


def test_another_gemeentes_figures_and_areas_cannot_be_chosen(
    monthly, member, maassluis, alblasserdam, login
):
    client = login(member(maassluis))
    page = client.get(URL).content.decode()
    assert "WK048201" not in page  # Alblasserdam's own wijk figures are not offered
    assert 'value="local:woninginbraak"' not in page
    # Asking for them anyway: form errors, never Alblasserdam's figures.
    response = client.get(URL, _query(measure="local:woninginbraak"))
    assert "measure" in response.context["form"].errors
    assert response.context["result"] is None
    response = client.get(URL, _query(control=["WK048201"]))
    assert "control" in response.context["form"].errors
    assert response.context["result"] is None
    for response in (client.get(URL), client.get(URL, _query(control=["WK048201"]))):
        page = response.content.decode()
        assert "777" not in page
        assert "555" not in page
    # The target area is the gemeente's own (another gemeente is a displacement or control area).
    response = client.get(URL, _query(target=["GM0622"], displacement=["GM0556"]))
    assert "target" in response.context["form"].errors
    # Alblasserdam's page is not even there for a Maassluis member.
    assert client.get("/gm0482/veiligheidsbeeld/waterbed/").status_code == 404


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.BEHEERDER, 200),
        (Role.ADVISEUR, 200),
        (Role.RAADPLEGER, 200),
        (Role.HANDHAVER, 403),
        (Role.KETENPARTNER, 403),
    ],
)
def test_who_may_see_the_page(monthly, member, maassluis, login, role, status):
    assert login(member(maassluis, role)).get(URL).status_code == status


def test_anonymous_visitors_are_sent_to_the_login(monthly: Any) -> None:
    response = Client().get(URL)
    assert response.status_code == 302
    assert "login" in response["Location"] or "inloggen" in response["Location"]


def test_without_monthly_figures_the_page_says_why(areas, member, maassluis, login):
    response = login(member(maassluis)).get(URL)
    assert response.status_code == 200
    assert response.context["has_measures"] is False
    assert response.context["result"] is None
    assert 'name="before_from"' not in response.content.decode()


# --- Defaults as a rule -------------------------------------------------------------------------


def test_default_windows_prefer_the_latest_whole_year_then_shorter() -> None:
    months = set(_months(2022, 2023))
    before, after = waterbed_data.default_windows(months) or (None, None)
    assert (before, after) == (
        waterbed_data.window((2022, 1), (2022, 12)),
        waterbed_data.window((2023, 1), (2023, 12)),
    )
    # Fifteen months: three months a year apart.
    short = {(2022, m) for m in range(10, 13)} | set(_months(2023))
    assert waterbed_data.default_windows(short) == (
        waterbed_data.window((2022, 10), (2022, 12)),
        waterbed_data.window((2023, 10), (2023, 12)),
    )
    # COVID years are never used, and one year of months gives no pair.
    assert waterbed_data.default_windows(set(_months(2020, 2021))) is None
    assert waterbed_data.default_windows(set(_months(2023))) is None


def test_month_ranges_read_as_words() -> None:
    text = waterbed_data.month_ranges([(2023, 7), (2023, 8), (2023, 9), (2023, 12)])
    assert text == "juli 2023 – september 2023, december 2023"


def test_window_is_whole_months() -> None:
    assert waterbed_data.window((2024, 2), (2024, 2)) == Window(
        waterbed_data.periods.parse("2024M02").start, waterbed_data.periods.parse("2024M02").end
    )


@pytest.fixture
def wijken(areas: Any) -> list[Area]:
    """Fourteen wijken of Maassluis with monthly counts, the gemeente itself without any."""
    found = [
        Area.objects.create(
            code=f"WK0556{index:02d}",
            name=f"{'Noord' if index % 2 else 'Zuid'} {index}",
            level=AreaLevel.WIJK,
            parent=areas["gm"],
            source="t",
        )
        for index in range(2, 16)
    ]
    load(
        *[
            (wijk.code, MEASURE, f"{year}M{month:02d}", float(3 + index))
            for index, wijk in enumerate(found)
            for year, month in _months(2023, 2024)
        ],
        table="47022NED",
    )
    return found


def test_wijken_without_gemeente_figures_give_a_wijk_default(wijken, member, maassluis, login):
    response = login(member(maassluis)).get(URL)
    result = response.context["result"]
    assert result is not None, response.context["form"].errors
    roles = [c for codes in result.groups.values() for c in codes]
    assert all(code.startswith("WK0556") for code in roles)
    assert len(set(roles)) == 3


def test_a_long_list_of_areas_can_be_searched_keeping_the_choices(wijken, member, maassluis, login):
    client = login(member(maassluis))
    page = client.get(URL).content.decode()
    assert 'name="search"' in page  # more than a dozen areas
    chosen = _checked(page, "target") | _checked(page, "displacement") | _checked(page, "control")
    response = client.get(
        URL, {**_query(), "target": ["WK055603"], "search": "zuid", "step": "search"}
    )
    page = response.content.decode()
    shown = set(re.findall(r'name="control" value="([^"]*)"', page))
    assert "WK055603" in shown  # "Noord 3": chosen, though it does not match
    assert shown - {"WK055603"} == {w.code for w in wijken if "Zuid" in w.name}
    assert chosen  # the default choice had areas checked


def test_the_page_speaks_dutch(monthly, member, maassluis, login):
    """The page in Dutch, from the compiled catalogue."""
    client = login(member(maassluis))
    page = client.get(URL).content.decode()
    for text in (
        "Verplaatsingsgebied",
        "Periode vóór de aanpak",
        "tot en met",
        "Wat wilt u tellen?",
    ):
        assert text in page, text
    wrong = client.get(URL, _query(control=[])).content.decode()
    assert "Deze keuze kan niet: 1 probleem." in wrong
    assert "Kies minstens één controlegebied." in wrong
