from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from regie.accounts import audit_display, services
from regie.accounts.models import Invitation, Membership, Role, User
from regie.accounts.tests.factories import PASSWORD
from regie.core.concurrency import StaleEditError, edit_token
from regie.core.models import AuditAction, AuditEntry

pytestmark = pytest.mark.django_db


def invitation_link(message: mail.EmailMessage) -> str:
    found = re.search(r"https?://[^/]+(/\S+)", message.body)
    assert found is not None, message.body
    return found.group(1)


def test_beheerder_invites_and_the_invitee_creates_an_account(maassluis, member, login) -> None:
    admin = member(maassluis, Role.BEHEERDER)
    client = login(admin)
    url = reverse("beheer:member_list", kwargs={"org": maassluis.slug})
    response = client.post(url, {"email": "nieuw@example.org", "role": Role.ADVISEUR})
    assert response.status_code == 302
    invitation = Invitation.objects.get(email="nieuw@example.org")
    assert invitation.organisation == maassluis
    assert invitation.invited_by == admin
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["nieuw@example.org"]
    link = invitation_link(mail.outbox[0])
    assert invitation.token_hash not in link  # only the hash is stored, the mail has the token
    # The invited person creates an account from the link.
    newcomer = Client()
    page = newcomer.get(link)
    assert page.status_code == 200
    assert "Maassluis" in page.content.decode()
    response = newcomer.post(
        link,
        {
            "username": "nieuw.lid",
            "first_name": "Nieuw",
            "last_name": "Lid",
            "password1": "Een-eigen-lang-wachtwoord-3",
            "password2": "Een-eigen-lang-wachtwoord-3",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(username="nieuw.lid")
    assert user.email == "nieuw@example.org"
    assert Membership.objects.get(user=user, organisation=maassluis).role == Role.ADVISEUR
    invitation.refresh_from_db()
    assert invitation.accepted_by == user
    # The link cannot be used twice.
    assert Client().get(link).context["invitation"] is None
    assert AuditEntry.objects.filter(
        organisation=maassluis, action=AuditAction.LINK_CONSENT, object_id=str(user.pk)
    ).exists()
    assert AuditEntry.objects.filter(organisation=maassluis, action=AuditAction.INVITATION).exists()


def test_pending_invitations_are_listed_and_can_be_cancelled(maassluis, member, login) -> None:
    admin = member(maassluis, Role.BEHEERDER)
    client = login(admin)
    url = reverse("beheer:member_list", kwargs={"org": maassluis.slug})
    client.post(url, {"email": "later@example.org", "role": Role.RAADPLEGER})
    invitation = Invitation.objects.get(email="later@example.org")
    assert "later@example.org" in client.get(url).content.decode()
    cancel = reverse(
        "beheer:invitation_cancel", kwargs={"org": maassluis.slug, "invitation_id": invitation.pk}
    )
    assert client.get(cancel).status_code == 200
    assert client.post(cancel).status_code == 302
    invitation.refresh_from_db()
    assert invitation.cancelled_at is not None
    assert "later@example.org" not in client.get(url).content.decode()
    link = invitation_link(mail.outbox[0])
    assert Client().get(link).context["invitation"] is None


def test_a_new_invitation_replaces_the_open_one(maassluis, member) -> None:
    admin = member(maassluis, Role.BEHEERDER)
    first = services.invite(
        organisation=maassluis,
        email="twee@example.org",
        role=Role.RAADPLEGER,
        invited_by=admin,
        base_url="http://testserver",
    )
    second = services.invite(
        organisation=maassluis,
        email="TWEE@example.org",
        role=Role.ADVISEUR,
        invited_by=admin,
        base_url="http://testserver",
    )
    first.refresh_from_db()
    assert first.cancelled_at is not None
    assert second.is_pending


def test_invalid_input_keeps_what_was_typed(maassluis, member, login) -> None:
    client = login(member(maassluis, Role.BEHEERDER))
    url = reverse("beheer:member_list", kwargs={"org": maassluis.slug})
    response = client.post(url, {"email": "geen-adres", "role": "adviseur"})
    assert response.status_code == 200
    assert 'value="geen-adres"' in response.content.decode()
    assert not Invitation.objects.exists()
    assert not mail.outbox


def _remove(client, org, user):
    membership = Membership.objects.get(user=user, organisation=org)
    url = reverse("beheer:member_remove", kwargs={"org": org.slug, "user_id": user.pk})
    return url, client.post(url, {"edit_token": edit_token(membership)})


def test_last_beheerder_cannot_be_removed_or_demoted(maassluis, member, login) -> None:
    admin = member(maassluis, Role.BEHEERDER)
    client = login(admin)
    _url, response = _remove(client, maassluis, admin)
    assert response.status_code == 200
    assert "laatste beheerder" in response.content.decode()
    assert Membership.objects.filter(user=admin, organisation=maassluis).exists()
    membership = Membership.objects.get(user=admin, organisation=maassluis)
    url = reverse("beheer:member_detail", kwargs={"org": maassluis.slug, "user_id": admin.pk})
    response = client.post(url, {"role": Role.ADVISEUR, "edit_token": edit_token(membership)})
    assert "laatste beheerder" in response.content.decode()
    membership.refresh_from_db()
    assert membership.role == Role.BEHEERDER


def test_remove_membership_after_confirmation(maassluis, member, login) -> None:
    admin = member(maassluis, Role.BEHEERDER)
    other = member(maassluis, Role.RAADPLEGER)
    client = login(admin)
    remove = reverse("beheer:member_remove", kwargs={"org": maassluis.slug, "user_id": other.pk})
    assert "Weet u zeker" in client.get(remove).content.decode()
    _url, response = _remove(client, maassluis, other)
    assert response.status_code == 302
    assert not Membership.objects.filter(user=other, organisation=maassluis).exists()
    assert User.objects.filter(pk=other.pk).exists()


def test_removal_over_someone_elses_change_is_refused(maassluis, member, login) -> None:
    admin = member(maassluis, Role.BEHEERDER)
    other = member(maassluis, Role.RAADPLEGER)
    membership = Membership.objects.get(user=other, organisation=maassluis)
    stale = edit_token(membership)
    services.set_role(user=other, organisation=maassluis, role=Role.ADVISEUR)
    client = login(admin)
    remove = reverse("beheer:member_remove", kwargs={"org": maassluis.slug, "user_id": other.pk})
    response = client.post(remove, {"edit_token": stale})
    assert response.status_code == 200
    assert "Iemand anders" in response.content.decode()
    assert Membership.objects.filter(user=other, organisation=maassluis).exists()


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
    response = client.post(url, {"role": Role.ADVISEUR, "edit_token": stale})
    assert response.status_code == 200
    assert "Iemand anders" in response.content.decode()
    membership.refresh_from_db()
    assert membership.role == Role.HANDHAVER
    fresh = edit_token(membership)
    response = client.post(url, {"role": Role.ADVISEUR, "edit_token": fresh})
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.role == Role.ADVISEUR
    assert AuditEntry.objects.filter(
        organisation=maassluis, action=AuditAction.ROLE_CHANGE, object_id=str(other.pk)
    ).exists()


def test_the_services_claim_the_version_at_the_write(maassluis, member) -> None:
    """Two saves that both passed the form's early check: the second is refused by claim()."""
    other = member(maassluis, Role.RAADPLEGER)
    membership = Membership.objects.get(user=other, organisation=maassluis)
    token = edit_token(membership)
    services.set_role(user=other, organisation=maassluis, role=Role.ADVISEUR, token=token)
    with pytest.raises(StaleEditError):
        services.set_role(user=other, organisation=maassluis, role=Role.HANDHAVER, token=token)
    with pytest.raises(StaleEditError):
        services.remove_membership(membership=membership, token=token)
    org_token = edit_token(maassluis)
    services.rename_organisation(organisation=maassluis, name="Gemeente Maassluis", token=org_token)
    with pytest.raises(StaleEditError):
        services.rename_organisation(organisation=maassluis, name="Anders", token=org_token)
    maassluis.refresh_from_db()
    assert maassluis.name == "Gemeente Maassluis"


def test_organisation_rename_over_someone_elses_change_is_refused(maassluis, member, login) -> None:
    client = login(member(maassluis, Role.BEHEERDER))
    url = reverse("beheer:organisation_settings", kwargs={"org": maassluis.slug})
    stale = edit_token(maassluis)
    services.rename_organisation(organisation=maassluis, name="Eerst", token=stale)
    response = client.post(url, {"name": "Daarna", "edit_token": stale})
    assert response.status_code == 200
    assert "Iemand anders" in response.content.decode()
    maassluis.refresh_from_db()
    assert maassluis.name == "Eerst"
    response = client.post(url, {"name": "Daarna", "edit_token": edit_token(maassluis)})
    assert response.status_code == 302


def test_audit_log_filters_and_labels(maassluis, alblasserdam, member, login) -> None:
    admin = member(maassluis, Role.BEHEERDER)
    member(alblasserdam, Role.ADVISEUR)
    client = login(admin)
    url = reverse("beheer:audit_log", kwargs={"org": maassluis.slug})
    body = client.get(
        url, {"object_type": "accounts.Membership", "action": "create"}
    ).content.decode()
    with translation.override("nl"):
        label = audit_display.type_label("accounts.Membership")
    assert label in body
    assert "accounts.Membership" not in body.split("<table", 1)[-1]
    assert "Alblasserdam" not in body
    body = client.get(url, {"action": "delete"}).content.decode()
    assert "geen regels" in body


def test_audit_pages_show_local_time_and_field_labels(maassluis, member, login) -> None:
    admin = member(maassluis, Role.BEHEERDER)
    other = member(maassluis, Role.RAADPLEGER)
    services.set_role(user=other, organisation=maassluis, role=Role.ADVISEUR)
    entry = AuditEntry.objects.filter(
        object_type="accounts.Membership", action=AuditAction.UPDATE, organisation=maassluis
    ).latest("id")
    client = login(admin)
    body = client.get(reverse("beheer:audit_log", kwargs={"org": maassluis.slug})).content.decode()
    # Amsterdam time (UTC+1 or +2), not the UTC time it is stored in.
    assert timezone.localtime(entry.timestamp).strftime("%H:%M:%S") in body
    assert entry.timestamp.astimezone(dt.UTC).strftime("%H:%M:%S") not in body
    detail = client.get(
        reverse("beheer:audit_entry", kwargs={"org": maassluis.slug, "entry_id": entry.pk})
    ).content.decode()
    with translation.override("nl"):
        changes = audit_display.changes(entry)
    assert [c.label for c in changes] == ["Rol"]
    assert ">Rol<" in detail
    assert "Adviseur (OOV)" in detail  # the role's label, not its stored value
    assert ">role<" not in detail


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


def test_member_pages_record_the_reading_of_personal_data(maassluis, member, login) -> None:
    admin = member(maassluis, Role.BEHEERDER)
    other = member(maassluis, Role.RAADPLEGER)
    client = login(admin)
    client.get(reverse("beheer:member_list", kwargs={"org": maassluis.slug}))
    client.get(reverse("beheer:member_detail", kwargs={"org": maassluis.slug, "user_id": other.pk}))
    client.get(reverse("beheer:audit_log", kwargs={"org": maassluis.slug}))
    reads = AuditEntry.objects.filter(action=AuditAction.READ, actor=admin, organisation=maassluis)
    assert reads.count() == 3
    assert reads.filter(object_type="accounts.User", object_id=str(other.pk)).exists()
    assert all(e.purpose for e in reads)


def test_password_login_still_works_for_an_invited_account(maassluis, member) -> None:
    admin = member(maassluis, Role.BEHEERDER)
    invitation = services.invite(
        organisation=maassluis,
        email="x@example.org",
        role=Role.RAADPLEGER,
        invited_by=admin,
        base_url="http://testserver",
    )
    user = services.create_account_from_invitation(
        invitation=invitation, username="x", first_name="", last_name="", password=PASSWORD
    )
    client = Client()
    response = client.post(reverse("accounts:login"), {"username": "x", "password": PASSWORD})
    assert response.status_code == 302
    assert Membership.objects.get(user=user).role == Role.RAADPLEGER
