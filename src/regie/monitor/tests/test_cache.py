"""Computed page results are kept per data version: an import is seen at once."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache as django_cache

from regie.accounts.models import Role
from regie.areas.models import Area, AreaLevel, Population
from regie.monitor import cache
from regie.monitor.tests.factories import load

pytestmark = pytest.mark.django_db


@pytest.fixture
def maassluis_area(db: Any) -> Area:
    area = Area.objects.create(code="GM0556", name="Maassluis", level=AreaLevel.GEMEENTE)
    Population.objects.create(area=area, year=2022, value=34148)
    return area


def test_every_import_gives_a_new_data_version(maassluis_area: Area) -> None:
    before = cache.data_version()
    assert cache.data_version() == before  # stable while nothing changes
    load(("GM0556", "politie:1.1.1", "2022", 91))
    after_first = cache.data_version()
    assert after_first != before
    load(("GM0556", "politie:1.1.1", "2022", 93))  # a revision of the same figure
    assert cache.data_version() != after_first


def test_population_change_gives_a_new_data_version(maassluis_area: Area) -> None:
    before = cache.data_version()
    Population.objects.create(area=maassluis_area, year=2023, value=34500)
    assert cache.data_version() != before


def test_remember_builds_once_per_version_and_language() -> None:
    calls: list[int] = []

    def build() -> str:
        calls.append(1)
        return f"result {len(calls)}"

    assert cache.remember(("x", 1), build, version="v1") == "result 1"
    assert cache.remember(("x", 1), build, version="v1") == "result 1"
    assert cache.remember(("x", 2), build, version="v1") == "result 2"  # other parts
    assert cache.remember(("x", 1), build, version="v2") == "result 3"  # other data
    from django.utils import translation

    with translation.override("en"):
        assert cache.remember(("x", 1), build, version="v2") == "result 4"  # other language
    assert len(calls) == 4
    django_cache.clear()
    assert cache.remember(("x", 1), build, version="v1") == "result 5"


def test_the_overview_shows_a_new_import_at_once(
    maassluis: Any, maassluis_area: Area, member: Any, login: Any
) -> None:
    client = login(member(maassluis, Role.ADVISEUR))
    load(("GM0556", "politie:0.0.0", "2021", 2103), ("GM0556", "politie:0.0.0", "2022", 2011))
    first = client.get("/gm0556/veiligheidsbeeld/").content.decode()
    assert "2.011" in first
    load(("GM0556", "politie:0.0.0", "2022", 2456))  # a newer vintage revises 2022
    second = client.get("/gm0556/veiligheidsbeeld/").content.decode()
    assert "2.456" in second
    assert "2.011" not in second
