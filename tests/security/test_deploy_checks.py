"""`regie check --deploy` fails on the demo and passes on the documented production configuration.

Before the product had its own deployment checks, `regie check --deploy` exited 0 on a demo
installation: demo accounts with the published password, mail printed to the console, Django's
admin, no second factor for adviseurs or an unlimited number of password guesses all passed
(Django's own deploy checks only warn, about HTTPS and the secret key).
"""

from __future__ import annotations

import base64
import datetime as dt
import os
import re
import secrets
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.checks import registry
from django.db import OperationalError, connection

from regie.accounts.models import Role, User
from regie.accounts.tests.factories import MembershipFactory, UserFactory
from regie.core import checks as core_checks
from regie.demo import checks as demo_checks
from regie.demo.services import DEMO_PASSWORD, SUPERUSER

ROOT = Path(__file__).resolve().parent.parent.parent
CONFIGURATION = ROOT / "docs" / "configuration.md"

# --- The command, in a subprocess, as an operator runs it ------------------------------------


def _clean_env(var_dir: Path) -> dict[str, str]:
    """The environment of `make run`: no REGIE_ variables, the SQLite database in ``var_dir``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("REGIE_", "DATABASE_URL"))}
    env["REGIE_VAR_DIR"] = str(var_dir)
    return env


def _regie(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - the test's own interpreter with fixed arguments
        [sys.executable, "-m", "regie.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        cwd=env["REGIE_VAR_DIR"],
        check=False,
    )


def _key() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


#: The values the Production section generates with a command (``$(python -c …)``).
GENERATED = {
    "REGIE_SECRET_KEY": lambda: secrets.token_urlsafe(50),
    "REGIE_ENCRYPTION_KEYS": lambda: "k1:" + _key(),
    "REGIE_BLIND_INDEX_KEY": _key,
}


def production_env(var_dir: Path) -> dict[str, str]:
    """The variables of docs/configuration.md's "Production" section, read from the document.

    The secret key is generated as the document says; the database is a SQLite file in
    ``var_dir`` instead of the example PostgreSQL server.
    """
    text = CONFIGURATION.read_text(encoding="utf-8")
    section = text.split("## Production", 1)[1]
    env = _clean_env(var_dir)
    exports = re.findall(r"^export (\w+)=(.*)$", section, flags=re.MULTILINE)
    assert exports, "no export lines in the Production section"
    for name, raw in exports:
        value = raw.strip().strip("\"'")
        if "$(" in value:
            value = GENERATED[name]()
        if name != "DATABASE_URL":
            env[name] = value
    return env


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite database without any account (copied by each test that changes it)."""
    var_dir = tmp_path_factory.mktemp("migrated")
    result = _regie(_clean_env(var_dir), "migrate", "--noinput")
    assert result.returncode == 0, result.stderr
    return var_dir / "regie.sqlite3"


