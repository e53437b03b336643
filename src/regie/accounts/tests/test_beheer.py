from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from regie.accounts.models import Membership, Role, User
from regie.core.concurrency import edit_token
from regie.core.models import AuditAction, AuditEntry

pytestmark = pytest.mark.django_db


def test_beheerder_adds_a_new_user_who_gets_an_invitation(maassluis, member, login) -> None:
    admin = member(maassluis, Role.BEHEERDER)
    client = login(admin)
    url = reverse("beheer:member_list", kwargs={"org": maassluis.slug})
    response = client.post(
        url,
        {
            "username": "nieuw.lid",
            "email": "nieuw@example.org",
            "role": Role.ADVISEUR,
            "first_name": "Nieuw",
            "last_name": "Lid",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(username="nieuw.lid")
    assert not user.has_usable_password()
    assert Membership.objects.get(user=user).role == Role.ADVISEUR
    assert len(mail.outbox) == 1
    assert "nieuw.lid" in mail.outbox[0].body
    assert AuditEntry.objects.filter(
        organisation=maassluis, object_type="accounts.Membership", action=AuditAction.CREATE
    ).exists()


def test_invalid_input_keeps_what_was_typed(maassluis, member, login) -> None:
    client = login(member(maassluis, Role.BEHEERDER))
    url = reverse("beheer:member_list", kwargs={"org": maassluis.slug})
    response = client.post(
        url, {"username": "bijna.goed", "email": "geen-adres", "role": "adviseur"}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert 'value="bijna.goed"' in body
    assert 'value="geen-adres"' in body
    assert not User.objects.filter(username="bijna.goed").exists()


def test_last_beheerder_cannot_be_removed_or_demoted(maassluis, member, login) -> None:
    admin = member(maassluis, Role.BEHEERDER)
    client = login(admin)
    remove = reverse("beheer:member_remove", kwargs={"org": maassluis.slug, "user_id": admin.pk})
    response = client.post(remove)
    assert response.status_code == 200
    assert "laatste beheerder" in response.content.decode()
    assert Membership.objects.filter(user=admin, organisation=maassluis).exists()


def test_remove_membership_after_confirmation(maassluis, member, login) -> None:
    admin = member(maassluis, Role.BEHEERDER)
    other = member(maassluis, Role.RAADPLEGER)
    client = login(admin)
    remove = reverse("beheer:member_remove", kwargs={"org": maassluis.slug, "user_id": other.pk})
    assert "Weet u zeker" in client.get(remove).content.decode()
    assert client.post(remove).status_code == 302
    assert not Membership.objects.filter(user=other, organisation=maassluis).exists()
    assert User.objects.filter(pk=other.pk).exists()


def test_concurrent_role_edit_is_refused(maassluis, member, login) -> None:
    admin = member(maassluis, Role.BEHEERDER)
    other = member(maassluis, Role.RAADPLEGER)
    membership = Membership.objects.get(user=other, organisation=maassluis)
    stale = edit_token(membership)
    # Someone else changes the role in the meantime.
    membership.role = Role.HANDHAVER
    membership.save()
    client = login(admin)
    url = reverse("beheer:member_detail", kwargs={"org": maassluis.slug, "user_id": other.pk})
    response = client.post(url, {"form": "role", "role": Role.ADVISEUR, "edit_token": stale})
    assert response.status_code == 200
    assert "Iemand anders" in response.content.decode()
    membership.refresh_from_db()
    assert membership.role == Role.HANDHAVER
    fresh = edit_token(membership)
    response = client.post(url, {"form": "role", "role": Role.ADVISEUR, "edit_token": fresh})
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.role == Role.ADVISEUR


def test_audit_log_filters(maassluis, alblasserdam, member, login) -> None:
    admin = member(maassluis, Role.BEHEERDER)
    member(alblasserdam, Role.ADVISEUR)
    client = login(admin)
    url = reverse("beheer:audit_log", kwargs={"org": maassluis.slug})
    body = client.get(url, {"object_type": "Membership", "action": "create"}).content.decode()
    assert "accounts.Membership" in body
    assert "Alblasserdam" not in body
    body = client.get(url, {"action": "delete"}).content.decode()
    assert "geen regels" in body


def test_audit_entries_are_shown_only_to_their_organisation(
    maassluis, alblasserdam, member, login
) -> None:
    admin = member(maassluis, Role.BEHEERDER)
    member(alblasserdam, Role.ADVISEUR)
    entry = AuditEntry.objects.filter(organisation=alblasserdam).first()
    assert entry is not None
    client = login(admin)
    url = reverse("beheer:audit_entry", kwargs={"org": maassluis.slug, "entry_id": entry.pk})
    assert client.get(url).status_code == 404
