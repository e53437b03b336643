"""The Meldpunt's beheer: the category tree and teams (``cases:categories``,
``cases:category_edit``) and the access grants (``cases:grants``), through HTTP and the services."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from regie.accounts.models import Role, User
from regie.cases.models import AccessGrant, Category, Family, Grant, Team
from regie.cases.services import categories as svc
from regie.cases.tests import factories
from regie.core.concurrency import StaleEditError
from regie.core.errors import ServiceError
from regie.core.models import AuditEntry, Organisation, OrganisationKind
from regie.core.tests.factories import OrganisationFactory

Member = Callable[..., User]
Login = Callable[[User], Client]


def url(name: str, organisation: Organisation, **kwargs: Any) -> str:
    return reverse(f"cases:{name}", kwargs={"org": organisation.slug, **kwargs})


def cat(organisation: Organisation, name: str) -> Category:
    return Category.objects.get(organisation=organisation, name=name)


def edit_data(category: Category, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": category.name,
        "parent": category.parent_id or "",
        "family": category.family,
        "team": category.team_id or "",
        "edit_token": str(category.lock_version),
    }
    if category.is_active:
        data["is_active"] = "on"
    data.update(changes)
    return data


@pytest.fixture
def beheerder(maassluis: Organisation, member: Member) -> User:
    return member(maassluis, Role.BEHEERDER)


# --- access to the pages --------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["categories", "grants"])
def test_pages_are_for_beheerders_of_the_gemeente(
    maassluis: Organisation,
    alblasserdam: Organisation,
    member: Member,
    login: Login,
    name: str,
) -> None:
    assert login(member(maassluis, Role.BEHEERDER)).get(url(name, maassluis)).status_code == 200
    for role in (Role.ADVISEUR, Role.HANDHAVER, Role.RAADPLEGER, Role.PRIVACY_OFFICER):
        assert login(member(maassluis, role)).get(url(name, maassluis)).status_code == 403
    other = login(member(alblasserdam, Role.BEHEERDER))
    assert other.get(url(name, maassluis)).status_code == 404
    assert other.post(url(name, maassluis), {}).status_code == 404


@pytest.mark.django_db
def test_category_of_another_gemeente_is_404(
    maassluis: Organisation, alblasserdam: Organisation, beheerder: User, login: Login
) -> None:
    foreign = factories.category(alblasserdam, "Woonoverlast")
    assert login(beheerder).get(url("category_edit", maassluis, pk=foreign.pk)).status_code == 404


# --- the tree -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_first_visit_preloads_the_tree(
    maassluis: Organisation, beheerder: User, login: Login
) -> None:
    response = login(beheerder).get(url("categories", maassluis))

    assert response.status_code == 200
    tree = response.context["tree"]
    assert [row.category.name for row in tree][:2] == ["Zorg & veiligheid", "Ondermijning"]
    assert "Woonoverlast" in [c.category.name for c in tree[0].children]
    assert "Woonoverlast" in response.content.decode()


@pytest.mark.django_db
def test_add_main_and_subcategory_through_the_page(
    maassluis: Organisation, beheerder: User, login: Login
) -> None:
    client = login(beheerder)
    client.get(url("categories", maassluis))

    response = client.post(
        url("categories", maassluis),
        {"form": "main", "main-name": "Verkeer", "main-family": Family.OVERIG},
    )
    assert response.status_code == 302
    main = cat(maassluis, "Verkeer")
    assert (main.parent, main.family) == (None, Family.OVERIG)

    response = client.post(
        url("categories", maassluis),
        {"form": "sub", "sub-parent": main.pk, "sub-name": "Parkeeroverlast"},
    )
    assert response.status_code == 302
    sub = cat(maassluis, "Parkeeroverlast")
    assert (sub.parent, sub.family) == (main, Family.OVERIG)

    response = client.post(
        url("categories", maassluis),
        {"form": "sub", "sub-parent": sub.pk, "sub-name": "Derde niveau"},
    )
    assert response.status_code == 200  # a subcategory is no choice of main category
    assert "parent" in response.context["sub_form"].errors
    assert not Category.objects.filter(name="Derde niveau").exists()


@pytest.mark.django_db
def test_duplicate_name_under_one_parent_is_refused(
    maassluis: Organisation, beheerder: User, login: Login
) -> None:
    client = login(beheerder)
    client.get(url("categories", maassluis))
    zorg = cat(maassluis, "Zorg & veiligheid")

    response = client.post(
        url("categories", maassluis),
        {"form": "sub", "sub-parent": zorg.pk, "sub-name": "woonoverlast"},
    )

    assert response.status_code == 200
    assert response.context["sub_form"].non_field_errors()
    assert Category.objects.filter(name__iexact="woonoverlast", parent=zorg).count() == 1
    # the same name under another main category is fine
    svc.create_category(maassluis, name="Woonoverlast", parent=cat(maassluis, "Ondermijning"))


@pytest.mark.django_db
def test_add_team_and_give_it_a_category(
    maassluis: Organisation, beheerder: User, login: Login
) -> None:
    client = login(beheerder)
    client.get(url("categories", maassluis))

    response = client.post(url("categories", maassluis), {"form": "team", "team-name": "Zorgteam"})
    assert response.status_code == 302
    team = Team.objects.get(organisation=maassluis, name="Zorgteam")
    response = client.post(url("categories", maassluis), {"form": "team", "team-name": "zorgteam"})
    assert response.context["team_form"].non_field_errors()

    category = cat(maassluis, "Woonoverlast")
    response = client.post(
        url("category_edit", maassluis, pk=category.pk), edit_data(category, team=team.pk)
    )
    assert response.status_code == 302
    category.refresh_from_db()
    assert category.team == team


@pytest.mark.django_db
def test_moving_a_subcategory_takes_the_family_of_its_new_main(
    maassluis: Organisation, beheerder: User, login: Login
) -> None:
    client = login(beheerder)
    client.get(url("categories", maassluis))
    sub = cat(maassluis, "Woonoverlast")
    ondermijning = cat(maassluis, "Ondermijning")

    response = client.post(
        url("category_edit", maassluis, pk=sub.pk),
        edit_data(sub, parent=ondermijning.pk, name="Woonoverlast (drugs)"),
    )

    assert response.status_code == 302
    sub.refresh_from_db()
    assert (sub.parent, sub.family, sub.name) == (
        ondermijning,
        Family.ONDERMIJNING,
        "Woonoverlast (drugs)",
    )


@pytest.mark.django_db
def test_family_of_a_main_category_is_inherited_by_its_subcategories(
    maassluis: Organisation, beheerder: User, login: Login
) -> None:
    client = login(beheerder)
    client.get(url("categories", maassluis))
    cyber = cat(maassluis, "Cyber")

    response = client.post(
        url("category_edit", maassluis, pk=cyber.pk), edit_data(cyber, family=Family.ONDERMIJNING)
    )

    assert response.status_code == 302
    families = set(cyber.children.values_list("family", flat=True))
    assert families == {Family.ONDERMIJNING}


@pytest.mark.django_db
def test_no_third_level(maassluis: Organisation, beheerder: User, login: Login) -> None:
    client = login(beheerder)
    client.get(url("categories", maassluis))
    zorg = cat(maassluis, "Zorg & veiligheid")
    cyber = cat(maassluis, "Cyber")

    response = client.post(
        url("category_edit", maassluis, pk=zorg.pk), edit_data(zorg, parent=cyber.pk)
    )

    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    zorg.refresh_from_db()
    assert zorg.parent is None
    with pytest.raises(ServiceError):
        svc.create_category(maassluis, name="Derde", parent=cat(maassluis, "Woonoverlast"))
    sub = cat(maassluis, "Huiselijk geweld")
    change = svc.CategoryChange(
        name=sub.name, parent=cat(maassluis, "Witwassen"), family="", team=None, is_active=True
    )
    with pytest.raises(ServiceError):
        svc.change_category(sub, change, version=sub.lock_version)


@pytest.mark.django_db
def test_stale_edit_is_refused(maassluis: Organisation, beheerder: User, login: Login) -> None:
    client = login(beheerder)
    client.get(url("categories", maassluis))
    category = cat(maassluis, "Woonoverlast")
    page = client.get(url("category_edit", maassluis, pk=category.pk))
    token = page.context["form"].initial["edit_token"]
    svc.change_category(
        category,
        svc.CategoryChange(
            name="Overlast", parent=category.parent, family="", team=None, is_active=True
        ),
        version=token,
    )

    response = client.post(
        url("category_edit", maassluis, pk=category.pk),
        edit_data(category, name="Burenoverlast", edit_token=token),
    )

    assert response.status_code == 200
    assert [e.code for e in response.context["form"].non_field_errors().as_data()] == ["stale"]
    category.refresh_from_db()
    assert category.name == "Overlast"
    with pytest.raises(StaleEditError):
        svc.change_category(
            category,
            svc.CategoryChange(
                name="X", parent=category.parent, family="", team=None, is_active=True
            ),
            version=token,
        )


@pytest.mark.django_db
def test_deactivating_a_main_category_takes_its_subcategories_along(
    maassluis: Organisation, beheerder: User, login: Login
) -> None:
    client = login(beheerder)
    client.get(url("categories", maassluis))
    cyber = cat(maassluis, "Cyber")
    data = edit_data(cyber)
    del data["is_active"]

    response = client.post(url("category_edit", maassluis, pk=cyber.pk), data)

    assert response.status_code == 302
    assert not Category.objects.filter(parent=cyber, is_active=True).exists()
    sub = cat(maassluis, "Online ordeverstoring")
    change = svc.CategoryChange(name=sub.name, parent=cyber, family="", team=None, is_active=True)
    with pytest.raises(ServiceError):  # the main category first
        svc.change_category(sub, change, version=sub.lock_version)


@pytest.mark.django_db
def test_a_used_category_is_not_removed_an_unused_one_is(
    maassluis: Organisation, beheerder: User, login: Login
) -> None:
    client = login(beheerder)
    factories.make_signal(maassluis, category_name="Woonoverlast")
    used = cat(maassluis, "Woonoverlast")
    page = client.get(url("category_edit", maassluis, pk=used.pk))
    assert page.context["in_use"] is True

    response = client.post(
        url("category_edit", maassluis, pk=used.pk),
        {"delete": "1", "edit_token": str(used.lock_version)},
    )
    assert response.status_code == 200
    assert Category.objects.filter(pk=used.pk).exists()

    unused = cat(maassluis, "Radicalisering")
    response = client.post(
        url("category_edit", maassluis, pk=unused.pk),
        {"delete": "1", "edit_token": str(unused.lock_version)},
    )
    assert response.status_code == 302
    assert not Category.objects.filter(pk=unused.pk).exists()


@pytest.mark.django_db
def test_category_writes_are_audited(maassluis: Organisation, beheerder: User) -> None:
    svc.create_category(maassluis, name="Verkeer", family=Family.OVERIG)
    assert AuditEntry.objects.filter(object_type="cases.Category", action="create").exists()


# --- access grants --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_grants_page_saves_all_and_is_audited(
    maassluis: Organisation, beheerder: User, member: Member, login: Login
) -> None:
    adviseur = member(maassluis, Role.ADVISEUR)
    handhaver = member(maassluis, Role.HANDHAVER)
    client = login(beheerder)

    page = client.get(url("grants", maassluis))
    users = [user for user, _bound in page.context["rows"]]
    assert set(users) == {beheerder, adviseur}  # no handhaver: they need no grant
    assert handhaver not in users
    body = page.content.decode()
    assert f'name="user_{adviseur.pk}"' in body

    response = client.post(
        url("grants", maassluis),
        {
            f"user_{adviseur.pk}": [Grant.ZORG, Grant.REPORTER_CONTACT],
            f"user_{beheerder.pk}": [Grant.ONDERMIJNING],  # a beheerder may grant themselves
            f"shown_{adviseur.pk}": "|",  # what the page showed: no grants yet
            f"shown_{beheerder.pk}": "|",
        },
    )

    assert response.status_code == 302
    held = set(AccessGrant.objects.filter(organisation=maassluis).values_list("user_id", "grant"))
    assert held == {
        (adviseur.pk, Grant.ZORG),
        (adviseur.pk, Grant.REPORTER_CONTACT),
        (beheerder.pk, Grant.ONDERMIJNING),
    }
    entries = AuditEntry.objects.filter(object_type="cases.AccessGrant", action="create")
    assert entries.count() == 3
    assert set(entries.values_list("actor_id", flat=True)) == {beheerder.pk}

    response = client.post(
        url("grants", maassluis),
        {
            f"user_{adviseur.pk}": [Grant.ZORG],
            f"shown_{adviseur.pk}": f"|{Grant.REPORTER_CONTACT},{Grant.ZORG}",
            f"shown_{beheerder.pk}": f"|{Grant.ONDERMIJNING}",
        },
    )
    assert response.status_code == 302
    assert set(
        AccessGrant.objects.filter(organisation=maassluis).values_list("user_id", "grant")
    ) == {(adviseur.pk, Grant.ZORG)}
    assert AuditEntry.objects.filter(object_type="cases.AccessGrant", action="delete").count() == 2


@pytest.mark.django_db
def test_grants_page_refuses_unknown_grant(
    maassluis: Organisation, beheerder: User, member: Member, login: Login
) -> None:
    adviseur = member(maassluis, Role.ADVISEUR)
    response = login(beheerder).post(url("grants", maassluis), {f"user_{adviseur.pk}": ["alles"]})

    assert response.status_code == 200
    assert not AccessGrant.objects.exists()


@pytest.mark.django_db
def test_set_grants_rules(
    maassluis: Organisation, alblasserdam: Organisation, beheerder: User, member: Member
) -> None:
    adviseur = member(maassluis, Role.ADVISEUR)
    handhaver = member(maassluis, Role.HANDHAVER)
    outsider = member(alblasserdam, Role.ADVISEUR)

    added, removed = svc.set_grants(maassluis, adviseur, [Grant.CYBER], by=beheerder)
    assert (added, removed) == ({Grant.CYBER.value}, set())
    with pytest.raises(ServiceError):  # a handhaver holds no grant
        svc.set_grants(maassluis, handhaver, [Grant.CYBER], by=beheerder)
    with pytest.raises(ServiceError):  # not a member of this gemeente
        svc.set_grants(maassluis, outsider, [Grant.CYBER], by=beheerder)
    with pytest.raises(ServiceError):  # only a beheerder gives access
        svc.set_grants(maassluis, adviseur, [Grant.ZORG], by=adviseur)
    with pytest.raises(ServiceError):
        svc.set_grants(maassluis, adviseur, ["alles"], by=beheerder)
    assert set(AccessGrant.objects.values_list("grant", flat=True)) == {Grant.CYBER}


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["categories", "grants"])
def test_a_partner_organisation_has_no_meldpunt_beheer(
    member: Member, login: Login, name: str
) -> None:
    partner = OrganisationFactory(kind=OrganisationKind.POLITIE)
    user = member(partner, Role.BEHEERDER)
    assert login(user).get(url(name, partner)).status_code == 404
