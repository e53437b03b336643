"""A session that passed only the password can do nothing but the second factor.

Every named URL of the project, for a beheerder and for the installation's superuser who both have
a confirmed device, after the password step only: pages redirect to the verification step, the
JSON API answers 403, and POSTs change nothing. The enrolment page is included: enrolling a new
device from such a session would make a rogue device that passes the second factor.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from regie.accounts.models import Role, User
from regie.core.models import AuditEntry
from tests.test_permission_matrix import API, MATRIX, NOT_GET, ORG_API, PUBLIC, QUERY, _kwargs

#: What a half-logged-in session may still open: the second factor itself and leaving.
ALLOWED = {"accounts:verify", "accounts:logout", "set_language"}
CHECKED = sorted(name for name, spec in MATRIX.items() if spec != PUBLIC and name not in ALLOWED)


def _password_only(user: User) -> Client:
    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    client = Client()
    client.force_login(user)  # the password step, without DEVICE_ID_SESSION_KEY
    return client


@pytest.fixture
def half_logged_in(world: dict[str, Any]) -> Callable[[str], Client]:
    def make(who: str) -> Client:
        if who == "superuser":
            user = User.objects.create_superuser("root", "root@example.org", "Een-lang-wachtw-1")
        else:
            user = world["users"][Role.BEHEERDER]
        return _password_only(user)

    return make


def _assert_stopped(response: Any, spec: Any, url: str) -> None:
    if spec in (API, ORG_API) or url.startswith("/api/"):
        assert response.status_code in {401, 403}, url
        return
    assert response.status_code == 302, (url, response.status_code)
    assert response["Location"].startswith(reverse("accounts:verify")), (url, response["Location"])


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["beheerder", "superuser"])
@pytest.mark.parametrize("name", CHECKED)
def test_a_password_only_session_is_sent_to_the_second_factor(
    world: dict[str, Any], half_logged_in: Callable[[str], Client], who: str, name: str
) -> None:
    client = half_logged_in(who)
    url = reverse(name, kwargs=_kwargs(name, world["own"], world["own_target"]))
    spec = MATRIX[name]
    if spec != NOT_GET:
        _assert_stopped(client.get(url, QUERY.get(name, {})), spec, url)
    changes = AuditEntry.objects.exclude(object_type="event").count()
    devices = TOTPDevice.objects.count()
    response = client.post(url, {"token": "123456", "role": Role.BEHEERDER, "name": "X"})
    _assert_stopped(response, spec, url)
    assert TOTPDevice.objects.count() == devices, f"{url}: a device was added"
    # A refused request may write a security event, never a change of data.
    assert AuditEntry.objects.exclude(object_type="event").count() == changes, url
