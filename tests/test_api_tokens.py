"""A script with an API token reads its own organisation's figures and plans, and nothing of
another organisation (ADR 0017): the same tenancy as a session user of that organisation."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.urls import reverse

from regie.accounts import services
from regie.accounts.models import Role
from regie.areas.models import Area, AreaLevel
from regie.monitor.tests.factories import load
from regie.policy.models import Plan

pytestmark = pytest.mark.django_db


def figure(area: str, measure: str, period: str, **query: str) -> str:
    url = reverse("api:figure", kwargs={"area": area, "measure": measure, "period": period})
    return f"{url}?{urlencode(query)}" if query else url


@pytest.fixture
def own_figures(areas: Any, maassluis: Any, alblasserdam: Any) -> None:
    """Own figures of Maassluis (31) and of Alblasserdam (777 and 888), and one of open data."""
    Area.objects.create(
        code="GM0482", name="Alblasserdam", level=AreaLevel.GEMEENTE, parent=areas["pv"], source="t"
    )
    load(("GM0556", "politie:1.1.1", "2022", 40.0), table="47022NED")
    load(("GM0556", "politie:1.1.1", "2021", 31.0), table="EIGEN", organisation=maassluis)
    load(
        ("GM0482", "politie:1.1.1", "2021", 777.0),
        ("GM0556", "politie:1.1.1", "2021", 888.0),
        table="EIGEN",
        organisation=alblasserdam,
    )


def script(organisation: Any, **kwargs: Any) -> Client:
    """A client that sends the secret of a new token of ``organisation`` with every request."""
    created = services.create_token(
        organisation=organisation, name="Script", created_by=None, **kwargs
    )
    return Client(HTTP_AUTHORIZATION=f"Bearer {created.secret}")


def test_organisation_token_reads_own_figures_and_not_another_organisations(
    own_figures: None, maassluis: Any, alblasserdam: Any
) -> None:
    client = script(maassluis)
    own = client.get(figure("GM0556", "politie:1.1.1", "2021", org="gm0556"))
    assert own.status_code == 200, own.content
    assert own.json()["value"] == 31
    assert client.get(figure("GM0556", "politie:1.1.1", "2022")).json()["value"] == 40

    for org in ("gm0482", "bestaat-niet"):
        other = client.get(figure("GM0482", "politie:1.1.1", "2021", org=org))
        assert other.status_code == 404
        assert "777" not in other.content.decode()
    rows = client.get(reverse("api:observation_list"), {"measure": "politie:1.1.1"}).json()
    owners = {row["owner"] for row in rows["results"]}
    assert owners == {None, "gm0556"}
    assert 888 not in [row["value"] for row in rows["results"]]


def test_token_of_one_organisation_never_reaches_another_even_for_a_member_of_both(
    own_figures: None, maassluis: Any, alblasserdam: Any, member: Any
) -> None:
    user = member(maassluis, Role.ADVISEUR)
    services.set_role(user=user, organisation=alblasserdam, role=Role.BEHEERDER)
    client = script(maassluis, user=user)  # personal token of Maassluis
    assert client.get(figure("GM0556", "politie:1.1.1", "2021", org="gm0556")).status_code == 200
    assert client.get(figure("GM0482", "politie:1.1.1", "2021", org="gm0482")).status_code == 404
    rows = client.get(reverse("api:observation_list"), {"measure": "politie:1.1.1"}).json()
    assert {row["owner"] for row in rows["results"]} == {None, "gm0556"}


def test_personal_token_has_its_users_role_never_more(
    own_figures: None, maassluis: Any, member: Any
) -> None:
    handhaver = member(maassluis, Role.HANDHAVER)  # no staff role: open data only
    client = script(maassluis, user=handhaver)
    assert client.get(figure("GM0556", "politie:1.1.1", "2021", org="gm0556")).status_code == 404
    assert client.get(figure("GM0556", "politie:1.1.1", "2022")).status_code == 200


def test_organisation_token_reads_own_plans_only(maassluis: Any, alblasserdam: Any) -> None:
    own = Plan.objects.create(organisation=maassluis, title="IVP", start_year=2023, end_year=2026)
    other = Plan.objects.create(
        organisation=alblasserdam, title="IVP", start_year=2023, end_year=2026
    )
    client = script(maassluis)
    plans = client.get(reverse("api:plan_list")).json()["results"]
    assert [plan["id"] for plan in plans] == [own.pk]
    assert client.get(reverse("api:plan_detail", kwargs={"pk": own.pk})).status_code == 200
    assert client.get(reverse("api:plan_detail", kwargs={"pk": other.pk})).status_code == 404
    assert client.get(reverse("api:plan_list"), {"org": "gm0482"}).status_code == 404
