from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from regie.accounts.models import Role, User
from regie.core.models import AuditAction, AuditEntry

pytestmark = pytest.mark.django_db


def test_the_owner_changes_the_own_name(maassluis, member, login) -> None:
    user = member(maassluis, Role.ADVISEUR)
    client = login(user)
    response = client.post(
        reverse("accounts:profile"), {"first_name": "Anna", "last_name": "de Vries"}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.get_full_name() == "Anna de Vries"


def test_a_broken_confirmation_link_changes_nothing(maassluis, member, login) -> None:
    user = member(maassluis, Role.ADVISEUR)
    client = login(user)
    url = reverse("accounts:email_confirm", kwargs={"token": "vervalst"})
    assert client.get(url).status_code == 200
    response = client.post(url)
    assert response.status_code == 200
    assert response.context["error"]
    user.refresh_from_db()
    assert user.email.endswith("@example.org")
    assert not mail.outbox


def test_installation_beheer_finds_accounts(maassluis, member, login) -> None:
    user = member(maassluis, Role.ADVISEUR)
    root = User.objects.create_superuser("root", "root@example.org", "Een-lang-wachtwoord-1")
    client = login(root)
    body = client.get(reverse("installatie:account_list"), {"zoek": user.username}).content
    assert user.username in body.decode()
    assert "root@example.org" not in body.decode()
    assert AuditEntry.objects.filter(action=AuditAction.READ, actor=root).exists()


def test_the_profile_page_lists_own_devices_with_a_remove_link(maassluis, member, login) -> None:
    user = member(maassluis, Role.ADVISEUR)
    client = login(user)
    body = client.get(reverse("accounts:profile")).content.decode()
    device = user.totpdevice_set.get()
    assert reverse("accounts:device_remove", kwargs={"device_id": device.pk}) in body
    assert reverse("accounts:setup_2fa") in body


def test_cleanup_removes_used_and_expired_email_change_requests(maassluis, member) -> None:
    import datetime as dt
    from io import StringIO

    from django.core.management import call_command
    from django.utils import timezone

    from regie.accounts.models import EmailChange

    user = member(maassluis, Role.ADVISEUR)
    now = timezone.now()

    def request(**kwargs):
        return EmailChange.objects.create(
            user=user,
            new_email="nieuw@example.org",
            old_email=user.email,
            token_hash=kwargs.pop("token_hash"),
            expires_at=kwargs.pop("expires_at"),
            **kwargs,
        )

    pending = request(token_hash="a" * 64, expires_at=now + dt.timedelta(hours=1))
    request(token_hash="b" * 64, expires_at=now - dt.timedelta(minutes=1))
    request(token_hash="c" * 64, expires_at=now + dt.timedelta(hours=1), used_at=now)
    out = StringIO()
    call_command("cleanup", "--dry-run", stdout=out)
    assert EmailChange.objects.count() == 3
    call_command("cleanup", stdout=out)
    assert list(EmailChange.objects.all()) == [pending]
