from __future__ import annotations

import base64
import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from regie.accounts.models import Role
from regie.accounts.tests.factories import PASSWORD, MembershipFactory, UserFactory
from regie.core.models import AuditAction, AuditEntry
from regie.core.tests.factories import GemeenteFactory

pytestmark = pytest.mark.django_db


def code_for(device: TOTPDevice) -> str:
    return str(totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)).zfill(6)


def make_member(role: str = Role.ADVISEUR, *, with_device: bool = True):
    org = GemeenteFactory(slug="gm0556", cbs_code="GM0556", name="Maassluis")
    user = UserFactory()
    MembershipFactory(user=user, organisation=org, role=role)
    device = (
        TOTPDevice.objects.create(user=user, name="app", confirmed=True) if with_device else None
    )
    return org, user, device


def password_login(client: Client, username: str, password: str = PASSWORD):
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def test_password_then_totp_reaches_the_gemeente(settings) -> None:
    org, user, device = make_member()
    client = Client()
    response = password_login(client, user.username)
    assert response.status_code == 302
    # Not verified yet: every page sends the user to the second step.
    response = client.get(reverse("org_areas:overview", kwargs={"org": org.slug}))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:verify"))
    response = client.post(reverse("accounts:verify"), {"token": "000000"})
    assert response.status_code == 200
    assert "klopt niet" in response.content.decode()
    # A second try straight away is throttled (django-otp doubles the wait after each failure).
    response = client.post(reverse("accounts:verify"), {"token": code_for(device)})
    assert "Te veel onjuiste codes" in response.content.decode()
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    response = client.post(
        reverse("accounts:verify"),
        {
            "token": code_for(device),
            "next": reverse("org_areas:overview", kwargs={"org": org.slug}),
        },
    )
    assert response.status_code == 302
    assert client.get(response["Location"]).status_code == 200
    assert AuditEntry.objects.filter(action=AuditAction.LOGIN, actor=user).exists()


def test_role_that_requires_2fa_must_enrol_first() -> None:
    org, user, _ = make_member(with_device=False)
    client = Client()
    password_login(client, user.username)
    response = client.get(reverse("org_areas:overview", kwargs={"org": org.slug}))
    assert response["Location"].startswith(reverse("accounts:setup_2fa"))
    page = client.get(reverse("accounts:setup_2fa")).content.decode()
    secret = re.search(r'class="regie-secret">([A-Z2-7]+)<', page)
    assert secret is not None
    key = base64.b32decode(secret.group(1))
    code = str(totp(key)).zfill(6)
    response = client.post(reverse("accounts:setup_2fa"), {"token": code})
    assert response.status_code == 302
    assert TOTPDevice.objects.filter(user=user, confirmed=True).count() == 1
    assert client.get(reverse("org_areas:overview", kwargs={"org": org.slug})).status_code == 200


def test_raadpleger_does_not_need_2fa_by_default(settings) -> None:
    org, user, _ = make_member(Role.RAADPLEGER, with_device=False)
    client = Client()
    password_login(client, user.username)
    assert client.get(reverse("org_areas:overview", kwargs={"org": org.slug})).status_code == 200
    settings.REGIE_2FA_REQUIRED_ROLES = ["raadpleger"]
    response = client.get(reverse("org_areas:overview", kwargs={"org": org.slug}))
    assert response["Location"].startswith(reverse("accounts:setup_2fa"))


def test_lockout_of_one_address_after_repeated_failures(settings) -> None:
    _, user, _ = make_member()
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = password_login(client, user.username, "fout-wachtwoord")
        assert response.status_code in {200, 429}
    response = password_login(client, user.username, PASSWORD)
    assert response.status_code == 429
    with translation.override("nl"):
        assert gettext("Logging in temporarily blocked") in response.content.decode()
    assert AuditEntry.objects.filter(action=AuditAction.LOGIN_FAILED).count() >= 1
    assert AuditEntry.objects.filter(action=AuditAction.LOCKOUT).exists()


def test_logout_requires_post_and_ends_the_session() -> None:
    org, user, device = make_member()
    client = Client()
    password_login(client, user.username)
    client.post(reverse("accounts:verify"), {"token": code_for(device)})
    assert client.get(reverse("accounts:logout")).status_code == 405
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    response = client.get(reverse("org_areas:overview", kwargs={"org": org.slug}))
    assert response["Location"].startswith(reverse("accounts:login"))


def test_password_reset_mail_contains_a_working_link() -> None:
    _, user, _ = make_member()
    client = Client()
    client.post(reverse("accounts:password_reset"), {"email": user.email})
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/]+(/\S+)", mail.outbox[0].body)
    assert link is not None
    response = client.get(link.group(1), follow=True)
    assert response.status_code == 200
    new = "Een-nieuw-lang-wachtwoord-7"
    response = client.post(
        response.redirect_chain[-1][0], {"new_password1": new, "new_password2": new}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(new)


def test_session_expires_after_inactivity_and_at_browser_close(settings) -> None:
    assert settings.SESSION_SAVE_EVERY_REQUEST is True
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    assert settings.SESSION_COOKIE_AGE <= 60 * 60


def test_security_headers_include_csp(client: Client) -> None:
    response = client.get(reverse("accounts:login"))
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
