"""The overview stays small: a chart with a long table comes in its own request, with the same
table, sources and downloads; the page keeps its title, sources and a link that works without
JavaScript. The same figures either way (no timing here: bench/load_benchmark.py measures)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client

from regie.accounts.models import Role
from regie.core.models import Organisation
from regie.monitor.tests.factories import load
from regie.veiligheidsbeeld import views

pytestmark = pytest.mark.django_db

TYPES = ("1.2.1", "1.2.2", "1.2.3", "1.2.4", "1.2.5", "2.2.1", "2.5.1", "3.6.4", "1.3.1")


@pytest.fixture
def client(areas: Any, maassluis: Organisation, member: Any) -> Client:
    from conftest import verified_client

    client = verified_client(member(maassluis, Role.ADVISEUR))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def long_table() -> None:
    # nine crime types × twelve years: 108 rows in "Other crime types", over DEFER_ROWS
    load(
        *[
            ("GM0556", f"politie:{code}", str(year), 10 + year % 7 + i)
            for i, code in enumerate(TYPES)
            for year in range(2014, 2026)
        ],
        table="47013NED",
    )
    cache.clear()


def _rows(html: str) -> list[str]:
    body = html[html.index('id="chart-sectie-crime-table"') :]
    body = body[: body.index("</tbody>")]
    return re.findall(r'<tr class="utrecht-table__row">.*?</tr>', body, re.S)


def test_a_long_table_is_fetched_on_its_own_with_the_same_rows(
    client: Client, long_table: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert views.DEFER_ROWS < 108
    page = client.get("/gm0556/veiligheidsbeeld/").content.decode()
    section = page[page.index('id="section-crime"') :]
    # the placeholder: title, sources and a link; no table and no chart data in the page
    assert 'data-chart-defer="/gm0556/veiligheidsbeeld/?figuur=sectie-crime"' in section
    assert 'href="/gm0556/veiligheidsbeeld/?figuur=sectie-crime"' in section
    assert "Show this chart and its table (108 rows)" in section
    assert "47013NED; latest import" in section  # its sources stay on the page
    assert 'id="chart-sectie-crime-table"' not in page
    assert 'id="chart-sectie-crime-spec"' not in page

    response = client.get(
        "/gm0556/veiligheidsbeeld/?figuur=sectie-crime", headers={"X-Regie-Fragment": "1"}
    )
    assert "X-Regie-Fragment" in response["Vary"]  # one address, two answers
    fragment = response.content.decode()
    assert fragment.lstrip().startswith("<figure")
    assert 'id="chart-sectie-crime-spec"' in fragment
    assert len(_rows(fragment)) == 1 + 108  # the header row and one row per type and year
    # the downloads name the overview, not the fragment
    assert "/gm0556/veiligheidsbeeld/?download=sectie-crime&amp;format=csv" in fragment

    # without JavaScript the link leads to a page with the same chart and table
    alone = client.get("/gm0556/veiligheidsbeeld/?figuur=sectie-crime").content.decode()
    assert "<html" in alone
    assert _rows(alone) == _rows(fragment)

    # with the limit above the table, the page holds the same rows itself
    monkeypatch.setattr(views, "DEFER_ROWS", 1000)
    cache.clear()
    whole = client.get("/gm0556/veiligheidsbeeld/").content.decode()
    assert "data-chart-defer" not in whole
    assert _rows(whole) == _rows(fragment)


def test_an_unknown_figure_is_404(client: Client) -> None:
    assert client.get("/gm0556/veiligheidsbeeld/?figuur=nope").status_code == 404
