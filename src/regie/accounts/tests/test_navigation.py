"""Every role has a home: the main menu and the start page per role, over HTTP.

A session that still owes its second factor gets no menu and can open nothing; a raadpleger whose
role needs no second factor gets the menu right after the password.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from regie.accounts import navigation
from regie.accounts.models import Role, User
from regie.accounts.tests.factories import MembershipFactory, UserFactory
from regie.core.models import Organisation, OrganisationKind
from regie.core.tests.factories import OrganisationFactory

# The gemeente needs its area (GM0556) for the veiligheidsbeeld to open.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("areas")]

_NAV = re.compile(r'<nav class="utrecht-nav-bar regie-nav" aria-label="[^"]+">(.*?)</nav>', re.S)
_LINK = re.compile(r'<a class="utrecht-nav-list__link" href="([^"]+)"[^>]*>([^<]+)</a>')


def menu(response: Any) -> dict[str, str]:
    """The main menu of a page: link text → address (empty when the page has no menu)."""
    found = _NAV.search(response.content.decode())
    if found is None:
        return {}
    return {html.unescape(text).strip(): href for href, text in _LINK.findall(found.group(1))}


def org_urls(org: Organisation, *names: str) -> set[str]:
    return {reverse(name, kwargs={"org": org.slug}) for name in names}


GEMEENTE_ALL = ("org_areas:overview", "org_areas:gemeente_areas")
STAFF = (
    "veiligheidsbeeld:overview",
    "policy:index",
    "programme:index",
    "reports:index",
    "monitor:dataset_list",
)

#: The menu of each role in its gemeente: the org pages (besides Gebieden for everyone).
EXPECTED = {
    Role.BEHEERDER: (*GEMEENTE_ALL, *STAFF, "cases:queue", "beheer:member_list"),
    Role.ADVISEUR: (*GEMEENTE_ALL, *STAFF, "cases:queue"),
    Role.RAADPLEGER: (*GEMEENTE_ALL, *STAFF),
    Role.HANDHAVER: (*GEMEENTE_ALL, "cases:queue"),
    Role.KETENPARTNER: (*GEMEENTE_ALL, "cases:queue"),
    Role.PRIVACY_OFFICER: (*GEMEENTE_ALL, "privacy:readlog"),
}


@pytest.mark.parametrize("role", list(Role))
def test_each_role_sees_its_menu_and_every_link_opens(
    role: str, maassluis: Organisation, member: Callable[..., User], login: Any
) -> None:
    client = login(member(maassluis, role))
    page = client.get(reverse("org_areas:overview", kwargs={"org": maassluis.slug}))
    assert page.status_code == 200
    links = menu(page)
    assert set(links.values()) == org_urls(maassluis, *EXPECTED[role]) | {reverse("areas:index")}
    for href in links.values():
        assert client.get(href).status_code == 200, href


@pytest.mark.parametrize("role", list(Role))
def test_the_start_page_links_what_the_role_may_do(
    role: str, maassluis: Organisation, member: Callable[..., User], login: Any
) -> None:
    client = login(member(maassluis, role))
    page = client.get(reverse("org_areas:overview", kwargs={"org": maassluis.slug}))
    body = page.content.decode()
    links = page.context["start_links"]
    assert {link.url for link in links} == set(menu(page).values()) - org_urls(
        maassluis, "org_areas:overview"
    )
    for link in links:
        assert link.description, link.key
        assert f'href="{link.url}"' in body
    assert page.context["role_summary"]


def test_staff_menu_names_veiligheidsbeeld_and_beleid(
    maassluis: Organisation, member: Callable[..., User], login: Any
) -> None:
    page = login(member(maassluis, Role.ADVISEUR)).get(
        reverse("org_areas:overview", kwargs={"org": maassluis.slug})
    )
    links = menu(page)
    assert links["Veiligheidsbeeld"] == reverse(
        "veiligheidsbeeld:overview", kwargs={"org": "gm0556"}
    )
    assert links["Beleid"] == reverse("policy:index", kwargs={"org": "gm0556"})
    assert 'aria-label="Hoofdmenu"' in page.content.decode()


def test_raadpleger_without_second_factor_reaches_veiligheidsbeeld_and_plan_in_one_click(
    maassluis: Organisation, settings: Any
) -> None:
    settings.REGIE_2FA_REQUIRED_ROLES = ["beheerder", "adviseur", "handhaver", "ketenpartner"]
    raadpleger = UserFactory()
    MembershipFactory(user=raadpleger, organisation=maassluis, role=Role.RAADPLEGER)
    client = Client()
    client.force_login(raadpleger)  # the password only: this role needs no second factor
    start = client.get("/", follow=True)
    assert start.redirect_chain[-1][0] == reverse("org_areas:overview", kwargs={"org": "gm0556"})
    links = menu(start)
    for name in ("veiligheidsbeeld:overview", "policy:index"):
        target = reverse(name, kwargs={"org": "gm0556"})
        assert target in links.values()
        assert client.get(target).status_code == 200
    # Pages outside the gemeente keep the gemeente's menu (the organisation used last).
    assert menu(client.get(reverse("areas:index"))) == links
    assert menu(client.get(reverse("accounts:profile"))) == links


def test_the_menu_links_the_current_plan_when_an_app_provides_it(
    maassluis: Organisation,
    member: Callable[..., User],
    login: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    plan_url = reverse("policy:plan_detail", kwargs={"org": "gm0556", "plan_id": 1})
    # setitem puts the policy app's own provider back afterwards (later tests rely on it)
    monkeypatch.setitem(
        navigation._link_providers,
        navigation.BELEID,
        lambda org: (plan_url, "IVB 2023–2026"),
    )
    page = login(member(maassluis, Role.RAADPLEGER)).get(
        reverse("org_areas:overview", kwargs={"org": maassluis.slug})
    )
    assert menu(page)["Beleid"] == plan_url
    body = page.content.decode()
    assert "IVB 2023–2026" in body  # the start page names the plan …
    assert f'href="{reverse("policy:index", kwargs={"org": "gm0556"})}"' in body  # … and the list


@pytest.mark.parametrize("role", [Role.BEHEERDER, Role.ADVISEUR, Role.HANDHAVER])
def test_a_password_only_session_of_a_2fa_role_gets_no_menu_and_opens_nothing(
    role: str, maassluis: Organisation, member: Callable[..., User], settings: Any
) -> None:
    settings.REGIE_2FA_REQUIRED_ROLES = ["beheerder", "adviseur", "handhaver", "ketenpartner"]
    user = member(maassluis, role)
    client = Client()
    client.force_login(user)  # password given, second factor not
    setup = client.get(reverse("accounts:setup_2fa"))
    assert setup.status_code == 200
    assert menu(setup) == {}
    assert "regie-switcher" not in setup.content.decode()
    every = org_urls(maassluis, *GEMEENTE_ALL, *STAFF, "beheer:member_list") | {
        reverse("areas:index"),
        reverse("accounts:profile"),
        reverse("home"),
    }
    for href in every:
        response = client.get(href)
        assert response.status_code == 302, href
        assert response["Location"].startswith(reverse("accounts:setup_2fa")), href


def test_a_session_owing_its_code_gets_no_menu_even_for_a_raadpleger(
    maassluis: Organisation, member: Callable[..., User]
) -> None:
    """A raadpleger who set up an app of their own verifies with it: until then, no menu."""
    user = member(maassluis, Role.RAADPLEGER)
    TOTPDevice.objects.create(user=user, name="eigen app", confirmed=True)
    client = Client()
    client.force_login(user)
    verify = client.get(reverse("accounts:verify"))
    assert menu(verify) == {}
    overview = client.get(reverse("org_areas:overview", kwargs={"org": maassluis.slug}))
    assert overview["Location"].startswith(reverse("accounts:verify"))


def test_installation_beheer_without_a_role_has_a_start_page(login: Any) -> None:
    admin = UserFactory(is_superuser=True, is_staff=True)
    client = login(admin)
    page = client.get(reverse("home"))
    assert page.status_code == 200
    links = menu(page)
    assert set(links.values()) == {
        reverse("areas:index"),
        reverse("installatie:organisation_list"),
    }
    start = {link.url for link in page.context["start_links"]}
    assert start == set(links.values())
    for href in links.values():
        assert client.get(href).status_code == 200


def test_ketenpartner_of_a_partner_organisation_has_a_start_page(login: Any) -> None:
    politie = OrganisationFactory(
        name="Politie eenheid Rotterdam", slug="politie-rotterdam", kind=OrganisationKind.POLITIE
    )
    user = UserFactory()
    MembershipFactory(user=user, organisation=politie, role=Role.KETENPARTNER)
    client = login(user)
    page = client.get("/", follow=True)
    assert page.redirect_chain[-1][0] == reverse("org_areas:overview", kwargs={"org": politie.slug})
    links = menu(page)
    expected = org_urls(politie, "org_areas:overview", "cases:queue")
    assert set(links.values()) == expected | {reverse("areas:index")}
    for href in links.values():
        assert client.get(href).status_code == 200
    # The empty state says why nothing is there.
    assert page.context["start_links"]
    assert "partner" in page.content.decode()


def test_the_menu_marks_the_section_of_the_page(
    maassluis: Organisation, member: Callable[..., User], login: Any
) -> None:
    client = login(member(maassluis, Role.BEHEERDER))
    body = client.get(reverse("beheer:audit_log", kwargs={"org": "gm0556"})).content.decode()
    beheer = reverse("beheer:member_list", kwargs={"org": "gm0556"})
    main_menu = _NAV.search(body)
    assert main_menu is not None
    assert f'href="{beheer}" aria-current="page"' in main_menu.group(1)
    assert main_menu.group(1).count('aria-current="page"') == 1
