"""Password changes and resets: the audit trail and the limit on reset mails."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from regie.accounts import events
from regie.accounts.models import User
from regie.core.models import AuditAction, AuditEntry

RESET_WINDOW = dt.timedelta(hours=1)


def now() -> dt.datetime:
    return timezone.now()


def _requests_since(since: dt.datetime) -> QuerySet[AuditEntry]:
    return AuditEntry.objects.filter(
        action=AuditAction.RESET_REQUESTED, object_type=events.EVENT, timestamp__gte=since
    )


def allowed_reset_recipients(*, users: Iterable[User], address: str | None) -> list[User]:
    """Of the accounts a reset was asked for, those that may get a mail now.

    At most ``REGIE_RESET_MAILS_PER_ACCOUNT`` requests per account and
    ``REGIE_RESET_MAILS_PER_ADDRESS`` per client address in an hour; every request is recorded
    (RESET_REQUESTED). The page answers the same in every case, so it tells nobody whether an
    account exists or a limit was reached.
    """
    since = now() - RESET_WINDOW
    requests = _requests_since(since)
    from_address = requests.filter(client_address=address).count()
    address_ok = from_address < int(getattr(settings, "REGIE_RESET_MAILS_PER_ADDRESS", 10))
    per_account = int(getattr(settings, "REGIE_RESET_MAILS_PER_ACCOUNT", 3))
    allowed: list[User] = []
    found = list(users)
    for user in found:
        account_ok = requests.filter(object_id=str(user.pk)).count() < per_account
        ok = address_ok and account_ok
        events.record(
            AuditAction.RESET_REQUESTED,
            account=user,
            actor_label="anoniem",
            description=_("reset mail sent") if ok else _("no mail: too many requests"),
        )
        if ok:
            allowed.append(user)
    if not found:
        events.record(
            AuditAction.RESET_REQUESTED,
            account=None,
            actor_label="anoniem",
            description=_("no account with this address"),
        )
    return allowed


def record_password_change(*, user: User) -> None:
    events.record(AuditAction.PASSWORD_CHANGE, account=user, actor=user)


def record_password_reset(*, user: User) -> None:
    events.record(AuditAction.PASSWORD_RESET, account=user, actor=user)
