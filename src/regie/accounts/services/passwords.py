"""Password changes and resets: the audit trail and the limit on reset mails."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from regie.accounts import events, sessions
from regie.accounts.models import User
from regie.accounts.services.api_tokens import revoke_personal_tokens
from regie.core.models import AuditAction, AuditEntry

RESET_WINDOW = dt.timedelta(hours=1)
#: Descriptions of the one entry per hour for requests past a limit.
REFUSED = gettext_noop("no mail: too many requests; further ones this hour are not recorded")
UNKNOWN = gettext_noop("no account with this address; further requests this hour are not recorded")


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
        if ok or not _refusal_recorded(requests, address, str(user.pk), REFUSED):
            events.record(
                AuditAction.RESET_REQUESTED,
                account=user,
                actor_label="anoniem",
                description=_("reset mail sent") if ok else _(REFUSED),
            )
        if ok:
            allowed.append(user)
    if not found and (address_ok or not _refusal_recorded(requests, address, "", UNKNOWN)):
        # Never the typed address.
        events.record(
            AuditAction.RESET_REQUESTED,
            account=None,
            actor_label="anoniem",
            description=_("no account with this address") if address_ok else _(UNKNOWN),
        )
    return allowed


def _refusal_recorded(
    requests: QuerySet[AuditEntry], address: str | None, object_id: str, text: str
) -> bool:
    """Past a limit, one entry per hour per account and client address is enough: anonymous
    requests cannot fill the append-only log."""
    return requests.filter(
        client_address=address, object_id=object_id, object_repr__endswith=_(text)
    ).exists()


def record_password_change(*, user: User, current_session: str | None = None) -> None:
    """The owner changed the password: the account's other sessions and personal tokens end."""
    ended = sessions.end_sessions(user, keep=current_session)
    revoke_personal_tokens(user=user, revoked_by=user)
    events.record(
        AuditAction.PASSWORD_CHANGE,
        account=user,
        actor=user,
        description=_("other sessions ended: %(count)d") % {"count": ended},
    )


def record_password_reset(*, user: User) -> None:
    """A new password through a reset link: every session and personal token of the account
    ends."""
    ended = sessions.end_sessions(user)
    revoke_personal_tokens(user=user)
    events.record(
        AuditAction.PASSWORD_RESET,
        account=user,
        actor=user,
        description=_("other sessions ended: %(count)d") % {"count": ended},
    )
