"""The veiligheidsbeeld pages on the demo figures: honest numbers, downloads, tenancy."""

from __future__ import annotations

import csv
import html
import io
import re
from typing import Any

import pytest
from openpyxl import load_workbook

from regie.accounts.models import Role
from regie.core.models import Organisation
from regie.veiligheidsbeeld import insight
from tests.test_monitor_cli import demo_figures  # noqa: F401 - the module fixture

pytestmark = pytest.mark.django_db


@pytest.fixture
def gemeente(demo_figures: Any) -> Any:  # noqa: F811 - the fixture imported above
    def client_for(slug: str, role: str = Role.ADVISEUR) -> Any:
        from conftest import verified_client
        from regie.accounts.tests.factories import MembershipFactory, UserFactory

        user = UserFactory()
        MembershipFactory(user=user, organisation=Organisation.objects.get(slug=slug), role=role)
        return verified_client(user)

    return client_for


def _csv(content: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))


def test_maassluis_total_crime_per_1000_is_the_cbs_figure(gemeente: Any) -> None:
    client = gemeente("gm0556", Role.RAADPLEGER)
    page = client.get("/gm0556/veiligheidsbeeld/").content.decode()
    assert "1.245" in page  # the CBS total of 2022, in the total section's table
    url = "/gm0556/veiligheidsbeeld/cbs:T001161/?weergave=per1000"
    response = client.get(url)
    assert response.status_code == 200
    assert "36,5" in response.content.decode()
    # The download of the same chart gives the same number, with its source.
    rows = _csv(client.get(url + "&download=per-jaar&format=csv").content)
    own = [r for r in rows if r["Gebied"] == "Maassluis" or r.get("Area") == "Maassluis"]
    assert own, rows
    values = list(own[0].values())
    assert "36,5" in values or any(v.startswith("36,4") for v in values)
    assert any("83648NED" in v for v in values)
    # And the service the API and CLI use agrees.
    rate = insight.rate_figure(
        "GM0556", "cbs:T001161", "2022", organisation=Organisation.objects.get(slug="gm0556")
    )
    assert round(rate.rate.value, 1) == 36.5


def test_maassluis_overview_shows_total_crime_over_years_last_year_against_before_and_hic(
    gemeente: Any,
) -> None:
    """Issue 15's acceptance on the real demo: what a raadslid reads first."""
    client = gemeente("gm0556", Role.RAADPLEGER)
    page = client.get("/gm0556/veiligheidsbeeld/").content.decode()
    text = html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))
    # total crime over several years: its table holds every year 2021–2025
    total = text[text.index("Geregistreerde misdrijven, totaal") :]
    for figure in ("1.181", "1.234", "1.135", "1.219", "1.222"):
        assert figure in total
    # the last year against the year before, both named provisional
    assert "1.222 in 2025 (voorlopig) tegen 1.219 in 2024 (voorlopig)" in text
    # HIC, with its own types over the years
    hic = text[text.index("High impact crimes (HIC)") :]
    assert "Diefstal/inbraak woning: 30 in 2025 (voorlopig) tegen 44 in 2024 (voorlopig)" in hic


def test_huiselijk_geweld_half_year_is_never_set_against_a_whole_year(gemeente: Any) -> None:
    client = gemeente("gm0556")
    url = "/gm0556/veiligheidsbeeld/local:huiselijk_geweld_aangiften/"
    text = client.get(url).content.decode()
    assert "1e halfjaar 2022" in text
    for sentence in text.split("<p"):
        if "halfjaar 2022" in sentence and "2021" in sentence:
            assert "%" not in sentence, sentence
    overview = client.get("/gm0556/veiligheidsbeeld/").content.decode()
    for sentence in overview.split("<p"):
        if "halfjaar 2022" in sentence and " 2021" in sentence:
            assert "%" not in sentence, sentence
    # The export of the year chart holds whole years only: 2022H1 is not a year.
    rows = _csv(client.get(url + "?download=per-jaar&format=csv").content)
    years = {list(r.values())[1] for r in rows}
    assert years == {"2019", "2020", "2021"}
    with pytest.raises(insight.NotAlike):
        insight.compare_periods(
            "GM0556",
            "local:huiselijk_geweld_aangiften",
            "2021",
            "2022H1",
            organisation=Organisation.objects.get(slug="gm0556"),
        )


