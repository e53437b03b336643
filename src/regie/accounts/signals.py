"""Logins, logouts, failures and slow-downs go into the audit log (never the application log),
and feed the login throttle (:mod:`regie.accounts.throttle`).

What anonymous visitors can make the append-only log hold is bounded (ADR 0004): a name that is
no account is recorded with a fixed label, never the typed text, and a refusal during a
slow-down or lock-out is recorded once per window, not once per attempt.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from regie.accounts import events, mail, throttle
from regie.accounts.models import ThrottleScope, User
from regie.accounts.selectors import invitations_for_account
from regie.core.audit import current_address
from regie.core.models import AuditAction, AuditEntry


def _logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    events.record(AuditAction.LOGIN, account=user, actor=user)
    if not isinstance(user, User):
        return
    attempt = getattr(request, "regie_login_attempt", None) if request is not None else None
    unseen = throttle.record_success(user, attempt)
    if request is not None and invitations_for_account(user).exists():
        messages.info(
            request,
            _("You have been invited to an organisation. Accept or decline it under My account."),
            fail_silently=True,
        )
    if unseen is not None and request is not None:
        since = formats.date_format(timezone.localtime(unseen.since), "DATETIME_FORMAT")
        messages.warning(
            request,
            ngettext(
                "There was %(count)d failed attempt to log in to your account since %(since)s. "
                "Was that not you? Then change your password.",
                "There were %(count)d failed attempts to log in to your account since "
                "%(since)s. Were those not you? Then change your password.",
                unseen.count,
            )
            % {"count": unseen.count, "since": since},
            fail_silently=True,
        )


def _logged_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        events.record(AuditAction.LOGOUT, account=user, actor=user)


def _refusal_description(scope: str) -> str:
    if scope == ThrottleScope.ADDRESS:
        return _("attempts refused: the client address is slowed down")
    return _("attempts refused: the account is slowed down")


def _login_failed(
    sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any
) -> None:
    username = str(credentials.get("username") or "")
    attempt: throttle.Attempt | None = getattr(request, "regie_login_attempt", None)
    if attempt is not None:
        account = User.objects.filter(pk=attempt.account_id).first() if attempt.account_id else None
    else:
        account = (
            User.objects.filter(username__iexact=username.strip()).first() if username else None
        )
    label = events.attempted_name(account)
    if request is not None and getattr(request, "regie_login_wait", None):
        if attempt is not None and attempt.first_refusal:
            events.record(
                AuditAction.LOCKOUT,
                account=account if attempt.refused_by != ThrottleScope.ADDRESS else None,
                actor_label=label,
                description=_refusal_description(attempt.refused_by),
            )
        return
    if request is not None and not getattr(request, "regie_password_checked", False):
        return  # refused by the lock-out per address and username (recorded by _locked_out)
    description = str(getattr(request, "regie_password_purpose", "") or "")
    events.record(
        AuditAction.LOGIN_FAILED, account=account, actor_label=label, description=description
    )
    failure = throttle.record_failure(username, attempt)
    if failure is None:
        return
    if failure.slowed_down:
        events.record(
            AuditAction.LOCKOUT,
            account=account,
            actor_label=label,
            description=_("account slowed down after %(count)d failed attempts")
            % {"count": failure.failures},
        )
    if failure.address_slowed_down:
        events.record(
            AuditAction.LOCKOUT,
            account=None,
            actor_label=label,
            description=_("client address slowed down after too many failed logins"),
        )
    if failure.notify_owner and failure.user is not None:
        mail.send(
            "login_failures",
            to=failure.user.email,
            context={"user": failure.user, "count": failure.failures},
        )


def _locked_out(sender: Any, request: Any = None, **kwargs: Any) -> None:
    """django-axes refused a username from a client address (too many failures there).

    django-axes sends this at every refused attempt; it is recorded once per window. (Its
    ``username`` is the throttle's hash; the typed name comes from the credentials.)
    """
    credentials = getattr(request, "axes_credentials", None) or {}
    typed = str(credentials.get("username") or "").strip()
    account = User.objects.filter(username__iexact=typed).first() if typed else None
    description = _("username locked out at this client address after too many failed logins")
    since = timezone.now() - throttle.window()
    already = AuditEntry.objects.filter(
        action=AuditAction.LOCKOUT,
        object_type=events.EVENT,
        object_id=str(account.pk) if account is not None else "",
        actor_label=events.attempted_name(account),
        client_address=current_address(),
        timestamp__gte=since,
        object_repr__endswith=description,
    ).exists()
    if already:
        return
    events.record(
        AuditAction.LOCKOUT,
        account=account,
        actor_label=events.attempted_name(account),
        description=description,
    )


def connect() -> None:
    from axes.signals import user_locked_out

    user_logged_in.connect(_logged_in, dispatch_uid="regie-audit-login")
    user_logged_out.connect(_logged_out, dispatch_uid="regie-audit-logout")
    user_login_failed.connect(_login_failed, dispatch_uid="regie-audit-login-failed")
    user_locked_out.connect(_locked_out, dispatch_uid="regie-audit-locked-out")
