"""The Bronnen pages in words for people: paging, codes and file paths only in technical details."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from regie.accounts.models import Role, User
from regie.core.models import Organisation
from regie.monitor import services
from regie.monitor.views import DATASETS_PER_PAGE

pytestmark = pytest.mark.django_db


def test_the_dataset_list_is_paged(
    maassluis: Organisation,
    member: Callable[[Organisation, str], User],
    login: Callable[[User], Client],
) -> None:
    for n in range(DATASETS_PER_PAGE + 3):
        services.get_or_create_dataset(
            table=f"T{n:03d}", source="CBS", title=f"Tabel {n}", organisation=None
        )
    client = login(member(maassluis, Role.ADVISEUR))
    url = reverse("monitor:dataset_list", kwargs={"org": maassluis.slug})
    first = client.get(url)
    assert len(first.context["rows"]) == DATASETS_PER_PAGE
    body = first.content.decode()
    assert f"{DATASETS_PER_PAGE + 3} datasets" in body or f"{DATASETS_PER_PAGE + 3} dataset" in body
    assert 'href="?pagina=2"' in body
    second = client.get(url + "?pagina=2")
    assert len(second.context["rows"]) == 3
    assert 'href="?pagina=1"' in second.content.decode()


def test_provenance_is_a_technical_detail(
    maassluis: Organisation,
    member: Callable[[Organisation, str], User],
    login: Callable[[User], Client],
    areas: Any,
) -> None:
    dataset = services.get_or_create_dataset(
        table="83648NED",
        source="CBS",
        title="Geregistreerde criminaliteit",
        organisation=None,
        provenance="src/regie/monitor/data/PROVENANCE.md: cbs/83648NED.csv",
    )
    client = login(member(maassluis, Role.ADVISEUR))
    url = reverse(
        "monitor:dataset_detail", kwargs={"org": maassluis.slug, "dataset_id": dataset.pk}
    )
    body = client.get(url).content.decode()
    outside = re.sub(r"<details.*?</details>", "", body, flags=re.S)
    assert "PROVENANCE.md" in body
    assert "PROVENANCE.md" not in outside
    assert '<details class="regie-technical">' in body
