"""Production check: no demo accounts and no demo password (``regie check --deploy``).

``regie demo`` makes accounts with one published password (``DEMO_PASSWORD`` in
``regie.demo.services``, printed by the command). An installation that was started with the demo,
or whose superuser or beheerder reused that password, is open to anyone who has read the source.

This check reads the database although it is not tagged ``database``: Django passes databases
only to checks run with ``--database``, and a database check without them does nothing, so a
demo would pass ``regie check --deploy`` silently. Deployment checks only run when an operator
asks for them, so reading the default database there costs nothing elsewhere. A database
without tables (``regie check --deploy`` before ``regie migrate``) has no accounts and passes; a
database that cannot be reached gives a warning (regie.W001) instead of a false pass.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.contrib.auth.hashers import check_password
from django.core.checks import CheckMessage, Error, Tags, Warning, register
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.models import Q

from regie.accounts.models import Role, User

#: Accounts whose password is compared with the demo password. Each comparison costs a full
#: password hash (~0.2 s with PBKDF2), so only the accounts that can do most harm are compared:
#: active superusers and beheerders, the first ones made, at most this many.
MAX_PASSWORDS_COMPARED = 10


def demo_usernames() -> list[str]:
    # Imported here: the demo's services load half the product, and this module is imported
    # when Django starts (to register the check).
    from regie.demo import services

    return sorted(services.demo_usernames())


@register(Tags.security, deploy=True)
def demo_accounts(
    app_configs: Sequence[Any] | None = None,
    databases: Iterable[str] | None = None,
    **kwargs: Any,
) -> list[CheckMessage]:
    """regie.E001/E002: no active demo account; no powerful account with the demo password."""
    messages: list[CheckMessage] = []
    for alias in databases or (DEFAULT_DB_ALIAS,):
        try:
            messages += _check(alias)
        except DatabaseError as exc:
            messages.append(
                Warning(
                    f"Could not look for demo accounts in the database: {exc}".strip(),
                    hint="Run regie check --deploy where the database can be reached.",
                    obj=f"DATABASES[{alias!r}]",
                    id="regie.W001",
                )
            )
    return messages


def _check(alias: str) -> list[CheckMessage]:
    from regie.demo.services import DEMO_PASSWORD

    if User._meta.db_table not in connections[alias].introspection.table_names():
        return []  # not migrated yet: no accounts at all
    users = User.objects.using(alias).filter(is_active=True)
    messages: list[CheckMessage] = []
    demo = sorted(users.filter(username__in=demo_usernames()).values_list("username", flat=True))
    if demo:
        messages.append(
            Error(
                f"{len(demo)} demo account(s) can log in ({', '.join(demo)}); their password "
                "is published.",
                hint="Install production on a new, empty database (regie migrate) and do not "
                "run regie demo there.",
                obj=f"accounts.User ({alias})",
                id="regie.E001",
            )
        )
    powerful = (
        users.filter(Q(is_superuser=True) | Q(memberships__role=Role.BEHEERDER))
        .exclude(username__in=demo_usernames())
        .distinct()
        .order_by("pk")
    )
    reused = [
        pk
        for pk, encoded in powerful.values_list("pk", "password")[:MAX_PASSWORDS_COMPARED]
        if check_password(DEMO_PASSWORD, encoded)
    ]
    if reused:
        # Ids, not user names: this output often ends up in a deployment log, and a user name
        # next to "has the published password" is a working login.
        messages.append(
            Error(
                f"{len(reused)} superuser or beheerder account(s) use the published demo "
                f"password (user id {', '.join(map(str, reused))}).",
                hint="Give these accounts a new password: regie changepassword USERNAME.",
                obj=f"accounts.User ({alias})",
                id="regie.E002",
            )
        )
    return messages
