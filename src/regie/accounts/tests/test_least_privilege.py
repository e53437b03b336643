"""Least privilege by default: no role is preselected when inviting someone, and the invitation
names the role and the organisation (mail and page)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import translation

from regie.accounts import navigation
from regie.accounts.forms import InvitationForm
from regie.accounts.models import Invitation, Role, User
from regie.core.models import Organisation

pytestmark = pytest.mark.django_db

_ROLE_SELECT = re.compile(r'<select name="role"[^>]*>(.*?)</select>', re.S)


def test_the_invitation_form_preselects_no_role(
    maassluis: Organisation, member: Callable[..., User], login: Any
) -> None:
    client = login(member(maassluis, Role.BEHEERDER))
    body = client.get(reverse("beheer:member_list", kwargs={"org": maassluis.slug}))
    select = _ROLE_SELECT.search(body.content.decode())
    assert select is not None
    options = re.findall(r'<option value="([^"]*)"( selected)?>', select.group(1))
    assert options[0][0] == ""  # "Kies een rol" first …
    assert [value for value, selected in options if selected] in ([], [""])  # … nothing else
    assert {value for value, _ in options[1:]} == set(Role.values)


def test_inviting_without_a_role_is_refused_and_keeps_the_input(
    maassluis: Organisation, member: Callable[..., User], login: Any
) -> None:
    client = login(member(maassluis, Role.BEHEERDER))
    url = reverse("beheer:member_list", kwargs={"org": maassluis.slug})
    response = client.post(url, {"email": "nieuw@example.org", "role": ""})
    assert response.status_code == 200
    assert response.context["form"].errors["role"] == [
        str(InvitationForm.base_fields["role"].error_messages["required"])
    ]
    body = response.content.decode()
    assert 'value="nieuw@example.org"' in body
    assert 'aria-invalid="true"' in body or "utrecht-form-field-error-message" in body
    assert not Invitation.objects.exists()
    assert not mail.outbox


def test_the_required_role_message_is_dutch() -> None:
    """Runs against the compiled catalogue (a lost translation fails here)."""
    with translation.override("nl"):
        form = InvitationForm({"email": "nieuw@example.org", "role": ""})
        assert not form.is_valid()
        message = form.errors["role"][0]
    assert message == "Kies de rol die deze persoon krijgt."


@pytest.mark.parametrize("role", [Role.RAADPLEGER, Role.ADVISEUR])
def test_the_invitation_names_role_and_organisation(
    role: str, maassluis: Organisation, member: Callable[..., User], login: Any
) -> None:
    client = login(member(maassluis, Role.BEHEERDER))
    url = reverse("beheer:member_list", kwargs={"org": maassluis.slug})
    assert client.post(url, {"email": "nieuw@example.org", "role": role}).status_code == 302
    invitation = Invitation.objects.get()
    assert invitation.role == role
    with translation.override("nl"):
        label = str(Role(role).label)
        summary = navigation.role_summary(role, maassluis)
    message = mail.outbox[0]
    for text in (message.subject, message.body):
        assert label in text
        assert "Maassluis" in text
    assert summary in message.body
    link = re.search(r"https?://[^/]+(/\S+)", message.body)
    assert link is not None
    page = Client().get(link.group(1))
    body = page.content.decode()
    assert page.status_code == 200
    assert label in body
    assert "Maassluis" in body
    assert summary in body