@pytest.fixture(scope="module")
def demo_dir(migrated: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The `make run` installation: migrated, then `regie demo`."""
    var_dir = tmp_path_factory.mktemp("demo")
    shutil.copy(migrated, var_dir / "regie.sqlite3")
    result = _regie(_clean_env(var_dir), "demo")
    assert result.returncode == 0, result.stderr
    return var_dir


def test_the_demo_installation_fails_the_deploy_check(demo_dir: Path) -> None:
    result = _regie(_clean_env(demo_dir), "check", "--deploy")
    assert result.returncode != 0
    output = result.stdout + result.stderr
    for check_id in ("regie.E001", "regie.E006", "regie.E008", "regie.E010"):
        assert check_id in output, output
    assert "beheerder.maassluis" in output  # the demo accounts are named
    assert "Traceback" not in output


def test_the_documented_production_configuration_passes(migrated: Path, tmp_path: Path) -> None:
    env = production_env(tmp_path)
    # Before `regie migrate` (the order of the document): nothing to find in the database.
    result = _regie(env, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout + result.stderr
    # After it, with the installation's first superuser (no password until a reset link).
    shutil.copy(migrated, tmp_path / "regie.sqlite3")
    created = _regie(env, "createuser", "beheer", "--email", "beheer@example.nl", "--superuser")
    assert created.returncode == 0, created.stderr
    result = _regie(env, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout + result.stderr


def test_production_settings_on_the_demo_database_still_fail(demo_dir: Path) -> None:
    # The database is read by `check --deploy` itself, without `--database default`.
    result = _regie(production_env(demo_dir), "check", "--deploy")
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "regie.E001" in output, output
    assert "regie.E006" not in output  # the settings are fine; the accounts are not


# --- Each check on its own, in-process ---------------------------------------------------------


def _ids(messages: list[Any]) -> list[str]:
    return [m.id for m in messages]


@pytest.mark.django_db
def test_the_product_checks_run_only_with_deploy(settings: Any) -> None:
    # `make test` runs `regie check --fail-level WARNING` on the demo settings: it must pass.
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    settings.REGIE_DJANGO_ADMIN = True
    everyday = _ids(registry.run_checks(include_deployment_checks=False))
    assert not [i for i in everyday if i.startswith("regie.")]
    deploy = _ids(registry.run_checks(include_deployment_checks=True))
    assert {"regie.E005", "regie.E006"} <= set(deploy)


@pytest.mark.parametrize(
    ("roles", "missing"),
    [
        (["beheerder"], ["adviseur", "handhaver", "ketenpartner", "privacy_officer"]),
        (["beheerder", "adviseur", "handhaver", "privacy_officer"], ["ketenpartner"]),
        ([], ["beheerder", "adviseur", "handhaver", "ketenpartner", "privacy_officer"]),
    ],
)
def test_two_factor_must_be_required_for_every_role_that_sees_data(
    settings: Any, roles: list[str], missing: list[str]
) -> None:
    settings.REGIE_2FA_REQUIRED_ROLES = roles
    (message,) = core_checks.two_factor_roles()
    assert message.id == "regie.E003"
    assert ", ".join(missing) in message.msg
    settings.REGIE_2FA_REQUIRED_ROLES = [*core_checks.ROLES_REQUIRING_2FA, "raadpleger"]
    assert core_checks.two_factor_roles() == []


@pytest.mark.parametrize(
    ("failures", "minutes", "delay", "weak"),
    [
        (5, 15, 60, False),  # the defaults
        (10, 5, 30, False),
        (1, 60 * 24, 3600, False),
        (11, 15, 60, True),
        (1000, 15, 60, True),
        (0, 15, 60, True),
        (5, 1, 60, True),  # failures count for one minute only
        (5, 15, 0, True),  # a slowed-down account hardly waits
    ],
)
def test_password_guessing_must_be_held_back(
    settings: Any, failures: int, minutes: int, delay: int, weak: bool
) -> None:
    settings.REGIE_LOCKOUT_FAILURES = failures
    settings.REGIE_LOCKOUT_MINUTES = minutes
    settings.REGIE_LOGIN_MAX_DELAY_SECONDS = delay
    assert _ids(core_checks.lockout()) == (["regie.E004"] if weak else [])


@pytest.mark.parametrize(
    ("failures", "cooloff", "weak"),
    [
        (5, 0.25, False),  # 5 failures, 15 minutes
        (10, dt.timedelta(minutes=5), False),
        (3, None, False),  # locked until a beheerder lifts it
        (11, 0.25, True),
        (5, 1 / 60, True),  # one minute
        (5, dt.timedelta(seconds=30), True),
    ],
)
def test_without_the_products_settings_django_axes_limits_are_judged(
    settings: Any, failures: int, cooloff: Any, weak: bool
) -> None:
    for name in (
        "REGIE_LOCKOUT_FAILURES",
        "REGIE_LOCKOUT_MINUTES",
        "REGIE_LOGIN_MAX_DELAY_SECONDS",
    ):
        if hasattr(settings, name):
            delattr(settings, name)
    settings.AXES_FAILURE_LIMIT = failures
    settings.AXES_COOLOFF_TIME = cooloff
    assert _ids(core_checks.lockout()) == (["regie.E004"] if weak else [])


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("REGIE_LOCKOUT_ADDRESS_FAILURES", 100_000),
        ("REGIE_LOCKOUT_ADDRESS_FAILURES", 0),
        ("REGIE_LOCKOUT_ADDRESS_NAME_FAILURES", 100_000),
    ],
)
def test_the_limits_per_address_must_hold_back(settings: Any, name: str, value: int) -> None:
    setattr(settings, name, value)
    (message,) = core_checks.lockout()
    assert name in message.msg


def test_switching_off_the_address_lockout_fails(settings: Any) -> None:
    settings.AXES_ENABLED = False
    (message,) = core_checks.lockout()
    assert "switched off" in message.msg


def test_django_admin_must_be_off(settings: Any) -> None:
    settings.REGIE_DJANGO_ADMIN = True
    assert _ids(core_checks.django_admin()) == ["regie.E005"]
    settings.REGIE_DJANGO_ADMIN = False
    assert core_checks.django_admin() == []


@pytest.mark.parametrize("backend", sorted(core_checks.UNDELIVERED_MAIL_BACKENDS))
def test_mail_must_be_sent(settings: Any, backend: str) -> None:
    settings.EMAIL_BACKEND = backend
    assert _ids(core_checks.mail_backend()) == ["regie.E006"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    assert core_checks.mail_backend() == []


def test_no_debug_mode_and_no_debugging_apps(
    settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.DEBUG = True
    assert _ids(core_checks.debugging()) == ["regie.E007"]
    settings.DEBUG = False
    assert core_checks.debugging() == []
    # Set without override_settings: changing INSTALLED_APPS that way reloads the app registry.
    apps = [*django_settings.INSTALLED_APPS, "debug_toolbar", "django_extensions.apps.X"]
    monkeypatch.setattr(django_settings, "INSTALLED_APPS", apps)
    (message,) = core_checks.debugging()
    assert "debug_toolbar is installed" in message.msg
    assert "django_extensions is installed" in message.msg


def test_the_secret_key_must_not_be_a_development_key(settings: Any) -> None:
    settings.SECRET_KEY = "django-insecure-development-key-change-me-" + "x" * 20
    assert _ids(core_checks.secret_key()) == ["regie.E008"]
    settings.SECRET_KEY = secrets.token_urlsafe(50)
    assert core_checks.secret_key() == []


@pytest.mark.django_db
def test_the_audit_log_must_be_guarded_and_the_database_no_demo() -> None:
    from django.db import transaction

    from regie.core import append_only
    from regie.core import services as core_services

    assert core_checks.audit_guard() == []
    core_services.mark_demo_installation()
    (message,) = core_checks.audit_guard()
    assert message.id == "regie.E010"
    assert "demo" in message.msg
    core_services.end_demo_installation()
    assert core_checks.audit_guard() == []
    with transaction.atomic():  # the triggers come back with the rollback
        with connection.cursor() as cursor:
            for statement in append_only.drop_sql(connection.vendor):
                cursor.execute(statement)
        (message,) = core_checks.audit_guard()
        assert "triggers" in message.msg
        transaction.set_rollback(True)
    assert append_only.triggers_present()


def test_the_site_must_not_answer_to_any_host_name(settings: Any) -> None:
    settings.ALLOWED_HOSTS = ["veiligheid.example.nl", "*"]
    assert _ids(core_checks.allowed_hosts()) == ["regie.E011"]
    settings.ALLOWED_HOSTS = ["veiligheid.example.nl"]
    assert core_checks.allowed_hosts() == []


# --- Demo accounts and the demo password -------------------------------------------------------


@pytest.mark.django_db
def test_an_empty_installation_has_no_demo_accounts() -> None:
    UserFactory(username="j.jansen", is_superuser=True)
    assert demo_checks.demo_accounts() == []


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["beheerder.maassluis", "politie.rotterdam", SUPERUSER])
def test_an_active_demo_account_fails(username: str) -> None:
    user = UserFactory(username=username)
    (message,) = demo_checks.demo_accounts()
    assert message.id == "regie.E001"
    assert username in message.msg
    user.is_active = False
    user.save()
    assert demo_checks.demo_accounts() == []


@pytest.mark.django_db
def test_a_superuser_or_beheerder_with_the_demo_password_fails(maassluis: Any) -> None:
    admin = UserFactory(username="installatie", is_superuser=True)
    admin.set_password(DEMO_PASSWORD)
    admin.save()
    beheerder = UserFactory(username="b.beheer")
    beheerder.set_password(DEMO_PASSWORD)
    beheerder.save()
    MembershipFactory(user=beheerder, organisation=maassluis, role=Role.BEHEERDER)
    # Other roles are not compared (each comparison costs a full password hash).
    adviseur = UserFactory(username="a.adviseur")
    adviseur.set_password(DEMO_PASSWORD)
    adviseur.save()
    MembershipFactory(user=adviseur, organisation=maassluis, role=Role.ADVISEUR)

    (message,) = demo_checks.demo_accounts()
    assert message.id == "regie.E002"
    assert f"user id {admin.pk}, {beheerder.pk}" in message.msg
    # No user names next to a working password: this output ends up in deployment logs.
    assert "installatie" not in message.msg
    assert "b.beheer" not in message.msg

    admin.set_password("een-ander-lang-wachtwoord")
    admin.save()
    beheerder.set_unusable_password()
    beheerder.save()
    assert demo_checks.demo_accounts() == []


@pytest.mark.django_db
def test_at_most_ten_passwords_are_compared(monkeypatch: pytest.MonkeyPatch) -> None:
    for number in range(demo_checks.MAX_PASSWORDS_COMPARED + 5):
        UserFactory(username=f"super{number}", is_superuser=True)
    compared: list[str] = []

    def check_password(password: str, encoded: str) -> bool:
        compared.append(encoded)
        return False

    monkeypatch.setattr(demo_checks, "check_password", check_password)
    assert demo_checks.demo_accounts() == []
    assert len(compared) == demo_checks.MAX_PASSWORDS_COMPARED


@pytest.mark.django_db
def test_a_database_without_tables_passes_and_one_out_of_reach_warns(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    UserFactory(username="beheerder.maassluis")
    monkeypatch.setattr(connection.introspection, "table_names", lambda *a, **k: [])
    assert demo_checks.demo_accounts() == []

    def unreachable(*args: Any, **kwargs: Any) -> list[str]:
        raise OperationalError("could not connect to server")

    monkeypatch.setattr(connection.introspection, "table_names", unreachable)
    (message,) = demo_checks.demo_accounts()
    assert (message.id, message.level) == ("regie.W001", 30)
    assert "could not connect" in message.msg


@pytest.mark.django_db
def test_the_demo_check_is_not_confused_by_other_users() -> None:
    # A user whose name only resembles a demo account is not one.
    UserFactory(username="beheerder.maassluis2")
    assert User.objects.count() == 1
    assert demo_checks.demo_accounts() == []
