"""The Meldpunt's signal pages and API for every role, in the own gemeente, the other gemeente
and a partner organisation (the SIGNAL entries of tests/test_permission_matrix.py).

Who sees a signal depends on grants (gemeente staff), on who registered it (handhaver), and on
what was reported or shared (ketenpartner): a signal one may not see is a 404, exactly like one
that does not exist; a role that never sees signals gets 403.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from regie.accounts.models import Role, User
from regie.cases import services
from regie.cases.models import Attachment, Signal
from regie.cases.tests import factories
from regie.core.models import Organisation

PAGES = ("cases:detail", "cases:purpose", "cases:attachment", "cases:matches")
PURPOSE = "meldpunt-beoordelen"


def _urls(org: Organisation, signal: Signal) -> dict[str, str]:
    attachment = Attachment.objects.filter(signal=signal).first() or Attachment.objects.create(
        signal=signal, name="foto.png", content_type="image/png", size=3, content=b"png"
    )
    ref = signal.reference
    return {
        "cases:detail": reverse("cases:detail", kwargs={"org": org.slug, "ref": ref}),
        "cases:purpose": reverse("cases:purpose", kwargs={"org": org.slug, "ref": ref}),
        "cases:attachment": reverse(
            "cases:attachment", kwargs={"org": org.slug, "ref": ref, "pk": attachment.pk}
        ),
        "cases:matches": reverse(
            "cases:matches", kwargs={"org": org.slug, "ref": ref, "kind": "person"}
        ),
    }


def _statuses(client: Client, org: Organisation, signal: Signal) -> dict[str, int]:
    """Each page's status after a purpose was given (when the purpose page lets one give it)."""
    urls = _urls(org, signal)
    client.post(urls["cases:purpose"], {"activity": PURPOSE})
    return {name: client.get(url).status_code for name, url in urls.items()}


def _see(statuses: dict[str, int]) -> bool:
    return all(code == 200 for code in statuses.values())


def _see_without_hermeldingen(statuses: dict[str, int]) -> bool:
    """What a handhaver or ketenpartner sees of a signal of theirs: everything but the
    hermeldingen (other signals on the same person are for entitled gemeente staff only)."""
    return statuses.pop("cases:matches") == 404 and _see(statuses)


@pytest.fixture
def world(
    maassluis: Organisation,
    alblasserdam: Organisation,
    member: Callable[[Organisation, str], User],
) -> dict[str, Any]:
    users = {role: member(maassluis, role) for role in Role.values}
    for role in (Role.BEHEERDER, Role.ADVISEUR):
        factories.grant(users[role], maassluis)
    partner = Organisation.objects.create(name="Politie", slug="politie-test", kind="politie")
    return {
        "own": maassluis,
        "other": alblasserdam,
        "users": users,
        "partner": partner,
        "partner_user": member(partner, Role.KETENPARTNER),
        "no_grant": member(maassluis, Role.ADVISEUR),
        "signal": factories.make_signal(maassluis),
        "other_signal": factories.make_signal(alblasserdam),
    }


@pytest.mark.django_db
@pytest.mark.parametrize("role", sorted(Role.values))
def test_each_role_on_an_own_signal(
    world: dict[str, Any], login: Callable[[User], Client], role: str
) -> None:
    client = login(world["users"][role])
    statuses = _statuses(client, world["own"], world["signal"])
    if role in (Role.BEHEERDER, Role.ADVISEUR):
        assert _see(statuses), statuses
    elif role in (Role.RAADPLEGER, Role.PRIVACY_OFFICER):
        assert set(statuses.values()) == {403}, statuses
    else:  # handhaver and ketenpartner of the gemeente: not theirs, not shared
        assert set(statuses.values()) == {404}, statuses
    # Another gemeente's signal: under its own slug and under the own slug, never found.
    other = world["other_signal"]
    assert set(_statuses(client, world["other"], other).values()) == {404}
    assert set(_statuses(client, world["own"], other).values()) <= {403, 404}


