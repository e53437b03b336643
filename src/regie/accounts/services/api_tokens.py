"""API tokens: keys for machines to the JSON API, scoped to one organisation (ADR 0017).

The rules live here: who a token acts as, how long it is valid, that only a hash is stored and
that the secret is shown once. Creating and revoking are audited by the audit signals (the
token's organisation sees them); each use is a ``TOKEN_USE`` entry in the append-only audit log.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from regie.accounts import tokens
from regie.accounts.models import ApiToken, ApiTokenScope, Membership, User
from regie.core import audit
from regie.core.errors import ServiceError
from regie.core.models import AuditAction, Organisation

#: Every secret starts with this, so that a leaked one is recognised (by people and scanners).
PREFIX = "regie_"
#: Validity of a new token unless another is chosen, and the longest allowed (ADR 0017).
DEFAULT_DAYS = 90
MAX_DAYS = 365


@dataclass(frozen=True)
class NewToken:
    """A token just created, with its secret: the only moment the secret exists in clear."""

    token: ApiToken
    secret: str


def new_secret() -> str:
    """A random secret of 32 bytes (256 bits), URL-safe, after :data:`PREFIX`."""
    return PREFIX + secrets.token_urlsafe(32)


def secret_hash(secret: str) -> str:
    """The stored form of a secret: its SHA-256. The secret is random with 256 bits, so a plain
    hash cannot be reversed by guessing and needs no server key (ADR 0017)."""
    return tokens.token_hash(secret)


@transaction.atomic
def create_token(
    *,
    organisation: Organisation,
    name: str,
    created_by: User | None,
    scope: str = ApiTokenScope.READ,
    user: User | None = None,
    description: str = "",
    days: int = DEFAULT_DAYS,
) -> NewToken:
    """Create a token of ``organisation``; personal when ``user`` is given (that user must have a
    role there). Valid for ``days`` (1 up to :data:`MAX_DAYS`). The caller shows the secret once.
    """
    name = name.strip()
    if not name:
        raise ServiceError(_("Give the token a name."))
    if scope not in ApiTokenScope.values:
        raise ServiceError(_("Unknown scope: %(scope)r.") % {"scope": scope})
    if not 1 <= days <= MAX_DAYS:
        raise ServiceError(
            _("A token is valid for 1 to %(max)s days, not %(days)s.")
            % {"max": MAX_DAYS, "days": days}
        )
    if not organisation.is_active:
        raise ServiceError(_("The organisation is not active."))
    if user is not None and not (
        user.is_active and Membership.objects.filter(user=user, organisation=organisation).exists()
    ):
        raise ServiceError(
            _("%(user)s has no role in %(org)s: a personal token needs one.")
            % {"user": user.get_username(), "org": organisation.name}
        )
    secret = new_secret()
    token = ApiToken(
        organisation=organisation,
        user=user,
        name=name[:100],
        description=description.strip(),
        scope=scope,
        secret_hash=secret_hash(secret),
        created_by=created_by,
        expires_at=timezone.now() + dt.timedelta(days=days),
    )
    token.save()
    return NewToken(token=token, secret=secret)


@transaction.atomic
def revoke_token(*, token: ApiToken, revoked_by: User | None) -> ApiToken:
    """Revoke ``token`` for good; revoking it again changes nothing."""
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.revoked_by = revoked_by
        token.save()
    return token


def find_token(secret: str) -> ApiToken | None:
    """The usable token (not revoked, not expired, its organisation active) whose secret this
    is, or None."""
    secret = secret.strip()
    if not secret.startswith(PREFIX):
        return None
    token = (
        ApiToken.objects.usable()
        .select_related("organisation", "user")
        .filter(secret_hash=secret_hash(secret))
        .first()
    )
    if token is None:
        return None
    if token.user is not None and not (
        token.user.is_active
        and Membership.objects.filter(user=token.user, organisation=token.organisation).exists()
    ):
        return None  # a personal token ends with its user's role in the organisation
    return token


def revoke_personal_tokens(*, user: User, revoked_by: User | None = None) -> int:
    """Revoke every personal token of ``user`` (the password or second factor changed, or the
    account was switched off: every way into the account ends, sessions and tokens alike)."""
    revoked = 0
    for token in ApiToken.objects.filter(user=user, revoked_at__isnull=True):
        revoke_token(token=token, revoked_by=revoked_by)
        revoked += 1
    return revoked


def actor_label(token: ApiToken) -> str:
    """How the audit log names who acted with ``token`` (never the secret)."""
    if token.user is not None:
        return token.user.get_username()
    return f"API-token {token.name}"[:200]


def record_use(token: ApiToken, *, method: str, path: str) -> None:
    """Audit one use of ``token``: a ``TOKEN_USE`` entry of its organisation (the method and the
    path, never the query string or the secret) and its ``last_used_at``."""
    now = timezone.now()
    # update(): last_used_at is no change worth an audit entry of its own (ADR 0003).
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    token.last_used_at = now
    audit.write_entry(
        action=AuditAction.TOKEN_USE,
        obj=token,
        object_repr=f"{token.name}: {method} {path}"[:300],
        organisation=token.organisation,
        actor=audit.Actor(user=token.user, label=actor_label(token)),
    )
