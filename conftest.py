"""Shared pytest fixtures: organisations, users per role, and 2FA-verified logins."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from regie.accounts.models import Role, User
from regie.accounts.tests.factories import MembershipFactory, UserFactory
from regie.core.models import Organisation
from regie.core.tests.factories import GemeenteFactory
from tests.conftest_matrix import areas  # noqa: F401 - fixture re-export


def pytest_configure(config: pytest.Config) -> None:
    from django.conf import settings
    from hypothesis import HealthCheck
    from hypothesis import settings as hypothesis_settings

    # No test may depend on timing: hypothesis' per-example deadline (200 ms) and its "too
    # slow" health check fail on a loaded machine (CI: 2 cores). Timings belong in bench/.
    hypothesis_settings.register_profile(
        "regie",
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    hypothesis_settings.load_profile("regie")

    # Hashing with PBKDF2 costs ~0.2 s per user; tests make hundreds of users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Fixed test keys (never used outside tests): encrypted fields and blind indexes work in
    # every test without a keys file.
    settings.REGIE_ENCRYPTION_KEYS = "test1:" + "A" * 42 + "Q"
    settings.REGIE_BLIND_INDEX_KEY = "B" * 42 + "Q"
    # Test databases are erased between transactional tests (flush), audit log included.
    settings.REGIE_ALLOW_AUDIT_PURGE = True


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    """Cached page results are keyed by a data version that test rollbacks can repeat."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _default_language() -> None:
    """Each test starts in the site's language: a request with Accept-Language: en leaves
    English active in the thread (LocaleMiddleware does not undo it), which would leak."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def maassluis(db: Any) -> Organisation:
    return GemeenteFactory(name="Maassluis", slug="gm0556", cbs_code="GM0556")


@pytest.fixture
def alblasserdam(db: Any) -> Organisation:
    return GemeenteFactory(name="Alblasserdam", slug="gm0482", cbs_code="GM0482")


def verified_client(user: User) -> Client:
    """A test client logged in as ``user`` who has passed two-factor verification."""
    device, _ = TOTPDevice.objects.get_or_create(
        user=user, name="test", defaults={"confirmed": True}
    )
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


@pytest.fixture
def login() -> Callable[[User], Client]:
    return verified_client


@pytest.fixture
def member(db: Any) -> Callable[[Organisation, str], User]:
    """Make a user with ``role`` in ``organisation``."""

    def make(organisation: Organisation, role: str = Role.ADVISEUR) -> User:
        user = UserFactory()
        MembershipFactory(user=user, organisation=organisation, role=role)
        return user

    return make
