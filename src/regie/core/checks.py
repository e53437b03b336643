"""Production checks of the product's own settings: ``regie check --deploy``.

Django's deployment checks (``security.W0xx``) look at HTTPS, cookies and headers; these look at
what makes *this* product unsafe to run for real. They are registered with ``deploy=True``, so
``regie check`` (and ``make test``) never run them; ``regie check --deploy`` always does. They
are errors, not warnings: ``regie check --deploy`` exits non-zero on any of them.

Ids (one list for both modules that use the ``regie`` prefix):

- ``regie.E001`` demo accounts are active (``regie.demo.checks``)
- ``regie.E002`` a superuser or beheerder has the published demo password (``regie.demo.checks``)
- ``regie.W001`` the database could not be read for those two (``regie.demo.checks``)
- ``regie.E003`` two-factor authentication is not required for a role that sees data
- ``regie.E004`` password guessing is not held back enough
- ``regie.E005`` Django's admin is exposed
- ``regie.E006`` mail is printed, written to files or kept in memory instead of sent
- ``regie.E007`` debug mode or a debugging app is on
- ``regie.E008`` the secret key is a published development key
- ``regie.E009`` not used (field encryption keys: ``privacy.E001``/``E002``, regie.privacy.checks)
- ``regie.E010`` the audit log is not guarded by its database triggers, or the database is a demo
- ``regie.E011`` the site answers to any host name (mail links are built from the Host header)
- ``regie.W002`` the database could not be read for regie.E010
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register
from django.db import DatabaseError, connection

#: Roles that see a gemeente's data (or, for handhavers and ketenpartners, personal data in the
#: meldpunt): each must log in with a second factor. Role values of ``regie.accounts.models.Role``
#: (core sits below accounts, so it names them rather than importing them).
ROLES_REQUIRING_2FA = ("beheerder", "adviseur", "handhaver", "ketenpartner", "privacy_officer")
#: At most this many free failed passwords per account before logging in is slowed down (or,
#: with django-axes alone, locked out), counted over at least this long; and a slowed-down
#: account waits at least this long between attempts at the end.
MAX_LOCKOUT_FAILURES = 10
MIN_LOCKOUT = dt.timedelta(minutes=5)
MIN_LOGIN_DELAY_SECONDS = 30
#: Per client address: failures over any names before that address is slowed down, and failures
#: of one name at one address before that pair is locked out (ADR 0004).
ADDRESS_LIMITS = {"REGIE_LOCKOUT_ADDRESS_FAILURES": 100, "REGIE_LOCKOUT_ADDRESS_NAME_FAILURES": 50}
#: Mail backends that never deliver: a password-reset link printed to the server's console (or a
#: file) reaches the log instead of the user, and is a secret there.
UNDELIVERED_MAIL_BACKENDS = frozenset(
    {
        "django.core.mail.backends.console.EmailBackend",
        "django.core.mail.backends.filebased.EmailBackend",
        "django.core.mail.backends.locmem.EmailBackend",
        "django.core.mail.backends.dummy.EmailBackend",
    }
)
#: Apps that show settings, SQL or objects to whoever reaches them.
DEBUG_APPS = frozenset({"debug_toolbar", "django_extensions", "silk"})
#: Keys made by ``startproject`` and the development default of ``regie.settings`` begin so.
INSECURE_KEY_PREFIX = "django-insecure-"

Messages = list[CheckMessage]


@register(Tags.security, deploy=True)
def two_factor_roles(app_configs: Sequence[Any] | None = None, **kwargs: Any) -> Messages:
    """regie.E003: every role that sees data must use two-factor authentication."""
    required = set(getattr(settings, "REGIE_2FA_REQUIRED_ROLES", ()))
    missing = [role for role in ROLES_REQUIRING_2FA if role not in required]
    if not missing:
        return []
    return [
        Error(
            f"Two-factor authentication is not required for the role(s) {', '.join(missing)}, "
            "which see a gemeente's data.",
            hint="Leave REGIE_2FA_REQUIRED_ROLES unset (its default is "
            f"{','.join(ROLES_REQUIRING_2FA)}) or add these roles to it.",
            obj="REGIE_2FA_REQUIRED_ROLES",
            id="regie.E003",
        )
    ]


def _lockout_failures() -> Any:
    # The product's own setting first (per account); django-axes' limit where there is none.
    return getattr(settings, "REGIE_LOCKOUT_FAILURES", getattr(settings, "AXES_FAILURE_LIMIT", 3))


def _lockout_length() -> dt.timedelta | None:
    """How long failures count (and a lock-out lasts); None when until a beheerder lifts it."""
    minutes = getattr(settings, "REGIE_LOCKOUT_MINUTES", None)
    if minutes is not None:
        return dt.timedelta(minutes=float(minutes))
    cooloff = getattr(settings, "AXES_COOLOFF_TIME", None)
    if cooloff is None:
        return None
    if isinstance(cooloff, dt.timedelta):
        return cooloff
    if isinstance(cooloff, int | float):
        return dt.timedelta(hours=cooloff)  # django-axes counts a number in hours
    return None  # a callable or dotted path: computed per request, not judged here


def _guessing_problems() -> list[str]:
    problems: list[str] = []
    if "axes" in settings.INSTALLED_APPS and not getattr(settings, "AXES_ENABLED", True):
        problems.append("the lock-out per client address is switched off (AXES_ENABLED is false)")
    failures = _lockout_failures()
    if not isinstance(failures, int) or not 1 <= failures <= MAX_LOCKOUT_FAILURES:
        problems.append(
            f"{failures!r} failed passwords for an account go unhindered "
            f"(at most {MAX_LOCKOUT_FAILURES})"
        )
    length = _lockout_length()
    if length is not None and length < MIN_LOCKOUT:
        problems.append(
            f"failed passwords count for {length.total_seconds() / 60:g} minutes "
            f"(at least {MIN_LOCKOUT.total_seconds() / 60:g})"
        )
    for name, limit in ADDRESS_LIMITS.items():
        value = getattr(settings, name, None)
        if value is not None and (not isinstance(value, int) or not 1 <= value <= limit):
            problems.append(f"{name} is {value!r} (between 1 and {limit})")
    delay = getattr(settings, "REGIE_LOGIN_MAX_DELAY_SECONDS", None)
    if delay is not None and delay < MIN_LOGIN_DELAY_SECONDS:
        problems.append(
            f"a slowed-down account waits at most {delay} seconds between attempts "
            f"(at least {MIN_LOGIN_DELAY_SECONDS})"
        )
    return problems


@register(Tags.security, deploy=True)
def lockout(app_configs: Sequence[Any] | None = None, **kwargs: Any) -> Messages:
    """regie.E004: password guessing is slowed down (per account) or locked out (per address)
    after at most 10 failures, counted over at least 5 minutes."""
    problems = _guessing_problems()
    if not problems:
        return []
    return [
        Error(
            "Password guessing is not held back enough: " + "; ".join(problems) + ".",
            hint=f"Set REGIE_LOCKOUT_FAILURES between 1 and {MAX_LOCKOUT_FAILURES}, "
            f"REGIE_LOCKOUT_MINUTES to {MIN_LOCKOUT.total_seconds() / 60:g} or more and "
            f"REGIE_LOGIN_MAX_DELAY_SECONDS to {MIN_LOGIN_DELAY_SECONDS} or more (the defaults, "
            "5, 15 and 60, are fine).",
            obj="REGIE_LOCKOUT_FAILURES",
            id="regie.E004",
        )
    ]


@register(Tags.security, deploy=True)
def django_admin(app_configs: Sequence[Any] | None = None, **kwargs: Any) -> Messages:
    """regie.E005: Django's admin is a developer's tool, not part of the product."""
    if not getattr(settings, "REGIE_DJANGO_ADMIN", False):
        return []
    return [
        Error(
            "Django's admin is exposed at /admin/: it edits every table directly, past the "
            "product's rules, tenancy checks and audit log.",
            hint="Set REGIE_DJANGO_ADMIN=false; the Beheer section manages users and "
            "organisations.",
            obj="REGIE_DJANGO_ADMIN",
            id="regie.E005",
        )
    ]


@register(Tags.security, deploy=True)
def mail_backend(app_configs: Sequence[Any] | None = None, **kwargs: Any) -> Messages:
    """regie.E006: mails (password reset, invitations) must be sent, not printed."""
    backend = getattr(settings, "EMAIL_BACKEND", "")
    if backend not in UNDELIVERED_MAIL_BACKENDS:
        return []
    return [
        Error(
            f"Mail is not sent ({backend}): password-reset links and invitations never reach "
            "their users, and a printed or stored link lets whoever reads the log or file in.",
            hint="Set REGIE_EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend and "
            "REGIE_EMAIL_HOST (see docs/configuration.md).",
            obj="REGIE_EMAIL_BACKEND",
            id="regie.E006",
        )
    ]


@register(Tags.security, deploy=True)
def debugging(app_configs: Sequence[Any] | None = None, **kwargs: Any) -> Messages:
    """regie.E007: no debug pages and no debugging apps (Django only warns: security.W018)."""
    found: list[str] = []
    if settings.DEBUG:
        found.append("DEBUG is true")
    found += [f"{app} is installed" for app in _installed(DEBUG_APPS)]
    if not found:
        return []
    return [
        Error(
            "Debugging is on ("
            + ", ".join(found)
            + "): error and debug pages show settings, SQL and the data of the request.",
            hint="Set REGIE_DEBUG=false and remove debugging apps from production.",
            obj="REGIE_DEBUG",
            id="regie.E007",
        )
    ]


def _installed(names: Iterable[str]) -> list[str]:
    apps = {app.split(".")[0] for app in settings.INSTALLED_APPS}
    return sorted(name for name in names if name in apps)


@register(Tags.security, deploy=True)
def secret_key(app_configs: Sequence[Any] | None = None, **kwargs: Any) -> Messages:
    """regie.E008: the development key is in the source code (Django only warns: W009)."""
    if not str(getattr(settings, "SECRET_KEY", "")).startswith(INSECURE_KEY_PREFIX):
        return []
    return [
        Error(
            "The secret key is a published development key: anyone can forge sessions and "
            "password-reset links with it.",
            hint="Set REGIE_SECRET_KEY to at least 50 random characters: "
            "python -c 'import secrets; print(secrets.token_urlsafe(50))'.",
            obj="REGIE_SECRET_KEY",
            id="regie.E008",
        )
    ]


@register(Tags.security, deploy=True)
def audit_guard(app_configs: Sequence[Any] | None = None, **kwargs: Any) -> Messages:
    """regie.E010: the audit log's triggers exist, and the database is not a demo (ADR 0012).

    Reads the default database although the check is not tagged ``database`` (see
    ``regie.demo.checks`` for why). Before ``regie migrate`` there is nothing to check.
    """
    from regie.core import append_only
    from regie.core.models import Installation

    try:
        if append_only.TABLE not in connection.introspection.table_names():
            return []
        problems = []
        if not append_only.triggers_present():
            problems.append(
                "the triggers that refuse changes to the audit log are missing (a restored dump "
                "without triggers, or a database changed by hand)"
            )
        if Installation.objects.filter(is_demo=True).exists():
            problems.append(
                "the database is marked as a demo, so `regie demo --reset` may erase it with its "
                "audit log"
            )
    except DatabaseError as exc:
        return [
            Warning(
                f"Could not check the audit log's guard in the database: {exc}".strip(),
                hint="Run regie check --deploy where the database can be reached.",
                obj="DATABASES['default']",
                id="regie.W002",
            )
        ]
    if not problems:
        return []
    return [
        Error(
            "The audit log is not protected: " + "; ".join(problems) + ".",
            hint="Run regie migrate (it creates the triggers), and use a database that was not "
            "made by regie demo for production.",
            obj="core_auditentry",
            id="regie.E010",
        )
    ]


@register(Tags.security, deploy=True)
def allowed_hosts(app_configs: Sequence[Any] | None = None, **kwargs: Any) -> Messages:
    """regie.E011: links in mails (password reset, invitations) are built from the request's
    host name, which Django trusts only when it is in ALLOWED_HOSTS."""
    if "*" not in settings.ALLOWED_HOSTS:
        return []
    return [
        Error(
            "The site answers to any host name: someone who asks for a password reset with a "
            "forged Host header gets a mail sent with a link to their own site.",
            hint="Set REGIE_ALLOWED_HOSTS to the site's own host name(s).",
            obj="REGIE_ALLOWED_HOSTS",
            id="regie.E011",
        )
    ]


# regie.E009 is not used: the field encryption keys are checked by the privacy core itself
# (privacy.E001 no usable keys, privacy.E002 only the demo keys file; regie.privacy.checks).