@pytest.mark.django_db
def test_staff_without_the_family_grant_get_404(
    world: dict[str, Any], login: Callable[[User], Client]
) -> None:
    client = login(world["no_grant"])
    assert set(_statuses(client, world["own"], world["signal"]).values()) == {404}


@pytest.mark.django_db
def test_a_handhaver_sees_what_they_registered_or_was_shared_with_them(
    world: dict[str, Any], login: Callable[[User], Client]
) -> None:
    handhaver = world["users"][Role.HANDHAVER]
    own = factories.make_signal(world["own"], by=handhaver)
    client = login(handhaver)
    assert _see_without_hermeldingen(_statuses(client, world["own"], own))
    shared = world["signal"]
    assert set(_statuses(client, world["own"], shared).values()) == {404}
    services.share(shared, user=handhaver, by=None, label="test")
    assert _see_without_hermeldingen(_statuses(login(handhaver), world["own"], shared))


@pytest.mark.django_db
def test_a_ketenpartner_sees_only_what_was_shared_with_its_organisation(
    world: dict[str, Any], login: Callable[[User], Client]
) -> None:
    partner, signal = world["partner"], world["signal"]
    client = login(world["partner_user"])
    assert set(_statuses(client, partner, signal).values()) == {404}
    share = services.share(signal, organisation=partner, by=None, label="test")
    assert _see_without_hermeldingen(_statuses(login(world["partner_user"]), partner, signal))
    services.revoke_share(share, by=None, label="test")
    assert set(_statuses(login(world["partner_user"]), partner, signal).values()) == {404}
    # What the partner reported itself, in any gemeente.
    reported = factories.make_signal(world["other"], reporting_organisation=partner)
    assert _see_without_hermeldingen(_statuses(login(world["partner_user"]), partner, reported))
    # The gemeente's own pages stay closed to the partner.
    assert set(_statuses(client, world["own"], signal).values()) == {404}


@pytest.mark.django_db
def test_anonymous_is_sent_to_the_login(world: dict[str, Any]) -> None:
    for url in _urls(world["own"], world["signal"]).values():
        response = Client().get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


# --- The API -------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("role", sorted(Role.values))
def test_the_api_per_role(
    world: dict[str, Any], login: Callable[[User], Client], role: str
) -> None:
    client = login(world["users"][role])
    signal, other = world["signal"], world["other_signal"]
    listing = reverse("api:signal_list")
    detail = reverse("api:signal_detail", kwargs={"ref": signal.reference})
    answer = client.get(listing, {"org": world["own"].slug})
    sees = role in (Role.BEHEERDER, Role.ADVISEUR)
    if answer.status_code == 200:
        refs = {row["referentie"] for row in answer.json()["results"]}
        assert (signal.reference in refs) == sees
    else:
        assert answer.status_code in {403, 404}
    assert client.get(listing, {"org": world["other"].slug}).status_code == 404
    with_purpose = client.get(detail, headers={"X-Regie-Purpose": PURPOSE})
    assert with_purpose.status_code == (200 if sees else 404)
    if sees:
        assert client.get(detail).status_code == 400  # no purpose: nothing shown
    other_detail = reverse("api:signal_detail", kwargs={"ref": other.reference})
    assert client.get(other_detail, headers={"X-Regie-Purpose": PURPOSE}).status_code == 404


@pytest.mark.django_db
def test_the_api_for_a_partner(world: dict[str, Any], login: Callable[[User], Client]) -> None:
    client = login(world["partner_user"])
    signal = world["signal"]
    detail = reverse("api:signal_detail", kwargs={"ref": signal.reference})
    assert client.get(detail, headers={"X-Regie-Purpose": PURPOSE}).status_code == 404
    services.share(signal, organisation=world["partner"], by=None, label="test")
    assert client.get(detail, headers={"X-Regie-Purpose": PURPOSE}).status_code == 200