def test_xlsx_download_holds_numbers_not_text(gemeente: Any) -> None:
    client = gemeente("gm0482")
    response = client.get(
        "/gm0482/veiligheidsbeeld/cbs:T001161/?weergave=per1000&download=vergelijking&format=xlsx"
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.xlsx"')
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    values = [row for row in sheet.iter_rows(min_row=2, values_only=True) if row[0]]
    alblasserdam = next(row for row in values if row[0] == "Alblasserdam")
    assert isinstance(alblasserdam[2], float)
    expected = insight.rate_figure(
        "GM0482", "cbs:T001161", "2022", organisation=Organisation.objects.get(slug="gm0482")
    )
    assert alblasserdam[2] == pytest.approx(expected.rate.value)
    names = {row[0] for row in values}
    # region sums of their gemeenten, named with their kind (not "Rotterdam" like the gemeente)
    assert {"Politie-eenheid Rotterdam", "Nederland"} <= names


def test_regions_are_sums_of_all_their_gemeenten_and_say_so(gemeente: Any) -> None:
    client = gemeente("gm0482")
    text = client.get(
        "/gm0482/veiligheidsbeeld/cbs:T001161/?vergelijk=RE07&vergelijk=NL01"
    ).content.decode()
    assert "som van" in text


def test_another_gemeente_is_not_even_confirmed_to_exist(gemeente: Any) -> None:
    client = gemeente("gm0482")
    assert client.get("/gm0556/veiligheidsbeeld/").status_code == 404
    # Maassluis's own local figures are not visible from Alblasserdam's pages.
    response = client.get("/gm0482/veiligheidsbeeld/local:huiselijk_geweld_aangiften/")
    assert response.status_code == 200  # the measure is in the shared catalogue …
    assert b"1e halfjaar 2022" not in response.content  # … Maassluis's figures are not shown
    assert "Geen cijfers voor deze maatstaf en dit gebied." in response.content.decode()


def test_waterbed_refuses_covid_windows_and_says_why(gemeente: Any) -> None:
    client = gemeente("gm0482")
    text = client.get(
        "/gm0482/veiligheidsbeeld/waterbed/",
        {
            "measure": "local:mik_woninginbraak",
            "target": ["GM0482"],
            "displacement": ["GM0556"],
            "control": ["GM0622"],
            "before_from": "2020M07",
            "before_to": "2021M06",
            "after_from": "2024M07",
            "after_to": "2025M06",
        },
    ).content.decode()
    assert 'role="alert"' in text
    assert "coronajaar" in text or "coronajaren" in text


def test_unknown_chart_download_is_404(gemeente: Any) -> None:
    client = gemeente("gm0482")
    assert client.get("/gm0482/veiligheidsbeeld/?download=nope&format=csv").status_code == 404


def test_overview_query_count_is_bounded(gemeente: Any, django_assert_max_num_queries: Any) -> None:
    from django.core.cache import cache

    client = gemeente("gm0482")
    measure_url = "/gm0482/veiligheidsbeeld/cbs:T001161/?weergave=per1000"
    client.get("/gm0482/veiligheidsbeeld/")  # warm the session
    cache.clear()  # nothing computed yet: the bound holds for the first visitor too
    # every theme, and three comparisons with regions and peers (total, HIC, ondermijning:
    # their sums of gemeenten, and why a region has no sum): about 15 queries each, so the
    # first visit's bound went from 80 to 120 when HIC and ondermijning got theirs
    with django_assert_max_num_queries(120):
        assert client.get("/gm0482/veiligheidsbeeld/").status_code == 200
    with django_assert_max_num_queries(60):
        assert client.get(measure_url).status_code == 200
    # Computed once per data version: later visitors cost a handful of queries.
    with django_assert_max_num_queries(12):
        assert client.get("/gm0482/veiligheidsbeeld/").status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(measure_url).status_code == 200


def test_waterbed_result_names_the_figures_it_used(gemeente: Any) -> None:
    client = gemeente("gm0556")
    text = client.get(
        "/gm0556/veiligheidsbeeld/waterbed/",
        {
            "measure": "local:mik_woninginbraak",
            "target": ["GM0556"],
            "displacement": ["GM0622"],
            "control": ["GM0482"],
            "before_from": "2023M07",
            "before_to": "2024M06",
            "after_from": "2024M07",
            "after_to": "2025M06",
        },
    ).content.decode()
    assert 'role="alert"' not in text
    assert "WDD" in text
    # One source line names the areas whose figures it gave (names, not codes).
    assert "Alblasserdam, Maassluis, Vlaardingen: misdaad-in-kaart" in text
